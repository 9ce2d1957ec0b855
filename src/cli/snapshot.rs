//! `palimpsest snapshot`: check articles and record what changed.

use super::add::others_refused;
use super::{CliError, Context, canonical_urls};
use palimpsest::error_line;
use palimpsest::fetch::Fetcher;
use palimpsest::fetch::polite::Politeness;
use palimpsest::snapshot::{self, Checked, Counts, Outcome};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Fetch the articles that are due and record every change as a commit
#[derive(clap::Args)]
pub struct SnapshotArgs {
    /// Check only these articles (URLs or local paths), tracking them if they archive cleanly
    #[arg(value_name = "URL")]
    urls: Vec<String>,

    /// Check every tracked article, due or not
    #[arg(long, conflicts_with = "urls")]
    all: bool,

    /// Check at most this many articles (the most overdue)
    #[arg(long, value_name = "N")]
    max: Option<usize>,

    /// Start no article after this long, e.g. 10m (articles not reached stay due)
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    time_limit: Option<Duration>,

    /// Pages fetched at once, across hosts
    #[arg(long, short = 'j', default_value_t = 16)]
    jobs: usize,

    /// Requests to one host at a time [default: fetch.host_concurrency, 2]
    #[arg(long, value_name = "N")]
    host_concurrency: Option<usize>,

    /// Seconds between requests to one host [default: fetch.host_delay, 1]
    #[arg(long, value_name = "SECONDS")]
    host_delay: Option<f64>,

    /// Print a JSON summary of the run instead of one line per change
    #[arg(long)]
    json: bool,

    /// Print nothing but errors (no progress bar, no summary)
    #[arg(long, short)]
    quiet: bool,

    /// Wait for another run holding the archive instead of failing
    #[arg(long)]
    wait: bool,
}

#[derive(serde::Serialize)]
struct Summary {
    due: usize,
    #[serde(flatten)]
    counts: Counts,
    /// Due articles not started before the time limit.
    not_reached: usize,
    seconds: f64,
}

pub fn run(ctx: &Context, args: &SnapshotArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let named = canonical_urls(&args.urls)?;
    let host_delay = args
        .host_delay
        .map(|s| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                CliError::usage(format!("--host-delay {s} is not a number of seconds"))
            })
        })
        .transpose()?;
    let started = Instant::now();
    let mut archive = ctx.open_for_writing(args.wait)?;
    let settings = &archive.config().fetch;
    let fetcher = Fetcher::new(settings);
    // One politeness for the whole run: feeds and articles of a host share its limits.
    let politeness = Politeness::new(
        args.host_concurrency.unwrap_or(settings.host_concurrency),
        host_delay.unwrap_or_else(|| settings.host_delay()),
        settings.robots,
    );
    super::notify::prepare(&mut archive)?;
    let mut feed_errors = 0;
    if named.is_empty() {
        let followed = palimpsest::discover::follow_feeds(&mut archive, &fetcher, &politeness)?;
        for (feed, e) in &followed.failed {
            eprintln!("Error: feed {feed}: {}", error_line(e));
        }
        feed_errors = followed.failed.len();
        if !followed.tracked.is_empty() && !args.quiet && !args.json {
            eprintln!(
                "Tracking {} new articles from feeds.",
                followed.tracked.len()
            );
        }
    }
    let (named, others) = super::add::owned(archive.config().shard.as_ref(), named);
    if named.is_empty() && !others.is_empty() {
        return super::add::others_refused(&others, "checked");
    }
    let mut urls = if !named.is_empty() {
        named.clone()
    } else if args.all {
        archive.tracked()
    } else {
        snapshot::due(&archive, chrono::Utc::now(), None)?
    };
    if let Some(max) = args.max {
        urls.truncate(max);
    }
    let options = snapshot::Options {
        jobs: args.jobs,
        track: !named.is_empty(),
        deadline: args.time_limit.map(|limit| started + limit),
    };
    let bar = (!args.quiet && !args.json && urls.len() > 1 && std::io::stderr().is_terminal())
        .then(|| {
            let bar = indicatif::ProgressBar::new(urls.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos}/{len} articles [{bar:30}] {msg} ({eta} left)",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar
        });
    let mut counts = Counts::default();
    let mut write_error = None;
    let mut on_checked = |checked: &Checked| {
        counts.add(&checked.outcome);
        if let Some(bar) = &bar {
            bar.inc(1);
            bar.set_message(format!(
                "{} changed, {} failed",
                counts.new + counts.changed + counts.deleted + counts.restored,
                counts.errors
            ));
        }
        let line = match &checked.outcome {
            Outcome::Failed(e) => {
                let message = format!("Error: {}: {}", checked.url, error_line(e));
                match &bar {
                    Some(bar) => bar.suspend(|| eprintln!("{message}")),
                    None => eprintln!("{message}"),
                }
                return;
            }
            Outcome::Recorded(r) if !args.json && !args.quiet => {
                let changes: Vec<&str> = r.changes.iter().map(|c| c.as_str()).collect();
                format!("{:<16} {}  {}", changes.join(","), r.url, r.title)
            }
            _ => return,
        };
        let written = match &bar {
            Some(bar) => bar.suspend(|| writeln!(out, "{line}")),
            None => writeln!(out, "{line}"),
        };
        if let Err(e) = written {
            write_error.get_or_insert(e);
        }
    };
    let ran = snapshot::run(
        &mut archive,
        &urls,
        &fetcher,
        &politeness,
        &options,
        &mut on_checked,
    );
    // Also after a failed run: what it published before failing is told all the same.
    let delivered = super::notify::deliver(&mut archive);
    ran?;
    delivered?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(e) = write_error {
        return Err(e.into());
    }
    let not_reached = urls.len() - counts.checked;
    if args.json {
        let summary = Summary {
            due: urls.len(),
            counts,
            not_reached,
            seconds: started.elapsed().as_secs_f64(),
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string(&summary).expect("summary serializes")
        )?;
    } else if !args.quiet {
        eprintln!(
            "Checked {} articles in {:.1}s: {} new, {} changed, {} deleted, {} restored, {} unchanged, {} failed.",
            counts.checked,
            started.elapsed().as_secs_f64(),
            counts.new,
            counts.changed,
            counts.deleted,
            counts.restored,
            counts.unchanged,
            counts.errors
        );
        if not_reached > 0 {
            eprintln!(
                "{not_reached} due articles were not reached before the time limit; they stay due."
            );
        }
    }
    others_refused(&others, "checked")?;
    if feed_errors > 0 && counts.errors == 0 {
        return Err(CliError::partial(format!(
            "{feed_errors} followed feeds could not be read"
        )));
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
