//! A diff report as JSON.

use crate::diff::DiffReport;

pub fn render(report: &DiffReport) -> String {
    serde_json::to_string_pretty(report).expect("a diff report always serializes")
}
