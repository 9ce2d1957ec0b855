//! The working tree and the git index, brought up to the branch after it moves.
//!
//! Only the paths a batch touched are written: a checkout of the whole tree would read every
//! article of a large archive. Each file's index entry is made from the file just written (its
//! stat data and the blob it was written from), so neither we nor `git status` hash it again.

use super::ArchiveError;
use git2::{Oid, Repository};
use std::path::Path;

/// Writes `paths` from HEAD to the working tree under `root` and to the index, or removes
/// them where HEAD has no such file.
pub(super) fn sync(repo: &Repository, root: &Path, paths: &[String]) -> Result<(), ArchiveError> {
    let tree = repo.head()?.peel_to_tree()?;
    let mut index = repo.index()?;
    for rel in paths {
        let file = root.join(rel);
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
                while let Some(d) = dir.filter(|d| *d != root) {
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
