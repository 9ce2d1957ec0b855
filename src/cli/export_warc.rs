//! `palimpsest export-warc`: the archive's captures as a WARC file.

use super::{CliError, Context, canonical_urls};
use chrono::{DateTime, NaiveDate, Utc};
use palimpsest::warc::export::{self, ExportError, Selection};
use std::io::Write;
use std::path::PathBuf;

/// Write the archive's captures as a WARC/1.1 file that web archive tools read
#[derive(clap::Args)]
pub struct ExportWarcArgs {
    /// Export only these articles (URLs or local paths) [default: every article]
    #[arg(value_name = "URL")]
    urls: Vec<String>,

    /// Export only versions fetched at or after this date (YYYY-MM-DD, UTC, or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    since: Option<DateTime<Utc>>,

    /// Write to this file (gzip-compressed, one member per record) [default: standard output]
    #[arg(long, short, value_name = "FILE.warc.gz")]
    output: Option<PathBuf>,
}

fn parse_date(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD or RFC 3339)"))
}

pub fn run(ctx: &Context, args: &ExportWarcArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let selection = Selection {
        urls: canonical_urls(&args.urls)?,
        since: args.since,
    };
    let stats = match &args.output {
        Some(path) => {
            // Written beside the target and renamed, so that a failed export leaves no half
            // file under the name asked for.
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial).map_err(|e| {
                CliError::usage(format!("could not create {}: {e}", partial.display()))
            })?;
            let stats = export::export(
                &archive,
                &selection,
                std::io::BufWriter::with_capacity(1 << 20, file),
            );
            let stats = match stats {
                Ok(stats) => stats,
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(export_error(e));
                }
            };
            std::fs::rename(&partial, path)
                .map_err(|e| CliError::usage(format!("could not write {}: {e}", path.display())))?;
            stats
        }
        None => export::export(&archive, &selection, std::io::BufWriter::new(&mut *out))
            .map_err(export_error)?,
    };
    eprintln!(
        "Exported {} captures: {} responses, {} requests, {} resources, {} metadata records.",
        stats.captures, stats.responses, stats.requests, stats.resources, stats.metadata
    );
    Ok(())
}

fn export_error(e: ExportError) -> CliError {
    match e {
        ExportError::Archive(e) => e.into(),
        ExportError::Write(io) => io.into(),
    }
}
