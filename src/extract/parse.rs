//! The one way into a [`Tree`]: our [`tokenizer`] (which applies the [`super::limits`]) feeding
//! html5ever's tree builder (HTML5 tree construction: implied tags, misnested markup, foster
//! parenting), which writes into the tree through our own [`TreeSink`]. Every page palimpsest
//! reads is parsed here, whatever reads it next.

use super::limits::{MAX_ELEMENTS, TooManyElements};
use super::tokenizer::{self, Attributes};
use super::tree::{Mark, RawData, RawElement, RawId, Tree};
use html5ever::tendril::StrTendril;
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, QualName, local_name, ns};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};

/// Parses a page.
pub fn document(html: &str, attributes: Attributes) -> Result<Tree, TooManyElements> {
    let builder = TreeBuilder::new(Sink::for_page(html, attributes), TreeBuilderOpts::default());
    tokenizer::run(html, &builder, attributes)?;
    Ok(builder.sink.finish())
}

/// Parses HTML that is part of a `<body>` (as `innerHTML` would): the tree's document holds an
/// `<html>` element, the root of what was parsed.
pub fn fragment(html: &str, attributes: Attributes) -> Result<Tree, TooManyElements> {
    let sink = Sink::for_page(html, attributes);
    let body = sink.create_element(
        QualName::new(None, ns!(html), local_name!("body")),
        Vec::new(),
        ElementFlags::default(),
    );
    let builder = TreeBuilder::new_for_fragment(sink, body, None, TreeBuilderOpts::default());
    tokenizer::run(html, &builder, attributes)?;
    Ok(builder.sink.finish())
}

/// Writes what html5ever's tree builder makes into a [`Tree`].
pub(super) struct Sink {
    tree: RefCell<Tree>,
    attributes: Attributes,
}

impl Sink {
    /// A sink for the tree of `html`.
    pub(super) fn for_page(html: &str, attributes: Attributes) -> Sink {
        // About a node per tag (elements, and the texts between them): room for that saves
        // growing the arena again and again.
        let tags = memchr::memchr_iter(b'<', html.as_bytes()).count();
        Sink {
            tree: RefCell::new(Tree::with_capacity(tags.min(2 * MAX_ELEMENTS) + 2)),
            attributes,
        }
    }
}

impl TreeSink for Sink {
    type Handle = RawId;
    type Output = Tree;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Tree {
        self.tree.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> RawId {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a RawId) -> Ref<'a, QualName> {
        Ref::map(self.tree.borrow(), |t| match &t.nodes[*target].data {
            RawData::Element(el) => &el.name,
            _ => panic!("elem_name of a node that is not an element"),
        })
    }

    fn create_element(&self, name: QualName, mut attrs: Vec<Attribute>, _: ElementFlags) -> RawId {
        // Formatting elements came with all their attributes, for the tree builder to compare.
        if self.attributes == Attributes::Read && tokenizer::is_formatting(&name.local) {
            attrs.retain(|a| tokenizer::kept_attribute(&a.name.local).is_some());
        }
        self.tree.borrow_mut().push(RawData::Element(RawElement {
            name,
            attrs,
            mark: Mark::None,
        }))
    }

