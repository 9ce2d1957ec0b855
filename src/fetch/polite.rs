//! Politeness: how many requests a run sends to one host at a time, how far apart, and what
//! robots.txt allows.
//!
//! A run fetches many articles at once, but never more than `host_concurrency` from one host,
//! and starts them at least `host_delay` apart. Each host's robots.txt is fetched once per run
//! (under the same limits) and honoured for the `palimpsest` user agent, as RFC 9309 says: a
//! missing one (4xx) allows everything; one that can't be fetched (5xx, errors) allows nothing.
//! [`Politeness::fetch`] is the one way a run's requests go, for articles and feeds alike.

use super::{FetchError, Fetched, Fetcher, Validators};
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use texting_robots::Robot;
use url::Url;

/// The product token robots.txt rules are matched against.
const ROBOTS_AGENT: &str = "palimpsest";

/// Limits per host, shared by a run's workers.
pub struct Politeness {
    concurrency: usize,
    delay: Duration,
    robots: bool,
    hosts: Mutex<HashMap<String, Host>>,
    changed: Condvar,
}

#[derive(Default)]
struct Host {
    active: usize,
    next_start: Option<Instant>,
    robots: Robots,
}

#[derive(Default)]
enum Robots {
    #[default]
    Unknown,
    Fetching,
    Known(Result<Option<Robot>, Unreadable>),
}

/// Why a host's robots.txt could not be read; shared by the errors of all its URLs.
#[derive(Clone)]
enum Unreadable {
    Status(u16),
    Fetch(Arc<FetchError>),
}

/// Why robots.txt keeps a URL from being fetched.
#[derive(Debug, thiserror::Error)]
pub enum RobotsError {
    #[error(
        "robots.txt of {0} disallows this URL for palimpsest (set robots = false in [fetch] to ignore it)"
    )]
    Disallowed(String),
    #[error(
        "robots.txt of {host} answered HTTP {status}, so nothing else is fetched from it (RFC 9309)"
    )]
    Unavailable { host: String, status: u16 },
    #[error("could not fetch robots.txt of {host}, so nothing else is fetched from it (RFC 9309)")]
    Unfetched {
        host: String,
        #[source]
        source: Arc<FetchError>,
    },
}

/// Why [`Politeness::fetch`] got no answer.
#[derive(Debug, thiserror::Error)]
pub enum PoliteError {
    #[error(transparent)]
    Robots(#[from] RobotsError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

/// A request slot for one host; freed on drop.
pub struct Permit<'a> {
    politeness: &'a Politeness,
    host: Option<String>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(host) = &self.host {
            let mut hosts = self
                .politeness
                .hosts
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(h) = hosts.get_mut(host) {
                h.active -= 1;
            }
            self.politeness.changed.notify_all();
        }
    }
}

impl Politeness {
    pub fn new(concurrency: usize, delay: Duration, robots: bool) -> Politeness {
        Politeness {
            concurrency: concurrency.max(1),
            delay,
            robots,
            hosts: Mutex::default(),
            changed: Condvar::new(),
        }
    }

    /// Waits until a request to `url`'s host may start. Local files have no host and no limit.
    pub fn acquire(&self, url: &Url) -> Permit<'_> {
        let Some(host) = host_key(url) else {
            return Permit {
                politeness: self,
                host: None,
            };
        };
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            let h = hosts.entry(host.clone()).or_default();
            let wait = h
                .next_start
                .map_or(Duration::ZERO, |t| t.saturating_duration_since(now));
            if h.active < self.concurrency && wait.is_zero() {
                h.active += 1;
                h.next_start = Some(now + self.delay);
                return Permit {
                    politeness: self,
                    host: Some(host),
                };
            }
            let timeout = if wait.is_zero() {
                Duration::from_secs(1)
            } else {
                wait
            };
            hosts = self
                .changed
                .wait_timeout(hosts, timeout)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Fetches `url` as every request of a run goes: if its host's robots.txt allows it, when
    /// the host has a free slot and the last request to it started long enough ago.
    pub fn fetch(
        &self,
        fetcher: &Fetcher,
        url: &Url,
        validators: &Validators,
    ) -> Result<Fetched, PoliteError> {
        self.check_robots(url, fetcher)?;
        let _permit = self.acquire(url);
        Ok(fetcher.fetch(url, validators)?)
    }

    /// Checks `url` against its host's robots.txt, fetching that once per run.
    pub fn check_robots(&self, url: &Url, fetcher: &Fetcher) -> Result<(), RobotsError> {
        let Some(host) = host_key(url).filter(|_| self.robots) else {
            return Ok(());
        };
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let h = hosts.entry(host.clone()).or_default();
            match &h.robots {
                Robots::Known(Ok(None)) => return Ok(()),
                Robots::Known(Ok(Some(robot))) => {
                    return if robot.allowed(url.as_str()) {
                        Ok(())
                    } else {
                        Err(RobotsError::Disallowed(host))
                    };
                }
                Robots::Known(Err(Unreadable::Status(status))) => {
                    let status = *status;
                    return Err(RobotsError::Unavailable { host, status });
                }
                Robots::Known(Err(Unreadable::Fetch(e))) => {
                    let source = e.clone();
                    return Err(RobotsError::Unfetched { host, source });
                }
                Robots::Fetching => {
                    hosts = self.changed.wait(hosts).unwrap_or_else(|e| e.into_inner())
                }
                Robots::Unknown => {
                    h.robots = Robots::Fetching;
                    drop(hosts);
                    let known = self.fetch_robots(url, fetcher);
                    hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
                    hosts.entry(host.clone()).or_default().robots = Robots::Known(known);
                    self.changed.notify_all();
                }
            }
        }
    }

    fn fetch_robots(&self, url: &Url, fetcher: &Fetcher) -> Result<Option<Robot>, Unreadable> {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        let fetched = {
            let _permit = self.acquire(&robots_url);
            fetcher.fetch(&robots_url, &Validators::default())
        };
        match fetched {
            Ok(f) if (200..300).contains(&f.status) => Ok(Robot::new(ROBOTS_AGENT, &f.body).ok()),
            Ok(f) if (400..500).contains(&f.status) => Ok(None),
            Ok(f) => Err(Unreadable::Status(f.status)),
            Err(FetchError::TooLarge { .. } | FetchError::TooLargeToRead) => Ok(None),
            Err(e) => Err(Unreadable::Fetch(Arc::new(e))),
        }
    }
}

/// Requests are limited per host and port; local files are not limited.
fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str().filter(|h| !h.is_empty())?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn never_more_than_the_limit_per_host() {
        let politeness = Politeness::new(2, Duration::ZERO, false);
        let active = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let url = Url::parse("http://example.com/a").unwrap();
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let _permit = politeness.acquire(&url);
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn requests_to_one_host_start_apart() {
        let politeness = Politeness::new(4, Duration::from_millis(50), false);
        let url = Url::parse("http://example.com/a").unwrap();
        let started = Instant::now();
        for _ in 0..3 {
            drop(politeness.acquire(&url));
        }
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[test]
    fn one_host_does_not_hold_back_another() {
        let politeness = Politeness::new(1, Duration::from_secs(60), false);
        let started = Instant::now();
        drop(politeness.acquire(&Url::parse("http://example.com/").unwrap()));
        drop(politeness.acquire(&Url::parse("http://example.org/").unwrap()));
        drop(politeness.acquire(&Url::parse("http://example.com:8080/").unwrap()));
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
