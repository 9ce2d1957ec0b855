//! Real version histories (`../shared/corpus/histories`, when present): `import-git` must
//! record exactly the expected events. Run with `--nocapture` to see the per-kind table:
//! `cargo test --release --test runner histories -- --nocapture`.

use crate::common::{self, TestEnv, git};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

struct Row {
    seq: String,
    date: String,
    deleted: bool,
    file: String,
    expected: BTreeSet<String>,
}

fn rows(folder: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(folder.join("versions.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Row {
                seq: cols[0].to_owned(),
                date: cols[2].to_owned(),
                deleted: cols[3] == "D",
                file: cols[4].to_owned(),
                expected: cols[5]
                    .split(',')
                    .filter(|e| *e != "-")
                    .map(str::to_owned)
                    .collect(),
            }
        })
        .collect()
}

/// Builds a source repository with one commit per row, at the row's date; returns commit → seq.
fn build_source(dir: &Path, folder: &Path, path: &str, rows: &[Row]) -> HashMap<String, String> {
    git::run(dir, &["init", "-q", "-b", "main"]);
    let mut commits = HashMap::new();
    for row in rows {
        let target = dir.join(path);
        if row.deleted {
            git::run(dir, &["rm", "-q", "--", path]);
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(folder.join(&row.file), &target).unwrap();
            git::run(dir, &["add", "--", path]);
        }
        git::commit_at(dir, &row.date, &format!("sync {}", row.seq));
        commits.insert(
            git::run(dir, &["rev-parse", "HEAD"]).trim().to_owned(),
            row.seq.clone(),
        );
    }
    commits
}

#[test]
fn import_git_records_the_expected_events() {
    let Some(index) = common::shared("corpus/histories/index.tsv") else {
        return;
    };
    let corpus = index.parent().unwrap();
    let index = std::fs::read_to_string(corpus.join("index.tsv")).unwrap();
    let kinds = ["new", "title", "body", "deleted", "restored"];
    let (mut expected_count, mut recorded_count, mut true_count) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut mismatches = Vec::new();
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (folder, path) = (corpus.join(cols[0]), cols[2]);
        let rows = rows(&folder);
        let env = TestEnv::new();
        let source = env.dir.path().join("banned-news");
        std::fs::create_dir(&source).unwrap();
        let seq_of = build_source(&source, &folder, path, &rows);
        env.run(&["import-git", source.to_str().unwrap()]).success();

        let mut recorded: HashMap<String, BTreeSet<String>> = HashMap::new();
        let log = env.git(&["log", "--format=%(trailers:key=Imported-From,valueonly,separator=)|%(trailers:key=Change,valueonly,separator=)"]);
        for entry in log.lines().filter(|l| !l.starts_with('|')) {
            let (from, change) = entry.split_once('|').unwrap();
            let commit = from.split(':').next().unwrap();
            let seq = seq_of[commit].clone();
            recorded.insert(seq, change.split(", ").map(str::to_owned).collect());
        }
        for row in &rows {
            let got = recorded.remove(&row.seq).unwrap_or_default();
            for k in &row.expected {
                *expected_count.entry(k.clone()).or_insert(0) += 1;
            }
            for k in &got {
                *recorded_count.entry(k.clone()).or_insert(0) += 1;
                if row.expected.contains(k) {
                    *true_count.entry(k.clone()).or_insert(0) += 1;
                }
            }
            if got != row.expected {
                mismatches.push(format!(
                    "{} #{}: expected {:?}, recorded {:?}",
                    cols[0], row.seq, row.expected, got
                ));
            }
        }
        git::assert_sound(&env.archive);
    }
    eprintln!(
        "{:<10} {:>9} {:>9} {:>9}",
        "event", "expected", "recorded", "correct"
    );
    for k in kinds {
        let get = |m: &BTreeMap<String, usize>| m.get(k).copied().unwrap_or(0);
        eprintln!(
            "{k:<10} {:>9} {:>9} {:>9}",
            get(&expected_count),
            get(&recorded_count),
            get(&true_count)
        );
    }
    let (e, r, t): (usize, usize, usize) = (
        expected_count.values().sum(),
        recorded_count.values().sum(),
        true_count.values().sum(),
    );
    eprintln!(
        "precision {:.3}  recall {:.3}",
        t as f64 / r.max(1) as f64,
        t as f64 / e.max(1) as f64
    );
    assert!(
        mismatches.is_empty(),
        "{} versions differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
