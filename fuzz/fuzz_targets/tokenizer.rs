//! Our HTML tokenizer against html5ever's: both feed html5ever's tree builder, and for any page
//! the two trees must be the same (the elements, the attributes the extractor keeps, the text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use palimpsest::extract::outline;

fuzz_target!(|data: &[u8]| {
    // NUL is dropped by ours and turned into U+FFFD in some places by html5ever's; nothing the
    // extractor reads depends on it.
    let html: String = String::from_utf8_lossy(data).replace('\0', "");
    if let Some((ours, html5ever)) = outline::both(&html) {
        assert_eq!(ours, html5ever, "{html:?}");
    }
});
