//! URL → [`Fetched`]: the raw bytes of a page and what the server said about them.
//!
//! Requests are conditional when validators from the last fetch are given (a 304 costs nothing),
//! and a timeout, a connection error, a 429 or a 5xx is tried again after a pause that doubles.
//! [`polite`] keeps a run from overloading any host.
//!
//! HTTP goes through ureq (rustls, gzip and brotli) with a cap on the decoded body, so a
//! compression bomb or an endless body ends as [`FetchError::TooLarge`], and one deadline for
//! the whole fetch, redirects and body included, so a server that drips its answer ends as
//! [`FetchError::Timeout`]. Redirects are followed here rather than by ureq: a `Location` is
//! resolved as browsers do ([`Url::join`]), and only to http or https, so a redirect can never
//! make palimpsest read a local file. A `file://` URL given by the user reads a local file under
//! the same cap; a missing file is a 404, so a removed local page is recorded as deleted like a
//! removed web page. Fetching never judges the status: [`crate::snapshot`] decides what a 404 or
//! a 503 means.

pub mod polite;

use crate::config::{FetchSettings, MAX_PAGE_BYTES};
use chrono::{DateTime, Utc};
use std::io::Read;
use std::time::{Duration, Instant};
use url::Url;

/// What one fetch returned.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the bytes came from, after redirects.
    pub final_url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The body, decompressed; empty unless the status is 2xx.
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

/// A fetch that got no usable answer. None of these is a change to the article.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("could not resolve host {0}")]
    HostNotFound(String),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error(
        "response is larger than the {limit}-byte limit (raise fetch.max_bytes in palimpsest.toml, up to {MAX_PAGE_BYTES})"
    )]
    TooLarge { limit: u64 },
    #[error("response is larger than {MAX_PAGE_BYTES} bytes, the most palimpsest reads")]
    TooLargeToRead,
    #[error(
        "more than {0} redirects (raise fetch.max_redirects in palimpsest.toml if the site needs more)"
    )]
    TooManyRedirects(u32),
    #[error("redirect loop: redirected back to {0}")]
    RedirectLoop(String),
    #[error("redirected to {0}, which is not followed (only http and https redirects are)")]
    BadRedirect(String),
    #[error("response headers are larger than the {limit}-byte limit")]
    HeadersTooLarge { limit: usize },
    #[error("HTTP {status} redirect with {location}, which is not a URL")]
    BadLocation { status: u16, location: String },
    #[error("TLS failed: {0}")]
    Tls(String),
    #[error("{0}")]
    Protocol(String),
    #[error("could not read {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl FetchError {
    /// Whether trying again later may succeed (timeouts, connection errors), as opposed to
    /// answers that will stay wrong until something is changed (size, redirects).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout(_)
                | FetchError::HostNotFound(_)
                | FetchError::Connect(_)
                | FetchError::Protocol(_)
        )
    }
}

/// What the last successful fetch of a URL said, for a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A configured HTTP client. Cheap to share between threads.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    settings: FetchSettings,
}

