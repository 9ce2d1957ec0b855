//! Two [`Document`]s → [`DiffReport`]: what changed between two versions of an article.
//!
//! Sentences are the unit, as in the archived file: `sentences` aligns them (added, deleted,
//! edited, moved), `inline` finds the changed characters (CJK) or words (other scripts) inside
//! edited and moved sentences, and `classify` tells punctuation-only changes apart. The report
//! is plain data that every view (terminal, JSON, HTML) reads; its serialized field names are
//! a stable contract, documented on each type.
//!
//! All of it runs under one deadline ([`TIMEOUT`]) because two unrelated texts make diffing
//! quadratic: past it, similar returns a coarser diff and sentence pairing stops, so the report
//! is still correct (every change is listed) but less fine-grained.

mod classify;
mod inline;
mod sentences;

use crate::normalize::Document;
use sentences::Aligned;

use std::fmt;
use std::time::{Duration, Instant};

/// The longest [`compare`] spends on refining a diff before settling for a coarser one.
pub const TIMEOUT: Duration = Duration::from_millis(250);

/// The changes between two versions of an article.
///
/// JSON: `{"title": TitleChange | null, "changes": [SentenceChange], "summary": Summary,
/// "paragraph_breaks_changed": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffReport {
    /// The title change, if the title changed.
    pub title: Option<TitleChange>,
    /// Changed sentences in reading order: an edit or deletion where the old sentence stood, an
    /// addition or move where the sentence now stands. Unchanged sentences are not listed.
    pub changes: Vec<SentenceChange>,
    /// True when the body has the same sentences, grouped into paragraphs differently (not
    /// computed when sentences changed: then paragraphs differ anyway).
    pub paragraph_breaks_changed: bool,
    /// Counts, for one-line descriptions.
    pub summary: Summary,
}

impl DiffReport {
    /// True when the two versions say the same thing in the same paragraphs.
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.changes.is_empty() && !self.paragraph_breaks_changed
    }
}

/// A changed title. JSON: `{"old": str, "new": str, "spans": [Span], "minor": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TitleChange {
    pub old: String,
    pub new: String,
    /// Both titles interleaved, changed characters or words marked.
    pub spans: Vec<Span>,
    /// Only punctuation or spacing changed.
    pub minor: bool,
}

/// A piece of an edited text. The old text is its `equal` and `deleted` spans in order, the new
/// text its `equal` and `added` spans: a side-by-side view filters, an inline view shows all.
/// JSON: `{"kind": "equal" | "deleted" | "added", "text": str}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub kind: SpanKind,
    pub text: String,
}

/// Whether a [`Span`] is in both texts, only the old one, or only the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Equal,
    Deleted,
    Added,
}

/// Where a sentence stands in its version, counting from 0: `index` over all sentences of the
/// body, `paragraph` over its paragraphs. JSON: `{"index": int, "paragraph": int}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Location {
    pub index: usize,
    pub paragraph: usize,
}

/// One changed sentence. `old` locates it in the old version, `new` in the new one.
///
/// JSON, tagged by `op`:
/// - `{"op": "added", "new": Location, "text": str}`
/// - `{"op": "deleted", "old": Location, "text": str}`
/// - `{"op": "edited", "old": Location, "new": Location, "spans": [Span], "minor": bool}`
/// - `{"op": "moved", "old": Location, "new": Location, "spans": [Span]}`: `spans` is one
///   `equal` span when the sentence moved unchanged, and marks the edits otherwise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SentenceChange {
    Added {
        new: Location,
        text: String,
    },
    Deleted {
        old: Location,
        text: String,
    },
    Edited {
        old: Location,
        new: Location,
        spans: Vec<Span>,
        /// Only punctuation or spacing changed.
        minor: bool,
    },
    Moved {
        old: Location,
        new: Location,
        spans: Vec<Span>,
    },
}

