//! A snapshot run: decide which articles are due, fetch them politely, read them, and record
//! what changed.
//!
//! Workers fetch and read pages in parallel (network and parsing dominate); one thread records,
//! because commits form a chain. A failing URL never stops the run: its error is reported with
//! its result, counted in the database, and nothing is recorded for it. Only a 404, 410 or 451
//! (gone, or removed for legal reasons) is a change: the article is recorded as deleted.
//!
//! Work is skipped where it can't change anything: a 304 answer to a conditional request, or
//! bytes identical to the last fetch read by the same reader (same palimpsest version and site
//! rules), are unchanged without being parsed.

use crate::archive::capture::Capture;
use crate::archive::state::{CheckState, CheckUpdate};
use crate::archive::{
    Archive, ArchiveError, ChangeKind, Observation, Recorded, Recorder, Seen, path,
};
use crate::config::Schedule;
use crate::extract::SiteRules;
use crate::fetch::polite::{PoliteError, Politeness};
use crate::fetch::{Fetched, Fetcher, Validators};
use crate::hash::ContentHash;
use crate::page::{self, PageError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};
use url::Url;

/// Why one article could not be checked. None of these is recorded in git.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// No answer: robots.txt forbids the fetch, or the server could not be reached.
    #[error(transparent)]
    Fetch(#[from] PoliteError),
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
        self.checked += 1;
        match outcome {
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed(_) => self.errors += 1,
            Outcome::Recorded(r) if r.changes.contains(ChangeKind::New) => self.new += 1,
            Outcome::Recorded(r) if r.changes.contains(ChangeKind::Deleted) => self.deleted += 1,
            Outcome::Recorded(r) if r.changes.contains(ChangeKind::Restored) => self.restored += 1,
            Outcome::Recorded(_) => self.changed += 1,
        }
    }
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pages fetched at once, across hosts.
    pub jobs: usize,
    /// Track the URLs that are checked without error and not tracked yet.
    pub track: bool,
    /// No article is started after this.
    pub deadline: Option<Instant>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: 8,
            track: false,
            deadline: None,
        }
    }
}

/// The tracked articles that are due at `now`, most overdue first (never-checked ones first of
/// all); at most `max`.
pub fn due(
    archive: &Archive,
    now: DateTime<Utc>,
    max: Option<usize>,
) -> Result<Vec<Url>, ArchiveError> {
    let states = archive.state().check_states()?;
    let mut due: Vec<(DateTime<Utc>, usize, Url)> = archive
        .tracked()
        .into_iter()
        .enumerate()
        .filter_map(|(i, url)| match states.get(url.as_str()) {
            None => Some((DateTime::<Utc>::MIN_UTC, i, url)),
            Some(s) => s.next_due.filter(|t| *t <= now).map(|t| (t, i, url)),
        })
        .collect();
    due.sort_unstable_by_key(|(t, i, _)| (*t, *i));
    Ok(due
        .into_iter()
        .take(max.unwrap_or(usize::MAX))
        .map(|(_, _, url)| url)
        .collect())
}

/// What a worker found.
enum Found {
    Observed(Box<Observation>),
    /// A 304, or the same bytes as last time read the same way.
    Unchanged,
}

struct WorkerResult {
    url: Url,
    found: Result<Found, CheckError>,
    http_status: Option<u16>,
    validators: Validators,
    raw_hash: Option<ContentHash>,
}

/// Checks `urls` and records their changes. Every request goes through `politeness`, which a
/// caller may share with other requests of the run (the followed feeds). `on_checked` sees each
/// result as it comes (for a progress display). Errors of single articles are in the results;
/// an `Err` means the archive itself failed, and what was published before it stays valid.
pub fn run(
    archive: &mut Archive,
    urls: &[Url],
    fetcher: &Fetcher,
    politeness: &Politeness,
    options: &Options,
    on_checked: &mut dyn FnMut(&Checked),
) -> Result<Vec<Checked>, ArchiveError> {
    let config = archive.config().clone();
    let rules = SiteRules::new(&config.sites)?;
    let tiers = config.schedule.parsed()?;
    let started = Utc::now();
    if urls.is_empty() {
        // Nothing due: no need to load every URL's state (100,000 rows) a second time.
        record_run(archive, started, &[])?;
        return Ok(Vec::new());
    }
    let states = archive.state().check_states()?;
    let workers = Workers {
        fetcher,
        politeness,
        rules: &rules,
        states: &states,
        reader: reader_id(&config),
        queue: Mutex::new(interleave_hosts(urls)),
        parsers: Slots::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        deadline: options.deadline,
    };
    let jobs = options.jobs.clamp(1, 256).min(urls.len());
    let (results, updates) = check_all(archive, &workers, jobs, options.track, on_checked)?;
    let finished = schedule(archive, updates, &tiers)?;
    archive.record_checks(&finished)?;
    record_run(archive, started, &results)?;
    Ok(results)
}

