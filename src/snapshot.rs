//! A snapshot run: fetch each article, read it, and record what changed.
//!
//! Workers fetch and read pages in parallel (network and parsing dominate); one thread records,
//! because commits form a chain. A failing URL never stops the run: its error is reported with
//! its result, counted in the database, and nothing is recorded for it. Only a 404, 410 or 451
//! (gone, or removed for legal reasons) is a change: the article is recorded as deleted.

use crate::archive::{Archive, ArchiveError, Observation, Recorded, Seen};
use crate::extract::SiteRules;
use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::page::{self, PageError};
use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::mpsc;
use url::Url;

/// Why one article could not be checked. None of these is recorded in git.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("HTTP {0} from the server")]
    Status(u16),
    #[error(transparent)]
    Page(#[from] PageError),
    #[error("HTTP {0}: not found, and never archived")]
    NeverFound(u16),
}

/// What happened to one article in a run.
#[derive(Debug)]
pub enum Outcome {
    Recorded(Recorded),
    Unchanged,
    Failed(CheckError),
}

#[derive(Debug)]
pub struct Checked {
    pub url: Url,
    pub outcome: Outcome,
}

/// Counts of a run's outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub checked: usize,
    pub unchanged: usize,
    pub new: usize,
    pub changed: usize,
    pub deleted: usize,
    pub restored: usize,
    pub errors: usize,
}

impl Counts {
    pub fn add(&mut self, outcome: &Outcome) {
        use crate::archive::ChangeKind;
        self.checked += 1;
        match outcome {
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed(_) => self.errors += 1,
            Outcome::Recorded(r) if r.changes.contains(&ChangeKind::New) => self.new += 1,
            Outcome::Recorded(r) if r.changes.contains(&ChangeKind::Deleted) => self.deleted += 1,
            Outcome::Recorded(r) if r.changes.contains(&ChangeKind::Restored) => self.restored += 1,
            Outcome::Recorded(_) => self.changed += 1,
        }
    }
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pages fetched at once.
    pub jobs: usize,
    /// Track the URLs that are checked without error and not tracked yet.
    pub track: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: 8,
            track: false,
        }
    }
}

/// Turns a fetch into an observation of the article at `url`.
pub fn observe(url: &Url, fetched: Fetched, rules: &SiteRules) -> Result<Observation, CheckError> {
    let seen = match fetched.status {
        200..=299 => {
            let page = page::read(&fetched.body, fetched.content_type.as_deref(), url, rules)?;
            Seen::Page {
                document: page.document,
                raw: fetched.body,
            }
        }
        404 | 410 | 451 => Seen::Gone,
        status => return Err(CheckError::Status(status)),
    };
    Ok(Observation {
        url: url.clone(),
        fetched_at: fetched.fetched_at,
        http_status: fetched.status,
        seen,
        imported_from: None,
    })
}

/// Checks `urls` and records their changes. `on_checked` sees each result as it comes (for a
/// progress display). Errors of single articles are in the results; an `Err` means the archive
/// itself failed, and what was published before it stays valid.
pub fn run(
    archive: &mut Archive,
    urls: &[Url],
    fetcher: &Fetcher,
    options: &Options,
    on_checked: &mut dyn FnMut(&Checked),
) -> Result<Vec<Checked>, ArchiveError> {
    let rules = archive.config().site_rules()?;
    let started = Utc::now();
    let jobs = options.jobs.clamp(1, 64).min(urls.len().max(1));
    let (work_tx, work_rx) = mpsc::channel::<&Url>();
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::sync_channel::<(Url, Result<Observation, CheckError>)>(jobs * 2);
    for url in urls {
        // The receiver lives until the scope ends, so sending can't fail.
        let _ = work_tx.send(url);
    }
    drop(work_tx);
    let mut results = Vec::with_capacity(urls.len());
    std::thread::scope(|scope| -> Result<(), ArchiveError> {
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let (work_rx, rules) = (&work_rx, &rules);
            scope.spawn(move || {
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(url)) = next else { break };
                    let observed = fetcher
                        .fetch(url)
                        .map_err(CheckError::from)
                        .and_then(|f| observe(url, f, rules));
                    if done_tx.send((url.clone(), observed)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut recorder = archive.recorder()?;
        let mut checks = Vec::new();
        for (url, observed) in done_rx {
            let (status, outcome) = match observed {
                Ok(obs) => {
                    let status = obs.http_status;
                    let gone = matches!(obs.seen, Seen::Gone);
                    if options.track && !gone {
                        recorder.track(std::slice::from_ref(&url))?;
                    }
                    match recorder.record(obs)? {
                        Some(recorded) => (Some(status), Outcome::Recorded(recorded)),
                        None if gone => (
                            Some(status),
                            Outcome::Failed(CheckError::NeverFound(status)),
                        ),
                        None => (Some(status), Outcome::Unchanged),
                    }
                }
                Err(e) => (
                    if let CheckError::Status(s) = e {
                        Some(s)
                    } else {
                        None
                    },
                    Outcome::Failed(e),
                ),
            };
            let error = if let Outcome::Failed(e) = &outcome {
                Some(e.to_string())
            } else {
                None
            };
            checks.push((url.to_string(), status, error));
            let checked = Checked { url, outcome };
            on_checked(&checked);
            results.push(checked);
        }
        recorder.finish()?;
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        for (url, status, error) in &checks {
            archive
                .state()
                .record_check(url, &now, *status, error.as_deref())?;
        }
        Ok(())
    })?;
    record_run(archive, started, &results)?;
    Ok(results)
}

fn record_run(
    archive: &Archive,
    started: DateTime<Utc>,
    results: &[Checked],
) -> Result<(), ArchiveError> {
    let mut counts = Counts::default();
    for r in results {
        counts.add(&r.outcome);
    }
    let run = crate::archive::state::Run {
        started_at: started.to_rfc3339_opts(SecondsFormat::Secs, true),
        finished_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        summary: serde_json::to_string(&counts).unwrap_or_default(),
    };
    Ok(archive.state().record_run(&run)?)
}
