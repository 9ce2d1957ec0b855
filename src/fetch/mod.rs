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
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use url::Url;

/// What one fetch returned: the answer, and every redirect that led to it, with the headers
/// the server sent (evidence of what was served, kept beside the bytes).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL asked for.
    pub requested_url: Url,
    /// The redirects followed on the way, in order.
    pub redirects: Vec<Redirect>,
    /// Where the bytes came from, after redirects.
    pub final_url: Url,
    pub status: u16,
    /// The protocol of the answer (`HTTP/1.1`, `HTTP/2`); `None` for a local file.
    pub version: Option<&'static str>,
    /// The answer's headers as received, in order; names in lower case.
    pub headers: Vec<(String, String)>,
    /// The `Content-Type`, `ETag` and `Last-Modified` headers, read from `headers`.
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The body, decompressed; empty unless the status is 2xx.
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

/// A redirect answer that a fetch followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The URL that answered with the redirect.
    pub url: Url,
    pub status: u16,
    pub version: &'static str,
    /// Its headers as received (`location` among them), names in lower case.
    pub headers: Vec<(String, String)>,
}

/// A fetch that got no usable answer. None of these is a change to the article.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {0:?} (fetch.timeout in palimpsest.toml)")]
    Timeout(Duration),
    /// The name lookup failed (the cause, when the resolver gave one, says how).
    #[error("could not resolve host {host}")]
    HostNotFound {
        host: String,
        #[source]
        source: Option<std::io::Error>,
    },
    #[error("could not connect to {host}")]
    Connect {
        host: String,
        #[source]
        source: std::io::Error,
    },
    /// The connection broke after it was made (reset, closed early).
    #[error("the connection to {host} failed")]
    Connection {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{url} can't be fetched: only http, https and file URLs can")]
    UnsupportedScheme { url: String },
    #[error("{url} is not a local file: a file URL with a host can't be read")]
    NotLocal { url: String },
    #[error("{url} is not a URL the HTTP client accepts")]
    BadUrl {
        url: String,
        #[source]
        source: ureq::Error,
    },
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
    #[error("TLS with {host} failed")]
    Tls {
        host: String,
        #[source]
        source: ureq::Error,
    },
    /// The server's answer could not be read as HTTP (or its compression was broken).
    #[error("the answer of {host} is not valid HTTP")]
    Protocol {
        host: String,
        #[source]
        source: ureq::Error,
    },
    #[error("could not read {path}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl FetchError {
    /// Whether trying again later may succeed (timeouts, lookups, connections, garbled
    /// answers), as opposed to what stays wrong until something is changed (the URL, size,
    /// redirects, TLS).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout(_)
                | FetchError::HostNotFound { .. }
                | FetchError::Connect { .. }
                | FetchError::Connection { .. }
                | FetchError::Protocol { .. }
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
        Fetcher::with_resolver(settings, KeepLookupErrors(DefaultResolver::default()))
    }

    fn with_resolver(settings: &FetchSettings, resolver: impl Resolver) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout()))
            .timeout_connect(Some(settings.timeout().min(Duration::from_secs(10))))
            // Redirects are followed by `fetch_once`, which checks where they lead.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(settings.user_agent.as_str())
            .build();
        Fetcher {
            agent: ureq::Agent::with_parts(config, DefaultConnector::default(), resolver),
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
            return Err(FetchError::UnsupportedScheme {
                url: shorten(url.as_str()),
            });
        }
        let deadline = Instant::now() + self.settings.timeout();
        let mut current = url.clone();
        let mut visited = vec![url.clone()];
        let mut redirects = Vec::new();
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
            for (name, value) in conditional_headers(validators) {
                request = request.header(name, value);
            }
            let response = request.call().map_err(|e| self.error(e, &current))?;
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
            redirects.push(Redirect {
                url: std::mem::replace(&mut current, next.clone()),
                status,
                version: version_name(response.version()),
                headers: header_list(response.headers()),
            });
            visited.push(next);
        };
        let status = response.status().as_u16();
        let headers = header_list(response.headers());
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let (content_type, etag, last_modified) = (
            header("content-type"),
            header("etag"),
            header("last-modified"),
        );
        let version = Some(version_name(response.version()));
        let body = if (200..300).contains(&status) {
            response
                .body_mut()
                .with_config()
                .limit(self.body_limit())
                .read_to_vec()
                .map_err(|e| self.error(e, &current))?
        } else {
            Vec::new()
        };
        Ok(Fetched {
            requested_url: url.clone(),
            redirects,
            final_url: current,
            status,
            version,
            headers,
            content_type,
            etag,
            last_modified,
            body,
            fetched_at,
        })
    }

    fn fetch_file(&self, url: &Url, fetched_at: DateTime<Utc>) -> Result<Fetched, FetchError> {
        let path = url.to_file_path().map_err(|()| FetchError::NotLocal {
            url: shorten(url.as_str()),
        })?;
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
            requested_url: url.clone(),
            redirects: Vec::new(),
            final_url: url.clone(),
            status,
            version: None,
            headers: Vec::new(),
            content_type: None,
            etag: None,
            last_modified: None,
            body,
            fetched_at,
        })
    }

    /// The request headers palimpsest sets on a fetch with `validators`, names in lower case,
    /// as the capture of a version keeps them. The HTTP client adds `host`, `accept` and
    /// `accept-encoding` (`gzip, br`) of its own.
    pub fn request_headers(&self, validators: &Validators) -> Vec<(String, String)> {
        std::iter::once(("user-agent", self.settings.user_agent.as_str()))
            .chain(conditional_headers(validators))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    }

    /// Sends `body` as a POST to `url` (http or https) with the fetch settings' timeout and
    /// user agent, and returns the status of the answer (redirects are not followed), for
    /// notifications.
    pub fn post(&self, url: &Url, content_type: &str, body: &[u8]) -> Result<u16, FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::UnsupportedScheme {
                url: shorten(url.as_str()),
            });
        }
        let response = self
            .agent
            .post(url.as_str())
            .header("Content-Type", content_type)
            .send(body)
            .map_err(|e| self.error(e, url))?;
        Ok(response.status().as_u16())
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

    /// What ureq's error means for a request to `url`, keeping ureq's error (or the I/O error
    /// in it) as the cause.
    fn error(&self, e: ureq::Error, url: &Url) -> FetchError {
        use std::io::ErrorKind;
        let host = authority(url);
        match e {
            ureq::Error::Timeout(_) => FetchError::Timeout(self.settings.timeout()),
            ureq::Error::HostNotFound => FetchError::HostNotFound { host, source: None },
            ureq::Error::Other(e) if e.is::<LookupFailed>() => FetchError::HostNotFound {
                host,
                source: e.downcast::<LookupFailed>().ok().map(|e| e.0),
            },
            ureq::Error::Io(io) if io.kind() == ErrorKind::TimedOut => {
                FetchError::Timeout(self.settings.timeout())
            }
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    ErrorKind::ConnectionRefused
                        | ErrorKind::HostUnreachable
                        | ErrorKind::NetworkUnreachable
                        | ErrorKind::NetworkDown
                        | ErrorKind::AddrNotAvailable
                ) =>
            {
                FetchError::Connect { host, source: io }
            }
            ureq::Error::Io(io) => FetchError::Connection { host, source: io },
            ureq::Error::ConnectionFailed => FetchError::Connect {
                host,
                source: std::io::Error::new(ErrorKind::ConnectionRefused, "connection failed"),
            },
            ureq::Error::LargeResponseHeader(_, limit) => FetchError::HeadersTooLarge { limit },
            ureq::Error::BodyExceedsLimit(_) => self.too_large(),
            e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
                FetchError::Tls { host, source: e }
            }
            e @ ureq::Error::BadUri(_) => FetchError::BadUrl {
                url: shorten(url.as_str()),
                source: e,
            },
            other => FetchError::Protocol {
                host,
                source: other,
            },
        }
    }
}

