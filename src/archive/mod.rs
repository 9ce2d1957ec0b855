//! The archive: a plain git repository with one file per article and one commit per change.
//!
//! Layout of an archive directory:
//! - `palimpsest.toml`: tracked articles and settings ([`crate::config`]), committed;
//! - `<host>/<path>.txt`: one file per article ([`path`], [`crate::normalize`]), committed;
//! - `refs/notes/raw`: the raw bytes fetched for each version, as git notes
//!   (`git notes --ref=raw show <commit>`);
//! - `refs/notes/http`: the HTTP exchange of each fetched version (request, redirects, status
//!   line, headers), as plain-text notes ([`capture`]);
//! - `.palimpsest/` (git-ignored): the lock file and the SQLite database ([`state`]);
//! - on a hub, `refs/palimpsest/fetched/`: the shards' refs as last fetched, before they are
//!   merged (`pull.rs`).
//!
//! Commits are written as pack files in git's formats (`pack.rs`) and read through git2, never
//! through the git CLI (which only carries objects to and from remotes, `remote.rs`), and a
//! branch moves only after every object it needs is written, so a crash at any moment leaves a
//! repository that `git fsck` accepts. The working tree and index are brought up to date after
//! each move; a crash between the two is repaired by the next command that takes the lock.
//!
//! One file per job:
//! - what a version changed: `change.rs` (the kinds, [`ChangeKind`] and [`Changes`]),
//!   `classify.rs` (the decision, without git);
//! - writing: `record.rs` ([`Recorder`]: observations → objects in memory), `commit.rs`
//!   (messages, [`Trailers`], commit objects), `tree.rs` (folders), `pack.rs` (pack files),
//!   `publish.rs` (a batch → the branch), `worktree.rs` (the working tree and the git index);
//! - the index of versions: [`state`] (SQLite), `catch_up.rs` (commits → versions);
//! - reading: [`history`] (versions, version specs, their bytes and notes), `verify.rs`;
//! - the HTTP exchange of a version and its note's text: [`capture`];
//! - several machines: `remote.rs` (git's transports: `push`, and the fetch of `pull`),
//!   `pull.rs` (a hub merging the shards' histories);
//! - this file: opening the archive, its settings and its writes to the database; `lock.rs`
//!   (the writer lock and recovery), `error.rs`.

pub mod capture;
mod catch_up;
mod change;
mod classify;
mod commit;
mod error;
pub mod history;
mod lock;
mod pack;
pub mod path;
mod publish;
mod pull;
mod record;
mod remote;
pub mod state;
mod tree;
mod verify;
mod worktree;

pub use change::{ChangeKind, Changes, UnknownChangeKind};
pub use commit::Trailers;
pub use error::{ArchiveError, StorageFault};
pub use history::Version;
pub use pull::{PullReport, ShardPull};
pub use record::{Observation, Recorded, Recorder, Seen};
pub use remote::{GitMessages, Pushed, PushedRef, RemoteError, RemoteOptions};
pub use verify::VerifyReport;

use crate::config::{self, Config};
use catch_up::catch_up;
use git2::Repository;
use state::State;
use std::fs::File;
use std::path::{Path, PathBuf};
use url::Url;

/// Where the raw fetched bytes of each version are kept.
const RAW_NOTES_REF: &str = "refs/notes/raw";
/// Where the HTTP exchange of each version is kept ([`capture`]).
const HTTP_NOTES_REF: &str = "refs/notes/http";
/// The notes a recorder writes, in the order of [`publish::Unpublished::add`]'s notes.
const NOTES_REFS: [&str; 2] = [RAW_NOTES_REF, HTTP_NOTES_REF];
/// The folder of operational files, git-ignored.
const PRIVATE_DIR: &str = ".palimpsest";
/// Present while a published commit has not yet reached the working tree and index; it lists
/// the paths the commit touched, one a line.
const SYNC_MARKER: &str = "sync-pending";
/// Space set aside while a batch is written, freed just before the branch moves (see
/// [`publish`]); a leftover of a killed run is removed by the next lock.
const RESERVE: &str = "reserve";
const BRANCH: &str = "main";

/// An open archive. Reading needs nothing more; writing needs [`Archive::lock`] first.
pub struct Archive {
    repo: Repository,
    local: Local,
}

/// The archive's parts outside git's objects and refs: its folder, settings, database and lock.
/// Kept apart from the repository so that a [`Recorder`] can borrow both at once.
struct Local {
    root: PathBuf,
    config: Config,
    /// The text `config` was read from: the newest, also when not yet published.
    config_text: String,
    state: State,
    lock: Option<File>,
}

/// How the archive writes a time (trailers, database, JSON): RFC 3339 in UTC, to the second,
/// `2026-03-14T08:00:00Z`.
pub fn format_time(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Serializes a time as [`format_time`] writes it.
fn serialize_time<S: serde::Serializer>(
    time: &chrono::DateTime<chrono::Utc>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_time(time))
}

