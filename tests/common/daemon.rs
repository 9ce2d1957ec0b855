//! A real `git daemon` on 127.0.0.1 serving bare repositories, pushes allowed, as a hub's remote
//! for collectors. It stops when dropped.

use super::git;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Daemon {
    child: Child,
    port: u16,
    /// The folder whose repositories it serves.
    pub base: PathBuf,
}

impl Daemon {
    /// Serves the repositories under `base`; `None`, after [`super::skip`], when git has no
    /// daemon.
    #[track_caller]
    pub fn start(base: &Path) -> Option<Daemon> {
        let exec_path = git::run(base, &["--exec-path"]);
        if !Path::new(exec_path.trim()).join("git-daemon").exists() {
            super::skip(
                "git daemon is missing",
                "install a git that has it, e.g. `apt-get install git`",
            );
            return None;
        }
        // A free port: git daemon can't pick one and say which.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // The daemon itself, not `git daemon`, which would run it as a child that outlives a
        // kill.
        let child = Command::new(Path::new(exec_path.trim()).join("git-daemon"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args([
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                "--export-all",
                "--enable=receive-pack",
                "--informative-errors",
            ])
            .arg(base)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            // Killed clients make it complain; what went wrong reaches the client anyway.
            .stderr(Stdio::null())
            .spawn()
            .expect("start git daemon");
        let daemon = Daemon {
            child,
            port,
            base: base.to_owned(),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "git daemon did not listen on 127.0.0.1:{port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(daemon)
    }

    /// Creates the bare repository `name` under the base folder and returns its `git://` URL.
    pub fn repository(&self, name: &str) -> String {
        let dir = self.base.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(&dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git init --bare");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

impl Daemon {
    /// Waits until the daemon serves no connection, so that what a killed client started on the
    /// server (a receive-pack that already had the whole pack goes on to update the refs) has
    /// ended before the next client comes, as it has by the next run of a cron job.
    pub fn wait_idle(&self) {
        let pid = self.child.id().to_string();
        let started = Instant::now();
        while serving(&pid) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "git daemon still serves a connection after 30 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Whether the process `pid` has a child that is not a zombie (Linux's `/proc`).
fn serving(pid: &str) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // `pid (name) state ppid ...`, where the name may hold spaces.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        state != Some("Z") && fields.next() == Some(pid)
    })
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
