//! CSS selectors on our [`Tree`], for site rules.
//!
//! A selector is parsed once, by scraper's parser (its `Simple` selector implementation: no
//! pseudo-classes beyond the structural ones), and matched by the `selectors` crate, which
//! scraper uses too, through [`Element`] over our tree's nodes: one parse of the page, through
//! the limits every page is held to, serves the selectors as well as the extractor.

use super::tree::{RawData, RawElement, RawId, Tree};
use html5ever::{Namespace, ns};
use scraper::error::SelectorErrorKind;
use scraper::selector::{CssLocalName, CssString, NonTSPseudoClass, Parser, PseudoElement, Simple};
use selectors::attr::{AttrSelectorOperation, CaseSensitivity, NamespaceConstraint};
use selectors::bloom::BloomFilter;
use selectors::context::{
    MatchingContext, MatchingForInvalidation, MatchingMode, NeedsSelectorFlags, QuirksMode,
    SelectorCaches,
};
use selectors::matching::{self, ElementSelectorFlags};
use selectors::parser::ParseRelative;
use selectors::{Element, OpaqueElement, SelectorList};

/// A compiled selector group (`a, b`).
#[derive(Debug, Clone)]
pub struct Selector(SelectorList<Simple>);

impl Selector {
    pub fn parse(css: &str) -> Result<Selector, SelectorErrorKind> {
        let mut input = cssparser::Parser::new(css);
        SelectorList::parse(&Parser, &mut input, ParseRelative::No)
            .map(Selector)
            .map_err(SelectorErrorKind::from)
    }

    /// Whether the element `id` of `tree` matches; `caches` serve every match on one tree.
    pub fn matches(&self, tree: &Tree, id: RawId, caches: &mut SelectorCaches) -> bool {
        let Some(element) = Node::element(tree, id) else {
            return false;
        };
        let mut context = MatchingContext::new(
            MatchingMode::Normal,
            None,
            caches,
            QuirksMode::NoQuirks,
            NeedsSelectorFlags::No,
            MatchingForInvalidation::No,
        );
        self.0
            .slice()
            .iter()
            .any(|s| matching::matches_selector(s, 0, None, &element, &mut context))
    }
}

/// An element of a [`Tree`], as the `selectors` crate sees it.
#[derive(Clone, Copy)]
struct Node<'a> {
    tree: &'a Tree,
    id: RawId,
    element: &'a RawElement,
}

impl<'a> Node<'a> {
    fn element(tree: &'a Tree, id: RawId) -> Option<Node<'a>> {
        tree.element(id).map(|element| Node { tree, id, element })
    }

    /// The first element among `id` and the nodes `next` leads to from it.
    fn find(&self, id: Option<RawId>, next: impl Fn(RawId) -> Option<RawId>) -> Option<Self> {
        std::iter::successors(id, |&n| next(n)).find_map(|n| Node::element(self.tree, n))
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}> (node {})", self.element.name.local, self.id)
    }
}

