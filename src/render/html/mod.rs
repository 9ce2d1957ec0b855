//! The viewer's pages as HTML: lists of changes, an article's timeline, a version, a diff.
//!
//! Archived text is hostile input. Pages are built with [`Html`], whose only way to add markup is
//! [`Html::raw`], which takes `&'static str`: markup is always a literal of this file, and every
//! piece of data (titles, sentences, URLs, dates) goes through [`Html::text`], which escapes it.
//! No page has a script or an inline style or event handler, so the Content-Security-Policy can
//! forbid them all. This stage reads no archive: the pages are built from what
//! [`crate::web`] hands it.

use super::routes::{Route, filter_name, filters, link};
use crate::archive::ChangeKind;
use crate::archive::Version;
use crate::diff::{DiffReport, SentenceChange, Span, SpanKind};
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
}

impl Html {
    fn new(here: &Route) -> Html {
        Html {
            out: String::with_capacity(16 * 1024),
            here: here.path(),
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
            .raw("\"></head>\n<body><header><a class=\"home\" href=\"")
            .href(&Route::front())
            .raw("\">palimpsest</a></header>\n<main>")
    }

    fn finish(mut self) -> String {
        self.raw("</main></body></html>\n");
        self.out
    }
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

/// One page of recorded changes across the archive or one site.
pub struct ChangesPage<'a> {
    pub filter: Option<ChangeKind>,
    pub site: Option<&'a str>,
    pub page: usize,
    /// Newest first, numbered within their articles.
    pub versions: &'a [Version],
    pub has_next: bool,
}

pub fn changes_page(p: &ChangesPage) -> String {
    let here = Route::Changes {
        filter: p.filter,
        site: p.site.map(str::to_owned),
        page: p.page,
    };
    let mut h = Html::new(&here);
    let heading = match p.site {
        Some(site) => format!("Changes on {site}"),
        None => "Latest changes".to_owned(),
    };
    h.head(&heading);
    h.raw("<h1>")
        .text(&heading)
        .raw("</h1>\n<nav class=\"filters\">");
    for filter in filters() {
        let to = Route::Changes {
            filter,
            site: p.site.map(str::to_owned),
            page: 1,
        };
        if filter == p.filter {
            h.raw("<strong>")
                .text(filter_name(filter))
                .raw("</strong> ");
        } else {
            h.link(&to, filter_name(filter)).raw(" ");
        }
    }
    if p.site.is_some() {
        h.raw("· ").link(
            &Route::Changes {
                filter: p.filter,
                site: None,
                page: 1,
            },
            "all sites",
        );
    }
    h.raw("· ").link(&Route::Sites, "by site");
    let feed = Route::Feed {
        site: p.site.map(str::to_owned),
    };
    h.raw(" · <a class=\"feed\" href=\"")
        .href(&feed)
        .raw("\">Atom feed</a></nav>\n");
    if p.versions.is_empty() {
        h.raw("<p class=\"empty\">No changes recorded here.</p>\n");
    } else {
        h.raw("<table class=\"changes\"><thead><tr><th>fetched</th><th>change</th><th>article</th><th>site</th></tr></thead><tbody>\n");
        for v in p.versions {
            h.raw("<tr><td class=\"when\">")
                .text(&when(v))
                .raw("</td><td>");
            badges(&mut h, v);
            h.raw("</td><td class=\"title\">")
                .link(&Route::change(v), title_or_untitled(&v.title))
                .raw(" <span class=\"versions\">(")
                .link(
                    &Route::Article {
                        path: v.path.clone(),
                    },
                    &format!("version {}", v.number),
                )
                .raw(")</span></td><td class=\"site\">");
            let site = site_of(&v.path);
            h.link(
                &Route::Changes {
                    filter: p.filter,
                    site: Some(site.to_owned()),
                    page: 1,
                },
                site,
            );
            h.raw("</td></tr>\n");
        }
        h.raw("</tbody></table>\n");
    }
    h.raw("<nav class=\"pages\">");
    if p.page > 1 {
        let prev = Route::Changes {
            filter: p.filter,
            site: p.site.map(str::to_owned),
            page: p.page - 1,
        };
        h.raw("<a rel=\"prev\" href=\"")
            .href(&prev)
            .raw("\">← newer</a> ");
    }
    h.raw("<span>page ").number(p.page).raw("</span>");
    if p.has_next {
        let next = Route::Changes {
            filter: p.filter,
            site: p.site.map(str::to_owned),
            page: p.page + 1,
        };
        h.raw(" <a rel=\"next\" href=\"")
            .href(&next)
            .raw("\">older →</a>");
    }
    h.raw("</nav>\n");
    h.finish()
}

/// Every site of the archive.
pub fn sites_page(sites: &[String]) -> String {
    let mut h = Html::new(&Route::Sites);
    h.head("Sites");
    h.raw("<h1>Sites</h1>\n<ul class=\"sites\">\n");
    for site in sites {
        h.raw("<li>")
            .link(
                &Route::Changes {
                    filter: None,
                    site: Some(site.clone()),
                    page: 1,
                },
                site,
            )
            .raw(" · <a class=\"feed\" href=\"")
            .href(&Route::Feed {
                site: Some(site.clone()),
            })
            .raw("\">Atom feed</a></li>\n");
    }
    h.raw("</ul>\n");
    h.finish()
}

/// Sentences added and removed by a version, for the timeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delta {
    pub added: usize,
    pub removed: usize,
}

