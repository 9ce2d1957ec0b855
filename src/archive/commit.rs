//! Commits: the message (a subject and lines a person reads, trailers a script reads) and the
//! commit object git stores.
//!
//! Trailer keys are a contract (README.md): `Url`, `Change`, `Minor`, `Reverts`, `Content-Hash`,
//! `Source-Hash`, `Fetched-At`, `Http-Status`, `Imported-From`. They are written and parsed here
//! and nowhere else. `git log --format=%(trailers)` and `git interpret-trailers` read them too.

use super::change::{ChangeKind, Changes};
use crate::diff;
use crate::hash::ContentHash;
use chrono::{DateTime, Utc};
use git2::{Oid, Signature};
use std::fmt;

/// Starts the commit-message line that sums up a body change, sentence by sentence.
pub(super) const SUMMARY_PREFIX: &str = "Changes: ";

/// The machine-readable part of a version's commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailers {
    pub url: String,
    /// The `Change:` kinds, and [`ChangeKind::Minor`] for `Minor: yes`.
    pub changes: Changes,
    /// The earlier version whose text this one returns to.
    pub reverts: Option<Oid>,
    /// Hash of the archived file; absent for a deletion.
    pub content_hash: Option<ContentHash>,
    /// Hash of the bytes fetched; absent for a deletion.
    pub source_hash: Option<ContentHash>,
    /// Written in UTC; read in any offset.
    pub fetched_at: DateTime<Utc>,
    pub http_status: u16,
    /// `<source commit>:<path>` for versions replayed by `import-git`.
    pub imported_from: Option<String>,
}

impl Trailers {
    /// Appends the trailer block (no leading blank line) to `out`.
    pub fn write(&self, out: &mut String) {
        let mut line = |key: &str, value: &dyn fmt::Display| {
            out.push_str(key);
            out.push_str(": ");
            out.push_str(&value.to_string());
            out.push('\n');
        };
        line("Url", &self.url);
        line("Change", &self.changes.without(ChangeKind::Minor));
        if self.changes.contains(ChangeKind::Minor) {
            line("Minor", &"yes");
        }
        if let Some(reverts) = &self.reverts {
            line("Reverts", reverts);
        }
        if let Some(hash) = &self.content_hash {
            line("Content-Hash", hash);
        }
        if let Some(hash) = &self.source_hash {
            line("Source-Hash", hash);
        }
        line("Fetched-At", &super::format_time(&self.fetched_at));
        line("Http-Status", &self.http_status);
        if let Some(from) = &self.imported_from {
            line("Imported-From", from);
        }
    }

    /// Reads the trailers of a commit message. `None` when the commit is not a version (it has
    /// no `Url`, `Change` and `Fetched-At` trailers), such as the commits that change
    /// `palimpsest.toml`. Unknown keys are ignored; malformed values make the commit not a version.
    pub fn parse(message: &str) -> Option<Trailers> {
        let block = message.trim_end().rsplit("\n\n").next()?;
        let mut url = None;
        let mut changes = None;
        let mut minor = false;
        let mut fetched_at = None;
        let mut t = Trailers {
            url: String::new(),
            changes: Changes::NONE,
            reverts: None,
            content_hash: None,
            source_hash: None,
            fetched_at: DateTime::default(),
            http_status: 0,
            imported_from: None,
        };
        for line in block.lines() {
            let Some((key, value)) = line.split_once(": ") else {
                continue;
            };
            let value = value.trim();
            // An empty value is no value: at the end of a message, `trim_end` above drops it.
            if value.is_empty() {
                continue;
            }
            match key {
                "Url" => url = Some(value.to_owned()),
                "Change" => {
                    let kinds: Changes = value
                        .split(',')
                        .map(|k| k.trim().parse::<ChangeKind>())
                        .collect::<Result<_, _>>()
                        .ok()?;
                    // `minor` has a trailer of its own.
                    if kinds.contains(ChangeKind::Minor) {
                        return None;
                    }
                    changes = Some(kinds);
                }
                "Minor" => minor = value == "yes",
                "Reverts" => t.reverts = Some(full_oid(value)?),
                "Content-Hash" => t.content_hash = Some(value.parse().ok()?),
                "Source-Hash" => t.source_hash = Some(value.parse().ok()?),
                "Fetched-At" => {
                    fetched_at = Some(DateTime::parse_from_rfc3339(value).ok()?.to_utc());
                }
                "Http-Status" => t.http_status = value.parse().ok()?,
                "Imported-From" => t.imported_from = Some(value.to_owned()),
                _ => {}
            }
        }
        t.url = url?;
        t.changes = changes.filter(|c| !c.is_empty())?;
        if minor {
            t.changes.insert(ChangeKind::Minor);
        }
        t.fetched_at = fetched_at?;
        Some(t)
    }
}

