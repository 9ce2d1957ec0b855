//! `palimpsest status`: what the archive tracks, the last run, and which articles and
//! notifiers fail.

use super::{CliError, Context};
use palimpsest::archive::state::Check;
use palimpsest::archive::{ArchiveError, format_time};
use std::io::Write;

/// Show tracked articles, the last run and failing articles
#[derive(clap::Args)]
pub struct StatusArgs {
    #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
    format: StatusFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum StatusFormat {
    Human,
    Json,
}

#[derive(serde::Serialize)]
struct Status {
    archive: String,
    tracked: usize,
    archived: usize,
    deleted: usize,
    versions: usize,
    last_run: Option<LastRun>,
    failing: Vec<Check>,
    notifiers: Vec<Notifier>,
}

#[derive(serde::Serialize)]
struct Notifier {
    notifier: String,
    /// The newest version it was told of (or passed over).
    delivered_through: Option<String>,
    /// Failed deliveries in a row, and the last one's error.
    failures: u32,
    last_error: Option<String>,
    last_attempt: Option<String>,
}

#[derive(serde::Serialize)]
struct LastRun {
    started_at: String,
    finished_at: String,
    counts: serde_json::Value,
}

pub fn run(ctx: &Context, args: &StatusArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let state = archive.state();
    let totals = state.totals().map_err(ArchiveError::from)?;
    let status = Status {
        archive: archive.root().display().to_string(),
        tracked: archive.tracked().len(),
        archived: totals.articles,
        deleted: totals.deleted,
        versions: totals.versions,
        last_run: state
            .last_run()
            .map_err(ArchiveError::from)?
            .map(|r| LastRun {
                started_at: format_time(&r.started_at),
                finished_at: format_time(&r.finished_at),
                counts: serde_json::from_str(&r.summary).unwrap_or_default(),
            }),
        failing: state
            .checks()
            .map_err(ArchiveError::from)?
            .into_iter()
            .filter(|c| c.failures > 0)
            .collect(),
        notifiers: notifiers(&archive)?,
    };
    if args.format == StatusFormat::Json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&status).expect("status serializes")
        )?;
        return Ok(());
    }
    writeln!(out, "archive:  {}", status.archive)?;
    writeln!(
        out,
        "tracked:  {} articles ({} archived, {} deleted)",
        status.tracked, status.archived, status.deleted
    )?;
    writeln!(out, "versions: {}", status.versions)?;
    match &status.last_run {
        Some(run) => writeln!(
            out,
            "last run: {} to {}: {}",
            run.started_at, run.finished_at, run.counts
        )?,
        None => writeln!(out, "last run: never")?,
    }
    if status.failing.is_empty() {
        writeln!(out, "failing:  none")?;
    } else {
        writeln!(out, "failing:  {} articles", status.failing.len())?;
        for c in &status.failing {
            let error = c.error.as_deref().unwrap_or("");
            writeln!(
                out,
                "  {}  {} failed checks in a row, last at {}: {error}",
                c.url,
                c.failures,
                format_time(&c.checked_at)
            )?;
        }
    }
    for n in &status.notifiers {
        match &n.last_error {
            None => writeln!(out, "notify:   {}  ok", n.notifier)?,
            Some(error) => writeln!(
                out,
                "notify:   {}  {} failed deliveries in a row, last at {}: {error}",
                n.notifier,
                n.failures,
                n.last_attempt.as_deref().unwrap_or("?")
            )?,
        }
    }
    Ok(())
}

/// The configured notifiers with how their deliveries went.
fn notifiers(archive: &palimpsest::archive::Archive) -> Result<Vec<Notifier>, CliError> {
    let states = archive.state().notifiers().map_err(ArchiveError::from)?;
    Ok(archive
        .config()
        .notify
        .iter()
        .map(|n| {
            let state = states.iter().find(|s| s.key == n.key());
            Notifier {
                notifier: n.key().to_owned(),
                delivered_through: state.and_then(|s| s.delivered_through.map(|c| c.to_string())),
                failures: state.map_or(0, |s| s.failures),
                last_error: state.and_then(|s| s.last_error.clone()),
                last_attempt: state.and_then(|s| s.last_attempt.as_ref().map(format_time)),
            }
        })
        .collect())
}