impl Fetcher {
    pub fn new(settings: &FetchSettings) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout()))
            .timeout_connect(Some(settings.timeout().min(Duration::from_secs(10))))
            // Redirects are followed by `fetch_once`, which checks where they lead.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(settings.user_agent.as_str())
            .build();
        Fetcher {
            agent: config.into(),
            settings: settings.clone(),
        }
    }

    /// Fetches `url` (http, https or file), conditionally when `validators` has any, trying again
    /// on transient failures.
    pub fn fetch(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut pause = self.settings.retry_delay();
        let mut attempts_left = self.settings.retries;
        loop {
            let result = self.fetch_once(url, validators);
            let transient = match &result {
                Ok(f) => f.status == 429 || (500..600).contains(&f.status),
                Err(e) => e.is_transient(),
            };
            if !transient || attempts_left == 0 {
                return result;
            }
            attempts_left -= 1;
            std::thread::sleep(pause);
            pause *= 2;
        }
    }

    fn fetch_once(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let fetched_at = Utc::now();
        if url.scheme() == "file" {
            return self.fetch_file(url, fetched_at);
        }
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Protocol(format!(
                "{url} can't be fetched: only http, https and file URLs can"
            )));
        }
        let deadline = Instant::now() + self.settings.timeout();
        let mut current = url.clone();
        let mut visited = vec![url.clone()];
        let mut response = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(FetchError::Timeout(self.settings.timeout()));
            }
            let mut request = self
                .agent
                .get(current.as_str())
                .config()
                .timeout_global(Some(left))
                .build();
            if let Some(etag) = &validators.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(date) = &validators.last_modified {
                request = request.header("If-Modified-Since", date);
            }
            let response = request.call().map_err(|e| self.error(e))?;
            let status = response.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                break response;
            }
            let location = response.headers().get("location").map(|v| v.as_bytes());
            let next = location
                .and_then(|l| std::str::from_utf8(l).ok())
                .and_then(|l| current.join(l).ok())
                .ok_or_else(|| FetchError::BadLocation {
                    status,
                    location: match location {
                        Some(l) => format!("Location {}", shorten(&String::from_utf8_lossy(l))),
                        None => "no Location".to_owned(),
                    },
                })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::BadRedirect(shorten(next.as_str())));
            }
            if visited.contains(&next) {
                return Err(FetchError::RedirectLoop(shorten(next.as_str())));
            }
            if visited.len() > self.settings.max_redirects as usize {
                return Err(FetchError::TooManyRedirects(self.settings.max_redirects));
            }
            visited.push(next.clone());
            current = next;
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (content_type, etag, last_modified) = (
            header("content-type"),
            header("etag"),
            header("last-modified"),
        );
        let body = if (200..300).contains(&status) {
            response
                .body_mut()
                .with_config()
                .limit(self.body_limit())
                .read_to_vec()
                .map_err(|e| self.error(e))?
        } else {
            Vec::new()
        };
        Ok(Fetched {
            final_url: current,
            status,
            content_type,
            etag,
            last_modified,
            body,
            fetched_at,
        })
    }

    fn fetch_file(&self, url: &Url, fetched_at: DateTime<Utc>) -> Result<Fetched, FetchError> {
        let path = url
            .to_file_path()
            .map_err(|()| FetchError::Protocol(format!("not a local file URL: {url}")))?;
        let file_error = |source| FetchError::File {
            path: path.display().to_string(),
            source,
        };
        let mut body = Vec::new();
        let status = match std::fs::File::open(&path) {
            Ok(file) => {
                file.take(self.body_limit() + 1)
                    .read_to_end(&mut body)
                    .map_err(file_error)?;
                if body.len() as u64 > self.body_limit() {
                    return Err(self.too_large());
                }
                200
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 404,
            Err(e) => return Err(file_error(e)),
        };
        Ok(Fetched {
            final_url: url.clone(),
            status,
            content_type: None,
            etag: None,
            last_modified: None,
            body,
            fetched_at,
        })
    }

    /// The most bytes of a body read: `fetch.max_bytes`, up to what a page may have.
    fn body_limit(&self) -> u64 {
        self.settings.max_bytes.min(MAX_PAGE_BYTES as u64)
    }

    fn too_large(&self) -> FetchError {
        if self.settings.max_bytes > MAX_PAGE_BYTES as u64 {
            FetchError::TooLargeToRead
        } else {
            FetchError::TooLarge {
                limit: self.settings.max_bytes,
            }
        }
    }

    fn error(&self, e: ureq::Error) -> FetchError {
        match e {
            ureq::Error::Timeout(_) => FetchError::Timeout(self.settings.timeout()),
            ureq::Error::HostNotFound => FetchError::HostNotFound("(lookup failed)".into()),
            ureq::Error::ConnectionFailed => {
                FetchError::Connect("connection refused or unreachable".into())
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                FetchError::Timeout(self.settings.timeout())
            }
            ureq::Error::Io(io) => FetchError::Connect(io.to_string()),
            ureq::Error::LargeResponseHeader(_, limit) => FetchError::HeadersTooLarge { limit },
            ureq::Error::BodyExceedsLimit(_) => self.too_large(),
            ureq::Error::Tls(msg) => FetchError::Tls(msg.to_owned()),
            ureq::Error::Rustls(e) => FetchError::Tls(e.to_string()),
            other => FetchError::Protocol(other.to_string()),
        }
    }
}

/// A URL or header value cut to a length that keeps an error message on one readable line.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(MAX_CHARS).collect();
    let head = head.escape_debug().to_string();
    if chars.next().is_some() {
        format!("{head}… ({} bytes)", text.len())
    } else {
        head
    }
}
