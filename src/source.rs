//! What the user names → the canonical URL that identifies an article.
//!
//! One article must have one identity: fragments, tracking parameters, default ports and letter
//! case in scheme and host are dropped, and a local path becomes a `file://` URL. (NewsDiffs gave
//! one article two identities over http vs https; [`crate::archive::path`] ignores the scheme.)

use std::path::Path;
use url::Url;

/// Why an input cannot name an article.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Not a URL, and not a path to a file that can be opened.
    #[error("{input:?} is not a URL or an existing file")]
    Invalid {
        input: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{input:?} names no host")]
    NoHost { input: String },
    #[error("{input:?} can't be written as a file:// URL")]
    NotAFileUrl { input: String },
    #[error("unsupported URL scheme `{scheme}` in {input:?} (use http, https or file)")]
    Scheme { input: String, scheme: String },
    #[error(
        "{input:?} has a user name or password; palimpsest does not store credentials in the archive"
    )]
    Credentials { input: String },
}

/// Query parameters that only track who clicked; they never change the article.
fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_")
        || matches!(
            key,
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "yclid"
                | "_ga"
        )
}

/// Parses a URL or a local path into the canonical URL of an article.
pub fn canonical_url(input: &str) -> Result<Url, SourceError> {
    let trimmed = input.trim();
    let given = || input.to_owned();
    let mut url = match Url::parse(trimmed) {
        Ok(url) if url.scheme().len() > 1 => url,
        // `C:\x` parses with a one-letter scheme; anything unparsable may still be a path.
        _ => {
            let path = Path::new(trimmed);
            let abs = path.canonicalize().map_err(|source| SourceError::Invalid {
                input: given(),
                source,
            })?;
            Url::from_file_path(&abs).map_err(|()| SourceError::NotAFileUrl { input: given() })?
        }
    };
    match url.scheme() {
        "http" | "https" => {
            if url.host_str().is_none_or(str::is_empty) {
                return Err(SourceError::NoHost { input: given() });
            }
        }
        "file" => {}
        scheme => {
            return Err(SourceError::Scheme {
                input: given(),
                scheme: scheme.to_owned(),
            });
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SourceError::Credentials { input: given() });
    }
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_fragment_tracking_and_default_port() {
        let u = canonical_url("HTTPS://Example.COM:443/a/../b?utm_source=x&id=3#top").unwrap();
        assert_eq!(u.as_str(), "https://example.com/b?id=3");
        let u = canonical_url("http://example.com/x?utm_medium=y").unwrap();
        assert_eq!(u.as_str(), "http://example.com/x");
    }

    #[test]
    fn rejects_other_schemes_and_credentials() {
        assert!(matches!(
            canonical_url("ftp://example.com/x"),
            Err(SourceError::Scheme { .. })
        ));
        assert!(matches!(
            canonical_url("javascript:alert(1)"),
            Err(SourceError::Scheme { .. })
        ));
        assert!(matches!(
            canonical_url("https://u:p@example.com/"),
            Err(SourceError::Credentials { .. })
        ));
        assert!(matches!(
            canonical_url("no such file here"),
            Err(SourceError::Invalid { .. })
        ));
    }

    #[test]
    fn local_paths_become_file_urls() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("page.html");
        std::fs::write(&file, "x").unwrap();
        let u = canonical_url(file.to_str().unwrap()).unwrap();
        assert_eq!(u.scheme(), "file");
        assert!(u.path().ends_with("/page.html"));
    }
}
