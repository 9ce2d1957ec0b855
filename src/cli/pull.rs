//! `palimpsest pull`: bring every shard's new history into a hub.

use super::push::remote_options;
use super::{CliError, Context};
use std::io::Write;

/// Fetch every collector's history from a git remote and merge what is new into this hub
#[derive(clap::Args)]
pub struct PullArgs {
    /// A git remote of the archive's repository, or a URL (ssh, https, git, a path)
    #[arg(default_value = "origin")]
    remote: String,

    /// Print a JSON report instead of one line per shard
    #[arg(long)]
    json: bool,

    /// Print nothing but errors
    #[arg(long, short)]
    quiet: bool,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

pub fn run(ctx: &Context, args: &PullArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut archive = ctx.open_for_writing(args.wait)?;
    let report = archive.pull(&args.remote, remote_options())?;
    for name in &report.ignored {
        eprintln!(
            "Warning: shards/{name} on {} is no shard's name; it was left alone",
            args.remote
        );
    }
    if args.json {
        let json = serde_json::to_string(&report).expect("a report serializes");
        writeln!(out, "{json}")?;
        return Ok(());
    }
    if args.quiet {
        return Ok(());
    }
    if report.merged.is_empty() {
        writeln!(out, "Up to date with {}.", args.remote)?;
    }
    for shard in &report.merged {
        let notes = match shard.notes.as_slice() {
            [] => String::new(),
            names => format!(", notes {}", names.join(", ")),
        };
        writeln!(
            out,
            "Merged shard {}: {} commits, {} versions{notes}",
            shard.shard, shard.commits, shard.versions
        )?;
    }
    Ok(())
}
