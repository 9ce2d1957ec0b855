//! `palimpsest.toml`: the tracked articles and the settings of an archive.
//!
//! It is committed with the archive, so the history shows when each article started being
//! tracked. Reads go through serde; writes go through `toml_edit`, so that the comments and
//! layout a user gave the file survive `palimpsest add`.

use crate::shard::Shard;
use std::collections::BTreeMap;
use std::time::Duration;

pub const FILE_NAME: &str = "palimpsest.toml";

/// Pages larger than this are refused, whatever `fetch.max_bytes` says: reading and recording a
/// page takes about seven times its size in memory (the fetched bytes, the parsed page, the
/// extracted and the archived text, git's buffers), and one page must stay under 256 MiB. No
/// news article is this big.
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// The parsed configuration.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub fetch: FetchSettings,
    #[serde(default)]
    pub schedule: Schedule,
    /// Tracked article URLs, canonical.
    #[serde(default)]
    pub articles: Vec<String>,
    /// Feeds and index pages whose new articles every run tracks.
    #[serde(default)]
    pub feeds: Vec<FeedSource>,
    /// Site rules by host; [`crate::extract::SiteRules`] compiles them.
    #[serde(default)]
    pub sites: BTreeMap<String, SiteRule>,
    /// Git repositories replayed by `import-git` and WARC files replayed by `import-warc`, by
    /// absolute path: how far each was imported.
    #[serde(default)]
    pub imports: BTreeMap<String, Import>,
    /// Where the viewer's pages are published (`palimpsest site`, `palimpsest serve`), for the
    /// links that notifications give: `https://archive.example.org/`.
    pub site_url: Option<String>,
    /// Who is told what each run recorded.
    #[serde(default)]
    pub notify: Vec<NotifySettings>,
    /// The share of the hosts this archive checks, when it is one of several collectors.
    pub shard: Option<Shard>,
    /// On a hub, the shards merged by `palimpsest pull`, by name: how far each was merged.
    #[serde(default)]
    pub pulled: BTreeMap<String, Pulled>,
}

/// What a hub holds of one shard: the commits its branch and notes refs had when they were last
/// merged. The next pull merges what came after them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pulled {
    /// The shard's branch.
    pub head: String,
    /// Its notes refs, by name under `refs/notes/` (`raw`).
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

/// A notifier, told what each `snapshot` or import recorded (see [`crate::notify`]):
///
/// ```toml
/// [[notify]]
/// webhook = "https://hooks.example.org/palimpsest"
/// changes = ["title", "deleted"]
/// sites = ["news.example.com"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    /// A URL to POST the changes to, as JSON.
    pub webhook: Option<String>,
    /// A command to give the changes to, as JSON on its standard input.
    pub command: Option<String>,
    /// Only changes of these kinds (`new`, `title`, `body`, `deleted`, `restored`, `minor`);
    /// every change when empty.
    #[serde(default)]
    pub changes: Vec<String>,
    /// Only articles of these sites (the archive's folder names: the host, `_port` after it);
    /// every site when empty.
    #[serde(default)]
    pub sites: Vec<String>,
}

impl NotifySettings {
    /// The webhook URL or the command: what identifies the notifier.
    pub fn key(&self) -> &str {
        self.webhook
            .as_deref()
            .or(self.command.as_deref())
            .unwrap_or_default()
    }
}

/// How far a source repository was imported: the tips of its refs at the last import. The next
/// import replays only commits that are not ancestors of these.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    pub tips: Vec<String>,
}

/// Rules for one host, as written in `palimpsest.toml`: CSS selectors for the article's title
/// and body and for what to cut out of it.
///
/// ```toml
/// [sites."news.example.com"]
/// title = "h1.headline"
/// body = "div.story-body"
/// remove = [".related", ".share"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRule {
    pub title: Option<String>,
    pub body: String,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A followed feed (RSS, Atom, JSON Feed) or HTML index page:
///
/// ```toml
/// [[feeds]]
/// url = "https://news.example.com/rss.xml"
///
/// [[feeds]]
/// url = "https://news.example.com/world/"
/// links = "/world/\\d{4}/"   # a regex on absolute URLs: which links are articles
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSource {
    pub url: String,
    /// Required for HTML index pages; for feeds it filters the entries' links.
    pub links: Option<String>,
}

