//! The git archive.

pub mod path;
