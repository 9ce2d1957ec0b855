//! Telling someone what a run recorded: `[[notify]]` in `palimpsest.toml`, a webhook (one HTTP
//! POST per run) or a command (the same JSON on its standard input).
//!
//! The outbox is the archive's own index of versions: each notifier has a cursor in the
//! database, the newest version it was given (or passed over, for its filters), and what was
//! recorded after the cursor is what it has still to be told. [`prepare`] sets the cursor of a
//! new notifier at the archive's newest version before a run records anything, so it is told
//! what that run recorded and nothing of the history before it; [`deliver`] sends what is
//! pending after the run and moves the cursor only once the receiver took it (a 2xx answer, a
//! command's exit status 0). So a receiver that fails is given the same changes again on the
//! next run, with what came since, and a change is given once: a run that crashes before it
//! publishes a version has nothing to tell about it, and one that crashes after has it in the
//! index. The only repeat left is a crash between a receiver's answer and the cursor's write;
//! `commit` identifies a change for a receiver that must rule that out too.
//!
//! The JSON is `{"changes": [change, ...]}`, oldest first, each change `{"url", "title",
//! "changes": [kind], "summary", "commit", "number", "fetched_at", "diff_url"}`: `changes`
//! lists the kinds (`new`, `title`, `body`, `deleted`, `restored`, `minor`), `summary` is the
//! sentence count of a body change (`2 sentences edited`) or null, `number` is the version's
//! number within its article, `fetched_at` is RFC 3339 UTC, and `diff_url` (the change in the
//! viewer) is there when `site_url` is set.
//!
//! A command is run directly, split at white space, unless it holds a character a shell gives a
//! meaning to (quotes, `|`, `&`, `;`, `<`, `>`, `$`, a backquote, a backslash, `*`, `?`, `~`,
//! brackets, parentheses, braces, `#`): then it runs as `sh -c COMMAND`. It gets the fetch
//! timeout to finish, or is killed and counts as failed.

use crate::archive::state::NotifierState;
use crate::archive::{Archive, ArchiveError, ChangeKind, Changes, Version, format_time};
use crate::config::NotifySettings;
use crate::fetch::Fetcher;
use crate::render::routes::Route;
use chrono::Utc;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What [`deliver`] did for one notifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The webhook URL or the command.
    pub notifier: String,
    /// Changes delivered now.
    pub sent: usize,
    /// Why the delivery failed (the changes stay pending); `None` when it succeeded or there
    /// was nothing to send.
    pub error: Option<String>,
}

/// One change, as notifiers get it (see the module doc).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// The article's URL.
    pub url: String,
    /// Its title in this version (the last title, for a deletion).
    pub title: String,
    /// The kinds of change: `new`, `title`, `body`, `deleted`, `restored`, `minor`.
    pub changes: Vec<&'static str>,
    /// What changed in the body, sentence by sentence (`2 sentences edited`).
    pub summary: Option<String>,
    /// The version's commit, which identifies the change.
    pub commit: String,
    /// The version's number within its article (1 for the first).
    pub number: usize,
    /// When it was fetched, RFC 3339 UTC.
    pub fetched_at: String,
    /// The change in the viewer, when `site_url` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_url: Option<String>,
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Post(#[from] crate::fetch::FetchError),
    #[error("the webhook answered HTTP {0}")]
    Status(u16),
    #[error("could not run the command")]
    Spawn(#[source] std::io::Error),
    #[error("the command {0}")]
    Exit(String),
}

/// Sets the cursor of each notifier that has none at the archive's newest version, so that it
/// is told of what is recorded from now on. Call it before a run records. Needs the lock.
pub fn prepare(archive: &mut Archive) -> Result<(), ArchiveError> {
    let known = archive.state().notifiers()?;
    let newest = archive.state().newest_version()?;
    let new: Vec<String> = archive
        .config()
        .notify
        .iter()
        .map(|n| n.key().to_owned())
        .filter(|key| !known.iter().any(|k| k.key == *key))
        .collect();
    for key in new {
        archive.record_notifier(&NotifierState {
            key,
            delivered_through: newest,
            failures: 0,
            last_error: None,
            last_attempt: None,
        })?;
    }
    Ok(())
}

/// Gives each notifier what was recorded since its cursor, and moves the cursors of those that
/// took it. A failing notifier fails nothing: its error is in its [`Delivery`] and in
/// `palimpsest status`. Needs the lock.
pub fn deliver(archive: &mut Archive, fetcher: &Fetcher) -> Result<Vec<Delivery>, ArchiveError> {
    prepare(archive)?;
    let states = archive.state().notifiers()?;
    let settings = archive.config().notify.clone();
    let site_url = archive.config().site_url.clone();
    let timeout = archive.config().fetch.timeout();
    let mut deliveries = Vec::new();
    for notifier in &settings {
        let Some(mut state) = states.iter().find(|s| s.key == notifier.key()).cloned() else {
            continue;
        };
        let pending = archive.state().versions_after(state.delivered_through)?;
        let Some(newest) = pending.last().map(|v| v.commit) else {
            continue;
        };
        let sent = filter(notifier, &pending).map(|chosen| {
            let changes: Vec<Change> = chosen
                .iter()
                .map(|v| change(v, site_url.as_deref()))
                .collect();
            (changes.len(), changes)
        });
        let outcome = match sent {
            Err(e) => Err(e),
            Ok((0, _)) => Ok(0),
            Ok((n, changes)) => {
                let body = serde_json::to_vec(&serde_json::json!({ "changes": changes }))
                    .expect("changes serialize");
                send(notifier, &body, fetcher, timeout).map(|()| n)
            }
        };
        state.last_attempt = Some(Utc::now());
        let delivery = match outcome {
            Ok(sent) => {
                state.delivered_through = Some(newest);
                state.failures = 0;
                state.last_error = None;
                Delivery {
                    notifier: state.key.clone(),
                    sent,
                    error: None,
                }
            }
            Err(e) => {
                let error = crate::error_line(&e);
                state.failures += 1;
                state.last_error = Some(error.clone());
                Delivery {
                    notifier: state.key.clone(),
                    sent: 0,
                    error: Some(error),
                }
            }
        };
        archive.record_notifier(&state)?;
        deliveries.push(delivery);
    }
    Ok(deliveries)
}

/// The versions of `pending` that the notifier's filters let through.
fn filter<'v>(
    notifier: &NotifySettings,
    pending: &'v [Version],
) -> Result<Vec<&'v Version>, Failure> {
    let mut kinds = Changes::NONE;
    for name in &notifier.changes {
        let kind: ChangeKind = name.parse().map_err(|_| {
            let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
            Failure::Config(format!(
                "`changes` names {name:?}, which is not a kind of change ({})",
                known.join(", ")
            ))
        })?;
        kinds.insert(kind);
    }
    Ok(pending
        .iter()
        .filter(|v| kinds.is_empty() || v.changes.iter().any(|k| kinds.contains(k)))
        .filter(|v| {
            let site = v.path.split('/').next().unwrap_or_default();
            notifier.sites.is_empty() || notifier.sites.iter().any(|s| s == site)
        })
        .collect())
}

