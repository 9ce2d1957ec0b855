//! The viewer's pages as HTML: lists of changes ([`lists`]), an article's timeline and a
//! version's text ([`article`]), a diff ([`diff`]).
//!
//! Archived text is hostile input. Pages are built with `Html`, whose only way to add markup is
//! `Html::raw`, which takes `&'static str`: markup is always a literal of this module, and every
//! piece of data (titles, sentences, URLs, dates) goes through `Html::text`, which escapes it.
//! No page has a script or an inline style or event handler, so the Content-Security-Policy can
//! forbid them all. This stage reads no archive: the pages are built from the versions and
//! documents its caller hands it.

mod article;
mod diff;
mod lists;

pub use article::{ArticlePage, Delta, VersionPage, article_page, version_page};
pub use diff::{DiffPage, diff_page};
pub use lists::{ChangesPage, changes_page, sites_page};

use super::routes::{Route, link};
use crate::archive::{ChangeKind, Version};
use crate::diff::{Span, SpanKind};
use crate::normalize::Document;

/// The stylesheet every page links to (`style.css`).
pub const STYLESHEET: &str = include_str!("style.css");

/// The policy pages carry in a `<meta>` tag, for static hosts that send no headers. `file:` lets
/// the stylesheet load from a static site opened from disk.
const META_POLICY: &str = "default-src 'none'; style-src 'self' file:; img-src 'self' file: data:; base-uri 'none'; form-action 'none'";

/// HTML under construction: literal markup, escaped text.
pub struct Html {
    out: String,
    /// This page's path, from which links are made relative.
    here: String,
    /// The Atom feeds this page advertises in its head, with their titles.
    feeds: Vec<(String, Route)>,
}

impl Html {
    fn new(here: &Route) -> Html {
        Html {
            out: String::with_capacity(16 * 1024),
            here: here.path(),
            feeds: feeds_of(here),
        }
    }

