//! Observations → commits: each fetch that changes an article becomes one commit.
//!
//! A [`Recorder`] writes the changes of a run. For each observation it reads what the archive
//! holds of the article, asks `classify.rs` what the fetch changed, and writes the change's
//! objects (the text, the folders on its path, the commit, the raw bytes and the HTTP exchange) into the batch in
//! memory: it keeps the tree in memory, rewrites only the folders on each article's path
//! (`tree.rs`) and chains the commits. Per batch, `publish.rs` writes them as one pack and
//! moves the branch once: a run of thousands of changes is neither thousands of loose object
//! files (file creation dominates their cost) nor thousands of ref updates.

use super::capture::Capture;
use super::catch_up::version;
use super::change::{ChangeKind, Changes};
use super::classify::{Before, Change, classify};
use super::commit::{self, Trailers, commit_object};
use super::publish::Unpublished;
use super::tree::Trees;
use super::{Archive, ArchiveError, Local, NOTES_REFS, path};
use crate::diff;
use crate::hash::ContentHash;
use crate::normalize::Document;
use chrono::{DateTime, Utc};
use git2::{ObjectType, Oid, Repository};
use std::collections::HashMap;
use url::Url;

/// What one check of an article found.
#[derive(Debug, Clone)]
pub struct Observation {
    pub url: Url,
    pub fetched_at: DateTime<Utc>,
    pub http_status: u16,
    pub seen: Seen,
    /// `<source commit>:<path>`, for versions replayed from another repository.
    pub imported_from: Option<String>,
    /// The HTTP exchange (request, redirects, status line and headers), kept as the
    /// `refs/notes/http` note; `None` where there was none (a local file) or it is not known.
    pub capture: Option<Box<Capture>>,
}

