//! A compact copy of a page's visible DOM, in document order, that the extractor walks without
//! recursion. Its text shares the parsed page's buffer, which is often most of the page.
//!
//! html5ever builds trees of any depth; copying the visible part of the parsed [`Tree`] into a
//! flat arena (children after their parent) lets every later pass run as a loop over indices, so
//! a 100,000-deep page cannot overflow the stack. Scripts, styles, form controls and hidden
//! elements are left out here, once, instead of being skipped by every pass; elements whose tag,
//! role, class or id say they are navigation, comments, share bars or ads are marked
//! [`Element::boilerplate`], and those a script is to reveal, [`Element::concealed`]. The same
//! walk gathers what the metadata reader needs ([`Head`]).

use super::limits::TooManyElements;
use super::parse;
use super::tokenizer::Attributes;
use super::tree::{Mark, RawData, RawElement, RawId, Tree};
use html5ever::tendril::StrTendril;
use html5ever::{LocalName, local_name};
use regex::Regex;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

/// The arena. `nodes[0]` is the root; nodes are numbered in document order, so every node
/// comes after its parent (walking the indices backwards visits children before parents) and
/// a subtree is a range of indices.
pub struct Dom {
    pub nodes: Vec<Node>,
    /// The children of every node, each node's in a row (see [`Dom::children`]).
    child_ids: Vec<NodeId>,
    pub head: Head,
}

pub struct Node {
    pub parent: Option<NodeId>,
    /// One past the last node of its subtree.
    end: NodeId,
    /// Where its children start in [`Dom::child_ids`], and how many there are.
    children: (usize, usize),
    pub data: Data,
}

pub enum Data {
    Element(Element),
    /// Shares the parser's buffer: no copy.
    Text(StrTendril),
}

pub struct Element {
    pub tag: Tag,
    /// `class` and `id`, lowercased and joined by a space: what the class weights look at.
    pub class_id: String,
    /// The length of the `class` part of `class_id`.
    class_len: usize,
    /// Named like navigation, comments, share bars or ads (by tag, role, class or id).
    pub boilerplate: bool,
    /// Not painted until a script shows it ([`Visibility::Concealed`]).
    pub concealed: bool,
}

impl Element {
    /// The `class` attribute alone (siblings with the same class are likely parts of one text).
    pub fn class(&self) -> &str {
        &self.class_id[..self.class_len]
    }
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

/// How an element's own attributes show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Visibility {
    Shown,
    /// Out of the page: `hidden`, `aria-hidden`, `display: none`.
    Hidden,
    /// Laid out but not painted yet, by an inline `visibility: hidden` or `opacity: 0`: how
    /// pages hide a body that a script reveals once it has run (WeChat's articles, fade-ins),
    /// and also how tooltips and menus wait to be shown. [`super::blocks::write`] tells them
    /// apart: the element holding most of the article's text is revealed.
    Concealed,
}

/// How an element is shown (`hidden`, `aria-hidden`, its inline style); `attr` reads the
/// element's attributes.
pub(super) fn visibility<'a>(attr: impl Fn(LocalName) -> Option<&'a str>) -> Visibility {
    if attr(local_name!("hidden")).is_some() || attr(local_name!("aria-hidden")) == Some("true") {
        return Visibility::Hidden;
    }
    let Some(style) = attr(local_name!("style")) else {
        return Visibility::Shown;
    };
    // Most styles say none of this: they are not taken apart.
    let maybe = ["none", "NONE", "None", "idden", "IDDEN", "pacity", "PACITY"];
    if !maybe.iter().any(|m| style.contains(m)) {
        return Visibility::Shown;
    }
    let mut seen = Visibility::Shown;
    // Declarations are `name: value` between semicolons; a semicolon inside a CSS string or
    // comment would split one wrongly, which an inline style that hides an element has no
    // reason to hold.
    for declaration in style.split(';') {
        let Some((name, value)) = declaration.split_once(':') else {
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        let value = value
            .get(value.len().saturating_sub("!important".len())..)
            .filter(|end| end.eq_ignore_ascii_case("!important"))
            .map_or(value, |end| value[..value.len() - end.len()].trim_end());
        if name.eq_ignore_ascii_case("display") && value.eq_ignore_ascii_case("none") {
            return Visibility::Hidden;
        }
        let concealed = (name.eq_ignore_ascii_case("visibility")
            && value.eq_ignore_ascii_case("hidden"))
            || (name.eq_ignore_ascii_case("opacity")
                && value.parse::<f64>().is_ok_and(|o| o <= 0.0));
        if concealed {
            seen = Visibility::Concealed;
        }
    }
    seen
}

/// Whether an element is out of the page or not painted (see [`Visibility`]).
pub(super) fn hidden<'a>(attr: impl Fn(LocalName) -> Option<&'a str>) -> bool {
    visibility(attr) != Visibility::Shown
}

