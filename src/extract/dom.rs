//! A compact copy of a page's visible DOM, in document order, that the extractor walks without
//! recursion.
//!
//! html5ever builds trees of any depth; copying the visible part of the parsed [`Tree`] into a
//! flat arena (children after their parent) lets every later pass run as a loop over indices, so
//! a 100,000-deep page cannot overflow the stack. Scripts, styles, form controls and hidden
//! elements are left out here, once, instead of being skipped by every pass; elements whose tag,
//! role, class or id say they are navigation, comments, share bars or ads are marked
//! [`Element::boilerplate`]. The same walk gathers what the metadata reader needs ([`Head`]).

use super::tree::{self, Mark, RawData, RawElement, RawId, Tree};
use html5ever::tendril::StrTendril;
use regex::Regex;
use std::sync::LazyLock;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

/// The arena. `nodes[0]` is the root; every node comes after its parent, so walking the
/// indices backwards visits children before parents.
pub struct Dom {
    pub nodes: Vec<Node>,
    pub head: Head,
}

pub struct Node {
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
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

/// Whether an element is hidden from readers (`hidden`, `aria-hidden`, or an inline style);
/// `attr` reads the element's attributes.
pub(super) fn hidden<'a>(attr: impl Fn(&str) -> Option<&'a str>) -> bool {
    if attr("hidden").is_some() || attr("aria-hidden") == Some("true") {
        return true;
    }
    attr("style").is_some_and(|style| {
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
                if let Some(content) = el.attr("content").map(str::trim) {
                    let key = ["property", "name", "itemprop", "http-equiv"]
                        .iter()
                        .find_map(|k| el.attr(k))
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if !content.is_empty() {
                        self.metas.push((key, content.to_owned()));
                    }
                }
            }
            "title" if self.title.is_none() => self.title = Some(tree.text(id)),
            "script" if el.attr("type") == Some("application/ld+json") => {
                self.json_ld.push(tree.text(id));
            }
            "html" => first(&mut self.lang, el.attr("lang")),
            "time" => first(&mut self.time, el.attr("datetime")),
            "link" if el.attr("rel") == Some("canonical") => {
                first(&mut self.canonical, el.attr("href"));
            }
            "h1" | "h2" if self.first_heading.is_none() => {
                let text = tree.text(id);
                if !text.trim().is_empty() {
                    self.first_heading = Some(text);
                }
            }
            _ => {}
        }
        let itemprop = el.attr("itemprop");
        if itemprop == Some("datePublished") && self.itemprop_date.is_none() {
            let date = el.attr("datetime").or_else(|| el.attr("content"));
            self.itemprop_date = Some(date.map(str::to_owned));
        }
        if el.attr("rel") == Some("author") || itemprop == Some("author") {
            self.authors.push(tree.text(id));
        }
    }
}

impl Dom {
    /// Parses a page and copies its visible body.
    pub fn parse(html: &str) -> Dom {
        Dom::build(&tree::parse(html))
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
        // (source node, arena parent or `None` when not copied); children pushed in reverse
        // so they pop in order. The parts not copied are still walked for the metadata.
        let mut stack: Vec<(RawId, Option<NodeId>)> =
            tree.children_rev(0).map(|c| (c, Some(0))).collect();
        while let Some((raw, parent)) = stack.pop() {
            let (data, chosen) = match &tree.nodes[raw].data {
                RawData::Text(text) if parent.is_some() => (Data::Text(text.clone()), false),
                RawData::Element(el) => {
                    head.note(tree, raw, el);
                    let name = &*el.name.local;
                    let copied = parent.filter(|_| {
                        el.mark != Mark::Remove && !never_text(name) && !hidden(|n| el.attr(n))
                    });
                    if copied.is_none() {
                        stack.extend(tree.children_rev(raw).map(|c| (c, None)));
                        continue;
                    }
                    let tag = Tag::from_name(name);
                    let class = el.attr("class").unwrap_or("").to_ascii_lowercase();
                    let class_id = match el.attr("id") {
                        Some(id) => format!("{class} {}", id.to_ascii_lowercase()),
                        None => class.clone(),
                    };
                    let element = Element {
                        tag,
                        boilerplate: is_boilerplate(name, tag, el.attr("role"), &class_id),
                        class_id,
                        class,
                    };
                    (Data::Element(element), el.mark == Mark::Select)
                }
                _ => continue,
            };
            let Some(parent) = parent else {
                continue;
            };
            let id = nodes.len();
            let is_element = matches!(data, Data::Element(_));
            nodes.push(Node {
                parent: Some(parent),
                children: Vec::new(),
                data,
            });
            nodes[parent].children.push(id);
            if chosen && !inside_selected[parent] {
                selected.push(id);
            }
            inside_selected.push(chosen || inside_selected[parent]);
            if is_element {
                stack.extend(tree.children_rev(raw).map(|c| (c, Some(id))));
            }
        }
        (Dom { nodes, head }, selected)
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

fn is_boilerplate(name: &str, tag: Tag, role: Option<&str>, class_id: &str) -> bool {
    if matches!(name, "nav" | "aside" | "footer" | "header" | "menu") {
        return true;
    }
    if role.is_some_and(boilerplate_role) {
        return true;
    }
    if matches!(tag, Tag::Body | Tag::Article | Tag::Main | Tag::A) || class_id.is_empty() {
        return false;
    }
    UNLIKELY.is_match(class_id) && !MAYBE.is_match(class_id)
}

/// Pre-order iterator over a subtree.
pub struct Subtree<'a> {
    dom: &'a Dom,
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
