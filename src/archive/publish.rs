//! A batch → the branch: the batch's objects go to disk as one pack, then the refs move, then
//! the working tree, the git index and the database follow.
//!
//! Objects reach disk before any ref names them, so a crash never leaves a ref to a missing
//! object. Until the branch moves, a failure (a full disk, a read-only file system) undoes what
//! the batch wrote, so the archive is as it was; the writes after the move get room set aside
//! beforehand, and a crash between the move and them is finished by the next lock
//! ([`super::lock`]).

use super::catch_up::catch_up;
use super::commit::commit_object;
use super::pack::Batch;
use super::tree::Trees;
use super::{
    ArchiveError, BRANCH, Local, PRIVATE_DIR, RAW_NOTES_REF, RESERVE, SYNC_MARKER, Version,
    worktree,
};
use chrono::Utc;
use git2::{ObjectType, Oid, Repository};
use std::collections::BTreeSet;
use std::path::Path;

/// Changes recorded before the branch is moved and the working tree updated. Each batch also
/// rewrites the notes folders and the git index, which grow with the archive: with 50,000
/// articles, batches of 500 recorded about 1,000 changes a second, batches of 2,000 about 1,700
/// (`cargo bench --bench record -- 50000`).
const BATCH: usize = 2000;
/// Or as many as make this many bytes of objects waiting in memory, whichever comes first.
const BATCH_BYTES: usize = 16 << 20;

/// What a recorder has written and the branch does not name yet.
pub(super) struct Unpublished {
    /// Where new objects wait, in memory, until the batch is packed.
    pub(super) batch: Batch,
    /// The commit the branch points at.
    published: Oid,
    /// The last commit written, which the next one builds on.
    tip: Oid,
    notes_published: Option<Oid>,
    /// Each new version's commit and the blob of its raw bytes.
    notes: Vec<(Oid, Oid)>,
    /// The versions of the commits not yet published, oldest first, for the database.
    versions: Vec<Version>,
    /// The paths the new commits changed.
    touched: BTreeSet<String>,
}

impl Unpublished {
    /// Nothing yet on top of the branch at `head` and the notes at `notes`.
    pub(super) fn new(head: Oid, notes: Option<Oid>) -> Unpublished {
        Unpublished {
            batch: Batch::default(),
            published: head,
            tip: head,
            notes_published: notes,
            notes: Vec::new(),
            versions: Vec::new(),
            touched: BTreeSet::new(),
        }
    }

    /// The last commit written.
    pub(super) fn tip(&self) -> Oid {
        self.tip
    }

    /// Takes `commit` (in the batch, a child of the tip) as the new tip. It changed `path`; a
    /// new version of an article comes with its version and the blob of its raw bytes.
    pub(super) fn add(
        &mut self,
        commit: Oid,
        path: &str,
        version: Option<Version>,
        raw: Option<Oid>,
    ) {
        self.tip = commit;
        self.touched.insert(path.to_owned());
        self.versions.extend(version);
        self.notes.extend(raw.map(|raw| (commit, raw)));
    }

    /// The versions written, oldest first.
    #[cfg(test)]
    pub(super) fn versions(&self) -> &[Version] {
        &self.versions
    }

    pub(super) fn is_empty(&self) -> bool {
        self.tip == self.published
    }

    /// Whether the batch should be published before more is recorded.
    pub(super) fn is_full(&self) -> bool {
        self.versions.len() >= BATCH || self.batch.bytes() >= BATCH_BYTES
    }

    /// Packs and publishes everything written so far, then brings the working tree, the index
    /// and the database up to it. The writes after the move get their room beforehand: a
    /// reserve file is written with the pack and removed just before the move.
    pub(super) fn publish(
        &mut self,
        repo: &Repository,
        local: &mut Local,
    ) -> Result<(), ArchiveError> {
        if self.is_empty() {
            return Ok(());
        }
        let pack_dir = repo.path().join("objects").join("pack");
        let packs_before = files_in(&pack_dir)?;
        let reserve = local.root.join(PRIVATE_DIR).join(RESERVE);
        let prepared = self.write_notes_and_pack(repo).and_then(|notes| {
            let room = room_after_move(repo, self.tip, &self.touched, self.versions.len())?;
            set_aside(&reserve, room)?;
            Ok(notes)
        });
        let _ = std::fs::remove_file(&reserve);
        let paths: Vec<String> = self.touched.iter().cloned().collect();
        let moved = (self.published, self.tip);
        let notes = prepared
            .and_then(|notes| move_refs(repo, &local.root, moved, notes, &paths).map(|()| notes));
        let notes = match notes {
            Ok(notes) => notes,
            Err(e) => {
                // No ref names the new pack: it goes, with any temporary file of a failed write.
                remove_new_files(&pack_dir, &packs_before);
                return Err(e);
            }
        };
        self.published = self.tip;
        if let Some((_, new)) = notes {
            self.notes_published = Some(new);
        }
        self.notes.clear();
        self.touched.clear();
        let versions = std::mem::take(&mut self.versions);
        sync(repo, local, &paths, moved, &versions)
    }

