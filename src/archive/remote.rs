//! Git remotes, through git's own transports: `palimpsest push` runs `git push`, `palimpsest
//! pull` runs `git fetch` (then `pull.rs` merges), so that ssh, https with credential helpers,
//! `insteadOf` rewrites, proxies and every server git talks to (`git daemon`, `git
//! http-backend`, a forge) work as the user set git up. No transport is written here.
//!
//! Ref names on the remote carry the shard's name, so that shards never collide and a forge
//! shows each collector as a branch:
//! - the collector's branch → `refs/heads/shards/<name>` (the branch `shards/<name>`);
//! - each of its notes refs, `refs/notes/<notes>` (the raw bytes, and any other) →
//!   `refs/notes/shards/<name>/<notes>` (`git notes --ref=shards/<name>/raw show <commit>`).
//!
//! A push sends them all in one `git push --atomic` (all refs or none), as fast-forwards only:
//! a collector whose history is not the one on the remote (another collector pushing under the
//! same name) is refused by the remote. A hub fetches them into refs of its own,
//! `refs/palimpsest/fetched/heads/<name>` and `refs/palimpsest/fetched/notes/<name>/<notes>`.
//!
//! How git runs: `git --git-dir=<the archive's repository>`, in the user's environment (ssh
//! agents, credential helpers, git config) minus the variables that would point git at another
//! repository (`GIT_DIR`, `GIT_OBJECT_DIRECTORY`, ...), with replace refs off
//! (`GIT_NO_REPLACE_OBJECTS`: evidence goes out and comes in as recorded). When the user is not
//! at a terminal, git must not ask for anything (`GIT_TERMINAL_PROMPT=0`, no standard input): a
//! cron job fails with git's message instead of waiting. git's standard error is kept and
//! becomes the error's cause. Needs git 2.31 or newer (`fetch --atomic`).

use super::{Archive, ArchiveError, BRANCH};
use git2::{Oid, Repository};
use std::fmt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

/// The collectors' branches on a remote, by shard name.
const REMOTE_HEADS: &str = "refs/heads/shards/";
/// The collectors' notes refs on a remote: `<name>/<notes>`.
const REMOTE_NOTES: &str = "refs/notes/shards/";
/// Where a hub keeps the shards as fetched, before they are merged.
pub(super) const FETCHED: &str = "refs/palimpsest/fetched/";
/// Where a hub fetches the collectors' branches to.
pub(super) const FETCHED_HEADS: &str = "refs/palimpsest/fetched/heads/";
/// Where a hub fetches the collectors' notes refs to: `<name>/<notes>`.
pub(super) const FETCHED_NOTES: &str = "refs/palimpsest/fetched/notes/";
/// The notes refs an archive keeps.
pub(super) const NOTES: &str = "refs/notes/";

/// Variables that would make git work on another repository than the one it is given.
const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_QUARANTINE_PATH",
];

/// How `git` may talk to the user during a push or a fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemoteOptions {
    /// The user is at a terminal: git and ssh may ask for a password or a passphrase there.
    /// Otherwise they must fail instead of asking.
    pub interactive: bool,
}

/// A push or a pull could not be done. Nothing local was changed by it.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// `push` on an archive without `[shard]`.
    #[error("this archive has no [shard] name to push under")]
    NoShard,
    /// `pull` on a collector.
    #[error(
        "this archive is a collector ({0}); shards are pulled into a hub, an archive without [shard]"
    )]
    Collector(String),
    /// A remote that git would read as an option.
    #[error("{0:?} is not a git remote name or URL")]
    BadRemote(String),
    /// The `git` command could not be started.
    #[error("could not run git")]
    Spawn(#[source] std::io::Error),
    /// git ran and failed; its messages are the cause.
    #[error("`git {command}` failed ({status})")]
    Git {
        /// The command, without its ref names.
        command: String,
        /// How git exited.
        status: ExitStatus,
        /// What git printed on its standard error.
        #[source]
        messages: GitMessages,
    },
    /// A shard's branch on the remote does not hold what the hub merged of it any more.
    #[error(
        "shard {shard}'s branch was rewritten on the remote: it no longer holds {merged}, which \
         the hub merged; the hub keeps the history it has and merges nothing of {shard}"
    )]
    Rewritten {
        /// The shard.
        shard: String,
        /// What the hub merged of it last.
        merged: Oid,
    },
    /// Two shards have the same article (their hosts overlap), or the same raw bytes note.
    #[error(
        "{path} is in the histories of {shard} and of {other}: a host must belong to one \
         shard only; nothing was merged"
    )]
    Conflict {
        /// The article file (or note) both have.
        path: String,
        /// The shard being merged.
        shard: String,
        /// Who has it already: another shard, or the hub.
        other: String,
    },
}

/// What git printed on its standard error, as an error's cause.
#[derive(Debug)]
pub struct GitMessages(pub String);

impl fmt::Display for GitMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.trim() {
            "" => f.write_str("git printed no message"),
            text => f.write_str(text),
        }
    }
}

impl std::error::Error for GitMessages {}

/// A ref a push sent, or found up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRef {
    /// The ref on the remote, such as `refs/heads/shards/east`.
    pub remote: String,
    /// Whether the remote had it already as it is.
    pub up_to_date: bool,
}

/// What `push` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The shard pushed.
    pub shard: String,
    /// The branch and notes refs, as the remote now has them.
    pub refs: Vec<PushedRef>,
}

