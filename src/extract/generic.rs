//! The extractor for any page without site rules: finds the article among the page's blocks.
//!
//! Readability's method, on the flat [`Dom`] copy and without recursion:
//! 1. every run of paragraph text scores its containers (more for commas and length), parents
//!    fully, grandparents half, further ancestors less; containers start from their tag and from
//!    whether their class or id sounds like content or like boilerplate;
//! 2. scores shrink with link density, and the best container wins, moved up when its parent
//!    holds other strong candidates;
//! 3. siblings with enough score, or that read like prose, join it;
//! 4. inside, lists, tables and divs that are mostly links, images or headings are dropped, and
//!    the rest is written out as headings, paragraphs, list items and quotes; when that holds
//!    several posts, only the one under the article's headline is (see `Extraction::own_post`).
//!
//! Elements named like boilerplate (nav, comments, share bars) are ignored on the first try; if
//! that leaves too little text, the page is scored again with them.

use super::blocks;
use super::dom::{Data, Dom, NodeId, Tag};
use super::limits::TooManyElements;
use super::{Article, Block, BlockKind, metadata, structured};
use crate::unicode::is_cjk;
use regex::Regex;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Text runs shorter than this (in characters) do not score their containers.
const MIN_PARAGRAPH_CHARS: usize = 25;
/// A first pass yielding less text than this is retried with boilerplate-named elements kept.
const MIN_ARTICLE_CHARS: usize = 250;

/// Extracts the title, metadata and body of a page.
pub fn extract(html: &str) -> Result<Article, TooManyElements> {
    let dom = Dom::parse(html)?;
    let meta = metadata::read(&dom);
    let mut blocks = Extraction::new(&dom, true).blocks(&meta.title);
    if !has_chars(&blocks, MIN_ARTICLE_CHARS) {
        let lenient = Extraction::new(&dom, false).blocks(&meta.title);
        if char_count(&lenient) > char_count(&blocks) {
            blocks = lenient;
        }
        // A page that a script fills in carries its article as data.
        if let Some(data) = structured::body(&dom.head, char_count(&blocks)) {
            blocks = data;
        }
    }
    drop_headline(&mut blocks, &meta.title);
    blocks.retain(|b| !is_ad_label(&b.text));
    trim_tail_boilerplate(&mut blocks);
    let lang = meta.lang.or_else(|| script_language(&blocks));
    Ok(Article {
        title: meta.title,
        byline: meta.byline,
        published: meta.published,
        lang,
        source_url: meta.source_url,
        blocks,
    })
}

/// Whether the blocks hold at least `n` characters other than white space (counting stops
/// there: the body of a long article is not counted through).
fn has_chars(blocks: &[Block], n: usize) -> bool {
    blocks
        .iter()
        .flat_map(|b| b.text.chars())
        .filter(|c| !c.is_whitespace())
        .nth(n.saturating_sub(1))
        .is_some()
}

fn char_count(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| b.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum()
}

/// The headline is the title, not body text: drop it (and anything before it) when the body
/// starts with it.
fn drop_headline(blocks: &mut Vec<Block>, title: &str) {
    let fold = |s: &str| s.split_whitespace().collect::<String>();
    let title = fold(title);
    if title.is_empty() {
        return;
    }
    let found = blocks.iter().take(5).position(|b| {
        let text = fold(&b.text);
        !text.is_empty()
            && (text == title || (b.kind == BlockKind::Heading && title.contains(&text)))
    });
    if let Some(i) = found {
        blocks.drain(..=i);
    }
}

/// The formulas news sites end articles with: editor and source credits, disclaimers,
/// copyright lines. Only the last few blocks are looked at, so the words may appear in the
/// article itself.
static TAIL_BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*[(（【\[]?\s*(责任编辑|責任編輯|责编|責編|编辑|編輯|本文来源|本文來源|来源|來源|稿源)\s*[：:]|免责声明|免責聲明|^\s*[【\[]?\s*(声明|聲明)|版权所有|版權所有|未经授权|未經授權|不得转载|不得轉載|^\s*(copyright|©)|all rights reserved",
    )
    .expect("static regex")
});

