//! palimpsest keeps a change-tracking archive of news articles in a plain git repository.
//!
//! The pipeline, one module per stage, data flowing down:
//!
//! 1. [`fetch`]: URL → [`fetch::Fetched`] (status, headers, raw bytes), politely and within limits.
//! 2. [`decode`]: raw bytes → text, in the charset the page is really in.
//! 3. [`extract`]: HTML → [`extract::Article`] (title, metadata, text blocks), dropping boilerplate.
//! 4. [`normalize`]: article → [`normalize::Document`], the canonical text, one sentence per line.
//! 5. [`hash`]: blake3 [`hash::ContentHash`] of archived and fetched bytes.
//! 6. [`archive`]: the git repository: one commit per change, trailers, raw bytes in notes.
//! 7. [`diff`]: two documents → [`diff::DiffReport`] (sentence and character changes, classified).
//! 8. [`render`]: a diff report → terminal text, unified diff or JSON; the viewer's HTML pages and
//!    Atom feeds.
//!
//! [`snapshot`] runs stages 1–6 over the tracked articles; [`config`] reads `palimpsest.toml`;
//! [`shard`] says which of them a collector checks when several split the hosts (its archive is
//! pushed to a git remote and merged by a hub: [`archive`]'s push and pull);
//! [`web`] reads the archive into pages, served over HTTP or written as a static site;
//! [`warc`] writes the archive's captures as WARC files and replays other tools' WARC files;
//! [`notify`] tells webhooks and commands what a run recorded;
//! [`unicode`] has the Unicode script helpers that several stages share.
//! The library never prints and reads no environment: the `palimpsest` binary does that.

pub mod archive;
pub mod config;
pub mod decode;
pub mod diff;
pub mod discover;
pub mod extract;
pub mod fetch;
pub mod hash;
pub mod import;
pub mod normalize;
pub mod notify;
pub mod page;
pub mod render;
pub mod shard;
pub mod snapshot;
pub mod source;
pub mod unicode;
pub mod warc;
pub mod web;

/// The texts of `error`'s causes (its `source()` chain), outermost first. A cause whose text
/// the one before it already holds is left out, so that nothing is said twice.
pub fn causes(error: &dyn std::error::Error) -> Vec<String> {
    let mut texts = Vec::new();
    let mut last = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !last.contains(&text) {
            texts.push(text.clone());
        }
        last = text;
        source = cause.source();
    }
    texts
}

/// `error` and its causes on one line, `what happened: cause: cause`, for what is read line by
/// line: a `snapshot` run's error for each URL (cron mails), `palimpsest status`. A text of
/// several lines (a regex error points at the pattern) is joined into one.
pub fn error_line(error: &dyn std::error::Error) -> String {
    let texts = std::iter::once(error.to_string()).chain(causes(error));
    let one_line = |text: String| {
        if text.contains('\n') {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            text
        }
    };
    texts.map(one_line).collect::<Vec<_>>().join(": ")
}
