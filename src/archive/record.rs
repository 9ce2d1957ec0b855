//! Observations → commits: decides whether a fetch is a change and writes it as one commit.
//!
//! A [`Recorder`] writes the changes of a run. It builds each commit's tree (rewriting only the
//! folders on the article's path) and chains the commits in memory, then per batch writes every
//! new object into one pack and moves the branch once: a run of thousands of changes is neither
//! thousands of loose object files (file creation dominates their cost) nor thousands of ref
//! updates. Objects reach disk before any ref names them, so a crash never leaves a ref to a
//! missing object.

use super::commit::{self, ChangeKind, Trailers};
use super::{Archive, ArchiveError, Local, PRIVATE_DIR, RAW_NOTES_REF, RESERVE, path, signature};
use crate::diff;
use crate::hash::ContentHash;
use crate::normalize::Document;
use chrono::{DateTime, Utc};
use git2::{Mempack, Odb, Oid, Repository, Tree};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use url::Url;

/// Starts the commit-message line that sums up a body change, sentence by sentence.
pub(crate) const SUMMARY_PREFIX: &str = "Changes: ";

/// Changes recorded before the branch is moved and the working tree updated.
const BATCH: usize = 500;

/// What one check of an article found.
#[derive(Debug, Clone)]
pub struct Observation {
    pub url: Url,
    pub fetched_at: DateTime<Utc>,
    pub http_status: u16,
    pub seen: Seen,
    /// `<source commit>:<path>`, for versions replayed from another repository.
    pub imported_from: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Seen {
    /// The article, and the exact bytes it was read from.
    Page { document: Document, raw: Vec<u8> },
    /// The server says the article is gone (404, 410).
    Gone,
}

/// A change that was committed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recorded {
    pub commit: String,
    pub url: String,
    pub path: String,
    pub title: String,
    pub changes: Vec<ChangeKind>,
    pub minor: bool,
    pub reverts: Option<String>,
    pub summary: Option<diff::Summary>,
}

/// A version recorded in this batch, not yet in the database.
struct Pending {
    commit: Oid,
    deleted: bool,
    blob: Option<Oid>,
    state_hash: Option<ContentHash>,
}

/// Writes the changes of one run; see [`Archive::with_recorder`].
pub struct Recorder<'a> {
    repo: &'a Repository,
    local: &'a mut Local,
    odb: &'a Odb<'a>,
    /// Where new objects wait, in memory, until the batch is packed.
    mempack: &'a Mempack<'a>,
    /// Objects written in this batch, with a path hint that lets the pack find good deltas.
    written: Vec<(Oid, Option<String>)>,
    /// The commit the branch points at.
    published: Oid,
    /// The last commit written, which the next one builds on.
    tip: Oid,
    notes_published: Option<Oid>,
    notes: Vec<(Oid, Oid)>,
    pending: HashMap<String, Vec<Pending>>,
    touched: BTreeSet<String>,
    unpublished: usize,
}

