//! `palimpsest.toml`: the tracked articles and the settings of an archive.
//!
//! It is committed with the archive, so the history shows when each article started being
//! tracked. Reads go through serde; writes go through `toml_edit`, so that the comments and
//! layout a user gave the file survive `palimpsest add`.

use crate::extract::rules::{SiteRule, SiteRules};
use std::collections::BTreeMap;
use std::time::Duration;

pub const FILE_NAME: &str = "palimpsest.toml";

/// The parsed configuration.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub fetch: FetchSettings,
    /// Tracked article URLs, canonical.
    #[serde(default)]
    pub articles: Vec<String>,
    /// Site rules by host.
    #[serde(default)]
    pub sites: BTreeMap<String, SiteRule>,
    /// Git repositories replayed by `import-git`, by absolute path: how far each was imported.
    #[serde(default)]
    pub imports: BTreeMap<String, Import>,
}

/// How far a source repository was imported: the tips of its refs at the last import. The next
/// import replays only commits that are not ancestors of these.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    pub tips: Vec<String>,
}

/// How pages are fetched.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    pub user_agent: String,
    /// Whole-request timeout, seconds.
    pub timeout: u64,
    /// Largest response body accepted, bytes.
    pub max_bytes: u64,
    pub max_redirects: u32,
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
        }
    }
}

impl FetchSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }
}

/// `palimpsest.toml` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{FILE_NAME} is not valid: {0}")]
    Parse(String),
    #[error(transparent)]
    Rules(#[from] crate::extract::rules::RuleError),
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
    }

    /// The site rules, checked.
    pub fn site_rules(&self) -> Result<SiteRules, ConfigError> {
        Ok(SiteRules::new(self.sites.clone())?)
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
         timeout = {}          # seconds\n\
         max_bytes = {}  # largest page accepted\n\
         max_redirects = {}\n",
        d.timeout, d.max_bytes, d.max_redirects
    )
}

/// Adds `urls` to the `articles` list of `text`, keeping everything else as written. Returns
/// the new text and how many were not tracked before.
pub fn with_articles(text: &str, urls: &[String]) -> Result<(String, usize), ConfigError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| ConfigError::Parse(e.to_string()))?;
    // `articles` must stay a top-level key: TOML would read it as part of the last table if it
    // were appended after one, so new files put it first.
    let root = doc.as_table_mut();
    if !root.contains_key("articles") {
        root.insert("articles", toml_edit::value(toml_edit::Array::new()));
        root.sort_values_by(|k1, _, k2, _| (k1.get() != "articles").cmp(&(k2.get() != "articles")));
    }
    let array = root["articles"]
        .as_array_mut()
        .ok_or_else(|| ConfigError::Parse("`articles` must be an array of URLs".into()))?;
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

/// Sets the import tips of `source` in `text`, keeping everything else as written.
pub fn with_import_tips(text: &str, source: &str, tips: &[String]) -> Result<String, ConfigError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| ConfigError::Parse(e.to_string()))?;
    let imports = doc
        .entry("imports")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| ConfigError::Parse("`imports` must be a table".into()))?;
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
}
