//! What can go wrong with an archive, and which failures are the storage's (a full disk, a
//! read-only file system), which no retry fixes.

use super::state::StateError;
use crate::config::{self, ConfigError};
use std::fs::File;
use std::path::{Path, PathBuf};

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
    /// A `refs/notes/http` note that does not read as a capture (edited by hand?).
    #[error("the HTTP note of commit {commit} can't be read")]
    BadNote {
        /// The version's commit.
        commit: git2::Oid,
        /// What is wrong with the note.
        source: super::capture::MalformedCapture,
    },
    /// A push or a pull failed.
    #[error(transparent)]
    Remote(#[from] super::remote::RemoteError),
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

    pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
        move |source| ArchiveError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// SQLite can't tell why it could not open its files (a WAL database also needs room for its
/// shared-memory file): when the database fails to open, a small write next to it finds out
/// whether the file system is full or read-only, so that the error says what to do. A failed
/// first connection leaves an empty write-ahead log and shared-memory file behind, which hold
/// nothing and are removed, so that the failure changes nothing; with another connection open
/// they are its files and stay.
pub(super) fn diagnose(db: &Path, first_connection: bool, e: StateError) -> ArchiveError {
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
