//! [`DiffReport`](crate::diff::DiffReport) → output: terminal text ([`terminal`]), JSON
//! ([`json`]), and a unified diff of the archived files ([`unified`]), which needs no report.
//! Renderers only format: they return strings, and the caller decides where they go and whether
//! colour is wanted.

pub mod json;
pub mod terminal;
pub mod unified;
