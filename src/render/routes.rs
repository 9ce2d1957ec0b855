//! The viewer's URL layout, shared by the pages, the feeds, the server and the static site.
//!
//! Every page is a path relative to the site root, such as `articles/example.com/a.html.txt/index.html`,
//! and pages link to each other with relative links, so the same files work from a server, from
//! any static host and from `file://`. Parsing is strict: a path the layout doesn't produce is
//! not a page, so a request can never name anything else (no `..`, no dot files, no other files).

use crate::archive::{ChangeKind, Version};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::fmt::Write;

/// Versions listed on one page of changes.
pub(crate) const PAGE_SIZE: usize = 50;

/// One page (or feed, or file) of the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    Style,
    /// Recorded changes, newest first; page 1 is the first. `filter`: only changes of this
    /// kind; all of them when `None`.
    Changes {
        filter: Option<ChangeKind>,
        site: Option<String>,
        page: usize,
    },
    /// Every site of the archive, with links to its changes and feed.
    Sites,
    /// The Atom feed of the archive, or of one site.
    Feed {
        site: Option<String>,
    },
    /// An article's timeline and current text; `path` is its archive path.
    Article {
        path: String,
    },
    ArticleFeed {
        path: String,
    },
    /// The archived text of one version.
    Version {
        path: String,
        number: usize,
    },
    Diff {
        path: String,
        from: usize,
        to: usize,
    },
    /// The bytes fetched for a version, as plain text.
    Raw {
        path: String,
        number: usize,
    },
}

impl Route {
    pub fn front() -> Route {
        Route::Changes {
            filter: None,
            site: None,
            page: 1,
        }
    }

    /// The diff page of the change a version made (from the version before it).
    pub fn change(v: &Version) -> Route {
        Route::Diff {
            path: v.path.clone(),
            from: v.number.saturating_sub(1),
            to: v.number,
        }
    }

    /// The page's path relative to the site root, segments percent-encoded.
    pub fn path(&self) -> String {
        let mut out = String::new();
        let article = |out: &mut String, path: &str| {
            out.push_str("articles");
            for segment in path.split('/') {
                out.push('/');
                out.push_str(&encode(segment));
            }
        };
        match self {
            Route::Style => out.push_str("style.css"),
            Route::Changes {
                filter: None,
                site: None,
                page: 1,
            } => out.push_str("index.html"),
            Route::Changes { filter, site, page } => {
                if let Some(site) = site {
                    let _ = write!(out, "sites/{}/", encode(site));
                } else {
                    out.push_str("changes/");
                }
                let _ = write!(out, "{}/{page}.html", filter_name(*filter));
            }
            Route::Sites => out.push_str("sites/index.html"),
            Route::Feed { site: None } => out.push_str("feed.atom"),
            Route::Feed { site: Some(site) } => {
                let _ = write!(out, "sites/{}/feed.atom", encode(site));
            }
            Route::Article { path } => {
                article(&mut out, path);
                out.push_str("/index.html");
            }
            Route::ArticleFeed { path } => {
                article(&mut out, path);
                out.push_str("/feed.atom");
            }
            Route::Version { path, number } => {
                article(&mut out, path);
                let _ = write!(out, "/v/{number}.html");
            }
            Route::Diff { path, from, to } => {
                article(&mut out, path);
                let _ = write!(out, "/diff/{from}-{to}.html");
            }
            Route::Raw { path, number } => {
                article(&mut out, path);
                let _ = write!(out, "/raw/{number}.txt");
            }
        }
        out
    }

    /// Reads a request path (with or without its leading `/`; a trailing `/` means its
    /// `index.html`). `None` for anything the layout doesn't produce.
    pub fn parse(path: &str) -> Option<Route> {
        let path = path.strip_prefix('/').unwrap_or(path);
        let owned;
        let path = if path.is_empty() || path.ends_with('/') {
            owned = format!("{path}index.html");
            owned.as_str()
        } else {
            path
        };
        let segments: Vec<String> = path
            .split('/')
            .map(|s| {
                percent_decode_str(s)
                    .decode_utf8()
                    .ok()
                    .map(|s| s.into_owned())
            })
            .collect::<Option<_>>()?;
        if !segments.iter().all(|s| is_safe(s)) {
            return None;
        }
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let route = match s.as_slice() {
            ["style.css"] => Some(Route::Style),
            ["index.html"] => Some(Route::front()),
            ["feed.atom"] => Some(Route::Feed { site: None }),
            ["sites", "index.html"] => Some(Route::Sites),
            ["changes", filter, page] => Some(Route::Changes {
                filter: parse_filter(filter)?,
                site: None,
                page: number(page, ".html").filter(|&n| n >= 1)?,
            }),
            ["sites", site, "feed.atom"] => Some(Route::Feed {
                site: Some((*site).to_owned()),
            }),
            ["sites", site, filter, page] => Some(Route::Changes {
                filter: parse_filter(filter)?,
                site: Some((*site).to_owned()),
                page: number(page, ".html").filter(|&n| n >= 1)?,
            }),
            ["articles", rest @ ..] => parse_article(rest),
            _ => None,
        }?;
        // One address per page (`changes/all/1.html` is `index.html`), so that relative links
        // always resolve from where the page really is.
        let canonical = route.path();
        let decoded = percent_decode_str(&canonical).decode_utf8().ok()?;
        (decoded == segments.join("/")).then_some(route)
    }
}

