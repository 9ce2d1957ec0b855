//! `palimpsest import-warc`: replay the captures of WARC files as versions.

use super::{CliError, Context, Kind};
use palimpsest::archive::Recorded;
use palimpsest::warc::import::{self, WarcImportError};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Replay the HTML captures of WARC files (wget --warc-file, Browsertrix, Heritrix) as versions
#[derive(clap::Args)]
pub struct ImportWarcArgs {
    /// The WARC files (.warc or .warc.gz)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Print a JSON summary
    #[arg(long)]
    json: bool,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

#[derive(serde::Serialize)]
struct Summary {
    files: usize,
    unchanged_files: usize,
    records: usize,
    captures: usize,
    older: usize,
    skipped: usize,
    recorded: usize,
    changes: BTreeMap<&'static str, usize>,
}

pub fn run(ctx: &Context, args: &ImportWarcArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut archive = ctx.open_for_writing(args.wait)?;
    super::notify::prepare(&mut archive)?;
    let mut changes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut on_recorded = |r: &Recorded| {
        for c in r.changes.iter() {
            *changes.entry(c.as_str()).or_default() += 1;
        }
    };
    let imported = import::import_warc(&mut archive, &args.files, &mut on_recorded);
    // What was recorded before a failure is published: its notifications go all the same.
    let delivered = super::notify::deliver(&mut archive);
    let stats = imported.map_err(import_error)?;
    delivered?;
    for (what, why) in &stats.skipped {
        eprintln!("Skipped {what}: {why}");
    }
    for (file, why) in &stats.damaged {
        eprintln!("Error: {file}: {why}");
    }
    if args.json {
        let summary = Summary {
            files: stats.files,
            unchanged_files: stats.unchanged_files,
            records: stats.records,
            captures: stats.captures,
            older: stats.older,
            skipped: stats.skipped.len(),
            recorded: stats.recorded,
            changes,
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string(&summary).expect("summary serializes")
        )?;
    } else {
        let kinds: Vec<String> = changes.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(
            out,
            "Imported {} WARC files ({} already imported): {} records, {} captures replayed \
             ({} older than the archive, {} not articles): {} versions recorded{}",
            stats.files,
            stats.unchanged_files,
            stats.records,
            stats.captures,
            stats.older,
            stats.skipped.len(),
            stats.recorded,
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        )?;
    }
    if !stats.damaged.is_empty() {
        return Err(CliError::partial(format!(
            "{} of the files could not be read to the end",
            stats.damaged.len()
        ))
        .hint(
            "what they held before the damage was imported; the next import-warc reads them again",
        ));
    }
    Ok(())
}

fn import_error(e: WarcImportError) -> CliError {
    match e {
        WarcImportError::Archive(e) => CliError::from(e),
        WarcImportError::Open { .. } => CliError::of(Kind::Usage, &e),
    }
}