/// A commit id in full: git2 would also take a prefix and pad it with zeros.
fn full_oid(hex: &str) -> Option<Oid> {
    (hex.len() == 40).then(|| Oid::from_str(hex).ok()).flatten()
}

/// Longest title kept in a subject line, in characters.
const SUBJECT_TITLE: usize = 100;

/// The subject line: what changed, then the title.
pub(super) fn subject(changes: Changes, title: &str) -> String {
    let has = |k| changes.contains(k);
    let what = if has(ChangeKind::New) {
        "New"
    } else if has(ChangeKind::Deleted) {
        "Deleted"
    } else if has(ChangeKind::Restored) {
        if has(ChangeKind::Title) || has(ChangeKind::Body) {
            "Restored with changes"
        } else {
            "Restored"
        }
    } else if has(ChangeKind::Title) && has(ChangeKind::Body) {
        "Title and body changed"
    } else if has(ChangeKind::Title) {
        "Title changed"
    } else {
        "Body edited"
    };
    let title = if title.is_empty() {
        "(untitled)"
    } else {
        title
    };
    let mut short: String = title.chars().take(SUBJECT_TITLE).collect();
    if short.len() < title.len() {
        short.push('…');
    }
    format!("{what}: {short}")
}

/// The message of a version's commit: the subject, then the title it had (`title_was`, when
/// the title changed), what changed in the body and the version it returns to, then the
/// trailers.
pub(super) fn message(
    trailers: &Trailers,
    title: &str,
    title_was: Option<&str>,
    summary: Option<&diff::Summary>,
) -> String {
    let mut message = subject(trailers.changes, title);
    message.push_str("\n\n");
    let mut body = Vec::new();
    if let Some(was) = title_was {
        body.push(format!("Title was: {was}"));
    }
    if let Some(summary) = summary {
        body.push(format!("{SUMMARY_PREFIX}{summary}."));
    }
    if let Some(reverts) = &trailers.reverts {
        body.push(format!("Returns to the text of {reverts}."));
    }
    if !body.is_empty() {
        message.push_str(&body.join("\n"));
        message.push_str("\n\n");
    }
    trailers.write(&mut message);
    message
}

/// The identity of every commit palimpsest writes; the date is the fetch time.
pub(super) fn signature(time: DateTime<Utc>) -> Result<Signature<'static>, git2::Error> {
    Signature::new(
        "palimpsest",
        "palimpsest@localhost",
        &git2::Time::new(time.timestamp(), 0),
    )
}