/// An article: its timeline, its current text, links to every version.
pub struct ArticlePage<'a> {
    pub path: &'a str,
    pub url: &'a str,
    /// Oldest first, with what each changed.
    pub versions: &'a [(Version, Delta)],
    /// The text now, or the last text before the article was deleted.
    pub text: Option<&'a Document>,
}

pub fn article_page(p: &ArticlePage) -> String {
    let path = p.path.to_owned();
    let mut h = Html::new(&Route::Article { path: path.clone() });
    let last = p.versions.last().map(|(v, _)| v);
    let title = p
        .text
        .map(|d| d.title.as_str())
        .or(last.map(|v| v.title.as_str()))
        .unwrap_or("");
    h.head(title_or_untitled(title));
    h.raw("<h1>").text(title_or_untitled(title)).raw("</h1>\n");
    h.raw("<p class=\"meta\">").outside_link(p.url).raw(" · ");
    let site = site_of(p.path);
    h.link(
        &Route::Changes {
            filter: None,
            site: Some(site.to_owned()),
            page: 1,
        },
        site,
    );
    h.raw(" · <a class=\"feed\" href=\"")
        .href(&Route::ArticleFeed { path: path.clone() })
        .raw("\">Atom feed</a></p>\n");
    h.raw("<h2>Timeline</h2>\n<table class=\"timeline\"><thead><tr><th>#</th><th>fetched</th><th>change</th><th>sentences</th><th></th></tr></thead><tbody>\n");
    for (v, delta) in p.versions.iter().rev() {
        h.raw("<tr><td>")
            .number(v.number)
            .raw("</td><td class=\"when\">");
        h.text(&when(v)).raw("</td><td>");
        badges(&mut h, v);
        h.raw("</td><td class=\"delta\"><span class=\"plus\">+")
            .number(delta.added)
            .raw("</span> <span class=\"minus\">−")
            .number(delta.removed)
            .raw("</span></td><td class=\"links\">")
            .link(&Route::change(v), "diff")
            .raw(" ");
        if !v.is_deletion() {
            h.link(
                &Route::Version {
                    path: path.clone(),
                    number: v.number,
                },
                "text",
            )
            .raw(" ")
            .link(
                &Route::Raw {
                    path: path.clone(),
                    number: v.number,
                },
                "raw",
            );
        }
        if let Some(last) = last.filter(|l| l.number > v.number + 1) {
            h.raw(" ").link(
                &Route::Diff {
                    path: path.clone(),
                    from: v.number,
                    to: last.number,
                },
                "vs latest",
            );
        }
        h.raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    match (p.text, last.is_some_and(Version::is_deletion)) {
        (Some(doc), true) => {
            h.raw("<h2>Text before its deletion</h2>\n");
            document(&mut h, doc);
        }
        (Some(doc), false) => {
            h.raw("<h2>Current text</h2>\n");
            document(&mut h, doc);
        }
        (None, _) => {
            h.raw("<p class=\"empty\">No text archived.</p>\n");
        }
    }
    h.finish()
}

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

/// The archived text of one version.
pub struct VersionPage<'a> {
    pub version: &'a Version,
    pub count: usize,
    pub document: &'a Document,
}

