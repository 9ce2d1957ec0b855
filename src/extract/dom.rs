//! A compact copy of a page's visible DOM, in document order, that the extractor walks without
//! recursion. Its text is borrowed from the parsed page, which is often most of the page.
//!
//! html5ever builds trees of any depth; copying the visible part into a flat arena (children
//! after their parent) lets every later pass run as a loop over indices, so a 100,000-deep page
//! cannot overflow the stack. Scripts, styles, form controls and hidden elements are left out
//! here, once, instead of being skipped by every pass; elements whose tag, role, class or id say
//! they are navigation, comments, share bars or ads are marked [`Element::boilerplate`].

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

/// The arena. `nodes[0]` is the root; every node comes after its parent, so walking the
/// indices backwards visits children before parents.
pub struct Dom<'a> {
    pub nodes: Vec<Node<'a>>,
}

pub struct Node<'a> {
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    Element(Element),
    Text(&'a str),
}

pub struct Element {
    pub tag: Tag,
    /// `class` and `id`, lowercased and joined by a space: what the class weights look at.
    pub class_id: String,
    /// The `class` attribute alone (siblings with the same class are likely parts of one text).
    pub class: String,
    /// Named like navigation, comments, share bars or ads (by tag, role, class or id).
    pub boilerplate: bool,
}

/// The elements the extractor treats differently; every other element is [`Tag::Inline`] or
/// [`Tag::Block`] by its display in default HTML styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    Root,
    Body,
    Article,
    Main,
    Section,
    Div,
    P,
    Heading(u8),
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Blockquote,
    Pre,
    Table,
    Tr,
    Td,
    Th,
    Figure,
    Figcaption,
    Br,
    Hr,
    A,
    Img,
    Form,
    Block,
    Inline,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "body" => Tag::Body,
            "article" => Tag::Article,
            "main" => Tag::Main,
            "section" => Tag::Section,
            "div" | "center" => Tag::Div,
            "p" => Tag::P,
            "h1" => Tag::Heading(1),
            "h2" => Tag::Heading(2),
            "h3" => Tag::Heading(3),
            "h4" => Tag::Heading(4),
            "h5" => Tag::Heading(5),
            "h6" => Tag::Heading(6),
            "ul" => Tag::Ul,
            "ol" => Tag::Ol,
            "li" => Tag::Li,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "dd" => Tag::Dd,
            "blockquote" => Tag::Blockquote,
            "pre" => Tag::Pre,
            "table" => Tag::Table,
            "tr" => Tag::Tr,
            "td" => Tag::Td,
            "th" => Tag::Th,
            "figure" => Tag::Figure,
            "figcaption" => Tag::Figcaption,
            "br" => Tag::Br,
            "hr" => Tag::Hr,
            "a" => Tag::A,
            "img" => Tag::Img,
            "form" => Tag::Form,
            "address" | "caption" | "details" | "fieldset" | "hgroup" | "html" | "legend"
            | "summary" | "tbody" | "thead" | "tfoot" | "colgroup" | "dir" | "listing" => {
                Tag::Block
            }
            _ => Tag::Inline,
        }
    }

    /// Whether the element starts a new block of text (ends the current paragraph).
    pub fn is_block(self) -> bool {
        !matches!(self, Tag::Inline | Tag::A | Tag::Img)
    }
}

/// Subtrees that never hold article text.
fn never_text(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "title"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "frame"
            | "frameset"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "map"
            | "select"
            | "option"
            | "button"
            | "input"
            | "textarea"
            | "label"
            | "dialog"
            | "link"
            | "meta"
    )
}

/// Readability's "unlikely candidates", with the names Chinese portals use for the same things.
static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"-ad-|\bads?\b|ad-?(?:box|wrap|slot|unit|container|banner)|advert|agegate|ai2html|banner|breadcrumb|combx|comment|community|cookie|consent|cover-wrap|disqus|extra|footer|gdpr|legends|menu|modal|newsletter|outbrain|pager|pagination|popup|related|remark|replies|rss|share|sharing|shoutbox|sidebar|skyscraper|social|sponsor|subscribe|supplemental|taboola|toolbar|tags|yom-remote|copyright|recommend|hotnews|\bnav",
    )
    .expect("static regex")
});

/// Names that rescue an unlikely-looking element (`article-comments` is unlikely,
/// `main-content-sidebar-wrapper` is not).
static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"and|article|body|column|content|main|shadow|story|entry|post-text")
        .expect("static regex")
});

/// Roles that mark a region as not the article.
fn boilerplate_role(role: &str) -> bool {
    matches!(
        role,
        "navigation"
            | "complementary"
            | "banner"
            | "contentinfo"
            | "menu"
            | "menubar"
            | "search"
            | "dialog"
            | "alertdialog"
            | "alert"
    )
}

