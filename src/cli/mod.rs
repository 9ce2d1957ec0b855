//! The command-line interface: one file per command, each with its arguments and a `run`.
//!
//! Everything that touches the terminal or the environment lives here; the library beneath
//! returns data. `--archive`/`PALIMPSEST_ARCHIVE` is resolved once into a [`Context`].

mod add;
mod diff;
mod error;
mod export_warc;
mod extract;
mod import_git;
mod import_warc;
mod init;
mod log;
mod notify;
mod pull;
mod push;
mod serve;
mod show;
mod site;
mod snapshot;
mod status;
mod ui;
mod verify;

use clap::{Parser, Subcommand};
pub use error::{CliError, Kind};
use palimpsest::archive::Archive;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Keep a change-tracking archive of news articles in a plain git repository
#[derive(Parser)]
#[command(name = "palimpsest", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    /// The archive directory [default: $XDG_DATA_HOME/palimpsest/archive, created on first use]
    #[arg(long, global = true, env = "PALIMPSEST_ARCHIVE", value_name = "DIR")]
    archive: Option<PathBuf>,

    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ui::ColorChoice::Auto)]
    color: ui::ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Init(init::InitArgs),
    Add(add::AddArgs),
    Snapshot(snapshot::SnapshotArgs),
    Log(log::LogArgs),
    Diff(diff::DiffArgs),
    Show(show::ShowArgs),
    Status(status::StatusArgs),
    ImportGit(import_git::ImportGitArgs),
    ImportWarc(import_warc::ImportWarcArgs),
    ExportWarc(export_warc::ExportWarcArgs),
    Verify(verify::VerifyArgs),
    Extract(extract::ExtractArgs),
    Serve(serve::ServeArgs),
    Site(site::SiteArgs),
    Push(push::PushArgs),
    Pull(pull::PullArgs),
}

/// What every command needs: where the archive is, and how to write.
pub struct Context {
    archive: PathBuf,
    /// The archive was named by --archive or PALIMPSEST_ARCHIVE, not the default.
    explicit: bool,
    pub color: bool,
}

impl Context {
    /// Opens the archive for reading.
    pub fn open(&self) -> Result<Archive, CliError> {
        Ok(Archive::open(&self.archive)?)
    }

    /// Opens the archive for writing and takes its lock. The default archive is created on
    /// first use; a named one must exist, so that a typo does not start a new archive.
    pub fn open_for_writing(&self, wait: bool) -> Result<Archive, CliError> {
        let mut archive = if !self.explicit && !self.archive.exists() {
            Archive::init(&self.archive)?
        } else {
            Archive::open(&self.archive)?
        };
        archive.lock(wait)?;
        Ok(archive)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let archive = match cli
        .archive
        .clone()
        .map(|a| (a, true))
        .or_else(|| default_archive().map(|a| (a, false)))
    {
        Some(found) => found,
        None => {
            return report(
                CliError::usage("no archive directory: HOME is not set")
                    .hint("pass --archive DIR or set PALIMPSEST_ARCHIVE"),
            );
        }
    };
    let ctx = Context {
        archive: archive.0,
        explicit: archive.1,
        color: ui::use_color(cli.color),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match &cli.command {
        Command::Init(args) => init::run(&ctx, args, &mut out),
        Command::Add(args) => add::run(&ctx, args, &mut out),
        Command::Snapshot(args) => snapshot::run(&ctx, args, &mut out),
        Command::Log(args) => log::run(&ctx, args, &mut out),
        Command::Diff(args) => diff::run(&ctx, args, &mut out),
        Command::Show(args) => show::run(&ctx, args, &mut out),
        Command::Status(args) => status::run(&ctx, args, &mut out),
        Command::ImportGit(args) => import_git::run(&ctx, args, &mut out),
        Command::ImportWarc(args) => import_warc::run(&ctx, args, &mut out),
        Command::ExportWarc(args) => export_warc::run(&ctx, args, &mut out),
        Command::Verify(args) => verify::run(&ctx, args, &mut out),
        Command::Extract(args) => extract::run(args, &mut out).map_err(CliError::from),
        Command::Serve(args) => serve::run(&ctx, args, &mut out),
        Command::Site(args) => site::run(&ctx, args, &mut out),
        Command::Push(args) => push::run(&ctx, args, &mut out),
        Command::Pull(args) => pull::run(&ctx, args, &mut out),
    };
    let flushed = out.flush().map_err(CliError::from);
    match result.and(flushed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(e.in_archive(&ctx.archive)),
    }
}

fn report(e: CliError) -> ExitCode {
    if e.kind != Kind::BrokenPipe {
        let _ = e.write(&mut std::io::stderr().lock());
    }
    e.kind.exit_code()
}

/// `$XDG_DATA_HOME/palimpsest/archive`, else `~/.local/share/palimpsest/archive`.
fn default_archive() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("palimpsest").join("archive"))
}

/// Parses article URLs given on the command line.
fn canonical_urls(inputs: &[String]) -> Result<Vec<url::Url>, CliError> {
    inputs
        .iter()
        .map(|u| palimpsest::source::canonical_url(u).map_err(CliError::from))
        .collect()
}
