//! Commit throughput: changed articles recorded per second into git, through the same
//! `Recorder` that `snapshot` and `import-git` use (no fetching, no parsing).
//!
//! `cargo bench --bench record [-- ARTICLES]`: records ARTICLES (default 5000) new articles, then
//! a change to every one of them, and prints both rates. The baseline in the same run is a plain
//! loop that only hashes and formats the same documents, for scale on a noisy machine. Each
//! version comes with a typical HTTP exchange, as a fetch records it (`refs/notes/http`).

use palimpsest::archive::capture::{Capture, Exchange};
use palimpsest::archive::{Archive, Observation, Seen};
use palimpsest::normalize::Document;
use std::time::Instant;
use url::Url;

fn document(url: &Url, i: usize, round: usize) -> Document {
    Document {
        url: url.to_string(),
        title: format!("Article {i}: the council approves the budget"),
        paragraphs: (0..8)
            .map(|p| vec![format!("Paragraph {p} of article {i}, round {round}, says what the council decided."), "A second sentence.".into()])
            .collect(),
        ..Document::default()
    }
}

/// The HTTP exchange of a typical fetch: no redirect, a dozen headers.
fn capture(url: &Url) -> Capture {
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
                header("content-length", "48213"),
                header("last-modified", "Sat, 14 Mar 2026 07:58:12 GMT"),
                header("connection", "keep-alive"),
                header("etag", "\"69b5155c-bc55\""),
                header("cache-control", "max-age=60"),
                header("vary", "Accept-Encoding"),
                header("x-cache", "MISS"),
                header("accept-ranges", "bytes"),
            ],
        }],
    }
}

fn main() {
    let articles: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut archive = Archive::init(&dir.path().join("archive")).expect("init");
    archive.lock(false).expect("lock");
    let urls: Vec<Url> = (0..articles)
        .map(|i| {
            Url::parse(&format!(
                "https://news{}.example.com/2026/{}/{i}.html",
                i % 50,
                i % 400
            ))
            .unwrap()
        })
        .collect();

    let baseline = Instant::now();
    let mut sink = 0usize;
    for (i, url) in urls.iter().enumerate() {
        let bytes = document(url, i, 0).to_bytes();
        sink ^= blake3::hash(&bytes).as_bytes()[0] as usize;
    }
    let baseline = baseline.elapsed();

    for round in 0..2 {
        let started = Instant::now();
        archive
            .with_recorder(|recorder| {
                for (i, url) in urls.iter().enumerate() {
                    let doc = document(url, i, round);
                    let raw = doc.to_bytes();
                    let obs = Observation {
                        url: url.clone(),
                        fetched_at: chrono::Utc::now(),
                        http_status: 200,
                        seen: Seen::Page { document: doc, raw },
                        imported_from: None,
                        capture: Some(Box::new(capture(url))),
                    };
                    recorder.record(obs)?.expect("a change");
                }
                Ok(())
            })
            .expect("record");
        let elapsed = started.elapsed();
        let what = if round == 0 { "new" } else { "changed" };
        println!(
            "{what:>8}: {articles} articles in {:.2}s = {:.0}/s ({:.0}x the baseline loop)",
            elapsed.as_secs_f64(),
            articles as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() / baseline.as_secs_f64()
        );
    }
    println!(
        "baseline: hash+format {articles} documents in {:.3}s ({sink})",
        baseline.as_secs_f64()
    );
}
