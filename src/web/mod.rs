//! The web viewer's stage that reads the archive: a [`Route`] → a [`Page`], straight from git and
//! the archive's index, with no other store of content. [`serve`] answers HTTP requests with
//! these pages; [`site`] writes them all as a static site.

pub mod serve;
pub mod site;

use crate::archive::state::Filter;
use crate::archive::{Archive, ArchiveError, Changes, Version};
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
    let state = archive.state();
    Ok(match route {
        Route::Style => Some(Page {
            content_type: "text/css; charset=utf-8",
            body: html::STYLESHEET.as_bytes().to_vec(),
        }),
        Route::Changes { filter, site, page } => {
            let filter_sql = Filter {
                changes: filter.map(Changes::only).unwrap_or_default(),
                site: site.as_deref(),
            };
            let mut versions =
                state.recent_page(&filter_sql, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)?;
            let has_next = versions.len() > PAGE_SIZE;
            versions.truncate(PAGE_SIZE);
            if versions.is_empty() && *page > 1 {
                return Ok(None);
            }
            Some(Page::html(html::changes_page(&html::ChangesPage {
                filter: *filter,
                site: site.as_deref(),
                page: *page,
                versions: &versions,
                has_next,
            })))
        }
        Route::Sites => Some(Page::html(html::sites_page(&state.sites()?))),
        Route::Feed { site } => {
            let filter = Filter {
                site: site.as_deref(),
                ..Filter::default()
            };
            let versions = state.recent_page(&filter, 0, FEED_SIZE)?;
            let title = match site {
                Some(site) => format!("palimpsest: changes on {site}"),
                None => "palimpsest: latest changes".to_owned(),
            };
            let id = match site {
                Some(site) => format!("urn:palimpsest:site:{site}"),
                None => "urn:palimpsest:archive".to_owned(),
            };
            let page = Route::Changes {
                filter: None,
                site: site.clone(),
                page: 1,
            };
            Some(feed(&Feed {
                here: route,
                title: &title,
                id: &id,
                page: &page,
                versions: &versions,
            }))
        }
        Route::Article { path } => {
            let versions = state.versions(path)?;
            if versions.is_empty() {
                return Ok(None);
            }
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
            let url = timeline
                .last()
                .map(|(v, _)| v.url.clone())
                .unwrap_or_default();
            Some(Page::html(html::article_page(&html::ArticlePage {
                path,
                url: &url,
                versions: &timeline,
                text: text.as_ref(),
            })))
        }
        Route::ArticleFeed { path } => {
            let versions = state.versions(path)?;
            let Some(last) = versions.last() else {
                return Ok(None);
            };
            let title = format!("palimpsest: {}", last.url);
            let id = format!("urn:palimpsest:article:{path}");
            let newest: Vec<Version> = versions.iter().rev().take(FEED_SIZE).cloned().collect();
            Some(feed(&Feed {
                here: route,
                title: &title,
                id: &id,
                page: &Route::Article { path: path.clone() },
                versions: &newest,
            }))
        }
        Route::Version { path, number } => {
            let versions = state.versions(path)?;
            let Some(v) = number.checked_sub(1).and_then(|i| versions.get(i)) else {
                return Ok(None);
            };
            let Some(doc) = document(archive, v)? else {
                return Ok(None);
            };
            Some(Page::html(html::version_page(&html::VersionPage {
                version: v,
                count: versions.len(),
                document: &doc,
            })))
        }
        Route::Diff { path, from, to } => {
            let versions = state.versions(path)?;
            let Some(new) = to.checked_sub(1).and_then(|i| versions.get(i)) else {
                return Ok(None);
            };
            let old = from.checked_sub(1).and_then(|i| versions.get(i));
            let read = |v: Option<&Version>| -> Result<Document, ArchiveError> {
                Ok(match v {
                    Some(v) => document(archive, v)?.unwrap_or_default(),
                    None => Document::default(),
                })
            };
            let report = crate::diff::compare(&read(old)?, &read(Some(new))?);
            Some(Page::html(html::diff_page(&html::DiffPage {
                path,
                url: &new.url,
                from: old,
                to: new,
                count: versions.len(),
                report: &report,
            })))
        }
        Route::Raw { path, number } => {
            let versions = state.versions(path)?;
            let Some(v) = number.checked_sub(1).and_then(|i| versions.get(i)) else {
                return Ok(None);
            };
            let Some(bytes) = archive.raw_bytes(v)? else {
                return Ok(None);
            };
            // The page as text in its own charset, with a byte-order mark so that a static
            // copy opened from disk is read as UTF-8 too.
            let mut body = "\u{FEFF}".to_owned();
            body.push_str(&crate::decode::decode(&bytes, None).text);
            Some(Page {
                content_type: "text/plain; charset=utf-8",
                body: body.into_bytes(),
            })
        }
    })
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