pub fn version_page(p: &VersionPage) -> String {
    let v = p.version;
    let mut h = Html::new(&Route::Version {
        path: v.path.clone(),
        number: v.number,
    });
    h.head(title_or_untitled(&p.document.title));
    h.raw("<h1>")
        .text(title_or_untitled(&p.document.title))
        .raw("</h1>\n<p class=\"meta\">version ")
        .number(v.number)
        .raw(" of ")
        .link(
            &Route::Article {
                path: v.path.clone(),
            },
            &p.count.to_string(),
        )
        .raw(" · ")
        .text(&when(v))
        .raw(" · ")
        .link(&Route::change(v), "what changed")
        .raw(" · ")
        .link(
            &Route::Raw {
                path: v.path.clone(),
                number: v.number,
            },
            "raw bytes",
        )
        .raw("</p>\n<p class=\"meta\">")
        .outside_link(&p.document.url);
    if let Some(byline) = &p.document.byline {
        h.raw(" · ").text(byline);
    }
    if let Some(published) = &p.document.published {
        h.raw(" · published ").text(published);
    }
    h.raw("</p>\n");
    document(&mut h, p.document);
    h.finish()
}

/// The changes between two versions of an article.
pub struct DiffPage<'a> {
    pub path: &'a str,
    pub url: &'a str,
    /// `None` when comparing with nothing (the first version).
    pub from: Option<&'a Version>,
    pub to: &'a Version,
    /// Versions of the article.
    pub count: usize,
    pub report: &'a DiffReport,
}

pub fn diff_page(p: &DiffPage) -> String {
    let path = p.path.to_owned();
    let from_number = p.from.map_or(0, |v| v.number);
    let mut h = Html::new(&Route::Diff {
        path: path.clone(),
        from: from_number,
        to: p.to.number,
    });
    let title = title_or_untitled(&p.to.title);
    h.head(title);
    h.raw("<h1>").text(title).raw("</h1>\n<p class=\"meta\">");
    h.outside_link(p.url).raw(" · ").link(
        &Route::Article { path: path.clone() },
        &format!("all {} versions", p.count),
    );
    h.raw("</p>\n<nav class=\"versions\">");
    if from_number >= 1 {
        h.raw("<a rel=\"prev\" class=\"prev\" href=\"")
            .href(&Route::Diff {
                path: path.clone(),
                from: from_number - 1,
                to: from_number,
            })
            .raw("\">← previous change</a> ");
    }
    h.raw("<span class=\"range\">");
    match p.from {
        Some(from) => {
            h.link(
                &Route::Version {
                    path: path.clone(),
                    number: from.number,
                },
                &format!("version {}", from.number),
            )
            .raw(" (")
            .text(&when(from))
            .raw(")");
        }
        None => {
            h.raw("nothing");
        }
    }
    h.raw(" → ");
    h.link(
        &Route::Version {
            path: path.clone(),
            number: p.to.number,
        },
        &format!("version {}", p.to.number),
    )
    .raw(" (")
    .text(&when(p.to))
    .raw(") ");
    badges(&mut h, p.to);
    h.raw("</span>");
    if p.to.number < p.count {
        h.raw(" <a rel=\"next\" class=\"next\" href=\"")
            .href(&Route::Diff {
                path: path.clone(),
                from: p.to.number,
                to: p.to.number + 1,
            })
            .raw("\">next change →</a>");
    }
    h.raw("</nav>\n");
    diff_body(&mut h, p.report);
    h.finish()
}

