//! `palimpsest add`: track articles, or follow a feed of them.

use super::{CliError, Context, canonical_urls};
use palimpsest::config::FeedSource;
use palimpsest::shard::{Owner, Shard};
use std::io::Write;
use url::Url;

/// Track articles (every later `snapshot` checks them), or follow a feed or index page
#[derive(clap::Args)]
pub struct AddArgs {
    /// Article URLs (http, https, file) or local paths
    #[arg(value_name = "URL", required_unless_present = "feed")]
    urls: Vec<String>,

    /// Follow an RSS, Atom or JSON feed, or an HTML index page (with --links): every
    /// `snapshot` tracks the new articles it lists
    #[arg(long, value_name = "URL", conflicts_with = "urls")]
    feed: Option<String>,

    /// Which links of the feed or index page are articles: a regular expression on absolute URLs
    #[arg(long, value_name = "REGEX", requires = "feed")]
    links: Option<String>,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

pub fn run(ctx: &Context, args: &AddArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(feed) = &args.feed {
        let url = palimpsest::source::canonical_url(feed)?;
        if let Some(pattern) = &args.links {
            regex::Regex::new(pattern).map_err(|e| {
                CliError::usage(format!(
                    "--links {pattern:?} is not a valid regular expression"
                ))
                .caused_by(&e)
            })?;
        }
        let mut archive = ctx.open_for_writing(args.wait)?;
        let source = FeedSource {
            url: url.to_string(),
            links: args.links.clone(),
        };
        let verb = if archive.follow(&source)? {
            "Following"
        } else {
            "Already following"
        };
        writeln!(out, "{verb}: {url}")?;
        return Ok(());
    }
    let urls = canonical_urls(&args.urls)?;
    let mut archive = ctx.open_for_writing(args.wait)?;
    let (urls, others) = owned(archive.config().shard.as_ref(), urls);
    let added = archive.track(&urls)?;
    for url in &urls {
        let verb = if added.contains(url) {
            "Tracking"
        } else {
            "Already tracked"
        };
        writeln!(out, "{verb}: {url}")?;
    }
    others_refused(&others, "tracked")
}

/// `urls` split into those this archive checks (all of them without a `[shard]`) and those
/// another shard owns, each with the line that says which.
pub(super) fn owned(shard: Option<&Shard>, urls: Vec<Url>) -> (Vec<Url>, Vec<String>) {
    let Some(shard) = shard else {
        return (urls, Vec::new());
    };
    let mut others = Vec::new();
    let mut mine = Vec::new();
    for url in urls {
        let host = url.host_str().unwrap_or_default().to_owned();
        let why = match shard.owner(&url) {
            Owner::This => {
                mine.push(url);
                continue;
            }
            Owner::Index { index, of } => {
                format!("host {host} belongs to share {index} of {of}; this archive is {shard}")
            }
            Owner::Unlisted => format!("host {host} is not in the hosts of {shard}"),
        };
        others.push(format!("Error: {url}: another collector's article: {why}"));
    }
    (mine, others)
}

/// Reports the URLs of other shards, and fails if there are any.
pub(super) fn others_refused(others: &[String], done: &str) -> Result<(), CliError> {
    for line in others {
        eprintln!("{line}");
    }
    if others.is_empty() {
        return Ok(());
    }
    let what = match others.len() {
        1 => "1 URL is another collector's and was".to_owned(),
        n => format!("{n} URLs are other collectors' and were"),
    };
    Err(CliError::partial(format!("{what} not {done}"))
        .hint("add them on the collectors that own their hosts"))
}
