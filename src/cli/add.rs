//! `palimpsest add`: track articles, or follow a feed of them.

use super::{CliError, Context, canonical_urls};
use palimpsest::config::FeedSource;
use std::io::Write;

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
    let added = archive.track(&urls)?;
    for url in &urls {
        let verb = if added.contains(url) {
            "Tracking"
        } else {
            "Already tracked"
        };
        writeln!(out, "{verb}: {url}")?;
    }
    Ok(())
}
