//! Pages of git-scraping mirrors: an article wrapped in Markdown (a `### title` line, `####`
//! nav and promo lines, a footer) around the article's own HTML.

use super::{Article, Block, BlockKind};

/// Whether `text` looks like a mirror page: it opens with a `### ` title line followed by a
/// Markdown rule.
pub fn is_mirror_page(text: &str) -> bool {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let first = lines.next().unwrap_or("");
    let second = lines.next().unwrap_or("");
    first.starts_with("### ") && second.trim_start().starts_with("---")
}

/// Extracts the title line and the article's paragraphs, dropping `####` promo lines.
pub fn extract(text: &str) -> Article {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let title = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("### ")
        .to_owned();
    let html: String = lines
        .filter(|l| !l.trim_start().starts_with("####") && !l.trim_start().starts_with("---"))
        .collect::<Vec<_>>()
        .join("\n");
    let body = super::generic::extract(&html);
    let blocks = body
        .blocks
        .into_iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .collect::<Vec<Block>>();
    Article {
        title,
        blocks,
        ..Article::default()
    }
}
