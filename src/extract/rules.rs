//! Site rules: CSS selectors for title, body and removals, per host, from `palimpsest.toml`.

use super::{Article, Block, BlockKind};
use scraper::{Html, Selector};
use std::collections::BTreeMap;

/// Rules for one host, as written in `palimpsest.toml`:
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

/// All site rules, by host.
#[derive(Debug, Clone, Default)]
pub struct SiteRules {
    by_host: BTreeMap<String, SiteRule>,
}

impl SiteRules {
    /// Builds the rules, checking every selector so that a typo fails at load, not per page.
    pub fn new(by_host: BTreeMap<String, SiteRule>) -> Result<SiteRules, RuleError> {
        for (host, rule) in &by_host {
            for sel in rule.title.iter().chain([&rule.body]).chain(&rule.remove) {
                Selector::parse(sel).map_err(|e| RuleError {
                    host: host.clone(),
                    selector: sel.clone(),
                    reason: e.to_string(),
                })?;
            }
        }
        Ok(SiteRules { by_host })
    }

    /// The rule for a URL's host, if any.
    pub fn for_url(&self, url: &url::Url) -> Option<&SiteRule> {
        self.by_host.get(url.host_str()?)
    }
}

/// A selector in `palimpsest.toml` that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("site rule for {host}: invalid CSS selector {selector:?}: {reason}")]
pub struct RuleError {
    pub host: String,
    pub selector: String,
    pub reason: String,
}

impl SiteRule {
    /// Extracts with this rule's selectors. Selectors were checked by [`SiteRules::new`].
    pub fn extract(&self, html: &str) -> Article {
        let doc = Html::parse_document(html);
        let parse = |s: &str| Selector::parse(s).ok();
        let title = self
            .title
            .as_deref()
            .and_then(parse)
            .and_then(|sel| {
                doc.select(&sel)
                    .next()
                    .map(|el| el.text().collect::<String>())
            })
            .unwrap_or_default();
        let removed: Vec<Selector> = self.remove.iter().filter_map(|s| parse(s)).collect();
        let removed_ids: Vec<_> = removed
            .iter()
            .flat_map(|sel| doc.select(sel))
            .map(|el| el.id())
            .collect();
        let blocks = parse(&self.body)
            .map(|sel| {
                doc.select(&sel)
                    .map(|el| {
                        let text = el
                            .descendants()
                            .filter(|n| !n.ancestors().any(|a| removed_ids.contains(&a.id())))
                            .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
                            .collect::<String>();
                        Block {
                            kind: BlockKind::Paragraph,
                            text,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Article {
            title,
            blocks,
            ..Article::default()
        }
    }
}
