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
    ArchiveError, BRANCH, Local, NOTES_REFS, PRIVATE_DIR, RAW_NOTES_REF, RESERVE, SYNC_MARKER,
    Version, worktree,
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

/// One notes ref and the notes of a batch not yet on it.
pub(super) struct Notes {
    published: Option<Oid>,
    new: Vec<(Oid, Oid)>,
}

/// A notes ref to move: its name, where it was and the new notes commit.
type NotesMove = (&'static str, Option<Oid>, Oid);

/// What a recorder has written and the branch does not name yet.
pub(super) struct Unpublished {
    /// Where new objects wait, in memory, until the batch is packed.
    pub(super) batch: Batch,
    /// The commit the branch points at.
    published: Oid,
    /// The last commit written, which the next one builds on.
    tip: Oid,
    /// The notes refs ([`NOTES_REFS`]): where each is published, and each new version's
    /// commit with the blob of its note.
    notes: [Notes; 2],
    /// The versions of the commits not yet published, oldest first, for the database.
    versions: Vec<Version>,
    /// The paths the new commits changed.
    touched: BTreeSet<String>,
}

impl Unpublished {
    /// Nothing yet on top of the branch at `head` and the notes refs at `notes`.
    pub(super) fn new(head: Oid, notes: [Option<Oid>; 2]) -> Unpublished {
        Unpublished {
            batch: Batch::default(),
            published: head,
            tip: head,
            notes: notes.map(|published| Notes {
                published,
                new: Vec::new(),
            }),
            versions: Vec::new(),
            touched: BTreeSet::new(),
        }
    }

    /// The last commit written.
    pub(super) fn tip(&self) -> Oid {
        self.tip
    }

    /// Takes `commit` (in the batch, a child of the tip) as the new tip. It changed `path`; a
    /// new version of an article comes with its version and the blobs of its notes (raw bytes,
    /// HTTP exchange), where it has them.
    pub(super) fn add(
        &mut self,
        commit: Oid,
        path: &str,
        version: Option<Version>,
        notes: [Option<Oid>; 2],
    ) {
        self.tip = commit;
        self.touched.insert(path.to_owned());
        self.versions.extend(version);
        for (ours, blob) in self.notes.iter_mut().zip(notes) {
            ours.new.extend(blob.map(|blob| (commit, blob)));
        }
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
            .and_then(|notes| move_refs(repo, &local.root, moved, &notes, &paths).map(|()| notes));
        let notes = match notes {
            Ok(notes) => notes,
            Err(e) => {
                // No ref names the new pack: it goes, with any temporary file of a failed write.
                remove_new_files(&pack_dir, &packs_before);
                return Err(e);
            }
        };
        self.published = self.tip;
        for (name, _, new) in notes {
            let i = NOTES_REFS
                .iter()
                .position(|n| *n == name)
                .expect("a notes ref");
            self.notes[i].published = Some(new);
        }
        for notes in &mut self.notes {
            notes.new.clear();
        }
        self.touched.clear();
        let versions = std::mem::take(&mut self.versions);
        sync(repo, local, &paths, moved, &versions)
    }

    /// Writes a notes commit for each notes ref with new notes, and the batch's pack.
    fn write_notes_and_pack(&mut self, repo: &Repository) -> Result<Vec<NotesMove>, ArchiveError> {
        let mut moves = Vec::new();
        for (i, name) in NOTES_REFS.into_iter().enumerate() {
            if !self.notes[i].new.is_empty() {
                let new = self.write_notes(repo, i)?;
                moves.push((name, self.notes[i].published, new));
            }
        }
        self.write_pack(repo)?;
        Ok(moves)
    }

    /// Writes this batch's objects from memory into one pack file (and its index), and makes
    /// the repository see it.
    fn write_pack(&mut self, repo: &Repository) -> Result<(), ArchiveError> {
        let dir = repo.path().join("objects/pack");
        self.batch.write(&dir).map_err(ArchiveError::io(&dir))?;
        repo.odb()?.refresh()?;
        Ok(())
    }

    /// Adds this batch's notes of the `i`th notes ref to its tree, fanned out by the first two
    /// hex digits of the commit as git itself does for large notes trees, and commits it.
    fn write_notes(&mut self, repo: &Repository, i: usize) -> Result<Oid, ArchiveError> {
        let notes = &self.notes[i];
        let root = match notes.published {
            Some(commit) => repo.find_commit(commit)?.tree_id(),
            None => self
                .batch
                .add(ObjectType::Tree, Vec::new(), Some("notes:/"))?,
        };
        let mut trees = Trees::new(root, "notes:");
        for (commit, blob) in &notes.new {
            let hex = commit.to_string();
            trees.set(
                repo,
                &self.batch,
                &format!("{}/{}", &hex[..2], &hex[2..]),
                Some(*blob),
            )?;
        }
        let tree = trees.write(&mut self.batch)?;
        let parents: Vec<Oid> = notes.published.into_iter().collect();
        let message = match NOTES_REFS[i] {
            RAW_NOTES_REF => "Raw bytes of recorded versions\n",
            _ => "HTTP exchanges of recorded versions\n",
        };
        let commit = commit_object(tree, &parents, Utc::now(), message)?;
        Ok(self.batch.add(ObjectType::Commit, commit, None)?)
    }
}

/// Moves the branch (and the notes refs) from `old` to `new`; every object must be written
/// already. The branch moves with compare-and-swap, so a writer that bypassed the lock can't
/// be overwritten silently. On failure nothing has moved. Before the move, the sync marker
/// records `paths` for the next lock, in case this process dies before [`sync`].
fn move_refs(
    repo: &Repository,
    root: &Path,
    (old, new): (Oid, Oid),
    notes: &[NotesMove],
    paths: &[String],
) -> Result<(), ArchiveError> {
    let marker = root.join(PRIVATE_DIR).join(SYNC_MARKER);
    std::fs::write(&marker, paths.join("\n")).map_err(ArchiveError::io(&marker))?;
    let mut moved_notes: Vec<&NotesMove> = Vec::new();
    let moved = (|| {
        for note @ (name, old_notes, new_notes) in notes {
            match old_notes {
                Some(old_notes) => repo.reference_matching(
                    name,
                    *new_notes,
                    true,
                    *old_notes,
                    "palimpsest: notes",
                )?,
                None => repo.reference(name, *new_notes, false, "palimpsest: notes")?,
            };
            moved_notes.push(note);
        }
        let branch = format!("refs/heads/{BRANCH}");
        repo.reference_matching(&branch, new, true, old, "palimpsest: record")
            .map(drop)
    })();
    if moved.is_err() {
        // Best effort: notes of unpublished commits name no commit of the branch.
        for (name, old_notes, new_notes) in moved_notes {
            let _ = match old_notes {
                Some(old_notes) => repo
                    .reference_matching(name, *old_notes, true, *new_notes, "palimpsest: undo")
                    .map(drop),
                None => repo.find_reference(name).and_then(|mut r| r.delete()),
            };
        }
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
