//! The archive's SQLite database (`.palimpsest/state.db`, git-ignored): what changes on every
//! check, and an index of the versions that git holds.
//!
//! Git is the record; this database only makes it fast to query. The `versions` table is derived
//! from commit trailers (see `catch_up.rs`), so losing the file loses no content: the next
//! command rebuilds it. The `checks` table holds what must not go into git because it changes
//! on every fetch: last check, HTTP validators, failure streaks.

use super::change::{ChangeKind, Changes};
use super::format_time;
use super::history::Version;
use crate::hash::ContentHash;
use chrono::{DateTime, Utc};
use git2::Oid;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::str::FromStr;

/// Bumped when the schema changes (or the bits of [`Changes::bits`]); the index of versions of
/// another schema is rebuilt from git.
const SCHEMA_VERSION: i64 = 4;
/// The first schema whose `checks` and `runs` tables are this one's. What they hold can't be
/// rebuilt from git, so a database from this schema on keeps them (version 4 changed only the
/// index of versions); one from before starts them again.
const CHECKS_SINCE: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    seq INTEGER PRIMARY KEY,
    commit_id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    url TEXT NOT NULL,
    changes INTEGER NOT NULL,
    reverts TEXT,
    title TEXT NOT NULL,
    subject TEXT NOT NULL,
    summary TEXT,
    content_hash TEXT,
    source_hash TEXT,
    blob TEXT,
    state_hash TEXT,
    fetched_at TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    imported_from TEXT
);
CREATE INDEX IF NOT EXISTS versions_by_path ON versions (path, seq);
CREATE INDEX IF NOT EXISTS versions_by_state ON versions (path, state_hash);
CREATE TABLE IF NOT EXISTS checks (
    url TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL,
    http_status INTEGER,
    error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    raw_hash TEXT,
    reader TEXT,
    next_due INTEGER
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    summary TEXT NOT NULL
);
";

/// How far each notifier has delivered (see [`NotifierState`]).
const NOTIFIERS: &str = "
CREATE TABLE IF NOT EXISTS notifiers (
    key TEXT PRIMARY KEY,
    delivered_through TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt TEXT
);
";

/// Which versions [`State::recent_page`] lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter<'a> {
    /// Only versions with at least one of these kinds of change; every version when empty.
    pub changes: Changes,
    /// Only articles of this site (the first folder of their path).
    pub site: Option<&'a str>,
}

/// The database failed.
#[derive(Debug, thiserror::Error)]
#[error("state database: {0}")]
pub struct StateError(#[from] rusqlite::Error);

impl StateError {
    /// Whether SQLite failed for a full disk or a read-only file system.
    pub(crate) fn storage_fault(&self) -> Option<super::StorageFault> {
        match self.0.sqlite_error_code()? {
            rusqlite::ErrorCode::DiskFull => Some(super::StorageFault::Full),
            rusqlite::ErrorCode::ReadOnly => Some(super::StorageFault::ReadOnly),
            _ => None,
        }
    }
}

/// The outcome of the last check of one URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub url: String,
    #[serde(serialize_with = "super::serialize_time")]
    pub checked_at: DateTime<Utc>,
    pub http_status: Option<u16>,
    /// The error of the last check, if it failed.
    pub error: Option<String>,
    /// Failed checks in a row.
    pub failures: u32,
}

/// What the last check of a URL leaves for the next one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CheckState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Hash of the bytes last fetched with success.
    pub raw_hash: Option<ContentHash>,
    /// What read those bytes (see [`crate::snapshot`]): same bytes and same reader give the same
    /// text, so the page need not be read again.
    pub reader: Option<String>,
    /// `None`: not due until asked.
    pub next_due: Option<DateTime<Utc>>,
    pub failures: u32,
}

/// The outcome of one check, to be stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckUpdate {
    pub url: String,
    pub checked_at: DateTime<Utc>,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub raw_hash: Option<ContentHash>,
    pub reader: Option<String>,
    /// Stored to the second, as every time.
    pub next_due: Option<DateTime<Utc>>,
}

/// How far one notifier (`[[notify]]` in `palimpsest.toml`) has delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifierState {
    /// The notifier's webhook URL or command, which identifies it.
    pub key: String,
    /// The newest version delivered or passed over (filtered out); what comes after it is
    /// still to send. `None` for an archive with no version when the notifier was added.
    pub delivered_through: Option<Oid>,
    /// Failed deliveries in a row.
    pub failures: u32,
    /// The error of the last delivery, if it failed.
    pub last_error: Option<String>,
    /// When a delivery was last tried.
    pub last_attempt: Option<DateTime<Utc>>,
}

