//! Errors at the edge: what went wrong, what to do next, and the exit status.
//!
//! Exit statuses (documented in README.md):
//! - 0: success;
//! - 1: the command ran, but some articles failed (fetch errors, bad pages), or a push or pull
//!   could not be done (the remote, or shards that overlap);
//! - 2: bad usage or input (arguments, URLs, version names);
//! - 3: the archive can't be used (missing, locked, unreadable, git or database failure).

use palimpsest::archive::{ArchiveError, RemoteError, StorageFault};
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

/// An error the CLI reports, as jj does: `Error: <message>`, then `Caused by:` and one
/// numbered line per cause, then `Hint: <hint>` lines.
#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    /// The texts of the error's causes, outermost first.
    pub causes: Vec<String>,
    pub hints: Vec<String>,
    /// A full disk or a read-only file system: reported in one line that says what to do.
    pub storage: Option<StorageFault>,
}

impl CliError {
    fn new(kind: Kind, message: impl fmt::Display) -> CliError {
        CliError {
            kind,
            message: message.to_string(),
            causes: Vec::new(),
            hints: Vec::new(),
            storage: None,
        }
    }

    /// An error of `kind`, with its causes.
    pub fn of(kind: Kind, error: &dyn std::error::Error) -> CliError {
        CliError {
            causes: palimpsest::causes(error),
            ..CliError::new(kind, error)
        }
    }

    pub fn usage(message: impl fmt::Display) -> CliError {
        CliError::new(Kind::Usage, message)
    }

    /// The run finished but some inputs failed; each was already reported.
    pub fn partial(message: impl fmt::Display) -> CliError {
        CliError::new(Kind::Partial, message)
    }

    /// Adds `error`, and its own causes, to the causes.
    pub fn caused_by(mut self, error: &dyn std::error::Error) -> CliError {
        self.causes.push(error.to_string());
        self.causes.extend(palimpsest::causes(error));
        self
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
        self.causes.clear();
        self.hints.clear();
        self
    }

    /// Writes the report: the message, the numbered causes, the hints.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        writeln!(out, "Error: {}", self.message)?;
        if !self.causes.is_empty() {
            writeln!(out, "Caused by:")?;
            for (i, cause) in self.causes.iter().enumerate() {
                writeln!(out, "{}: {}", i + 1, cause.trim_end())?;
            }
        }
        for hint in &self.hints {
            writeln!(out, "Hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<ArchiveError> for CliError {
    fn from(e: ArchiveError) -> CliError {
        if let ArchiveError::Remote(remote) = e {
            return remote.into();
        }
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
            storage: e.storage_fault(),
            ..CliError::of(Kind::Archive, &e)
        };
        match hint {
            Some(h) => error.hint(h),
            None => error,
        }
    }
}

/// A push or pull that could not be done changed nothing: exit 1 when the remote or the
/// shards are at fault, 2 when the command was given the wrong archive.
impl From<RemoteError> for CliError {
    fn from(e: RemoteError) -> CliError {
        let (kind, hint) = match &e {
            RemoteError::NoShard => (
                Kind::Usage,
                "a collector names its share of the hosts in palimpsest.toml: [shard] with \
                 name = \"east\", then of = 3 and index = 0, or hosts = [...]"
                    .to_owned(),
            ),
            RemoteError::Collector(_) => (
                Kind::Usage,
                "point --archive at the hub's archive; collectors `push`".to_owned(),
            ),
            RemoteError::BadRemote(_) => (
                Kind::Usage,
                "give a remote's name (`git remote -v` in the archive lists them) or a URL"
                    .to_owned(),
            ),
            RemoteError::Spawn(_) => (
                Kind::Partial,
                "install git (2.31 or newer) and put it on PATH".to_owned(),
            ),
            RemoteError::Git { .. } => (
                Kind::Partial,
                "nothing was half-written on either side: fix what git says and run the command \
                 again (a push refused as non-fast-forward means that another collector pushes \
                 under this shard's name)"
                    .to_owned(),
            ),
            RemoteError::Rewritten { shard, merged } => (
                Kind::Partial,
                format!(
                    "the hub still holds that history; if the collector lost it, put it back \
                     with `git push REMOTE {merged}:refs/heads/shards/{shard}` from the hub's \
                     archive"
                ),
            ),
            RemoteError::Conflict { .. } => (
                Kind::Partial,
                "give each host to one collector only ([shard] in their palimpsest.toml), then \
                 pull again"
                    .to_owned(),
            ),
        };
        CliError::of(kind, &e).hint(hint)
    }
}

impl From<palimpsest::source::SourceError> for CliError {
    fn from(e: palimpsest::source::SourceError) -> CliError {
        CliError::of(Kind::Usage, &e)
    }
}

impl From<palimpsest::archive::history::VersionSpecError> for CliError {
    fn from(e: palimpsest::archive::history::VersionSpecError) -> CliError {
        CliError::of(Kind::Usage, &e).hint("list the versions with `palimpsest log URL`")
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
        CliError::new(kind, "could not write output").caused_by(&e)
    }
}

impl From<super::extract::ExtractError> for CliError {
    fn from(e: super::extract::ExtractError) -> CliError {
        use super::extract::ExtractError;
        match e {
            ExtractError::InputsFailed { .. } => CliError::partial(e),
            ExtractError::Io(io) => CliError::from(io),
            other => CliError::of(Kind::Usage, &other),
        }
    }
}
