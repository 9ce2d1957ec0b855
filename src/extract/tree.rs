//! A page parsed into a plain arena tree: our [`tokenizer`] feeding html5ever's tree builder
//! (HTML5 tree construction: implied tags, misnested markup, foster parenting), which writes into
//! [`Tree`] through our own [`TreeSink`].
//!
//! scraper's tree keeps every attribute of every element in an ordered map of interned names;
//! the extractor reads a dozen of them, so only those are kept, and the tree is walked once by
//! [`super::dom::Dom::build`] instead of being copied and searched with selectors.

use super::tokenizer;
use html5ever::tendril::StrTendril;
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, LocalName, QualName, ns};
use scraper::{ElementRef, Html, Selector};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};

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
    /// The attributes [`tokenizer::kept_attribute`] keeps.
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
    fn with_capacity(nodes: usize) -> Tree {
        let mut tree = Tree {
            nodes: Vec::with_capacity(nodes),
        };
        tree.nodes.push(RawNode::new(RawData::Document));
        tree
    }

    fn push(&mut self, data: RawData) -> RawId {
        self.nodes.push(RawNode::new(data));
        self.nodes.len() - 1
    }

    pub fn parent(&self, id: RawId) -> Option<RawId> {
        index(self.nodes[id].parent)
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

    fn detach(&mut self, id: RawId) {
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

    fn append(&mut self, parent: RawId, child: RawId) {
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

    fn insert_before(&mut self, sibling: RawId, child: RawId) {
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
    fn merge_text(&mut self, at: u32, text: &StrTendril) -> bool {
        match index(at).map(|i| &mut self.nodes[i].data) {
            Some(RawData::Text(t)) => {
                t.push_tendril(text);
                true
            }
            _ => false,
        }
    }
}

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

/// Parses a page.
pub fn parse(html: &str) -> Result<Tree, TooManyElements> {
    // About a node per tag (elements, and the texts between them): room for that saves growing
    // the arena again and again.
    let tags = memchr::memchr_iter(b'<', html.as_bytes()).count();
    let sink = Sink {
        tree: RefCell::new(Tree::with_capacity(tags.min(2 * MAX_ELEMENTS) + 2)),
    };
    let builder = TreeBuilder::new(sink, TreeBuilderOpts::default());
    tokenizer::run(html, &builder)?;
    Ok(builder.sink.finish())
}

/// A page parsed by scraper, for site rules' selectors, as a [`Tree`] with the elements
/// matching `remove` and `select` marked.
pub fn from_scraper(html: &Html, remove: &[Selector], select: Option<&Selector>) -> Tree {
    let mut tree = Tree::with_capacity(0);
    // (source node, parent in the copy); children pushed in reverse so they pop in order.
    let mut stack: Vec<_> = html.tree.root().children().rev().map(|c| (c, 0)).collect();
    while let Some((node, parent)) = stack.pop() {
        let data = match node.value() {
            scraper::Node::Text(text) => RawData::Text(StrTendril::from_slice(text)),
            scraper::Node::Element(el) => {
                let element = ElementRef::wrap(node).expect("an element");
                let mark = if remove.iter().any(|sel| sel.matches(&element)) {
                    Mark::Remove
                } else if select.is_some_and(|sel| sel.matches(&element)) {
                    Mark::Select
                } else {
                    Mark::None
                };
                let attrs = el
                    .attrs
                    .iter()
                    .filter(|(name, _)| {
                        name.ns == ns!() && tokenizer::kept_attribute(&name.local).is_some()
                    })
                    .map(|(name, value)| Attribute {
                        name: name.clone(),
                        value: StrTendril::from_slice(value),
                    })
                    .collect();
                RawData::Element(RawElement {
                    name: el.name.clone(),
                    attrs,
                    mark,
                })
            }
            _ => RawData::Other,
        };
        let id = tree.push(data);
        tree.append(parent, id);
        stack.extend(node.children().rev().map(|c| (c, id)));
    }
    tree
}

struct Sink {
    tree: RefCell<Tree>,
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
        if tokenizer::is_formatting(&name.local) {
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
                let last = tree.nodes[*parent].last_child;
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
        let has_parent = self.tree.borrow().nodes[*element].parent != NONE;
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
        if tree.nodes[*sibling].parent == NONE {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(id) => tree.insert_before(*sibling, id),
            NodeOrText::AppendText(text) => {
                let prev = tree.nodes[*sibling].prev;
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
        while let Some(child) = index(tree.nodes[*node].first_child) {
            tree.detach(child);
            tree.append(*new_parent, child);
        }
    }
}

/// Browsers stop nesting elements this deep (Chromium's parser adds deeper ones as siblings).
/// html5ever has no such limit, and its scope checks walk the whole stack of open elements for
/// every tag, so a page nested 100,000 deep would take minutes to parse: the tags nested deeper
/// are dropped, by our tokenizer or, for scraper, by [`prepare`].
pub const MAX_DEPTH: usize = 512;

/// Attributes kept per tag, for scraper. html5ever's tokenizer checks each new attribute of a
/// tag against all the ones before it, so a tag with 100,000 attributes takes minutes to parse;
/// real tags have a few. (Ours keeps the dozen the extractor reads, without such a check.)
pub const MAX_ATTRIBUTES: usize = 64;

/// Elements a page may have, past which it is not parsed: html5ever and the extractor hold
/// several hundred bytes per element, so 10 MB of `<br>` would take gigabytes, and 100,000
/// take about 75 MB. A news article has a few thousand. Our tokenizer counts them as
/// [`prepare`] does.
pub const MAX_ELEMENTS: usize = 100_000;

/// A page with more than [`MAX_ELEMENTS`] elements.
#[derive(Debug, thiserror::Error)]
#[error("page has more than {MAX_ELEMENTS} elements, more than palimpsest reads")]
pub struct TooManyElements;

/// The page as scraper is to parse it (for site rules and mirror pages): without the tags that
/// nest deeper than [`MAX_DEPTH`] (their text stays, in the innermost element kept) and the
/// attributes of a tag past [`MAX_ATTRIBUTES`]; refused when it has more than [`MAX_ELEMENTS`]
/// elements.
pub fn prepare(html: &str) -> Result<Cow<'_, str>, TooManyElements> {
    Ok(match trim_markup(html)? {
        Some(trimmed) => Cow::Owned(trimmed),
        None => Cow::Borrowed(html),
    })
}

/// Elements that never nest: void elements, and those whose end tag is left out so often that
/// counting them would make ordinary old pages look deep.
pub(super) fn never_nests(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
            | b"p"
            | b"li"
            | b"td"
            | b"th"
            | b"tr"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// The page without the tags nested deeper than [`MAX_DEPTH`] and without the attributes of a
/// tag past [`MAX_ATTRIBUTES`], or `None` when it has neither: one linear scan over the tags, as
/// a tokenizer would see them (comments and the raw text of scripts and styles are skipped),
/// which also counts the elements kept.
fn trim_markup(html: &str) -> Result<Option<String>, TooManyElements> {
    let bytes = html.as_bytes();
    let next = |from: usize, b: u8| {
        bytes
            .get(from..)?
            .iter()
            .position(|&x| x == b)
            .map(|p| from + p)
    };
    // The next `</name` at or after `from`, case-insensitively.
    let end_tag = |from: usize, name: &[u8]| {
        let mut at = from;
        while let Some(lt) = next(at, b'<') {
            let rest = &bytes[lt + 1..];
            if rest.first() == Some(&b'/')
                && rest.len() > name.len()
                && rest[1..=name.len()].eq_ignore_ascii_case(name)
            {
                return Some(lt);
            }
            at = lt + 1;
        }
        None
    };
    let mut depth = 0usize;
    let mut elements = 0usize;
    let mut open_p = false;
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(start) = next(i, b'<') {
        if bytes[start..].starts_with(b"<!--") {
            let comment_end = bytes[start + 4..]
                .windows(3)
                .position(|w| w == b"-->")
                .map(|p| start + 4 + p);
            let Some(end) = comment_end else {
                break;
            };
            i = end + 3;
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + closing as usize;
        // As the tokenizer reads it: a letter, then anything up to a space, `/` or `>`.
        let name_len = if bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            bytes[name_start..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
                .unwrap_or(bytes.len() - name_start)
        } else {
            0
        };
        // A `<` that starts no tag, comment or declaration is text, as for the tokenizer.
        if name_len == 0 && !matches!(bytes.get(start + 1), Some(b'/' | b'!' | b'?')) {
            i = start + 1;
            continue;
        }
        // A tag's end is found past its quoted values, where a `>` does not end it; anything
        // else that starts with `<` ends at the next `>`.
        let (end, too_many) = if name_len == 0 {
            match next(start, b'>') {
                Some(end) => (end, None),
                None => break,
            }
        } else {
            match scan_attributes(bytes, name_start + name_len) {
                Some(found) => found,
                None => break,
            }
        };
        let inner = &bytes[start + 1..end];
        // Tag names we act on are short; longer ones are copied only to be counted.
        let mut buf = [0u8; 16];
        let name: &[u8] = if name_len <= buf.len() {
            buf[..name_len].copy_from_slice(&bytes[name_start..name_start + name_len]);
            buf[..name_len].make_ascii_lowercase();
            &buf[..name_len]
        } else {
            b"long-name"
        };
        i = end + 1;
        if name.is_empty() {
            continue;
        }
        if let Some(from) = too_many {
            let to = if inner.ends_with(b"/") { end - 1 } else { end };
            cuts.push((from, to.max(from)));
        }
        if never_nests(name) || (!closing && inner.ends_with(b"/")) {
            // `</br>`, and `</p>` with no `<p>` open, make elements too.
            let stray = match name {
                b"p" => !std::mem::replace(&mut open_p, !closing) && closing,
                b"br" => closing,
                _ => false,
            };
            if !closing || stray {
                elements += 1;
            }
        } else if closing {
            if depth > MAX_DEPTH {
                cut_tag(&mut cuts, start, end + 1);
            }
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > MAX_DEPTH {
                cut_tag(&mut cuts, start, end + 1);
            } else {
                elements += 1;
            }
            if matches!(
                name,
                b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"noscript"
            ) {
                match end_tag(i, name) {
                    Some(at) => i = at,
                    None => break,
                }
            }
        }
        if elements > MAX_ELEMENTS {
            return Err(TooManyElements);
        }
    }
    if cuts.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for (start, end) in cuts {
        out.push_str(&html[from..start]);
        from = end;
    }
    out.push_str(&html[from..]);
    Ok(Some(out))
}

/// Cuts a whole tag, replacing a cut of its attributes.
fn cut_tag(cuts: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    if cuts.last().is_some_and(|&(from, _)| from >= start) {
        cuts.pop();
    }
    cuts.push((start, end));
}

/// Reads the attributes of a tag from `from`, just after its name, as a tokenizer does (values
/// quoted, or up to white space or `>`). Returns where the tag ends (its `>`) and where its
/// attribute past [`MAX_ATTRIBUTES`] starts, if it has one; `None` when it never ends.
fn scan_attributes(bytes: &[u8], from: usize) -> Option<(usize, Option<usize>)> {
    let mut count = 0;
    let mut too_many = None;
    let mut expect_value = false;
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return Some((i, too_many)),
            b'=' => expect_value = true,
            b'/' => {}
            _ if b.is_ascii_whitespace() => {}
            b'"' | b'\'' if expect_value => {
                expect_value = false;
                i += 1 + bytes[i + 1..].iter().position(|&c| c == b)?;
            }
            _ => {
                let value = std::mem::take(&mut expect_value);
                if !value {
                    count += 1;
                    if count > MAX_ATTRIBUTES && too_many.is_none() {
                        too_many = Some(i);
                    }
                }
                let stops = |c: &u8| {
                    c.is_ascii_whitespace() || *c == b'>' || (!value && matches!(c, b'/' | b'='))
                };
                i += bytes[i..].iter().position(stops).unwrap_or(bytes.len() - i);
                continue;
            }
        }
        i += 1;
    }
    None
}

/// Outlines of parsed trees, to check that our tokenizer builds the tree html5ever's own
/// tokenizer builds (unit tests and the `tokenizer` fuzz target).
#[cfg(any(test, fuzzing))]
pub mod outline {
    use super::*;

    fn children_rev(tree: &Tree, id: RawId) -> impl Iterator<Item = RawId> + '_ {
        std::iter::successors(index(tree.nodes[id].last_child), |&c| {
            index(tree.nodes[c].prev)
        })
    }

    /// The elements (with the attributes kept) and texts of a tree, adjacent texts joined;
    /// comments leave no trace, and the contents of a template (which scraper puts under a
    /// fragment node) are shown under it.
    fn outline(tree: &Tree) -> String {
        let mut out = String::new();
        let mut stack = vec![(0, false)];
        while let Some((id, leaving)) = stack.pop() {
            match &tree.nodes[id].data {
                RawData::Element(el) if leaving => out += &format!("</{}>", el.name.local),
                RawData::Element(el) => {
                    out += &format!("<{}", el.name.local);
                    let mut attrs: Vec<_> = el.attrs.iter().collect();
                    attrs.sort_by(|a, b| a.name.local.cmp(&b.name.local));
                    for a in attrs {
                        out += &format!(" {}={:?}", a.name.local, &*a.value);
                    }
                    out += ">";
                    stack.push((id, true));
                    stack.extend(children_rev(tree, id).map(|c| (c, false)));
                }
                RawData::Text(t) => out += t,
                RawData::Document => stack.extend(children_rev(tree, id).map(|c| (c, false))),
                RawData::Other => stack.extend(children_rev(tree, id).map(|c| (c, false))),
            }
        }
        out
    }

    fn scraper_outline(html: &str) -> String {
        outline(&from_scraper(&Html::parse_document(html), &[], None))
    }

    /// The outlines of the tree our tokenizer builds and of the one html5ever's own tokenizer
    /// builds from the same page (trimmed as for scraper), or `None` when the page is refused.
    pub fn both(html: &str) -> Option<(String, String)> {
        let ours = outline(&parse(html).ok()?);
        let theirs = scraper_outline(&prepare(html).ok()?);
        Some((ours, theirs))
    }
}

#[cfg(test)]
mod tests {
    use super::outline::both;
    use super::*;

    #[test]
    fn nesting_beyond_the_limit_is_flattened_keeping_text() {
        let n = MAX_DEPTH + 50;
        let html = format!(
            "<body>{}<b>deep</b>{}<p>after</p>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let flat = trim_markup(&html).unwrap().expect("too deep");
        assert_eq!(flat.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(flat.matches("</div>").count(), MAX_DEPTH);
        assert!(flat.contains(">deep<") && !flat.contains("<b>") && flat.contains("<p>after</p>"));
        assert!(
            trim_markup("<div><p>a<p>b<br><img src=x></div><!-- <div> -->")
                .unwrap()
                .is_none()
        );
        let script = format!("<script>{}</script>", "<div>".repeat(n));
        assert!(trim_markup(&script).unwrap().is_none());
    }

    #[test]
    fn attributes_past_the_limit_are_dropped() {
        let many: String = (0..MAX_ATTRIBUTES + 10)
            .map(|i| format!(" a{i}=\"x > y\" b{i} = 'z' c{i}=w"))
            .collect();
        let html = format!("<p class=keep{many}/>text</p>");
        let trimmed = trim_markup(&html).unwrap().expect("too many attributes");
        let doc = Html::parse_document(&trimmed);
        let p = doc.select(&Selector::parse("p").unwrap()).next().unwrap();
        assert_eq!(p.value().attrs().count(), MAX_ATTRIBUTES);
        assert_eq!(p.value().attr("class"), Some("keep"));
        assert_eq!(p.text().collect::<String>(), "text");
        let few = "<p a=1 b='2' c=\"3\" d e f>x</p>";
        assert!(trim_markup(few).unwrap().is_none());
        // A tag both too deep and with too many attributes is dropped whole.
        let deep = format!("{}<b{many}>deep</b>", "<div>".repeat(MAX_DEPTH));
        let trimmed = trim_markup(&deep).unwrap().unwrap();
        assert!(!trimmed.contains("<b") && trimmed.contains("deep"));
    }

    #[test]
    fn elements_are_counted_as_the_parser_makes_them() {
        let count = |html: &str| match trim_markup(html) {
            Ok(_) => "kept",
            Err(TooManyElements) => "refused",
        };
        let n = MAX_ELEMENTS;
        assert_eq!(count(&"<b></b>".repeat(n)), "kept");
        assert_eq!(count(&"<b></b>".repeat(n + 1)), "refused");
        assert_eq!(count(&"<br>".repeat(n + 1)), "refused");
        assert_eq!(count(&"</p>".repeat(n + 1)), "refused");
        assert_eq!(count(&"<p>x</p>".repeat(n)), "kept");
        assert_eq!(count(&"<div/>".repeat(n + 1)), "refused");
        // Tags past the depth limit are dropped, not counted; nor are those in scripts.
        let deep = format!("{}{}", "<div>".repeat(n * 2), "</div>".repeat(n * 2));
        assert_eq!(count(&deep), "kept");
        let script = format!("<script>{}</script>", "<b>".repeat(n + 1));
        assert_eq!(count(&script), "kept");
    }

    #[test]
    fn our_tokenizer_builds_the_tree_html5ever_builds() {
        let pages = [
            "<!DOCTYPE html><html lang=en><head><title>A &amp; B</title></head><body><p>x</body>",
            "<p>one<table><tr><td>cell</td></tr></table><p>two <b>bold <i>both</b> italic</i>",
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><p>q<table><td>t</table>",
            "<!DOCTYPE html><p>no quirks<table><td>t</table>",
            "<!doctype html public \"-//W3C//DTD HTML 3.2 Final//EN\"><p>q<table><td>t</table>",
            "<table>stray text<tr><td>a</td>more</tr></table>",
            "<script>if (a < b && c) { x = '</div>'; }</script><p>after",
            "<script><!-- document.write('<script>x</script>') --></script><p>after",
            "<script><!--<script>x</script>still script--></script><p>after",
            "<style>p { content: '</p>' }</style><textarea>&lt;b&gt;</textarea><title>t</TITLE >",
            "<div CLASS=\"A b\" id='x' data-x=\"1\" class=dup hidden>t</div><p =x class=c/>y",
            "<a href=\"/a?b=1&copy=2&amp;c\" title='x>y'>link</a> &notit; &#x41;&#66 &#0; &#x110000;",
            "<!-- c --><p>a<!-- b -- c --!>b<!--->c<!-->d</p><?php echo 1 ?><![CDATA[x]]>",
            "<svg><title>s</title><![CDATA[cdata]]><foreignObject><p>in</p></foreignObject></svg>",
            "<ul><li>one<li>two</ul><dl><dt>t<dd>d</dl><select><option>o</select><plaintext><b>",
            "<p>unclosed <a href='x",
            "text <",
            "a </ b </> c </",
            "<div><span>x</div>y</span>",
            "<frameset><frame></frameset>",
            "<body><noscript><p>ns</p></noscript><iframe><b>",
            // Found by the `tokenizer` fuzz target: `<i t>` is not `<i>` to the tree builder.
            "<p><i><i t><i><i><p>\n",
            // A tag name that is not all letters and digits, then 64 more attributes.
            &format!("<htm\u{fffd} {}class=h>t", "a ".repeat(63)),
            // And one after a `<` that starts nothing.
            &format!("<<p {}href=x>t", "a ".repeat(64)),
            "<b class=x><b class=x><b class=x><b class=y><b class=x><p>again",
        ];
        for html in pages {
            let (ours, html5ever) = both(html).unwrap();
            assert_eq!(ours, html5ever, "{html}");
        }
    }

    /// Random tag soup from pieces of tricky markup: the tree must be html5ever's.
    #[test]
    fn our_tokenizer_builds_html5evers_tree_from_tag_soup() {
        let pieces = [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<a href='x'>",
            "</a>",
            "<table>",
            "</table>",
            "<tr>",
            "<td>",
            "</td>",
            "<li>",
            "<ul>",
            "</ul>",
            "<span class=\"c d\">",
            "</span>",
            "text ",
            " ",
            "\n",
            "&amp;",
            "&nbsp;",
            "&copy",
            "&#x41;",
            "&#12;",
            "&bogus;",
            "<",
            ">",
            "</",
            "<!-- c -->",
            "<!--",
            "-->",
            "<script>",
            "</script>",
            "<style>",
            "</style>",
            "<title>",
            "</title>",
            "<textarea>",
            "</textarea>",
            "<br/>",
            "<img src=x>",
            "<svg>",
            "</svg>",
            "<math>",
            "<![CDATA[z]]>",
            "<select>",
            "<option>",
            "<form>",
            "</form>",
            "<h1 id=t>",
            "</h1>",
            "<p class=a/>",
            "<DIV CLASS=X>",
            "<input type=hidden>",
            "<font color=red>",
            "</font>",
            "<noscript>",
            "</noscript>",
            "<template>",
            "</template>",
            "<plaintext>",
            "<frameset>",
            "<body hidden>",
            "<html lang=zh>",
            "<head>",
            "<meta name=a content=b>",
            "<a",
            " b='c>'",
            "=\"",
            "'",
            "\"",
            "<!DOCTYPE html>",
            "<!doctype html public \"-//W3C//DTD HTML 4.0//EN\">",
            "<?x?>",
            "</ x>",
            "<xmp>",
            "</xmp>",
            "<pre>",
            "\n\n",
            "<iframe>",
            "</iframe>",
            "中文",
            "<nobr>",
            "<marquee>",
            "</marquee>",
            "<object>",
            "</object>",
            "<caption>",
            "<colgroup>",
            "<col>",
            "<button>",
            "</button>",
            "<a href=\"?a=1&amp;b=2&copy=3\">",
            "<B>",
            "</B>",
            "<em>",
            "</em>",
            "<dd>",
            "<dt>",
            "<dl>",
            "</dl>",
            "<h2>",
            "</h2>",
            "<article>",
            "</article>",
            "<nav>",
            "</nav>",
            "<p style='display:none'>",
            "<ruby>",
            "<rt>",
            "<rp>",
            "</ruby>",
            "<body>",
            "</body>",
            "</html>",
            "<image>",
            "<isindex>",
            "<frame>",
            "<math><mi>",
            "<svg><foreignObject>",
            "<desc>",
            "<annotation-xml encoding='text/html'>",
            "&lt;",
            "&gt",
            "&#0;",
            "&#x80;",
            "&#55296;",
            "&notin;",
            "&NotANamedEntity",
            "<a/b>",
            "<div\tclass=\"t\"\n>",
            "<!---->",
            "<!--->",
            "<!-- a --!>",
            "<!-->",
            "</br>",
            "</p >",
            "<p/ >",
            "<table><tbody>",
            "</tbody>",
            "<th>",
            "<thead>",
        ];
        let mut seed: u64 = 987654321;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut bad = 0;
        for _ in 0..2000 {
            let len = next() % 60;
            let html: String = (0..len).map(|_| pieces[next() % pieces.len()]).collect();
            let (a, b) = both(&html).unwrap();
            if a != b {
                bad += 1;
                eprintln!("{html:?}\n ours: {a}\n html5ever: {b}");
            }
        }
        assert_eq!(bad, 0);
    }
}