/// The last run of `snapshot`, as the CLI summarized it (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub summary: String,
}

pub struct State {
    conn: Connection,
}

/// Counts over the whole archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub versions: usize,
    /// Articles with at least one version.
    pub articles: usize,
    /// Articles whose last version is a deletion.
    pub deleted: usize,
}

impl State {
    /// Opens (creating if needed) the database at `path`. A database of another schema version
    /// is emptied, to be rebuilt from git.
    pub(crate) fn open(path: &Path) -> Result<State, StateError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // SQLite built with STAT4 (as rusqlite bundles it) plans a query again for every new
        // value of a parameter compared with an indexed column, in case the value changes the
        // best plan: a full parse for each change a run records. These queries have one plan.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version != SCHEMA_VERSION {
            conn.execute_batch("DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS versions;")?;
            if !(CHECKS_SINCE..SCHEMA_VERSION).contains(&version) {
                conn.execute_batch("DROP TABLE IF EXISTS checks; DROP TABLE IF EXISTS runs;")?;
            }
            conn.execute_batch(SCHEMA)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        // Created apart from SCHEMA, so that a database of this schema gets it without its
        // index of versions being rebuilt; like `checks`, it can't be rebuilt from git.
        conn.execute_batch(NOTIFIERS)?;
        Ok(State { conn })
    }

    /// The commit up to which `versions` is indexed.
    pub(crate) fn indexed_head(&self) -> Result<Option<Oid>, StateError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'indexed_head'",
                [],
                |r| parsed(r, 0),
            )
            .optional()?)
    }

    /// Appends versions (oldest first) and moves the indexed head from `from` to `head`, in
    /// one transaction; with `reset`, the index is rebuilt from scratch. Returns false, changing
    /// nothing, when another connection moved the indexed head away from `from` meanwhile.
    pub(crate) fn index(
        &mut self,
        from: Option<Oid>,
        head: Oid,
        versions: &[Version],
        reset: bool,
    ) -> Result<bool, StateError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: Option<Oid> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'indexed_head'",
                [],
                |r| parsed(r, 0),
            )
            .optional()?;
        if current != from {
            return Ok(false);
        }
        if reset {
            tx.execute("DELETE FROM versions", [])?;
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO versions (commit_id, path, url, changes, reverts, title, subject, summary, \
                 content_hash, source_hash, blob, state_hash, fetched_at, http_status, imported_from) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for v in versions {
                insert.execute(params![
                    v.commit.to_string(),
                    v.path,
                    v.url,
                    v.changes.bits(),
                    v.reverts.map(|r| r.to_string()),
                    v.title,
                    v.subject,
                    v.summary,
                    v.content_hash.map(|h| h.to_string()),
                    v.source_hash.map(|h| h.to_string()),
                    v.blob.map(|b| b.to_string()),
                    v.state_hash.map(|h| h.to_string()),
                    format_time(&v.fetched_at),
                    v.http_status,
                    v.imported_from,
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('indexed_head', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [head.to_string()],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Every version of the article at `path`, oldest first, numbered from 1.
    pub(crate) fn versions(&self, path: &str) -> Result<Vec<Version>, StateError> {
        self.query_versions("WHERE path = ?1 ORDER BY seq", [path])
    }

    /// For every source file replayed by `import-git`: its path in the source and the URL its
    /// versions were recorded under.
    pub(crate) fn imported_urls(&self) -> Result<Vec<(String, String)>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT substr(imported_from, instr(imported_from, ':') + 1), url FROM versions \
             WHERE imported_from IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest `Imported-From` value (`<source commit>:<path>`) whose source commit is one
    /// of `commits`: where an interrupted import of those commits stopped.
    pub(crate) fn last_imported_from(
        &self,
        commits: &std::collections::HashSet<String>,
    ) -> Result<Option<String>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT imported_from FROM versions WHERE imported_from IS NOT NULL ORDER BY seq DESC",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let from: String = row.get(0)?;
            if from
                .split_once(':')
                .is_some_and(|(commit, _)| commits.contains(commit))
            {
                return Ok(Some(from));
            }
        }
        Ok(None)
    }

    /// A page of the archive's versions matching `filter`, newest first, each numbered within
    /// its article (so that a listing can link to the change it shows).
    pub fn recent_page(
        &self,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Version>, StateError> {
        // Only the conditions in use are written, so that a site's range of paths can use the
        // (path, seq) index: its paths are those under `<site>/`, and `/` + 1 is `0`.
        let mut conditions = Vec::new();
        let (low, high) = match filter.site {
            Some(site) => {
                conditions.push("path >= ?1 AND path < ?2");
                (format!("{site}/"), format!("{site}0"))
            }
            None => {
                conditions.push("?1 = ?2");
                (String::new(), String::new())
            }
        };
        if filter.changes.is_empty() {
            conditions.push("?3 = 0");
        } else {
            conditions.push("changes & ?3 != 0");
        }
        let sql = format!(
            "SELECT {COLUMNS}, (SELECT COUNT(*) FROM versions w WHERE w.path = v.path AND w.seq <= v.seq) \
             FROM versions v WHERE {} ORDER BY seq DESC LIMIT ?4 OFFSET ?5",
            conditions.join(" AND ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                low,
                high,
                filter.changes.bits(),
                limit as i64,
                offset as i64
            ],
            |r| {
                let mut v = version_from_row(r)?;
                v.number = r.get::<_, i64>(15)? as usize;
                Ok(v)
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sites of the archive (the first folder of article paths), sorted. Each site is
    /// one seek in the path index (to the first path past `<site>/`), not a scan of every
    /// version.
    pub(crate) fn sites(&self) -> Result<Vec<String>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE s(site) AS ( \
               SELECT (SELECT substr(path, 1, instr(path, '/') - 1) FROM versions ORDER BY path LIMIT 1) \
               UNION ALL \
               SELECT (SELECT substr(path, 1, instr(path, '/') - 1) FROM versions \
                       WHERE path >= s.site || '0' ORDER BY path LIMIT 1) \
               FROM s WHERE s.site IS NOT NULL AND s.site != '' \
             ) SELECT site FROM s WHERE site IS NOT NULL AND site != ''",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every article path with the commit of its newest version, sorted by path.
    pub(crate) fn latest_commits(&self) -> Result<Vec<(String, Oid)>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, commit_id FROM versions WHERE seq IN (SELECT MAX(seq) FROM versions GROUP BY path) \
             ORDER BY path",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, parsed(r, 1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest version of `path` whose text had `state_hash`.
    pub(crate) fn find_state(
        &self,
        path: &str,
        state_hash: &ContentHash,
    ) -> Result<Option<Oid>, StateError> {
        // Asked for every title or body change: the statement is parsed once per connection.
        let mut stmt = self.conn.prepare_cached(
            "SELECT commit_id FROM versions WHERE path = ?1 AND state_hash = ?2 ORDER BY seq DESC LIMIT 1",
        )?;
        Ok(stmt
            .query_row([path, &state_hash.to_string()], |r| parsed(r, 0))
            .optional()?)
    }

    fn query_versions<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Vec<Version>, StateError> {
        let sql = format!("SELECT {COLUMNS} FROM versions {tail}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params, version_from_row)?;
        let mut versions = rows.collect::<Result<Vec<_>, _>>()?;
        for (i, v) in versions.iter_mut().enumerate() {
            v.number = i + 1;
        }
        Ok(versions)
    }

    /// The versions recorded after the version of commit `after` (every version for `None`;
    /// none when `after` is not indexed), oldest first, each numbered within its article.
    pub fn versions_after(&self, after: Option<Oid>) -> Result<Vec<Version>, StateError> {
        let after_seq: i64 = match after {
            None => 0,
            Some(commit) => match self.seq_of(commit)? {
                Some(seq) => seq,
                None => return Ok(Vec::new()),
            },
        };
        let sql = format!(
            "SELECT {COLUMNS}, (SELECT COUNT(*) FROM versions w WHERE w.path = v.path AND w.seq <= v.seq) \
             FROM versions v WHERE seq > ?1 ORDER BY seq"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([after_seq], |r| {
            let mut v = version_from_row(r)?;
            v.number = r.get::<_, i64>(15)? as usize;
            Ok(v)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn seq_of(&self, commit: Oid) -> Result<Option<i64>, StateError> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq FROM versions WHERE commit_id = ?1",
                [commit.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The commit of the newest version of the archive.
    pub(crate) fn newest_version(&self) -> Result<Option<Oid>, StateError> {
        Ok(self
            .conn
            .query_row(
                "SELECT commit_id FROM versions ORDER BY seq DESC LIMIT 1",
                [],
                |r| parsed(r, 0),
            )
            .optional()?)
    }

    /// Every notifier's delivery state, by key.
    pub fn notifiers(&self) -> Result<Vec<NotifierState>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, delivered_through, failures, last_error, last_attempt FROM notifiers \
             ORDER BY key",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(NotifierState {
                key: r.get(0)?,
                delivered_through: parsed_or_null(r, 1)?,
                failures: r.get(2)?,
                last_error: r.get(3)?,
                last_attempt: parsed_or_null(r, 4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a notifier's delivery state.
    pub(crate) fn set_notifier(&mut self, state: &NotifierState) -> Result<(), StateError> {
        self.conn
            .prepare_cached(
                "INSERT INTO notifiers (key, delivered_through, failures, last_error, last_attempt) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO UPDATE SET \
                 delivered_through = ?2, failures = ?3, last_error = ?4, last_attempt = ?5",
            )?
            .execute(params![
                state.key,
                state.delivered_through.map(|c| c.to_string()),
                state.failures,
                state.last_error,
                state.last_attempt.as_ref().map(format_time),
            ])?;
        Ok(())
    }

    pub fn totals(&self) -> Result<Totals, StateError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM versions), (SELECT COUNT(DISTINCT path) FROM versions), \
             (SELECT COUNT(*) FROM versions v WHERE seq = (SELECT MAX(seq) FROM versions w WHERE w.path = v.path) \
              AND changes & ?1 != 0)",
            [Changes::only(ChangeKind::Deleted).bits()],
            |r| Ok(Totals { versions: r.get::<_, i64>(0)? as usize, articles: r.get::<_, i64>(1)? as usize, deleted: r.get::<_, i64>(2)? as usize }),
        )?)
    }

    /// Stores the outcomes of a run's checks, in one transaction.
    pub(crate) fn record_checks(&mut self, updates: &[CheckUpdate]) -> Result<(), StateError> {
        let tx = self.conn.transaction()?;
        {
            // A failed check keeps the validators and bytes hash of the last good one.
            let mut stmt = tx.prepare_cached(
                "INSERT INTO checks (url, checked_at, http_status, error, failures, etag, last_modified, raw_hash, reader, next_due) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (url) DO UPDATE SET checked_at = excluded.checked_at, http_status = excluded.http_status, \
                 error = excluded.error, \
                 failures = CASE WHEN excluded.error IS NULL THEN 0 ELSE checks.failures + 1 END, \
                 etag = CASE WHEN excluded.error IS NULL THEN excluded.etag ELSE checks.etag END, \
                 last_modified = CASE WHEN excluded.error IS NULL THEN excluded.last_modified ELSE checks.last_modified END, \
                 raw_hash = CASE WHEN excluded.error IS NULL THEN excluded.raw_hash ELSE checks.raw_hash END, \
                 reader = CASE WHEN excluded.error IS NULL THEN excluded.reader ELSE checks.reader END, \
                 next_due = excluded.next_due",
            )?;
            for u in updates {
                stmt.execute(params![
                    u.url,
                    format_time(&u.checked_at),
                    u.http_status,
                    u.error,
                    u.error.is_some() as i64,
                    u.etag,
                    u.last_modified,
                    u.raw_hash.map(|h| h.to_string()),
                    u.reader,
                    u.next_due.map(|t| t.timestamp()),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// What the next check of each URL starts from.
    pub(crate) fn check_states(
        &self,
    ) -> Result<std::collections::HashMap<String, CheckState>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, etag, last_modified, raw_hash, reader, next_due, failures FROM checks",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                CheckState {
                    etag: r.get(1)?,
                    last_modified: r.get(2)?,
                    raw_hash: parsed_or_null(r, 3)?,
                    reader: r.get(4)?,
                    next_due: r.get::<_, Option<i64>>(5)?.map(unix_time),
                    failures: r.get(6)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the article at `path` last changed (its newest version).
    pub(crate) fn last_change(&self, path: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        // Times are written alike (`format_time`), so the greatest text is the latest time.
        Ok(self.conn.query_row(
            "SELECT MAX(fetched_at) FROM versions WHERE path = ?1",
            [path],
            |r| parsed_or_null(r, 0),
        )?)
    }

    /// The last check of every URL ever checked.
    pub fn checks(&self) -> Result<Vec<Check>, StateError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, checked_at, http_status, error, failures FROM checks ORDER BY url",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Check {
                url: r.get(0)?,
                checked_at: parsed(r, 1)?,
                http_status: r.get(2)?,
                error: r.get(3)?,
                failures: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(crate) fn record_run(&mut self, run: &Run) -> Result<(), StateError> {
        self.conn.execute(
            "INSERT INTO runs (started_at, finished_at, summary) VALUES (?1, ?2, ?3)",
            params![
                format_time(&run.started_at),
                format_time(&run.finished_at),
                run.summary
            ],
        )?;
        Ok(())
    }

    pub fn last_run(&self) -> Result<Option<Run>, StateError> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_at, finished_at, summary FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(Run {
                        started_at: parsed(r, 0)?,
                        finished_at: parsed(r, 1)?,
                        summary: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }
}

/// The columns [`version_from_row`] reads, in its order.
const COLUMNS: &str = "commit_id, path, url, changes, reverts, title, subject, content_hash, \
    source_hash, blob, state_hash, fetched_at, http_status, imported_from, summary";

/// A row of [`COLUMNS`] as a version, not yet numbered.
fn version_from_row(r: &rusqlite::Row) -> rusqlite::Result<Version> {
    Ok(Version {
        number: 0,
        commit: parsed(r, 0)?,
        path: r.get(1)?,
        url: r.get(2)?,
        changes: Changes::from_bits(r.get(3)?),
        reverts: parsed_or_null(r, 4)?,
        title: r.get(5)?,
        subject: r.get(6)?,
        content_hash: parsed_or_null(r, 7)?,
        source_hash: parsed_or_null(r, 8)?,
        blob: parsed_or_null(r, 9)?,
        state_hash: parsed_or_null(r, 10)?,
        fetched_at: parsed(r, 11)?,
        http_status: r.get(12)?,
        imported_from: r.get(13)?,
        summary: r.get(14)?,
    })
}

/// Column `i`, whose text is a value written with its `Display` (an id, a hash, a time as
/// [`format_time`] writes it).
fn parsed<T>(r: &rusqlite::Row, i: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = r.get(i)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// [`parsed`], for a column that may be NULL.
fn parsed_or_null<T>(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => parsed(r, i).map(Some),
    }
}

/// Unix seconds as a time; out of range is the latest time there is.
fn unix_time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of schema 3 (whose index of versions stored kinds as text) keeps what it
    /// knows of past checks, which git can't give back, and indexes the versions again.
    #[test]
    fn a_new_index_keeps_the_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut state = State::open(&path).unwrap();
        let check = CheckUpdate {
            url: "https://example.com/a".into(),
            etag: Some("\"v1\"".into()),
            ..CheckUpdate::default()
        };
        state.record_checks(&[check]).unwrap();
        let head = Oid::from_str(&"1".repeat(40)).unwrap();
        assert!(state.index(None, head, &[], false).unwrap());
        state
            .conn
            .pragma_update(None, "user_version", CHECKS_SINCE)
            .unwrap();
        drop(state);
        let state = State::open(&path).unwrap();
        assert_eq!(state.indexed_head().unwrap(), None);
        let kept = state.check_states().unwrap();
        assert_eq!(
            kept["https://example.com/a"].etag.as_deref(),
            Some("\"v1\"")
        );
        // Older ones start again.
        state.conn.pragma_update(None, "user_version", 2).unwrap();
        drop(state);
        let state = State::open(&path).unwrap();
        assert!(state.check_states().unwrap().is_empty());
    }

    /// Asked once per recorded change, the earlier-state query must run as prepared: planning
    /// it again for each new path was 7% of the record bench's changed round.
    #[test]
    fn a_cached_query_is_not_planned_again_for_new_values() {
        let dir = tempfile::tempdir().unwrap();
        let state = super::State::open(&dir.path().join("state.db")).unwrap();
        for i in 0..100 {
            let hash = crate::hash::ContentHash::of(format!("h{i}").as_bytes());
            state.find_state(&format!("p{i}"), &hash).unwrap();
        }
        let stmt = state
            .conn
            .prepare_cached(
                "SELECT commit_id FROM versions WHERE path = ?1 AND state_hash = ?2 ORDER BY seq DESC LIMIT 1",
            )
            .unwrap();
        use rusqlite::StatementStatus::{RePrepare, Run};
        assert_eq!((stmt.get_status(RePrepare), stmt.get_status(Run)), (0, 100));
    }
}