/// How pages are fetched.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    pub user_agent: String,
    /// Timeout of a whole fetch (redirects and body included), seconds.
    pub timeout: u64,
    /// Largest response body accepted (decompressed), bytes; pages past
    /// [`MAX_PAGE_BYTES`] are refused whatever this says.
    pub max_bytes: u64,
    pub max_redirects: u32,
    /// Requests to one host at a time.
    pub host_concurrency: usize,
    /// Seconds between the starts of two requests to one host.
    pub host_delay: f64,
    /// Honour robots.txt.
    pub robots: bool,
    /// Extra attempts after a timeout, a connection error, a 429 or a 5xx.
    pub retries: u32,
    /// Seconds before the first retry; each further retry waits twice as long.
    pub retry_delay: f64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            user_agent: concat!(
                "palimpsest/",
                env!("CARGO_PKG_VERSION"),
                " (news change archive; +https://crates.io/crates/palimpsest)"
            )
            .to_owned(),
            timeout: 30,
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            host_concurrency: 2,
            host_delay: 1.0,
            robots: true,
            retries: 1,
            retry_delay: 2.0,
        }
    }
}

impl FetchSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    pub fn host_delay(&self) -> Duration {
        Duration::try_from_secs_f64(self.host_delay).unwrap_or_default()
    }

    pub fn retry_delay(&self) -> Duration {
        Duration::try_from_secs_f64(self.retry_delay).unwrap_or_default()
    }
}

/// When articles are checked again: the longer an article has not changed, the rarer (the
/// tiers NewsDiffs used). Each tier is `[age, interval]`: an article that last changed less than
/// `age` ago is due `interval` after its last check. Past the last tier it is never checked
/// again unless asked (`snapshot --all` or by URL).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    pub tiers: Vec<(String, String)>,
}

impl Default for Schedule {
    fn default() -> Self {
        let tiers = [
            ("3h", "15m"),
            ("1day", "1h"),
            ("7days", "3h"),
            ("30days", "3days"),
            ("360days", "30days"),
        ];
        Schedule {
            tiers: tiers
                .iter()
                .map(|(a, i)| (a.to_string(), i.to_string()))
                .collect(),
        }
    }
}

impl Schedule {
    /// The tiers as durations, checked.
    pub fn parsed(&self) -> Result<Vec<(Duration, Duration)>, ConfigError> {
        let parse = |s: &str| {
            humantime::parse_duration(s).map_err(|source| ConfigError::Duration {
                value: s.to_owned(),
                source,
            })
        };
        self.tiers
            .iter()
            .map(|(age, every)| Ok((parse(age)?, parse(every)?)))
            .collect()
    }

    /// How long after a check an article that last changed `since_change` ago is due again;
    /// `None`: never.
    pub fn interval(tiers: &[(Duration, Duration)], since_change: Duration) -> Option<Duration> {
        tiers
            .iter()
            .find(|(age, _)| since_change < *age)
            .map(|(_, every)| *every)
    }
}

/// `palimpsest.toml` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{FILE_NAME} is not valid")]
    Parse(#[source] toml::de::Error),
    /// Not TOML, where the file is edited (the settings of an archive were read before).
    #[error("{FILE_NAME} is not valid TOML")]
    Edit(#[source] toml_edit::TomlError),
    #[error("{FILE_NAME} is not valid: {0}")]
    Shape(&'static str),
    #[error(
        "{FILE_NAME} is not valid: the schedule's {value:?} is not a duration (like 15m, 3h or 7days)"
    )]
    Duration {
        value: String,
        #[source]
        source: humantime::DurationError,
    },
    /// A selector of `[sites."host"]` that does not parse (found when the extractor compiles
    /// the rules); the CSS parser's error is the source.
    #[error("{FILE_NAME} is not valid: site rule for {host}: invalid CSS selector {selector:?}")]
    SiteRule {
        host: String,
        selector: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(ConfigError::Parse)?;
        config.schedule.parsed()?;
        if config
            .notify
            .iter()
            .any(|n| n.webhook.is_some() == n.command.is_some())
        {
            return Err(ConfigError::Shape(
                "each [[notify]] needs either `webhook` or `command`, not both",
            ));
        }
        Ok(config)
    }
}

/// The text of a new archive's `palimpsest.toml`.
pub fn initial_text() -> String {
    let d = FetchSettings::default();
    format!(
        "# palimpsest archive settings. Tracked articles are listed in `articles`.\n\
         # Site rules: [sites.\"host\"] with title = \"css\", body = \"css\", remove = [\"css\", ...].\n\
         \n\
         [fetch]\n\
         timeout = {}           # seconds per fetch, redirects and body included\n\
         max_bytes = {}   # largest page accepted, decompressed (at most {MAX_PAGE_BYTES})\n\
         max_redirects = {}\n\
         host_concurrency = {}  # requests to one host at a time\n\
         host_delay = {:.1}       # seconds between requests to one host\n\
         robots = {}         # honour robots.txt\n",
        d.timeout, d.max_bytes, d.max_redirects, d.host_concurrency, d.host_delay, d.robots
    )
}

