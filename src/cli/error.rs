//! Errors at the edge: what went wrong, what to do next, and the exit status.
//!
//! Exit statuses (documented in README.md):
//! - 0: success;
//! - 1: the command ran, but some articles failed (fetch errors, bad pages);
//! - 2: bad usage or input (arguments, URLs, version names);
//! - 3: the archive can't be used (missing, locked, unreadable, git or database failure).

use palimpsest::archive::{ArchiveError, StorageFault};
use std::fmt;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Output was cut off (`palimpsest log | head`): not an error.
    BrokenPipe,
    Partial,
    Usage,
    Archive,
}

impl Kind {
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Kind::BrokenPipe => 0,
            Kind::Partial => 1,
            Kind::Usage => 2,
            Kind::Archive => 3,
        })
    }
}

/// An error the CLI reports: `error: <message>` then `hint: <hint>` lines.
#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    pub hints: Vec<String>,
    /// A full disk or a read-only file system: reported in one line that says what to do.
    pub storage: Option<StorageFault>,
}

impl CliError {
    pub fn usage(message: impl fmt::Display) -> CliError {
        CliError {
            kind: Kind::Usage,
            message: message.to_string(),
            hints: Vec::new(),
            storage: None,
        }
    }

    /// The run finished but some inputs failed; each was already reported.
    pub fn partial(message: impl fmt::Display) -> CliError {
        CliError {
            kind: Kind::Partial,
            message: message.to_string(),
            hints: Vec::new(),
            storage: None,
        }
    }

    pub fn hint(mut self, hint: impl fmt::Display) -> CliError {
        self.hints.push(hint.to_string());
        self
    }

    /// A storage fault's one line, naming the archive at `root`. Nothing is half-written: a
    /// batch is undone until its branch moves, and room for the rest is set aside before.
    pub fn in_archive(mut self, root: &Path) -> CliError {
        let what = match self.storage {
            Some(StorageFault::Full) => format!(
                "no space left on the disk holding the archive {}; nothing was half-written: free space and run again",
                root.display()
            ),
            Some(StorageFault::ReadOnly) => format!(
                "the archive {} is on a read-only file system; nothing was written: make it writable and run again",
                root.display()
            ),
            None => return self,
        };
        self.message = what;
        self.hints.clear();
        self
    }
}

/// Writes the full chain of causes on one line, as `a: b: c`.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl From<ArchiveError> for CliError {
    fn from(e: ArchiveError) -> CliError {
        let hint = match &e {
            ArchiveError::Missing(_) => Some(
                "create it with `palimpsest init DIR`, or drop --archive to use the default archive",
            ),
            ArchiveError::NotAnArchive(_) => Some(
                "point --archive (or PALIMPSEST_ARCHIVE) at a palimpsest archive, or `palimpsest init` an empty folder",
            ),
            ArchiveError::NotEmpty(_) => Some("choose an empty or new folder"),
            ArchiveError::Locked(_) => {
                Some("wait for the other run to end, or pass --wait to queue behind it")
            }
            ArchiveError::Config(_) => {
                Some("fix palimpsest.toml in the archive, then run the command again")
            }
            _ => None,
        };
        let error = CliError {
            kind: Kind::Archive,
            message: chain(&e),
            hints: Vec::new(),
            storage: e.storage_fault(),
        };
        match hint {
            Some(h) => error.hint(h),
            None => error,
        }
    }
}

impl From<palimpsest::source::SourceError> for CliError {
    fn from(e: palimpsest::source::SourceError) -> CliError {
        CliError::usage(e)
    }
}

impl From<palimpsest::archive::history::VersionSpecError> for CliError {
    fn from(e: palimpsest::archive::history::VersionSpecError) -> CliError {
        CliError::usage(e).hint("list the versions with `palimpsest log URL`")
    }
}

/// Errors writing our own output.
impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        let kind = if e.kind() == std::io::ErrorKind::BrokenPipe {
            Kind::BrokenPipe
        } else {
            Kind::Archive
        };
        CliError {
            kind,
            message: format!("could not write output: {e}"),
            hints: Vec::new(),
            storage: None,
        }
    }
}

impl From<super::extract::ExtractError> for CliError {
    fn from(e: super::extract::ExtractError) -> CliError {
        use super::extract::ExtractError;
        match e {
            ExtractError::InputsFailed { .. } => CliError::partial(e),
            ExtractError::Io(io) => CliError::from(io),
            other => CliError::usage(other),
        }
    }
}
