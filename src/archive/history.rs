//! The versions of one article: listing them, naming one (`3`, a commit id, a date) and
//! reading its archived text or its raw fetched bytes.

use super::capture::Capture;
use super::change::{ChangeKind, Changes};
use super::{Archive, ArchiveError, format_time};
use crate::hash::ContentHash;
use chrono::{DateTime, NaiveDate, Utc};
use git2::{Oid, Repository};
use std::collections::HashMap;

/// One recorded version of an article: one commit with trailers.
///
/// JSON (`log --format json`): `{"number", "commit", "path", "url", "changes": [kind], "minor":
/// bool, "reverts", "title", "subject", "summary", "content_hash", "source_hash", "fetched_at",
/// "http_status", "imported_from"}`. Ids are hex strings, hashes `blake3:<hex>`, the time as
/// [`format_time`] writes it; `changes` leaves out `minor`, which has its own field as in the
/// trailers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// 1 for the first version of the article.
    pub number: usize,
    pub commit: Oid,
    pub path: String,
    pub url: String,
    pub changes: Changes,
    /// The earlier version whose text this one returns to.
    pub reverts: Option<Oid>,
    pub title: String,
    pub subject: String,
    /// What changed in the body, sentence by sentence (`2 sentences added, 1 edited`).
    pub summary: Option<String>,
    pub content_hash: Option<ContentHash>,
    pub source_hash: Option<ContentHash>,
    /// The archived file's blob; `None` for a deletion.
    pub blob: Option<Oid>,
    /// [`Document::state_hash`](crate::normalize::Document::state_hash) of the text; `None` for
    /// a deletion.
    pub state_hash: Option<ContentHash>,
    pub fetched_at: DateTime<Utc>,
    pub http_status: u16,
    pub imported_from: Option<String>,
}

impl Version {
    pub fn is_deletion(&self) -> bool {
        self.changes.contains(ChangeKind::Deleted)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            number: usize,
            commit: String,
            path: &'a str,
            url: &'a str,
            changes: Changes,
            minor: bool,
            reverts: Option<String>,
            title: &'a str,
            subject: &'a str,
            summary: &'a Option<String>,
            content_hash: Option<String>,
            source_hash: Option<String>,
            fetched_at: String,
            http_status: u16,
            imported_from: &'a Option<String>,
        }
        Json {
            number: self.number,
            commit: self.commit.to_string(),
            path: &self.path,
            url: &self.url,
            changes: self.changes.without(ChangeKind::Minor),
            minor: self.changes.contains(ChangeKind::Minor),
            reverts: self.reverts.map(|r| r.to_string()),
            title: &self.title,
            subject: &self.subject,
            summary: &self.summary,
            content_hash: self.content_hash.map(|h| h.to_string()),
            source_hash: self.source_hash.map(|h| h.to_string()),
            fetched_at: format_time(&self.fetched_at),
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
        let mut hits = versions
            .iter()
            .filter(|v| v.commit.to_string().starts_with(&lower));
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
        .find(|v| v.fetched_at <= until)
        .ok_or_else(|| VersionSpecError::TooEarly(spec.into()))
}

impl Archive {
    /// The archived file of a version; `None` for a deletion.
    pub fn version_bytes(&self, version: &Version) -> Result<Option<Vec<u8>>, ArchiveError> {
        let Some(blob) = version.blob else {
            return Ok(None);
        };
        Ok(Some(self.repo.find_blob(blob)?.content().to_vec()))
    }

