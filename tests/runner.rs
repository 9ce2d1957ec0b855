//! Integration tests: one binary, one module per area. They run the real `palimpsest` binary
//! against a real HTTP server on 127.0.0.1 and audit the archive with the real `git`.

mod common;
mod test_archive_format;
mod test_bad_input;
mod test_crash;
mod test_faults;
mod test_histories;
mod test_hostile;
mod test_import;
mod test_modules;
mod test_readme;
mod test_rounds;
mod test_schedule;
mod test_shards;
mod test_snapshot;
mod test_warc;
mod test_web;