impl Archive {
    /// Runs `record` with a [`Recorder`], then publishes what it recorded, also when `record`
    /// fails (what was recorded before the failure is valid). Needs the lock ([`Archive::lock`]).
    pub fn with_recorder<T>(
        &mut self,
        record: impl FnOnce(&mut Recorder<'_>) -> Result<T, ArchiveError>,
    ) -> Result<T, ArchiveError> {
        self.local.require_lock();
        // Reads here are of objects this process just wrote; re-hashing each (libgit2's default)
        // doubled the SHA-1 work of a run. `verify` turns it back on to check the archive.
        git2::opts::strict_hash_verification(false);
        // libgit2 maps pack files into memory and, by default, keeps up to 8 GiB mapped: a long
        // import over dozens of batch packs showed gigabytes of resident pages. A quarter GiB of
        // windows is plenty for reading back what a batch needs.
        // SAFETY: a process-wide libgit2 setting, changed before this recorder's threads use
        // libgit2; no other thread reads or writes it concurrently.
        unsafe {
            git2::opts::set_mwindow_mapped_limit(256 * 1024 * 1024)?;
        }
        // A repository handle of its own, so that the in-memory object store attached to it
        // goes away with it.
        let repo = Repository::open(self.repo.path())?;
        self.local.pack_settings(&repo)?;
        let odb = repo.odb()?;
        let mempack = odb.add_new_mempack_backend(1000)?;
        let head = repo.head()?.peel_to_commit()?.id();
        let notes = match repo.refname_to_id(RAW_NOTES_REF) {
            Ok(oid) => Some(oid),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let mut recorder = Recorder {
            repo: &repo,
            local: &mut self.local,
            odb: &odb,
            mempack: &mempack,
            written: Vec::new(),
            published: head,
            tip: head,
            notes_published: notes,
            notes: Vec::new(),
            pending: HashMap::new(),
            touched: BTreeSet::new(),
            unpublished: 0,
        };
        let result = record(&mut recorder);
        let flushed = recorder.flush();
        let value = result?;
        flushed?;
        Ok(value)
    }
}

impl Recorder<'_> {
    /// Records an observation: commits it if it changes the article, returns what was recorded.
    pub fn record(&mut self, mut obs: Observation) -> Result<Option<Recorded>, ArchiveError> {
        let path = path::article_path(&obs.url);
        let current = self.current(&path)?;
        let (document, raw) = match std::mem::replace(&mut obs.seen, Seen::Gone) {
            Seen::Gone => {
                let Some(current) = current else {
                    return Ok(None);
                };
                return self
                    .commit(&path, &obs, ChangeSet::deleted(current), None)
                    .map(Some);
            }
            Seen::Page { document, raw } => (document, raw),
        };
        let mut changes = Vec::new();
        let before = match current {
            Some(current) if current.same_content(&document) => return Ok(None),
            Some(current) => Some(current),
            None => match self.last_content_before_deletion(&path)? {
                Some(previous) => {
                    changes.push(ChangeKind::Restored);
                    Some(previous)
                }
                None => {
                    changes.push(ChangeKind::New);
                    None
                }
            },
        };
        let mut summary = None;
        let mut minor = false;
        if let Some(before) = &before {
            if before.title != document.title {
                changes.push(ChangeKind::Title);
            }
            if before.paragraphs != document.paragraphs {
                changes.push(ChangeKind::Body);
                let report = diff::compare(before, &document);
                minor = report.summary.minor && before.title == document.title;
                summary = Some(report.summary);
            }
        }
        let state_hash = document.state_hash();
        let reverts = if changes
            .iter()
            .any(|c| matches!(c, ChangeKind::Title | ChangeKind::Body))
        {
            self.earlier_state(&path, &state_hash)?
        } else {
            None
        };
        let set = ChangeSet {
            changes,
            minor,
            reverts,
            summary,
            before,
            document: Some(document),
            raw: Some(raw),
        };
        self.commit(&path, &obs, set, Some(state_hash)).map(Some)
    }

    /// Tracks `urls` in `palimpsest.toml` with a commit in this batch, so that the URLs are
    /// tracked exactly when what is recorded with them is published. Returns the new ones.
    pub fn track(&mut self, urls: &[Url]) -> Result<Vec<Url>, ArchiveError> {
        let Some((new, text, message)) = self.local.tracking(urls)? else {
            return Ok(Vec::new());
        };
        self.commit_settings(&text, &message)?;
        Ok(new)
    }

    /// The text of `palimpsest.toml` as of the last commit written.
    pub fn config_text(&self) -> &str {
        &self.local.config_text
    }

    /// Commits a new `palimpsest.toml` in this batch.
    pub fn commit_settings(&mut self, text: &str, message: &str) -> Result<(), ArchiveError> {
        let config = crate::config::Config::parse(text)?;
        let repo = self.repo;
        let parent = repo.find_commit(self.tip)?;
        let blob = repo.blob(text.as_bytes())?;
        self.written
            .push((blob, Some(crate::config::FILE_NAME.to_owned())));
        let tree = tree_with(
            repo,
            Some(&parent.tree()?),
            crate::config::FILE_NAME,
            Some(blob),
            &mut self.written,
        )?
        .ok_or_else(|| git2::Error::from_str("empty tree"))?;
        let sig = signature(Utc::now())?;
        self.tip = repo.commit(
            None,
            &sig,
            &sig,
            message,
            &repo.find_tree(tree)?,
            &[&parent],
        )?;
        self.written.push((self.tip, None));
        self.touched.insert(crate::config::FILE_NAME.to_owned());
        self.local.config = config;
        self.local.config_text = text.to_owned();
        Ok(())
    }

    /// The text of `path` at the last commit written.
    fn current(&self, path: &str) -> Result<Option<Document>, ArchiveError> {
        let repo = self.repo;
        let tree = repo.find_commit(self.tip)?.tree()?;
        match tree.get_path(std::path::Path::new(path)) {
            Ok(entry) => Ok(Some(Document::parse(repo.find_blob(entry.id())?.content()))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The last archived text of `path` if its last version is a deletion.
    fn last_content_before_deletion(&self, path: &str) -> Result<Option<Document>, ArchiveError> {
        let (deleted, blob) = match self.pending.get(path).and_then(|p| p.last()) {
            Some(last) if last.deleted => {
                let blob = self.pending[path].iter().rev().find_map(|p| p.blob);
                (true, blob.map(|b| b.to_string()))
            }
            Some(_) => (false, None),
            None => {
                let versions = self.local.state.versions(path)?;
                let deleted = versions.last().is_some_and(|v| v.is_deletion());
                (deleted, versions.iter().rev().find_map(|v| v.blob.clone()))
            }
        };
        if !deleted {
            return Ok(None);
        }
        let from_db = || -> Result<Option<String>, ArchiveError> {
            Ok(self
                .local
                .state
                .versions(path)?
                .iter()
                .rev()
                .find_map(|v| v.blob.clone()))
        };
        let Some(blob) = blob.map(Ok).or_else(|| from_db().transpose()).transpose()? else {
            return Ok(None);
        };
        let blob = self.repo.find_blob(Oid::from_str(&blob)?)?;
        Ok(Some(Document::parse(blob.content())))
    }

    /// The newest earlier version of `path` whose text was `state_hash`.
    fn earlier_state(
        &self,
        path: &str,
        state_hash: &ContentHash,
    ) -> Result<Option<String>, ArchiveError> {
        if let Some(p) = self.pending.get(path).and_then(|ps| {
            ps.iter()
                .rev()
                .find(|p| p.state_hash.as_ref() == Some(state_hash))
        }) {
            return Ok(Some(p.commit.to_string()));
        }
        Ok(self.local.state.find_state(path, &state_hash.to_string())?)
    }

    fn commit(
        &mut self,
        path: &str,
        obs: &Observation,
        set: ChangeSet,
        state_hash: Option<ContentHash>,
    ) -> Result<Recorded, ArchiveError> {
        let (oid, blob, title) = self.write_commit(path, obs, &set)?;
        self.tip = oid;
        self.touched.insert(path.to_owned());
        self.pending
            .entry(path.to_owned())
            .or_default()
            .push(Pending {
                commit: oid,
                deleted: set.changes.contains(&ChangeKind::Deleted),
                blob,
                state_hash,
            });
        self.unpublished += 1;
        let recorded = Recorded {
            commit: oid.to_string(),
            url: obs.url.to_string(),
            path: path.to_owned(),
            title,
            changes: set.changes,
            minor: set.minor,
            reverts: set.reverts,
            summary: set.summary,
        };
        if self.unpublished >= BATCH {
            self.flush()?;
        }
        Ok(recorded)
    }

    /// Writes the blob, trees, commit and raw-bytes blob of one change; returns the commit, the
    /// article's blob and its title.
    fn write_commit(
        &mut self,
        path: &str,
        obs: &Observation,
        set: &ChangeSet,
    ) -> Result<(Oid, Option<Oid>, String), ArchiveError> {
        let repo = self.repo;
        let parent = repo.find_commit(self.tip)?;
        let (blob, content_hash) = match &set.document {
            Some(doc) => {
                let bytes = doc.to_bytes();
                let blob = repo.blob(&bytes)?;
                self.written.push((blob, Some(path.to_owned())));
                (Some(blob), Some(ContentHash::of(&bytes)))
            }
            None => (None, None),
        };
        let tree = tree_with(repo, Some(&parent.tree()?), path, blob, &mut self.written)?;
        let tree = match tree {
            Some(oid) => repo.find_tree(oid)?,
            None => {
                let empty = repo.treebuilder(None)?.write()?;
                self.written.push((empty, None));
                repo.find_tree(empty)?
            }
        };
        let title = set
            .document
            .as_ref()
            .or(set.before.as_ref())
            .map(|d| d.title.clone())
            .unwrap_or_default();
        let trailers = Trailers {
            url: obs.url.to_string(),
            changes: set.changes.clone(),
            minor: set.minor,
            reverts: set.reverts.clone(),
            content_hash,
            source_hash: set.raw.as_deref().map(ContentHash::of),
            fetched_at: obs.fetched_at.fixed_offset(),
            http_status: obs.http_status,
            imported_from: obs.imported_from.clone(),
        };
        let message = set.message(&title, &trailers);
        let sig = signature(obs.fetched_at)?;
        let oid = repo.commit(None, &sig, &sig, &message, &tree, &[&parent])?;
        self.written.push((oid, None));
        if let Some(raw) = &set.raw {
            let raw_blob = repo.blob(raw)?;
            self.written.push((raw_blob, Some(format!("{path}.raw"))));
            self.notes.push((oid, raw_blob));
        }
        Ok((oid, blob, title))
    }

    /// Packs and publishes everything recorded so far. Until the branch moves, a failure (a full
    /// disk, a read-only file system) undoes what the batch wrote, so the archive is as it was.
    /// The writes after the move (working tree, index, database) get room set aside beforehand:
    /// a reserve file is written with the pack and removed just before the move.
    fn flush(&mut self) -> Result<(), ArchiveError> {
        if self.tip == self.published {
            return Ok(());
        }
        let pack_dir = self.repo.path().join("objects").join("pack");
        let packs_before = files_in(&pack_dir)?;
        let reserve = self.local.root.join(PRIVATE_DIR).join(RESERVE);
        let prepared = self.write_notes_and_pack().and_then(|notes| {
            set_aside(&reserve, self.room_after_move()?)?;
            Ok(notes)
        });
        let _ = std::fs::remove_file(&reserve);
        let paths: Vec<String> = self.touched.iter().cloned().collect();
        let moved = prepared.and_then(|notes| {
            self.local
                .move_refs(self.repo, self.published, self.tip, notes, &paths)
                .map(|()| notes)
        });
        let notes = match moved {
            Ok(notes) => notes,
            Err(e) => {
                // No ref names the new pack: it goes, with any temporary file of a failed write.
                if let Ok(now) = files_in(&pack_dir) {
                    for name in now.difference(&packs_before) {
                        let _ = std::fs::remove_file(pack_dir.join(name));
                    }
                }
                return Err(e);
            }
        };
        self.published = self.tip;
        if let Some((_, new)) = notes {
            self.notes_published = Some(new);
        }
        self.notes.clear();
        self.pending.clear();
        self.unpublished = 0;
        self.touched.clear();
        self.local.sync(self.repo, &paths)
    }

    /// Writes the notes commit (if there are raw bytes) and the batch's pack.
    fn write_notes_and_pack(&mut self) -> Result<Option<(Option<Oid>, Oid)>, ArchiveError> {
        let notes = if self.notes.is_empty() {
            None
        } else {
            Some((self.notes_published, self.write_notes()?))
        };
        self.write_pack()?;
        Ok(notes)
    }

    /// A generous bound on what publishing writes after the branch moves: the touched files and
    /// the index (each rounded up to a 4 KiB block), a block per new version for the database's
    /// index of them, and 2 MiB for refs, reflogs, SQLite's journal and a run's check results.
    fn room_after_move(&self) -> Result<u64, ArchiveError> {
        const BLOCK: u64 = 4096;
        let round = |n: u64| n.div_ceil(BLOCK).max(1) * BLOCK;
        let tree = self.repo.find_commit(self.tip)?.tree()?;
        let mut room = 2 << 20;
        for path in &self.touched {
            if let Ok(entry) = tree.get_path(std::path::Path::new(path)) {
                let (size, _) = self.odb.read_header(entry.id())?;
                room += round(size as u64);
            }
        }
        let index = self.repo.path().join("index");
        room += round(std::fs::metadata(&index).map_or(0, |m| m.len()));
        room += 200 * self.touched.len() as u64 + BLOCK * self.unpublished as u64;
        Ok(room)
    }

    /// Writes this batch's objects from memory into one pack file (and its index).
    fn write_pack(&mut self) -> Result<(), ArchiveError> {
        let mut builder = self.repo.packbuilder()?;
        for (oid, hint) in &self.written {
            builder.insert_object(*oid, hint.as_deref())?;
        }
        let mut writer = self.odb.packwriter()?;
        let mut failed = None;
        builder.foreach(|chunk| match writer.write_all(chunk) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        })?;
        if let Some(e) = failed {
            return Err(ArchiveError::Io {
                path: self.repo.path().join("objects/pack"),
                source: e,
            });
        }
        writer.commit()?;
        self.mempack.reset()?;
        self.written.clear();
        Ok(())
    }

    /// Adds this batch's raw bytes to the notes tree, fanned out by the first two hex digits of
    /// the commit as git itself does for large notes trees, and commits it.
    fn write_notes(&mut self) -> Result<Oid, ArchiveError> {
        let repo = self.repo;
        let parent = self
            .notes_published
            .map(|oid| repo.find_commit(oid))
            .transpose()?;
        let root = parent.as_ref().map(|c| c.tree()).transpose()?;
        let mut by_fanout: std::collections::BTreeMap<String, Vec<(String, Oid)>> =
            Default::default();
        for (commit, blob) in &self.notes {
            let hex = commit.to_string();
            by_fanout
                .entry(hex[..2].to_owned())
                .or_default()
                .push((hex[2..].to_owned(), *blob));
        }
        let mut root_builder = repo.treebuilder(root.as_ref())?;
        for (fanout, notes) in by_fanout {
            let sub = match root.as_ref().and_then(|t| t.get_name(&fanout)) {
                Some(entry) => Some(repo.find_tree(entry.id())?),
                None => None,
            };
            let mut builder = repo.treebuilder(sub.as_ref())?;
            for (name, blob) in notes {
                builder.insert(&name, blob, 0o100644)?;
            }
            let sub = builder.write()?;
            self.written.push((sub, Some(fanout.clone())));
            root_builder.insert(&fanout, sub, 0o040000)?;
        }
        let tree = repo.find_tree(root_builder.write()?)?;
        self.written.push((tree.id(), None));
        let sig = signature(Utc::now())?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let commit = repo.commit(
            None,
            &sig,
            &sig,
            "Raw bytes of recorded versions\n",
            &tree,
            &parents,
        )?;
        self.written.push((commit, None));
        Ok(commit)
    }
}

/// The names of the files in `dir`.
fn files_in(dir: &std::path::Path) -> Result<BTreeSet<std::ffi::OsString>, ArchiveError> {
    let entries = std::fs::read_dir(dir).map_err(ArchiveError::io(dir))?;
    entries
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(ArchiveError::io(dir))
}

/// Writes `bytes` of zeros to `path`, so that the file system has set that much room aside
/// (file systems with delayed allocation reserve blocks at `write`, so no sync is needed).
fn set_aside(path: &std::path::Path, bytes: u64) -> Result<(), ArchiveError> {
    let zeros = [0u8; 64 * 1024];
    let mut file = std::fs::File::create(path).map_err(ArchiveError::io(path))?;
    let mut left = bytes;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n])
            .map_err(ArchiveError::io(path))?;
        left -= n as u64;
    }
    Ok(())
}

