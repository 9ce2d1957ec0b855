//! The page of the changes between two versions: the title change, the summary, and the
//! changed sentences inline or side by side.

use super::{Html, badges, title_or_untitled, when};
use crate::archive::Version;
use crate::diff::{DiffReport, SentenceChange};
use crate::render::routes::Route;

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
    let from = p.from.map_or(0, |v| v.number);
    let mut h = Html::new(&Route::Diff {
        path: p.path.to_owned(),
        from,
        to: p.to.number,
    });
    let title = title_or_untitled(&p.to.title);
    h.head(title);
    h.raw("<h1>").text(title).raw("</h1>\n<p class=\"meta\">");
    let article = Route::Article {
        path: p.path.to_owned(),
    };
    h.outside_link(p.url)
        .raw(" · ")
        .link(&article, &format!("all {} versions", p.count))
        .raw("</p>\n");
    versions_nav(&mut h, p);
    diff_body(&mut h, p.report);
    h.finish()
}

/// The two versions compared, with links to them and to the previous and next changes.
fn versions_nav(h: &mut Html, p: &DiffPage) {
    let from = p.from.map_or(0, |v| v.number);
    let diff = |from: usize, to: usize| Route::Diff {
        path: p.path.to_owned(),
        from,
        to,
    };
    let version = |v: &Version| Route::Version {
        path: p.path.to_owned(),
        number: v.number,
    };
    h.raw("<nav class=\"versions\">");
    if from >= 1 {
        h.raw("<a rel=\"prev\" class=\"prev\" href=\"")
            .href(&diff(from - 1, from))
            .raw("\">← previous change</a> ");
    }
    h.raw("<span class=\"range\">");
    match p.from {
        Some(v) => {
            h.link(&version(v), &format!("version {}", v.number))
                .raw(" (")
                .text(&when(v))
                .raw(")");
        }
        None => {
            h.raw("nothing");
        }
    }
    h.raw(" → ")
        .link(&version(p.to), &format!("version {}", p.to.number))
        .raw(" (")
        .text(&when(p.to))
        .raw(") ");
    badges(h, p.to);
    h.raw("</span>");
    if p.to.number < p.count {
        h.raw(" <a rel=\"next\" class=\"next\" href=\"")
            .href(&diff(p.to.number, p.to.number + 1))
            .raw("\">next change →</a>");
    }
    h.raw("</nav>\n");
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
    inline_view(h, &report.changes);
    side_view(h, &report.changes);
}

/// The changed sentences in reading order, deletions and insertions in place.
fn inline_view(h: &mut Html, changes: &[SentenceChange]) {
    h.raw("<section id=\"inline\" class=\"view\">\n");
    for change in changes {
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
    h.raw("</section>\n");
}

/// The changed sentences as rows, the old text on the left and the new on the right.
fn side_view(h: &mut Html, changes: &[SentenceChange]) {
    h.raw("<section id=\"side\" class=\"view\"><table class=\"side\"><tbody>\n");
    let mut changes = changes.iter().peekable();
    while let Some(change) = changes.next() {
        match change {
            // A run of deleted sentences and the added ones after it: side by side, row by row.
            SentenceChange::Deleted { text, .. } => {
                let mut deleted = vec![text.as_str()];
                while let Some(SentenceChange::Deleted { text, .. }) =
                    changes.next_if(|c| matches!(c, SentenceChange::Deleted { .. }))
                {
                    deleted.push(text);
                }
                let mut added = Vec::new();
                while let Some(SentenceChange::Added { text, .. }) =
                    changes.next_if(|c| matches!(c, SentenceChange::Added { .. }))
                {
                    added.push(text.as_str());
                }
                replaced_rows(h, &deleted, &added);
            }
            SentenceChange::Added { text, .. } => replaced_rows(h, &[], &[text]),
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

/// Deleted sentences beside the added ones that took their place, one pair a row.
fn replaced_rows(h: &mut Html, deleted: &[&str], added: &[&str]) {
    for row in 0..deleted.len().max(added.len()) {
        let (old, new) = (deleted.get(row), added.get(row));
        h.raw(match (old, new) {
            (Some(_), Some(_)) => "<tr class=\"replaced\"><td class=\"old\">",
            (Some(_), None) => "<tr class=\"deleted\"><td class=\"old\">",
            _ => "<tr class=\"added\"><td class=\"old\">",
        });
        if let Some(old) = old {
            h.raw("<del>").text(old).raw("</del>");
        }
        h.raw("</td><td class=\"new\">");
        if let Some(new) = new {
            h.raw("<ins>").text(new).raw("</ins>");
        }
        h.raw("</td></tr>\n");
    }
}
