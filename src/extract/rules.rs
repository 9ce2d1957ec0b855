//! Site rules: CSS selectors for title, body and removals, per host, from `palimpsest.toml`.
//!
//! For the sites where the generic extractor is not enough: the rule says where the article is
//! and what to cut out of it; structure (headings, lists, quotes), metadata and normalization
//! are the same as on the generic path.

use super::dom::Dom;
use super::limits::TooManyElements;
use super::parse;
use super::select::Selector;
use super::tokenizer::Attributes;
use super::tree::{Mark, RawId};
use super::{Article, blocks, generic, metadata};
use crate::config::{ConfigError, SiteRule};
use selectors::context::SelectorCaches;
use std::collections::BTreeMap;

/// All site rules, by host, compiled.
#[derive(Debug, Clone, Default)]
pub struct SiteRules {
    by_host: BTreeMap<String, Rule>,
}

/// The rule for one host: its selectors, compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    title: Option<Selector>,
    body: Selector,
    remove: Vec<Selector>,
}

impl SiteRules {
    /// Compiles the rules of `palimpsest.toml`, so that a typo fails at load, not per page.
    pub fn new(by_host: &BTreeMap<String, SiteRule>) -> Result<SiteRules, ConfigError> {
        let mut compiled = BTreeMap::new();
        for (host, rule) in by_host {
            let compile = |css: &String| {
                Selector::parse(css).map_err(|e| ConfigError::SiteRule {
                    host: host.clone(),
                    selector: css.clone(),
                    source: Box::new(e),
                })
            };
            let rule = Rule {
                title: rule.title.as_ref().map(compile).transpose()?,
                body: compile(&rule.body)?,
                remove: rule.remove.iter().map(compile).collect::<Result<_, _>>()?,
            };
            compiled.insert(host.clone(), rule);
        }
        Ok(SiteRules { by_host: compiled })
    }

    /// The rule for a URL's host, if any: the host's own rule, else the rule of the nearest
    /// parent domain (a rule for `example.com` covers `www.example.com` and
    /// `news.example.com`).
    pub fn for_url(&self, url: &url::Url) -> Option<&Rule> {
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

impl Rule {
    /// Extracts the article the rule's selectors point at. A missing or unmatched title
    /// selector falls back to the page's metadata title.
    pub fn extract(&self, html: &str) -> Result<Article, TooManyElements> {
        // Selectors may name any attribute.
        let mut tree = parse::document(html, Attributes::All)?;
        let mut caches = SelectorCaches::default();
        let marks: Vec<(RawId, Mark)> = tree
            .descendants(0)
            .filter_map(|id| {
                let mut matches = |sel: &Selector| sel.matches(&tree, id, &mut caches);
                if self.remove.iter().any(&mut matches) {
                    Some((id, Mark::Remove))
                } else if matches(&self.body) {
                    Some((id, Mark::Select))
                } else {
                    None
                }
            })
            .collect();
        for (id, mark) in marks {
            tree.set_mark(id, mark);
        }
        let title = self.title.as_ref().and_then(|sel| {
            tree.descendants(0)
                .filter(|&id| sel.matches(&tree, id, &mut caches))
                .map(|id| tree.text(id))
                .find(|t| !t.trim().is_empty())
        });
        let (dom, roots) = Dom::build_selecting(&tree);
        let meta = metadata::read(&dom);
        let blocks = blocks::write(&dom, &roots, |_, _| false);
        let lang = meta.lang.or_else(|| generic::script_language(&blocks));
        Ok(Article {
            title: title.unwrap_or(meta.title),
            byline: meta.byline,
            published: meta.published,
            lang,
            source_url: meta.source_url,
            blocks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::BlockKind;

    fn rules(host: &str, rule: SiteRule) -> SiteRules {
        SiteRules::new(&BTreeMap::from([(host.to_owned(), rule)])).unwrap()
    }

    fn compiled(rule: SiteRule) -> Rule {
        rules("a.test", rule).by_host["a.test"].clone()
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
        let a = compiled(rule).extract(html).unwrap();
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
        let message = err.to_string();
        assert!(
            message.contains("a.test") && message.contains("\"div[\""),
            "{message}"
        );
    }

    /// The extractor reads a dozen attributes; selectors may name any other.
    #[test]
    fn rule_selects_by_attributes_the_extractor_does_not_read() {
        let rule = SiteRule {
            title: Some("[data-testid=headline]".into()),
            body: "div[data-testid=\"article-body\"]".into(),
            remove: vec!["[data-ad]".into()],
        };
        let html = r#"<h1 data-testid=headline>Headline</h1><div data-testid=article-body>
            <p>Body.</p><div data-ad>Advert</div></div><p>Outside.</p>"#;
        let a = compiled(rule).extract(html).unwrap();
        assert_eq!(a.title, "Headline");
        let texts: Vec<&str> = a.blocks.iter().map(|b| b.text.trim()).collect();
        assert_eq!(texts, ["Body."]);
    }
}
