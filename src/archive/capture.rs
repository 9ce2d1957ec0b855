//! The HTTP part of a capture: what was asked, every redirect on the way, and the status line
//! and headers of the answer, kept beside the raw bytes as evidence of what was served.
//!
//! It is stored as a second git note, `refs/notes/http` (`git notes --ref=http show
//! <commit>`), in plain text that reads like the exchange itself: for each request, a request
//! line with the absolute URL and the request headers palimpsest set, a blank line, the status
//! line and headers of the answer, a blank line; a redirect is followed by the next request.
//!
//! ```text
//! GET http://news.example.com/a HTTP/1.1
//! user-agent: palimpsest/0.1.0
//!
//! HTTP/1.1 301 Moved Permanently
//! location: /b
//!
//! GET http://news.example.com/b HTTP/1.1
//! user-agent: palimpsest/0.1.0
//!
//! HTTP/1.1 200 OK
//! content-type: text/html
//! ```
//!
//! Header names are in lower case, as received by the HTTP client; the reason phrase is the
//! standard one for the status (the client does not keep the one the server sent). The body is
//! not here: it is the `refs/notes/raw` note, whose blake3 is the commit's `Source-Hash`.
//! Versions recorded before this note existed, from local files or imported from git, have
//! none.

use crate::fetch::Fetched;
use url::Url;

/// What was asked and answered for one version, hop by hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// Each request and its answer in order: the redirects, then the answer whose body was
    /// read. Never empty.
    pub exchanges: Vec<Exchange>,
}

/// One request and the status line and headers of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The URL asked for.
    pub url: Url,
    /// The request headers palimpsest set (the HTTP client adds `host`, `accept` and
    /// `accept-encoding`), names in lower case; empty where they are not known.
    pub request_headers: Vec<(String, String)>,
    /// The protocol of the answer (`HTTP/1.1`).
    pub version: String,
    /// The answer's status code.
    pub status: u16,
    /// The answer's headers as received, in order, names in lower case.
    pub headers: Vec<(String, String)>,
}

/// A note that is not a capture as [`Capture::to_text`] writes it.
#[derive(Debug, thiserror::Error)]
#[error("the HTTP note is malformed: {0}")]
pub struct MalformedCapture(String);

impl Capture {
    /// The HTTP part of a fetch; `None` for a local file, which has no HTTP exchange.
    /// `request_headers` are the headers sent with each request.
    pub fn of(fetched: &Fetched, request_headers: &[(String, String)]) -> Option<Capture> {
        let version = fetched.version?;
        let mut exchanges: Vec<Exchange> = fetched
            .redirects
            .iter()
            .map(|hop| Exchange {
                url: hop.url.clone(),
                request_headers: request_headers.to_vec(),
                version: hop.version.to_owned(),
                status: hop.status,
                headers: hop.headers.clone(),
            })
            .collect();
        exchanges.push(Exchange {
            url: fetched.final_url.clone(),
            request_headers: request_headers.to_vec(),
            version: version.to_owned(),
            status: fetched.status,
            headers: fetched.headers.clone(),
        });
        Some(Capture { exchanges })
    }

    /// The answer whose body was read: the last exchange.
    pub fn answer(&self) -> &Exchange {
        self.exchanges.last().expect("a capture has an exchange")
    }

    /// The note's text (see the module doc).
    pub fn to_text(&self) -> String {
        // Written with `push_str` rather than `format!`, which cost a snapshot run's recorder
        // 3% more instructions (`valgrind --tool=callgrind` on `cargo bench --bench record`).
        let mut out = String::with_capacity(1024);
        for e in &self.exchanges {
            out.push_str("GET ");
            out.push_str(e.url.as_str());
            out.push(' ');
            out.push_str(&e.version);
            out.push('\n');
            push_headers(&mut out, &e.request_headers);
            out.push('\n');
            out.push_str(&e.status_line());
            out.push('\n');
            push_headers(&mut out, &e.headers);
            out.push('\n');
        }
        out
    }

