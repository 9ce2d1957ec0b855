//! The extractor for any page without site rules: finds the article among the page's blocks.

use super::{Article, Block, BlockKind};
use scraper::{ElementRef, Html, Selector};

/// Extracts title and paragraphs: the `<title>` (or first `<h1>`) and every `<p>` outside
/// navigation, headers, footers, asides and scripts.
pub fn extract(html: &str) -> Article {
    let doc = Html::parse_document(html);
    let title = first_text(&doc, "h1")
        .or_else(|| first_text(&doc, "title"))
        .unwrap_or_default();
    let p = Selector::parse("p").expect("static selector");
    let blocks = doc
        .select(&p)
        .filter(|el| !inside_boilerplate(el))
        .map(|el| Block {
            kind: BlockKind::Paragraph,
            text: el.text().collect(),
        })
        .collect();
    let lang = doc.root_element().attr("lang").map(str::to_owned);
    Article {
        title,
        lang,
        blocks,
        ..Article::default()
    }
}

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    let sel = Selector::parse(selector).expect("static selector");
    doc.select(&sel)
        .map(|el| el.text().collect::<String>())
        .find(|t| !t.trim().is_empty())
}

fn inside_boilerplate(el: &ElementRef) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        matches!(
            a.value().name(),
            "nav" | "header" | "footer" | "aside" | "script" | "style"
        )
    })
}
