//! Canonical URL → the article's file path inside the archive.
//!
//! The path is readable (`example.com/news/2023/1028027.html.txt`, host first, so
//! `git log -- example.com/` lists a site) and safe whatever the URL holds: segments are
//! percent-decoded, then any segment with a character outside letters, digits and `-_.`, a
//! leading dot, or too much length makes the whole path take a sanitized form with a hash of the
//! URL appended (`…/name~3f2a9c1b0d4e5f60.txt`). `~` never appears in a clean path, so a hashed
//! path can't collide with a clean one, and two URLs never share a file. The scheme is not part
//! of the path: http and https name the same article.

use url::Url;

/// Longest clean segment kept as it is, in bytes.
const MAX_SEGMENT: usize = 80;
/// Longest clean path kept as it is, in bytes.
const MAX_PATH: usize = 200;
/// Segments kept in a sanitized path (the last ones).
const MAX_SEGMENTS: usize = 8;
/// Every archived article file ends so; `palimpsest.toml` and dot files never do.
pub const EXTENSION: &str = ".txt";

/// The path of an article file, relative to the archive root, with `/` separators.
pub fn article_path(url: &Url) -> String {
    let (host, host_clean) = host_dir(url);
    // Not `path_segments`, which is `None` for URLs like `scheme:opaque/path`.
    let mut segments: Vec<String> = url
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(|seg| {
            percent_encoding::percent_decode_str(seg)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if segments.last().is_none_or(String::is_empty) {
        segments.pop();
        segments.push("index".to_owned());
    }
    let clean = host_clean
        && url.query().is_none()
        && segments.len() <= MAX_SEGMENTS * 2
        && segments
            .iter()
            .enumerate()
            .all(|(i, s)| is_clean(s) && (i + 1 == segments.len() || !s.ends_with(EXTENSION)));
    let path = format!("{host}/{}{EXTENSION}", segments.join("/"));
    if clean && path.len() <= MAX_PATH {
        return path;
    }
    let key = format!(
        "{}{}",
        &url[url::Position::BeforeHost..url::Position::AfterPort],
        &url[url::Position::BeforePath..]
    );
    let hash = blake3::hash(key.as_bytes()).to_hex();
    let skip = segments.len().saturating_sub(MAX_SEGMENTS);
    let mut parts: Vec<String> = segments[skip..].iter().map(|s| sanitize(s)).collect();
    let last = parts.pop().unwrap_or_default();
    for dir in &mut parts {
        if dir.ends_with(EXTENSION) {
            dir.push('_');
        }
    }
    parts.push(format!("{last}~{}", &hash[..16]));
    let mut host = if host_clean { host } else { sanitize(&host) };
    if !host_clean && (host.ends_with(EXTENSION) || host == crate::config::FILE_NAME) {
        host.push('_');
    }
    format!("{host}/{}{EXTENSION}", parts.join("/"))
}

/// The top folder: the host (ASCII, as `url` gives it), with a non-default port appended, and
/// whether that names a folder as it is. A host may start with a dot (`https://../`,
/// `http://.git/`), hold characters that the folder name replaces, or be longer than a file
/// name may be (so may a scheme), so only the hashed form, with [`sanitize`] on this folder,
/// keeps such a host inside the archive, apart from others and writable.
fn host_dir(url: &Url) -> (String, bool) {
    // URLs without a host (`file:`, `git-import:`) are grouped by scheme, which has only
    // letters, digits and `+-.`, a letter first, but may be long.
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        let scheme = url.scheme();
        let clean = scheme.len() <= MAX_SEGMENT && !scheme.ends_with(EXTENSION);
        return (scheme.to_owned(), clean);
    };
    let mut clean = !host.starts_with('.') && host.len() <= MAX_SEGMENT;
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                clean &= c == '_';
                '_'
            }
        })
        .collect();
    let dir = match url.port() {
        Some(port) => format!("{host}_{port}"),
        None => host,
    };
    // `http://palimpsest.toml/a` must not turn the settings file into a folder.
    let clean = clean && !dir.ends_with(EXTENSION) && dir != crate::config::FILE_NAME;
    (dir, clean)
}

