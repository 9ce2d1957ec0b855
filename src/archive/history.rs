//! The versions of one article: listing them, naming one (`3`, a commit id, a date) and
//! reading its archived text or its raw fetched bytes.

use super::change::{ChangeKind, Changes};
use super::{Archive, ArchiveError};
use chrono::{DateTime, NaiveDate, Utc};

/// One recorded version of an article: one commit with trailers.
///
/// JSON (`log --format json`): `{"number", "commit", "path", "url", "changes": [kind], "minor":
/// bool, "reverts", "title", "subject", "summary", "content_hash", "source_hash", "fetched_at",
/// "http_status", "imported_from"}`, where `changes` leaves out `minor`, which has its own field
/// as in the trailers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// 1 for the first version of the article.
    pub number: usize,
    pub commit: String,
    pub path: String,
    pub url: String,
    pub changes: Changes,
    pub reverts: Option<String>,
    pub title: String,
    pub subject: String,
    /// What changed in the body, sentence by sentence (`2 sentences added, 1 edited`).
    pub summary: Option<String>,
    pub content_hash: Option<String>,
    pub source_hash: Option<String>,
    /// The archived file's blob id; `None` for a deletion.
    pub blob: Option<String>,
    pub state_hash: Option<String>,
    /// RFC 3339.
    pub fetched_at: String,
    pub http_status: u16,
    pub imported_from: Option<String>,
}

impl Version {
    pub fn is_deletion(&self) -> bool {
        self.changes.contains(ChangeKind::Deleted)
    }

    pub fn fetched_at(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.fetched_at)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            number: usize,
            commit: &'a str,
            path: &'a str,
            url: &'a str,
            changes: Changes,
            minor: bool,
            reverts: &'a Option<String>,
            title: &'a str,
            subject: &'a str,
            summary: &'a Option<String>,
            content_hash: &'a Option<String>,
            source_hash: &'a Option<String>,
            fetched_at: &'a str,
            http_status: u16,
            imported_from: &'a Option<String>,
        }
        Json {
            number: self.number,
            commit: &self.commit,
            path: &self.path,
            url: &self.url,
            changes: self.changes.without(ChangeKind::Minor),
            minor: self.changes.contains(ChangeKind::Minor),
            reverts: &self.reverts,
            title: &self.title,
            subject: &self.subject,
            summary: &self.summary,
            content_hash: &self.content_hash,
            source_hash: &self.source_hash,
            fetched_at: &self.fetched_at,
            http_status: self.http_status,
            imported_from: &self.imported_from,
        }
        .serialize(s)
    }
}

/// A version spec that names no version of the article.
#[derive(Debug, thiserror::Error)]
pub enum VersionSpecError {
    #[error("there is no version {number} (the article has {count})")]
    NoSuchNumber { number: usize, count: usize },
    #[error("no version of this article has a commit id starting with {0}")]
    NoSuchCommit(String),
    #[error("commit id {0} is ambiguous among this article's versions; give more digits")]
    Ambiguous(String),
    #[error("no version was recorded at or before {0}")]
    TooEarly(String),
    #[error("{0:?} is not a version number, a commit id or a date (YYYY-MM-DD or RFC 3339)")]
    Unrecognized(String),
}

