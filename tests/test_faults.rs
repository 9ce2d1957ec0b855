//! Faults around a run: a full disk, a read-only archive, two runs at once, a reader during a
//! write. Each ends with a clear error or a correct result, never a damaged archive.
//!
//! The disk and read-only tests mount file systems, so they need root (CI runs as root); they
//! skip with a message otherwise.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git};
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Whether this test can mount file systems; prints why it skips when not.
fn can_mount(test: &str) -> bool {
    if is_root() {
        return true;
    }
    eprintln!("skipping {test}: mounting a file system needs root (CI runs as root)");
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
    if !can_mount("a_full_disk_leaves_the_archive_unchanged_and_the_next_run_records") {
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
    if !can_mount("a_read_only_archive_is_a_clear_error_and_stays_unchanged") {
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
