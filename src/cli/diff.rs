//! `palimpsest diff`: what changed between two versions of an article.

use super::{CliError, Context};
use palimpsest::archive::{Archive, Version, format_time, history};
use palimpsest::normalize::Document;
use palimpsest::{diff, render};
use std::io::Write;

/// Show what changed between two versions [default: the latest change]
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The article (URL or local path)
    url: String,

    /// The older version: a number (1 = first), a commit id or a date
    from: Option<String>,

    /// The newer version [default: the latest]
    to: Option<String>,

    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Title change, then changed sentences with changed characters or words marked
    Human,
    /// A unified diff of the archived files
    Unified,
    /// The changes as JSON
    Json,
}

pub fn run(ctx: &Context, args: &DiffArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let url = palimpsest::source::canonical_url(&args.url)?;
    let versions = archive.versions(&url)?;
    let Some(last) = versions.last() else {
        return Err(
            CliError::usage(format!("no versions of {url} in the archive"))
                .hint("run `palimpsest snapshot` after `palimpsest add URL`"),
        );
    };
    let to = match &args.to {
        Some(spec) => history::resolve(&versions, spec)?,
        None => last,
    };
    let from = match &args.from {
        Some(spec) => Some(history::resolve(&versions, spec)?),
        None => to.number.checked_sub(2).map(|i| &versions[i]),
    };
    let old = bytes(&archive, from)?;
    let new = bytes(&archive, Some(to))?;
    match args.format {
        DiffFormat::Unified => {
            write!(out, "{}", render::unified::render(&old, &new, &to.path))?;
        }
        DiffFormat::Json => {
            let report = diff::compare(&Document::parse(&old), &Document::parse(&new));
            writeln!(out, "{}", render::json::render(&report))?;
        }
        DiffFormat::Human => {
            let report = diff::compare(&Document::parse(&old), &Document::parse(&new));
            let from_label = from.map_or("nothing".to_owned(), |v| {
                format!("version {} ({})", v.number, format_time(&v.fetched_at))
            });
            writeln!(
                out,
                "{url}: {from_label} -> version {} ({})",
                to.number,
                format_time(&to.fetched_at)
            )?;
            write!(out, "{}", render::terminal::render(&report, ctx.color))?;
        }
    }
    Ok(())
}

/// The archived bytes of a version; empty for none or for a deletion.
fn bytes(archive: &Archive, version: Option<&Version>) -> Result<Vec<u8>, CliError> {
    Ok(match version {
        Some(v) => archive.version_bytes(v)?.unwrap_or_default(),
        None => Vec::new(),
    })
}
