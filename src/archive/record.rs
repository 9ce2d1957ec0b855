//! Observations → commits: decides whether a fetch is a change and writes it as one commit.
//!
//! A [`Recorder`] writes the changes of a run. It keeps the tree in memory, rewrites only the
//! folders on each article's path ([`tree`]) and chains the commits, then per batch writes every
//! new object into one pack ([`pack`]) and moves the branch once: a run of thousands of changes
//! is neither thousands of loose object files (file creation dominates their cost) nor
//! thousands of ref updates. Objects reach disk before any ref names them, so a crash never
//! leaves a ref to a missing object.

use super::change::{ChangeKind, Changes};
use super::commit::{self, Trailers};
use super::pack::Batch;
use super::tree::Trees;
use super::{
    Archive, ArchiveError, Local, PRIVATE_DIR, RAW_NOTES_REF, RESERVE, Version, path, signature,
};
use crate::diff;
use crate::hash::ContentHash;
use crate::normalize::Document;
use chrono::{DateTime, Utc};
use git2::{ObjectType, Oid, Repository};
use std::collections::{BTreeSet, HashMap};
use url::Url;

/// Starts the commit-message line that sums up a body change, sentence by sentence.
pub(crate) const SUMMARY_PREFIX: &str = "Changes: ";

/// Changes recorded before the branch is moved and the working tree updated. Each batch also
/// rewrites the notes folders and the git index, which grow with the archive: with 50,000
/// articles, batches of 500 recorded about 1,000 changes a second, batches of 2,000 about 1,700
/// (`cargo bench --bench record -- 50000`).
const BATCH: usize = 2000;
/// Or as many as make this many bytes of objects waiting in memory, whichever comes first.
const BATCH_BYTES: usize = 16 << 20;

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
    /// The article, and the exact bytes it was read from. The document is as [`page::read`]
    /// or [`Document::parse`] give it (normalized): the database indexes it as it will read
    /// back from the archive.
    ///
    /// [`page::read`]: crate::page::read
    Page { document: Document, raw: Vec<u8> },
    /// The server says the article is gone (404, 410).
    Gone,
}

