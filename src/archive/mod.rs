//! The archive: a plain git repository with one file per article and one commit per change.
//!
//! Layout of an archive directory:
//! - `palimpsest.toml`: tracked articles and settings ([`crate::config`]), committed;
//! - `<host>/<path>.txt`: one file per article ([`path`], [`crate::normalize`]), committed;
//! - `refs/notes/raw`: the raw bytes fetched for each version, as git notes
//!   (`git notes --ref=raw show <commit>`);
//! - `.palimpsest/` (git-ignored): the lock file and the SQLite database ([`state`]).
//!
//! Commits are written as pack files in git's formats ([`pack`]) and read through git2, never
//! through the git CLI, and a branch moves only after every object it needs is written, so a crash at any moment leaves a
//! repository that `git fsck` accepts. The working tree and index are brought up to date after
//! each move; a crash between the two is repaired by the next command that takes the lock.

pub mod commit;
pub mod history;
mod pack;
pub mod path;
pub mod record;
pub mod state;
mod tree;
pub mod verify;

pub use commit::{ChangeKind, Trailers};
pub use history::Version;
pub use record::{Observation, Recorded, Recorder, Seen};

use crate::config::{self, Config, ConfigError};
use crate::hash::ContentHash;
use crate::normalize::Document;
use git2::{Oid, Repository, Signature};
use state::{State, StateError};
use std::fs::File;
use std::path::{Path, PathBuf};
use url::Url;

/// Where the raw fetched bytes of each version are kept.
pub const RAW_NOTES_REF: &str = "refs/notes/raw";
/// The folder of operational files, git-ignored.
const PRIVATE_DIR: &str = ".palimpsest";
/// Present while a published commit has not yet reached the working tree and index; it lists
/// the paths the commit touched, one a line.
const SYNC_MARKER: &str = "sync-pending";
/// Space set aside while a batch is written, freed just before the branch moves (see
/// [`record`]); a leftover of a killed run is removed by the next lock.
const RESERVE: &str = "reserve";
const BRANCH: &str = "main";

/// The archive can't be opened, locked or written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("no archive at {0}")]
    Missing(PathBuf),
    #[error("{0} is not a palimpsest archive (no {file} in a git repository)", file = config::FILE_NAME)]
    NotAnArchive(PathBuf),
    #[error("{0} already exists and is not empty")]
    NotEmpty(PathBuf),
    #[error("another palimpsest command is writing to {0}")]
    Locked(PathBuf),
    #[error("could not read or write {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("git failed on the archive")]
    Git(#[from] git2::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    State(#[from] StateError),
}

/// A storage condition the user must fix before any write can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// No space left on the device (or the user's quota is used up).
    Full,
    /// The archive is on a read-only file system.
    ReadOnly,
}

impl StorageFault {
    fn of_io(e: &std::io::Error) -> Option<StorageFault> {
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                Some(StorageFault::Full)
            }
            std::io::ErrorKind::ReadOnlyFilesystem => Some(StorageFault::ReadOnly),
            _ => None,
        }
    }
}

impl ArchiveError {
    /// Whether the error is a full disk or a read-only file system, which no retry fixes.
    pub fn storage_fault(&self) -> Option<StorageFault> {
        match self {
            ArchiveError::Io { source, .. } => StorageFault::of_io(source),
            // libgit2 reports the OS error only as text: strerror appended to its message.
            ArchiveError::Git(e) if e.class() == git2::ErrorClass::Os => {
                let m = e.message();
                if m.contains("No space left on device") || m.contains("Disk quota exceeded") {
                    Some(StorageFault::Full)
                } else if m.contains("Read-only file system") {
                    Some(StorageFault::ReadOnly)
                } else {
                    None
                }
            }
            ArchiveError::State(e) => e.storage_fault(),
            _ => None,
        }
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
        move |source| ArchiveError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// An open archive. Reading needs nothing more; writing needs [`Archive::lock`] first.
pub struct Archive {
    repo: Repository,
    local: Local,
}

/// The archive's parts outside git's objects and refs: its folder, settings, database and lock.
/// Kept apart from the repository so that a [`Recorder`] can borrow both at once.
pub(crate) struct Local {
    root: PathBuf,
    config: Config,
    /// The text `config` was read from: the newest, also when not yet published.
    config_text: String,
    state: State,
    lock: Option<File>,
}

/// The identity of every commit palimpsest writes; the date is the fetch time.
fn signature(time: chrono::DateTime<chrono::Utc>) -> Result<Signature<'static>, git2::Error> {
    Signature::new(
        "palimpsest",
        "palimpsest@localhost",
        &git2::Time::new(time.timestamp(), 0),
    )
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
        let sig = signature(chrono::Utc::now())?;
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
        let mut state = State::open(&db).map_err(|e| diagnose(&db, first_connection, e))?;
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

    /// The text of `palimpsest.toml`, including changes of the current batch.
    pub fn config_text(&self) -> &str {
        &self.local.config_text
    }

    pub fn state(&self) -> &State {
        &self.local.state
    }

    pub fn state_mut(&mut self) -> &mut State {
        &mut self.local.state
    }

    /// Takes the archive's writer lock (waiting for it with `wait`), then repairs what a killed
    /// run may have left: stale git lock files and a working tree behind the branch.
    pub fn lock(&mut self, wait: bool) -> Result<(), ArchiveError> {
        if self.local.lock.is_some() {
            return Ok(());
        }
        let path = self.local.root.join(PRIVATE_DIR).join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(ArchiveError::io(&path))?;
        if wait {
            file.lock().map_err(ArchiveError::io(&path))?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(ArchiveError::Locked(self.local.root.clone()));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(ArchiveError::io(&path)(e)),
            }
        }
        self.local.lock = Some(file);
        self.recover()
    }

