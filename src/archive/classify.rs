//! What a fetch changed: (what was archived before, what the fetch saw now) → the [`Change`] one
//! commit records, or none.
//!
//! The whole decision is here, apart from git and the database, so that it is tested on
//! documents alone and a new kind of change (a removal notice, a block page) is added in one
//! place: its kind in [`ChangeKind`], its rule in [`classify`].
//!
//! - Nothing archived and a page: `new`. A deleted article and a page: `restored`, and compared
//!   with its text before the deletion.
//! - A page whose title and body are those archived is no change (byline and date alone are
//!   not compared: see [`Document::same_content`]). Otherwise `title` and/or `body`; a body
//!   change whose every edit is punctuation or white space, with the same title, is also
//!   `minor`.
//! - A title or body change that returns to the text of an earlier version names it (`Reverts`).
//! - Gone (404, 410, 451) when there is a text: `deleted`. Gone when there is none: no change.

use super::change::{ChangeKind, Changes};
use super::record::Seen;
use crate::diff;
use crate::normalize::Document;
use git2::Oid;

/// What the archive held of an article before a fetch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Before<'a> {
    /// Nothing: the article was never archived.
    Nothing,
    /// Its current text.
    Text(&'a Document),
    /// It was deleted; this is its text before the deletion.
    Deleted(&'a Document),
}

/// What one commit records about a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub changes: Changes,
    /// What changed in the body, sentence by sentence, when it changed.
    pub summary: Option<diff::Summary>,
    /// The earlier version whose text this one returns to.
    pub reverts: Option<Oid>,
}

/// Decides what seeing `now` changed after `before`; `None` when it changed nothing.
/// `earlier` finds the newest earlier version of the article with the text seen now: it is
/// asked only after a change of title or body, which may return to an earlier text.
pub(crate) fn classify<E>(
    before: Before<'_>,
    now: &Seen,
    earlier: impl FnOnce() -> Result<Option<Oid>, E>,
) -> Result<Option<Change>, E> {
    let document = match now {
        Seen::Page { document, .. } => document,
        Seen::Gone => {
            return Ok(match before {
                Before::Text(_) => Some(Change::of(ChangeKind::Deleted.into())),
                Before::Nothing | Before::Deleted(_) => None,
            });
        }
    };
    let (kinds, compared) = match before {
        Before::Nothing => return Ok(Some(Change::of(ChangeKind::New.into()))),
        Before::Text(text) if text.same_content(document) => return Ok(None),
        Before::Text(text) => (Changes::NONE, text),
        Before::Deleted(text) => (ChangeKind::Restored.into(), text),
    };
    let mut change = Change::of(kinds);
    if compared.title != document.title {
        change.changes.insert(ChangeKind::Title);
    }
    if compared.paragraphs != document.paragraphs {
        change.changes.insert(ChangeKind::Body);
        let summary = diff::summary(compared, document);
        if summary.minor && compared.title == document.title {
            change.changes.insert(ChangeKind::Minor);
        }
        change.summary = Some(summary);
    }
    if change.changes.contains(ChangeKind::Title) || change.changes.contains(ChangeKind::Body) {
        change.reverts = earlier()?;
    }
    Ok(Some(change))
}