/// The labels ad slots carry inside articles ("Advertisement", "Story continues below").
fn is_ad_label(text: &str) -> bool {
    // Labels are short: a long block is not folded into copies only to be compared.
    if text
        .chars()
        .filter(|c| !c.is_whitespace())
        .nth(64)
        .is_some()
    {
        return false;
    }
    let folded = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let folded = folded.trim_matches(|c: char| !c.is_alphanumeric());
    matches!(
        folded,
        "advertisement"
            | "advertisements"
            | "ad"
            | "ads"
            | "sponsored"
            | "sponsored content"
            | "story continues below"
            | "story continues below advertisement"
            | "continue reading below"
            | "article continues below"
            | "scroll to continue with content"
            | "广告"
            | "廣告"
            | "推广"
            | "推廣"
    )
}

/// Drops credit, disclaimer and copyright blocks from the end of the body.
fn trim_tail_boilerplate(blocks: &mut Vec<Block>) {
    for _ in 0..4 {
        let Some(last) = blocks.last() else {
            return;
        };
        if last.text.chars().count() > 400 || !TAIL_BOILERPLATE.is_match(&last.text) {
            return;
        }
        blocks.pop();
    }
}

/// A language tag from the script of the body, for pages that declare none: Chinese, Japanese
/// and Korean are told apart by their letters; other scripts are left undeclared.
pub(super) fn script_language(blocks: &[Block]) -> Option<String> {
    let (mut han, mut kana, mut hangul, mut other) = (0usize, 0usize, 0usize, 0usize);
    for c in blocks.iter().flat_map(|b| b.text.chars()) {
        match c {
            c if c.is_ascii() => other += usize::from(c.is_ascii_alphabetic()),
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{AC00}'..='\u{D7AF}' => hangul += 1,
            c if is_cjk(c) && c.is_alphabetic() => han += 1,
            c if c.is_alphabetic() => other += 1,
            _ => {}
        }
    }
    let total = han + kana + hangul + other;
    if total == 0 {
        return None;
    }
    let lang = if kana * 10 > total {
        "ja"
    } else if hangul * 2 > total {
        "ko"
    } else if han * 2 > total {
        "zh"
    } else {
        return None;
    };
    Some(lang.to_owned())
}

static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|zw|zhengwen|artibody|endtext|con_txt")
        .expect("static regex")
});
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|byline|author|dateline|caption|copyright|recommend|\bnav|menu|hot|rank|link")
        .expect("static regex")
});

/// Readability's class weight: +25 for content-like names, -25 for boilerplate-like ones.
fn class_weight(class_id: &str) -> f64 {
    if class_id.trim().is_empty() {
        return 0.0;
    }
    let mut w = 0.0;
    if NEGATIVE.is_match(class_id) {
        w -= 25.0;
    }
    if POSITIVE.is_match(class_id) {
        w += 25.0;
    }
    w
}

/// Per-node sums over the live part of its subtree.
#[derive(Default, Clone, Copy)]
struct Stats {
    chars: usize,
    link_chars: usize,
    commas: usize,
    /// Characters of text not inside a block-level child: the node's own paragraph text.
    inline_chars: usize,
    inline_commas: usize,
    has_block_child: bool,
    /// Paragraphs: `<p>` elements, and runs of paragraph text between `<br>`s (bodies written
    /// as text broken by `<br><br>` have no `<p>`, and are no gallery or link list for that).
    paragraphs: usize,
    /// Characters of the node's own text since its last block child (children are summed
    /// last to first), and the runs of at least [`MIN_PARAGRAPH_CHARS`] that `<br>`s ended.
    open_run: usize,
    br_runs: usize,
    has_br: bool,
    images: usize,
    list_items: usize,
    heading_chars: usize,
    list_chars: usize,
}

struct Extraction<'a> {
    dom: &'a Dom,
    /// Left out: boilerplate-named (on the strict pass) or inside such an element.
    dead: Vec<bool>,
    stats: Vec<Stats>,
    score: Vec<Option<f64>>,
    /// Class weights, computed when first needed (scoring asks for the same ones again and
    /// again).
    weights: Vec<OnceCell<f64>>,
}

fn is_comma(c: char) -> bool {
    matches!(
        c,
        ',' | '，' | '、' | '\u{060C}' | '\u{FE50}' | '\u{FE10}' | '\u{FE11}'
    )
}

