//! Audits an archive with the real `git` command-line tool.

use std::path::Path;
use std::process::Command;

pub fn git_command(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C.UTF-8");
    cmd
}

/// Runs git in `repo`; panics with its stderr when it fails.
#[track_caller]
pub fn run(repo: &Path, args: &[&str]) -> String {
    let out = git_command(repo).args(args).output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Raw bytes of `git show <rev>` (or any command whose output is binary).
#[track_caller]
pub fn run_bytes(repo: &Path, args: &[&str]) -> Vec<u8> {
    let out = git_command(repo).args(args).output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `git fsck --strict` passes and the working tree matches HEAD.
#[track_caller]
pub fn assert_sound(repo: &Path) {
    run(repo, &["fsck", "--strict", "--no-progress"]);
    let status = run(repo, &["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "", "git status is not clean");
}

/// The `Change:` trailer of every version commit, oldest first, with the file it touched.
pub fn changes(repo: &Path) -> Vec<String> {
    run(
        repo,
        &[
            "log",
            "--reverse",
            "--format=%(trailers:key=Change,valueonly,separator=)",
        ],
    )
    .lines()
    .filter(|l| !l.is_empty())
    .map(str::to_owned)
    .collect()
}

/// Commits what is staged in `dir` (even nothing), dated `date` (ISO 8601), as a mirror would.
#[track_caller]
pub fn commit_at(dir: &Path, date: &str, message: &str) {
    let out = git_command(dir)
        .args([
            "-c",
            "user.name=mirror",
            "-c",
            "user.email=mirror@example.invalid",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
        ])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
