//! HTML → [`Article`]: the title, metadata and text blocks of the article a page carries.
//!
//! Two extractors share one output type. [`mirror`] reads pages that wrap an article in
//! Markdown plus HTML (git-scraping mirrors); [`generic`] scores the content blocks of any
//! other page. Site rules from `palimpsest.toml` ([`rules`]) come first when a host has them.
//! Text here is raw: [`crate::normalize`] makes it canonical.

mod blocks;
mod dom;
pub mod generic;
mod limits;
mod metadata;
pub mod mirror;
#[cfg(any(test, fuzzing))]
pub mod outline;
mod parse;
pub mod rules;
mod select;
mod tokenizer;
mod tree;

pub use limits::{MAX_ELEMENTS, TooManyElements};
pub use rules::SiteRules;

/// What a page says, before normalization.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Article {
    pub title: String,
    pub byline: Option<String>,
    /// The publication date as the page gives it (ISO 8601 when the page has machine-readable
    /// metadata).
    pub published: Option<String>,
    /// A BCP 47 language tag, when the page declares one.
    pub lang: Option<String>,
    /// The URL the page names as its own or its original (`rel=canonical`, `og:url`, a
    /// mirror's link to the original article), unresolved.
    pub source_url: Option<String>,
    pub blocks: Vec<Block>,
}

/// One unit of article structure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
    Quote,
    Caption,
    Preformatted,
}

/// Extracts the article from decoded HTML. `url` selects site rules and resolves nothing else.
/// No page makes the parser take minutes or gigabytes: scraper parses a mirror page as
/// [`tree::prepare`] leaves it, and our tokenizer applies the same limits as it goes.
pub fn extract(
    html: &str,
    url: Option<&url::Url>,
    rules: &SiteRules,
) -> Result<Article, TooManyElements> {
    if let Some(rule) = url.and_then(|u| rules.for_url(u)) {
        return rule.extract(html);
    }
    if mirror::is_mirror_page(html) {
        return Ok(mirror::extract(&tree::prepare(html)?));
    }
    generic::extract(html)
}