/// A commit object in git's format, signed like every palimpsest commit ([`signature`]).
pub(super) fn commit_object(
    tree: Oid,
    parents: &[Oid],
    time: DateTime<Utc>,
    message: &str,
) -> Result<Vec<u8>, git2::Error> {
    let sig = signature(time)?;
    let when = sig.when();
    let offset = when.offset_minutes();
    let person = format!(
        "{} <{}> {} {}{:02}{:02}",
        sig.name().unwrap_or_default(),
        sig.email().unwrap_or_default(),
        when.seconds(),
        if offset < 0 { '-' } else { '+' },
        offset.abs() / 60,
        offset.abs() % 60
    );
    let mut out = format!("tree {tree}\n");
    for parent in parents {
        out.push_str(&format!("parent {parent}\n"));
    }
    out.push_str(&format!("author {person}\ncommitter {person}\n\n{message}"));
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Trailers {
        Trailers {
            url: "https://example.com/a".into(),
            changes: [ChangeKind::Title, ChangeKind::Body].into_iter().collect(),
            reverts: Some(Oid::from_str("0123abcd0123abcd0123abcd0123abcd0123abcd").unwrap()),
            content_hash: Some(ContentHash::of(b"x")),
            source_hash: Some(ContentHash::of(b"y")),
            fetched_at: "2026-11-26T12:00:00Z".parse().unwrap(),
            http_status: 200,
            imported_from: Some("abc:pages/x.md".into()),
        }
    }

    #[test]
    fn trailers_round_trip() {
        let t = sample();
        let mut msg = "Title and body changed: X\n\nTitle was: Y\n\n".to_owned();
        t.write(&mut msg);
        assert!(msg.contains("\nChange: title, body\n"), "{msg}");
        assert!(
            msg.contains("\nFetched-At: 2026-11-26T12:00:00Z\n"),
            "{msg}"
        );
        assert_eq!(Trailers::parse(&msg), Some(t));
    }

    #[test]
    fn minor_has_a_trailer_of_its_own() {
        let mut t = sample();
        t.changes.insert(ChangeKind::Minor);
        let mut msg = "x\n\n".to_owned();
        t.write(&mut msg);
        assert!(msg.contains("\nChange: title, body\nMinor: yes\n"), "{msg}");
        assert_eq!(Trailers::parse(&msg), Some(t));
        let as_change = "x\n\nUrl: a\nChange: body, minor\nFetched-At: 2026-11-26T12:00:00Z\n";
        assert_eq!(Trailers::parse(as_change), None);
    }

    #[test]
    fn commits_without_trailers_are_not_versions() {
        assert_eq!(Trailers::parse("Track 2 articles\n"), None);
        let block = "Url: a\nChange: body\nFetched-At: 2026-11-26T12:00:00Z\n";
        assert_eq!(
            Trailers::parse(&format!("x\n\n{block}Reverts: 0123abcd\n")),
            None
        );
        assert_eq!(
            Trailers::parse("x\n\nUrl: a\nChange: sideways\nFetched-At: 2026-11-26T12:00:00Z\n"),
            None
        );
    }

    #[test]
    fn empty_values_are_absent_wherever_they_are() {
        // Found by `scripts/fuzz trailers`: an empty last trailer parsed as absent, the same
        // trailer elsewhere as an empty value, so writing and parsing again changed it.
        let block = "Url: a\nChange: new\nFetched-At: 2026-11-26T12:00:00Z\n";
        for message in [
            format!("x\n\n{block}Imported-From: \nReverts: \n"),
            format!("x\n\nImported-From: \nReverts: \n{block}"),
        ] {
            let t = Trailers::parse(&message).unwrap();
            assert_eq!((t.imported_from, t.reverts), (None, None), "{message:?}");
        }
        assert_eq!(
            Trailers::parse("x\n\nUrl: \nChange: new\nFetched-At: 2026-11-26T12:00:00Z\n"),
            None
        );
    }

    #[test]
    fn subject_names_the_change_and_shortens_the_title() {
        assert_eq!(subject(ChangeKind::New.into(), "T"), "New: T");
        assert_eq!(
            subject(
                [ChangeKind::Title, ChangeKind::Body].into_iter().collect(),
                ""
            ),
            "Title and body changed: (untitled)"
        );
        let long = "字".repeat(300);
        assert_eq!(
            subject(ChangeKind::Body.into(), &long).chars().count(),
            "Body edited: ".len() + SUBJECT_TITLE + 1
        );
    }
}