/// What a fetch saw.
#[derive(Debug, Clone)]
pub enum Seen {
    /// The article, and the exact bytes it was read from. The document is as [`page::read`]
    /// or [`Document::parse`] give it (normalized): the database indexes it as it will read
    /// back from the archive.
    ///
    /// [`page::read`]: crate::page::read
    Page { document: Document, raw: Vec<u8> },
    /// The server says the article is gone (404, 410, 451).
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
    /// The tree of the last commit written.
    trees: Trees,
    /// What was written and is not published yet.
    unpublished: Unpublished,
    /// The versions of `unpublished`, by path, which the database doesn't have yet.
    pending: HashMap<String, Vec<Pending>>,
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
        let mut notes = [None; 2];
        for (tip, name) in notes.iter_mut().zip(NOTES_REFS) {
            *tip = match repo.refname_to_id(name) {
                Ok(oid) => Some(oid),
                Err(e) if e.code() == git2::ErrorCode::NotFound => None,
                Err(e) => return Err(e.into()),
            };
        }
        let mut recorder = Recorder {
            repo: &repo,
            local: &mut self.local,
            trees: Trees::new(head.tree_id(), ""),
            unpublished: Unpublished::new(head.id(), notes),
            pending: HashMap::new(),
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
    pub fn record(&mut self, obs: Observation) -> Result<Option<Recorded>, ArchiveError> {
        let path = path::article_path(&obs.url);
        let current = self.current(&path)?;
        let deleted = match current {
            Some(_) => None,
            None => self.last_content_before_deletion(&path)?,
        };
        let before = match (&current, &deleted) {
            (Some(text), _) => Before::Text(text),
            (None, Some(text)) => Before::Deleted(text),
            (None, None) => Before::Nothing,
        };
        let state_hash = match &obs.seen {
            Seen::Page { document, .. } => Some(document.state_hash()),
            Seen::Gone => None,
        };
        let change = classify(before, &obs.seen, || match &state_hash {
            Some(hash) => self.earlier_state(&path, hash),
            None => Ok(None),
        })?;
        let Some(change) = change else {
            return Ok(None);
        };
        let recorded = self.commit(path, obs, change, current.or(deleted), state_hash)?;
        if self.unpublished.is_full() {
            self.flush()?;
        }
        Ok(Some(recorded))
    }

    /// Tracks `urls` in `palimpsest.toml` with a commit in this batch, so that the URLs are
    /// tracked exactly when what is recorded with them is published. Returns the new ones.
    pub(crate) fn track(&mut self, urls: &[Url]) -> Result<Vec<Url>, ArchiveError> {
        let Some((new, text, message)) = self.local.tracking(urls)? else {
            return Ok(Vec::new());
        };
        self.commit_settings(&text, &message)?;
        Ok(new)
    }

    /// When the newest version of the article at `path` that the database has was fetched
    /// (versions of this batch are not there yet).
    pub(crate) fn newest_fetch(&self, path: &str) -> Result<Option<DateTime<Utc>>, ArchiveError> {
        Ok(self
            .local
            .state
            .versions(path)?
            .last()
            .map(|v| v.fetched_at))
    }

    /// The text of `palimpsest.toml` as of the last commit written.
    pub(crate) fn config_text(&self) -> &str {
        &self.local.config_text
    }

    /// Commits a new `palimpsest.toml` in this batch.
    pub(crate) fn commit_settings(
        &mut self,
        text: &str,
        message: &str,
    ) -> Result<(), ArchiveError> {
        let config = crate::config::Config::parse(text)?;
        let name = crate::config::FILE_NAME;
        let parent = self.unpublished.tip();
        let batch = &mut self.unpublished.batch;
        let blob = batch.add(ObjectType::Blob, text.as_bytes().to_vec(), Some(name))?;
        self.trees.set(self.repo, batch, name, Some(blob))?;
        let tree = self.trees.write(batch)?;
        let commit = commit_object(tree, &[parent], Utc::now(), message)?;
        let commit = batch.add(ObjectType::Commit, commit, None)?;
        self.unpublished.add(commit, name, None, [None, None]);
        self.local.config = config;
        self.local.config_text = text.to_owned();
        Ok(())
    }

    /// The text of `path` at the last commit written.
    fn current(&mut self, path: &str) -> Result<Option<Document>, ArchiveError> {
        match self.trees.get(self.repo, &self.unpublished.batch, path)? {
            Some(blob) => Ok(Some(self.document(blob)?)),
            None => Ok(None),
        }
    }

    /// An archived text, from this batch or the repository.
    fn document(&self, blob: Oid) -> Result<Document, ArchiveError> {
        Ok(match self.unpublished.batch.get(blob) {
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

    /// Writes the commit of `change` to the article at `path`: its text (none for a deletion),
    /// the folders on its path, the commit and the raw bytes fetched. `before` is the text the
    /// change is from (for a deletion, the text deleted).
    fn commit(
        &mut self,
        path: String,
        obs: Observation,
        change: Change,
        before: Option<Document>,
        state_hash: Option<ContentHash>,
    ) -> Result<Recorded, ArchiveError> {
        let (document, raw) = match obs.seen {
            Seen::Page { document, raw } => (Some(document), Some(raw)),
            Seen::Gone => (None, None),
        };
        let (tree, text) = self.write_text(&path, document.as_ref())?;
        let blob = text.map(|(blob, _)| blob);
        let title = document
            .as_ref()
            .or(before.as_ref())
            .map(|d| d.title.clone())
            .unwrap_or_default();
        let title_was = before
            .as_ref()
            .filter(|_| change.changes.contains(ChangeKind::Title))
            .map(|d| d.title.as_str());
        let trailers = Trailers {
            url: obs.url.to_string(),
            changes: change.changes,
            reverts: change.reverts,
            content_hash: text.map(|(_, hash)| hash),
            source_hash: raw.as_deref().map(ContentHash::of),
            fetched_at: obs.fetched_at,
            http_status: obs.http_status,
            imported_from: obs.imported_from,
        };
        let message = commit::message(&trailers, &title, title_was, change.summary.as_ref());
        let commit = commit_object(tree, &[self.unpublished.tip()], obs.fetched_at, &message)?;
        let batch = &mut self.unpublished.batch;
        let commit = batch.add(ObjectType::Commit, commit, None)?;
        // Raw pages are stored whole: deltas between pages would need a search this recorder
        // doesn't do, and `git gc` finds them when the space matters.
        let raw = raw
            .map(|raw| batch.add(ObjectType::Blob, raw, None))
            .transpose()?;
        let http = obs
            .capture
            .map(|c| batch.add(ObjectType::Blob, c.to_text().into_bytes(), None))
            .transpose()?;
        // Indexed as `version_of` reads the commit back: trailers are written in a canonical
        // order (of changes, for one), not always the order they were made in.
        let version = Trailers::parse(&message).map(|trailers| {
            let text = blob.zip(state_hash);
            version(
                commit,
                &message,
                trailers,
                path.clone(),
                title.clone(),
                text,
            )
        });
        self.unpublished.add(commit, &path, version, [raw, http]);
        self.pending.entry(path.clone()).or_default().push(Pending {
            commit,
            deleted: change.changes.contains(ChangeKind::Deleted),
            blob,
            state_hash,
        });
        Ok(Recorded {
            commit,
            url: obs.url.to_string(),
            path,
            title,
            changes: change.changes,
            reverts: change.reverts,
            summary: change.summary,
        })
    }

    /// Writes the article's text at `path` (or removes it, for `None`) and the folders on its
    /// path; returns the root folder, and the text's blob and content hash.
    fn write_text(
        &mut self,
        path: &str,
        document: Option<&Document>,
    ) -> Result<(Oid, Option<(Oid, ContentHash)>), ArchiveError> {
        let batch = &mut self.unpublished.batch;
        let text = match document {
            Some(doc) => {
                let bytes = doc.to_bytes();
                let hash = ContentHash::of(&bytes);
                Some((batch.add(ObjectType::Blob, bytes, Some(path))?, hash))
            }
            None => None,
        };
        self.trees
            .set(self.repo, batch, path, text.map(|(blob, _)| blob))?;
        Ok((self.trees.write(batch)?, text))
    }

    /// Publishes what was recorded so far ([`Unpublished::publish`]).
    fn flush(&mut self) -> Result<(), ArchiveError> {
        let published = self.unpublished.publish(self.repo, self.local);
        if self.unpublished.is_empty() {
            self.pending.clear();
        }
        published
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
                    Ok(r.unpublished.versions().to_vec())
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
