//! `palimpsest add`: track articles.

use super::{CliError, Context, canonical_urls};
use std::io::Write;

/// Track articles: every later `snapshot` checks them
#[derive(clap::Args)]
pub struct AddArgs {
    /// Article URLs (http, https, file) or local paths
    #[arg(required = true, value_name = "URL")]
    urls: Vec<String>,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

pub fn run(ctx: &Context, args: &AddArgs, out: &mut dyn Write) -> Result<(), CliError> {
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
