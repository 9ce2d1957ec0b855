//! Times `diff::compare` on the two cases NOTES.md names: a 20,000-character Chinese article
//! with a few edits, and two unrelated 20,000-character texts (which the deadline must bound).
//!
//! `cargo run --release --example diff_bench [corpus/extraction-zh/truth.json]`; the default path
//! is ../shared's. Prints the median and worst time of each case and the edited case's report.

use palimpsest::diff::{self, DiffReport};
use palimpsest::normalize::{Document, normalize_text, split_sentences};
use palimpsest::render::terminal;
use std::time::{Duration, Instant};

const CHARS: usize = 20_000;
const RUNS: usize = 50;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpus/extraction-zh/truth.json".to_owned());
    let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let bodies: Vec<&str> = truth
        .as_object()
        .ok_or("truth.json is not an object")?
        .values()
        .filter_map(|v| v["body"].as_str())
        .collect();

    let article = document(bodies.iter().copied());
    let edited = edit(&article);
    let unrelated = document(bodies.iter().rev().copied());

    for (name, old, new) in [
        ("20k Chinese, a few edits", &article, &edited),
        ("20k unrelated texts", &article, &unrelated),
    ] {
        let (median, worst, report) = time(old, new);
        println!(
            "{name}: median {median:.2?}, worst {worst:.2?} over {RUNS} runs; {} ({} and {} sentences)",
            report.summary,
            old.sentences().count(),
            new.sentences().count()
        );
    }
    print!(
        "\n{}",
        terminal::render(&diff::compare(&article, &edited), false)
    );
    Ok(())
}

/// About `CHARS` characters of article bodies, normalized as the archive would.
fn document<'a>(bodies: impl Iterator<Item = &'a str>) -> Document {
    let mut paragraphs = Vec::new();
    let mut chars = 0;
    for line in bodies.flat_map(str::lines) {
        let text = normalize_text(line);
        chars += text.chars().count();
        let sentences: Vec<String> = split_sentences(&text)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !sentences.is_empty() {
            paragraphs.push(sentences);
        }
        if chars >= CHARS {
            break;
        }
    }
    Document {
        title: "基准".to_owned(),
        paragraphs,
        ..Document::default()
    }
}

/// A few typical edits: one character replaced, a sentence deleted, one added, one moved to
/// the end, and a comma made half-width.
fn edit(doc: &Document) -> Document {
    let mut new = doc.clone();
    let p = &mut new.paragraphs;
    if let Some(s) = p[3].first_mut() {
        let mut chars: Vec<char> = s.chars().collect();
        let middle = chars.len() / 2;
        chars[middle] = '肆';
        *s = chars.into_iter().collect();
    }
    p[10].remove(0);
    p[20].push("记者随后补充了一句新的说明。".to_owned());
    let moved = p[30].remove(0);
    if let Some(last) = p.last_mut() {
        last.push(moved);
    }
    if let Some(s) = p[40].iter_mut().find(|s| s.contains('，')) {
        *s = s.replacen('，', ",", 1);
    }
    p.retain(|sentences| !sentences.is_empty());
    new
}

fn time(old: &Document, new: &Document) -> (Duration, Duration, DiffReport) {
    let mut times = Vec::with_capacity(RUNS);
    let mut report = diff::compare(old, new);
    for _ in 0..RUNS {
        let start = Instant::now();
        report = diff::compare(old, new);
        times.push(start.elapsed());
    }
    times.sort();
    (times[RUNS / 2], times[RUNS - 1], report)
}
