//! WARC files written elsewhere → versions in the archive (`palimpsest import-warc`).
//!
//! Each HTML capture of the files is replayed as a fetch at its `WARC-Date`, all files' captures
//! together in date order (a capture's place in its file breaks ties): it is turned into a
//! [`Fetched`] and read by [`crate::snapshot::observe`], the very function a `snapshot` fetch
//! goes through, so a page reads the same and a removal is judged by the same rules whether it
//! was fetched or imported. The archive records only real changes, each with an
//! `Imported-From: <file name>#<record id>` trailer and the capture's HTTP exchange
//! (`refs/notes/http`): its request record's headers where the file has one (by
//! `WARC-Concurrent-To`), its redirects, its status line and headers.
//!
//! Which records count:
//! - `response` records of HTTP answers: a 2xx whose `Content-Type` is HTML (or absent) is a
//!   page; a 404, 410 or 451 is a removal (a deletion of an archived article); any other
//!   status is skipped, as a `snapshot` skips it. A body sent chunked or compressed is read as
//!   the HTTP client would (see [`super::http`]).
//! - A 301, 302, 303, 307 or 308 is followed as a fetch follows it: when the files have a
//!   later capture of the `Location`, that capture is the redirecting URL's, with the redirect
//!   as a hop (as wget writes a redirect and the answer it led to), and not a capture of its
//!   own; a redirect with no capture of where it leads is skipped.
//! - `revisit` records (identical payload) are the earlier capture's body with the revisit's
//!   own status and headers, when the file holds that body (by `WARC-Payload-Digest` or
//!   `WARC-Refers-To`); a revisit of a 304 ("server not modified") changes nothing.
//! - `resource` records of HTML (what `export-warc` writes for versions without HTTP) are pages
//!   with no HTTP exchange; `metadata` records that `export-warc` wrote for deletions
//!   (`http-status: 404`) are deletions. Everything else (`warcinfo`, `request` on its own,
//!   `conversion`, non-HTML answers, robots.txt) is not an article.
//!
//! A capture no newer than the newest version of its article is skipped: history is never
//! inserted before what is archived. `palimpsest.toml` remembers each file by its absolute
//! path with the blake3 of its bytes (`[imports]`), so importing the same file again reads
//! nothing; a file that grew is read again, and what it held before is skipped by the rule
//! above. The captures of a run are held in memory until they are recorded: a crawl of
//! mostly HTML pages of 100 KB needs about 100 MB per 1,000 captures.

use super::http;
use super::{Header, ReadError, Reader};
use crate::archive::capture::Capture;
use crate::archive::{Archive, ArchiveError, Recorded, Recorder};
use crate::config::{self, MAX_PAGE_BYTES};
use crate::extract::SiteRules;
use crate::fetch::{Fetched, Redirect};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// An import that failed. What was recorded before the failure stays recorded.
#[derive(Debug, thiserror::Error)]
pub enum WarcImportError {
    /// A file could not be opened or read.
    #[error("could not open {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// What an import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct WarcImportStats {
    /// Files read (files imported before and unchanged are not).
    pub files: usize,
    /// Files skipped as imported already.
    pub unchanged_files: usize,
    /// Records read.
    pub records: usize,
    /// Captures replayed (pages and removals, redirects followed).
    pub captures: usize,
    /// Captures not newer than their article's newest version.
    pub older: usize,
    /// Captures that were not articles, and why: `<file>#<record id>` and the reason.
    pub skipped: Vec<(String, String)>,
    /// Files that are damaged or not WARC files, and where: what came before the damage was
    /// replayed, and the file is read again by the next import.
    pub damaged: Vec<(String, String)>,
    /// Versions recorded.
    pub recorded: usize,
}

/// One capture to replay.
#[derive(Clone)]
struct Replayed {
    /// The article: the URL asked for.
    url: Url,
    /// The URL of the record that answered.
    final_url: Url,
    date: DateTime<Utc>,
    /// Its file and place there, for order and for `Imported-From`.
    order: (usize, usize),
    name: String,
    status: u16,
    version: String,
    headers: Vec<(String, String)>,
    body: Arc<Vec<u8>>,
    request_headers: Option<Vec<(String, String)>>,
    /// False for a `resource` or `metadata` record, which has no HTTP exchange.
    http: bool,
    /// The redirects followed to this answer.
    redirects: Vec<Redirect>,
}