/// The title change, the summary and the two views of a report. The one place that reads
/// [`DiffReport`]'s shape.
fn diff_body(h: &mut Html, report: &DiffReport) {
    if let Some(title) = &report.title {
        h.raw("<section class=\"title-change\"><h2>Title changed</h2><p class=\"old\">");
        h.spans(&title.spans, "del")
            .raw("</p><p class=\"new\">")
            .spans(&title.spans, "ins")
            .raw("</p></section>\n");
    }
    let s = &report.summary;
    h.raw("<p class=\"summary\"><span class=\"plus\">")
        .number(s.added)
        .raw(" added</span> · <span class=\"minus\">")
        .number(s.deleted)
        .raw(" deleted</span> · ")
        .number(s.edited)
        .raw(" edited · ")
        .number(s.moved)
        .raw(" moved sentences");
    if s.minor {
        h.raw(" · <span class=\"kind minor\">minor</span>");
    }
    h.raw("</p>\n");
    if report.changes.is_empty() {
        h.raw("<p class=\"empty\">The body did not change.</p>\n");
        return;
    }
    // Two views, switched by links to fragments and CSS `:target`: no script needed.
    h.raw("<nav class=\"views\"><a href=\"#side\" id=\"show-side\">Side by side</a> <a href=\"#inline\" id=\"show-inline\">Inline</a></nav>\n");
    h.raw("<section id=\"inline\" class=\"view\">\n");
    for change in &report.changes {
        match change {
            SentenceChange::Added { text, .. } => {
                h.raw("<p class=\"added\"><ins>")
                    .text(text)
                    .raw("</ins></p>\n");
            }
            SentenceChange::Deleted { text, .. } => {
                h.raw("<p class=\"deleted\"><del>")
                    .text(text)
                    .raw("</del></p>\n");
            }
            SentenceChange::Edited { spans, .. } => {
                h.raw("<p class=\"edited\">").inline(spans).raw("</p>\n");
            }
            SentenceChange::Moved { spans, .. } => {
                h.raw("<p class=\"moved\"><span class=\"mark\">moved</span> ")
                    .inline(spans)
                    .raw("</p>\n");
            }
        }
    }
    h.raw("</section>\n<section id=\"side\" class=\"view\"><table class=\"side\"><tbody>\n");
    let mut changes = report.changes.iter().peekable();
    while let Some(change) = changes.next() {
        // A run of deleted sentences followed by added ones: side by side, row by row.
        if let SentenceChange::Deleted { .. } = change {
            let mut deleted = vec![change];
            while let Some(next @ SentenceChange::Deleted { .. }) = changes.peek() {
                deleted.push(*next);
                changes.next();
            }
            let mut added = Vec::new();
            while let Some(next @ SentenceChange::Added { .. }) = changes.peek() {
                added.push(*next);
                changes.next();
            }
            for row in 0..deleted.len().max(added.len()) {
                let text = |c: Option<&&SentenceChange>| match c {
                    Some(
                        SentenceChange::Deleted { text, .. } | SentenceChange::Added { text, .. },
                    ) => Some(text.clone()),
                    _ => None,
                };
                let (old, new) = (text(deleted.get(row)), text(added.get(row)));
                h.raw(match (&old, &new) {
                    (Some(_), Some(_)) => "<tr class=\"replaced\"><td class=\"old\">",
                    (Some(_), None) => "<tr class=\"deleted\"><td class=\"old\">",
                    _ => "<tr class=\"added\"><td class=\"old\">",
                });
                if let Some(old) = &old {
                    h.raw("<del>").text(old).raw("</del>");
                }
                h.raw("</td><td class=\"new\">");
                if let Some(new) = &new {
                    h.raw("<ins>").text(new).raw("</ins>");
                }
                h.raw("</td></tr>\n");
            }
            continue;
        }
        match change {
            SentenceChange::Added { text, .. } => {
                h.raw("<tr class=\"added\"><td class=\"old\"></td><td class=\"new\"><ins>")
                    .text(text)
                    .raw("</ins></td></tr>\n");
            }
            SentenceChange::Deleted { text, .. } => {
                h.raw("<tr class=\"deleted\"><td class=\"old\"><del>")
                    .text(text)
                    .raw("</del></td><td class=\"new\"></td></tr>\n");
            }
            SentenceChange::Edited { spans, .. } => {
                h.raw("<tr class=\"edited\"><td class=\"old\">")
                    .spans(spans, "del")
                    .raw("</td><td class=\"new\">")
                    .spans(spans, "ins")
                    .raw("</td></tr>\n");
            }
            SentenceChange::Moved { spans, .. } => {
                h.raw("<tr class=\"moved\"><td class=\"old\"><span class=\"mark\">moved from here</span> ")
                    .spans(spans, "del")
                    .raw("</td><td class=\"new\"><span class=\"mark\">moved here</span> ")
                    .spans(spans, "ins")
                    .raw("</td></tr>\n");
            }
        }
    }
    h.raw("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Location, Summary, TitleChange};

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
