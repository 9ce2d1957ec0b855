//! Crash safety: `snapshot` killed with SIGKILL at arbitrary moments never corrupts the archive,
//! and the next run ends with exactly the versions a run without kills records.
//!
//! A handful of kills run in the normal suite; `PALIMPSEST_STRESS_KILLS=100 cargo test --release
//! --test runner crash -- --nocapture` runs as many as asked.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const PAGES: usize = 120;

fn page(i: usize, round: usize) -> Vec<u8> {
    let edit = if round > 0 {
        format!(" Revised in round {round}.")
    } else {
        String::new()
    };
    format!(
        "<html><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1>\
         <p>The first paragraph of story {i} reports what happened on the coast.{edit}</p>\
         <p>The second paragraph of story {i} quotes an official. It has two sentences.</p>\
         </article></body></html>"
    )
    .into_bytes()
}

/// A small deterministic generator, so that a failing kill schedule can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn killed_runs_lose_and_duplicate_nothing() {
    let kills: usize = std::env::var("PALIMPSEST_STRESS_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(4);
    let env = TestEnv::new();
    let server = Server::start();
    let urls: Vec<String> = (0..PAGES)
        .map(|i| server.url(&format!("/s/{i}.html")))
        .collect();
    let mut add = vec!["add"];
    add.extend(urls.iter().map(String::as_str));
    env.run(&add).success();
    let snapshot = [
        "snapshot",
        "--all",
        "--host-delay",
        "0",
        "--host-concurrency",
        "8",
        "--quiet",
    ];
    let mut rng = Lcg(0x5eed);
    let rounds = 2;
    for round in 0..rounds {
        for i in 0..PAGES {
            // Slow enough that a run takes a while and a kill lands in the middle of it.
            server.set(
                &format!("/s/{i}.html"),
                Response::html(page(i, round)).delayed(Duration::from_millis(15)),
            );
        }
        for k in 0..kills.div_ceil(rounds) {
            let mut child = env.command().args(snapshot).spawn().unwrap();
            let delay = Duration::from_millis(rng.below(900));
            let started = Instant::now();
            while started.elapsed() < delay && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = child.kill();
            let _ = child.wait();
            // Whatever the moment, git accepts the repository as it is.
            git::run(&env.archive, &["fsck", "--strict", "--no-progress"]);
            let status = env.run(&["status", "--format", "json"]).success();
            assert!(
                status.stdout.contains("\"archive\""),
                "round {round} kill {k}: {status}"
            );
        }
        env.run(&snapshot).success();
        git::assert_sound(&env.archive);
        env.run(&["verify"]).success();
    }
    // Every article: one `new`, then one `body` per later round. Nothing lost, nothing twice.
    let log = env.git(&["log", "--reverse", "--format=%(trailers:key=Url,valueonly,separator=)|%(trailers:key=Change,valueonly,separator=)"]);
    let mut history: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in log.lines().filter(|l| !l.starts_with('|')) {
        let (url, change) = line.split_once('|').unwrap();
        history
            .entry(url.to_owned())
            .or_default()
            .push(change.to_owned());
    }
    assert_eq!(history.len(), PAGES);
    for (url, changes) in &history {
        assert_eq!(changes, &["new", "body"], "{url}");
    }
}

#[test]
fn verify_finds_a_damaged_version() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set("/a", Response::html(page(1, 0)));
    env.run(&["snapshot", "--host-delay", "0", &server.url("/a")])
        .success();
    let report = env.run(&["verify"]).success();
    assert!(report.stdout.contains(": no problems"), "{report}");

    // Rewrite history by hand so that the article no longer matches its Content-Hash.
    let file = env.git(&["ls-files", "*.txt"]).trim().to_owned();
    std::fs::write(env.archive.join(&file), "url: x\ntitle: forged\n").unwrap();
    let message = env.git(&["log", "-1", "--format=%B"]);
    env.git(&[
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@x",
        "commit",
        "-qa",
        "--amend",
        "-m",
        &message,
    ]);
    let report = env.run(&["verify"]).code(1);
    assert!(
        report.stdout.contains("does not match its Content-Hash"),
        "{report}"
    );
    assert!(
        report.stdout.contains("raw bytes are missing"),
        "the amended commit has no notes: {report}"
    );
    assert!(
        report
            .stderr
            .contains("Error: the archive is not sound: 2 problems"),
        "{report}"
    );
}