/// Replays the captures of `files` into `archive` (which must be locked). `on_recorded` sees
/// what each capture recorded, as it is recorded.
pub fn import_warc(
    archive: &mut Archive,
    files: &[PathBuf],
    on_recorded: &mut dyn FnMut(&Recorded),
) -> Result<WarcImportStats, WarcImportError> {
    let rules = SiteRules::new(&archive.config().sites).map_err(ArchiveError::from)?;
    let mut stats = WarcImportStats::default();
    let mut captures = Vec::new();
    let mut done = Vec::new();
    for (file_index, path) in files.iter().enumerate() {
        let open = |source| WarcImportError::Open {
            path: path.clone(),
            source,
        };
        let key = std::fs::canonicalize(path).map_err(open)?;
        let key = key.display().to_string();
        let hash = file_hash(path).map_err(open)?;
        let known = archive.config().imports.get(&key);
        if known.is_some_and(|i| i.tips == [hash.clone()]) {
            stats.unchanged_files += 1;
            continue;
        }
        stats.files += 1;
        match read_file(path, file_index, &mut captures, &mut stats).map_err(open)? {
            None => done.push((key, hash)),
            // What came before the damage is replayed; the file is not remembered, so that it
            // is read again once it is whole.
            Some(e) => stats.damaged.push((file_name(path), crate::error_line(&e))),
        }
    }
    captures.sort_by_key(|c: &Replayed| (c.date, c.order));
    let captures = follow_redirects(captures);
    let mut replay = Replay {
        rules: &rules,
        newest: HashMap::new(),
        stats: &mut stats,
        on_recorded,
    };
    archive.with_recorder(|recorder| {
        for capture in captures {
            replay.record(recorder, capture)?;
        }
        if done.is_empty() {
            return Ok(());
        }
        let mut text = recorder.config_text().to_owned();
        for (key, hash) in &done {
            text = config::with_import_tips(&text, key, std::slice::from_ref(hash))?;
        }
        let names: Vec<String> = done
            .iter()
            .map(|(key, _)| file_name(Path::new(key)))
            .collect();
        recorder.commit_settings(&text, &format!("Import {}\n", names.join(", ")))
    })?;
    Ok(stats)
}

struct Replay<'a> {
    rules: &'a SiteRules,
    /// The newest version of each article seen so far, by path.
    newest: HashMap<String, DateTime<Utc>>,
    stats: &'a mut WarcImportStats,
    on_recorded: &'a mut dyn FnMut(&Recorded),
}

impl Replay<'_> {
    fn record(&mut self, recorder: &mut Recorder, c: Replayed) -> Result<(), ArchiveError> {
        let path = crate::archive::path::article_path(&c.url);
        let newest = match self.newest.get(&path) {
            Some(t) => Some(*t),
            None => recorder.newest_fetch(&path)?,
        };
        if newest.is_some_and(|t| c.date <= t) {
            self.stats.older += 1;
            return Ok(());
        }
        self.stats.captures += 1;
        let header = |name: &str| {
            c.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let fetched = Fetched {
            requested_url: c.url.clone(),
            redirects: c.redirects.clone(),
            final_url: c.final_url.clone(),
            status: c.status,
            version: None,
            content_type: header("content-type"),
            etag: header("etag"),
            last_modified: header("last-modified"),
            headers: c.headers.clone(),
            body: c.body.to_vec(),
            fetched_at: c.date,
        };
        let mut observation = match crate::snapshot::observe(&c.url, fetched, self.rules) {
            Ok(observation) => observation,
            Err(e) => {
                self.stats.skipped.push((c.name, crate::error_line(&e)));
                return Ok(());
            }
        };
        observation.imported_from = Some(c.name.clone());
        observation.capture = c.capture().map(Box::new);
        self.newest.insert(path, c.date);
        if let Some(recorded) = recorder.record(observation)? {
            self.stats.recorded += 1;
            (self.on_recorded)(&recorded);
        }
        Ok(())
    }
}

impl Replayed {
    /// The capture's HTTP exchange, redirects included; `None` without one.
    fn capture(&self) -> Option<Capture> {
        if !self.http {
            return None;
        }
        let fetched = Fetched {
            requested_url: self.redirects.first().map_or(&self.url, |r| &r.url).clone(),
            redirects: self.redirects.clone(),
            final_url: self.final_url().clone(),
            status: self.status,
            version: Some(static_version(&self.version)),
            content_type: None,
            etag: None,
            last_modified: None,
            headers: self.headers.clone(),
            body: Vec::new(),
            fetched_at: self.date,
        };
        Capture::of(&fetched, self.request_headers.as_deref().unwrap_or(&[]))
    }

