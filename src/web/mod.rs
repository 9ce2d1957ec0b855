//! The web viewer's stage that reads the archive: a [`Route`] → a [`Page`], straight from git and
//! the archive's index, with no other store of content. [`serve`] answers HTTP requests with
//! these pages; [`site`] writes them all as a static site.

pub mod serve;
pub mod site;

use crate::archive::state::Filter;
use crate::archive::{Archive, ArchiveError, ChangeKind, Changes, Version};
use crate::normalize::Document;
use crate::render::atom::{self, Feed};
use crate::render::html::{self, Delta};
use crate::render::routes::{PAGE_SIZE, Route};
use std::collections::HashMap;

/// Entries in a feed.
const FEED_SIZE: usize = 50;

/// A rendered page and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Page {
    fn html(body: String) -> Page {
        Page {
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
        }
    }
}

/// Renders the page at `route`; `None` when the archive has no such page (an unknown article,
/// a version past the last, a page of changes past the end).
pub fn page(archive: &Archive, route: &Route) -> Result<Option<Page>, ArchiveError> {
    Ok(match route {
        Route::Style => Some(Page {
            content_type: "text/css; charset=utf-8",
            body: html::STYLESHEET.as_bytes().to_vec(),
        }),
        Route::Changes { filter, site, page } => {
            changes(archive, *filter, site.as_deref(), *page)?.map(Page::html)
        }
        Route::Sites => Some(Page::html(html::sites_page(&archive.state().sites()?))),
        Route::Feed { site } => Some(changes_feed(archive, route, site.as_deref())?),
        Route::Article { path } => article(archive, path)?.map(Page::html),
        Route::ArticleFeed { path } => article_feed(archive, route, path)?,
        Route::Version { path, number } => version(archive, path, *number)?.map(Page::html),
        Route::Diff { path, from, to } => diff(archive, path, *from, *to)?.map(Page::html),
        Route::Raw { path, number } => raw(archive, path, *number)?,
    })
}

/// A page of the changes of one kind (or all), on one site (or all).
fn changes(
    archive: &Archive,
    filter: Option<ChangeKind>,
    site: Option<&str>,
    page: usize,
) -> Result<Option<String>, ArchiveError> {
    let query = Filter {
        changes: filter.map(Changes::only).unwrap_or_default(),
        site,
    };
    let mut versions =
        archive
            .state()
            .recent_page(&query, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)?;
    let has_next = versions.len() > PAGE_SIZE;
    versions.truncate(PAGE_SIZE);
    if versions.is_empty() && page > 1 {
        return Ok(None);
    }
    Ok(Some(html::changes_page(&html::ChangesPage {
        filter,
        site,
        page,
        versions: &versions,
        has_next,
    })))
}

/// The feed of the latest changes, on one site or all.
fn changes_feed(archive: &Archive, here: &Route, site: Option<&str>) -> Result<Page, ArchiveError> {
    let filter = Filter {
        site,
        ..Filter::default()
    };
    let versions = archive.state().recent_page(&filter, 0, FEED_SIZE)?;
    let (title, id) = match site {
        Some(site) => (
            format!("palimpsest: changes on {site}"),
            format!("urn:palimpsest:site:{site}"),
        ),
        None => (
            "palimpsest: latest changes".to_owned(),
            "urn:palimpsest:archive".to_owned(),
        ),
    };
    let page = Route::Changes {
        filter: None,
        site: site.map(str::to_owned),
        page: 1,
    };
    Ok(feed(&Feed {
        here,
        title: &title,
        id: &id,
        page: &page,
        versions: &versions,
    }))
}

/// An article's timeline, with what each version added and removed, and its last text.
fn article(archive: &Archive, path: &str) -> Result<Option<String>, ArchiveError> {
    let versions = archive.state().versions(path)?;
    let Some(last) = versions.last() else {
        return Ok(None);
    };
    let url = last.url.clone();
    let mut timeline = Vec::with_capacity(versions.len());
    let mut previous = Document::default();
    let mut text = None;
    for v in versions {
        let doc = document(archive, &v)?;
        let delta = delta(&previous, doc.as_ref().unwrap_or(&Document::default()));
        if let Some(doc) = doc {
            previous = doc.clone();
            text = Some(doc);
        } else {
            previous = Document::default();
        }
        timeline.push((v, delta));
    }
    Ok(Some(html::article_page(&html::ArticlePage {
        path,
        url: &url,
        versions: &timeline,
        text: text.as_ref(),
    })))
}