impl<'a> Extraction<'a> {
    fn new(dom: &'a Dom, strict: bool) -> Extraction<'a> {
        let n = dom.nodes.len();
        let mut dead = vec![false; n];
        for id in 1..n {
            let parent_dead = dom.nodes[id].parent.is_some_and(|p| dead[p]);
            let named = strict && dom.element(id).is_some_and(|el| el.boilerplate);
            dead[id] = parent_dead || named;
        }
        let mut stats = vec![Stats::default(); n];
        // Children come after parents in the arena: backwards is bottom-up.
        for id in (0..n).rev() {
            if dead[id] {
                continue;
            }
            let s = match &dom.nodes[id].data {
                Data::Text(t) => {
                    let (mut chars, mut commas) = (0, 0);
                    for c in t.chars().filter(|c| !c.is_whitespace()) {
                        chars += 1;
                        commas += usize::from(is_comma(c));
                    }
                    Stats {
                        chars,
                        commas,
                        inline_chars: chars,
                        inline_commas: commas,
                        ..Stats::default()
                    }
                }
                Data::Element(el) => {
                    let mut s = stats[id];
                    // The first run of the node's own text, which no child ended.
                    s.br_runs += usize::from(s.has_br && s.open_run >= MIN_PARAGRAPH_CHARS);
                    if el.tag != Tag::P {
                        s.paragraphs += s.br_runs;
                    }
                    match el.tag {
                        Tag::A if s.chars <= blocks::LONG_LINK_CHARS => s.link_chars = s.chars,
                        Tag::P => s.paragraphs += s.br_runs.max(1),
                        Tag::Img => s.images += 1,
                        Tag::Li => {
                            s.list_items += 1;
                            s.list_chars = s.chars;
                        }
                        Tag::Heading(_) => s.heading_chars = s.chars,
                        _ => {}
                    }
                    s
                }
            };
            stats[id] = s;
            let Some(p) = dom.nodes[id].parent else {
                continue;
            };
            let block = dom.tag(id).is_some_and(Tag::is_block);
            let ps = &mut stats[p];
            ps.chars += s.chars;
            ps.link_chars += s.link_chars;
            ps.commas += s.commas;
            ps.paragraphs += s.paragraphs;
            ps.images += s.images;
            ps.list_items += s.list_items;
            ps.heading_chars += s.heading_chars;
            ps.list_chars += s.list_chars;
            if block {
                ps.has_block_child = true;
                let run = std::mem::take(&mut ps.open_run);
                if dom.tag(id) == Some(Tag::Br) {
                    ps.has_br = true;
                    ps.br_runs += usize::from(run >= MIN_PARAGRAPH_CHARS);
                }
            } else {
                ps.inline_chars += s.inline_chars;
                ps.inline_commas += s.inline_commas;
                ps.open_run += s.inline_chars;
            }
        }
        let mut x = Extraction {
            dom,
            dead,
            stats,
            score: vec![None; n],
            weights: vec![OnceCell::new(); n],
        };
        x.score_paragraphs();
        x
    }

    fn link_density(&self, id: NodeId) -> f64 {
        let s = &self.stats[id];
        if s.chars == 0 {
            return 0.0;
        }
        s.link_chars as f64 / s.chars as f64
    }

    fn weight(&self, id: NodeId) -> f64 {
        *self.weights[id].get_or_init(|| {
            self.dom
                .element(id)
                .map_or(0.0, |el| class_weight(&el.class_id))
        })
    }

    /// The score a container starts from, before any paragraph adds to it.
    fn initial_score(&self, id: NodeId) -> f64 {
        let by_tag = match self.dom.tag(id) {
            Some(Tag::Div | Tag::Article | Tag::Main) => 5.0,
            Some(Tag::Pre | Tag::Td | Tag::Blockquote) => 3.0,
            Some(Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form) => -3.0,
            Some(Tag::Heading(_) | Tag::Th) => -5.0,
            _ => 0.0,
        };
        by_tag + self.weight(id)
    }

    /// Step 1: every paragraph-like text run adds to the scores of its containers.
    fn score_paragraphs(&mut self) {
        for id in 1..self.dom.nodes.len() {
            if self.dead[id] {
                continue;
            }
            let Some(tag) = self.dom.tag(id) else {
                continue;
            };
            if !tag.is_block() || matches!(tag, Tag::Br | Tag::Hr) {
                continue;
            }
            let s = self.stats[id];
            if s.inline_chars < MIN_PARAGRAPH_CHARS {
                continue;
            }
            // An element that is all paragraph scores from its parent up; a container that
            // also holds loose text is itself that text's container.
            let paragraph_like =
                matches!(tag, Tag::P | Tag::Td | Tag::Pre | Tag::Heading(_)) || !s.has_block_child;
            let first = if paragraph_like {
                self.dom.nodes[id].parent
            } else {
                Some(id)
            };
            let points =
                1.0 + s.inline_commas as f64 + (s.inline_chars as f64 / 100.0).floor().min(3.0);
            let mut level = 0;
            let mut at = first;
            while let Some(a) = at {
                if a == 0 || level > 4 {
                    break;
                }
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f64 * 3.0,
                };
                let start = self.initial_score(a);
                let slot = self.score[a].get_or_insert(start);
                *slot += points / divider;
                at = self.dom.nodes[a].parent;
                level += 1;
            }
        }
        self.discount_repeated();
        for id in 0..self.score.len() {
            if let Some(s) = self.score[id] {
                self.score[id] = Some(s * (1.0 - self.link_density(id)));
            }
        }
    }