/// What changed, counted: one line of it (its `Display`) describes a version in commit messages
/// and `log`, e.g. `title changed, 2 sentences added, 1 deleted, 3 edited, 1 moved`.
///
/// JSON: `{"title": bool, "added": int, "deleted": int, "edited": int, "moved": int,
/// "minor": bool}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// The title changed.
    pub title: bool,
    /// Sentences added, deleted, edited in place, and moved (with or without edits).
    pub added: usize,
    pub deleted: usize,
    pub edited: usize,
    pub moved: usize,
    /// Something changed and all of it is punctuation, spacing or paragraph breaks: every edit
    /// (title included) is minor, nothing moved, and no added or deleted sentence has words.
    pub minor: bool,
}

impl fmt::Display for Summary {
    /// `title changed, 2 sentences added, 1 deleted, 3 edited, 1 moved`, with
    /// ` (punctuation or spacing only)` after a minor change; `paragraph breaks changed` when
    /// that is all, and `no changes` when nothing changed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.title {
            parts.push("title changed".to_owned());
        }
        let counts = [
            (self.added, "added"),
            (self.deleted, "deleted"),
            (self.edited, "edited"),
            (self.moved, "moved"),
        ];
        let mut first = true;
        for (count, what) in counts.into_iter().filter(|&(count, _)| count > 0) {
            let noun = match (first, count) {
                (false, _) => "",
                (true, 1) => " sentence",
                (true, _) => " sentences",
            };
            parts.push(format!("{count}{noun} {what}"));
            first = false;
        }
        match (parts.is_empty(), self.minor) {
            (true, true) => f.write_str("paragraph breaks changed"),
            (true, false) => f.write_str("no changes"),
            (false, minor) => {
                f.write_str(&parts.join(", "))?;
                if minor {
                    f.write_str(" (punctuation or spacing only)")?;
                }
                Ok(())
            }
        }
    }
}

/// Compares two versions of an article: title and body sentences. Metadata (url, byline, date)
/// is not compared, as in [`Document::same_content`].
pub fn compare(old: &Document, new: &Document) -> DiffReport {
    let deadline = Instant::now() + TIMEOUT;
    let title = (old.title != new.title).then(|| TitleChange {
        spans: inline_spans(&old.title, &new.title, deadline),
        minor: classify::is_minor_edit(&old.title, &new.title),
        old: old.title.clone(),
        new: new.title.clone(),
    });

    let old_sentences = located(old);
    let new_sentences = located(new);
    let old_text: Vec<&str> = old_sentences.iter().map(|&(_, s)| s).collect();
    let new_text: Vec<&str> = new_sentences.iter().map(|&(_, s)| s).collect();
    let changes: Vec<SentenceChange> = sentences::align(&old_text, &new_text, deadline)
        .into_iter()
        .map(|aligned| {
            let (o, n) = (&old_sentences, &new_sentences);
            match aligned {
                Aligned::Added { new } => SentenceChange::Added {
                    new: n[new].0,
                    text: n[new].1.to_owned(),
                },
                Aligned::Deleted { old } => SentenceChange::Deleted {
                    old: o[old].0,
                    text: o[old].1.to_owned(),
                },
                Aligned::Edited { old, new } => SentenceChange::Edited {
                    old: o[old].0,
                    new: n[new].0,
                    spans: inline_spans(o[old].1, n[new].1, deadline),
                    minor: classify::is_minor_edit(o[old].1, n[new].1),
                },
                Aligned::Moved { old, new } => SentenceChange::Moved {
                    old: o[old].0,
                    new: n[new].0,
                    spans: inline_spans(o[old].1, n[new].1, deadline),
                },
            }
        })
        .collect();

    let paragraph_breaks_changed = changes.is_empty() && paragraph_breaks_differ(old, new);
    let summary = summarize(
        title.as_ref().map(|t| t.minor),
        changes.iter().map(|change| match change {
            SentenceChange::Added { text, .. } => Tally::Added(classify::has_words(text)),
            SentenceChange::Deleted { text, .. } => Tally::Deleted(classify::has_words(text)),
            SentenceChange::Edited { minor, .. } => Tally::Edited { minor: *minor },
            SentenceChange::Moved { .. } => Tally::Moved,
        }),
        paragraph_breaks_changed,
    );
    DiffReport {
        title,
        changes,
        paragraph_breaks_changed,
        summary,
    }
}

