//! Faults around a run: a full disk, a read-only archive, two runs at once, a reader during a
//! write. Each ends with a clear error or a correct result, never a damaged archive.
//!
//! The disk and read-only tests mount file systems, so they need root (CI runs as root); they
//! skip (see `common::skip`) otherwise.

use crate::common::server::{Response, Server};
use crate::common::{self, CommandOutput, TestEnv, git};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn page(title: &str, body: &str) -> Vec<u8> {
    format!(
        "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>\
         <p>{body} The report continues with a second sentence about the same event.</p>\
         </article></body></html>"
    )
    .into_bytes()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:\t0\t")))
}

/// Whether this test can mount file systems; skips it when not.
fn can_mount() -> bool {
    if is_root() {
        return true;
    }
    common::skip(
        "mounting a file system needs root",
        "run the tests as root, as CI does",
    );
    false
}

/// A mount that is undone when dropped, before the temp dir that holds it is removed.
struct Mount(PathBuf);

impl Mount {
    fn run(args: &[&str]) {
        let out = Command::new("mount")
            .args(args)
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "mount {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A tmpfs of `bytes` at `dir`.
    fn tmpfs(dir: &Path, bytes: usize) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        let size = format!("size={bytes}");
        Mount::run(&["-t", "tmpfs", "-o", &size, "tmpfs", dir.to_str().unwrap()]);
        Mount(dir.to_owned())
    }

    /// `dir` bound onto itself, read-only.
    fn read_only(dir: &Path) -> Mount {
        let d = dir.to_str().unwrap();
        Mount::run(&["--bind", d, d]);
        let mount = Mount(dir.to_owned());
        Mount::run(&["-o", "remount,bind,ro", d]);
        mount
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A hash of every file, folder and link under `dir`: names, kinds and contents.
fn tree_hash(dir: &Path) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path.strip_prefix(dir).unwrap();
            hasher.update(rel.as_os_str().as_encoded_bytes());
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                hasher.update(b"/\0");
                stack.push(path);
            } else if meta.is_symlink() {
                hasher.update(b"@\0");
                hasher.update(
                    std::fs::read_link(&path)
                        .unwrap()
                        .as_os_str()
                        .as_encoded_bytes(),
                );
            } else {
                hasher.update(b"\0");
                hasher.update(&std::fs::read(&path).unwrap());
            }
            hasher.update(b"\n");
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// The files under `dir` (relative paths), for a message saying what changed.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            let len = std::fs::symlink_metadata(&path).map_or(0, |m| m.len());
            out.push(format!(
                "{} {len}",
                path.strip_prefix(dir).unwrap().display()
            ));
        }
    }
    out.sort();
    out
}

/// Fills the file system holding `filler` until at most `free` bytes are left.
fn fill(filler: &Path, free: u64) {
    use std::io::Write;
    let _ = std::fs::remove_file(filler);
    let mut file = std::fs::File::create(filler).unwrap();
    let chunk = vec![0xa5u8; 4096];
    let mut written: u64 = 0;
    while file.write_all(&chunk).is_ok() {
        written += chunk.len() as u64;
    }
    file.set_len(written.saturating_sub(free)).unwrap();
    file.sync_all().unwrap();
}

/// `url`'s changes as `git log` lists them, oldest first.
fn history(env: &TestEnv) -> Vec<String> {
    env.git(&[
        "log",
        "--reverse",
        "--format=%(trailers:key=Url,valueonly,separator=) %(trailers:key=Change,valueonly,separator=)",
    ])
    .lines()
    .filter(|l| !l.trim().is_empty())
    .map(str::to_owned)
    .collect()
}