/// Whether an element is hidden from readers (`hidden`, `aria-hidden`, or an inline style).
pub(super) fn hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    el.attr("style").is_some_and(|style| {
        let maybe = ["none", "NONE", "None", "idden", "IDDEN"];
        if !maybe.iter().any(|m| style.contains(m)) {
            return false;
        }
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Browsers stop nesting elements this deep (Chromium's parser adds deeper ones as siblings).
/// html5ever has no such limit, and its scope checks walk the whole stack of open elements for
/// every tag, so a page nested 100,000 deep would take minutes to parse.
pub const MAX_DEPTH: usize = 512;

/// Attributes kept per tag. html5ever checks each new attribute of a tag against all the ones
/// before it, so a tag with 100,000 attributes takes minutes to parse; real tags have a few.
pub const MAX_ATTRIBUTES: usize = 64;

/// Elements a page may have, past which it is not parsed: html5ever and the extractor hold
/// several hundred bytes per element, so 10 MB of `<br>` would take gigabytes, and 100,000
/// take about 75 MB. A news article has a few thousand.
pub const MAX_ELEMENTS: usize = 100_000;

/// A page with more than [`MAX_ELEMENTS`] elements.
#[derive(Debug, thiserror::Error)]
#[error("page has more than {MAX_ELEMENTS} elements, more than palimpsest reads")]
pub struct TooManyElements;

/// The page as it is to be parsed: without the tags that nest deeper than [`MAX_DEPTH`] (their
/// text stays, in the innermost element kept) and the attributes of a tag past
/// [`MAX_ATTRIBUTES`]; refused when it has more than [`MAX_ELEMENTS`] elements.
pub fn prepare(html: &str) -> Result<Cow<'_, str>, TooManyElements> {
    Ok(match trim_markup(html)? {
        Some(trimmed) => Cow::Owned(trimmed),
        None => Cow::Borrowed(html),
    })
}

/// Elements that never nest: void elements, and those whose end tag is left out so often that
/// counting them would make ordinary old pages look deep.
fn never_nests(name: &[u8]) -> bool {
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
        let name_len = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(bytes.len() - name_start);
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

impl<'a> Dom<'a> {
    /// Copies the visible body of `html`.
    pub fn build(html: &'a Html) -> Dom<'a> {
        Dom::build_selecting(html, &[], None).0
    }

    /// Copies the visible body of `html` without the elements matching `remove`, and returns
    /// with it the copies of the elements matching `select` (the outermost ones).
    pub fn build_selecting(
        html: &'a Html,
        remove: &[Selector],
        select: Option<&Selector>,
    ) -> (Dom<'a>, Vec<NodeId>) {
        let mut selected = Vec::new();
        let mut inside_selected = vec![false];
        let mut nodes = vec![Node {
            parent: None,
            children: Vec::new(),
            data: Data::Element(Element {
                tag: Tag::Root,
                class_id: String::new(),
                class: String::new(),
                boilerplate: false,
            }),
        }];
        // (source node, arena parent); children pushed in reverse so they pop in order.
        let mut stack = vec![];
        for child in html.tree.root().children().rev() {
            stack.push((child, 0));
        }
        while let Some((node, parent)) = stack.pop() {
            let data = match node.value() {
                scraper::Node::Text(text) => Data::Text(text),
                scraper::Node::Element(el) => {
                    let name = el.name();
                    if never_text(name) || hidden(el) {
                        continue;
                    }
                    let matches =
                        |sel: &Selector| ElementRef::wrap(node).is_some_and(|e| sel.matches(&e));
                    if remove.iter().any(matches) {
                        continue;
                    }
                    let tag = Tag::from_name(name);
                    let class = el.attr("class").unwrap_or("").to_ascii_lowercase();
                    let class_id = match el.id() {
                        Some(id) => format!("{class} {}", id.to_ascii_lowercase()),
                        None => class.clone(),
                    };
                    Data::Element(Element {
                        tag,
                        boilerplate: is_boilerplate(name, tag, el, &class_id),
                        class_id,
                        class,
                    })
                }
                _ => continue,
            };
            let id = nodes.len();
            nodes.push(Node {
                parent: Some(parent),
                children: Vec::new(),
                data,
            });
            nodes[parent].children.push(id);
            let chosen = matches!(nodes[id].data, Data::Element(_))
                && select
                    .is_some_and(|sel| ElementRef::wrap(node).is_some_and(|e| sel.matches(&e)));
            if chosen && !inside_selected[parent] {
                selected.push(id);
            }
            inside_selected.push(chosen || inside_selected[parent]);
            if matches!(nodes[id].data, Data::Element(_)) {
                for child in node.children().rev() {
                    stack.push((child, id));
                }
            }
        }
        (Dom { nodes }, selected)
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes[id].data {
            Data::Element(el) => Some(el),
            Data::Text(_) => None,
        }
    }

    pub fn tag(&self, id: NodeId) -> Option<Tag> {
        self.element(id).map(|el| el.tag)
    }

    /// The nodes of the subtree under `id` (itself included), in document order.
    pub fn subtree(&self, id: NodeId) -> Subtree<'_> {
        Subtree {
            dom: self,
            stack: vec![id],
        }
    }

    /// All text under `id`, concatenated.
    pub fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for n in self.subtree(id) {
            if let Data::Text(t) = &self.nodes[n].data {
                out.push_str(t);
            }
        }
        out
    }
}

fn is_boilerplate(name: &str, tag: Tag, el: &scraper::node::Element, class_id: &str) -> bool {
    if matches!(name, "nav" | "aside" | "footer" | "header" | "menu") {
        return true;
    }
    if el.attr("role").is_some_and(boilerplate_role) {
        return true;
    }
    if matches!(tag, Tag::Body | Tag::Article | Tag::Main | Tag::A) || class_id.is_empty() {
        return false;
    }
    UNLIKELY.is_match(class_id) && !MAYBE.is_match(class_id)
}

/// Pre-order iterator over a subtree.
pub struct Subtree<'a> {
    dom: &'a Dom<'a>,
    stack: Vec<NodeId>,
}

impl Iterator for Subtree<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        self.stack
            .extend(self.dom.nodes[id].children.iter().rev().copied());
        Some(id)
    }
}

#[cfg(test)]
mod tests {
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
    fn title_misplaced_in_body_is_not_text() {
        // An unknown tag in <head> makes the parser start <body> early, <title> included.
        let html = Html::parse_document(
            "<html><head><x-tag></x-tag><title>Site name</title></head><p>Story</p></html>",
        );
        let dom = Dom::build(&html);
        assert_eq!(dom.text(0).trim(), "Story");
    }
}
