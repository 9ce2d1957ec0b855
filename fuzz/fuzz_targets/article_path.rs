//! URL → archive path: whatever the URL, the path stays inside the archive, outside `.git`,
//! and has the shape the archive layout promises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palimpsest::archive::path::{EXTENSION, article_path};
use url::Url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(url) = Url::parse(text) else {
        return;
    };
    let path = article_path(&url);
    assert!(path.len() <= 400, "{url} -> {path}");
    assert!(path.ends_with(EXTENSION), "{url} -> {path}");
    let segments: Vec<&str> = path.split('/').collect();
    assert!(segments.len() >= 2, "{url} -> {path}");
    assert_ne!(segments[0], palimpsest::config::FILE_NAME, "{url}");
    for (i, segment) in segments.iter().enumerate() {
        assert!(
            !segment.is_empty()
                && !segment.starts_with('.')
                && !segment.contains(['\\', '\0'])
                && (i + 1 == segments.len() || !segment.ends_with(EXTENSION)),
            "{url} -> {path}"
        );
    }
    // http and https name one article.
    if let Some(rest) = text.strip_prefix("https://")
        && let Ok(http) = Url::parse(&format!("http://{rest}"))
        && http.port().is_none()
        && url.port().is_none()
    {
        assert_eq!(article_path(&http), path, "{url}");
    }
});
