//! `palimpsest init`: create an empty archive.

use super::{CliError, Context};
use palimpsest::archive::Archive;
use std::io::Write;
use std::path::PathBuf;

/// Create an empty archive (a git repository with palimpsest.toml)
#[derive(clap::Args)]
pub struct InitArgs {
    /// Where to create it [default: the --archive directory]
    dir: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: &InitArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let dir = args.dir.as_ref().unwrap_or(&ctx.archive);
    let archive = Archive::init(dir)?;
    writeln!(
        out,
        "Created an empty palimpsest archive in {}",
        archive.root().display()
    )?;
    Ok(())
}