    /// Markup: only literals of this file.
    fn raw(&mut self, markup: &'static str) -> &mut Html {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped for element content and quoted attribute values.
    fn text(&mut self, text: &str) -> &mut Html {
        escape_into(&mut self.out, text);
        self
    }

    fn number(&mut self, n: usize) -> &mut Html {
        self.out.push_str(&n.to_string());
        self
    }

    /// A link to another page of the viewer.
    fn link(&mut self, to: &Route, label: &str) -> &mut Html {
        self.raw("<a href=\"")
            .href(to)
            .raw("\">")
            .text(label)
            .raw("</a>")
    }

    /// The relative URL of `to`, escaped, for an `href` being written.
    fn href(&mut self, to: &Route) -> &mut Html {
        let url = link(&self.here, &to.path());
        self.text(&url)
    }

    /// A link to the article's own address, only when it is http(s): an archived
    /// `javascript:` URL is shown, never linked.
    fn outside_link(&mut self, url: &str) -> &mut Html {
        let web = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if web {
            self.raw("<a class=\"source\" rel=\"noreferrer noopener nofollow\" href=\"")
                .text(url)
                .raw("\">")
                .text(url)
                .raw("</a>")
        } else {
            self.raw("<span class=\"source\">").text(url).raw("</span>")
        }
    }

    /// One side of a change: the old side (`"del"`) shows the kept and deleted text, the new
    /// side (`"ins"`) the kept and added text, each change marked.
    fn spans(&mut self, spans: &[Span], mark: &'static str) -> &mut Html {
        let (shown, open, close) = match mark {
            "ins" => (SpanKind::Added, "<ins>", "</ins>"),
            _ => (SpanKind::Deleted, "<del>", "</del>"),
        };
        for span in spans {
            if span.kind == SpanKind::Equal {
                self.text(&span.text);
            } else if span.kind == shown {
                self.raw(open).text(&span.text).raw(close);
            }
        }
        self
    }

    /// Both sides of a change in one run of text, deletions and insertions in place.
    fn inline(&mut self, spans: &[Span]) -> &mut Html {
        for span in spans {
            match span.kind {
                SpanKind::Equal => self.text(&span.text),
                SpanKind::Deleted => self.raw("<del>").text(&span.text).raw("</del>"),
                SpanKind::Added => self.raw("<ins>").text(&span.text).raw("</ins>"),
            };
        }
        self
    }

    fn head(&mut self, title: &str) -> &mut Html {
        self.raw("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">")
            .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"")
            .raw(META_POLICY)
            .raw("\"><meta name=\"referrer\" content=\"no-referrer\">")
            .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .raw("<title>")
            .text(title)
            .raw(" · palimpsest</title><link rel=\"stylesheet\" href=\"")
            .href(&Route::Style)
            .raw("\">");
        // So that feed readers find the feeds from any page.
        for (title, feed) in std::mem::take(&mut self.feeds) {
            self.raw("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"")
                .text(&title)
                .raw("\" href=\"")
                .href(&feed)
                .raw("\">");
        }
        self.raw("</head>\n<body><header><a class=\"home\" href=\"")
            .href(&Route::front())
            .raw("\">palimpsest</a></header>\n<main>")
    }

    fn finish(mut self) -> String {
        self.raw("</main></body></html>\n");
        self.out
    }
}

/// The feeds a page advertises: its article's or site's, and the archive's.
fn feeds_of(page: &Route) -> Vec<(String, Route)> {
    let mut feeds = Vec::new();
    match page {
        Route::Article { path }
        | Route::Version { path, .. }
        | Route::Diff { path, .. }
        | Route::Raw { path, .. } => feeds.push((
            "Changes to this article".to_owned(),
            Route::ArticleFeed { path: path.clone() },
        )),
        Route::Changes {
            site: Some(site), ..
        } => feeds.push((
            format!("Changes on {site}"),
            Route::Feed {
                site: Some(site.clone()),
            },
        )),
        _ => {}
    }
    feeds.push(("All changes".to_owned(), Route::Feed { site: None }));
    feeds
}

/// Escapes `&<>"'`; drops characters that HTML and XML forbid (controls other than tab and
/// line breaks, noncharacters).
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
}

/// The changes of a version, as words: `title, body, minor`.
pub fn change_words(v: &Version) -> String {
    let mut words: Vec<&str> = v.changes.iter().map(ChangeKind::as_str).collect();
    if v.reverts.is_some() {
        words.push("revert");
    }
    words.join(", ")
}

/// `2026-03-14T08:00:00Z` → `2026-03-14 08:00 UTC`.
fn when(v: &Version) -> String {
    v.fetched_at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn site_of(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

fn title_or_untitled(title: &str) -> &str {
    if title.is_empty() {
        "(untitled)"
    } else {
        title
    }
}

fn badges(h: &mut Html, v: &Version) {
    h.raw("<span class=\"kinds\">");
    for kind in v.changes.iter() {
        h.raw("<span class=\"kind ").text(kind.as_str()).raw("\">");
        h.text(kind.as_str()).raw("</span> ");
    }
    if v.reverts.is_some() {
        h.raw("<span class=\"kind revert\">revert</span> ");
    }
    h.raw("</span>");
}

/// The paragraphs of a text, one sentence a line.
fn document(h: &mut Html, doc: &Document) {
    h.raw("<article class=\"text\">\n");
    for paragraph in &doc.paragraphs {
        h.raw("<p>");
        for (i, sentence) in paragraph.iter().enumerate() {
            if i > 0 {
                h.raw("<br>");
            }
            h.text(sentence);
        }
        h.raw("</p>\n");
    }
    h.raw("</article>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffReport, Location, SentenceChange, Summary, TitleChange};

    fn version(number: usize, title: &str) -> Version {
        Version {
            number,
            commit: git2::Oid::from_str(&format!("{number:040}")).unwrap(),
            path: "example.com/a.html.txt".into(),
            url: "javascript:alert(1)".into(),
            changes: ChangeKind::Body.into(),
            reverts: None,
            title: title.into(),
            subject: String::new(),
            summary: None,
            content_hash: None,
            source_hash: None,
            blob: None,
            state_hash: None,
            fetched_at: "2026-03-14T08:00:00Z".parse().unwrap(),
            http_status: 200,
            imported_from: None,
        }
    }

    fn span(text: &str, kind: SpanKind) -> Span {
        Span {
            text: text.into(),
            kind,
        }
    }

    #[test]
    fn archived_text_is_escaped_everywhere() {
        let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
        let v = version(2, evil);
        let doc = Document {
            url: "javascript:alert(3)".into(),
            title: evil.into(),
            byline: Some(evil.into()),
            published: None,
            paragraphs: vec![vec![evil.into()]],
        };
        let report = DiffReport {
            title: Some(TitleChange {
                old: evil.into(),
                new: evil.into(),
                spans: vec![span(evil, SpanKind::Deleted), span(evil, SpanKind::Added)],
                minor: false,
            }),
            changes: vec![
                SentenceChange::Added {
                    new: Location {
                        index: 0,
                        paragraph: 0,
                    },
                    text: evil.into(),
                },
                SentenceChange::Edited {
                    old: Location {
                        index: 0,
                        paragraph: 0,
                    },
                    new: Location {
                        index: 0,
                        paragraph: 0,
                    },
                    spans: vec![
                        span(evil, SpanKind::Equal),
                        span(evil, SpanKind::Deleted),
                        span(evil, SpanKind::Added),
                    ],
                    minor: false,
                },
            ],
            paragraph_breaks_changed: false,
            summary: Summary::default(),
        };
        let pages = [
            changes_page(&ChangesPage {
                filter: None,
                site: None,
                page: 1,
                versions: std::slice::from_ref(&v),
                has_next: false,
            }),
            article_page(&ArticlePage {
                path: &v.path,
                url: &v.url,
                versions: &[(v.clone(), Delta::default())],
                text: Some(&doc),
            }),
            version_page(&VersionPage {
                version: &v,
                count: 2,
                document: &doc,
            }),
            diff_page(&DiffPage {
                path: &v.path,
                url: &v.url,
                from: None,
                to: &v,
                count: 2,
                report: &report,
            }),
        ];
        for page in pages {
            assert!(
                page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{page}"
            );
            // Parsed as a browser would: no live script, image, handler or javascript: link.
            let dom = scraper::Html::parse_document(&page);
            for element in dom
                .root_element()
                .descendants()
                .filter_map(scraper::ElementRef::wrap)
            {
                let el = element.value();
                assert!(
                    !matches!(el.name(), "script" | "img" | "iframe" | "object"),
                    "{page}"
                );
                for (name, value) in el.attrs() {
                    assert!(!name.starts_with("on"), "{name} in {page}");
                    assert!(
                        !value.trim_start().to_lowercase().starts_with("javascript:"),
                        "{page}"
                    );
                }
            }
        }
    }

    #[test]
    fn both_views_put_edits_in_place() {
        let spans = [
            span("大", SpanKind::Equal),
            span("势", SpanKind::Deleted),
            span("肆", SpanKind::Added),
            span("所趋", SpanKind::Equal),
        ];
        let mut h = Html::new(&Route::front());
        h.inline(&spans);
        assert_eq!(h.out, "大<del>势</del><ins>肆</ins>所趋");
        let mut h = Html::new(&Route::front());
        h.spans(&spans, "del").raw("|").spans(&spans, "ins");
        assert_eq!(h.out, "大<del>势</del>所趋|大<ins>肆</ins>所趋");
    }
}
