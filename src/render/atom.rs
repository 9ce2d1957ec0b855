//! Recorded changes as an Atom feed (RFC 4287): one entry per version, linking to its diff page.
//!
//! Links are relative to the feed's own location (Atom resolves them against the feed
//! document's URI), so the same feed works from the server and from a static host.

use super::html::{change_words, escape_into};
use super::routes::{Route, link};
use crate::archive::{Version, format_time};

/// What a feed is about.
pub struct Feed<'a> {
    /// The feed's own route, which links are relative to.
    pub here: &'a Route,
    pub title: &'a str,
    /// A stable identifier for the feed (a URI).
    pub id: &'a str,
    /// The page the feed follows.
    pub page: &'a Route,
    /// Newest first.
    pub versions: &'a [Version],
}

/// The commit-based id of a version's entry: the same wherever the feed is served.
fn entry_id(v: &Version) -> String {
    format!("urn:palimpsest:commit:{}", v.commit)
}

pub fn render(feed: &Feed) -> String {
    let here = feed.here.path();
    let mut out = String::with_capacity(4096 + feed.versions.len() * 600);
    let text = |out: &mut String, s: &str| escape_into(out, s);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
    text(&mut out, feed.title);
    out.push_str("</title>\n<id>");
    text(&mut out, feed.id);
    out.push_str("</id>\n<updated>");
    // An empty feed was last updated at the epoch: nothing has been recorded.
    let updated = feed.versions.first().map(|v| v.fetched_at);
    text(&mut out, &format_time(&updated.unwrap_or_default()));
    out.push_str("</updated>\n<author><name>palimpsest</name></author>\n<generator>palimpsest</generator>\n<link rel=\"self\" href=\"");
    text(&mut out, &link(&here, &here));
    out.push_str("\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    text(&mut out, &link(&here, &feed.page.path()));
    out.push_str("\"/>\n");
    for v in feed.versions {
        out.push_str("<entry>\n<id>");
        text(&mut out, &entry_id(v));
        out.push_str("</id>\n<title>");
        text(&mut out, &v.subject);
        out.push_str("</title>\n<updated>");
        text(&mut out, &format_time(&v.fetched_at));
        out.push_str("</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
        text(&mut out, &link(&here, &Route::change(v).path()));
        out.push_str("\"/>\n");
        for word in change_words(v).split(", ") {
            out.push_str("<category term=\"");
            text(&mut out, word);
            out.push_str("\"/>\n");
        }
        out.push_str("<summary type=\"text\">");
        text(
            &mut out,
            &format!(
                "{} (version {}, {}): {}",
                v.url,
                v.number,
                change_words(v),
                v.title
            ),
        );
        out.push_str("</summary>\n</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