/// Everything one commit says.
struct ChangeSet {
    changes: Vec<ChangeKind>,
    minor: bool,
    reverts: Option<String>,
    summary: Option<diff::Summary>,
    /// The text before the change (for a deletion, what was deleted).
    before: Option<Document>,
    document: Option<Document>,
    raw: Option<Vec<u8>>,
}

impl ChangeSet {
    fn deleted(before: Document) -> ChangeSet {
        ChangeSet {
            changes: vec![ChangeKind::Deleted],
            minor: false,
            reverts: None,
            summary: None,
            before: Some(before),
            document: None,
            raw: None,
        }
    }

    fn message(&self, title: &str, trailers: &Trailers) -> String {
        let mut message = commit::subject(&self.changes, title);
        message.push_str("\n\n");
        let mut body = Vec::new();
        if let (Some(before), Some(after)) = (&self.before, &self.document)
            && before.title != after.title
        {
            body.push(format!("Title was: {}", before.title));
        }
        if let Some(summary) = &self.summary {
            body.push(format!("{SUMMARY_PREFIX}{summary}."));
        }
        if let Some(reverts) = &self.reverts {
            body.push(format!("Returns to the text of {reverts}."));
        }
        if !body.is_empty() {
            message.push_str(&body.join("\n"));
            message.push_str("\n\n");
        }
        trailers.write(&mut message);
        message
    }
}