/// A git-scraping mirror built with `git fast-import`: `files` pages changed in each of
/// `commits` commits, and now and then one removed and put back a commit later.
fn mirror(dir: &std::path::Path, files: usize, commits: usize) {
    use std::io::Write;
    git::run(dir, &["init", "-q", "-b", "master"]);
    let mut stream = Vec::new();
    for c in 0..commits {
        let time = 1_770_000_000 + c * 3600;
        write!(
            stream,
            "commit refs/heads/master\ncommitter mirror <mirror@example.invalid> {time} +0000\n\
             data 5\nsync\n"
        )
        .unwrap();
        for f in 0..files {
            let path = format!("pages/{f}.html");
            if c > 0 && (c + f) % 13 == 0 {
                writeln!(stream, "D {path}").unwrap();
                continue;
            }
            let body = page(f, c);
            write!(stream, "M 100644 inline {path}\ndata {}\n", body.len()).unwrap();
            stream.extend_from_slice(&body);
            stream.push(b'\n');
        }
    }
    let mut child = git::git_command(dir)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
}

/// Each recorded version: URL, kinds of change and where it was imported from.
fn versions(env: &TestEnv) -> Vec<String> {
    env.git(&[
        "log",
        "--reverse",
        "--format=%(trailers:key=Url,valueonly,separator=)|%(trailers:key=Change,valueonly,separator=)|%(trailers:key=Imported-From,valueonly,separator=)",
    ])
    .lines()
    .filter(|l| !l.starts_with('|'))
    .map(str::to_owned)
    .collect()
}

#[track_caller]
fn assert_same_history(got: &[String], expected: &[String]) {
    let first_difference = got.iter().zip(expected).position(|(a, b)| a != b);
    assert!(
        got == expected,
        "{} versions recorded, {} expected; first difference at {first_difference:?}: {:?}",
        got.len(),
        expected.len(),
        first_difference.map(|i| (&got[i], &expected[i]))
    );
}

#[test]
fn killed_imports_lose_and_duplicate_nothing() {
    let kills: usize = std::env::var("PALIMPSEST_STRESS_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(4);
    let source = tempfile::tempdir().unwrap();
    // 2,100 file versions: more than one of the recorder's batches of 2,000.
    mirror(source.path(), 50, 42);
    let source = source.path().to_str().unwrap().to_owned();
    let import = ["import-git", "--json", source.as_str()];

    let reference = TestEnv::new();
    let started = Instant::now();
    reference.run(&import).success();
    let whole = started.elapsed();
    eprintln!("an import without kills took {whole:?}");
    let expected = versions(&reference);
    assert!(expected.len() > 2000, "{}", expected.len());

    let mut env = TestEnv::new();
    let mut rng = Lcg(0x1e7);
    let (mut killed, mut finished) = (0, 0);
    while killed < kills {
        assert!(
            killed + finished < 4 * kills,
            "{finished} imports finished before their kill"
        );
        let branch = env.archive.join(".git/refs/heads/main");
        let published = std::fs::read(&branch).unwrap();
        let mut child = env
            .command()
            .args(import)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let running = |child: &mut std::process::Child| child.try_wait().unwrap().is_none();
        if (killed + finished) % 2 == 0 {
            // Anywhere in the run.
            let delay = Duration::from_millis(rng.below(whole.as_millis() as u64 + 1));
            while started.elapsed() < delay && running(&mut child) {
                std::thread::sleep(Duration::from_millis(2));
            }
        } else {
            // Just after a batch is published: the next run must go on from there.
            while std::fs::read(&branch).unwrap() == published && running(&mut child) {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(rng.below(30)));
        }
        let _ = child.kill();
        if child.wait().unwrap().success() {
            // Finished before the kill, after earlier runs were killed: the whole history is
            // there, once. The next kills start again on a new archive.
            finished += 1;
            git::assert_sound(&env.archive);
            assert_same_history(&versions(&env), &expected);
            env = TestEnv::new();
            continue;
        }
        killed += 1;
        git::run(&env.archive, &["fsck", "--strict", "--no-progress"]);
        // The next command that writes (here one with nothing to do) repairs the working tree.
        env.run(&["snapshot", "--quiet"]).success();
        git::assert_sound(&env.archive);
        let status = env.run(&["status", "--format", "json"]).success();
        assert!(
            status.stdout.contains("\"archive\""),
            "kill {killed}: {status}"
        );
    }
    env.run(&import).success();
    git::assert_sound(&env.archive);
    env.run(&["verify"]).success();
    eprintln!("{killed} imports killed; {finished} finished before their kill");
    assert_same_history(&versions(&env), &expected);
    // Done is done: another run imports nothing.
    let again = env.run(&import).success();
    assert!(again.stdout.contains("\"recorded\":0"), "{again}");
}
