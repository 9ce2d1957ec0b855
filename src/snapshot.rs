//! Snapshot runs.