fn change(v: &Version, site_url: Option<&str>) -> Change {
    Change {
        url: v.url.clone(),
        title: v.title.clone(),
        changes: v.changes.iter().map(ChangeKind::as_str).collect(),
        summary: v.summary.clone(),
        commit: v.commit.to_string(),
        number: v.number,
        fetched_at: format_time(&v.fetched_at),
        diff_url: site_url.map(|base| {
            format!(
                "{}/{}",
                base.trim_end_matches('/'),
                Route::change(v).path().trim_start_matches('/')
            )
        }),
    }
}

fn send(
    notifier: &NotifySettings,
    body: &[u8],
    fetcher: &Fetcher,
    timeout: Duration,
) -> Result<(), Failure> {
    if let Some(webhook) = &notifier.webhook {
        let url = url::Url::parse(webhook)
            .map_err(|e| Failure::Config(format!("webhook {webhook:?} is not a URL ({e})")))?;
        let status = fetcher.post(&url, "application/json", body)?;
        return match status {
            200..=299 => Ok(()),
            status => Err(Failure::Status(status)),
        };
    }
    let command = notifier.command.as_deref().unwrap_or_default();
    run_command(command, body, timeout)
}

/// Characters that make a command need a shell.
const SHELL_SYNTAX: &[char] = &[
    '"', '\'', '|', '&', ';', '<', '>', '$', '`', '\\', '*', '?', '~', '[', ']', '(', ')', '{',
    '}', '#',
];

/// Runs `command` with `input` on its standard input; its standard output is discarded, its
/// standard error kept for the error.
fn run_command(command: &str, input: &[u8], timeout: Duration) -> Result<(), Failure> {
    let mut cmd = if command.contains(SHELL_SYNTAX) {
        let mut sh = Command::new("sh");
        sh.arg("-c").arg(command);
        sh
    } else {
        let mut words = command.split_whitespace();
        let program = words
            .next()
            .ok_or_else(|| Failure::Config("the command is empty".into()))?;
        let mut cmd = Command::new(program);
        cmd.args(words);
        cmd
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Failure::Spawn)?;
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    // Written apart, so that a command that does not read its input can't block the run.
    let writer = std::thread::spawn(move || {
        // A command may exit without reading it all: that is its business.
        let _ = stdin.write_all(&input);
    });
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut text);
        text
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(Failure::Spawn)? {
            Some(status) => break Some(status),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let _ = writer.join();
    let stderr = reader.join().unwrap_or_default();
    let said = String::from_utf8_lossy(&stderr);
    let said = said.trim();
    let said = if said.is_empty() {
        String::new()
    } else {
        let line: String = said
            .lines()
            .last()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        format!(": {line}")
    };
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(Failure::Exit(format!("failed ({status}){said}"))),
        None => Err(Failure::Exit(format!(
            "did not finish within {}s and was stopped{said}",
            timeout.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_run_without_a_shell_unless_they_need_one() {
        let timeout = Duration::from_secs(10);
        assert!(run_command("true", b"{}", timeout).is_ok());
        let err = run_command("false", b"{}", timeout).unwrap_err();
        assert!(err.to_string().starts_with("the command failed"), "{err}");
        // `>` is shell syntax: it runs in sh.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got.json");
        let command = format!("cat > '{}'", out.display());
        run_command(&command, b"{\"changes\":[]}", timeout).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"{\"changes\":[]}");
        let err = run_command("sh -c 'echo broke >&2; exit 3'", b"", timeout).unwrap_err();
        assert!(err.to_string().ends_with(": broke"), "{err}");
        let err = run_command("palimpsest-no-such-command", b"", timeout).unwrap_err();
        assert!(matches!(err, Failure::Spawn(_)), "{err:?}");
        let err = run_command("sleep 5", b"", Duration::from_millis(100)).unwrap_err();
        assert!(err.to_string().contains("did not finish"), "{err}");
    }
}
