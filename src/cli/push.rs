//! `palimpsest push`: publish a collector's history to a git remote.

use super::{CliError, Context};
use palimpsest::archive::RemoteOptions;
use std::io::{IsTerminal, Write};

/// Publish this collector's history and raw bytes to a git remote, under its shard's name
#[derive(clap::Args)]
pub struct PushArgs {
    /// A git remote of the archive's repository, or a URL (ssh, https, git, a path)
    #[arg(default_value = "origin")]
    remote: String,

    /// Print nothing but errors
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(ctx: &Context, args: &PushArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let pushed = archive.push(&args.remote, remote_options())?;
    if args.quiet {
        return Ok(());
    }
    let sent: Vec<&str> = pushed
        .refs
        .iter()
        .filter(|r| !r.up_to_date)
        .map(|r| r.remote.as_str())
        .collect();
    if sent.is_empty() {
        writeln!(
            out,
            "Shard {} is up to date on {}.",
            pushed.shard, args.remote
        )?;
    } else {
        writeln!(
            out,
            "Pushed shard {} to {}: {}",
            pushed.shard,
            args.remote,
            sent.join(", ")
        )?;
    }
    Ok(())
}

/// git may ask for a password or passphrase only when the user is at a terminal: from cron it
/// fails with its message instead of waiting for an answer.
pub fn remote_options() -> RemoteOptions {
    RemoteOptions {
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    }
}