    fn create_comment(&self, _text: StrTendril) -> RawId {
        self.tree.borrow_mut().push(RawData::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> RawId {
        self.tree.borrow_mut().push(RawData::Other)
    }

    fn append(&self, parent: &RawId, child: NodeOrText<RawId>) {
        let mut tree = self.tree.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => tree.append(*parent, id),
            NodeOrText::AppendText(text) => {
                let last = tree.last_child(*parent);
                if !tree.merge_text(last, &text) {
                    let id = tree.push(RawData::Text(text));
                    tree.append(*parent, id);
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &RawId,
        prev_element: &RawId,
        child: NodeOrText<RawId>,
    ) {
        let has_parent = self.tree.borrow().parent(*element).is_some();
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &RawId) -> RawId {
        // Template contents stay under the template, which the extractor skips whole.
        *target
    }

    fn same_node(&self, x: &RawId, y: &RawId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &RawId, new_node: NodeOrText<RawId>) {
        let mut tree = self.tree.borrow_mut();
        if let NodeOrText::AppendNode(id) = new_node {
            tree.detach(id);
        }
        if tree.parent(*sibling).is_none() {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(id) => tree.insert_before(*sibling, id),
            NodeOrText::AppendText(text) => {
                let prev = tree.prev_sibling(*sibling);
                if !tree.merge_text(prev, &text) {
                    let id = tree.push(RawData::Text(text));
                    tree.insert_before(*sibling, id);
                }
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &RawId, attrs: Vec<Attribute>) {
        let mut tree = self.tree.borrow_mut();
        let RawData::Element(el) = &mut tree.nodes[*target].data else {
            return;
        };
        for attr in attrs {
            if !el.attrs.iter().any(|a| a.name == attr.name) {
                el.attrs.push(attr);
            }
        }
    }

    fn remove_from_parent(&self, target: &RawId) {
        self.tree.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &RawId, new_parent: &RawId) {
        let mut tree = self.tree.borrow_mut();
        while let Some(child) = tree.first_child(*node) {
            tree.detach(child);
            tree.append(*new_parent, child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::limits::{MAX_ATTRIBUTES, MAX_DEPTH};

    fn elements<'a>(tree: &'a Tree, name: &'a str) -> impl Iterator<Item = &'a RawElement> {
        tree.descendants(0)
            .filter_map(|id| tree.element(id))
            .filter(move |el| &*el.name.local == name)
    }

    #[test]
    fn nesting_beyond_the_limit_is_flattened_keeping_text() {
        let n = MAX_DEPTH + 50;
        let html = format!(
            "<body>{}<b>deep</b>{}<p>after</p>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let tree = document(&html, Attributes::Read).unwrap();
        assert_eq!(elements(&tree, "div").count(), MAX_DEPTH);
        assert_eq!(elements(&tree, "b").count(), 0);
        assert!(tree.text(0).contains("deep"));
        let p: Vec<RawId> = tree
            .descendants(0)
            .filter(|&id| tree.element(id).is_some_and(|el| &*el.name.local == "p"))
            .collect();
        assert_eq!(p.len(), 1);
        assert_eq!(tree.text(p[0]), "after");
        // What a script holds is text, however deep it looks.
        let script = format!("<script>{}</script>", "<div>".repeat(n));
        let tree = document(&script, Attributes::Read).unwrap();
        assert_eq!(elements(&tree, "div").count(), 0);
    }

    #[test]
    fn attributes_past_the_limit_are_dropped() {
        let many: String = (0..MAX_ATTRIBUTES + 10)
            .map(|i| format!(" a{i}=\"x > y\" b{i} = 'z' c{i}=w"))
            .collect();
        let html = format!("<p class=keep{many}/>text</p><i a0=1{many}>i</i>");
        let tree = document(&html, Attributes::All).unwrap();
        let p = elements(&tree, "p").next().unwrap();
        assert_eq!(p.attrs.len(), MAX_ATTRIBUTES);
        assert_eq!(p.attr(local_name!("class")), Some("keep"));
        // The first of two alike wins and counts once.
        let i = elements(&tree, "i").next().unwrap();
        assert_eq!(i.attrs.len(), MAX_ATTRIBUTES);
        assert_eq!(i.attrs[0].value.as_ref(), "1");
        assert_eq!(&*i.attrs[1].name.local, "b0");
        // Read keeps only the attributes the extractor reads.
        let tree = document(&html, Attributes::Read).unwrap();
        let p = elements(&tree, "p").next().unwrap();
        assert_eq!(p.attrs.len(), 1);
        assert_eq!(tree.text(0), "texti");
    }

    #[test]
    fn a_fragment_is_parsed_as_the_inside_of_a_body() {
        let tree = fragment("<title>t</title><p>a<td>b</td>", Attributes::Read).unwrap();
        let root = tree.first_child(0).unwrap();
        let names: Vec<&str> = tree
            .children(root)
            .filter_map(|id| tree.element(id))
            .map(|el| &*el.name.local)
            .collect();
        assert_eq!(names, ["title", "p"]);
        assert_eq!(tree.text(root), "tab");
    }
}
