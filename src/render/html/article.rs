//! An article's page (its timeline and its text) and the page of one version's text.

use super::{Html, badges, document, site_of, title_or_untitled, when};
use crate::archive::Version;
use crate::normalize::Document;
use crate::render::routes::Route;

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
        timeline_row(&mut h, v, delta, last.map_or(0, |l| l.number));
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

/// One version in the timeline: number, date, kinds, sentences added and removed, and links
/// to its diff, its text and raw bytes, and a diff to the latest version (`latest`).
fn timeline_row(h: &mut Html, v: &Version, delta: &Delta, latest: usize) {
    h.raw("<tr><td>")
        .number(v.number)
        .raw("</td><td class=\"when\">");
    h.text(&when(v)).raw("</td><td>");
    badges(h, v);
    h.raw("</td><td class=\"delta\"><span class=\"plus\">+")
        .number(delta.added)
        .raw("</span> <span class=\"minus\">−")
        .number(delta.removed)
        .raw("</span></td><td class=\"links\">")
        .link(&Route::change(v), "diff")
        .raw(" ");
    let (path, number) = (&v.path, v.number);
    if !v.is_deletion() {
        let text = Route::Version {
            path: path.clone(),
            number,
        };
        let raw = Route::Raw {
            path: path.clone(),
            number,
        };
        h.link(&text, "text").raw(" ").link(&raw, "raw");
    }
    if latest > number + 1 {
        let to_latest = Route::Diff {
            path: path.clone(),
            from: number,
            to: latest,
        };
        h.raw(" ").link(&to_latest, "vs latest");
    }
    h.raw("</td></tr>\n");
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