    /// Where the body came from: the URL of the answer after the redirects.
    fn final_url(&self) -> &Url {
        &self.final_url
    }

    fn is_redirect(&self) -> bool {
        self.http && matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }

    fn location(&self) -> Option<Url> {
        let location = self.headers.iter().find(|(n, _)| n == "location")?;
        self.final_url.join(&location.1).ok()
    }

    fn as_redirect(&self) -> Redirect {
        Redirect {
            url: self.final_url.clone(),
            status: self.status,
            version: static_version(&self.version),
            headers: self.headers.clone(),
        }
    }
}

fn static_version(version: &str) -> &'static str {
    match version {
        "HTTP/1.0" => "HTTP/1.0",
        "HTTP/2" => "HTTP/2",
        "HTTP/3" => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

/// Redirects followed as a fetch follows them: a redirect capture whose `Location` has a
/// later capture becomes that capture recorded under the redirecting URL, with the redirects
/// as hops; the capture it led to is part of that fetch, not one of its own (a page asked for
/// directly has a capture of its own). Redirects with nowhere to go are dropped. `captures`
/// are in date order.
fn follow_redirects(captures: Vec<Replayed>) -> Vec<Replayed> {
    let mut chains: HashMap<usize, (Vec<usize>, usize)> = HashMap::new();
    let mut consumed = std::collections::HashSet::new();
    for (i, c) in captures.iter().enumerate() {
        if !c.is_redirect() || consumed.contains(&i) {
            continue;
        }
        let mut hops = vec![i];
        let target = loop {
            let at = *hops.last().expect("a hop");
            let Some(next) = captures[at].location() else {
                break None;
            };
            let Some(j) = (at + 1..captures.len())
                .find(|&j| captures[j].url == next && !consumed.contains(&j))
            else {
                break None;
            };
            if !captures[j].is_redirect() {
                break Some(j);
            }
            if hops.len() > 20 {
                break None;
            }
            hops.push(j);
        };
        if let Some(target) = target {
            consumed.extend(hops[1..].iter().copied());
            consumed.insert(target);
            chains.insert(i, (hops, target));
        }
    }
    let mut result = Vec::with_capacity(captures.len());
    for (i, c) in captures.iter().enumerate() {
        if consumed.contains(&i) {
            continue;
        }
        if !c.is_redirect() {
            result.push(c.clone());
        } else if let Some((hops, target)) = chains.get(&i) {
            result.push(Replayed {
                url: c.url.clone(),
                date: c.date,
                order: c.order,
                redirects: hops.iter().map(|&h| captures[h].as_redirect()).collect(),
                ..captures[*target].clone()
            });
        }
    }
    result
}

/// Reads the captures of one file into `captures`, up to the end or the first damage, which it
/// returns (a crawl that was cut off ends inside a record).
fn read_file(
    path: &Path,
    file_index: usize,
    captures: &mut Vec<Replayed>,
    stats: &mut WarcImportStats,
) -> Result<Option<ReadError>, std::io::Error> {
    let file = std::fs::File::open(path)?;
    let mut reader = match Reader::new(file) {
        Ok(reader) => reader,
        Err(e) => return Ok(Some(e.into())),
    };
    let mut damage = None;
    let name = file_name(path);
    // Request headers by the response they were sent for; bodies by payload digest and by
    // record id, for revisits.
    let mut requests: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut bodies: HashMap<String, Arc<Vec<u8>>> = HashMap::new();
    let mut found = Vec::new();
    let mut place = 0;
    while let Some(next) = reader.next_record(wanted) {
        let (header, block) = match next {
            Ok(read) => read,
            Err(e) => {
                damage = Some(e);
                break;
            }
        };
        stats.records += 1;
        place += 1;
        let id = header
            .get("WARC-Record-ID")
            .unwrap_or_default()
            .trim_matches(['<', '>'])
            .to_owned();
        let record_name = format!("{name}#{id}");
        let Some(block) = block else { continue };
        let Some(target) = header
            .get("WARC-Target-URI")
            .map(|t| t.trim_matches(['<', '>']))
            .and_then(|t| crate::source::canonical_url(t).ok())
        else {
            continue;
        };
        let Some(date) = header.date() else {
            stats
                .skipped
                .push((record_name, "no valid WARC-Date".into()));
            continue;
        };
        let mut capture = Replayed {
            final_url: target.clone(),
            url: target,
            date,
            order: (file_index, place),
            name: record_name.clone(),
            status: 200,
            version: "HTTP/1.1".into(),
            headers: Vec::new(),
            body: Arc::new(Vec::new()),
            request_headers: None,
            http: true,
            redirects: Vec::new(),
        };
        match header.kind() {
            "request" => {
                // Tools link a request and its answer either way: wget names the request in
                // the response, export-warc (as warcio) the response in the request.
                if let Ok(headers) = http::parse_request_headers(&block) {
                    for link in links(&header) {
                        requests.insert(link, headers.clone());
                    }
                }
                continue;
            }
            "response" | "revisit" => {
                let response = match http::parse_response(&block) {
                    Ok(r) => r,
                    Err(e) => {
                        stats.skipped.push((record_name, e.to_string()));
                        continue;
                    }
                };
                capture.status = response.status;
                capture.version = match header.get("WARC-Protocol") {
                    Some(p) if p.eq_ignore_ascii_case("h2") => "HTTP/2".into(),
                    Some(p) if p.eq_ignore_ascii_case("h3") => "HTTP/3".into(),
                    _ => response.version,
                };
                capture.headers = response.headers;
                let body = Arc::new(response.body);
                if header.kind() == "response" {
                    if let Some(digest) = header.get("WARC-Payload-Digest") {
                        bodies.insert(digest.to_owned(), Arc::clone(&body));
                    }
                    bodies.insert(
                        header.get("WARC-Record-ID").unwrap_or("").into(),
                        Arc::clone(&body),
                    );
                    capture.body = body;
                } else {
                    if capture.status == 304
                        || header
                            .get("WARC-Profile")
                            .is_some_and(|p| p.contains("server-not-modified"))
                    {
                        continue;
                    }
                    let earlier = header
                        .get("WARC-Refers-To")
                        .and_then(|r| bodies.get(r))
                        .or_else(|| {
                            header
                                .get("WARC-Payload-Digest")
                                .and_then(|d| bodies.get(d))
                        });
                    match earlier {
                        Some(body) => capture.body = Arc::clone(body),
                        None => {
                            stats.skipped.push((
                                record_name,
                                "a revisit of a capture that is not in the file".into(),
                            ));
                            continue;
                        }
                    }
                }
                if let Err(reason) = is_article(&capture) {
                    stats.skipped.push((record_name, reason));
                    continue;
                }
            }
            "resource" => {
                let html = header.get("Content-Type").is_some_and(|t| is_html(Some(t)));
                if !html {
                    continue;
                }
                capture.http = false;
                capture.body = Arc::new(block);
            }
            "metadata" => {
                // What `export-warc` writes for a deletion it has no HTTP exchange of.
                let text = String::from_utf8_lossy(&block);
                let Some(status) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("http-status: "))
                    .and_then(|s| s.trim().parse().ok())
                    .filter(|s| matches!(s, 404 | 410 | 451))
                else {
                    continue;
                };
                capture.http = false;
                capture.status = status;
            }
            _ => continue,
        }
        found.push((capture, links(&header)));
    }
    for (mut capture, links) in found {
        capture.request_headers = links.iter().find_map(|l| requests.get(l).cloned());
        captures.push(capture);
    }
    Ok(damage)
}