    /// Containers that repeat with the same tag and class (teasers of other stories, comment
    /// after comment) are items of a list, not the article: each shares its score with its
    /// peers, so that a single article container outranks a list of ten summaries.
    fn discount_repeated(&mut self) {
        let mut groups: HashMap<(Tag, &str), Vec<NodeId>> = HashMap::new();
        for (id, score) in self.score.iter().enumerate() {
            if score.is_none() {
                continue;
            }
            if let Some(el) = self
                .dom
                .element(id)
                .filter(|el| !el.class_id.trim().is_empty())
            {
                groups
                    .entry((el.tag, el.class_id.as_str()))
                    .or_default()
                    .push(id);
            }
        }
        for members in groups.values().filter(|m| m.len() >= 3) {
            // Siblings are parts of one text (their parent collects their scores).
            let mut parents: Vec<Option<NodeId>> = members
                .iter()
                .map(|&id| self.dom.nodes[id].parent)
                .collect();
            parents.sort_unstable();
            parents.dedup();
            if parents.len() < 3 {
                continue;
            }
            let n = members.len() as f64;
            for &id in members {
                if let Some(s) = self.score[id].as_mut() {
                    *s /= n;
                }
            }
        }
    }

    /// Step 2: the best container, moved up when warranted.
    fn top_candidate(&self) -> Option<NodeId> {
        let mut ranked: Vec<(NodeId, f64)> = self
            .score
            .iter()
            .enumerate()
            .filter_map(|(id, s)| s.map(|s| (id, s)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let &(mut top, top_score) = ranked.first()?;
        // Near-equal candidates close by in the tree are parts of one article (a text split
        // into chunks): the article is their common ancestor.
        let close: Vec<NodeId> = ranked
            .iter()
            .skip(1)
            .take(4)
            .filter(|&&(id, s)| {
                s >= top_score * 0.75 && !self.is_ancestor(id, top) && !self.is_ancestor(top, id)
            })
            .map(|&(id, _)| id)
            .collect();
        if !close.is_empty() {
            let mut at = self.dom.nodes[top].parent;
            for _ in 0..3 {
                let Some(a) = at.filter(|&a| a != 0) else {
                    break;
                };
                if close.iter().any(|&c| self.is_ancestor(a, c)) {
                    // Unless the ancestor scores low: then the others are a different text
                    // (a comment form, a teaser) that happens to sit near the article.
                    if self.score[a].unwrap_or(0.0) >= top_score * 0.3 {
                        top = a;
                    }
                    break;
                }
                at = self.dom.nodes[a].parent;
            }
        }
        // A parent that scores better than its child once the child's share is counted.
        let mut last = self.score[top].unwrap_or(0.0);
        let threshold = last / 3.0;
        let mut at = self.dom.nodes[top].parent;
        while let Some(a) = at {
            if a == 0 || self.dom.tag(a) == Some(Tag::Body) {
                break;
            }
            if let Some(s) = self.score[a] {
                if s < threshold {
                    break;
                }
                if s > last {
                    top = a;
                    break;
                }
                last = s;
            }
            at = self.dom.nodes[a].parent;
        }
        // An only child says no more than its parent.
        while let Some(p) = self.dom.nodes[top].parent {
            if p == 0 || self.dom.tag(p) == Some(Tag::Body) {
                break;
            }
            let live_children = self
                .dom
                .children(p)
                .iter()
                .filter(|&&c| !self.dead[c] && self.dom.element(c).is_some())
                .count();
            if live_children != 1 {
                break;
            }
            top = p;
        }
        Some(top)
    }

    fn is_ancestor(&self, a: NodeId, mut id: NodeId) -> bool {
        while let Some(p) = self.dom.nodes[id].parent {
            if p == a {
                return true;
            }
            id = p;
        }
        false
    }

    /// Step 3: the top candidate and the siblings that belong with it.
    fn article_nodes(&self, top: NodeId) -> Vec<NodeId> {
        let Some(parent) = self.dom.nodes[top].parent.filter(|&p| p != 0) else {
            return vec![top];
        };
        let top_score = self.score[top].unwrap_or(0.0);
        let threshold = (top_score * 0.2).max(10.0);
        let top_class = self.dom.element(top).map_or("", |el| el.class());
        let mut nodes = Vec::new();
        for &sib in self.dom.children(parent) {
            // A concealed element beside the article is not what a script reveals.
            if self.dead[sib]
                || (sib != top && self.dom.element(sib).is_some_and(|el| el.concealed))
            {
                continue;
            }
            if sib == top {
                nodes.push(sib);
                continue;
            }
            let Some(el) = self.dom.element(sib).filter(|el| el.tag != Tag::Figure) else {
                continue;
            };
            let bonus = if !top_class.is_empty() && el.class() == top_class {
                top_score * 0.2
            } else {
                0.0
            };
            if self.score[sib].is_some_and(|s| s + bonus >= threshold) {
                nodes.push(sib);
                continue;
            }
            // A part of the same text whose paragraphs sit too deep to have scored it.
            if bonus > 0.0 && self.link_density(sib) < 0.33 && self.stats[sib].chars > 0 {
                nodes.push(sib);
                continue;
            }
            let s = &self.stats[sib];
            if el.tag == Tag::P || (!s.has_block_child && el.tag.is_block()) {
                let ld = self.link_density(sib);
                let prose = if s.chars > 80 {
                    ld < 0.25
                } else {
                    s.chars > 0 && ld == 0.0 && ends_sentence(&self.dom.text(sib))
                };
                if prose {
                    nodes.push(sib);
                }
            }
        }
        nodes
    }

    /// Step 4's filter: whether a container inside the article (`root`) is boilerplate after
    /// all. A wrapper of most of the article's text is the article, whatever its name says.
    fn drop_inside(&self, id: NodeId, root: NodeId) -> bool {
        let Some(tag) = self.dom.tag(id) else {
            return false;
        };
        let s = &self.stats[id];
        let wrapper = s.chars * 2 > self.stats[root].chars;
        let ld = self.link_density(id);
        if let Tag::Heading(_) = tag {
            return self.weight(id) < 0.0 || ld > 0.33;
        }
        // Forms inside an article are comment boxes, polls and newsletter sign-ups (a page
        // wrapped whole in a form, as ASP.NET does, is kept as a wrapper).
        if tag == Tag::Form {
            return !wrapper;
        }
        // Photos and their captions and credits are not the article's text.
        if matches!(tag, Tag::Figure | Tag::Figcaption) {
            return !wrapper;
        }
        if !matches!(
            tag,
            Tag::Table
                | Tag::Ul
                | Tag::Ol
                | Tag::Dl
                | Tag::Div
                | Tag::Section
                | Tag::Form
                | Tag::Block
                | Tag::Figure
        ) {
            return false;
        }
        let weight = self.weight(id);
        if weight + self.score[id].unwrap_or(0.0) < 0.0 && !wrapper {
            return true;
        }
        if s.commas >= 10 {
            return false;
        }
        let is_list =
            matches!(tag, Tag::Ul | Tag::Ol) || (s.chars > 0 && s.list_chars * 10 > s.chars * 9);
        if is_list {
            return ld > 0.5;
        }
        let p = s.paragraphs as f64;
        let img = s.images as f64;
        let heading_density = if s.chars == 0 {
            0.0
        } else {
            s.heading_chars as f64 / s.chars as f64
        };
        (img > 1.0 && p / img < 0.5 && tag != Tag::Figure)
            || (s.list_items > s.paragraphs + 100)
            || (heading_density < 0.9
                && s.chars < MIN_PARAGRAPH_CHARS
                && (s.images == 0 || s.images > 2)
                && ld > 0.0)
            || (weight < 25.0 && ld > 0.2 && s.chars < 1000 * (1 + s.paragraphs))
            || (weight >= 25.0 && ld > 0.5)
    }

    /// The article's blocks.
    fn blocks(&self, title: &str) -> Vec<Block> {
        let Some(top) = self.top_candidate() else {
            return Vec::new();
        };
        let roots = self.article_nodes(top);
        let post = self.own_post(&roots, title);
        blocks::write(self.dom, &roots, |id, root| {
            self.dom.subtree(id).end <= post.start
                || id >= post.end
                || self.dead[id]
                || (id != root && self.drop_inside(id, root))
        })
    }

    /// The nodes of the post that is the article, when the article's nodes hold several: a
    /// blog's page shows the posts before and after it, a news site appends the next story.
    /// The article's own headline (the heading showing `title`) opens it, and the next heading
    /// like it (same tag and class, as a template writes every post's headline) opens another:
    /// the article ends where that heading's post starts, and starts after the post before.
    /// The headings of the article's sections rank below its headline, or look different.
    fn own_post(&self, roots: &[NodeId], title: &str) -> std::ops::Range<NodeId> {
        let everything = 0..self.dom.nodes.len();
        let title = squash(title);
        if title.is_empty() {
            return everything;
        }
        let headings: Vec<NodeId> = roots
            .iter()
            .flat_map(|&root| self.dom.subtree(root))
            // Also those left out as boilerplate: templates put headlines in `<header>`.
            .filter(|&id| matches!(self.dom.tag(id), Some(Tag::Heading(_))))
            .collect();
        let Some(at) = headings.iter().position(|&h| {
            let text = squash(&self.dom.text(h));
            !text.is_empty()
                && (text == title
                    || (title.contains(&text)
                        && text.chars().count() * 5 >= title.chars().count() * 3))
        }) else {
            return everything;
        };
        let headline = headings[at];
        let element = self.dom.element(headline).expect("a heading is an element");
        let alike = |h: NodeId| {
            self.dom
                .element(h)
                .is_some_and(|el| el.tag == element.tag && el.class() == element.class())
        };
        let mut post = everything;
        // A post has text under its headline.
        let has_text = |from: NodeId, to: NodeId| {
            (from..to).any(|id| {
                !self.dead[id]
                    && matches!(&self.dom.nodes[id].data, Data::Text(_))
                    && self.stats[id].chars >= MIN_PARAGRAPH_CHARS
            })
        };
        if let Some(&next) = headings[at + 1..].iter().find(|&&h| alike(h))
            && has_text(self.dom.subtree(headline).end, next)
        {
            post.end = self.unit_of(next, headline);
        }
        if let Some(&previous) = headings[..at].iter().rev().find(|&&h| alike(h))
            && has_text(self.dom.subtree(previous).end, headline)
        {
            post.start = self.unit_of(headline, previous);
        }
        post
    }

    /// The outermost ancestor of `id` (or `id`) that does not hold `other`: where `id`'s part
    /// of their common ancestor starts.
    fn unit_of(&self, mut id: NodeId, other: NodeId) -> NodeId {
        while let Some(p) = self.dom.nodes[id].parent {
            if p == other || self.is_ancestor(p, other) {
                break;
            }
            id = p;
        }
        id
    }
}

/// `s` without white space.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with(['.', '。', '！', '？', '!', '?', '”', '"']) || t.contains(". ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(article: &Article) -> Vec<String> {
        article
            .blocks
            .iter()
            .map(|b| b.text.trim().to_owned())
            .collect()
    }