/// The filters of the lists of changes: all changes, then each kind.
pub(crate) fn filters() -> impl Iterator<Item = Option<ChangeKind>> {
    std::iter::once(None).chain(ChangeKind::ALL.map(Some))
}

/// A filter's name, in paths and on pages: `all`, or the kind's name.
pub(crate) fn filter_name(filter: Option<ChangeKind>) -> &'static str {
    filter.map_or("all", ChangeKind::as_str)
}

fn parse_filter(name: &str) -> Option<Option<ChangeKind>> {
    filters().find(|f| filter_name(*f) == name)
}

fn parse_article(s: &[&str]) -> Option<Route> {
    let article = |segments: &[&str]| {
        (segments.len() >= 2 && segments.last()?.ends_with(crate::archive::path::EXTENSION))
            .then(|| segments.join("/"))
    };
    match s {
        [path @ .., "index.html"] => Some(Route::Article {
            path: article(path)?,
        }),
        [path @ .., "feed.atom"] => Some(Route::ArticleFeed {
            path: article(path)?,
        }),
        [path @ .., "v", file] => Some(Route::Version {
            path: article(path)?,
            number: number(file, ".html").filter(|&n| n >= 1)?,
        }),
        [path @ .., "raw", file] => Some(Route::Raw {
            path: article(path)?,
            number: number(file, ".txt").filter(|&n| n >= 1)?,
        }),
        [path @ .., "diff", file] => {
            let (from, to) = file.strip_suffix(".html")?.split_once('-')?;
            let (from, to) = (number(from, "")?, number(to, "")?);
            (from < to).then_some(())?;
            Some(Route::Diff {
                path: article(path)?,
                from,
                to,
            })
        }
        _ => None,
    }
}

/// `12.html` → 12: digits only, no sign, no leading zeros.
fn number(s: &str, suffix: &str) -> Option<usize> {
    let digits = s.strip_suffix(suffix)?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

/// A path segment the archive can produce (see [`crate::archive::path`]): letters, digits and
/// `-_.~`, not starting with a dot.
pub(crate) fn is_safe(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
}

/// Everything but unreserved URL characters is percent-encoded in links.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// The relative link from the page at `from` to `to` (both paths from [`Route::path`]).
pub(crate) fn link(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let mut out = "../".repeat(depth);
    out.push_str(to);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_parses_back() {
        let path = "example.com/新闻/a.html~0123456789abcdef.txt".to_owned();
        let routes = [
            Route::Style,
            Route::front(),
            Route::Changes {
                filter: Some(ChangeKind::Title),
                site: None,
                page: 3,
            },
            Route::Changes {
                filter: None,
                site: Some("example.com".into()),
                page: 1,
            },
            Route::Sites,
            Route::Feed { site: None },
            Route::Feed {
                site: Some("127.0.0.1_8080".into()),
            },
            Route::Article { path: path.clone() },
            Route::ArticleFeed { path: path.clone() },
            Route::Version {
                path: path.clone(),
                number: 2,
            },
            Route::Diff {
                path: path.clone(),
                from: 0,
                to: 1,
            },
            Route::Raw { path, number: 1 },
        ];
        for route in routes {
            let p = route.path();
            assert!(p.is_ascii(), "{p}");
            assert_eq!(Route::parse(&format!("/{p}")), Some(route), "{p}");
        }
        assert_eq!(Route::parse("/"), Some(Route::front()));
    }

    #[test]
    fn paths_outside_the_layout_are_not_pages() {
        for bad in [
            "/../etc/passwd",
            "/articles/../../etc/passwd/index.html",
            "/articles/example.com/%2e%2e/a.txt/index.html",
            "/articles/example.com/a.txt/../index.html",
            "/articles/.git/config.txt/index.html",
            "/articles/example.com/a%2Fb.txt/index.html",
            "/articles/a.txt/index.html",
            "/articles/example.com/a.html/index.html",
            "/changes/all/0.html",
            "/changes/all/01.html",
            "/changes/all/1.html",
            "/changes/sideways/1.html",
            "/articles/example.com/a.txt/diff/3-2.html",
            "/style.css/x",
            "/palimpsest.toml",
            "/.palimpsest/state.db",
            "//etc/passwd",
        ] {
            assert_eq!(Route::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn links_are_relative() {
        assert_eq!(link("index.html", "style.css"), "style.css");
        assert_eq!(
            link("articles/h/a.txt/diff/1-2.html", "style.css"),
            "../../../../style.css"
        );
    }
}