/// A record's id and the ids it is concurrent to, as written (`<urn:uuid:…>`).
fn links(header: &Header) -> Vec<String> {
    header
        .fields
        .iter()
        .filter(|(n, _)| {
            n.eq_ignore_ascii_case("WARC-Record-ID") || n.eq_ignore_ascii_case("WARC-Concurrent-To")
        })
        .map(|(_, v)| v.clone())
        .collect()
}

/// Whether the record's block is needed: the records that can be captures, up to the size a
/// page may have (compressed on the wire, so a little more).
fn wanted(header: &Header) -> bool {
    matches!(
        header.kind(),
        "response" | "revisit" | "request" | "resource" | "metadata"
    ) && header.content_length <= 2 * MAX_PAGE_BYTES as u64
}

/// Whether an answer is a page or a removal to replay; else why not.
fn is_article(c: &Replayed) -> Result<(), String> {
    match c.status {
        404 | 410 | 451 | 301 | 302 | 303 | 307 | 308 => Ok(()),
        200..=299 => {
            let content_type = c
                .headers
                .iter()
                .find(|(n, _)| n == "content-type")
                .map(|(_, v)| v.as_str());
            if is_html(content_type) {
                Ok(())
            } else {
                Err(format!(
                    "not HTML ({})",
                    content_type.unwrap_or("no content-type")
                ))
            }
        }
        status => Err(format!("HTTP {status}")),
    }
}