/// What the metadata reader looks at, gathered from the whole page (`<head>`, scripts and
/// hidden elements included) while the visible copy is built.
#[derive(Default)]
pub struct Head {
    /// `(key, content)` of each `<meta content>` with a non-blank content, in page order: the
    /// key is its `property`, `name`, `itemprop` or `http-equiv`, lowercased.
    pub metas: Vec<(String, String)>,
    /// The text of the first `<title>`.
    pub title: Option<String>,
    /// The texts of the `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    /// The scripts that may hold the page's data as JSON (see [`super::structured`]), shared
    /// with the parsed page: `type="application/json"`, or a script that assigns an object
    /// (`window.__INITIAL_STATE__ = {…}`).
    pub data_scripts: Vec<StrTendril>,
    /// The `lang` of `<html>`.
    pub lang: Option<String>,
    /// The `datetime` or `content` of the first `[itemprop=datePublished]` (`Some(None)` when
    /// it has neither).
    pub itemprop_date: Option<Option<String>>,
    /// The `datetime` of the first `<time datetime>`.
    pub time: Option<String>,
    /// The `href` of the first `<link rel=canonical href>`.
    pub canonical: Option<String>,
    /// The texts of the `[rel=author]` and `[itemprop=author]` elements.
    pub authors: Vec<String>,
    /// The text of the first `<h1>` or `<h2>` that has any.
    pub first_heading: Option<String>,
}

impl Head {
    /// Notes what `el` (node `id` of `tree`) tells.
    fn note(&mut self, tree: &Tree, id: RawId, el: &RawElement) {
        let first = |slot: &mut Option<String>, value: Option<&str>| {
            if slot.is_none() {
                *slot = value.map(str::to_owned);
            }
        };
        match &*el.name.local {
            "meta" => {
                if let Some(content) = el.attr(local_name!("content")).map(str::trim) {
                    let key = [
                        local_name!("property"),
                        local_name!("name"),
                        local_name!("itemprop"),
                        local_name!("http-equiv"),
                    ]
                    .into_iter()
                    .find_map(|k| el.attr(k))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                    if !content.is_empty() {
                        self.metas.push((key, content.to_owned()));
                    }
                }
            }
            "title" if self.title.is_none() => self.title = Some(tree.text(id)),
            "script" if el.attr(local_name!("type")) == Some("application/ld+json") => {
                self.json_ld.push(tree.text(id));
            }
            "script" => {
                let json = el.attr(local_name!("type")) == Some("application/json");
                if let Some(RawData::Text(text)) = tree.first_child(id).map(|c| &tree.nodes[c].data)
                    && (json || super::structured::assigns_object(text))
                {
                    self.data_scripts.push(text.clone());
                }
            }
            "html" => first(&mut self.lang, el.attr(local_name!("lang"))),
            "time" => first(&mut self.time, el.attr(local_name!("datetime"))),
            "link" if el.attr(local_name!("rel")) == Some("canonical") => {
                first(&mut self.canonical, el.attr(local_name!("href")));
            }
            "h1" | "h2" if self.first_heading.is_none() => {
                let text = tree.text(id);
                if !text.trim().is_empty() {
                    self.first_heading = Some(text);
                }
            }
            _ => {}
        }
        let itemprop = el.attr(local_name!("itemprop"));
        if itemprop == Some("datePublished") && self.itemprop_date.is_none() {
            let date = el
                .attr(local_name!("datetime"))
                .or_else(|| el.attr(local_name!("content")));
            self.itemprop_date = Some(date.map(str::to_owned));
        }
        if el.attr(local_name!("rel")) == Some("author") || itemprop == Some("author") {
            self.authors.push(tree.text(id));
        }
    }
}

impl Dom {
    /// Parses a page and copies its visible body.
    pub fn parse(html: &str) -> Result<Dom, TooManyElements> {
        Ok(Dom::build(&parse::document(html, Attributes::Read)?))
    }

    /// Copies the visible body of a parsed page.
    pub fn build(tree: &Tree) -> Dom {
        Dom::build_selecting(tree).0
    }