impl Change {
    fn of(changes: Changes) -> Change {
        Change {
            changes,
            summary: None,
            reverts: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn doc(title: &str, sentences: &[&str]) -> Document {
        Document {
            url: "https://example.com/a".into(),
            title: title.into(),
            paragraphs: vec![sentences.iter().map(|s| s.to_string()).collect()],
            ..Document::default()
        }
    }

    fn page(document: &Document) -> Seen {
        Seen::Page {
            document: document.clone(),
            raw: document.to_bytes(),
        }
    }

    /// For a change that must not look for an earlier text.
    fn not_asked() -> Result<Option<Oid>, Infallible> {
        panic!("asked for an earlier text")
    }

    fn none_earlier() -> Result<Option<Oid>, Infallible> {
        Ok(None)
    }

    fn kinds(change: Option<Change>) -> Option<String> {
        change.map(|c| c.changes.to_string())
    }

    fn classified(before: Before<'_>, now: &Seen) -> Option<String> {
        kinds(classify(before, now, none_earlier).unwrap())
    }

    #[test]
    fn a_first_page_is_new() {
        let now = doc("T", &["One.", "Two."]);
        let change = classify(Before::Nothing, &page(&now), not_asked).unwrap();
        assert_eq!(
            change,
            Some(Change {
                changes: ChangeKind::New.into(),
                summary: None,
                reverts: None,
            })
        );
    }

    #[test]
    fn the_same_title_and_body_is_no_change() {
        let before = doc("T", &["One.", "Two."]);
        let mut now = before.clone();
        now.byline = Some("Someone else".into());
        now.published = Some("2026-03-14".into());
        let change = classify(Before::Text(&before), &page(&now), not_asked).unwrap();
        assert_eq!(change, None);
    }

    #[test]
    fn title_and_body_are_told_apart() {
        let before = doc("T", &["One.", "Two."]);
        let retitled = doc("T2", &["One.", "Two."]);
        let edited = doc("T", &["One.", "Two, edited."]);
        let both = doc("T2", &["One.", "Two, edited."]);
        let text = Before::Text(&before);
        assert_eq!(classified(text, &page(&retitled)).as_deref(), Some("title"));
        assert_eq!(classified(text, &page(&edited)).as_deref(), Some("body"));
        assert_eq!(
            classified(text, &page(&both)).as_deref(),
            Some("title, body")
        );
        let change = classify(text, &page(&edited), none_earlier)
            .unwrap()
            .unwrap();
        let summary = change.summary.expect("a body change is summed up");
        assert_eq!((summary.edited, summary.minor), (1, false));
        let change = classify(text, &page(&retitled), none_earlier)
            .unwrap()
            .unwrap();
        assert_eq!(change.summary, None);
    }

    #[test]
    fn punctuation_alone_is_minor_unless_the_title_changed() {
        let before = doc("T", &["One sentence.", "Two sentences."]);
        let punctuated = doc("T", &["One sentence.", "Two sentences。"]);
        let retitled = doc("T2", &["One sentence.", "Two sentences。"]);
        let text = Before::Text(&before);
        assert_eq!(
            classified(text, &page(&punctuated)).as_deref(),
            Some("body, minor")
        );
        assert_eq!(
            classified(text, &page(&retitled)).as_deref(),
            Some("title, body")
        );
    }

    #[test]
    fn gone_is_a_deletion_only_of_a_text() {
        let before = doc("T", &["One."]);
        let deleted = |b| kinds(classify(b, &Seen::Gone, not_asked).unwrap());
        assert_eq!(deleted(Before::Text(&before)).as_deref(), Some("deleted"));
        assert_eq!(deleted(Before::Nothing), None);
        assert_eq!(deleted(Before::Deleted(&before)), None);
    }

    #[test]
    fn back_after_a_deletion_is_restored_and_compared_with_the_deleted_text() {
        let before = doc("T", &["One.", "Two."]);
        let deleted = Before::Deleted(&before);
        let same = classify(deleted, &page(&before), not_asked).unwrap();
        assert_eq!(kinds(same).as_deref(), Some("restored"));
        let edited = doc("T", &["One.", "Two, edited."]);
        assert_eq!(
            classified(deleted, &page(&edited)).as_deref(),
            Some("body, restored")
        );
    }

    #[test]
    fn a_return_to_an_earlier_text_names_it() {
        let before = doc("T", &["One, edited."]);
        let now = doc("T", &["One."]);
        let earlier = Oid::from_str(&"1".repeat(40)).unwrap();
        let change = classify(Before::Text(&before), &page(&now), || {
            Ok::<_, Infallible>(Some(earlier))
        })
        .unwrap()
        .unwrap();
        assert_eq!(change.reverts, Some(earlier));
        // The lookup's failure is the classification's.
        let failed = classify(Before::Text(&before), &page(&now), || Err("database"));
        assert_eq!(failed, Err("database"));
    }
}
