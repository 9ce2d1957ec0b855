//! Feeds and index pages → new article URLs to track.
//!
//! A followed feed is an RSS, Atom or JSON Feed (read by feed-rs: its entries' links), or an HTML
//! index page whose links matching a pattern are articles. Every `snapshot` reads the followed
//! feeds first and tracks the articles they list that are not tracked yet.
//!
//! Feeds and index pages are fetched as articles are: through the run's [`Politeness`]
//! (robots.txt, requests per host and the pause between them), within the fetch limits, and
//! refused before parsing when too large or not text ([`page::check_text`]).

use crate::archive::{Archive, ArchiveError};
use crate::config::FeedSource;
use crate::fetch::polite::{PoliteError, Politeness};
use crate::fetch::{Fetcher, Validators};
use crate::page::{self, PageError};
use crate::source::{self, SourceError};
use regex::Regex;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error(transparent)]
    Url(#[from] SourceError),
    #[error(transparent)]
    Fetch(#[from] PoliteError),
    #[error("HTTP {0} from the server")]
    Status(u16),
    #[error(transparent)]
    Page(#[from] PageError),
    #[error(
        "not a feed, and no `links` pattern to read it as an index page (give its [[feeds]] entry in palimpsest.toml a `links` regex)"
    )]
    NotAFeed(#[source] feed_rs::parser::ParseFeedError),
    #[error("invalid links pattern {pattern:?}")]
    Pattern {
        pattern: String,
        #[source]
        source: regex::Error,
    },
}

/// The article URLs a feed or index page lists, canonical, in its order, without duplicates.
pub fn discover(
    fetcher: &Fetcher,
    politeness: &Politeness,
    feed: &FeedSource,
) -> Result<Vec<Url>, DiscoverError> {
    let base = source::canonical_url(&feed.url)?;
    let pattern = feed
        .links
        .as_deref()
        .map(|p| {
            Regex::new(p).map_err(|source| DiscoverError::Pattern {
                pattern: p.to_owned(),
                source,
            })
        })
        .transpose()?;
    let fetched = politeness.fetch(fetcher, &base, &Validators::default())?;
    if !(200..300).contains(&fetched.status) {
        return Err(DiscoverError::Status(fetched.status));
    }
    page::check_text(&fetched.body)?;
    let links: Vec<String> = match (feed_rs::parser::parse(fetched.body.as_slice()), &pattern) {
        (Ok(parsed), _) => parsed
            .entries
            .iter()
            .filter_map(|e| entry_link(&e.links))
            .collect(),
        (Err(_), Some(pattern)) => {
            let text = crate::decode::decode(&fetched.body, fetched.content_type.as_deref()).text;
            crate::extract::links(&text)
                .map_err(PageError::from)?
                .iter()
                .filter_map(|href| fetched.final_url.join(href).ok())
                .map(String::from)
                .filter(|u| pattern.is_match(u))
                .collect()
        }
        (Err(e), None) => return Err(DiscoverError::NotAFeed(e)),
    };
    let mut seen = std::collections::HashSet::new();
    Ok(links
        .iter()
        .filter(|l| pattern.as_ref().is_none_or(|p| p.is_match(l)))
        .filter_map(|l| source::canonical_url(l).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && seen.insert(u.to_string()))
        .collect())
}

/// An entry's article link: the `alternate` one (Atom), else the first.
fn entry_link(links: &[feed_rs::model::Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| links.first())
        .map(|l| l.href.clone())
}

/// What reading the followed feeds did.
#[derive(Debug, Default)]
pub struct Followed {
    /// URLs tracked for the first time.
    pub tracked: Vec<Url>,
    /// Feeds that could not be read, with why.
    pub failed: Vec<(String, DiscoverError)>,
}

/// Reads every followed feed and tracks the articles not tracked yet (with a `[shard]`, those
/// whose host the shard owns).
pub fn follow_feeds(
    archive: &mut Archive,
    fetcher: &Fetcher,
    politeness: &Politeness,
) -> Result<Followed, ArchiveError> {
    let mut found = Vec::new();
    let mut followed = Followed::default();
    for feed in archive.config().feeds.clone() {
        match discover(fetcher, politeness, &feed) {
            Ok(urls) => found.extend(urls),
            Err(e) => followed.failed.push((feed.url.clone(), e)),
        }
    }
    // A collector tracks its own share: the other collectors follow the same feeds.
    if let Some(shard) = &archive.config().shard {
        found.retain(|url| shard.owns(url));
    }
    if !found.is_empty() {
        followed.tracked = archive.track(&found)?;
    }
    Ok(followed)
}
