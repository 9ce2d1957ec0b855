//! Commit message → trailers, as every command reads the history (and as a hand-made commit
//! in the archive may have them): never a panic, and what parses writes out canonically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palimpsest::archive::Trailers;

fuzz_target!(|data: &[u8]| {
    let message = String::from_utf8_lossy(data);
    let Some(trailers) = Trailers::parse(&message) else {
        return;
    };
    let mut written = "Subject\n\n".to_owned();
    trailers.write(&mut written);
    let again = Trailers::parse(&written).expect("written trailers parse");
    let mut rewritten = "Subject\n\n".to_owned();
    again.write(&mut rewritten);
    assert_eq!(written, rewritten);
});
