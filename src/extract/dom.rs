//! A compact copy of a page's visible DOM, in document order, that the extractor walks without
//! recursion.
//!
//! html5ever builds trees of any depth; copying the visible part into a flat arena (children
//! after their parent) lets every later pass run as a loop over indices, so a 100,000-deep page
//! cannot overflow the stack. Scripts, styles, form controls and hidden elements are left out
//! here, once, instead of being skipped by every pass; elements whose tag, role, class or id say
//! they are navigation, comments, share bars or ads are marked [`Element::boilerplate`].

use regex::Regex;
use scraper::Html;
use std::sync::LazyLock;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

/// The arena. `nodes[0]` is the root; every node comes after its parent, so walking the
/// indices backwards visits children before parents.
pub struct Dom {
    pub nodes: Vec<Node>,
}

pub struct Node {
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    pub data: Data,
}

pub enum Data {
    Element(Element),
    Text(String),
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

fn hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    el.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

impl Dom {
    /// Copies the visible body of `html`.
    pub fn build(html: &Html) -> Dom {
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
                scraper::Node::Text(text) => Data::Text(text.to_string()),
                scraper::Node::Element(el) => {
                    let name = el.name();
                    if never_text(name) || hidden(el) {
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
            if matches!(nodes[id].data, Data::Element(_)) {
                for child in node.children().rev() {
                    stack.push((child, id));
                }
            }
        }
        Dom { nodes }
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
