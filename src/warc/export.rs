//! The archive's captures → a WARC file (`palimpsest export-warc`).
//!
//! Each version becomes the records of what was fetched for it, dated at its fetch time
//! (`WARC-Date`):
//! - a version with its HTTP exchange (`refs/notes/http`): for each request, redirects
//!   included, a `request` record (the request line, `host` and the headers palimpsest set)
//!   and a `response` record (status line, headers, and for the last one the raw bytes of
//!   `refs/notes/raw`), with `WARC-Payload-Digest` of the body and `WARC-Concurrent-To`
//!   linking the two;
//! - a version with raw bytes only (imported from git, read from a local file, recorded
//!   before the HTTP note existed): a `resource` record of the bytes;
//! - a deletion with neither: a `metadata` record (`application/warc-fields`) saying
//!   `http-status: 404` (or what the version's status was).
//!
//! Record ids are derived from the version's commit, so exporting twice writes the same
//! records. The file starts with a `warcinfo` record.

use super::{Record, Writer, http, record_id, sha1_digest, warc_date};
use crate::archive::{Archive, ArchiveError, Version, path};
use chrono::{DateTime, Utc};
use std::io::Write;
use url::Url;

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these articles; every article when empty.
    pub urls: Vec<Url>,
    /// Only versions fetched at or after this.
    pub since: Option<DateTime<Utc>>,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportStats {
    /// Versions exported.
    pub captures: usize,
    /// `response` records written.
    pub responses: usize,
    /// `request` records written.
    pub requests: usize,
    /// `resource` records written (versions with bytes and no HTTP exchange).
    pub resources: usize,
    /// `metadata` records written (deletions with no HTTP exchange).
    pub metadata: usize,
}

/// An export that failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The archive could not be read.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The output could not be written.
    #[error("could not write the WARC file")]
    Write(#[source] std::io::Error),
}

/// Writes the selected versions of `archive`, oldest first, as WARC records to `out`.
pub fn export(
    archive: &Archive,
    selection: &Selection,
    out: impl Write,
) -> Result<ExportStats, ExportError> {
    let paths: std::collections::HashSet<String> =
        selection.urls.iter().map(path::article_path).collect();
    let versions = archive
        .state()
        .versions_after(None)
        .map_err(ArchiveError::from)?;
    let notes = archive.notes()?;
    let mut writer = Writer::new(out);
    let write =
        |writer: &mut Writer<_>, record: &Record| writer.write(record).map_err(ExportError::Write);
    write(&mut writer, &warcinfo())?;
    let mut stats = ExportStats::default();
    for version in versions.iter().filter(|v| {
        (paths.is_empty() || paths.contains(&v.path))
            && selection.since.is_none_or(|since| v.fetched_at >= since)
    }) {
        stats.captures += 1;
        let raw = notes.raw_bytes(version)?;
        let records = match notes.capture(version)? {
            Some(capture) => {
                let mut records = Vec::new();
                let last = capture.exchanges.len() - 1;
                for (i, exchange) in capture.exchanges.iter().enumerate() {
                    let body = match (i == last, &raw) {
                        (true, Some(raw)) => &raw[..],
                        _ => &[][..],
                    };
                    let seed = format!("{}:{i}", version.commit);
                    records.extend(exchange_records(version, exchange, body, &seed));
                }
                records
            }
            None => vec![match raw {
                Some(raw) => resource(version, raw),
                None => metadata(version),
            }],
        };
        for record in &records {
            match record.kind {
                "response" => stats.responses += 1,
                "request" => stats.requests += 1,
                "resource" => stats.resources += 1,
                _ => stats.metadata += 1,
            }
            write(&mut writer, record)?;
        }
    }
    writer.finish().map_err(ExportError::Write)?;
    Ok(stats)
}

fn warcinfo() -> Record {
    let fields = format!(
        "software: palimpsest/{}\r\nformat: WARC File Format 1.1\r\n\
         conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
        env!("CARGO_PKG_VERSION")
    );
    Record {
        kind: "warcinfo",
        fields: vec![
            ("WARC-Record-ID", record_id(&format!("warcinfo:{fields}"))),
            ("WARC-Date", warc_date(&Utc::now())),
            ("Content-Type", "application/warc-fields".into()),
        ],
        block: fields.into_bytes(),
    }
}

/// The `request` and `response` records of one exchange.
fn exchange_records(
    version: &Version,
    exchange: &crate::archive::capture::Exchange,
    body: &[u8],
    seed: &str,
) -> [Record; 2] {
    let date = warc_date(&version.fetched_at);
    let response_id = record_id(&format!("{seed}:response"));
    let request = Record {
        kind: "request",
        fields: vec![
            ("WARC-Record-ID", record_id(&format!("{seed}:request"))),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", exchange.url.to_string()),
            ("WARC-Concurrent-To", response_id.clone()),
            ("Content-Type", "application/http; msgtype=request".into()),
        ],
        block: http::request_block(exchange),
    };
    let mut fields = vec![
        ("WARC-Record-ID", response_id),
        ("WARC-Date", date),
        ("WARC-Target-URI", exchange.url.to_string()),
    ];
    match exchange.version.as_str() {
        "HTTP/2" => fields.push(("WARC-Protocol", "h2".into())),
        "HTTP/3" => fields.push(("WARC-Protocol", "h3".into())),
        _ => {}
    }
    fields.push(("WARC-Payload-Digest", sha1_digest(body)));
    fields.push(("Content-Type", "application/http; msgtype=response".into()));
    let response = Record {
        kind: "response",
        fields,
        block: http::response_block(exchange, body),
    };
    [request, response]
}

fn resource(version: &Version, raw: Vec<u8>) -> Record {
    let fields = vec![
        (
            "WARC-Record-ID",
            record_id(&format!("{}:resource", version.commit)),
        ),
        ("WARC-Date", warc_date(&version.fetched_at)),
        ("WARC-Target-URI", version.url.clone()),
        ("WARC-Payload-Digest", sha1_digest(&raw)),
        ("Content-Type", media_type(&raw).into()),
    ];
    Record {
        kind: "resource",
        fields,
        block: raw,
    }
}

fn metadata(version: &Version) -> Record {
    let block = format!("http-status: {}\r\n", version.http_status).into_bytes();
    Record {
        kind: "metadata",
        fields: vec![
            (
                "WARC-Record-ID",
                record_id(&format!("{}:metadata", version.commit)),
            ),
            ("WARC-Date", warc_date(&version.fetched_at)),
            ("WARC-Target-URI", version.url.clone()),
            ("Content-Type", "application/warc-fields".into()),
        ],
        block,
    }
}

/// What raw bytes without headers are: HTML if they start like it, else unknown bytes.
fn media_type(raw: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&raw[..raw.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<html") || head.contains("<!doctype html") || head.contains("<head") {
        "text/html"
    } else {
        "application/octet-stream"
    }
}
