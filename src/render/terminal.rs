//! A diff report for people at a terminal: the title change first, then each changed sentence
//! with the changed characters or words highlighted.

use crate::diff::{DiffReport, SentenceChange, Span};
use std::fmt::Write;

/// Renders `report`; with `color`, ANSI colours mark changes, otherwise `[-…-]` and `{+…+}` do.
pub fn render(report: &DiffReport, color: bool) -> String {
    let mut out = String::new();
    if let Some(title) = &report.title {
        let _ = writeln!(out, "title: {}", spans(&title.old, color, false));
        let _ = writeln!(out, "    -> {}", spans(&title.new, color, true));
    }
    for change in &report.changes {
        match change {
            SentenceChange::Added { text, .. } => {
                let _ = writeln!(out, "+ {}", mark(text, color, true));
            }
            SentenceChange::Deleted { text, .. } => {
                let _ = writeln!(out, "- {}", mark(text, color, false));
            }
            SentenceChange::Edited { old, new, .. } => {
                let _ = writeln!(out, "~ {}", spans(old, color, false));
                let _ = writeln!(out, "  {}", spans(new, color, true));
            }
            SentenceChange::Moved { text, .. } => {
                let _ = writeln!(out, "> {text}");
            }
        }
    }
    out
}

fn spans(spans: &[Span], color: bool, added: bool) -> String {
    spans
        .iter()
        .map(|s| {
            if s.changed {
                mark(&s.text, color, added)
            } else {
                s.text.clone()
            }
        })
        .collect()
}

fn mark(text: &str, color: bool, added: bool) -> String {
    match (color, added) {
        (true, true) => format!("\x1b[32;1m{text}\x1b[0m"),
        (true, false) => format!("\x1b[31;1m{text}\x1b[0m"),
        (false, true) => format!("{{+{text}+}}"),
        (false, false) => format!("[-{text}-]"),
    }
}