    /// Writes the notes commit (if there are raw bytes) and the batch's pack.
    fn write_notes_and_pack(
        &mut self,
        repo: &Repository,
    ) -> Result<Option<(Option<Oid>, Oid)>, ArchiveError> {
        let notes = if self.notes.is_empty() {
            None
        } else {
            Some((self.notes_published, self.write_notes(repo)?))
        };
        self.write_pack(repo)?;
        Ok(notes)
    }

    /// Writes this batch's objects from memory into one pack file (and its index), and makes
    /// the repository see it.
    fn write_pack(&mut self, repo: &Repository) -> Result<(), ArchiveError> {
        let dir = repo.path().join("objects/pack");
        self.batch.write(&dir).map_err(ArchiveError::io(&dir))?;
        repo.odb()?.refresh()?;
        Ok(())
    }

    /// Adds this batch's raw bytes to the notes tree, fanned out by the first two hex digits of
    /// the commit as git itself does for large notes trees, and commits it.
    fn write_notes(&mut self, repo: &Repository) -> Result<Oid, ArchiveError> {
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

/// Moves the branch (and the raw notes) from `old` to `new`; every object must be written
/// already. The branch moves with compare-and-swap, so a writer that bypassed the lock can't
/// be overwritten silently. On failure nothing has moved. Before the move, the sync marker
/// records `paths` for the next lock, in case this process dies before [`sync`].
fn move_refs(
    repo: &Repository,
    root: &Path,
    (old, new): (Oid, Oid),
    notes: Option<(Option<Oid>, Oid)>,
    paths: &[String],
) -> Result<(), ArchiveError> {
    let marker = root.join(PRIVATE_DIR).join(SYNC_MARKER);
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
                None => repo.reference(RAW_NOTES_REF, new_notes, false, "palimpsest: raw bytes")?,
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

/// After [`move_refs`] from `old` to `new`: brings the working tree, the index and the database
/// up to the branch. A failure here leaves the marker, and the next command finishes the job.
/// `versions` are the versions committed from `old` to `new`, as
/// [`version_of`](super::catch_up::version_of) reads them: indexed as they are when the
/// database's index stands at `old`, which saves reading every new text back; otherwise the
/// commits are read.
fn sync(
    repo: &Repository,
    local: &mut Local,
    paths: &[String],
    (old, new): (Oid, Oid),
    versions: &[Version],
) -> Result<(), ArchiveError> {
    worktree::sync(repo, &local.root, paths)?;
    let marker = local.root.join(PRIVATE_DIR).join(SYNC_MARKER);
    std::fs::remove_file(&marker).map_err(ArchiveError::io(&marker))?;
    if local.state.indexed_head()? == Some(old)
        && local.state.index(Some(old), new, versions, false)?
    {
        return Ok(());
    }
    catch_up(repo, &mut local.state)
}

/// A generous bound on what publishing writes after the branch moves to `tip`: the `touched`
/// files and the index (each rounded up to a 4 KiB block), a block per new version for the
/// database's index of them, and 2 MiB for refs, reflogs, SQLite's journal and a run's check
/// results.
pub(super) fn room_after_move(
    repo: &Repository,
    tip: Oid,
    touched: &BTreeSet<String>,
    versions: usize,
) -> Result<u64, ArchiveError> {
    const BLOCK: u64 = 4096;
    let round = |n: u64| n.div_ceil(BLOCK).max(1) * BLOCK;
    let tree = repo.find_commit(tip)?.tree()?;
    let odb = repo.odb()?;
    let mut room = 2 << 20;
    for path in touched {
        if let Ok(entry) = tree.get_path(Path::new(path)) {
            let (size, _) = odb.read_header(entry.id())?;
            room += round(size as u64);
        }
    }
    let index = repo.path().join("index");
    room += round(std::fs::metadata(&index).map_or(0, |m| m.len()));
    room += 200 * touched.len() as u64 + BLOCK * versions as u64;
    Ok(room)
}

/// The names of the files in `dir`.
pub(super) fn files_in(dir: &Path) -> Result<BTreeSet<std::ffi::OsString>, ArchiveError> {
    let entries = std::fs::read_dir(dir).map_err(ArchiveError::io(dir))?;
    entries
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(ArchiveError::io(dir))
}

/// Removes the files of `dir` that are not `before` (a pack no ref names, and any temporary
/// file of a failed write).
pub(super) fn remove_new_files(dir: &Path, before: &BTreeSet<std::ffi::OsString>) {
    if let Ok(now) = files_in(dir) {
        for name in now.difference(before) {
            let _ = std::fs::remove_file(dir.join(name));
        }
    }
}

/// Writes `bytes` of zeros to `path`, so that the file system has set that much room aside
/// (file systems with delayed allocation reserve blocks at `write`, so no sync is needed).
pub(super) fn set_aside(path: &Path, bytes: u64) -> Result<(), ArchiveError> {
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
