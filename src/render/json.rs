//! A diff report as JSON, for scripts and the web viewer. The field names are documented on the
//! types in [`crate::diff`] and are a stable contract.

use crate::diff::DiffReport;

/// The report as pretty-printed JSON (no trailing newline).
pub fn render(report: &DiffReport) -> String {
    // Serializing plain structs with string keys into a String cannot fail.
    serde_json::to_string_pretty(report).expect("a diff report always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare;
    use crate::normalize::Document;

    #[test]
    fn field_names_are_stable() {
        let doc = |sentences: &[&str]| Document {
            title: "T".into(),
            paragraphs: vec![sentences.iter().map(|s| s.to_string()).collect()],
            ..Document::default()
        };
        let report = compare(
            &doc(&["Kept.", "He said no."]),
            &doc(&["Kept.", "He said yes."]),
        );
        let value: serde_json::Value = serde_json::from_str(&render(&report)).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!({
                "title": null,
                "changes": [{
                    "op": "edited",
                    "old": {"index": 1, "paragraph": 0},
                    "new": {"index": 1, "paragraph": 0},
                    "spans": [
                        {"kind": "equal", "text": "He said "},
                        {"kind": "deleted", "text": "no"},
                        {"kind": "added", "text": "yes"},
                        {"kind": "equal", "text": "."}
                    ],
                    "minor": false
                }],
                "paragraph_breaks_changed": false,
                "summary": {
                    "title": false, "added": 0, "deleted": 0, "edited": 1, "moved": 0,
                    "minor": false
                }
            })
        );
    }
}
