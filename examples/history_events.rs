//! Replays version histories of mirrored articles through `page::read` and compares the events
//! an archive would record with the expected ones (a development tool; import-git's test will
//! replace it).
//!
//! Usage: `cargo run --release --example history_events -- HISTORIES_DIR [--diff]`
//! where HISTORIES_DIR holds `index.tsv` and one folder per article with `versions.tsv` (the
//! layout of corpus/histories). `--diff` also prints what changed in each mismatching version.

use palimpsest::extract::SiteRules;
use palimpsest::normalize::Document;
use palimpsest::page;
use std::collections::BTreeMap;
use std::path::Path;
use url::Url;

const KINDS: [&str; 5] = ["new", "title", "body", "deleted", "restored"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_diff = args.iter().any(|a| a == "--diff");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .ok_or("usage: history_events HISTORIES_DIR [--diff]")?;
    let dir = Path::new(dir);
    let index = std::fs::read_to_string(dir.join("index.tsv"))?;
    let rules = SiteRules::default();
    let mut expected_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut got_counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut matched, mut expected_total, mut got_total, mut versions) = (0, 0, 0, 0);
    let (mut mismatches, mut suspects) = (0, 0);
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [folder, repo, path, ..] = cols[..] else {
            continue;
        };
        let url = Url::parse(&format!("https://github.com/{repo}/blob/master/{path}"))?;
        let folder_dir = dir.join(folder);
        let table = std::fs::read_to_string(folder_dir.join("versions.tsv"))?;
        let mut last: Option<Document> = None;
        let mut present = false;
        for row in table.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            let [seq, _, _, status, file, expected] = cols[..] else {
                return Err(format!("{folder}: bad row {row:?}").into());
            };
            versions += 1;
            let mut got: Vec<&str> = Vec::new();
            let mut before: Option<Document> = None;
            if status == "D" {
                if present {
                    got.push("deleted");
                    present = false;
                }
            } else {
                let bytes = std::fs::read(folder_dir.join(file))?;
                match page::read(&bytes, None, &url, &rules) {
                    // A suspect page is not archived: no event, the next version is compared
                    // with the last recorded state.
                    Err(page::PageError::Suspect) => {
                        suspects += 1;
                        println!("SUSPECT {folder} seq {seq}: not archived (mis-encoded)");
                    }
                    Err(e) => return Err(format!("{folder} seq {seq}: {e}").into()),
                    Ok(p) => {
                        let doc = p.document;
                        match &last {
                            None => got.push("new"),
                            Some(prev) => {
                                if !present {
                                    got.push("restored");
                                }
                                if prev.title != doc.title {
                                    got.push("title");
                                }
                                if prev.paragraphs != doc.paragraphs {
                                    got.push("body");
                                }
                            }
                        }
                        present = true;
                        before = last.replace(doc);
                    }
                }
            }
            let expected: Vec<&str> = expected.split(',').filter(|e| *e != "-").collect();
            for kind in &expected {
                *expected_counts.entry(kind.to_string()).or_default() += 1;
            }
            for kind in &got {
                *got_counts.entry(kind.to_string()).or_default() += 1;
            }
            expected_total += expected.len();
            got_total += got.len();
            matched += got.iter().filter(|g| expected.contains(g)).count();
            let mut got_sorted = got.clone();
            let mut expected_sorted = expected.clone();
            got_sorted.sort_unstable();
            expected_sorted.sort_unstable();
            if got_sorted != expected_sorted {
                mismatches += 1;
                let show = |v: &[&str]| {
                    if v.is_empty() {
                        "-".to_owned()
                    } else {
                        v.join(",")
                    }
                };
                println!(
                    "MISMATCH {folder} seq {seq}: expected {} got {}",
                    show(&expected),
                    show(&got)
                );
                if let (true, Some(old), Some(new)) = (show_diff, &before, &last) {
                    print_diff(old, new);
                }
            }
        }
    }
    println!("\n{versions} versions, {mismatches} mismatching, {suspects} suspect (not archived)");
    println!("{:<10} {:>8} {:>8}", "event", "expected", "recorded");
    for kind in KINDS {
        let e = expected_counts.get(kind).copied().unwrap_or(0);
        let g = got_counts.get(kind).copied().unwrap_or(0);
        println!("{kind:<10} {e:>8} {g:>8}");
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    println!(
        "precision {:.4}  recall {:.4}  ({matched} matched, {got_total} recorded, {expected_total} expected)",
        ratio(matched, got_total),
        ratio(matched, expected_total)
    );
    Ok(())
}

fn print_diff(old: &Document, new: &Document) {
    if old.title != new.title {
        println!("    title: {:?} -> {:?}", old.title, new.title);
    }
    let (old, new) = (old.body_text(), new.body_text());
    let diff = similar::TextDiff::from_lines(&old, &new);
    for change in diff.iter_all_changes() {
        if change.tag() != similar::ChangeTag::Equal {
            print!("    {}{}", change.tag(), change.value());
        }
    }
}