impl Archive {
    /// Creates an archive in `root` (which may exist if empty): a git repository on branch
    /// `main` with a first commit holding `palimpsest.toml` and `.gitignore`.
    pub fn init(root: &Path) -> Result<Archive, ArchiveError> {
        if root.exists() {
            let mut entries = std::fs::read_dir(root).map_err(ArchiveError::io(root))?;
            if entries.next().is_some() {
                return Err(ArchiveError::NotEmpty(root.to_owned()));
            }
        }
        std::fs::create_dir_all(root).map_err(ArchiveError::io(root))?;
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head(BRANCH);
        let repo = Repository::init_opts(root, &opts)?;
        let files = [
            (config::FILE_NAME, config::initial_text()),
            (".gitignore", format!("/{PRIVATE_DIR}/\n")),
        ];
        let mut index = repo.index()?;
        for (name, text) in &files {
            let path = root.join(name);
            std::fs::write(&path, text).map_err(ArchiveError::io(&path))?;
            index.add_path(Path::new(name))?;
        }
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let sig = commit::signature(chrono::Utc::now())?;
        repo.commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Create palimpsest archive\n",
            &tree,
            &[],
        )?;
        drop(tree);
        Archive::open(root)
    }

    /// Opens the archive in `root`.
    pub fn open(root: &Path) -> Result<Archive, ArchiveError> {
        if !root.exists() {
            return Err(ArchiveError::Missing(root.to_owned()));
        }
        let repo =
            Repository::open(root).map_err(|_| ArchiveError::NotAnArchive(root.to_owned()))?;
        let root = repo
            .workdir()
            .ok_or_else(|| ArchiveError::NotAnArchive(root.to_owned()))?
            .to_owned();
        let config_path = root.join(config::FILE_NAME);
        let text = match std::fs::read_to_string(&config_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ArchiveError::NotAnArchive(root));
            }
            Err(e) => return Err(ArchiveError::io(&config_path)(e)),
        };
        let config = Config::parse(&text)?;
        let private = root.join(PRIVATE_DIR);
        std::fs::create_dir_all(&private).map_err(ArchiveError::io(&private))?;
        let db = private.join("state.db");
        let first_connection = !Path::new(&format!("{}-wal", db.display())).exists();
        let mut state = State::open(&db).map_err(|e| error::diagnose(&db, first_connection, e))?;
        catch_up(&repo, &mut state)?;
        Ok(Archive {
            repo,
            local: Local {
                root,
                config,
                config_text: text,
                state,
                lock: None,
            },
        })
    }

    pub fn root(&self) -> &Path {
        &self.local.root
    }

    pub fn config(&self) -> &Config {
        &self.local.config
    }

    /// The database, to read. Writes go through the archive, which needs its lock for them.
    pub fn state(&self) -> &State {
        &self.local.state
    }

    /// Stores the outcomes of a run's checks. Needs the lock ([`Archive::lock`]).
    pub(crate) fn record_checks(
        &mut self,
        updates: &[state::CheckUpdate],
    ) -> Result<(), ArchiveError> {
        self.local.require_lock();
        Ok(self.local.state.record_checks(updates)?)
    }

    /// Stores the summary of a run. Needs the lock ([`Archive::lock`]).
    pub(crate) fn record_run(&mut self, run: &state::Run) -> Result<(), ArchiveError> {
        self.local.require_lock();
        Ok(self.local.state.record_run(run)?)
    }

    /// Stores how far a notifier has delivered. Needs the lock ([`Archive::lock`]).
    pub(crate) fn record_notifier(
        &mut self,
        notifier: &state::NotifierState,
    ) -> Result<(), ArchiveError> {
        self.local.require_lock();
        Ok(self.local.state.set_notifier(notifier)?)
    }

    /// Commits `palimpsest.toml` if it was edited by hand, so that the history shows when
    /// settings changed and `git status` stays clean. Another process may also have changed it
    /// since we opened the archive: either way the file on disk is what counts from now on.
    fn commit_settings(&mut self) -> Result<(), ArchiveError> {
        let path = self.local.root.join(config::FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(ArchiveError::io(&path))?;
        self.local.config = Config::parse(&text)?;
        self.local.config_text.clone_from(&text);
        let tree = self.repo.head()?.peel_to_tree()?;
        let committed = match tree.get_path(Path::new(config::FILE_NAME)) {
            Ok(entry) => Some(self.repo.find_blob(entry.id())?.content().to_vec()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        drop(tree);
        if committed.as_deref() != Some(text.as_bytes()) {
            self.with_recorder(|r| r.commit_settings(&text, "Update palimpsest.toml\n"))?;
        }
        Ok(())
    }

    /// The tracked articles this archive checks, in the order they were added: with a
    /// `[shard]`, only those whose host the shard owns (see [`crate::shard`]).
    pub fn tracked(&self) -> Vec<Url> {
        let shard = self.local.config.shard.as_ref();
        let mut tracked = self.local.tracked();
        tracked.retain(|url| shard.is_none_or(|s| s.owns(url)));
        tracked
    }

    /// Tracks `urls` (canonical), committing `palimpsest.toml`. URLs already tracked, also
    /// under another scheme, are skipped. Returns the ones that were new.
    pub fn track(&mut self, urls: &[Url]) -> Result<Vec<Url>, ArchiveError> {
        self.with_recorder(|r| r.track(urls))
    }

    /// Follows a feed or index page (see [`crate::discover`]), committing `palimpsest.toml`.
    /// Returns false when it was followed already.
    pub fn follow(&mut self, feed: &config::FeedSource) -> Result<bool, ArchiveError> {
        let (text, added) = config::with_feed(&self.local.config_text, feed)?;
        if added {
            self.with_recorder(|r| r.commit_settings(&text, &format!("Follow {}\n", feed.url)))?;
        }
        Ok(added)
    }

    /// Every version of the article at `url`, oldest first.
    pub fn versions(&self, url: &Url) -> Result<Vec<Version>, ArchiveError> {
        Ok(self.local.state.versions(&path::article_path(url))?)
    }
}

impl Local {
    fn require_lock(&self) {
        assert!(
            self.lock.is_some(),
            "archive writes need Archive::lock first"
        );
    }

    fn tracked(&self) -> Vec<Url> {
        self.config
            .articles
            .iter()
            .filter_map(|u| Url::parse(u).ok())
            .collect()
    }

    /// The URLs of `urls` not tracked yet (by article path), and the `palimpsest.toml` text that
    /// adds them, with a commit message.
    fn tracking(&self, urls: &[Url]) -> Result<Option<(Vec<Url>, String, String)>, ArchiveError> {
        let mut known: std::collections::HashSet<String> =
            self.tracked().iter().map(path::article_path).collect();
        let new: Vec<Url> = urls
            .iter()
            .filter(|u| known.insert(path::article_path(u)))
            .cloned()
            .collect();
        if new.is_empty() {
            return Ok(None);
        }
        let as_strings: Vec<String> = new.iter().map(Url::to_string).collect();
        let (text, _) = config::with_articles(&self.config_text, &as_strings)?;
        let message = match new.as_slice() {
            [one] => format!("Track {one}\n"),
            many => format!("Track {} articles\n", many.len()),
        };
        Ok(Some((new, text, message)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Document;

    /// A fetch of `url` now that found a page with this title and body (also for the
    /// recorder's tests).
    pub(super) fn observe(url: &Url, title: &str, body: &str) -> Observation {
        let text = format!("url: {url}\ntitle: {title}\n\n{body}\n");
        Observation {
            url: url.clone(),
            fetched_at: chrono::Utc::now(),
            http_status: 200,
            seen: record::Seen::Page {
                document: Document::parse(text.as_bytes()),
                raw: text.into_bytes(),
            },
            imported_from: None,
            capture: None,
        }
    }

    #[test]
    #[should_panic(expected = "archive writes need Archive::lock first")]
    fn database_writes_need_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::init(&dir.path().join("a")).unwrap();
        let now = chrono::Utc::now();
        let run = state::Run {
            started_at: now,
            finished_at: now,
            summary: "{}".into(),
        };
        let _ = archive.record_run(&run);
    }

    #[test]
    fn a_reader_behind_the_index_leaves_it_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::init(&dir.path().join("a")).unwrap();
        archive.lock(false).unwrap();
        let url = Url::parse("https://example.com/a").unwrap();
        let mut heads = Vec::new();
        for body in ["First text.", "Second text."] {
            archive
                .with_recorder(|r| r.record(observe(&url, "T", body)))
                .unwrap();
            heads.push(archive.repo.head().unwrap().target().unwrap());
        }
        let path = path::article_path(&url);
        assert_eq!(archive.local.state.versions(&path).unwrap().len(), 2);
        // A reader that read HEAD before the second commit was published, and the index after.
        catch_up::catch_up_to(&archive.repo, &mut archive.local.state, heads[0]).unwrap();
        assert_eq!(archive.local.state.versions(&path).unwrap().len(), 2);
        assert_eq!(archive.local.state.indexed_head().unwrap(), Some(heads[1]));
        // Another process indexed meanwhile: this one's write is refused.
        let stale = heads[0];
        let moved = archive
            .local
            .state
            .index(Some(stale), stale, &[], true)
            .unwrap();
        assert!(!moved);
        assert_eq!(archive.local.state.versions(&path).unwrap().len(), 2);
    }
}