/// A lookup failure of [`KeepLookupErrors`], told apart from a connection's.
#[derive(Debug, thiserror::Error)]
#[error("name lookup failed")]
struct LookupFailed(#[source] std::io::Error);

/// ureq's resolver, whose failures are marked as lookups: ureq returns a failed lookup and a
/// failed connection alike, as an I/O error, and a DNS failure must say which host it was.
/// (`ureq::unversioned` may change in any ureq release; Cargo.lock pins the one this builds
/// with.)
#[derive(Debug)]
struct KeepLookupErrors<R>(R);

impl<R: Resolver> Resolver for KeepLookupErrors<R> {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.0.resolve(uri, config, timeout).map_err(|e| match e {
            ureq::Error::Io(io) => ureq::Error::Other(Box::new(LookupFailed(io))),
            other => other,
        })
    }
}

/// The headers of a conditional request: `if-none-match` and `if-modified-since`.
fn conditional_headers(validators: &Validators) -> impl Iterator<Item = (&'static str, &str)> {
    let etag = validators.etag.as_deref().map(|v| ("if-none-match", v));
    let date = validators
        .last_modified
        .as_deref()
        .map(|v| ("if-modified-since", v));
    etag.into_iter().chain(date)
}

/// `host` or `host:port`, as a request names its server.
fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => shorten(url.as_str()),
    }
}

