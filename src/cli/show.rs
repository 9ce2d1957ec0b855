//! `palimpsest show`: the archived text of a version, or the bytes fetched for it and the HTTP
//! exchange that fetched them.

use super::{CliError, Context};
use palimpsest::archive::{format_time, history};
use std::io::Write;

/// Print a version of an article as archived (or, with --raw, the exact bytes fetched)
#[derive(clap::Args)]
pub struct ShowArgs {
    /// The article (URL or local path)
    url: String,

    /// Which version: a number (1 = first), a commit id or a date [default: the latest]
    #[arg(long, value_name = "VERSION")]
    at: Option<String>,

    /// Print the bytes fetched, as they were served
    #[arg(long)]
    raw: bool,

    /// Print the HTTP exchange: each request, redirect, status line and headers (before the
    /// bytes, with --raw)
    #[arg(long)]
    headers: bool,
}

pub fn run(ctx: &Context, args: &ShowArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let url = palimpsest::source::canonical_url(&args.url)?;
    let versions = archive.versions(&url)?;
    let version = match &args.at {
        Some(spec) => history::resolve(&versions, spec)?,
        None => versions.last().ok_or_else(|| {
            CliError::usage(format!("no versions of {url} in the archive"))
                .hint("run `palimpsest snapshot` after `palimpsest add URL`")
        })?,
    };
    if args.headers {
        let capture = archive.capture(version)?.ok_or_else(|| {
            CliError::usage(format!(
                "version {} has no HTTP headers recorded",
                version.number
            ))
            .hint(
                "versions recorded before palimpsest kept them, read from local files or \
                 imported from git have none",
            )
        })?;
        out.write_all(capture.to_text().as_bytes())?;
        if !args.raw || version.is_deletion() {
            return Ok(());
        }
    }
    if version.is_deletion() {
        let hint = match version.number {
            1 => "this version has no text".to_owned(),
            n => format!("see the text before the deletion with `--at {}`", n - 1),
        };
        return Err(CliError::usage(format!(
            "version {} of {url} is its deletion ({})",
            version.number,
            format_time(&version.fetched_at)
        ))
        .hint(hint));
    }
    let bytes = if args.raw {
        archive.raw_bytes(version)?
    } else {
        archive.version_bytes(version)?
    };
    let bytes = bytes.ok_or_else(|| {
        CliError::usage(format!(
            "version {} has no raw bytes recorded",
            version.number
        ))
    })?;
    out.write_all(&bytes)?;
    Ok(())
}
