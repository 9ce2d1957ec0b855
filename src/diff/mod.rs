//! Two [`Document`]s → [`DiffReport`]: what changed between two versions of an article.
//!
//! Sentences are diffed first (the archive's unit), then the characters (CJK) or words (other
//! scripts) inside each edited sentence. Everything runs under a deadline, because two
//! unrelated texts make Myers quadratic.

use crate::normalize::Document;
use similar::{Algorithm, ChangeTag, TextDiff};
use std::time::Duration;

/// Longest time spent diffing one pair of texts; past it, `similar` returns a coarser diff.
const DEADLINE: Duration = Duration::from_millis(500);

/// The changes between two versions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffReport {
    pub title: Option<TitleChange>,
    pub changes: Vec<SentenceChange>,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TitleChange {
    pub old: Vec<Span>,
    pub new: Vec<Span>,
}

/// A piece of a sentence, marked when it is what changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub text: String,
    pub changed: bool,
}

/// One changed sentence. Indexes count sentences across the whole body, from 0.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum SentenceChange {
    Added {
        new_index: usize,
        text: String,
    },
    Deleted {
        old_index: usize,
        text: String,
    },
    Edited {
        old_index: usize,
        new_index: usize,
        old: Vec<Span>,
        new: Vec<Span>,
    },
    Moved {
        old_index: usize,
        new_index: usize,
        text: String,
    },
}

/// Counts of sentence changes, and whether the whole change is minor (punctuation or white
/// space only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub added: usize,
    pub deleted: usize,
    pub edited: usize,
    pub moved: usize,
    pub minor: bool,
}

/// Compares two versions of an article.
pub fn compare(old: &Document, new: &Document) -> DiffReport {
    let title = (old.title != new.title).then(|| {
        let (old, new) = inline(&old.title, &new.title);
        TitleChange { old, new }
    });
    let old_s: Vec<&str> = old.sentences().collect();
    let new_s: Vec<&str> = new.sentences().collect();
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(DEADLINE)
        .diff_slices(&old_s, &new_s);
    let mut changes = Vec::new();
    for op in diff.ops() {
        for change in diff.iter_changes(op) {
            match change.tag() {
                ChangeTag::Equal => {}
                ChangeTag::Delete => changes.push(SentenceChange::Deleted {
                    old_index: change.old_index().unwrap_or(0),
                    text: change.value().to_owned(),
                }),
                ChangeTag::Insert => changes.push(SentenceChange::Added {
                    new_index: change.new_index().unwrap_or(0),
                    text: change.value().to_owned(),
                }),
            }
        }
    }
    let mut summary = Summary::default();
    for c in &changes {
        match c {
            SentenceChange::Added { .. } => summary.added += 1,
            SentenceChange::Deleted { .. } => summary.deleted += 1,
            SentenceChange::Edited { .. } => summary.edited += 1,
            SentenceChange::Moved { .. } => summary.moved += 1,
        }
    }
    DiffReport {
        title,
        changes,
        summary,
    }
}

/// Diffs two short texts character by character.
fn inline(old: &str, new: &str) -> (Vec<Span>, Vec<Span>) {
    let diff = TextDiff::configure().timeout(DEADLINE).diff_chars(old, new);
    let (mut o, mut n) = (Vec::new(), Vec::new());
    for change in diff.iter_all_changes() {
        let span = Span {
            text: change.value().to_owned(),
            changed: change.tag() != ChangeTag::Equal,
        };
        match change.tag() {
            ChangeTag::Equal => {
                o.push(span.clone());
                n.push(span);
            }
            ChangeTag::Delete => o.push(span),
            ChangeTag::Insert => n.push(span),
        }
    }
    (o, n)
}