/// Returns the tree `base` with `path` set to `blob` (or removed, with `None`), writing only the
/// trees along the path and noting each in `written`. `None` when the result is an empty tree.
pub(crate) fn tree_with(
    repo: &Repository,
    base: Option<&Tree>,
    path: &str,
    blob: Option<Oid>,
    written: &mut Vec<(Oid, Option<String>)>,
) -> Result<Option<Oid>, git2::Error> {
    let (name, rest) = match path.split_once('/') {
        Some((dir, rest)) => (dir, Some(rest)),
        None => (path, None),
    };
    let mut builder = repo.treebuilder(base)?;
    let entry = match rest {
        None => blob.map(|b| (b, 0o100644)),
        Some(rest) => {
            let sub = match base.and_then(|t| t.get_name(name)) {
                Some(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                    Some(repo.find_tree(e.id())?)
                }
                _ => None,
            };
            tree_with(repo, sub.as_ref(), rest, blob, written)?.map(|t| (t, 0o040000))
        }
    };
    match entry {
        Some((oid, mode)) => {
            builder.insert(name, oid, mode)?;
        }
        None => {
            if builder.get(name)?.is_some() {
                builder.remove(name)?;
            }
        }
    }
    if builder.is_empty() {
        return Ok(None);
    }
    let tree = builder.write()?;
    written.push((tree, Some(name.to_owned())));
    Ok(Some(tree))
}
