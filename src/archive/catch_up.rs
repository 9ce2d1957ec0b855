//! The database's index of versions, kept up to the branch: commits → [`Version`]s.
//!
//! Git is the record and the index is derived from it: every command that opens the archive
//! reads the trailers of the commits the index has not seen yet, and the recorder hands over
//! the versions it made as it made them, which saves reading them back.

use super::change::ChangeKind;
use super::commit::Trailers;
use super::history::Version;
use super::state::State;
use super::{ArchiveError, path};
use crate::hash::ContentHash;
use crate::normalize::Document;
use git2::{Oid, Repository};
use std::path::Path;
use url::Url;

/// Brings the `versions` index of the database up to HEAD, reading the trailers of the commits
/// it has not seen (all of them when the database is new or history was rewritten).
pub(super) fn catch_up(repo: &Repository, state: &mut State) -> Result<(), ArchiveError> {
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
///
/// The commits are those of `head` that the indexed head does not reach, all of them, not only
/// first parents: a hub's branch joins the shards' histories with merge commits. They are indexed
/// in git's `--date-order`, reversed: parents before children, and older lines first. Each
/// article's versions are on one line of history (a shard's), so they keep their recorded order.
pub(super) fn catch_up_to(
    repo: &Repository,
    state: &mut State,
    head: Oid,
) -> Result<(), ArchiveError> {
    loop {
        let indexed = state.indexed_head()?;
        if indexed == Some(head) {
            return Ok(());
        }
        let known = indexed.filter(|oid| repo.find_commit(*oid).is_ok());
        let mut commits = since(repo, head, known)?;
        // Nothing new: another process indexed past this one's head.
        if commits.is_empty() {
            return Ok(());
        }
        // The walk reaches the indexed head as a parent exactly when it is an ancestor of
        // `head`; otherwise history was rewritten and the index starts again.
        let reset = match known {
            Some(known) => !commits.iter().any(|c| c.parent_ids().any(|p| p == known)),
            None => true,
        };
        if reset && known.is_some() {
            commits = since(repo, head, None)?;
        }
        let mut versions = Vec::new();
        for commit in &commits {
            if let Some(version) = version_of(repo, commit)? {
                versions.push(version);
            }
        }
        if state.index(indexed, head, &versions, reset)? {
            return Ok(());
        }
    }
}

/// The commits `head` reaches and `known` does not, parents first (see [`catch_up_to`]).
fn since<'r>(
    repo: &'r Repository,
    head: Oid,
    known: Option<Oid>,
) -> Result<Vec<git2::Commit<'r>>, ArchiveError> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME | git2::Sort::REVERSE)?;
    walk.push(head)?;
    if let Some(known) = known {
        walk.hide(known)?;
    }
    Ok(walk
        .map(|oid| repo.find_commit(oid?))
        .collect::<Result<_, _>>()?)
}

/// Reads a commit as a version of an article, if it is one.
pub(super) fn version_of(
    repo: &Repository,
    commit: &git2::Commit,
) -> Result<Option<Version>, ArchiveError> {
    let message = String::from_utf8_lossy(commit.message_bytes());
    let Some(trailers) = Trailers::parse(&message) else {
        return Ok(None);
    };
    let Ok(url) = Url::parse(&trailers.url) else {
        return Ok(None);
    };
    let path = path::article_path(&url);
    let deleted = trailers.changes.contains(ChangeKind::Deleted);
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
pub(super) fn version(
    commit: Oid,
    message: &str,
    trailers: Trailers,
    path: String,
    title: String,
    text: Option<(Oid, ContentHash)>,
) -> Version {
    Version {
        number: 0,
        commit,
        path,
        url: trailers.url,
        changes: trailers.changes,
        reverts: trailers.reverts,
        title,
        subject: message.lines().next().unwrap_or("").to_owned(),
        summary: message
            .lines()
            .find_map(|l| l.strip_prefix(super::commit::SUMMARY_PREFIX))
            .map(|s| s.trim_end_matches('.').to_owned()),
        content_hash: trailers.content_hash,
        source_hash: trailers.source_hash,
        blob: text.map(|(blob, _)| blob),
        state_hash: text.map(|(_, state)| state),
        fetched_at: trailers.fetched_at,
        http_status: trailers.http_status,
        imported_from: trailers.imported_from,
    }
}
