//! `palimpsest verify`: is the archive sound? Every object reachable from a ref must be present
//! and hash to its id (what `git fsck` checks first), and every version must still hash to its
//! `Content-Hash` and `Source-Hash` trailers.

use super::remote::FETCHED;
use super::{Archive, ArchiveError, RAW_NOTES_REF, Trailers, path};
use crate::hash::ContentHash;
use git2::{ObjectType, Oid, Repository};
use std::collections::HashSet;

/// What `verify` found.
#[derive(Debug, Default, serde::Serialize)]
pub struct VerifyReport {
    /// Objects read and checked.
    pub objects: usize,
    /// Versions whose hashes were checked.
    pub versions: usize,
    /// Everything wrong, one line each.
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Archive {
    /// Checks every object reachable from a ref (but a hub's fetched shards) and every
    /// version's hashes.
    pub fn verify(&self) -> Result<VerifyReport, ArchiveError> {
        // Make every object read re-hash its content and compare with its id.
        git2::opts::strict_hash_verification(true);
        let repo = &self.repo;
        let mut report = VerifyReport::default();
        let mut seen = HashSet::new();
        let mut walk = repo.revwalk()?;
        // Every ref but a hub's fetched shards, which are not part of the archive until merged
        // (their raw bytes are in the hub's notes only then).
        for reference in repo.references()? {
            let reference = reference?;
            if reference.name().is_ok_and(|n| n.starts_with(FETCHED)) {
                continue;
            }
            // As `git log --all` does, refs to other objects than commits are left out.
            if let Ok(commit) = reference.peel_to_commit() {
                walk.push(commit.id())?;
            }
        }
        for oid in walk {
            let oid = match oid {
                Ok(oid) => oid,
                Err(e) => {
                    report
                        .problems
                        .push(format!("history can't be walked: {e}"));
                    break;
                }
            };
            let commit = match repo.find_commit(oid) {
                Ok(c) => c,
                Err(e) => {
                    report.problems.push(format!("commit {oid}: {e}"));
                    continue;
                }
            };
            report.objects += 1;
            visit_tree(repo, commit.tree_id(), &mut seen, &mut report);
            let message = String::from_utf8_lossy(commit.message_bytes());
            if let Some(trailers) = Trailers::parse(&message) {
                self.check_version(&commit, &trailers, &mut report);
            }
        }
        Ok(report)
    }

    fn check_version(&self, commit: &git2::Commit, trailers: &Trailers, report: &mut VerifyReport) {
        let id = commit.id();
        report.versions += 1;
        if let Some(expected) = trailers.content_hash {
            let Ok(url) = url::Url::parse(&trailers.url) else {
                report.problems.push(format!(
                    "commit {id}: Url trailer {:?} is not a URL",
                    trailers.url
                ));
                return;
            };
            let file = path::article_path(&url);
            let found = commit
                .tree()
                .ok()
                .and_then(|t| t.get_path(std::path::Path::new(&file)).ok());
            match found.and_then(|e| self.repo.find_blob(e.id()).ok()) {
                Some(blob) if ContentHash::of(blob.content()) == expected => {}
                Some(_) => report.problems.push(format!(
                    "commit {id}: {file} does not match its Content-Hash"
                )),
                None => report
                    .problems
                    .push(format!("commit {id}: {file} is missing")),
            }
        }
        if let Some(expected) = trailers.source_hash {
            match self.repo.find_note(Some(RAW_NOTES_REF), id) {
                Ok(note) if ContentHash::of(note.message_bytes()) == expected => {}
                Ok(_) => report.problems.push(format!(
                    "commit {id}: raw bytes do not match its Source-Hash"
                )),
                Err(_) => report.problems.push(format!(
                    "commit {id}: raw bytes are missing from {RAW_NOTES_REF}"
                )),
            }
        }
    }
}

/// Reads a tree and everything below it once, recording what is missing or corrupt.
fn visit_tree(repo: &Repository, oid: Oid, seen: &mut HashSet<Oid>, report: &mut VerifyReport) {
    let mut stack = vec![oid];
    while let Some(oid) = stack.pop() {
        if !seen.insert(oid) {
            continue;
        }
        report.objects += 1;
        let tree = match repo.find_tree(oid) {
            Ok(t) => t,
            Err(e) => {
                report.problems.push(format!("tree {oid}: {e}"));
                continue;
            }
        };
        for entry in tree.iter() {
            match entry.kind() {
                Some(ObjectType::Tree) => stack.push(entry.id()),
                Some(ObjectType::Blob) if seen.insert(entry.id()) => {
                    report.objects += 1;
                    if let Err(e) = repo.find_blob(entry.id()) {
                        report.problems.push(format!(
                            "blob {} ({}): {e}",
                            entry.id(),
                            entry.name().unwrap_or("?")
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}