/// The summary of [`compare`], without the character spans that only a display of the
/// changes needs: every recorded change is summed up in its commit message.
pub(crate) fn summary(old: &Document, new: &Document) -> Summary {
    let deadline = Instant::now() + TIMEOUT;
    let title = (old.title != new.title).then(|| classify::is_minor_edit(&old.title, &new.title));
    let old_text: Vec<&str> = located(old).into_iter().map(|(_, s)| s).collect();
    let new_text: Vec<&str> = located(new).into_iter().map(|(_, s)| s).collect();
    let aligned = sentences::align(&old_text, &new_text, deadline);
    let paragraph_breaks_changed = aligned.is_empty() && paragraph_breaks_differ(old, new);
    summarize(
        title,
        aligned.into_iter().map(|a| match a {
            Aligned::Added { new } => Tally::Added(classify::has_words(new_text[new])),
            Aligned::Deleted { old } => Tally::Deleted(classify::has_words(old_text[old])),
            Aligned::Edited { old, new } => Tally::Edited {
                minor: classify::is_minor_edit(old_text[old], new_text[new]),
            },
            Aligned::Moved { .. } => Tally::Moved,
        }),
        paragraph_breaks_changed,
    )
}

/// The same sentences, broken into paragraphs differently.
fn paragraph_breaks_differ(old: &Document, new: &Document) -> bool {
    old.paragraphs
        .iter()
        .map(Vec::len)
        .ne(new.paragraphs.iter().map(Vec::len))
}

/// A sentence change as [`summarize`] counts it; added and deleted ones say whether they have
/// words.
enum Tally {
    Added(bool),
    Deleted(bool),
    Edited { minor: bool },
    Moved,
}

/// Every body sentence with its location.
fn located(doc: &Document) -> Vec<(Location, &str)> {
    doc.paragraphs
        .iter()
        .enumerate()
        .flat_map(|(paragraph, sentences)| sentences.iter().map(move |s| (paragraph, s)))
        .enumerate()
        .map(|(index, (paragraph, s))| (Location { index, paragraph }, s.as_str()))
        .collect()
}

fn inline_spans(old: &str, new: &str, deadline: Instant) -> Vec<Span> {
    inline::spans(&inline::tokenize(old), &inline::tokenize(new), deadline)
}

