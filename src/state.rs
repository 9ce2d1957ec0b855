//! Operational state.