    const PROSE: &str = "The committee met on Tuesday, after weeks of delay, to consider the \
        proposal, which had been revised twice since the spring.";

    #[test]
    fn keeps_article_drops_nav_and_related_links() {
        let html = format!(
            r#"<html><body><nav><a href="/">Home</a> <a href="/a">World</a></nav>
            <div class="story"><h1>Big news</h1><p>{PROSE}</p><h2>Details</h2><p>{PROSE}</p>
            <ul class="related"><li><a href="/x">Other story one</a></li><li><a href="/y">Other story two</a></li></ul>
            <blockquote><p>{PROSE}</p></blockquote><ul><li>{PROSE}</li></ul></div>
            <div class="comments"><p>{PROSE} spam</p></div><footer>Copyright</footer></body></html>"#
        );
        let a = extract(&html).unwrap();
        assert_eq!(a.title, "Big news");
        let kinds: Vec<BlockKind> = a.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Paragraph,
                BlockKind::Heading,
                BlockKind::Paragraph,
                BlockKind::Quote,
                BlockKind::ListItem
            ],
            "{:?}",
            body(&a)
        );
    }

    #[test]
    fn reads_table_layout_with_br_paragraphs() {
        let para = "近来韩国娱乐圈的负面新闻不断，先是视频闹得沸沸扬扬，接着节目播出一个月后因为争议巨大，抵不住民众反对而惨遭禁播。";
        let html = format!(
            r#"<html><body><table><tr><td><a href="/">首页</a> | <a href="/n">新闻</a> | <a href="/s">体育</a></td></tr>
            <tr><td class="left"><a href="/1">热门文章一</a><br><a href="/2">热门文章二</a></td>
            <td>{para}<br><br>{para}<br>{para}</td></tr></table></body></html>"#
        );
        let a = extract(&html).unwrap();
        assert_eq!(body(&a), [para, para, para]);
        assert_eq!(a.lang.as_deref(), Some("zh"));
    }

    #[test]
    fn hidden_elements_are_not_text() {
        let html = format!(
            r#"<div><p>{PROSE}</p><p style="display: none">secret</p><p hidden>gone</p><span aria-hidden="true">x</span><p>{PROSE}</p></div>"#
        );
        let text = body(&extract(&html).unwrap()).join(" ");
        assert!(!text.contains("secret") && !text.contains("gone"), "{text}");
    }

    /// WeChat's way: the body waits, not painted, for a script to show it.
    #[test]
    fn body_hidden_until_a_script_reveals_it_is_read() {
        for style in [
            "visibility: hidden; opacity: 0; ",
            "opacity:0",
            "VISIBILITY:HIDDEN",
        ] {
            let html = format!(
                r#"<div class=rich_media><h1>Harbour news</h1><div class=meta>Harbour Times</div>
                <div id=body style="{style}"><section><p>{PROSE}</p>
                <p>{PROSE} <span style="display:none">tracking</span></p>
                <p>{PROSE} <span style="visibility:hidden">tap to like</span></p></section></div>
                <div style="visibility: hidden">Loading the comments of the readers, please wait a moment.</div></div>"#
            );
            let text = body(&extract(&html).unwrap());
            assert_eq!(text, [PROSE; 3], "{style}");
        }
        // Shown at last by a style that says so, or not hidden at all.
        assert!(!hidden_style("opacity: 0.5") && !hidden_style("visibility: visible"));
        assert!(hidden_style("display: none !important") && hidden_style("DISPLAY:NONE"));
    }

    fn hidden_style(style: &str) -> bool {
        let html = format!(r#"<p>{PROSE}</p><p style="{style}">secret</p>"#);
        !body(&extract(&html).unwrap()).join(" ").contains("secret")
    }

    /// A body written as text broken by `<br><br>`, with photos between its paragraphs, has no
    /// `<p>` to count: it is no gallery for that.
    #[test]
    fn paragraphs_between_line_breaks_are_paragraphs() {
        let html = format!(
            r#"<div class=article><h1>Harbour news</h1><p class=lead>{PROSE}</p>
            <div class=text><img src=a.jpg><br>{PROSE}<br><br><img src=b.jpg><br>{PROSE}<br><br>{PROSE}</div></div>"#
        );
        assert_eq!(body(&extract(&html).unwrap()), [PROSE; 4]);
    }

    const OTHER: &str = "The ferry company said on Friday, in a statement to passengers, that the \
        summer timetable would start two weeks later than planned.";

    /// A blog's page holding three posts, each under its own headline, as templates write them
    /// (in `<article>`s with the headline in a `<header>`, or one after the other).
    #[test]
    fn the_article_is_the_post_under_its_headline() {
        let post = |title: &str, text: &str| {
            format!(
                r#"<article class=post><header><h2 class=entry-title><a href="/{title}">{title}</a></h2></header>
                <div class=entry-content><p>{text}</p><p>{text}</p></div></article>"#
            )
        };
        let page = |title: &str| {
            format!(
                "<title>{title} - Harbour Blog</title><main>{}{}{}</main>",
                post("Harbour budget passes", PROSE),
                post("Ferry timetable changes", OTHER),
                post("Fish market reopens", OTHER)
            )
        };
        assert_eq!(
            body(&extract(&page("Harbour budget passes")).unwrap()),
            [PROSE; 2]
        );
        assert_eq!(
            body(&extract(&page("Ferry timetable changes")).unwrap()),
            [OTHER; 2]
        );
        let flat = format!(
            "<title>Harbour budget passes | Harbour Blog</title><div class=blog>\
             <h2>Harbour budget passes</h2><p>{PROSE}</p><p>{PROSE}</p>\
             <h2>Ferry timetable changes</h2><p>{OTHER}</p><h2>Fish market reopens</h2><p>{OTHER}</p></div>"
        );
        assert_eq!(body(&extract(&flat).unwrap()), [PROSE; 2]);
    }

    /// The sections of one article rank below its headline, or look different from it.
    #[test]
    fn sections_of_an_article_are_not_posts() {
        for (headline, section) in [("h1", "h2"), ("h2 class=title", "h2")] {
            let close = headline.split(' ').next().unwrap();
            let html = format!(
                "<title>Harbour budget passes</title><div class=story><{headline}>Harbour budget passes</{close}>\
                 <p>{PROSE}</p><{section}>The vote</{section}><p>{OTHER}</p>\
                 <{section}>What comes next</{section}><p>{PROSE}</p></div>"
            );
            assert_eq!(
                body(&extract(&html).unwrap()),
                [PROSE, "The vote", OTHER, "What comes next", PROSE],
                "{headline}"
            );
        }
    }

    /// Pages that a script fills in carry the article as data: JSON-LD, an app's state, or
    /// at least OpenGraph's summary.
    #[test]
    fn a_page_filled_in_by_a_script_gives_its_data() {
        let shell = r#"<div id="__next"><p>Loading…</p></div>"#;
        let linked = format!(
            r#"<script type="application/ld+json">{{"@graph":[{{"@type":"NewsArticle",
            "articleBody":"{PROSE}\n\n{OTHER}"}}]}}</script>{shell}"#
        );
        assert_eq!(body(&extract(&linked).unwrap()), [PROSE, OTHER]);
        let blocks = format!(
            r#"{{"type":"paragraph","text":"{PROSE}"}},{{"type":"image","url":"https://x.test/a.jpg"}},
            {{"type":"paragraph","data":{{"html":"<p>{OTHER} <a href=/x>More</a>.</p>"}}}}"#
        );
        let state = format!(
            r#"{{"props":{{"pageProps":{{"article":{{"summary":"The council approved the budget on Monday.","body":[{blocks}]}},
            "related":[{{"title":"Ferry timetable","teaser":"The ferry company changes its timetable."}}]}}}}}}"#
        );
        for script in [
            format!(r#"<script id="__NEXT_DATA__" type="application/json">{state}</script>"#),
            format!("<script>window.__INITIAL_STATE__ = {state};</script>"),
        ] {
            assert_eq!(
                body(&extract(&format!("{shell}{script}")).unwrap()),
                [PROSE.to_owned(), format!("{OTHER} More.")]
            );
        }
        let summary = format!(r#"<meta property="og:description" content="{PROSE}">{shell}"#);
        assert_eq!(body(&extract(&summary).unwrap()), [PROSE]);
        // A short body that the page shows is the body, not its summary.
        let shown =
            format!(r#"<meta name="description" content="{PROSE}"><div><p>{OTHER}</p></div>"#);
        assert_eq!(body(&extract(&shown).unwrap()), [OTHER]);
    }

    /// Data is read within bounds: JSON nested past serde_json's limit is not read, and
    /// neither is a script past [`structured::MAX_DATA_BYTES`].
    #[test]
    fn data_past_the_limits_is_not_read() {
        let deep = format!(
            r#"<script type="application/json">{}"{PROSE}"{}</script>"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(extract(&deep).unwrap().blocks.is_empty());
        let filler = "x".repeat(structured::MAX_DATA_BYTES);
        let long = format!(
            r#"<script type="application/json">{{"filler":"{filler}","body":"{PROSE}"}}</script>"#
        );
        assert!(extract(&long).unwrap().blocks.is_empty());
    }
}