/// Runs `jobs` workers over the queue while this thread records what they find, as it comes.
fn check_all(
    archive: &mut Archive,
    workers: &Workers,
    jobs: usize,
    track: bool,
    on_checked: &mut dyn FnMut(&Checked),
) -> Result<(Vec<Checked>, Vec<PendingUpdate>), ArchiveError> {
    let (done_tx, done_rx) = mpsc::sync_channel::<WorkerResult>(jobs * 2);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            scope.spawn(move || workers.work(&done_tx));
        }
        drop(done_tx);
        // Returning early drops `done_rx`, which stops the workers.
        archive.with_recorder(|recorder| {
            let (mut results, mut updates) = (Vec::new(), Vec::new());
            for found in done_rx {
                let (checked, update) = workers.record(recorder, found, track)?;
                on_checked(&checked);
                results.push(checked);
                updates.push(update);
            }
            Ok((results, updates))
        })
    })
}

/// A check's state update, waiting for the run's end to be dated and scheduled.
struct PendingUpdate {
    update: CheckUpdate,
    /// The article's file in the archive, to find when it last changed.
    path: String,
    changed_now: bool,
    failures: u32,
}

/// The updates, dated now, each with when its article is due again.
fn schedule(
    archive: &Archive,
    updates: Vec<PendingUpdate>,
    tiers: &[(Duration, Duration)],
) -> Result<Vec<CheckUpdate>, ArchiveError> {
    let now = Utc::now();
    updates
        .into_iter()
        .map(|p| {
            let next_due = next_due(archive, &p, now, tiers)?;
            Ok(CheckUpdate {
                checked_at: now,
                next_due,
                ..p.update
            })
        })
        .collect()
}

/// When an article checked `now` is due again; `None`: never.
fn next_due(
    archive: &Archive,
    p: &PendingUpdate,
    now: DateTime<Utc>,
    tiers: &[(Duration, Duration)],
) -> Result<Option<DateTime<Utc>>, ArchiveError> {
    if p.update.error.is_some() {
        // Failing articles are retried sooner than their tier, backing off per failure.
        let backoff = Duration::from_secs(15 * 60) * 2u32.saturating_pow(p.failures.min(7));
        return Ok(Some(now + backoff.min(Duration::from_secs(86_400))));
    }
    let last_change = if p.changed_now {
        Some(now)
    } else {
        archive.state().last_change(&p.path)?
    };
    let since = (now - last_change.unwrap_or(now))
        .to_std()
        .unwrap_or_default();
    Ok(Schedule::interval(tiers, since).map(|every| now + every))
}

/// What a run's workers share.
struct Workers<'a> {
    fetcher: &'a Fetcher,
    politeness: &'a Politeness,
    rules: &'a SiteRules,
    states: &'a HashMap<String, CheckState>,
    reader: String,
    queue: Mutex<VecDeque<Url>>,
    parsers: Slots,
    deadline: Option<Instant>,
}

impl Workers<'_> {
    /// One worker: checks queued URLs until the queue is empty, the deadline has passed or the
    /// recorder stopped listening.
    fn work(&self, done: &mpsc::SyncSender<WorkerResult>) {
        while self.deadline.is_none_or(|d| Instant::now() < d) {
            let next = self.queue.lock().map(|mut q| q.pop_front());
            let Ok(Some(url)) = next else { break };
            if done.send(self.check(url)).is_err() {
                break;
            }
        }
    }

    /// One article: a polite conditional fetch, then reading unless nothing changed.
    fn check(&self, url: Url) -> WorkerResult {
        let state = self.states.get(url.as_str());
        let mut result = WorkerResult {
            url,
            found: Ok(Found::Unchanged),
            http_status: None,
            validators: Validators::default(),
            raw_hash: None,
        };
        let validators = Validators {
            etag: state.and_then(|s| s.etag.clone()),
            last_modified: state.and_then(|s| s.last_modified.clone()),
        };
        let fetched = match self
            .politeness
            .fetch(self.fetcher, &result.url, &validators)
        {
            Ok(f) => f,
            Err(e) => {
                result.found = Err(e.into());
                return result;
            }
        };
        result.http_status = Some(fetched.status);
        if fetched.status == 304 {
            // Not modified: what we had still stands.
            result.validators = validators;
            result.raw_hash = state.and_then(|s| s.raw_hash);
            return result;
        }
        result.validators = Validators {
            etag: fetched.etag.clone(),
            last_modified: fetched.last_modified.clone(),
        };
        if (200..300).contains(&fetched.status) {
            let hash = ContentHash::of(&fetched.body);
            let same = state.is_some_and(|s| {
                s.raw_hash == Some(hash) && s.reader.as_deref() == Some(self.reader.as_str())
            });
            result.raw_hash = Some(hash);
            if same {
                return result;
            }
        }
        let _slot = self.parsers.take();
        let request_headers = self.fetcher.request_headers(&validators);
        let observed = observe(&result.url, fetched, self.rules).map(|mut obs| {
            if let Some(capture) = &mut obs.capture {
                for exchange in &mut capture.exchanges {
                    exchange.request_headers.clone_from(&request_headers);
                }
            }
            obs
        });
        result.found = observed.map(|obs| Found::Observed(Box::new(obs)));
        result
    }

    /// Records what a worker found; returns it as a result and as the article's state update.
    fn record(
        &self,
        recorder: &mut Recorder,
        r: WorkerResult,
        track: bool,
    ) -> Result<(Checked, PendingUpdate), ArchiveError> {
        let outcome = match r.found {
            Ok(Found::Observed(obs)) => record_observation(recorder, *obs, r.http_status, track)?,
            Ok(Found::Unchanged) => Outcome::Unchanged,
            Err(e) => Outcome::Failed(e),
        };
        let deleted = match &outcome {
            Outcome::Recorded(rec) => rec.changes.contains(ChangeKind::Deleted),
            _ => false,
        };
        let error = match &outcome {
            Outcome::Failed(e) => Some(crate::error_line(e)),
            _ => None,
        };
        let update = PendingUpdate {
            update: CheckUpdate {
                url: r.url.to_string(),
                checked_at: DateTime::default(),
                http_status: r.http_status,
                error,
                etag: r.validators.etag,
                last_modified: r.validators.last_modified,
                // A deleted article's bytes are no page to compare the next fetch with.
                raw_hash: if deleted { None } else { r.raw_hash },
                reader: Some(self.reader.clone()),
                next_due: None,
            },
            path: path::article_path(&r.url),
            changed_now: matches!(outcome, Outcome::Recorded(_)),
            failures: self.states.get(r.url.as_str()).map_or(0, |s| s.failures),
        };
        let checked = Checked {
            url: r.url,
            outcome,
        };
        Ok((checked, update))
    }
}

