//! A parsed page: a plain arena of nodes, linked to parent, children and siblings, that
//! [`super::parse`] builds and every reader walks (the generic extractor through
//! [`super::dom::Dom`], site rules' selectors, the mirror reader, discovery's links).
//!
//! scraper's tree keeps every attribute of every element in an ordered map of interned names;
//! the extractor reads a dozen of them, so usually only those are kept (see
//! [`super::tokenizer::Attributes`]), and nodes are indices, so walks need no recursion.

use super::limits::{MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, TooManyElements, never_nests};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, LocalName, QualName};
use std::borrow::Cow;

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

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

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
}
