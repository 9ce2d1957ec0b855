//! [`DiffReport`](crate::diff::DiffReport) → output: terminal text ([`terminal`]), JSON
//! ([`json`]), and a unified diff of the archived files ([`unified`]), which needs no report; and
//! the web viewer's pages (`html`, `atom`) laid out by [`routes`]. Renderers only format: they
//! return strings, and the caller decides where they go and whether colour is wanted.

pub(crate) mod atom;
pub(crate) mod html;
pub mod json;
pub mod routes;
pub mod terminal;
pub mod unified;