    /// Reads a note written by [`Capture::to_text`].
    pub fn parse(text: &str) -> Result<Capture, MalformedCapture> {
        let bad = |what: &str| MalformedCapture(what.to_owned());
        let mut blocks = text.split("\n\n").filter(|b| !b.trim().is_empty());
        let mut exchanges = Vec::new();
        while let Some(request) = blocks.next() {
            let mut lines = request.lines();
            let line = lines.next().ok_or_else(|| bad("an empty request"))?;
            let mut words = line.splitn(3, ' ');
            let (Some("GET"), Some(url)) = (words.next(), words.next()) else {
                return Err(bad(&format!("{line:?} is not a request line")));
            };
            let url = Url::parse(url).map_err(|_| bad(&format!("{url:?} is not a URL")))?;
            let request_headers = parse_headers(lines)?;
            let response = blocks
                .next()
                .ok_or_else(|| bad("a request without an answer"))?;
            let mut lines = response.lines();
            let line = lines.next().unwrap_or_default();
            let mut words = line.splitn(3, ' ');
            let (Some(version), Some(status)) = (words.next(), words.next()) else {
                return Err(bad(&format!("{line:?} is not a status line")));
            };
            let status = status
                .parse()
                .map_err(|_| bad(&format!("{line:?} is not a status line")))?;
            exchanges.push(Exchange {
                url,
                request_headers,
                version: version.to_owned(),
                status,
                headers: parse_headers(lines)?,
            });
        }
        if exchanges.is_empty() {
            return Err(bad("no exchange"));
        }
        Ok(Capture { exchanges })
    }
}

impl Exchange {
    /// `HTTP/1.1 200 OK`.
    pub fn status_line(&self) -> String {
        status_line(&self.version, self.status)
    }

    /// The first value of header `name` (lower case) of the answer.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `HTTP/1.1 200 OK`: the protocol, the status and its standard reason phrase.
pub fn status_line(version: &str, status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    let mut line = String::with_capacity(32);
    line.push_str(version);
    line.push(' ');
    line.push_str(&status.to_string());
    if let Some(reason) = reason {
        line.push(' ');
        line.push_str(reason);
    }
    line
}

fn push_headers(out: &mut String, headers: &[(String, String)]) {
    for (name, value) in headers {
        out.push_str(name);
        out.push_str(": ");
        // A value can't hold a line break (HTTP forbids them; the client rejects them), but
        // one must never break the note's shape.
        if value.contains(['\r', '\n']) {
            out.push_str(&value.replace(['\r', '\n'], " "));
        } else {
            out.push_str(value);
        }
        out.push('\n');
    }
}

fn parse_headers<'a>(
    lines: impl Iterator<Item = &'a str>,
) -> Result<Vec<(String, String)>, MalformedCapture> {
    lines
        .map(|line| {
            line.split_once(": ")
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .ok_or_else(|| MalformedCapture(format!("{line:?} is not a header")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_reads_back() {
        let url = |p: &str| Url::parse(&format!("http://news.test{p}")).unwrap();
        let ua = vec![("user-agent".to_owned(), "palimpsest/0".to_owned())];
        let capture = Capture {
            exchanges: vec![
                Exchange {
                    url: url("/a"),
                    request_headers: ua.clone(),
                    version: "HTTP/1.1".into(),
                    status: 301,
                    headers: vec![("location".into(), "/b".into())],
                },
                Exchange {
                    url: url("/b"),
                    request_headers: Vec::new(),
                    version: "HTTP/2".into(),
                    status: 200,
                    headers: vec![
                        ("content-type".into(), "text/html".into()),
                        ("x-empty".into(), "".into()),
                    ],
                },
            ],
        };
        let text = capture.to_text();
        assert!(
            text.starts_with(
                "GET http://news.test/a HTTP/1.1\nuser-agent: palimpsest/0\n\n\
                 HTTP/1.1 301 Moved Permanently\nlocation: /b\n\nGET http://news.test/b HTTP/2\n\n"
            ),
            "{text}"
        );
        assert_eq!(Capture::parse(&text).unwrap(), capture);
        assert!(Capture::parse("GET x HTTP/1.1\n\n").is_err());
        assert!(Capture::parse("").is_err());
    }
}