#[test]
fn a_full_disk_leaves_the_archive_unchanged_and_the_next_run_records() {
    if !can_mount() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fs = dir.path().join("fs");
    let _mount = Mount::tmpfs(&fs, 16 << 20);
    let env = TestEnv {
        archive: fs.join("archive"),
        dir,
    };
    env.run(&["init"]).success();
    let server = Server::start();
    server.set(
        "/a",
        Response::html(page("Harbour", "The harbour reopened.")),
    );
    let (a, b) = (server.url("/a"), server.url("/b"));
    let snapshot = ["snapshot", "--all", "--host-delay", "0", "--quiet"];
    env.run(&["add", &a, &b]).success();
    server.set("/b", Response::status(503));
    env.run(&snapshot).code(1);
    // The next run changes one article and adds another: new files, a changed file, a tree.
    server.set(
        "/a",
        Response::html(page("Harbour", "The harbour reopened on Monday.")),
    );
    server.set(
        "/b",
        Response::html(page("Bridge", "The bridge was closed for repairs.")),
    );
    let filler = fs.join("filler");
    let mut failures = 0;
    let mut free = 0;
    loop {
        fill(&filler, free);
        let before = tree_hash(&env.archive);
        let files = listing(&env.archive);
        let out = env.run(&snapshot);
        if out.status == Some(0) {
            break;
        }
        failures += 1;
        assert_eq!(out.status, Some(3), "{free} bytes free: {out}");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{free} bytes free: one line: {out}");
        assert!(
            lines[0].contains("no space left") && lines[0].contains("free space and run again"),
            "{free} bytes free: {out}"
        );
        if tree_hash(&env.archive) != before {
            let after = listing(&env.archive);
            let gone: Vec<_> = files.iter().filter(|f| !after.contains(f)).collect();
            let came: Vec<_> = after.iter().filter(|f| !files.contains(f)).collect();
            panic!(
                "{free} bytes free changed the archive: {out}\nbefore: {gone:#?}\nafter: {came:#?}"
            );
        }
        // Page by page where the pack and refs are written, then faster up to the room that
        // palimpsest sets aside for the rest.
        free += if free < 256 << 10 {
            4096
        } else {
            free / 8 / 4096 * 4096
        };
        assert!(free < 8 << 20, "no run succeeded");
    }
    eprintln!("{failures} runs failed for lack of space before one had enough");
    assert!(failures > 10, "the first runs had no space at all");
    std::fs::remove_file(&filler).unwrap();
    git::assert_sound(&env.archive);
    env.run(&["verify"]).success();
    let mut changes = history(&env);
    changes.sort();
    assert_eq!(
        changes,
        [format!("{a} body"), format!("{a} new"), format!("{b} new")]
    );
}

#[test]
fn a_read_only_archive_is_a_clear_error_and_stays_unchanged() {
    if !can_mount() {
        return;
    }
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/a",
        Response::html(page("Harbour", "The harbour reopened.")),
    );
    let a = server.url("/a");
    let snapshot = ["snapshot", "--all", "--host-delay", "0", "--quiet"];
    env.run(&["add", &a]).success();
    env.run(&snapshot).success();
    server.set(
        "/a",
        Response::html(page("Harbour", "The harbour reopened on Monday.")),
    );
    let before = tree_hash(&env.archive);
    {
        let _ro = Mount::read_only(&env.archive);
        for args in [&snapshot[..], &["add", &server.url("/b")]] {
            let out = env.run(args).code(3);
            let lines: Vec<&str> = out.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "one line: {out}");
            assert!(
                lines[0].contains("read-only") && lines[0].contains("run again"),
                "{out}"
            );
        }
    }
    assert_eq!(tree_hash(&env.archive), before);
    env.run(&snapshot).success();
    git::assert_sound(&env.archive);
    assert_eq!(history(&env), [format!("{a} new"), format!("{a} body")]);
}

/// Slow pages, so that a run holds the archive for a while.
fn slow_site(server: &Server, pages: usize, round: usize) -> Vec<String> {
    (0..pages)
        .map(|i| {
            let path = format!("/s/{i}.html");
            let body = format!("Story {i} reports the news of round {round}.");
            server.set(
                &path,
                Response::html(page(&format!("Story {i}"), &body))
                    .delayed(std::time::Duration::from_millis(50)),
            );
            server.url(&path)
        })
        .collect()
}

/// Every recorded version's URL and changes, counted: nothing may appear twice.
fn assert_recorded_once(env: &TestEnv, articles: usize, rounds: usize) {
    let mut per_url: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for line in history(env) {
        let (url, change) = line.split_once(' ').unwrap();
        per_url
            .entry(url.to_owned())
            .or_default()
            .push(change.to_owned());
    }
    assert_eq!(per_url.len(), articles, "{per_url:#?}");
    let mut expected = vec!["new".to_owned()];
    expected.resize(rounds, "body".to_owned());
    for (url, changes) in per_url {
        assert_eq!(changes, expected, "{url}");
    }
}

