//! HTML → [`Article`]: the title, metadata and text blocks of the article a page carries.
//!
//! Two extractors share one output type. [`mirror`] reads pages that wrap an article in
//! Markdown plus HTML (git-scraping mirrors); [`generic`] scores the content blocks of any
//! other page. Site rules from `palimpsest.toml` ([`rules`]) come first when a host has them.
//! Text here is raw: [`crate::normalize`] makes it canonical.
//!
//! Every page, whichever of these reads it (and discovery's index pages, through [`links`]), is
//! parsed the one way [`parse`] has, into one kind of tree, held to the [`limits`] on the way.

mod blocks;
mod dom;
pub mod generic;
mod limits;
mod links;
mod metadata;
pub mod mirror;
#[cfg(any(test, fuzzing))]
pub mod outline;
mod parse;
pub mod rules;
mod select;
mod structured;
mod tokenizer;
mod tree;

pub use limits::{MAX_ELEMENTS, TooManyElements};
pub use links::links;
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
/// No page makes the parser take minutes or gigabytes: every path parses through the same
/// limits, and a page past [`MAX_ELEMENTS`] is refused.
pub fn extract(
    html: &str,
    url: Option<&url::Url>,
    rules: &SiteRules,
) -> Result<Article, TooManyElements> {
    if let Some(rule) = url.and_then(|u| rules.for_url(u)) {
        return rule.extract(html);
    }
    if mirror::is_mirror_page(html) {
        return mirror::extract(html);
    }
    generic::extract(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteRule;
    use limits::MAX_DEPTH;
    use std::collections::BTreeMap;

    const PROSE: &str = "The council approved the harbour budget on Monday, after a long debate, \
        and the mayor said the vote would stand until the next election, whatever the opponents \
        of the plan, who say it raises the fees for every berth in the harbour, do about it.";

    /// A page as each path reads it: the generic extractor, a site rule, the mirror reader.
    fn by_every_path(markup: &str) -> [Result<Article, TooManyElements>; 3] {
        let rules = SiteRules::new(&BTreeMap::from([(
            "rules.test".to_owned(),
            SiteRule {
                body: ".story".into(),
                ..SiteRule::default()
            },
        )]))
        .unwrap();
        let url = |host: &str| url::Url::parse(&format!("https://{host}/a")).unwrap();
        let page = format!("<div class=story>{markup}</div>");
        [
            extract(&page, Some(&url("generic.test")), &rules),
            extract(&page, Some(&url("rules.test")), &rules),
            extract(&format!("### T\n-----\n{page}"), None, &rules),
        ]
    }

    fn kinds(article: &Result<Article, TooManyElements>) -> Vec<(BlockKind, String)> {
        let article = article.as_ref().expect("read");
        article
            .blocks
            .iter()
            .map(|b| (b.kind, b.text.trim().to_owned()))
            .collect()
    }

    /// `<!-->` is a whole comment to html5ever; a scan that read it as the start of one let the
    /// rest of the page past the limits on the site-rule and mirror paths.
    #[test]
    fn empty_comment_opening_a_page_does_not_lift_the_limits() {
        for opening in ["", "<!-->", "<!--->", "<!-- a --!>"] {
            let deep = format!(
                "{opening}{}<h2>{PROSE}</h2>{}",
                "<div>".repeat(MAX_DEPTH + 10),
                "</div>".repeat(MAX_DEPTH + 10)
            );
            // Past the depth limit the heading's tag is dropped and its text stays, on every path.
            for (path, article) in by_every_path(&deep).iter().enumerate() {
                assert_eq!(
                    kinds(article),
                    [(BlockKind::Paragraph, PROSE.to_owned())],
                    "path {path}, {opening:?}"
                );
            }
            let many = format!("{opening}<p>{PROSE}</p>{}", "<br>".repeat(MAX_ELEMENTS));
            for (path, article) in by_every_path(&many).iter().enumerate() {
                assert!(
                    matches!(article, Err(TooManyElements)),
                    "path {path}, {opening:?}"
                );
            }
        }
    }
}