    /// The bytes fetched for a version, kept in the `refs/notes/raw` notes; `None` for a
    /// deletion or a version recorded without them.
    pub fn raw_bytes(&self, version: &Version) -> Result<Option<Vec<u8>>, ArchiveError> {
        match self
            .repo
            .find_note(Some(super::RAW_NOTES_REF), version.commit)
        {
            Ok(note) => Ok(Some(note.message_bytes().to_vec())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The HTTP exchange of a version, kept in the `refs/notes/http` notes; `None` for a
    /// version recorded without one (before palimpsest kept them, from a local file, imported
    /// from git).
    pub fn capture(&self, version: &Version) -> Result<Option<Capture>, ArchiveError> {
        let note = match self
            .repo
            .find_note(Some(super::HTTP_NOTES_REF), version.commit)
        {
            Ok(note) => note,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let text = String::from_utf8_lossy(note.message_bytes());
        Capture::parse(&text)
            .map(Some)
            .map_err(|e| ArchiveError::BadNote {
                commit: version.commit,
                source: e,
            })
    }
}

/// Reads the notes (raw bytes, HTTP exchange) of many versions: each notes tree is listed
/// once, rather than looked up again for every version as [`Archive::raw_bytes`] does.
pub struct Notes<'a> {
    repo: &'a Repository,
    raw: HashMap<Oid, Oid>,
    http: HashMap<Oid, Oid>,
}

impl Archive {
    /// A reader of every version's notes, as they are now.
    pub fn notes(&self) -> Result<Notes<'_>, ArchiveError> {
        Ok(Notes {
            repo: &self.repo,
            raw: notes_index(&self.repo, super::RAW_NOTES_REF)?,
            http: notes_index(&self.repo, super::HTTP_NOTES_REF)?,
        })
    }
}

impl Notes<'_> {
    /// As [`Archive::raw_bytes`].
    pub fn raw_bytes(&self, version: &Version) -> Result<Option<Vec<u8>>, ArchiveError> {
        self.read(&self.raw, version.commit)
    }

    /// As [`Archive::capture`].
    pub fn capture(&self, version: &Version) -> Result<Option<Capture>, ArchiveError> {
        let Some(bytes) = self.read(&self.http, version.commit)? else {
            return Ok(None);
        };
        Capture::parse(&String::from_utf8_lossy(&bytes))
            .map(Some)
            .map_err(|e| ArchiveError::BadNote {
                commit: version.commit,
                source: e,
            })
    }

    fn read(
        &self,
        index: &HashMap<Oid, Oid>,
        commit: Oid,
    ) -> Result<Option<Vec<u8>>, ArchiveError> {
        match index.get(&commit) {
            Some(blob) => Ok(Some(self.repo.find_blob(*blob)?.content().to_vec())),
            None => Ok(None),
        }
    }
}

/// The notes of `notes_ref`, annotated commit → note blob. Notes are named by the commit's
/// hex id, whole or fanned out in folders of its first digits (as git does when there are
/// many, and as the recorder writes them).
fn notes_index(repo: &Repository, notes_ref: &str) -> Result<HashMap<Oid, Oid>, ArchiveError> {
    let mut index = HashMap::new();
    let commit = match repo.refname_to_id(notes_ref) {
        Ok(oid) => repo.find_commit(oid)?,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(index),
        Err(e) => return Err(e.into()),
    };
    let mut folders = vec![(String::new(), commit.tree()?)];
    while let Some((prefix, tree)) = folders.pop() {
        for entry in tree.iter() {
            let name = format!("{prefix}{}", entry.name().unwrap_or_default());
            match entry.kind() {
                Some(git2::ObjectType::Tree) if name.len() < 40 => {
                    folders.push((name, repo.find_tree(entry.id())?));
                }
                Some(git2::ObjectType::Blob) => {
                    if let Ok(commit) = Oid::from_str(&name)
                        && name.len() == 40
                    {
                        index.insert(commit, entry.id());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(number: usize, commit: &str, fetched_at: &str) -> Version {
        Version {
            number,
            commit: Oid::from_str(commit).unwrap(),
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
            fetched_at: fetched_at.parse().unwrap(),
            http_status: 200,
            imported_from: None,
        }
    }

    /// `log --format json` prints this: ids and times as strings, `minor` apart from `changes`.
    #[test]
    fn json_keeps_its_shape() {
        let mut v = version(2, &"ab".repeat(20), "2026-01-02T10:00:00Z");
        v.changes.insert(ChangeKind::Minor);
        v.content_hash = Some(ContentHash::of(b"x"));
        let json = serde_json::to_string(&v).unwrap();
        let expected = format!(
            r#"{{"number":2,"commit":"{}","path":"","url":"","changes":["body"],"minor":true,"reverts":null,"title":"","subject":"","summary":null,"content_hash":"{}","source_hash":null,"fetched_at":"2026-01-02T10:00:00Z","http_status":200,"imported_from":null}}"#,
            "ab".repeat(20),
            ContentHash::of(b"x"),
        );
        assert_eq!(json, expected);
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