    /// Under the lock nobody else is writing, so git lock files are leftovers of a killed run.
    fn recover(&mut self) -> Result<(), ArchiveError> {
        let git_dir = self.repo.path().to_owned();
        for stale in [
            "index.lock",
            "HEAD.lock",
            "packed-refs.lock",
            "refs/heads/main.lock",
            "refs/notes/raw.lock",
        ] {
            let path = git_dir.join(stale);
            if path.exists() {
                std::fs::remove_file(&path).map_err(ArchiveError::io(&path))?;
            }
        }
        let reserve = self.local.root.join(PRIVATE_DIR).join(RESERVE);
        if reserve.exists() {
            std::fs::remove_file(&reserve).map_err(ArchiveError::io(&reserve))?;
        }
        let marker = self.local.root.join(PRIVATE_DIR).join(SYNC_MARKER);
        if marker.exists() {
            let listed = std::fs::read_to_string(&marker).map_err(ArchiveError::io(&marker))?;
            self.repo
                .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
            // A checkout leaves alone a file that matches HEAD but is missing from the index,
            // as a run killed between writing its new files and the index leaves them.
            let paths: Vec<String> = listed.lines().map(str::to_owned).collect();
            self.local.sync_worktree(&self.repo, &paths)?;
            std::fs::remove_file(&marker).map_err(ArchiveError::io(&marker))?;
        }
        catch_up(&self.repo, &mut self.local.state)?;
        self.commit_settings()
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

    /// The tracked articles, in the order they were added.
    pub fn tracked(&self) -> Vec<Url> {
        self.local.tracked()
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

/// SQLite can't tell why it could not open its files (a WAL database also needs room for its
/// shared-memory file): when the database fails to open, a small write next to it finds out
/// whether the file system is full or read-only, so that the error says what to do. A failed
/// first connection leaves an empty write-ahead log and shared-memory file behind, which hold
/// nothing and are removed, so that the failure changes nothing; with another connection open
/// they are its files and stay.
fn diagnose(db: &Path, first_connection: bool, e: StateError) -> ArchiveError {
    use std::io::Write;
    let private = db.parent().unwrap_or(db);
    let fault = match e.storage_fault() {
        Some(_) => e.into(),
        None => {
            let probe = private.join("probe");
            let written =
                File::create(&probe).and_then(|mut f| f.write_all(&[0; 4096]).and(f.sync_all()));
            let _ = std::fs::remove_file(&probe);
            match written {
                Err(io) if StorageFault::of_io(&io).is_some() => ArchiveError::Io {
                    path: private.to_owned(),
                    source: io,
                },
                _ => return e.into(),
            }
        }
    };
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if first_connection && std::fs::metadata(&wal).is_ok_and(|m| m.len() == 0) {
        let _ = std::fs::remove_file(format!("{}-shm", db.display()));
        let _ = std::fs::remove_file(&wal);
    }
    fault
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

    /// Moves the branch (and the raw notes) from `old` to `new`; every object must be written
    /// already. The branch moves with compare-and-swap, so a writer that bypassed the lock can't
    /// be overwritten silently. On failure nothing has moved.
    fn move_refs(
        &self,
        repo: &Repository,
        old: Oid,
        new: Oid,
        notes: Option<(Option<Oid>, Oid)>,
        paths: &[String],
    ) -> Result<(), ArchiveError> {
        let marker = self.root.join(PRIVATE_DIR).join(SYNC_MARKER);
        std::fs::write(&marker, paths.join("\n")).map_err(ArchiveError::io(&marker))?;
        let moved = (|| {
            if let Some((old_notes, new_notes)) = notes {
                match old_notes {
                    Some(old_notes) => repo.reference_matching(
                        RAW_NOTES_REF,
                        new_notes,
                        true,
                        old_notes,
                        "palimpsest: raw bytes",
                    )?,
                    None => {
                        repo.reference(RAW_NOTES_REF, new_notes, false, "palimpsest: raw bytes")?
                    }
                };
            }
            let branch = format!("refs/heads/{BRANCH}");
            let moved = repo.reference_matching(&branch, new, true, old, "palimpsest: record");
            if let (Err(_), Some((old_notes, new_notes))) = (&moved, notes) {
                // Best effort: notes of unpublished commits name no commit of the branch.
                let _ = match old_notes {
                    Some(old_notes) => repo
                        .reference_matching(
                            RAW_NOTES_REF,
                            old_notes,
                            true,
                            new_notes,
                            "palimpsest: undo",
                        )
                        .map(drop),
                    None => repo
                        .find_reference(RAW_NOTES_REF)
                        .and_then(|mut r| r.delete()),
                };
            }
            moved.map(drop)
        })();
        if moved.is_err() {
            let _ = std::fs::remove_file(&marker);
        }
        Ok(moved?)
    }

    /// After [`Local::move_refs`] from `old` to `new`: brings the working tree, the index and
    /// the database up to the branch. A failure here leaves the marker, and the next command
    /// finishes the job. `versions` are the versions committed from `old` to `new`, as
    /// [`version_of`] reads them: indexed as they are when the database's index stands at `old`,
    /// which saves reading every new text back; otherwise the commits are read.
    fn sync(
        &mut self,
        repo: &Repository,
        paths: &[String],
        (old, new): (Oid, Oid),
        versions: &[Version],
    ) -> Result<(), ArchiveError> {
        self.sync_worktree(repo, paths)?;
        let marker = self.root.join(PRIVATE_DIR).join(SYNC_MARKER);
        std::fs::remove_file(&marker).map_err(ArchiveError::io(&marker))?;
        let old = old.to_string();
        if self.state.indexed_head()?.as_deref() == Some(old.as_str())
            && self
                .state
                .index(Some(&old), &new.to_string(), versions, false)?
        {
            return Ok(());
        }
        catch_up(repo, &mut self.state)
    }

    /// Writes `paths` from HEAD to the working tree and the index (or removes them).
    fn sync_worktree(&self, repo: &Repository, paths: &[String]) -> Result<(), ArchiveError> {
        let tree = repo.head()?.peel_to_tree()?;
        let mut index = repo.index()?;
        for rel in paths {
            let file = self.root.join(rel);
            match tree.get_path(Path::new(rel)) {
                Ok(entry) => {
                    let blob = repo.find_blob(entry.id())?;
                    if let Some(dir) = file.parent() {
                        std::fs::create_dir_all(dir).map_err(ArchiveError::io(dir))?;
                    }
                    std::fs::write(&file, blob.content()).map_err(ArchiveError::io(&file))?;
                    let meta = std::fs::symlink_metadata(&file).map_err(ArchiveError::io(&file))?;
                    index.add(&index_entry(rel, entry.id(), &meta))?;
                }
                Err(e) if e.code() == git2::ErrorCode::NotFound => {
                    match std::fs::remove_file(&file) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(ArchiveError::io(&file)(e)),
                    }
                    // Git has no empty folders: drop the ones the removal emptied.
                    let mut dir = file.parent();
                    while let Some(d) = dir.filter(|d| *d != self.root) {
                        if std::fs::remove_dir(d).is_err() {
                            break;
                        }
                        dir = d.parent();
                    }
                    index.remove_path(Path::new(rel))?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        index.write()?;
        Ok(())
    }
}

/// An index entry for a file just written from `blob`, with the stat data git compares to tell
/// that the file is unchanged (so neither we nor `git status` need to hash it again).
fn index_entry(path: &str, blob: Oid, meta: &std::fs::Metadata) -> git2::IndexEntry {
    use std::os::unix::fs::MetadataExt;
    // The index stores 32-bit fields; git truncates the same way.
    let time = |secs: i64, nanos: i64| git2::IndexTime::new(secs as i32, nanos as u32);
    git2::IndexEntry {
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: 0o100644,
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.len() as u32,
        id: blob,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Brings the `versions` index of the database up to HEAD, reading the trailers of the commits
/// it has not seen (all of them when the database is new or history was rewritten).
fn catch_up(repo: &Repository, state: &mut State) -> Result<(), ArchiveError> {
    let head = match repo.head() {
        Ok(head) => head.peel_to_commit()?.id(),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    catch_up_to(repo, state, head)
}

/// [`catch_up`] to `head`. Readers catch up too (the viewer opens the archive per request), at
/// the same time as the writer and each other: the index moves only from the head this process
/// read (else it reads again), and never back to `head` when another process took it past it.
fn catch_up_to(repo: &Repository, state: &mut State, head: Oid) -> Result<(), ArchiveError> {
    loop {
        let indexed_text = state.indexed_head()?;
        let indexed = indexed_text.as_deref().and_then(|h| Oid::from_str(h).ok());
        if indexed == Some(head) {
            return Ok(());
        }
        if let Some(indexed) = indexed
            && repo.find_commit(indexed).is_ok()
            && repo.graph_descendant_of(indexed, head)?
        {
            return Ok(());
        }
        let mut chain = Vec::new();
        let mut reset = true;
        let mut next = Some(repo.find_commit(head)?);
        while let Some(commit) = next {
            if Some(commit.id()) == indexed {
                reset = false;
                break;
            }
            next = commit.parents().next();
            chain.push(commit);
        }
        let mut versions = Vec::new();
        for commit in chain.iter().rev() {
            if let Some(version) = version_of(repo, commit)? {
                versions.push(version);
            }
        }
        if state.index(indexed_text.as_deref(), &head.to_string(), &versions, reset)? {
            return Ok(());
        }
    }
}

/// Reads a commit as a version of an article, if it is one.
fn version_of(repo: &Repository, commit: &git2::Commit) -> Result<Option<Version>, ArchiveError> {
    let message = String::from_utf8_lossy(commit.message_bytes());
    let Some(trailers) = Trailers::parse(&message) else {
        return Ok(None);
    };
    let Ok(url) = Url::parse(&trailers.url) else {
        return Ok(None);
    };
    let path = path::article_path(&url);
    let deleted = trailers.has(ChangeKind::Deleted);
    // A deletion's title is the title of what was deleted.
    let tree = if deleted {
        commit.parents().next().map(|p| p.tree()).transpose()?
    } else {
        Some(commit.tree()?)
    };
    let blob = tree
        .and_then(|t| t.get_path(Path::new(&path)).ok())
        .map(|e| e.id());
    let doc = match blob {
        Some(oid) => Some(Document::parse(repo.find_blob(oid)?.content())),
        None => None,
    };
    let title = doc.as_ref().map(|d| d.title.clone()).unwrap_or_default();
    let text = blob.zip(doc.map(|d| d.state_hash())).filter(|_| !deleted);
    Ok(Some(version(
        commit.id(),
        &message,
        trailers,
        path,
        title,
        text,
    )))
}

/// A version as its commit message tells it, with what its tree tells: the article's title (for
/// a deletion, the deleted text's) and, unless it is a deletion, its blob and the state hash
/// of its text. The recorder builds the versions it writes with this too, so that they are
/// indexed exactly as [`version_of`] reads them back.
fn version(
    commit: Oid,
    message: &str,
    trailers: Trailers,
    path: String,
    title: String,
    text: Option<(Oid, ContentHash)>,
) -> Version {
    Version {
        number: 0,
        commit: commit.to_string(),
        path,
        url: trailers.url,
        changes: trailers.changes,
        minor: trailers.minor,
        reverts: trailers.reverts,
        title,
        subject: message.lines().next().unwrap_or("").to_owned(),
        summary: message
            .lines()
            .find_map(|l| l.strip_prefix(record::SUMMARY_PREFIX))
            .map(|s| s.trim_end_matches('.').to_owned()),
        content_hash: trailers.content_hash.map(|h| h.to_string()),
        source_hash: trailers.source_hash.map(|h| h.to_string()),
        blob: text.as_ref().map(|(blob, _)| blob.to_string()),
        state_hash: text.map(|(_, state)| state.to_string()),
        fetched_at: trailers
            .fetched_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        http_status: trailers.http_status,
        imported_from: trailers.imported_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        }
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
        catch_up_to(&archive.repo, &mut archive.local.state, heads[0]).unwrap();
        assert_eq!(archive.local.state.versions(&path).unwrap().len(), 2);
        assert_eq!(
            archive.local.state.indexed_head().unwrap(),
            Some(heads[1].to_string())
        );
        // Another process indexed meanwhile: this one's write is refused.
        let stale = heads[0].to_string();
        let moved = archive
            .local
            .state
            .index(Some(&stale), &stale, &[], true)
            .unwrap();
        assert!(!moved);
        assert_eq!(archive.local.state.versions(&path).unwrap().len(), 2);
    }
}
