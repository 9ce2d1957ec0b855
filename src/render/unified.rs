//! A unified diff of two archived files, as `git diff` shows it: line by line, which in the
//! archive's format means sentence by sentence.

use similar::{Algorithm, TextDiff};

/// The unified diff of the files `old` and `new` at archive path `path` (headers `a/<path>` and
/// `b/<path>`, 3 lines of context); empty when they are equal. An empty side is a file that did
/// not exist (archived files never are empty): its header is `/dev/null`, as in git. Bytes that
/// are not UTF-8 are replaced, as archived files are UTF-8.
pub fn render(old: &[u8], new: &[u8], path: &str) -> String {
    let name = |side: &str, bytes: &[u8]| {
        if bytes.is_empty() {
            "/dev/null".to_owned()
        } else {
            format!("{side}/{path}")
        }
    };
    let (old_name, new_name) = (name("a", old), name("b", new));
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Histogram)
        .timeout(crate::diff::TIMEOUT)
        .diff_lines(old.as_ref(), new.as_ref());
    let body = diff
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string();
    if body.is_empty() {
        return body;
    }
    format!("diff --git a/{path} b/{path}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_like_git_diff() {
        let old = b"url: u\ntitle: T\n\nOne.\nTwo.\n";
        let new = b"url: u\ntitle: T\n\nOne.\nTwo!\n";
        assert_eq!(
            render(old, new, "news.test/1.txt"),
            "diff --git a/news.test/1.txt b/news.test/1.txt\n\
             --- a/news.test/1.txt\n\
             +++ b/news.test/1.txt\n\
             @@ -2,4 +2,4 @@\n \
             title: T\n \n \
             One.\n\
             -Two.\n\
             +Two!\n"
        );
    }

    #[test]
    fn a_new_file_comes_from_dev_null() {
        assert_eq!(
            render(b"", b"One.\n", "x.txt"),
            "diff --git a/x.txt b/x.txt\n--- /dev/null\n+++ b/x.txt\n@@ -0,0 +1 @@\n+One.\n"
        );
    }

    #[test]
    fn equal_files_give_nothing() {
        assert_eq!(render(b"a\n", b"a\n", "x.txt"), "");
    }
}
