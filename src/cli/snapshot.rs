//! `palimpsest snapshot`: check articles and record what changed.

use super::{CliError, Context, canonical_urls};
use palimpsest::fetch::Fetcher;
use palimpsest::snapshot::{self, Checked, Counts, Outcome};
use std::io::Write;
use std::time::Instant;

/// Fetch tracked articles and record every change as a commit
#[derive(clap::Args)]
pub struct SnapshotArgs {
    /// Check only these articles (URLs or local paths), tracking them if they archive cleanly
    #[arg(value_name = "URL")]
    urls: Vec<String>,

    /// Pages fetched at once
    #[arg(long, short = 'j', default_value_t = 8)]
    jobs: usize,

    /// Print a JSON summary of the run instead of one line per change
    #[arg(long)]
    json: bool,

    /// Print nothing but errors
    #[arg(long, short)]
    quiet: bool,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

#[derive(serde::Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    seconds: f64,
}

pub fn run(ctx: &Context, args: &SnapshotArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let named = canonical_urls(&args.urls)?;
    let started = Instant::now();
    let mut archive = ctx.open_for_writing(args.wait)?;
    let urls = if named.is_empty() {
        archive.tracked()
    } else {
        named.clone()
    };
    let fetcher = Fetcher::new(&archive.config().fetch);
    let options = snapshot::Options {
        jobs: args.jobs,
        track: !named.is_empty(),
    };
    let mut counts = Counts::default();
    let mut write_error = None;
    let mut on_checked = |checked: &Checked| {
        counts.add(&checked.outcome);
        let line = match &checked.outcome {
            Outcome::Failed(e) => {
                eprintln!("error: {}: {e}", checked.url);
                return;
            }
            Outcome::Recorded(r) if !args.json && !args.quiet => {
                let changes: Vec<&str> = r.changes.iter().map(|c| c.as_str()).collect();
                format!("{:<16} {}  {}", changes.join(","), r.url, r.title)
            }
            _ => return,
        };
        if let Err(e) = writeln!(out, "{line}") {
            write_error.get_or_insert(e);
        }
    };
    snapshot::run(&mut archive, &urls, &fetcher, &options, &mut on_checked)?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if args.json {
        let summary = Summary {
            counts,
            seconds: started.elapsed().as_secs_f64(),
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string(&summary).expect("summary serializes")
        )?;
    } else if !args.quiet {
        eprintln!(
            "Checked {} articles: {} new, {} changed, {} deleted, {} restored, {} unchanged, {} failed.",
            counts.checked,
            counts.new,
            counts.changed,
            counts.deleted,
            counts.restored,
            counts.unchanged,
            counts.errors
        );
    }
    if counts.errors > 0 {
        let e = CliError::partial(format!(
            "{} of {} articles could not be checked",
            counts.errors, counts.checked
        ));
        return Err(
            e.hint("`palimpsest status` lists failing articles; nothing was recorded for them")
        );
    }
    Ok(())
}
