//! [`DiffReport`](crate::diff::DiffReport) → output: terminal text, unified diff, JSON.

pub mod json;
pub mod terminal;
pub mod unified;
