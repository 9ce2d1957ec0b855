//! `palimpsest export-warc` speed: 10,000 captures (each a page of about 30 KB with its HTTP
//! exchange) written as a WARC file, against a baseline in the same run that reads the same raw
//! bytes from the archive's notes and writes them to a file as they are (what any export must
//! at least do).
//!
//! `cargo bench --bench export_warc [-- CAPTURES]`: records CAPTURES versions (default 10000;
//! not timed), then times the baseline and the export, three times each, and prints the best.

use palimpsest::archive::capture::{Capture, Exchange};
use palimpsest::archive::{Archive, Observation, Seen};
use palimpsest::normalize::Document;
use palimpsest::warc::export::{self, Selection};
use std::io::Write;
use std::time::{Duration, Instant};
use url::Url;

fn page(i: usize) -> (Document, Vec<u8>) {
    let url = format!(
        "https://news{}.example.com/2026/{}/{i}.html",
        i % 50,
        i % 400
    );
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
    let document = Document {
        url,
        title: format!("Article {i}"),
        paragraphs,
        ..Document::default()
    };
    (document, html.into_bytes())
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
    let mut archive = Archive::init(&dir.path().join("archive")).expect("init");
    archive.lock(false).expect("lock");
    let started = Instant::now();
    archive
        .with_recorder(|recorder| {
            for i in 0..captures {
                let (document, raw) = page(i);
                let url = Url::parse(&document.url).unwrap();
                recorder.record(Observation {
                    capture: Some(Box::new(capture(&url, raw.len()))),
                    url,
                    fetched_at: chrono::Utc::now(),
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
}
