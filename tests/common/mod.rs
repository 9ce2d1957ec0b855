//! Shared test support: a sandboxed environment for the binary, a local HTTP server, git audits.

pub mod daemon;
pub mod git;
pub mod server;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The running test can't run: `missing` is absent, and `install` says how to get it. Under
/// `CI=true` this fails the test, since CI must run every test. Elsewhere it prints
/// `skipped: <test>: <missing> (<install>)` and the test returns: the line goes to the
/// process's stderr itself, past the test harness's capture, so that `cargo test` shows it.
#[track_caller]
pub fn skip(missing: &str, install: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let line = format!("skipped: {test}: {missing} ({install})");
    if std::env::var_os("CI").is_some_and(|v| v == "true") {
        panic!("{line}; under CI=true a missing prerequisite fails the run");
    }
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// `path` under `../shared`, the development corpora next to the repository; `None`, after
/// [`skip`], when it is not there.
#[track_caller]
pub fn shared(path: &str) -> Option<PathBuf> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path);
    if full.exists() {
        return Some(full);
    }
    skip(
        &format!("../shared/{path} is missing"),
        "put the shared development corpora at ../shared, next to the repository",
    );
    None
}

/// A temporary home and archive, and a way to run `palimpsest` in them with a clean environment.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub archive: PathBuf,
}

impl TestEnv {
    /// A new environment whose archive is initialized.
    pub fn new() -> TestEnv {
        let env = TestEnv::bare();
        env.run(&["init"]).success();
        env
    }

    /// A new environment without an archive.
    pub fn bare() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let archive = dir.path().join("archive");
        TestEnv { dir, archive }
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_palimpsest"));
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PALIMPSEST_ARCHIVE", &self.archive)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .current_dir(self.dir.path());
        cmd
    }

    #[must_use = "check the exit status with .success() or .code(n)"]
    pub fn run(&self, args: &[&str]) -> CommandOutput {
        CommandOutput::from(self.command().args(args).output().expect("run palimpsest"))
    }

    /// Runs `git` in the archive and returns its stdout; panics when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        git::run(&self.archive, args)
    }

    /// How many commits the archive's branch has.
    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .expect("a count")
    }

    /// Writes `bytes` to `name` in the temp dir and returns its path.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }
}

/// A sample page of the project's own `snapshots/` folder.
pub fn sample(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    pub status: Option<i32>,
}

impl From<std::process::Output> for CommandOutput {
    fn from(o: std::process::Output) -> Self {
        CommandOutput {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            status: o.status.code(),
        }
    }
}

impl CommandOutput {
    #[track_caller]
    pub fn success(self) -> CommandOutput {
        assert_eq!(self.status, Some(0), "command failed:\n{self}");
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> CommandOutput {
        assert_eq!(self.status, Some(code), "unexpected exit status:\n{self}");
        self
    }
}

impl fmt::Display for CommandOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--- stdout\n{}--- stderr\n{}[exit {:?}]",
            self.stdout, self.stderr, self.status
        )
    }
}