/// The feed of an article's versions.
fn article_feed(archive: &Archive, here: &Route, path: &str) -> Result<Option<Page>, ArchiveError> {
    let versions = archive.state().versions(path)?;
    let Some(last) = versions.last() else {
        return Ok(None);
    };
    let title = format!("palimpsest: {}", last.url);
    let id = format!("urn:palimpsest:article:{path}");
    let newest: Vec<Version> = versions.iter().rev().take(FEED_SIZE).cloned().collect();
    Ok(Some(feed(&Feed {
        here,
        title: &title,
        id: &id,
        page: &Route::Article {
            path: path.to_owned(),
        },
        versions: &newest,
    })))
}

/// The archived text of version `number` (1 is the first); `None` for a deletion.
fn version(archive: &Archive, path: &str, number: usize) -> Result<Option<String>, ArchiveError> {
    let versions = archive.state().versions(path)?;
    let Some(v) = nth(&versions, number) else {
        return Ok(None);
    };
    let Some(doc) = document(archive, v)? else {
        return Ok(None);
    };
    Ok(Some(html::version_page(&html::VersionPage {
        version: v,
        count: versions.len(),
        document: &doc,
    })))
}

/// What changed from version `from` (0: nothing) to version `to`.
fn diff(
    archive: &Archive,
    path: &str,
    from: usize,
    to: usize,
) -> Result<Option<String>, ArchiveError> {
    let versions = archive.state().versions(path)?;
    let Some(new) = nth(&versions, to) else {
        return Ok(None);
    };
    let old = nth(&versions, from);
    let text = |v: Option<&Version>| -> Result<Document, ArchiveError> {
        Ok(match v {
            Some(v) => document(archive, v)?.unwrap_or_default(),
            None => Document::default(),
        })
    };
    let report = crate::diff::compare(&text(old)?, &text(Some(new))?);
    Ok(Some(html::diff_page(&html::DiffPage {
        path,
        url: &new.url,
        from: old,
        to: new,
        count: versions.len(),
        report: &report,
    })))
}

/// The bytes fetched for version `number`, as text.
fn raw(archive: &Archive, path: &str, number: usize) -> Result<Option<Page>, ArchiveError> {
    let versions = archive.state().versions(path)?;
    let Some(v) = nth(&versions, number) else {
        return Ok(None);
    };
    let Some(bytes) = archive.raw_bytes(v)? else {
        return Ok(None);
    };
    // The page as text in its own charset, with a byte-order mark so that a static copy opened
    // from disk is read as UTF-8 too.
    let mut body = "\u{FEFF}".to_owned();
    body.push_str(&crate::decode::decode(&bytes, None).text);
    Ok(Some(Page {
        content_type: "text/plain; charset=utf-8",
        body: body.into_bytes(),
    }))
}

/// Version `number` of `versions`, counting from 1.
fn nth(versions: &[Version], number: usize) -> Option<&Version> {
    number.checked_sub(1).and_then(|i| versions.get(i))
}

fn feed(feed: &Feed) -> Page {
    Page {
        content_type: "application/atom+xml; charset=utf-8",
        body: atom::render(feed).into_bytes(),
    }
}

/// A version's archived text; `None` for a deletion.
fn document(archive: &Archive, v: &Version) -> Result<Option<Document>, ArchiveError> {
    Ok(archive.version_bytes(v)?.map(|b| Document::parse(&b)))
}

/// Sentences of `new` that `old` lacks, and the reverse, counted with repeats. Cheaper than a
/// diff, which the timeline would need once per version.
fn delta(old: &Document, new: &Document) -> Delta {
    let mut counts: HashMap<&str, isize> = HashMap::new();
    for s in new.sentences() {
        *counts.entry(s).or_default() += 1;
    }
    for s in old.sentences() {
        *counts.entry(s).or_default() -= 1;
    }
    let mut d = Delta::default();
    for n in counts.values() {
        if *n > 0 {
            d.added += n.unsigned_abs();
        } else {
            d.removed += n.unsigned_abs();
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_counts_sentences_with_repeats() {
        let doc = |s: &[&str]| Document {
            paragraphs: vec![s.iter().map(|s| s.to_string()).collect()],
            ..Document::default()
        };
        assert_eq!(
            delta(&doc(&["a", "b", "b"]), &doc(&["b", "c", "d"])),
            Delta {
                added: 2,
                removed: 2
            }
        );
        assert_eq!(delta(&doc(&["a"]), &doc(&["a"])), Delta::default());
    }
}
