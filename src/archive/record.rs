//! Observations → commits: decides whether a fetch is a change and writes it as one commit.
//!
//! A [`Recorder`] holds the writer lock for a run. It builds each commit's tree in the object
//! database (rewriting only the folders on the article's path), chains the commits, and moves the
//! branch once per batch, so a run of thousands of changes is not thousands of ref updates.

use super::commit::{self, ChangeKind, Trailers};
use super::{Archive, ArchiveError, RAW_NOTES_REF, path, signature};
use crate::diff;
use crate::hash::ContentHash;
use crate::normalize::Document;
use chrono::{DateTime, Utc};
use git2::{Oid, Repository, Tree};
use std::collections::{BTreeSet, HashMap};
use url::Url;

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

/// Writes the changes of one run. Call [`Recorder::finish`] at the end: changes recorded after
/// the last batch boundary are published only then.
pub struct Recorder<'a> {
    archive: &'a mut Archive,
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
    /// Starts recording. Needs the lock ([`Archive::lock`]).
    pub fn recorder(&mut self) -> Result<Recorder<'_>, ArchiveError> {
        self.require_lock();
        let head = self.repo.head()?.peel_to_commit()?.id();
        let notes = match self.repo.refname_to_id(RAW_NOTES_REF) {
            Ok(oid) => Some(oid),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Recorder {
            archive: self,
            published: head,
            tip: head,
            notes_published: notes,
            notes: Vec::new(),
            pending: HashMap::new(),
            touched: BTreeSet::new(),
            unpublished: 0,
        })
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
        let Some((new, text, message)) = self.archive.tracking(urls)? else {
            return Ok(Vec::new());
        };
        self.commit_settings(&text, &message)?;
        Ok(new)
    }

    /// The text of `palimpsest.toml` as of the last commit written.
    pub fn config_text(&self) -> &str {
        self.archive.config_text()
    }

    /// Commits a new `palimpsest.toml` in this batch.
    pub fn commit_settings(&mut self, text: &str, message: &str) -> Result<(), ArchiveError> {
        let config = crate::config::Config::parse(text)?;
        let repo = &self.archive.repo;
        let parent = repo.find_commit(self.tip)?;
        let blob = repo.blob(text.as_bytes())?;
        let tree = tree_with(
            repo,
            Some(&parent.tree()?),
            crate::config::FILE_NAME,
            Some(blob),
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
        self.touched.insert(crate::config::FILE_NAME.to_owned());
        self.archive.config = config;
        self.archive.config_text = text.to_owned();
        Ok(())
    }

    /// The text of `path` at the last commit written.
    fn current(&self, path: &str) -> Result<Option<Document>, ArchiveError> {
        let repo = &self.archive.repo;
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
                let versions = self.archive.state.versions(path)?;
                let deleted = versions.last().is_some_and(|v| v.is_deletion());
                (deleted, versions.iter().rev().find_map(|v| v.blob.clone()))
            }
        };
        if !deleted {
            return Ok(None);
        }
        let from_db = || -> Result<Option<String>, ArchiveError> {
            Ok(self
                .archive
                .state
                .versions(path)?
                .iter()
                .rev()
                .find_map(|v| v.blob.clone()))
        };
        let Some(blob) = blob.map(Ok).or_else(|| from_db().transpose()).transpose()? else {
            return Ok(None);
        };
        let blob = self.archive.repo.find_blob(Oid::from_str(&blob)?)?;
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
        Ok(self
            .archive
            .state
            .find_state(path, &state_hash.to_string())?)
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
        let repo = &self.archive.repo;
        let parent = repo.find_commit(self.tip)?;
        let (blob, content_hash) = match &set.document {
            Some(doc) => {
                let bytes = doc.to_bytes();
                (Some(repo.blob(&bytes)?), Some(ContentHash::of(&bytes)))
            }
            None => (None, None),
        };
        let tree = tree_with(repo, Some(&parent.tree()?), path, blob)?;
        let tree = match tree {
            Some(oid) => repo.find_tree(oid)?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
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
        if let Some(raw) = &set.raw {
            self.notes.push((oid, repo.blob(raw)?));
        }
        Ok((oid, blob, title))
    }

    /// Publishes everything recorded so far.
    fn flush(&mut self) -> Result<(), ArchiveError> {
        if self.tip == self.published {
            return Ok(());
        }
        let notes = if self.notes.is_empty() {
            None
        } else {
            Some((self.notes_published, self.write_notes()?))
        };
        let paths: Vec<String> = std::mem::take(&mut self.touched).into_iter().collect();
        self.archive
            .publish(self.published, self.tip, notes, &paths)?;
        self.published = self.tip;
        if let Some((_, new)) = notes {
            self.notes_published = Some(new);
        }
        self.notes.clear();
        self.pending.clear();
        self.unpublished = 0;
        Ok(())
    }

    /// Adds this batch's raw bytes to the notes tree, fanned out by the first two hex digits as
    /// git itself does for large notes trees, and commits it.
    fn write_notes(&self) -> Result<Oid, ArchiveError> {
        let repo = &self.archive.repo;
        let parent = self
            .notes_published
            .map(|oid| repo.find_commit(oid))
            .transpose()?;
        let mut tree = parent
            .as_ref()
            .map(|c| c.tree())
            .transpose()?
            .map(|t| t.id());
        for (commit, blob) in &self.notes {
            let hex = commit.to_string();
            let note_path = format!("{}/{}", &hex[..2], &hex[2..]);
            let base = tree.map(|t| repo.find_tree(t)).transpose()?;
            tree = tree_with(repo, base.as_ref(), &note_path, Some(*blob))?;
        }
        let tree =
            repo.find_tree(tree.ok_or_else(|| git2::Error::from_str("empty notes tree"))?)?;
        let sig = signature(Utc::now())?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        Ok(repo.commit(
            None,
            &sig,
            &sig,
            "Raw bytes of recorded versions\n",
            &tree,
            &parents,
        )?)
    }

    /// Publishes the rest and returns the archive.
    pub fn finish(mut self) -> Result<(), ArchiveError> {
        self.flush()
    }
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
            body.push(format!("Changes: {summary}."));
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
/// trees along the path. `None` when the result is an empty tree.
pub(crate) fn tree_with(
    repo: &Repository,
    base: Option<&Tree>,
    path: &str,
    blob: Option<Oid>,
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
            tree_with(repo, sub.as_ref(), rest, blob)?.map(|t| (t, 0o040000))
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
        Ok(None)
    } else {
        builder.write().map(Some)
    }
}
