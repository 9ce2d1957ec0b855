//! `palimpsest site`: the web viewer's pages as a static site.

use super::{CliError, Context, Kind};
use palimpsest::web::site::{self, SiteError};
use std::io::Write;
use std::path::PathBuf;

/// Write the archive's pages as a static site (re-running updates only what changed)
#[derive(clap::Args)]
pub struct SiteArgs {
    /// The folder to write (created if needed; must be empty or a site written before)
    dir: PathBuf,
}

pub fn run(ctx: &Context, args: &SiteArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let written = site::write(&archive, &args.dir).map_err(|e| match e {
        SiteError::Archive(e) => CliError::from(e),
        SiteError::Foreign(_) => CliError::of(Kind::Usage, &e),
        SiteError::Io { .. } => {
            CliError::of(Kind::Usage, &e).hint("check that the folder is writable")
        }
    })?;
    writeln!(
        out,
        "{} files written, {} unchanged, {} articles rendered; open {}",
        written.written,
        written.unchanged,
        written.articles,
        args.dir.join("index.html").display()
    )?;
    Ok(())
}