    /// Copies the visible body of a parsed page without the elements a site rule removes, and
    /// returns with it the copies of the elements it selects (the outermost ones).
    pub fn build_selecting(tree: &Tree) -> (Dom, Vec<NodeId>) {
        let mut head = Head::default();
        let mut selected = Vec::new();
        let mut inside_selected = vec![false];
        let mut nodes = Vec::with_capacity(tree.nodes.len());
        nodes.push(Node {
            parent: None,
            end: 0,
            children: (0, 0),
            data: Data::Element(Element {
                tag: Tag::Root,
                class_id: String::new(),
                class_len: 0,
                boilerplate: false,
                concealed: false,
            }),
        });
        let mut verdicts = HashMap::new();
        // The copy of each node of the tree, if copied: what the children of the nodes copied
        // are copied under. The parts not copied are still walked, for the metadata.
        let mut copies: Vec<Option<NodeId>> = vec![None; tree.nodes.len()];
        copies[0] = Some(0);
        for raw in tree.descendants(0) {
            let parent = tree.parent(raw).and_then(|p| copies[p]);
            let (data, chosen) = match &tree.nodes[raw].data {
                RawData::Text(text) if parent.is_some() => (Data::Text(text.clone()), false),
                RawData::Element(el) => {
                    head.note(tree, raw, el);
                    let name = &*el.name.local;
                    let shown = visibility(|n| el.attr(n));
                    let copied = parent.is_some()
                        && el.mark != Mark::Remove
                        && !never_text(name)
                        && shown != Visibility::Hidden;
                    if !copied {
                        continue;
                    }
                    let tag = Tag::from_name(name);
                    let mut class_id = el
                        .attr(local_name!("class"))
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    let class_len = class_id.len();
                    if let Some(id) = el.attr(local_name!("id")) {
                        class_id.push(' ');
                        class_id.push_str(&id.to_ascii_lowercase());
                    }
                    let role = el.attr(local_name!("role"));
                    let element = Element {
                        tag,
                        boilerplate: is_boilerplate(name, tag, role, &class_id, &mut verdicts),
                        class_id,
                        class_len,
                        concealed: shown == Visibility::Concealed,
                    };
                    (Data::Element(element), el.mark == Mark::Select)
                }
                _ => continue,
            };
            let Some(parent) = parent else {
                continue;
            };
            let id = nodes.len();
            nodes.push(Node {
                parent: Some(parent),
                end: 0,
                children: (0, 0),
                data,
            });
            if chosen && !inside_selected[parent] {
                selected.push(id);
            }
            inside_selected.push(chosen || inside_selected[parent]);
            copies[raw] = Some(id);
        }
        let child_ids = link(&mut nodes);
        let dom = Dom {
            nodes,
            child_ids,
            head,
        };
        (dom, selected)
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

    /// The children of `id`, in document order.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let (start, len) = self.nodes[id].children;
        &self.child_ids[start..start + len]
    }

    /// The nodes of the subtree under `id` (itself included), in document order.
    pub fn subtree(&self, id: NodeId) -> Range<NodeId> {
        id..self.nodes[id].end
    }

    /// All text under `id`, concatenated.
    pub fn text(&self, id: NodeId) -> String {
        let texts = || {
            self.subtree(id).filter_map(|n| match &self.nodes[n].data {
                Data::Text(t) => Some(&**t),
                Data::Element(_) => None,
            })
        };
        let mut out = String::with_capacity(texts().map(str::len).sum());
        for t in texts() {
            out.push_str(t);
        }
        out
    }
}

/// Sets every node's subtree end and children (numbered in document order, the nodes of a
/// subtree follow its root), and returns the children of all nodes, each node's in a row.
fn link(nodes: &mut [Node]) -> Vec<NodeId> {
    let mut counts = vec![0usize; nodes.len()];
    for id in (0..nodes.len()).rev() {
        nodes[id].end = nodes[id].end.max(id + 1);
        if let Some(p) = nodes[id].parent {
            nodes[p].end = nodes[p].end.max(nodes[id].end);
            counts[p] += 1;
        }
    }
    let mut start = 0;
    for (node, count) in nodes.iter_mut().zip(&counts) {
        node.children = (start, 0);
        start += count;
    }
    let mut child_ids = vec![0; start];
    for id in 1..nodes.len() {
        let p = nodes[id].parent.expect("only the root has no parent");
        let (first, len) = &mut nodes[p].children;
        child_ids[*first + *len] = id;
        *len += 1;
    }
    child_ids
}

/// Whether an element is named like navigation, comments, share bars or ads, by its tag, role,
/// class or id; `verdicts` remembers those on class names, which pages repeat.
fn is_boilerplate(
    name: &str,
    tag: Tag,
    role: Option<&str>,
    class_id: &str,
    verdicts: &mut HashMap<String, bool>,
) -> bool {
    if matches!(name, "nav" | "aside" | "footer" | "header" | "menu") {
        return true;
    }
    if role.is_some_and(boilerplate_role) {
        return true;
    }
    if matches!(tag, Tag::Body | Tag::Article | Tag::Main | Tag::A) || class_id.is_empty() {
        return false;
    }
    if let Some(&verdict) = verdicts.get(class_id) {
        return verdict;
    }
    let verdict = UNLIKELY.is_match(class_id) && !MAYBE.is_match(class_id);
    verdicts.insert(class_id.to_owned(), verdict);
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_misplaced_in_body_is_not_text() {
        // An unknown tag in <head> makes the parser start <body> early, <title> included.
        let dom = Dom::parse(
            "<html><head><x-tag></x-tag><title>Site name</title></head><p>Story</p></html>",
        )
        .unwrap();
        assert_eq!(dom.text(0).trim(), "Story");
    }
}