/// A change that was committed.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub commit: Oid,
    pub url: String,
    pub path: String,
    pub title: String,
    pub changes: Changes,
    /// The earlier version whose text this one returns to.
    pub reverts: Option<Oid>,
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
    /// Where new objects wait, in memory, until the batch is packed.
    batch: Batch,
    /// The tree of `tip`.
    trees: Trees,
    /// The commit the branch points at.
    published: Oid,
    /// The last commit written, which the next one builds on.
    tip: Oid,
    notes_published: Option<Oid>,
    notes: Vec<(Oid, Oid)>,
    pending: HashMap<String, Vec<Pending>>,
    /// The versions of the commits not yet published, oldest first, for the database.
    versions: Vec<Version>,
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
        // libgit2 maps pack files into memory in windows of up to 1 GiB and, by default, keeps
        // up to 8 GiB mapped: a long import over dozens of batch packs showed gigabytes of
        // resident pages. Reading back what a batch needs (texts and commits for the working
        // tree and the index) goes as fast through a few small windows.
        // SAFETY: process-wide libgit2 settings, changed before this recorder's threads use
        // libgit2; no other thread reads or writes them concurrently.
        unsafe {
            git2::opts::set_mwindow_size(4 << 20)?;
            git2::opts::set_mwindow_mapped_limit(16 << 20)?;
        }
        // A repository handle of its own, so that the pack windows it maps are unmapped when
        // the run ends.
        let repo = Repository::open(self.repo.path())?;
        let head = repo.head()?.peel_to_commit()?;
        let trees = Trees::new(head.tree_id(), "");
        let head = head.id();
        let notes = match repo.refname_to_id(RAW_NOTES_REF) {
            Ok(oid) => Some(oid),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let mut recorder = Recorder {
            repo: &repo,
            local: &mut self.local,
            batch: Batch::default(),
            trees,
            published: head,
            tip: head,
            notes_published: notes,
            notes: Vec::new(),
            pending: HashMap::new(),
            versions: Vec::new(),
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
        let mut changes = Changes::NONE;
        let before = match current {
            Some(current) if current.same_content(&document) => return Ok(None),
            Some(current) => Some(current),
            None => match self.last_content_before_deletion(&path)? {
                Some(previous) => {
                    changes.insert(ChangeKind::Restored);
                    Some(previous)
                }
                None => {
                    changes.insert(ChangeKind::New);
                    None
                }
            },
        };
        let mut summary = None;
        if let Some(before) = &before {
            if before.title != document.title {
                changes.insert(ChangeKind::Title);
            }
            if before.paragraphs != document.paragraphs {
                changes.insert(ChangeKind::Body);
                let body = diff::summary(before, &document);
                if body.minor && before.title == document.title {
                    changes.insert(ChangeKind::Minor);
                }
                summary = Some(body);
            }
        }
        let state_hash = document.state_hash();
        let reverts = if changes.contains(ChangeKind::Title) || changes.contains(ChangeKind::Body) {
            self.earlier_state(&path, &state_hash)?
        } else {
            None
        };
        let set = ChangeSet {
            changes,
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
        let name = crate::config::FILE_NAME;
        let blob = self
            .batch
            .add(ObjectType::Blob, text.as_bytes().to_vec(), Some(name))?;
        self.trees.set(self.repo, &self.batch, name, Some(blob))?;
        let tree = self.trees.write(&mut self.batch)?;
        let commit = commit_object(tree, &[self.tip], Utc::now(), message)?;
        self.tip = self.batch.add(ObjectType::Commit, commit, None)?;
        self.touched.insert(crate::config::FILE_NAME.to_owned());
        self.local.config = config;
        self.local.config_text = text.to_owned();
        Ok(())
    }

    /// The text of `path` at the last commit written.
    fn current(&mut self, path: &str) -> Result<Option<Document>, ArchiveError> {
        match self.trees.get(self.repo, &self.batch, path)? {
            Some(blob) => Ok(Some(self.document(blob)?)),
            None => Ok(None),
        }
    }

    /// An archived text, from this batch or the repository.
    fn document(&self, blob: Oid) -> Result<Document, ArchiveError> {
        Ok(match self.batch.get(blob) {
            Some((_, bytes)) => Document::parse(&bytes),
            None => Document::parse(self.repo.find_blob(blob)?.content()),
        })
    }

    /// The last archived text of `path` if its last version is a deletion.
    fn last_content_before_deletion(&self, path: &str) -> Result<Option<Document>, ArchiveError> {
        let (deleted, blob) = match self.pending.get(path).and_then(|p| p.last()) {
            Some(last) if last.deleted => {
                let blob = self.pending[path].iter().rev().find_map(|p| p.blob);
                (true, blob)
            }
            Some(_) => (false, None),
            None => {
                let versions = self.local.state.versions(path)?;
                let deleted = versions.last().is_some_and(|v| v.is_deletion());
                (deleted, versions.iter().rev().find_map(|v| v.blob))
            }
        };
        if !deleted {
            return Ok(None);
        }
        let from_db = || -> Result<Option<Oid>, ArchiveError> {
            Ok(self
                .local
                .state
                .versions(path)?
                .iter()
                .rev()
                .find_map(|v| v.blob))
        };
        let Some(blob) = blob.map(Ok).or_else(|| from_db().transpose()).transpose()? else {
            return Ok(None);
        };
        Ok(Some(self.document(blob)?))
    }

    /// The newest earlier version of `path` whose text was `state_hash`.
    fn earlier_state(
        &self,
        path: &str,
        state_hash: &ContentHash,
    ) -> Result<Option<Oid>, ArchiveError> {
        if let Some(p) = self.pending.get(path).and_then(|ps| {
            ps.iter()
                .rev()
                .find(|p| p.state_hash.as_ref() == Some(state_hash))
        }) {
            return Ok(Some(p.commit));
        }
        Ok(self.local.state.find_state(path, state_hash)?)
    }

    fn commit(
        &mut self,
        path: &str,
        obs: &Observation,
        mut set: ChangeSet,
        state_hash: Option<ContentHash>,
    ) -> Result<Recorded, ArchiveError> {
        let (oid, blob, title, message) = self.write_commit(path, obs, &mut set)?;
        self.tip = oid;
        // Read back from the message, as `version_of` reads it: trailers are written in a
        // canonical order (of changes, for one), not always the order they were made in.
        if let Some(trailers) = Trailers::parse(&message) {
            let text = blob.zip(state_hash);
            let version = super::catch_up::version(
                oid,
                &message,
                trailers,
                path.to_owned(),
                title.clone(),
                text,
            );
            self.versions.push(version);
        }
        self.touched.insert(path.to_owned());
        self.pending
            .entry(path.to_owned())
            .or_default()
            .push(Pending {
                commit: oid,
                deleted: set.changes.contains(ChangeKind::Deleted),
                blob,
                state_hash,
            });
        self.unpublished += 1;
        let recorded = Recorded {
            commit: oid,
            url: obs.url.to_string(),
            path: path.to_owned(),
            title,
            changes: set.changes,
            reverts: set.reverts,
            summary: set.summary,
        };
        if self.unpublished >= BATCH || self.batch.bytes() >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(recorded)
    }

    /// Writes the blob, trees, commit and raw-bytes blob of one change; returns the commit, the
    /// article's blob, its title and the commit message.
    fn write_commit(
        &mut self,
        path: &str,
        obs: &Observation,
        set: &mut ChangeSet,
    ) -> Result<(Oid, Option<Oid>, String, String), ArchiveError> {
        let (blob, content_hash) = match &set.document {
            Some(doc) => {
                let bytes = doc.to_bytes();
                let content_hash = ContentHash::of(&bytes);
                let blob = self.batch.add(ObjectType::Blob, bytes, Some(path))?;
                (Some(blob), Some(content_hash))
            }
            None => (None, None),
        };
        self.trees.set(self.repo, &self.batch, path, blob)?;
        let tree = self.trees.write(&mut self.batch)?;
        let title = set
            .document
            .as_ref()
            .or(set.before.as_ref())
            .map(|d| d.title.clone())
            .unwrap_or_default();
        let trailers = Trailers {
            url: obs.url.to_string(),
            changes: set.changes,
            reverts: set.reverts,
            content_hash,
            source_hash: set.raw.as_deref().map(ContentHash::of),
            fetched_at: obs.fetched_at,
            http_status: obs.http_status,
            imported_from: obs.imported_from.clone(),
        };
        let message = set.message(&title, &trailers);
        let commit = commit_object(tree, &[self.tip], obs.fetched_at, &message)?;
        let oid = self.batch.add(ObjectType::Commit, commit, None)?;
        if let Some(raw) = set.raw.take() {
            // Raw pages are stored whole: deltas between pages would need a search this
            // recorder doesn't do, and `git gc` finds them when the space matters.
            let raw_blob = self.batch.add(ObjectType::Blob, raw, None)?;
            self.notes.push((oid, raw_blob));
        }
        Ok((oid, blob, title, message))
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
        let published = (self.published, self.tip);
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
        let versions = std::mem::take(&mut self.versions);
        self.local.sync(self.repo, &paths, published, &versions)
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
        let odb = self.repo.odb()?;
        let mut room = 2 << 20;
        for path in &self.touched {
            if let Ok(entry) = tree.get_path(std::path::Path::new(path)) {
                let (size, _) = odb.read_header(entry.id())?;
                room += round(size as u64);
            }
        }
        let index = self.repo.path().join("index");
        room += round(std::fs::metadata(&index).map_or(0, |m| m.len()));
        room += 200 * self.touched.len() as u64 + BLOCK * self.unpublished as u64;
        Ok(room)
    }

    /// Writes this batch's objects from memory into one pack file (and its index), and makes
    /// the repository see it.
    fn write_pack(&mut self) -> Result<(), ArchiveError> {
        let dir = self.repo.path().join("objects/pack");
        self.batch.write(&dir).map_err(ArchiveError::io(&dir))?;
        self.repo.odb()?.refresh()?;
        Ok(())
    }

    /// Adds this batch's raw bytes to the notes tree, fanned out by the first two hex digits of
    /// the commit as git itself does for large notes trees, and commits it.
    fn write_notes(&mut self) -> Result<Oid, ArchiveError> {
        let repo = self.repo;
        let root = match self.notes_published {
            Some(commit) => repo.find_commit(commit)?.tree_id(),
            None => self
                .batch
                .add(ObjectType::Tree, Vec::new(), Some("notes:/"))?,
        };
        let mut trees = Trees::new(root, "notes:");
        for (commit, blob) in &self.notes {
            let hex = commit.to_string();
            trees.set(
                repo,
                &self.batch,
                &format!("{}/{}", &hex[..2], &hex[2..]),
                Some(*blob),
            )?;
        }
        let tree = trees.write(&mut self.batch)?;
        let parents: Vec<Oid> = self.notes_published.into_iter().collect();
        let commit = commit_object(
            tree,
            &parents,
            Utc::now(),
            "Raw bytes of recorded versions\n",
        )?;
        Ok(self.batch.add(ObjectType::Commit, commit, None)?)
    }
}

/// A commit object in git's format, signed like every palimpsest commit ([`signature`]).
fn commit_object(
    tree: Oid,
    parents: &[Oid],
    time: DateTime<Utc>,
    message: &str,
) -> Result<Vec<u8>, git2::Error> {
    let sig = signature(time)?;
    let when = sig.when();
    let offset = when.offset_minutes();
    let person = format!(
        "{} <{}> {} {}{:02}{:02}",
        sig.name().unwrap_or_default(),
        sig.email().unwrap_or_default(),
        when.seconds(),
        if offset < 0 { '-' } else { '+' },
        offset.abs() / 60,
        offset.abs() % 60
    );
    let mut out = format!("tree {tree}\n");
    for parent in parents {
        out.push_str(&format!("parent {parent}\n"));
    }
    out.push_str(&format!("author {person}\ncommitter {person}\n\n{message}"));
    Ok(out.into_bytes())
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
    use std::io::Write;
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
    changes: Changes,
    reverts: Option<Oid>,
    summary: Option<diff::Summary>,
    /// The text before the change (for a deletion, what was deleted).
    before: Option<Document>,
    document: Option<Document>,
    raw: Option<Vec<u8>>,
}

impl ChangeSet {
    fn deleted(before: Document) -> ChangeSet {
        ChangeSet {
            changes: ChangeKind::Deleted.into(),
            reverts: None,
            summary: None,
            before: Some(before),
            document: None,
            raw: None,
        }
    }

    fn message(&self, title: &str, trailers: &Trailers) -> String {
        let mut message = commit::subject(self.changes, title);
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

#[cfg(test)]
mod tests {
    use super::super::tests::observe as page;
    use super::*;

    fn gone(url: &Url) -> Observation {
        Observation {
            seen: Seen::Gone,
            http_status: 404,
            ..page(url, "", "")
        }
    }

    /// The database indexes a batch's versions as the recorder made them: they must be what
    /// reading the commits back gives (`version_of`, which rebuilds the database).
    #[test]
    fn versions_are_indexed_as_the_commits_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::init(&dir.path().join("a")).unwrap();
        archive.lock(false).unwrap();
        let a = Url::parse("https://news.test/a.html").unwrap();
        let b = Url::parse("https://news.test/2026/b.html").unwrap();
        let batches = [
            vec![
                page(&a, "First", "One sentence. Two sentences."),
                page(&b, "Other", "Text of b."),
                page(&a, "First", "One sentence, edited. Two sentences."),
            ],
            vec![
                page(&b, "Other, retitled", "Text of b."),
                gone(&a),
                page(&a, "First", "One sentence. Two sentences."),
                page(&b, "Other", "Text of b."),
                page(&a, "First", "One sentence. Two sentences。"),
            ],
        ];
        for (batch, commits) in batches.into_iter().zip([3, 5]) {
            let made = archive
                .with_recorder(|r| {
                    r.track(std::slice::from_ref(&b))?;
                    for obs in batch {
                        r.record(obs)?.expect("a change");
                    }
                    Ok(r.versions.clone())
                })
                .unwrap();
            assert_eq!(made.len(), commits);
            for version in &made {
                let commit = archive.repo.find_commit(version.commit).unwrap();
                let read = super::super::catch_up::version_of(&archive.repo, &commit).unwrap();
                assert_eq!(Some(version), read.as_ref());
            }
            let newest = crate::archive::state::Filter::default();
            let mut indexed = archive
                .local
                .state
                .recent_page(&newest, 0, commits)
                .unwrap();
            indexed.reverse();
            indexed.iter_mut().for_each(|v| v.number = 0);
            assert_eq!(made, indexed);
        }
        let all = archive
            .local
            .state
            .recent_page(&crate::archive::state::Filter::default(), 0, 100)
            .unwrap();
        for kind in [ChangeKind::Deleted, ChangeKind::Restored, ChangeKind::Title] {
            assert!(all.iter().any(|v| v.changes.contains(kind)), "{kind:?}");
        }
        assert!(
            all.iter()
                .any(|v| v.reverts.is_some() && v.summary.is_none())
        );
        assert!(
            all.iter()
                .any(|v| v.changes.contains(ChangeKind::Minor) && v.summary.is_some())
        );
    }
}