/// HTML, or no type at all (a page read from a file has none either).
fn is_html(content_type: Option<&str>) -> bool {
    let Some(t) = content_type else { return true };
    let t = t
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(t.as_str(), "text/html" | "application/xhtml+xml" | "")
}

/// `blake3:<hex>` of a file's bytes.
fn file_hash(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(format!("blake3:{}", hasher.finalize().to_hex()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::super::{Record, Writer, record_id, sha1_digest};
    use super::*;
    use crate::hash::ContentHash;

    fn page(title: &str) -> Vec<u8> {
        format!(
            "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>\
             <p>The council met on Monday about {title} and approved the plan.</p>\
             </article></body></html>"
        )
        .into_bytes()
    }

    fn response(n: usize, url: &str, date: &str, head: &str, body: &[u8]) -> Record {
        let mut block = format!("{head}\r\n\r\n").into_bytes();
        block.extend_from_slice(body);
        Record {
            kind: "response",
            fields: vec![
                ("WARC-Record-ID", record_id(&n.to_string())),
                ("WARC-Date", date.into()),
                ("WARC-Target-URI", url.into()),
                ("WARC-Payload-Digest", sha1_digest(body)),
                ("Content-Type", "application/http; msgtype=response".into()),
            ],
            block,
        }
    }

    /// Revisits, answers that are not pages, and bodies as they came over the wire.
    #[test]
    fn revisits_wire_bodies_and_what_is_not_an_article() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::init(&dir.path().join("a")).unwrap();
        archive.lock(false).unwrap();
        let html = "HTTP/1.1 200 OK\r\nContent-Type: text/html";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&page("Gzipped")).unwrap();
        let gz = gz.finish().unwrap();
        let mut chunked = format!("{:x}\r\n", gz.len()).into_bytes();
        chunked.extend_from_slice(&gz);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        let revisit = Record {
            kind: "revisit",
            fields: vec![
                ("WARC-Record-ID", record_id("revisit")),
                ("WARC-Date", "2026-03-02T00:00:00Z".into()),
                ("WARC-Target-URI", "http://news.test/b".into()),
                (
                    "WARC-Profile",
                    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest".into(),
                ),
                ("WARC-Payload-Digest", sha1_digest(&page("First"))),
                ("Content-Type", "application/http; msgtype=response".into()),
            ],
            block: format!("{html}\r\nX-Again: yes\r\n\r\n").into_bytes(),
        };
        let records = [
            response(
                1,
                "http://news.test/a",
                "2026-03-01T00:00:00Z",
                html,
                &page("First"),
            ),
            revisit,
            response(
                2,
                "http://news.test/c",
                "2026-03-03T00:00:00Z",
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked",
                &chunked,
            ),
            response(
                3,
                "http://news.test/logo.png",
                "2026-03-03T00:00:00Z",
                "HTTP/1.1 200 OK\r\nContent-Type: image/png",
                b"\x89PNG",
            ),
            response(
                4,
                "http://news.test/d",
                "2026-03-03T00:00:00Z",
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html",
                b"oops",
            ),
        ];
        let path = dir.path().join("crawl.warc.gz");
        let mut writer = Writer::new(std::fs::File::create(&path).unwrap());
        for r in &records {
            writer.write(r).unwrap();
        }
        writer.finish().unwrap();

        let stats = import_warc(&mut archive, std::slice::from_ref(&path), &mut |_| {}).unwrap();
        assert_eq!(stats.recorded, 3, "{stats:?}");
        let skipped: Vec<&str> = stats.skipped.iter().map(|(_, why)| why.as_str()).collect();
        assert_eq!(skipped, ["not HTML (image/png)", "HTTP 500"], "{stats:?}");
        let version = |u: &str| {
            let versions = archive.versions(&Url::parse(u).unwrap()).unwrap();
            assert_eq!(versions.len(), 1, "{u}");
            versions.into_iter().next().unwrap()
        };
        let b = version("http://news.test/b");
        assert_eq!(b.title, "First", "the revisit has the body it revisits");
        assert_eq!(b.source_hash, Some(ContentHash::of(&page("First"))));
        assert!(
            archive
                .capture(&b)
                .unwrap()
                .unwrap()
                .to_text()
                .contains("x-again: yes")
        );
        let c = version("http://news.test/c");
        assert_eq!(c.source_hash, Some(ContentHash::of(&page("Gzipped"))));
        assert!(
            c.imported_from
                .unwrap()
                .starts_with("crawl.warc.gz#urn:uuid:")
        );
    }
}