/// Records an observation (tracking its URL first if asked); a 404 of an article never
/// archived is an error, not a change.
fn record_observation(
    recorder: &mut Recorder,
    obs: Observation,
    http_status: Option<u16>,
    track: bool,
) -> Result<Outcome, ArchiveError> {
    let gone = matches!(obs.seen, Seen::Gone);
    if track && !gone {
        recorder.track(std::slice::from_ref(&obs.url))?;
    }
    Ok(match recorder.record(obs)? {
        Some(recorded) => Outcome::Recorded(recorded),
        None if gone => Outcome::Failed(CheckError::NeverFound(http_status.unwrap_or(404))),
        None => Outcome::Unchanged,
    })
}

/// At most as many pages parsed at once as there are cores: parsing is CPU-bound, so more
/// parsers than cores gain nothing and each holds a page's whole tree in memory, while the
/// other workers keep fetching.
struct Slots {
    free: Mutex<usize>,
    freed: std::sync::Condvar,
}

struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(n: usize) -> Slots {
        Slots {
            free: Mutex::new(n),
            freed: std::sync::Condvar::new(),
        }
    }

    fn take(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// Turns a fetch into an observation of the article at `url`, with its HTTP exchange (the
/// request headers are left for the caller, who knows them).
pub fn observe(url: &Url, fetched: Fetched, rules: &SiteRules) -> Result<Observation, CheckError> {
    let capture = Capture::of(&fetched, &[]).map(Box::new);
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
        capture,
    })
}

/// Orders URLs so that consecutive ones are on different hosts, keeping each host's order, so
/// that workers rarely wait for a busy host while others are idle.
fn interleave_hosts(urls: &[Url]) -> VecDeque<Url> {
    let mut by_host: Vec<(String, VecDeque<Url>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for url in urls {
        let host = url.host_str().unwrap_or("").to_owned();
        let i = *index.entry(host.clone()).or_insert_with(|| {
            by_host.push((host, VecDeque::new()));
            by_host.len() - 1
        });
        by_host[i].1.push_back(url.clone());
    }
    let mut out = VecDeque::with_capacity(urls.len());
    while out.len() < urls.len() {
        for (_, queue) in &mut by_host {
            if let Some(url) = queue.pop_front() {
                out.push_back(url);
            }
        }
    }
    out
}

/// Identifies what turns bytes into text: the palimpsest version and the site rules. When it
/// changes, pages are read again even if their bytes did not change.
fn reader_id(config: &crate::config::Config) -> String {
    let rules = serde_json::to_string(&config.sites).unwrap_or_default();
    format!(
        "{}:{}",
        env!("CARGO_PKG_VERSION"),
        &ContentHash::of(rules.as_bytes()).to_hex()[..16]
    )
}

fn record_run(
    archive: &mut Archive,
    started: DateTime<Utc>,
    results: &[Checked],
) -> Result<(), ArchiveError> {
    let mut counts = Counts::default();
    for r in results {
        counts.add(&r.outcome);
    }
    let run = crate::archive::state::Run {
        started_at: started,
        finished_at: Utc::now(),
        summary: serde_json::to_string(&counts).unwrap_or_default(),
    };
    archive.record_run(&run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_take_turns() {
        let urls: Vec<Url> = [
            "http://a/1",
            "http://a/2",
            "http://a/3",
            "http://b/1",
            "http://c/1",
            "http://b/2",
        ]
        .iter()
        .map(|u| Url::parse(u).unwrap())
        .collect();
        let order: Vec<String> = interleave_hosts(&urls)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(
            order,
            [
                "http://a/1",
                "http://b/1",
                "http://c/1",
                "http://a/2",
                "http://b/2",
                "http://a/3"
            ]
        );
    }
}
