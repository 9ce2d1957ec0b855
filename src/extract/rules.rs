//! Site rules: CSS selectors for title, body and removals, per host, from `palimpsest.toml`.
//!
//! For the sites where the generic extractor is not enough: the rule says where the article is
//! and what to cut out of it; structure (headings, lists, quotes), metadata and normalization
//! are the same as on the generic path.

use super::dom::Dom;
use super::tree;
use super::{Article, blocks, generic, metadata};
use crate::config::{ConfigError, SiteRule};
use scraper::{ElementRef, Html, Selector};
use std::collections::BTreeMap;

/// All site rules, by host.
#[derive(Debug, Clone, Default)]
pub struct SiteRules {
    by_host: BTreeMap<String, SiteRule>,
}

impl SiteRules {
    /// Builds the rules, checking every selector so that a typo fails at load, not per page.
    pub fn new(by_host: &BTreeMap<String, SiteRule>) -> Result<SiteRules, ConfigError> {
        for (host, rule) in by_host {
            for sel in rule.title.iter().chain([&rule.body]).chain(&rule.remove) {
                Selector::parse(sel).map_err(|e| ConfigError::SiteRule {
                    host: host.clone(),
                    selector: sel.clone(),
                    source: Box::new(e),
                })?;
            }
        }
        Ok(SiteRules {
            by_host: by_host.clone(),
        })
    }

    /// The rule for a URL's host, if any: the host's own rule, else the rule of the nearest
    /// parent domain (a rule for `example.com` covers `www.example.com` and
    /// `news.example.com`).
    pub fn for_url(&self, url: &url::Url) -> Option<&SiteRule> {
        let mut host = url.host_str()?;
        loop {
            if let Some(rule) = self.by_host.get(host) {
                return Some(rule);
            }
            let (_, parent) = host.split_once('.')?;
            if !parent.contains('.') {
                return None;
            }
            host = parent;
        }
    }
}

/// Extracts with a rule's selectors (checked by [`SiteRules::new`]) from a page as
/// [`tree::prepare`] leaves it. A missing or unmatched title selector falls back to the
/// page's metadata title.
pub fn apply(rule: &SiteRule, html: &str) -> Article {
    let doc = Html::parse_document(html);
    let parse = |s: &str| Selector::parse(s).ok();
    let removed: Vec<Selector> = rule.remove.iter().filter_map(|s| parse(s)).collect();
    let body = parse(&rule.body);
    let (dom, roots) = Dom::build_selecting(&tree::from_scraper(&doc, &removed, body.as_ref()));
    let meta = metadata::read(&dom);
    let title = rule
        .title
        .as_deref()
        .and_then(parse)
        .and_then(|sel| {
            doc.select(&sel)
                .map(|el: ElementRef| el.text().collect::<String>())
                .find(|t| !t.trim().is_empty())
        })
        .unwrap_or(meta.title);
    let blocks = blocks::write(&dom, &roots, |_, _| false);
    let lang = meta.lang.or_else(|| generic::script_language(&blocks));
    Article {
        title,
        byline: meta.byline,
        published: meta.published,
        lang,
        source_url: meta.source_url,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::BlockKind;

    fn rules(host: &str, rule: SiteRule) -> SiteRules {
        SiteRules::new(&BTreeMap::from([(host.to_owned(), rule)])).unwrap()
    }

    #[test]
    fn rule_selects_body_removes_noise_and_keeps_structure() {
        let rule = SiteRule {
            title: Some("h1.headline".into()),
            body: "div.story".into(),
            remove: vec![".share".into()],
        };
        let html = r#"<title>T | Site</title><h1 class="headline">Headline</h1>
            <div class="story"><p>First.</p><div class="share">Share this</div><h2>Part</h2>
            <ul><li>Item</li></ul></div><div class="story"><p>Second.</p></div><p>Outside.</p>"#;
        let a = apply(&rule, html);
        assert_eq!(a.title, "Headline");
        let got: Vec<(BlockKind, &str)> =
            a.blocks.iter().map(|b| (b.kind, b.text.trim())).collect();
        assert_eq!(
            got,
            [
                (BlockKind::Paragraph, "First."),
                (BlockKind::Heading, "Part"),
                (BlockKind::ListItem, "Item"),
                (BlockKind::Paragraph, "Second."),
            ]
        );
    }

    #[test]
    fn rule_for_a_domain_covers_its_subdomains() {
        let rule = SiteRule {
            body: "article".into(),
            ..SiteRule::default()
        };
        let r = rules("example.com", rule);
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert!(r.for_url(&url("https://news.example.com/a")).is_some());
        assert!(r.for_url(&url("https://example.com/a")).is_some());
        assert!(r.for_url(&url("https://example.org/a")).is_none());
        assert!(r.for_url(&url("https://com/a")).is_none());
    }

    #[test]
    fn bad_selector_fails_at_load() {
        let rule = SiteRule {
            body: "div[".into(),
            ..SiteRule::default()
        };
        let err = SiteRules::new(&BTreeMap::from([("a.test".to_owned(), rule)])).unwrap_err();
        assert!(err.to_string().contains("a.test"), "{err}");
    }
}