/// Counts `changes`; `title_minor` is `Some` when the title changed, saying whether only in
/// punctuation or spacing.
fn summarize(
    title_minor: Option<bool>,
    changes: impl Iterator<Item = Tally>,
    paragraph_breaks_changed: bool,
) -> Summary {
    let mut summary = Summary {
        title: title_minor.is_some(),
        ..Summary::default()
    };
    let mut all_minor = title_minor.unwrap_or(true);
    let mut any = false;
    for change in changes {
        any = true;
        match change {
            Tally::Added(words) => {
                summary.added += 1;
                all_minor &= !words;
            }
            Tally::Deleted(words) => {
                summary.deleted += 1;
                all_minor &= !words;
            }
            Tally::Edited { minor } => {
                summary.edited += 1;
                all_minor &= minor;
            }
            Tally::Moved => {
                summary.moved += 1;
                all_minor = false;
            }
        }
    }
    let changed = title_minor.is_some() || any || paragraph_breaks_changed;
    summary.minor = changed && all_minor;
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, paragraphs: &[&[&str]]) -> Document {
        Document {
            url: "https://news.test/1".into(),
            title: title.into(),
            paragraphs: paragraphs
                .iter()
                .map(|p| p.iter().map(|s| s.to_string()).collect())
                .collect(),
            ..Document::default()
        }
    }

    fn span(kind: SpanKind, text: &str) -> Span {
        Span {
            kind,
            text: text.into(),
        }
    }

    #[test]
    fn identical_documents_give_an_empty_report() {
        let a = doc("标题", &[&["第一句。", "第二句。"], &["第三句。"]]);
        let report = compare(&a, &a.clone());
        assert!(report.is_empty());
        assert_eq!(report.summary, Summary::default());
        assert_eq!(report.summary.to_string(), "no changes");
    }

    #[test]
    fn a_chinese_one_character_edit_marks_that_character() {
        let old = doc(
            "标题",
            &[&["前一句。", "经济大势向好，市场稳定。", "后一句。"]],
        );
        let new = doc(
            "标题",
            &[&["前一句。", "经济大肆向好，市场稳定。", "后一句。"]],
        );
        let report = compare(&old, &new);
        let location = Location {
            index: 1,
            paragraph: 0,
        };
        assert_eq!(
            report.changes,
            vec![SentenceChange::Edited {
                old: location,
                new: location,
                spans: vec![
                    span(SpanKind::Equal, "经济大"),
                    span(SpanKind::Deleted, "势"),
                    span(SpanKind::Added, "肆"),
                    span(SpanKind::Equal, "向好，市场稳定。"),
                ],
                minor: false,
            }]
        );
        assert_eq!(report.summary.to_string(), "1 sentence edited");
    }

    #[test]
    fn an_english_word_edit_marks_that_word() {
        let old = doc(
            "T",
            &[&["The minister resigned on Monday.", "He denied it."]],
        );
        let new = doc(
            "T",
            &[&["The minister resigned on Tuesday.", "He denied it."]],
        );
        let report = compare(&old, &new);
        let [SentenceChange::Edited { spans, minor, .. }] = report.changes.as_slice() else {
            panic!("expected one edit: {:?}", report.changes);
        };
        assert_eq!(
            spans,
            &vec![
                span(SpanKind::Equal, "The minister resigned on "),
                span(SpanKind::Deleted, "Monday"),
                span(SpanKind::Added, "Tuesday"),
                span(SpanKind::Equal, "."),
            ]
        );
        assert!(!minor);
    }

    #[test]
    fn a_moved_sentence_is_a_move() {
        let old = doc(
            "T",
            &[
                &["官方称事故造成三人受伤。", "当地天气晴朗。"],
                &["调查仍在进行。", "警方已封锁现场。"],
            ],
        );
        let new = doc(
            "T",
            &[
                &["当地天气晴朗。", "调查仍在进行。"],
                &["警方已封锁现场。", "官方称事故造成三人受伤。"],
            ],
        );
        let report = compare(&old, &new);
        assert_eq!(
            report.changes,
            vec![SentenceChange::Moved {
                old: Location {
                    index: 0,
                    paragraph: 0
                },
                new: Location {
                    index: 3,
                    paragraph: 1
                },
                spans: vec![span(SpanKind::Equal, "官方称事故造成三人受伤。")],
            }]
        );
        assert_eq!(report.summary.to_string(), "1 sentence moved");
        assert!(!report.summary.minor);
    }

    #[test]
    fn added_deleted_and_edited_sentences_are_counted() {
        let old = doc(
            "T",
            &[&["Kept.", "Gone for good now.", "Police said two were hurt."]],
        );
        let new = doc(
            "T",
            &[&[
                "Kept.",
                "Police said three were hurt.",
                "A brand new sentence here.",
            ]],
        );
        let report = compare(&old, &new);
        assert_eq!(
            (
                report.summary.added,
                report.summary.deleted,
                report.summary.edited
            ),
            (1, 1, 1),
            "{:?}",
            report.changes
        );
        assert_eq!(
            report.summary.to_string(),
            "1 sentence added, 1 deleted, 1 edited"
        );
    }

    #[test]
    fn a_punctuation_only_change_is_minor() {
        let old = doc(
            "标题：新闻",
            &[&["他说，好。", "They said \"yes\"."], &["——"]],
        );
        let new = doc("标题:新闻", &[&["他说,好。", "They said “yes”."]]);
        let report = compare(&old, &new);
        assert!(report.summary.minor, "{:?}", report);
        assert_eq!(
            report.summary.to_string(),
            "title changed, 1 sentence deleted, 2 edited (punctuation or spacing only)"
        );
    }

    #[test]
    fn summary_sums_up_what_compare_finds() {
        let cases: &[(Document, Document)] = &[
            (doc("T", &[&["One."]]), doc("T", &[&["One."]])),
            (
                doc("T", &[&["One.", "Two."]]),
                doc("T", &[&["One."], &["Two."]]),
            ),
            (
                doc(
                    "标题：新闻",
                    &[&["他说，好。", "They said \"yes\"."], &["——"]],
                ),
                doc("标题:新闻", &[&["他说,好。", "They said “yes”."]]),
            ),
            (
                doc(
                    "T",
                    &[&["Kept.", "Gone for good now.", "Police said two were hurt."]],
                ),
                doc(
                    "U",
                    &[&["Police said three were hurt.", "Kept.", "A new one here."]],
                ),
            ),
            (
                doc("T", &[&["官方称事故造成三人受伤。", "A."], &["B.", "C."]]),
                doc("T", &[&["A."], &["B.", "C.", "官方称事故造成三人受伤。"]]),
            ),
            (
                doc("T", &[&["他说，好。"]]),
                doc("T", &[&["他说,不好。", "——"]]),
            ),
        ];
        for (old, new) in cases {
            assert_eq!(
                summary(old, new),
                compare(old, new).summary,
                "{old:?} {new:?}"
            );
        }
    }

    #[test]
    fn a_changed_word_is_not_minor() {
        let old = doc("T", &[&["他说，好。", "第二句。"]]);
        let new = doc("T", &[&["他说,不好。", "第二句。"]]);
        assert!(!compare(&old, &new).summary.minor);
    }

    #[test]
    fn a_title_change_is_reported_with_spans() {
        let body: &[&[&str]] = &[&["正文。"]];
        let report = compare(&doc("中国经济大势", body), &doc("中国经济形势", body));
        let title = report.title.as_ref().expect("the title changed");
        assert_eq!(
            title.spans,
            vec![
                span(SpanKind::Equal, "中国经济"),
                span(SpanKind::Deleted, "大"),
                span(SpanKind::Added, "形"),
                span(SpanKind::Equal, "势"),
            ]
        );
        assert!(!title.minor);
        assert!(report.changes.is_empty());
        assert_eq!(report.summary.to_string(), "title changed");
    }

    #[test]
    fn new_paragraph_breaks_are_a_minor_change() {
        let old = doc("T", &[&["One.", "Two."]]);
        let new = doc("T", &[&["One."], &["Two."]]);
        let report = compare(&old, &new);
        assert!(report.paragraph_breaks_changed && report.summary.minor);
        assert_eq!(report.summary.to_string(), "paragraph breaks changed");
    }

    #[test]
    fn unrelated_texts_come_out_as_deletions_and_additions() {
        // Two 20,000-character texts with nothing in common: the deadline bounds the work and
        // no sentence is paired with an unrelated one.
        let sentence = |i: usize, lang: &str| match lang {
            "zh" => format!("第{i}条消息称，当地政府宣布了一项新的经济刺激计划，涉及多个行业。"),
            _ => {
                format!("Report {i} says the council approved a new budget for roads and schools.")
            }
        };
        let old_s: Vec<String> = (0..600).map(|i| sentence(i, "zh")).collect();
        let new_s: Vec<String> = (0..280).map(|i| sentence(i * 7 + 1, "en")).collect();
        let old = doc(
            "旧",
            &[&old_s.iter().map(String::as_str).collect::<Vec<_>>()],
        );
        let new = doc(
            "New",
            &[&new_s.iter().map(String::as_str).collect::<Vec<_>>()],
        );
        let report = compare(&old, &new);
        let s = report.summary;
        assert_eq!((s.deleted, s.added, s.edited, s.moved), (600, 280, 0, 0));
        assert!(s.title && !s.minor);
    }
}
