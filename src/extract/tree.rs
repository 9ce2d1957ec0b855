//! A parsed page: a plain arena of nodes, linked to parent, children and siblings, that
//! [`super::parse`] builds and every reader walks (the generic extractor through
//! [`super::dom::Dom`], site rules' selectors, the mirror reader, discovery's links).
//!
//! scraper's tree keeps every attribute of every element in an ordered map of interned names;
//! the extractor reads a dozen of them, so usually only those are kept (see
//! [`super::tokenizer::Attributes`]), and nodes are indices, so walks need no recursion.

use html5ever::tendril::StrTendril;
use html5ever::{Attribute, LocalName, QualName};

/// Index of a node in [`Tree::nodes`]; 0 is the document.
pub type RawId = usize;

const NONE: u32 = u32::MAX;

pub struct Tree {
    pub nodes: Vec<RawNode>,
}

pub struct RawNode {
    parent: u32,
    first_child: u32,
    last_child: u32,
    prev: u32,
    next: u32,
    pub data: RawData,
}

pub enum RawData {
    Document,
    Element(RawElement),
    Text(StrTendril),
    /// Comments, processing instructions: nothing reads them.
    Other,
}

pub struct RawElement {
    pub name: QualName,
    /// The attributes the parse kept (see [`super::tokenizer::Attributes`]).
    pub attrs: Vec<Attribute>,
    pub mark: Mark,
}

/// What a site rule's selectors say about an element.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    None,
    Remove,
    Select,
}

impl RawElement {
    pub fn attr(&self, name: LocalName) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name.local == name)
            .map(|a| &*a.value)
    }
}

impl Tree {
    pub(super) fn with_capacity(nodes: usize) -> Tree {
        let mut tree = Tree {
            nodes: Vec::with_capacity(nodes),
        };
        tree.nodes.push(RawNode::new(RawData::Document));
        tree
    }

    pub(super) fn push(&mut self, data: RawData) -> RawId {
        self.nodes.push(RawNode::new(data));
        self.nodes.len() - 1
    }

    pub fn parent(&self, id: RawId) -> Option<RawId> {
        index(self.nodes[id].parent)
    }

    pub fn first_child(&self, id: RawId) -> Option<RawId> {
        index(self.nodes[id].first_child)
    }

    pub fn last_child(&self, id: RawId) -> Option<RawId> {
        index(self.nodes[id].last_child)
    }

    pub fn next_sibling(&self, id: RawId) -> Option<RawId> {
        index(self.nodes[id].next)
    }

    pub fn prev_sibling(&self, id: RawId) -> Option<RawId> {
        index(self.nodes[id].prev)
    }

    /// The children of `id`, in document order.
    pub fn children(&self, id: RawId) -> impl Iterator<Item = RawId> + '_ {
        std::iter::successors(self.first_child(id), |&c| self.next_sibling(c))
    }

    pub fn element(&self, id: RawId) -> Option<&RawElement> {
        match &self.nodes[id].data {
            RawData::Element(el) => Some(el),
            _ => None,
        }
    }

    /// The nodes under `id` (itself left out), in document order: first children, then next
    /// siblings, which the tree builder mostly created in that order, so the walk goes forward
    /// through memory.
    pub fn descendants(&self, id: RawId) -> impl Iterator<Item = RawId> + '_ {
        let mut next = index(self.nodes[id].first_child);
        std::iter::from_fn(move || {
            let at = next?;
            next = index(self.nodes[at].first_child).or_else(|| {
                let mut n = at;
                loop {
                    if let Some(sibling) = index(self.nodes[n].next) {
                        return Some(sibling);
                    }
                    n = index(self.nodes[n].parent).filter(|&p| p != id)?;
                }
            });
            Some(at)
        })
    }

    /// All text under `id`, concatenated.
    pub fn text(&self, id: RawId) -> String {
        let mut out = String::new();
        for n in self.descendants(id) {
            if let RawData::Text(t) = &self.nodes[n].data {
                out.push_str(t);
            }
        }
        out
    }

    pub(super) fn detach(&mut self, id: RawId) {
        let RawNode {
            parent, prev, next, ..
        } = self.nodes[id];
        if parent == NONE {
            return;
        }
        match index(prev) {
            Some(p) => self.nodes[p].next = next,
            None => self.nodes[parent as usize].first_child = next,
        }
        match index(next) {
            Some(n) => self.nodes[n].prev = prev,
            None => self.nodes[parent as usize].last_child = prev,
        }
        let node = &mut self.nodes[id];
        node.parent = NONE;
        node.prev = NONE;
        node.next = NONE;
    }

    pub(super) fn append(&mut self, parent: RawId, child: RawId) {
        let last = self.nodes[parent].last_child;
        match index(last) {
            Some(l) => self.nodes[l].next = child as u32,
            None => self.nodes[parent].first_child = child as u32,
        }
        self.nodes[parent].last_child = child as u32;
        let node = &mut self.nodes[child];
        node.parent = parent as u32;
        node.prev = last;
        node.next = NONE;
    }

    pub(super) fn insert_before(&mut self, sibling: RawId, child: RawId) {
        let RawNode { parent, prev, .. } = self.nodes[sibling];
        match index(prev) {
            Some(p) => self.nodes[p].next = child as u32,
            None => self.nodes[parent as usize].first_child = child as u32,
        }
        self.nodes[sibling].prev = child as u32;
        let node = &mut self.nodes[child];
        node.parent = parent;
        node.prev = prev;
        node.next = sibling as u32;
    }

    /// Appends text to the text node `at`, if it is one.
    pub(super) fn merge_text(&mut self, at: Option<RawId>, text: &StrTendril) -> bool {
        match at.map(|i| &mut self.nodes[i].data) {
            Some(RawData::Text(t)) => {
                t.push_tendril(text);
                true
            }
            _ => false,
        }
    }

    /// Marks an element with what a site rule's selectors say about it.
    pub(super) fn set_mark(&mut self, id: RawId, mark: Mark) {
        if let RawData::Element(el) = &mut self.nodes[id].data {
            el.mark = mark;
        }
    }
}

/// The node a link points to, if any.
fn index(link: u32) -> Option<usize> {
    (link != NONE).then_some(link as usize)
}

impl RawNode {
    fn new(data: RawData) -> RawNode {
        RawNode {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev: NONE,
            next: NONE,
            data,
        }
    }
}
