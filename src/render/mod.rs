//! [`DiffReport`](crate::diff::DiffReport) → output: terminal text, unified diff, JSON; and the
//! web viewer's pages ([`html`], [`atom`]) laid out by [`routes`].

pub mod atom;
pub mod html;
pub mod json;
pub mod routes;
pub mod terminal;
pub mod unified;