/// A response's headers in the order received, names in lower case (as `http` keeps them). A
/// value that is not UTF-8 is read as Latin-1, byte for byte, as HTTP/1.1 defined header text.
fn header_list(headers: &ureq::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = match value.to_str() {
                Ok(v) => v.to_owned(),
                Err(_) => value.as_bytes().iter().map(|&b| char::from(b)).collect(),
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}

fn version_name(version: ureq::http::Version) -> &'static str {
    match version {
        ureq::http::Version::HTTP_09 => "HTTP/0.9",
        ureq::http::Version::HTTP_10 => "HTTP/1.0",
        ureq::http::Version::HTTP_2 => "HTTP/2",
        ureq::http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    /// A resolver that fails as the system's does for a name that does not exist, so that no
    /// test asks a DNS server.
    #[derive(Debug)]
    struct NoSuchName;

    impl Resolver for NoSuchName {
        fn resolve(
            &self,
            _: &ureq::http::Uri,
            _: &ureq::config::Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            Err(ureq::Error::Io(std::io::Error::other(
                "failed to lookup address information: Name or service not known",
            )))
        }
    }

    fn settings() -> FetchSettings {
        FetchSettings {
            retries: 0,
            ..FetchSettings::default()
        }
    }

    #[test]
    fn a_failed_lookup_names_the_host_and_keeps_its_cause() {
        let fetcher = Fetcher::with_resolver(&settings(), KeepLookupErrors(NoSuchName));
        let url = Url::parse("https://news.example.com:8443/a").unwrap();
        let err = fetcher.fetch(&url, &Validators::default()).unwrap_err();
        let kept = matches!(
            &err,
            FetchError::HostNotFound {
                source: Some(_),
                ..
            }
        );
        assert!(kept, "{err:?}");
        assert_eq!(
            err.to_string(),
            "could not resolve host news.example.com:8443"
        );
        let cause = err.source().expect("a cause").to_string();
        assert!(cause.contains("Name or service not known"), "{cause}");
        assert!(err.is_transient());
    }

    #[test]
    fn an_unsupported_scheme_is_not_retried() {
        let fetcher = Fetcher::new(&settings());
        let url = Url::parse("ftp://example.com/a").unwrap();
        let err = fetcher.fetch(&url, &Validators::default()).unwrap_err();
        assert!(
            matches!(err, FetchError::UnsupportedScheme { .. }),
            "{err:?}"
        );
        assert!(!err.is_transient());
    }

    /// Answers each connection on 127.0.0.1 with the next of `answers` (raw HTTP/1.1).
    fn serve(answers: Vec<&'static [u8]>) -> String {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for answer in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut request);
                stream.write_all(answer).unwrap();
            }
        });
        base
    }

    #[test]
    fn redirects_and_headers_are_kept_as_received() {
        let base = serve(vec![
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: /b\r\nX-Hop: 1\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nServer: test\r\nContent-Type: text/html\r\nX-Odd: caf\xe9\r\n\
             Content-Length: 2\r\n\r\nok",
        ]);
        let url = Url::parse(&format!("{base}/a")).unwrap();
        let fetched = Fetcher::new(&settings())
            .fetch(&url, &Validators::default())
            .unwrap();
        assert_eq!(fetched.requested_url, url);
        assert_eq!(fetched.final_url.path(), "/b");
        let [hop] = fetched.redirects.as_slice() else {
            panic!("{:?}", fetched.redirects)
        };
        assert_eq!(
            (hop.url.path(), hop.status, hop.version),
            ("/a", 301, "HTTP/1.1")
        );
        assert!(
            hop.headers.contains(&("location".into(), "/b".into())),
            "{hop:?}"
        );
        assert!(
            hop.headers.contains(&("x-hop".into(), "1".into())),
            "{hop:?}"
        );
        let names: Vec<&str> = fetched.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["server", "content-type", "x-odd", "content-length"]);
        assert_eq!(fetched.headers[2].1, "caf\u{e9}");
        assert_eq!(fetched.content_type.as_deref(), Some("text/html"));
        assert_eq!(fetched.version, Some("HTTP/1.1"));
        assert_eq!(fetched.body, b"ok");
    }
}