/// Adds `urls` to the `articles` list of `text`, keeping everything else as written. Returns
/// the new text and how many were not tracked before.
pub fn with_articles(text: &str, urls: &[String]) -> Result<(String, usize), ConfigError> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(ConfigError::Edit)?;
    // `articles` must stay a top-level key: TOML would read it as part of the last table if it
    // were appended after one, so new files put it first.
    let root = doc.as_table_mut();
    if !root.contains_key("articles") {
        root.insert("articles", toml_edit::value(toml_edit::Array::new()));
        root.sort_values_by(|k1, _, k2, _| (k1.get() != "articles").cmp(&(k2.get() != "articles")));
    }
    let array = root["articles"]
        .as_array_mut()
        .ok_or(ConfigError::Shape("`articles` must be an array of URLs"))?;
    let mut added = 0;
    for url in urls {
        if !array.iter().any(|v| v.as_str() == Some(url.as_str())) {
            array.push(url.as_str());
            added += 1;
        }
    }
    for value in array.iter_mut() {
        value.decor_mut().set_prefix("\n  ");
    }
    array.set_trailing("\n");
    array.set_trailing_comma(true);
    Ok((doc.to_string(), added))
}

/// Adds a followed feed to `text`, unless one with the same URL is there. Returns the new text
/// and whether it was added.
pub fn with_feed(text: &str, feed: &FeedSource) -> Result<(String, bool), ConfigError> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(ConfigError::Edit)?;
    let feeds = doc
        .entry("feeds")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or(ConfigError::Shape(
            "`feeds` must be an array of tables ([[feeds]])",
        ))?;
    if feeds
        .iter()
        .any(|t| t.get("url").and_then(|v| v.as_str()) == Some(feed.url.as_str()))
    {
        return Ok((doc.to_string(), false));
    }
    let mut table = toml_edit::Table::new();
    table.insert("url", toml_edit::value(feed.url.as_str()));
    if let Some(links) = &feed.links {
        table.insert("links", toml_edit::value(links.as_str()));
    }
    feeds.push(table);
    Ok((doc.to_string(), true))
}

/// Sets the import tips of `source` in `text`, keeping everything else as written.
pub fn with_import_tips(text: &str, source: &str, tips: &[String]) -> Result<String, ConfigError> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(ConfigError::Edit)?;
    let imports = doc
        .entry("imports")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .ok_or(ConfigError::Shape("`imports` must be a table"))?;
    let mut entry = toml_edit::Table::new();
    entry.insert(
        "tips",
        toml_edit::value(
            tips.iter()
                .map(String::as_str)
                .collect::<toml_edit::Array>(),
        ),
    );
    imports.insert(source, toml_edit::Item::Table(entry));
    Ok(doc.to_string())
}

/// Sets what the hub holds of shard `name` in `text`, keeping everything else as written.
pub fn with_pulled(text: &str, name: &str, pulled: &Pulled) -> Result<String, ConfigError> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(ConfigError::Edit)?;
    let all = doc
        .entry("pulled")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .ok_or(ConfigError::Shape("`pulled` must be a table"))?;
    let mut entry = toml_edit::Table::new();
    entry.insert("head", toml_edit::value(pulled.head.as_str()));
    if !pulled.notes.is_empty() {
        let mut notes = toml_edit::InlineTable::new();
        for (name, commit) in &pulled.notes {
            notes.insert(name, commit.as_str().into());
        }
        entry.insert("notes", toml_edit::value(notes));
    }
    all.insert(name, toml_edit::Item::Table(entry));
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_articles_keeps_comments_and_tables() {
        let text = initial_text();
        let (text, added) = with_articles(
            &text,
            &["https://a.test/1".into(), "https://a.test/1".into()],
        )
        .unwrap();
        assert_eq!(added, 1);
        let (text, added) = with_articles(&text, &["https://a.test/2".into()]).unwrap();
        assert_eq!(added, 1);
        assert!(text.contains("# palimpsest archive settings"), "{text}");
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.articles, ["https://a.test/1", "https://a.test/2"]);
        assert_eq!(config.fetch.timeout, 30);
    }

    #[test]
    fn import_tips_are_replaced() {
        let text =
            with_import_tips(&initial_text(), "/src/repo", &["a".into(), "b".into()]).unwrap();
        let text = with_import_tips(&text, "/src/repo", &["c".into()]).unwrap();
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.imports["/src/repo"].tips, ["c"]);
        assert!(text.contains("# palimpsest archive settings"), "{text}");
    }

    #[test]
    fn pulled_shards_are_replaced() {
        let notes = BTreeMap::from([("raw".to_owned(), "b".repeat(40))]);
        let first = Pulled {
            head: "a".repeat(40),
            notes,
        };
        let text = with_pulled(&initial_text(), "east", &first).unwrap();
        let text = with_pulled(&text, "west", &first).unwrap();
        let second = Pulled {
            head: "c".repeat(40),
            ..first.clone()
        };
        let text = with_pulled(&text, "east", &second).unwrap();
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.pulled["east"], second);
        assert_eq!(config.pulled["west"], first);
        assert!(text.contains("# palimpsest archive settings"), "{text}");
    }
}
