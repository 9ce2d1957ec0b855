//! The links of a page (`<a href>`), for discovery's index pages: read from the same tree, held
//! to the same limits, as every other page.

use super::limits::TooManyElements;
use super::parse;
use super::tokenizer::Attributes;
use html5ever::{local_name, ns};

/// The targets of a page's `<a href>` links, in document order, as written (unresolved).
pub fn links(html: &str) -> Result<Vec<String>, TooManyElements> {
    let tree = parse::document(html, Attributes::Read)?;
    Ok(tree
        .descendants(0)
        .filter_map(|id| tree.element(id))
        .filter(|el| el.name.local == local_name!("a"))
        .filter_map(|el| {
            // `href` itself, not SVG's `xlink:href`.
            el.attrs
                .iter()
                .find(|a| a.name.local == local_name!("href") && a.name.ns == ns!())
        })
        .map(|a| a.value.to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::MAX_ELEMENTS;

    #[test]
    fn links_are_the_hrefs_of_anchors_in_page_order() {
        let html = r#"<!-->
            <nav><a href="/world/">World</a></nav><a name=top>no href</a>
            <table><a href="/fostered">before the table</a><tr><td><a href='/b?x=1&amp;y=2'>b</a>
            </table><!-- <a href="/commented"> --><script>"<a href='/script'>"</script>
            <svg><a xlink:href="/svg">svg</a></svg><A HREF=/upper>upper</A>"#;
        assert_eq!(
            links(html).unwrap(),
            ["/world/", "/fostered", "/b?x=1&y=2", "/upper"]
        );
    }

    #[test]
    fn an_index_page_past_the_element_limit_is_refused() {
        let html = format!("<a href=/a>a</a>{}", "<br>".repeat(MAX_ELEMENTS));
        assert!(links(&html).is_err());
    }
}