fn is_clean(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= MAX_SEGMENT
        && !segment.starts_with('.')
        && segment
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A readable stand-in for an unclean segment: safe characters only, no leading dot, short.
fn sanitize(segment: &str) -> String {
    let mut out: String = segment
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while out.starts_with('.') {
        out.remove(0);
    }
    let mut cut = out.len().min(40);
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    if out.is_empty() { "_".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(u: &str) -> String {
        article_path(&Url::parse(u).unwrap())
    }

    #[test]
    fn clean_urls_keep_their_shape() {
        assert_eq!(
            path("https://example.com/news/2023/02/02/1028027.html"),
            "example.com/news/2023/02/02/1028027.html.txt"
        );
        assert_eq!(
            path("http://example.com/news/"),
            "example.com/news/index.txt"
        );
        assert_eq!(path("http://example.com"), "example.com/index.txt");
        assert_eq!(path("http://127.0.0.1:8080/a"), "127.0.0.1_8080/a.txt");
        assert_eq!(
            path("https://例子.测试/新闻/一"),
            "xn--fsqu00a.xn--0zwm56d/新闻/一.txt"
        );
    }

    #[test]
    fn urls_without_host_go_under_their_scheme() {
        assert_eq!(path("file:///tmp/a.html"), "file/tmp/a.html.txt");
        assert_eq!(
            path("git-import:/banned-news/pages/p5/1.md"),
            "git-import/banned-news/pages/p5/1.md.txt"
        );
        assert_ne!(path("git-import:a/b"), path("git-import:a/c"));
    }

    #[test]
    fn scheme_is_not_part_of_the_identity() {
        assert_eq!(
            path("http://example.com/a?x=1"),
            path("https://example.com/a?x=1")
        );
    }

    #[test]
    fn query_and_odd_urls_are_hashed_and_distinct() {
        let a = path("https://example.com/a?id=1");
        let b = path("https://example.com/a?id=2");
        assert_ne!(a, b);
        assert!(a.starts_with("example.com/a~"), "{a}");
        assert_ne!(
            path("https://example.com/a%20b"),
            path("https://example.com/a_b")
        );
    }

    #[test]
    fn hosts_that_fold_into_one_folder_stay_apart() {
        let (a, b) = (path("http://a*b/x"), path("http://a_b/x"));
        assert_eq!(b, "a_b/x.txt");
        assert!(a.starts_with("a_b/x~"), "{a}");
        assert_ne!(path("http://.git/x"), path("http://_git/x"));
    }

    #[test]
    fn hostile_urls_stay_inside_the_archive() {
        for u in [
            "https://example.com/%2e%2e/%2e%2e/etc/passwd",
            "https://example.com/..%2f..%2fetc",
            "https://example.com/a%00b/%5c..%5c",
            "https://example.com/.git/config",
            "https://example.com/x.txt/y",
            &format!("https://example.com/{}", "a/".repeat(500)),
            &format!("https://example.com/{}", "長".repeat(2000)),
            // Hosts that are not folder names (the first found by `scripts/fuzz article_path`).
            "https://../a",
            "http://./a",
            "http://.git/refs/heads/x",
            "http://.palimpsest/state.db",
            "t://.YY#OOOOOOOOOOOOt:tz\x02\x02%%\n\n:#Y",
            &format!("t://{}/a", "h".repeat(1000)),
            &format!("http://{}/", "0333c".repeat(100)),
            &format!("t{}:.//", ".-".repeat(200)),
            "htt5p.txt:b",
            "http://a.txt/b",
            "http://palimpsest.toml/a",
            "http://palimpsest.toml:8080/a?x",
        ] {
            let p = path(u);
            assert!(p.len() <= 300, "{p}");
            assert!(
                p.split('/').all(|s| !s.is_empty()
                    && !s.starts_with('.')
                    && !s.contains('\\')
                    && !s.contains('\0')),
                "{u} -> {p}"
            );
            let dirs: Vec<&str> = p.split('/').collect();
            assert!(
                dirs[..dirs.len() - 1]
                    .iter()
                    .all(|d| !d.ends_with(EXTENSION)),
                "{p}"
            );
            assert_ne!(dirs[0], crate::config::FILE_NAME, "{u}");
        }
    }
}
