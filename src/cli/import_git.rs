//! `palimpsest import-git`: replay another git archive's history into this one.

use super::{CliError, Context, Kind};
use palimpsest::archive::Recorded;
use palimpsest::import::{self, ImportError, Progress};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Replay the history of a git repository of fetched pages (a git-scraping mirror) as versions
#[derive(clap::Args)]
pub struct ImportGitArgs {
    /// The source repository
    repo: PathBuf,

    /// Import only files matching these pathspecs, as in `git log -- PATHSPEC`
    pathspecs: Vec<String>,

    /// Print a JSON summary
    #[arg(long)]
    json: bool,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

#[derive(serde::Serialize)]
struct Summary {
    commits: usize,
    file_versions: usize,
    skipped: usize,
    recorded: usize,
    changes: BTreeMap<&'static str, usize>,
}

pub fn run(ctx: &Context, args: &ImportGitArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut archive = ctx.open_for_writing(args.wait)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} importing {pos}/{len} commits [{bar:30}] {msg} ({eta} left)",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        bar
    });
    let mut changes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut versions = 0;
    let mut on_progress = |p: Progress, recorded: &[Recorded]| {
        versions += recorded.len();
        for r in recorded {
            for c in r.changes.iter() {
                *changes.entry(c.as_str()).or_default() += 1;
            }
        }
        if let Some(bar) = &bar {
            bar.set_length(p.commits_total as u64);
            bar.set_position(p.commits_done as u64);
            bar.set_message(format!("{versions} versions recorded"));
        }
    };
    super::notify::prepare(&mut archive)?;
    let imported = import::import_git(&mut archive, &args.repo, &args.pathspecs, &mut on_progress);
    let delivered = super::notify::deliver(&mut archive);
    let stats = imported.map_err(import_error)?;
    delivered?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for (what, why) in &stats.skipped {
        eprintln!("Warning: skipped {what}: {why}");
    }
    if args.json {
        let summary = Summary {
            commits: stats.commits,
            file_versions: stats.file_versions,
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
            "Imported {} commits ({} file versions, {} skipped): {} versions recorded{}",
            stats.commits,
            stats.file_versions,
            stats.skipped.len(),
            stats.recorded,
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        )?;
    }
    Ok(())
}

fn import_error(e: ImportError) -> CliError {
    match e {
        ImportError::Archive(e) => CliError::from(e),
        ImportError::ReaderPanicked { .. } => CliError::of(Kind::Partial, &e)
            .hint("this is a bug in palimpsest: please report it, with the file version named"),
        ImportError::Source { .. } | ImportError::Git(_) => CliError::of(Kind::Usage, &e),
    }
}
