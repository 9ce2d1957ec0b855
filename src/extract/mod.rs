//! HTML → [`Article`]: the title, metadata and text blocks of the article a page carries.
//!
//! Two extractors share one output type. [`mirror`] reads pages that wrap an article in
//! Markdown plus HTML (git-scraping mirrors); [`generic`] scores the content blocks of any
//! other page. Site rules from `palimpsest.toml` ([`rules`]) come first when a host has them.
//! Text here is raw: [`crate::normalize`] makes it canonical.

mod blocks;
mod dom;
pub mod generic;
mod metadata;
pub mod mirror;
pub mod rules;

pub use dom::{MAX_ELEMENTS, TooManyElements};
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
/// Every extractor parses the page as [`dom::prepare`] leaves it, so that no page makes the
/// parser take minutes or gigabytes.
pub fn extract(
    html: &str,
    url: Option<&url::Url>,
    rules: &SiteRules,
) -> Result<Article, TooManyElements> {
    let mirror = mirror::is_mirror_page(html);
    let html = dom::prepare(html)?;
    Ok(if let Some(rule) = url.and_then(|u| rules.for_url(u)) {
        rule.extract(&html)
    } else if mirror {
        mirror::extract(&html)
    } else {
        generic::extract(&html)
    })
}
