//! Fetched bytes → archived text: charset detection and decoding, mojibake repair, extraction
//! and normalization, as `snapshot` and `import-git` run them on whatever a server sends.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palimpsest::extract::SiteRules;
use url::Url;

/// Content-Type headers a server may send, chosen by the first input byte.
const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("text/html"),
    Some("text/html; charset=gbk"),
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=big5"),
    Some("text/plain; charset=x-unknown"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[first as usize % CONTENT_TYPES.len()];
    let url = Url::parse("https://news.example.com/2026/03/14/a.html").unwrap();
    if let Ok(page) = palimpsest::page::read(bytes, content_type, &url, &SiteRules::default()) {
        // The archived file reads back as the same document: the recorder indexes the title
        // and state hash of what it read, the catch-up those of what it reads back.
        let bytes = page.document.to_bytes();
        let again = palimpsest::normalize::Document::parse(&bytes);
        assert_eq!(again.to_bytes(), bytes);
        assert_eq!(again.title, page.document.title);
        assert_eq!(again.state_hash(), page.document.state_hash());
    }
});