impl Element for Node<'_> {
    type Impl = Simple;

    fn opaque(&self) -> OpaqueElement {
        OpaqueElement::new(&self.tree.nodes[self.id])
    }

    fn parent_element(&self) -> Option<Self> {
        Node::element(self.tree, self.tree.parent(self.id)?)
    }

    fn parent_node_is_shadow_root(&self) -> bool {
        false
    }

    fn containing_shadow_host(&self) -> Option<Self> {
        None
    }

    fn is_pseudo_element(&self) -> bool {
        false
    }

    fn prev_sibling_element(&self) -> Option<Self> {
        self.find(self.tree.prev_sibling(self.id), |n| {
            self.tree.prev_sibling(n)
        })
    }

    fn next_sibling_element(&self) -> Option<Self> {
        self.find(self.tree.next_sibling(self.id), |n| {
            self.tree.next_sibling(n)
        })
    }

    fn first_element_child(&self) -> Option<Self> {
        self.find(self.tree.first_child(self.id), |n| {
            self.tree.next_sibling(n)
        })
    }

    fn is_html_element_in_html_document(&self) -> bool {
        self.element.name.ns == ns!(html)
    }

    fn has_local_name(&self, name: &CssLocalName) -> bool {
        self.element.name.local == name.0
    }

    fn has_namespace(&self, namespace: &Namespace) -> bool {
        &self.element.name.ns == namespace
    }

    fn is_same_type(&self, other: &Self) -> bool {
        self.element.name == other.element.name
    }

    fn attr_matches(
        &self,
        ns: &NamespaceConstraint<&Namespace>,
        local_name: &CssLocalName,
        operation: &AttrSelectorOperation<&CssString>,
    ) -> bool {
        self.element.attrs.iter().any(|a| {
            !matches!(*ns, NamespaceConstraint::Specific(url) if *url != a.name.ns)
                && a.name.local == local_name.0
                && operation.eval_str(&a.value)
        })
    }

    fn match_non_ts_pseudo_class(
        &self,
        _: &NonTSPseudoClass,
        _: &mut MatchingContext<'_, Simple>,
    ) -> bool {
        false
    }

    fn match_pseudo_element(&self, _: &PseudoElement, _: &mut MatchingContext<'_, Simple>) -> bool {
        false
    }

    fn apply_selector_flags(&self, _: ElementSelectorFlags) {}

    fn is_link(&self) -> bool {
        &*self.element.name.local == "link"
    }

    fn is_html_slot_element(&self) -> bool {
        false
    }

    fn has_id(&self, id: &CssLocalName, case_sensitivity: CaseSensitivity) -> bool {
        self.element
            .attr(html5ever::local_name!("id"))
            .is_some_and(|v| case_sensitivity.eq(id.0.as_bytes(), v.as_bytes()))
    }

    fn has_class(&self, name: &CssLocalName, case_sensitivity: CaseSensitivity) -> bool {
        self.element
            .attr(html5ever::local_name!("class"))
            .is_some_and(|classes| {
                classes
                    .split_ascii_whitespace()
                    .any(|c| case_sensitivity.eq(c.as_bytes(), name.0.as_bytes()))
            })
    }

    fn has_custom_state(&self, _: &CssLocalName) -> bool {
        false
    }

    fn imported_part(&self, _: &CssLocalName) -> Option<CssLocalName> {
        None
    }

    fn is_part(&self, _: &CssLocalName) -> bool {
        false
    }

    fn is_empty(&self) -> bool {
        !self
            .tree
            .children(self.id)
            .any(|c| match &self.tree.nodes[c].data {
                RawData::Element(_) => true,
                RawData::Text(t) => !t.is_empty(),
                _ => false,
            })
    }

    fn is_root(&self) -> bool {
        self.tree
            .parent(self.id)
            .is_some_and(|p| matches!(self.tree.nodes[p].data, RawData::Document))
    }

    fn add_element_unique_hashes(&self, _: &mut BloomFilter) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::parse;
    use crate::extract::tokenizer::Attributes;

    /// The text of each element `css` selects, in document order.
    fn select(html: &str, css: &str) -> Vec<String> {
        let tree = parse::document(html, Attributes::All).unwrap();
        let selector = Selector::parse(css).unwrap();
        let mut caches = SelectorCaches::default();
        tree.descendants(0)
            .filter(|&id| selector.matches(&tree, id, &mut caches))
            .map(|id| tree.text(id))
            .collect()
    }

    /// The selectors site rules are written with.
    #[test]
    fn selects_by_class_id_attribute_combinators_not_and_nth_child() {
        let html = r#"<body><div id=main class="story body">
            <p class=lead>Lead</p><p>One</p><p data-role=ad>Ad</p>
            <section><p>Deep</p></section></div>
            <ul><li>a</li><li>b</li><li>c</li></ul>
            <svg><a href=x>svg</a></svg></body>"#;
        assert_eq!(select(html, ".story"), [select(html, "#main")[0].clone()]);
        assert_eq!(select(html, "div.story.body > p.lead"), ["Lead"]);
        assert_eq!(select(html, "#main > p"), ["Lead", "One", "Ad"]);
        assert_eq!(select(html, "#main p"), ["Lead", "One", "Ad", "Deep"]);
        assert_eq!(select(html, "p[data-role=ad]"), ["Ad"]);
        assert_eq!(select(html, "[data-role]"), ["Ad"]);
        assert_eq!(
            select(html, "#main > p:not(.lead):not([data-role])"),
            ["One"]
        );
        assert_eq!(select(html, "li:nth-child(2)"), ["b"]);
        assert_eq!(select(html, "li:nth-child(odd)"), ["a", "c"]);
        assert_eq!(select(html, "li:first-child, li:last-child"), ["a", "c"]);
        assert_eq!(select(html, "p + section"), ["Deep"]);
        assert_eq!(select(html, "DIV.story > P.lead"), ["Lead"]);
        assert_eq!(select(html, "div.Story"), Vec::<String>::new());
        assert_eq!(select(html, "a"), ["svg"]);
        assert_eq!(select(html, "div:has(> section) > p.lead"), ["Lead"]);
    }

    #[test]
    fn bad_selectors_do_not_parse() {
        for css in ["div[", "", "p >", "::before", "a:hover"] {
            assert!(Selector::parse(css).is_err(), "{css:?}");
        }
    }
}