/// Finds the version `spec` names: a number (1 = first), a commit id or a unique prefix of one
/// (7 hex digits or more), or a date: the last version at or before it (a bare date means the
/// end of that day, UTC).
pub fn resolve<'v>(versions: &'v [Version], spec: &str) -> Result<&'v Version, VersionSpecError> {
    let spec = spec.trim();
    if !spec.is_empty() && spec.len() < 7 && spec.bytes().all(|b| b.is_ascii_digit()) {
        let number: usize = spec
            .parse()
            .map_err(|_| VersionSpecError::Unrecognized(spec.into()))?;
        return number.checked_sub(1).and_then(|i| versions.get(i)).ok_or(
            VersionSpecError::NoSuchNumber {
                number,
                count: versions.len(),
            },
        );
    }
    if spec.len() >= 7 && spec.len() <= 40 && spec.bytes().all(|b| b.is_ascii_hexdigit()) {
        let lower = spec.to_ascii_lowercase();
        let mut hits = versions.iter().filter(|v| v.commit.starts_with(&lower));
        return match (hits.next(), hits.next()) {
            (Some(v), None) => Ok(v),
            (Some(_), Some(_)) => Err(VersionSpecError::Ambiguous(spec.into())),
            (None, _) => Err(VersionSpecError::NoSuchCommit(spec.into())),
        };
    }
    let until = if let Ok(t) = DateTime::parse_from_rfc3339(spec) {
        t.with_timezone(&Utc)
    } else if let Ok(d) = NaiveDate::parse_from_str(spec, "%Y-%m-%d") {
        d.and_hms_opt(23, 59, 59)
            .map(|t| t.and_utc())
            .ok_or_else(|| VersionSpecError::Unrecognized(spec.into()))?
    } else {
        return Err(VersionSpecError::Unrecognized(spec.into()));
    };
    versions
        .iter()
        .rev()
        .find(|v| v.fetched_at().is_some_and(|t| t <= until))
        .ok_or_else(|| VersionSpecError::TooEarly(spec.into()))
}

impl Archive {
    /// The archived file of a version; `None` for a deletion.
    pub fn version_bytes(&self, version: &Version) -> Result<Option<Vec<u8>>, ArchiveError> {
        let Some(blob) = &version.blob else {
            return Ok(None);
        };
        let oid = git2::Oid::from_str(blob)?;
        Ok(Some(self.repo.find_blob(oid)?.content().to_vec()))
    }

    /// The bytes fetched for a version, kept in the `refs/notes/raw` notes; `None` for a
    /// deletion or a version recorded without them.
    pub fn raw_bytes(&self, version: &Version) -> Result<Option<Vec<u8>>, ArchiveError> {
        let oid = git2::Oid::from_str(&version.commit)?;
        match self.repo.find_note(Some(super::RAW_NOTES_REF), oid) {
            Ok(note) => Ok(Some(note.message_bytes().to_vec())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(number: usize, commit: &str, fetched_at: &str) -> Version {
        Version {
            number,
            commit: commit.into(),
            path: String::new(),
            url: String::new(),
            changes: ChangeKind::Body.into(),
            reverts: None,
            title: String::new(),
            subject: String::new(),
            summary: None,
            content_hash: None,
            source_hash: None,
            blob: None,
            state_hash: None,
            fetched_at: fetched_at.into(),
            http_status: 200,
            imported_from: None,
        }
    }

    #[test]
    fn resolves_numbers_commits_and_dates() {
        let vs = vec![
            version(1, "aaaaaaa111", "2026-01-01T10:00:00Z"),
            version(2, "aaaaaaa222", "2026-01-02T10:00:00Z"),
            version(3, "bbbbbbb333", "2026-01-05T10:00:00Z"),
        ];
        assert_eq!(resolve(&vs, "2").unwrap().number, 2);
        assert!(matches!(
            resolve(&vs, "4"),
            Err(VersionSpecError::NoSuchNumber {
                number: 4,
                count: 3
            })
        ));
        assert!(matches!(
            resolve(&vs, "0"),
            Err(VersionSpecError::NoSuchNumber { .. })
        ));
        assert_eq!(resolve(&vs, "bbbbbbb").unwrap().number, 3);
        assert!(matches!(
            resolve(&vs, "aaaaaaa"),
            Err(VersionSpecError::Ambiguous(_))
        ));
        assert_eq!(resolve(&vs, "2026-01-02").unwrap().number, 2);
        assert_eq!(resolve(&vs, "2026-01-04T00:00:00+00:00").unwrap().number, 2);
        assert!(matches!(
            resolve(&vs, "2025-12-31"),
            Err(VersionSpecError::TooEarly(_))
        ));
        assert!(matches!(
            resolve(&vs, "yesterday"),
            Err(VersionSpecError::Unrecognized(_))
        ));
    }
}