impl Archive {
    /// Publishes this collector's branch and every notes ref to `remote` (a remote's name or a
    /// URL, as `git push` takes them) under the shard's name, in one atomic, fast-forward-only
    /// push. Killed at any moment it leaves the remote as it was or fully updated, and can be
    /// run again. Needs no lock: the refs are read once (the branch before the notes, which
    /// the recorder moves first), and what they name is complete.
    pub fn push(&self, remote: &str, options: RemoteOptions) -> Result<Pushed, ArchiveError> {
        let shard = self
            .local
            .config
            .shard
            .as_ref()
            .ok_or(RemoteError::NoShard)?;
        let name = &shard.name;
        let head = self.repo.refname_to_id(&format!("refs/heads/{BRANCH}"))?;
        let mut refspecs = vec![format!("{head}:{REMOTE_HEADS}{name}")];
        for (notes, oid) in refs_under(&self.repo, NOTES)? {
            refspecs.push(format!("{oid}:{REMOTE_NOTES}{name}/{notes}"));
        }
        let mut args = vec!["push", "--atomic", "--porcelain", remote_arg(remote)?];
        args.extend(refspecs.iter().map(String::as_str));
        let stdout = git(self.repo.path(), options, &args, &format!("push {remote}"))?;
        Ok(Pushed {
            shard: name.clone(),
            refs: pushed_refs(&stdout),
        })
    }
}

/// Fetches every shard's branch and notes refs from `remote` into the hub's refs of fetched
/// shards, in one transaction. Objects are checked as they come (`fetch.fsckObjects`), and git's
/// automatic gc is off: it would repack the archive behind the writer's back.
pub(super) fn fetch(
    git_dir: &Path,
    remote: &str,
    options: RemoteOptions,
) -> Result<(), ArchiveError> {
    let heads = format!("+{REMOTE_HEADS}*:{FETCHED_HEADS}*");
    let notes = format!("+{REMOTE_NOTES}*:{FETCHED_NOTES}*");
    let args = [
        "-c",
        "fetch.fsckObjects=true",
        "fetch",
        "--atomic",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-auto-gc",
        "--quiet",
        remote_arg(remote)?,
        &heads,
        &notes,
    ];
    git(git_dir, options, &args, &format!("fetch {remote}"))?;
    Ok(())
}

/// The refs under `prefix`, by the rest of their names, with their targets.
pub(super) fn refs_under(
    repo: &Repository,
    prefix: &str,
) -> Result<Vec<(String, Oid)>, git2::Error> {
    let mut found = Vec::new();
    for reference in repo.references_glob(&format!("{prefix}*"))? {
        let reference = reference?;
        if let (Ok(name), Some(oid)) = (reference.name(), reference.target()) {
            found.push((name[prefix.len()..].to_owned(), oid));
        }
    }
    found.sort();
    Ok(found)
}

/// `remote`, unless git would read it as an option.
fn remote_arg(remote: &str) -> Result<&str, RemoteError> {
    if remote.is_empty() || remote.starts_with('-') {
        return Err(RemoteError::BadRemote(remote.to_owned()));
    }
    Ok(remote)
}

/// Runs `git args` on the repository at `git_dir` (see the module's documentation for its
/// environment); returns its standard output. `what` names the command in errors.
fn git(
    git_dir: &Path,
    options: RemoteOptions,
    args: &[&str],
    what: &str,
) -> Result<String, RemoteError> {
    let mut command = Command::new("git");
    command.arg("--git-dir").arg(git_dir).args(args);
    for variable in REPOSITORY_VARIABLES {
        command.env_remove(variable);
    }
    command
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if options.interactive {
        command.stdin(Stdio::inherit());
    } else {
        command.env("GIT_TERMINAL_PROMPT", "0").stdin(Stdio::null());
    }
    let output = command.output().map_err(RemoteError::Spawn)?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    // A refused push names the refused refs on standard output (`--porcelain`).
    let mut messages: String = stdout
        .lines()
        .filter(|l| l.starts_with('!'))
        .map(|l| format!("{}\n", l.replace('\t', " ")))
        .collect();
    messages.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(RemoteError::Git {
        command: what.to_owned(),
        status: output.status,
        messages: GitMessages(messages),
    })
}

/// The refs of `git push --porcelain`'s output: `<flag>\t<from>:<to>\t<summary>`.
fn pushed_refs(stdout: &str) -> Vec<PushedRef> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let flag = fields.next()?;
            let (_, to) = fields.next()?.split_once(':')?;
            Some(PushedRef {
                remote: to.to_owned(),
                up_to_date: flag == "=",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_names_what_was_pushed() {
        let out = "To git://127.0.0.1:9418/hub.git\n\
                   *\t0123:refs/heads/shards/east\t[new branch]\n\
                   =\t4567:refs/notes/shards/east/raw\t[up to date]\n\
                   Done\n";
        assert_eq!(
            pushed_refs(out),
            [
                PushedRef {
                    remote: "refs/heads/shards/east".into(),
                    up_to_date: false
                },
                PushedRef {
                    remote: "refs/notes/shards/east/raw".into(),
                    up_to_date: true
                },
            ]
        );
    }

    #[test]
    fn a_remote_is_never_an_option() {
        assert!(remote_arg("--upload-pack=touch x").is_err());
        assert!(remote_arg("").is_err());
        assert_eq!(remote_arg("origin").unwrap(), "origin");
    }
}