#[test]
fn two_runs_at_once_never_record_twice() {
    let env = TestEnv::new();
    let server = Server::start();
    let urls = slow_site(&server, 40, 0);
    let mut add = vec!["add"];
    add.extend(urls.iter().map(String::as_str));
    env.run(&add).success();
    let snapshot = [
        "snapshot",
        "--all",
        "--host-delay",
        "0",
        "--host-concurrency",
        "2",
        "--quiet",
    ];
    let start = |extra: &[&str]| {
        env.command()
            .args(snapshot)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // A run takes a second (40 pages of 50 ms, two at a time), so both start before either
    // ends. Without --wait the second to take the lock exits at once and says why.
    let outs = [start(&[]), start(&[])].map(|c| CommandOutput::from(c.wait_with_output().unwrap()));
    let mut statuses: Vec<Option<i32>> = outs.iter().map(|o| o.status).collect();
    statuses.sort();
    assert_eq!(statuses, [Some(0), Some(3)], "{}\n{}", outs[0], outs[1]);
    let refused = outs.iter().find(|o| o.status == Some(3)).unwrap();
    assert!(
        refused
            .stderr
            .contains("another palimpsest command is writing")
            && refused.stderr.contains("--wait"),
        "{refused}"
    );
    git::assert_sound(&env.archive);
    assert_recorded_once(&env, urls.len(), 1);

    // With --wait both finish; the second finds nothing new.
    slow_site(&server, 40, 1);
    let waiting = [start(&["--wait"]), start(&["--wait"])];
    for child in waiting {
        let out = CommandOutput::from(child.wait_with_output().unwrap());
        assert_eq!(out.status, Some(0), "{out}");
    }
    git::assert_sound(&env.archive);
    env.run(&["verify"]).success();
    assert_recorded_once(&env, urls.len(), 2);
}

/// The diff links of a page of changes: (article path, version number).
fn listed_changes(html: &str) -> Vec<(String, usize)> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| {
            let link = rest.split('"').next()?;
            let (article, diff) = link.strip_prefix("articles/")?.split_once("/diff/")?;
            let to = diff
                .strip_suffix(".html")?
                .split_once('-')?
                .1
                .parse()
                .ok()?;
            Some((article.to_owned(), to))
        })
        .collect()
}

#[test]
fn the_viewer_never_shows_a_half_written_state() {
    let env = TestEnv::new();
    let server = Server::start();
    let urls = slow_site(&server, 60, 0);
    let mut add = vec!["add"];
    add.extend(urls.iter().map(String::as_str));
    env.run(&add).success();
    let viewer = crate::test_web::Viewer::start(&env);
    let rounds = 4;
    let done = std::sync::atomic::AtomicBool::new(false);
    let (polls, checked) = std::thread::scope(|scope| {
        scope.spawn(|| {
            for round in 0..rounds {
                slow_site(&server, 60, round);
                env.run(&[
                    "snapshot",
                    "--all",
                    "--host-delay",
                    "0",
                    "--host-concurrency",
                    "4",
                    "--quiet",
                ])
                .success();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let (mut polls, mut checked) = (0, 0);
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            polls += 1;
            let (status, _, front) = viewer.get("/");
            assert_eq!(status, 200, "{front}");
            // Every change listed leads to its diff, and git holds at least that many
            // versions of the article: the viewer never runs ahead of the committed history.
            for (article, number) in listed_changes(&front).into_iter().take(5) {
                let (status, _, body) = viewer.get(&format!(
                    "/articles/{article}/diff/{}-{number}.html",
                    number - 1
                ));
                assert_eq!(status, 200, "{article} version {number}: {body}");
                let (status, _, page) = viewer.get(&format!("/articles/{article}/"));
                assert_eq!(status, 200, "{article}: {page}");
                let shown = page.matches("<td class=\"when\">").count();
                let in_git: usize = env
                    .git(&["rev-list", "--count", "main", "--", &article])
                    .trim()
                    .parse()
                    .unwrap();
                assert!(
                    number <= in_git && shown >= number && shown <= in_git,
                    "{article}: version {number} listed, {shown} shown, {in_git} in git"
                );
                checked += 1;
            }
        }
        (polls, checked)
    });
    eprintln!("{polls} polls of the front page, {checked} articles checked during {rounds} runs");
    assert!(
        polls > 10 && checked > 10,
        "{polls} polls, {checked} checks"
    );
    git::assert_sound(&env.archive);
    assert_recorded_once(&env, urls.len(), rounds);
}
