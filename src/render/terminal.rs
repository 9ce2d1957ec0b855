//! A diff report for people at a terminal: the title change first, then each changed sentence
//! under a header that says what happened to it and where, with the changed characters (CJK) or
//! words highlighted.
//!
//! ```text
//! @@ title @@
//! ~ 中国经济[-大势-]{+形势+}
//! @@ edited: sentence 2, paragraph 1 @@
//! ~ 经济大[-势-]{+肆+}向好。
//! @@ added: sentence 5, paragraph 2 @@
//! + A new sentence.
//! @@ deleted: old sentence 4, old paragraph 2 @@
//! - An old sentence.
//! @@ moved: old sentence 1 → sentence 6, paragraph 3 @@
//! > A sentence that moved.
//! ```
//!
//! Positions count from 1. Without colour, changes inside a sentence read `[-old-]{+new+}` as in
//! `git diff --word-diff`; with colour, deleted text is red and added text green instead.

use crate::diff::{DiffReport, Location, SentenceChange, Span, SpanKind};
use std::fmt::Write;

const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[1;32m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// Renders `report`, one header line and one text line per change, each ending in a newline;
/// empty when nothing changed. `color` adds ANSI colours (the caller decides: a terminal, and
/// `NO_COLOR` unset).
pub fn render(report: &DiffReport, color: bool) -> String {
    let out = &mut Output {
        text: String::new(),
        color,
    };
    if let Some(title) = &report.title {
        let minor = if title.minor {
            ", punctuation only"
        } else {
            ""
        };
        out.header(&format!("title{minor}"));
        out.line('~', None, &title.spans);
    }
    for change in &report.changes {
        match change {
            SentenceChange::Added { new, text } => {
                out.header(&format!("added: {}", place("", new)));
                out.whole_line('+', GREEN, text);
            }
            SentenceChange::Deleted { old, text } => {
                out.header(&format!("deleted: {}", place("old ", old)));
                out.whole_line('-', RED, text);
            }
            SentenceChange::Edited {
                new, spans, minor, ..
            } => {
                let minor = if *minor { ", punctuation only" } else { "" };
                out.header(&format!("edited{minor}: {}", place("", new)));
                out.line('~', None, spans);
            }
            SentenceChange::Moved { old, new, spans } => {
                let edited = spans.iter().any(|s| s.kind != SpanKind::Equal);
                let what = if edited { "moved and edited" } else { "moved" };
                out.header(&format!(
                    "{what}: old sentence {} → {}",
                    old.index + 1,
                    place("", new)
                ));
                out.line('>', Some(YELLOW), spans);
            }
        }
    }
    if report.paragraph_breaks_changed {
        out.header("paragraph breaks changed");
    }
    std::mem::take(&mut out.text)
}

/// `sentence 12, paragraph 3`, counting from 1, `prefix` before each noun.
fn place(prefix: &str, at: &Location) -> String {
    format!(
        "{prefix}sentence {}, {prefix}paragraph {}",
        at.index + 1,
        at.paragraph + 1
    )
}

struct Output {
    text: String,
    color: bool,
}

impl Output {
    fn header(&mut self, what: &str) {
        self.paint(CYAN, &format!("@@ {what} @@"));
        self.text.push('\n');
    }

    /// A sentence added or deleted whole: its sigil says so, no inline marks needed.
    fn whole_line(&mut self, sigil: char, colour: &str, text: &str) {
        self.paint(colour, &format!("{sigil} {}", clean(text)));
        self.text.push('\n');
    }

    /// An edited sentence, deletions and additions marked inline.
    fn line(&mut self, sigil: char, sigil_colour: Option<&str>, spans: &[Span]) {
        match sigil_colour {
            Some(colour) => self.paint(colour, &sigil.to_string()),
            None => self.text.push(sigil),
        }
        self.text.push(' ');
        for span in spans {
            let text = clean(&span.text);
            match (span.kind, self.color) {
                (SpanKind::Equal, _) => self.text.push_str(&text),
                (SpanKind::Deleted, true) => self.paint(RED, &text),
                (SpanKind::Added, true) => self.paint(GREEN, &text),
                (SpanKind::Deleted, false) => {
                    let _ = write!(self.text, "[-{text}-]");
                }
                (SpanKind::Added, false) => {
                    let _ = write!(self.text, "{{+{text}+}}");
                }
            }
        }
        self.text.push('\n');
    }

    fn paint(&mut self, colour: &str, text: &str) {
        if self.color {
            let _ = write!(self.text, "{colour}{text}{RESET}");
        } else {
            self.text.push_str(text);
        }
    }
}

/// Archived text has no control characters, but a hand-edited or foreign archive might: never
/// let one reach the terminal, where it could move the cursor or rewrite the screen.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare;
    use crate::normalize::Document;

    fn doc(title: &str, paragraphs: &[&[&str]]) -> Document {
        Document {
            title: title.into(),
            paragraphs: paragraphs
                .iter()
                .map(|p| p.iter().map(|s| s.to_string()).collect())
                .collect(),
            ..Document::default()
        }
    }

    #[test]
    fn shows_every_kind_of_change_without_colour() {
        let old = doc(
            "中国经济大势",
            &[
                &["警方称三人受伤。", "经济大势向好。", "股市上涨。"],
                &["An old sentence about roads.", "Kept here.", "The end."],
            ],
        );
        let new = doc(
            "中国经济形势",
            &[
                &["经济大肆向好。", "股市上涨。"],
                &["Kept here.", "A new sentence, about schools.", "The end."],
                &["警方称三人受伤。"],
            ],
        );
        assert_eq!(
            render(&compare(&old, &new), false),
            "@@ title @@\n\
             ~ 中国经济[-大-]{+形+}势\n\
             @@ edited: sentence 1, paragraph 1 @@\n\
             ~ 经济大[-势-]{+肆+}向好。\n\
             @@ deleted: old sentence 4, old paragraph 2 @@\n\
             - An old sentence about roads.\n\
             @@ added: sentence 4, paragraph 2 @@\n\
             + A new sentence, about schools.\n\
             @@ moved: old sentence 1 → sentence 6, paragraph 3 @@\n\
             > 警方称三人受伤。\n"
        );
    }

    #[test]
    fn colours_only_when_asked() {
        let old = doc("T", &[&["He said no."]]);
        let new = doc("T", &[&["He said yes."]]);
        let report = compare(&old, &new);
        let plain = render(&report, false);
        assert!(!plain.contains('\x1b') && plain.contains("[-no-]{+yes+}"));
        let coloured = render(&report, true);
        assert!(coloured.contains("\x1b[1;31mno\x1b[0m\x1b[1;32myes\x1b[0m"));
        assert!(!coloured.contains("[-"));
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let old = doc("T", &[&["Fine."]]);
        let new = doc("T", &[&["Fine.", "Evil \x1b]0;owned\x07 text."]]);
        let out = render(&compare(&old, &new), false);
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    }

    #[test]
    fn nothing_changed_renders_nothing() {
        let a = doc("T", &[&["Same."]]);
        assert_eq!(render(&compare(&a, &a.clone()), true), "");
    }
}
