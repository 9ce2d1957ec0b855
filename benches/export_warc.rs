//! `palimpsest export-warc` speed: 10,000 captures (each a page of about 30 KB with its HTTP
//! exchange) written as a WARC file, against a baseline in the same run that reads the same raw
//! bytes from the archive's notes and writes them to a file as they are (what any export must
//! at least do).
//!
//! `cargo bench --bench export_warc [-- CAPTURES]`: records CAPTURES versions (default 10000;
//! not timed), then times the baseline and the export, three times each, and prints the best.
//! Then the WARC file is imported into a new archive (`import-warc`, not timed) and each
//! version is compared with the one it was exported from: its text, its hashes, its fetch time
//! and status, and its HTTP exchange.

use palimpsest::archive::capture::{Capture, Exchange};
use palimpsest::archive::{Archive, Observation, Seen};
use palimpsest::extract::SiteRules;
use palimpsest::normalize::Document;
use palimpsest::warc::export::{self, Selection};
use std::io::Write;
use std::time::{Duration, Instant};
use url::Url;

/// The page fetched for article `i` at `url`, and what reading it gives.
fn page(i: usize, url: &Url, rules: &SiteRules) -> (Document, Vec<u8>) {
    let paragraphs: Vec<Vec<String>> = (0..12)
        .map(|p| {
            vec![format!(
                "Paragraph {p} of article {i} says what the council decided about the budget."
            )]
        })
        .collect();
    let mut html = format!("<!DOCTYPE html><html><head><title>Article {i}</title></head><body>");
    // Navigation, scripts and markup: what makes a news page 30 KB around 2 KB of text.
    for n in 0..300 {
        html.push_str(&format!(
            "<li class=\"nav-item item-{n}\"><a href=\"/section/{}/{n}\">Section {n}</a></li>\n",
            (i * 7 + n) % 97
        ));
    }
    for p in &paragraphs {
        html.push_str(&format!("<p>{}</p>\n", p[0]));
    }
    html.push_str("</body></html>\n");
    let raw = html.into_bytes();
    let document = palimpsest::page::read(&raw, Some("text/html"), url, rules)
        .expect("a page")
        .document;
    (document, raw)
}

fn capture(url: &Url, len: usize) -> Capture {
    let header = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    Capture {
        exchanges: vec![Exchange {
            url: url.clone(),
            request_headers: vec![header("user-agent", "palimpsest/0.1.0")],
            version: "HTTP/1.1".into(),
            status: 200,
            headers: vec![
                header("server", "nginx/1.26.3"),
                header("date", "Sat, 14 Mar 2026 08:00:00 GMT"),
                header("content-type", "text/html; charset=utf-8"),
                header("content-length", &len.to_string()),
                header("etag", "\"69b5155c-bc55\""),
                header("last-modified", "Sat, 14 Mar 2026 07:58:12 GMT"),
            ],
        }],
    }
}

fn best(mut f: impl FnMut() -> u64) -> (Duration, u64) {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let bytes = f();
            (start.elapsed(), bytes)
        })
        .min()
        .expect("three runs")
}

fn main() {
    let captures: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = SiteRules::new(&Default::default()).expect("no rules");
    let base = chrono::Utc::now() - chrono::Duration::days(1);
    let mut archive = Archive::init(&dir.path().join("archive")).expect("init");
    archive.lock(false).expect("lock");
    let started = Instant::now();
    archive
        .with_recorder(|recorder| {
            for i in 0..captures {
                let url = Url::parse(&format!(
                    "https://news{}.example.com/2026/{}/{i}.html",
                    i % 50,
                    i % 400
                ))
                .unwrap();
                let (document, raw) = page(i, &url, &rules);
                recorder.record(Observation {
                    capture: Some(Box::new(capture(&url, raw.len()))),
                    url,
                    fetched_at: base + chrono::Duration::seconds(i as i64),
                    http_status: 200,
                    seen: Seen::Page { document, raw },
                    imported_from: None,
                })?;
            }
            Ok(())
        })
        .expect("record");
    eprintln!("recorded {captures} captures in {:.1?}", started.elapsed());
    let out = dir.path().join("out");

    let (baseline, raw_bytes) = best(|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&out).unwrap());
        let notes = archive.notes().unwrap();
        let mut bytes = 0;
        for v in archive.state().versions_after(None).unwrap() {
            let raw = notes.raw_bytes(&v).unwrap().unwrap();
            bytes += raw.len() as u64;
            file.write_all(&raw).unwrap();
        }
        file.flush().unwrap();
        bytes
    });
    let (exported, warc_bytes) = best(|| {
        let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&out).unwrap());
        let stats = export::export(&archive, &Selection::default(), file).unwrap();
        assert_eq!(stats.captures, captures);
        std::fs::metadata(&out).unwrap().len()
    });
    println!(
        "baseline: {captures} raw pages ({} MB) read and written in {:.2}s",
        raw_bytes >> 20,
        baseline.as_secs_f64()
    );
    println!(
        "export-warc: {captures} captures ({} MB of WARC) in {:.2}s = {:.0}/s ({:.1}x the baseline)",
        warc_bytes >> 20,
        exported.as_secs_f64(),
        captures as f64 / exported.as_secs_f64(),
        exported.as_secs_f64() / baseline.as_secs_f64()
    );

    // The round trip: the WARC file imported into a new archive gives the same versions.
    let other_dir = dir.path().join("other");
    let mut other = Archive::init(&other_dir).expect("init");
    other.lock(false).expect("lock");
    let imported =
        palimpsest::warc::import::import_warc(&mut other, std::slice::from_ref(&out), &mut |_| {})
            .expect("import");
    let key = |a: &Archive| -> Vec<String> {
        let notes = a.notes().unwrap();
        a.state()
            .versions_after(None)
            .unwrap()
            .iter()
            .map(|v| {
                let http = notes.capture(v).unwrap().map(|c| c.to_text());
                format!(
                    "{} {} {:?} {:?} {:?} {} {} {http:?}",
                    v.url,
                    v.title,
                    v.changes,
                    v.content_hash,
                    v.source_hash,
                    v.fetched_at,
                    v.http_status
                )
            })
            .collect()
    };
    let (ours, theirs) = (key(&archive), key(&other));
    let same = ours.iter().zip(&theirs).filter(|(a, b)| a == b).count();
    println!(
        "round trip: {same} of {} versions identical after import-warc ({} recorded, {:.1}%)",
        ours.len(),
        imported.recorded,
        100.0 * same as f64 / ours.len() as f64
    );
}
