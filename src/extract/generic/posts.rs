//! Which of the article's nodes belong to other posts: a page holding several posts (a blog's
//! page showing the posts around the article, a news site appending the next story), and the
//! teasers of other posts that templates put after an article or inside it ("You may also
//! like", "Read next").
//!
//! Two kinds of evidence:
//! - the article's headline (the heading that shows the title) opens the article, and the next
//!   heading like it opens another post ([`Extraction::own_post`]);
//! - a teaser is a unit of a post (an `<article>`, or one of the sibling elements a template
//!   repeats) showing a teaser's marks: an excerpt cut short ("…", "[…]") in a unit that links
//!   elsewhere, a "Read more" link, or a headline that is a link ([`Extraction::other_posts`]).
//!
//! The unit holding the headline is the article's, and a unit holding half the article's text
//! is the article: neither is another post. A headline that is a link is the weaker mark (a
//! list of books or products has them, a live blog's entries have headings and share bars of
//! their own), so units showing only that go when a heading before them says other posts
//! follow ("You may also like", "More stories"), or when they come after all of the article's
//! text and hold less than half of it. A page whose headline is nowhere may be a list of
//! teasers (a blog's front page): there they go only when an article's worth of text is left.
//! A container left holding nothing but teasers and their heading goes with them.

use super::{Extraction, MIN_ARTICLE_CHARS, MIN_PARAGRAPH_CHARS, fold_label};
use crate::extract::dom::{Data, NodeId, Tag};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// What the heading of a list of other posts says.
static OTHER_POSTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(related|you (may|might) (also )?(like|enjoy|be interested)|(also|read) (read|also|next)|what to read next|see also|further reading|don.t miss|in case you missed|editor.?s.? picks?|top stories|other stories|(read )?more (news|stories|articles|posts|from|on|in|like this|to read)|recommended|popular|trending|most (read|viewed|popular)|latest|相关|推荐|延伸阅读|热门|更多|往期|猜你喜欢|精彩推荐)",
    )
    .expect("static regex")
});

/// A heading in the unit is mostly a link: a post's headline, linking to the post.
const LINKED_HEADING: u8 = 1;
/// Text of a paragraph's length ends in an ellipsis: an excerpt.
const CUT: u8 = 2;
/// A link says "read more".
const READ_MORE: u8 = 4;
/// A link.
const LINK: u8 = 8;

/// How strongly a unit's marks say it is a teaser.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Teaser {
    No,
    Weak,
    Strong,
}

fn teaser(marks: u8) -> Teaser {
    if marks & READ_MORE != 0 || (marks & CUT != 0 && marks & LINK != 0) {
        Teaser::Strong
    } else if marks & LINKED_HEADING != 0 {
        Teaser::Weak
    } else {
        Teaser::No
    }
}

impl Extraction<'_> {
    /// The headings under `roots`, and which of them is the article's headline: the one
    /// showing `title`.
    pub(super) fn headline(&self, roots: &[NodeId], title: &str) -> (Vec<NodeId>, Option<usize>) {
        let title = squash(title);
        if title.is_empty() {
            return (Vec::new(), None);
        }
        let headings: Vec<NodeId> = roots
            .iter()
            .flat_map(|&root| self.dom.subtree(root))
            // Also those left out as boilerplate: templates put headlines in `<header>`.
            .filter(|&id| matches!(self.dom.tag(id), Some(Tag::Heading(_))))
            .collect();
        let at = headings.iter().position(|&h| self.shows(h, &title));
        (headings, at)
    }

    /// Whether the heading `h` shows `title` (white space squashed), or most of it.
    fn shows(&self, h: NodeId, title: &str) -> bool {
        let text = squash(&self.dom.text(h));
        !text.is_empty()
            && (text == title
                || (title.contains(&text) && text.chars().count() * 5 >= title.chars().count() * 3))
    }

    /// Whether a heading anywhere in the page shows `title`: the page is an article's.
    fn shows_headline(&self, title: &str) -> bool {
        let title = squash(title);
        !title.is_empty()
            && (0..self.dom.nodes.len())
                .any(|h| matches!(self.dom.tag(h), Some(Tag::Heading(_))) && self.shows(h, &title))
    }

    /// The nodes of the post that is the article, when the article's nodes hold several: a
    /// blog's page shows the posts before and after it, a news site appends the next story.
    /// The article's own headline (`headings[at]`) opens it, and the next heading like it
    /// (same tag and class, as a template writes every post's headline) opens another: the
    /// article ends where that heading's post starts, and starts after the post before. The
    /// headings of the article's sections rank below its headline, or look different.
    pub(super) fn own_post(&self, headings: &[NodeId], at: usize) -> Range<NodeId> {
        let headline = headings[at];
        let element = self.dom.element(headline).expect("a heading is an element");
        let alike = |h: NodeId| {
            self.dom
                .element(h)
                .is_some_and(|el| el.tag == element.tag && el.class() == element.class())
        };
        let mut post = 0..self.dom.nodes.len();
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

    /// The teasers of other posts among the article's nodes (`roots`, the first-ranked being
    /// `top`), with the containers that hold nothing else: the roots of the subtrees to leave
    /// out, in document order.
    pub(super) fn other_posts(
        &self,
        roots: &[NodeId],
        top: NodeId,
        headline: Option<NodeId>,
        title: &str,
    ) -> Vec<NodeId> {
        let marks = self.teaser_marks(roots);
        let total: usize = roots.iter().map(|&r| self.stats[r].chars).sum();
        let own = |id: NodeId| {
            id == top
                || headline.is_some_and(|h| h == id || self.is_ancestor(id, h))
                || self.stats[id].chars * 2 >= total
        };
        let mut units: Vec<(NodeId, Teaser)> = Vec::new();
        for &root in roots {
            for id in self.dom.subtree(root) {
                // Only where a teaser's marks are.
                if self.dead[id] || marks[id] & !LINK == 0 {
                    continue;
                }
                if self.dom.tag(id) == Some(Tag::Article) {
                    let t = teaser(marks[id]);
                    if t > Teaser::No {
                        units.push((id, t));
                    }
                }
                self.repeated_teasers(id, &marks, &mut units);
            }
        }
        units.retain(|&(id, _)| !own(id));
        if units.is_empty() {
            return Vec::new();
        }
        // The strongest of each unit's marks.
        units.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        units.dedup_by_key(|u| u.0);
        let outermost = |units: &[(NodeId, Teaser)]| -> Vec<NodeId> {
            let mut out: Vec<NodeId> = Vec::new();
            for &(id, _) in units {
                if out.last().is_none_or(|&o| self.dom.subtree(o).end <= id) {
                    out.push(id);
                }
            }
            out
        };
        let chars = |ids: &[NodeId]| ids.iter().map(|&id| self.stats[id].chars).sum::<usize>();
        // Linked headlines alone say less: units showing only them go when a heading says
        // other posts follow, or when they follow all of the article's text and are less of
        // it than half (a list of books with links to a shop is an article of its own).
        let everything = outermost(&units);
        let trailing = chars(&everything) * 2 < total
            && everything
                .last()
                .is_some_and(|&last| !self.text_after(last, roots, &everything));
        units.retain(|&(id, t)| {
            t == Teaser::Strong || trailing || self.introduced_as_others(id, roots)
        });
        let mut cut = outermost(&units);
        if headline.is_none()
            && total - chars(&cut) < MIN_ARTICLE_CHARS
            && !self.shows_headline(title)
        {
            return Vec::new();
        }
        // A container of teasers and their heading ("You may also like") goes whole.
        loop {
            let grown: Vec<(NodeId, Teaser)> = cut
                .iter()
                .map(|&id| {
                    let container = self.dom.nodes[id].parent.filter(|&p| {
                        let inside = self.dom.subtree(p);
                        let teasers = chars(
                            &cut.iter()
                                .copied()
                                .filter(|c| inside.contains(c))
                                .collect::<Vec<_>>(),
                        );
                        p != top
                            && !headline.is_some_and(|h| h == p || self.is_ancestor(p, h))
                            && roots.iter().any(|&r| r == p || self.is_ancestor(r, p))
                            && self.stats[p].chars - teasers < MIN_PARAGRAPH_CHARS
                    });
                    (container.unwrap_or(id), Teaser::Strong)
                })
                .collect();
            let grown = outermost(&grown);
            if grown == cut {
                return cut;
            }
            cut = grown;
        }
    }

    /// Whether the roots hold text of a paragraph's length after the subtree of `id`, other
    /// than in `units` (in document order, none inside another).
    fn text_after(&self, id: NodeId, roots: &[NodeId], units: &[NodeId]) -> bool {
        let from = self.dom.subtree(id).end;
        roots.iter().any(|&root| {
            let range = self.dom.subtree(root);
            (from.max(range.start)..range.end).any(|n| {
                matches!(self.dom.nodes[n].data, Data::Text(_))
                    && !self.dead[n]
                    && self.block_chars(n) >= MIN_PARAGRAPH_CHARS
                    && !units[..units.partition_point(|&u| u <= n)]
                        .last()
                        .is_some_and(|&u| self.dom.subtree(u).contains(&n))
            })
        })
    }

    /// Whether a heading before `id` or its container says that other posts follow ("You may
    /// also like", "More stories", "Related").
    fn introduced_as_others(&self, id: NodeId, roots: &[NodeId]) -> bool {
        let mut at = id;
        for _ in 0..3 {
            if roots.contains(&at) {
                break;
            }
            let Some(p) = self.dom.nodes[at].parent else {
                break;
            };
            let before = self.dom.children(p).iter().take_while(|&&c| c != at);
            let says = before.into_iter().any(|&c| {
                let range = self.dom.subtree(c);
                range.len() <= 8
                    && range
                        .clone()
                        .any(|h| matches!(self.dom.tag(h), Some(Tag::Heading(_))))
                    && OTHER_POSTS.is_match(&self.dom.text(c))
            });
            if says {
                return true;
            }
            at = p;
        }
        false
    }

    /// The children of `parent` that repeat (same tag and first class, as a template writes
    /// the teasers of a list), when most of them show a teaser's marks.
    fn repeated_teasers(&self, parent: NodeId, marks: &[u8], units: &mut Vec<(NodeId, Teaser)>) {
        let mut members: Vec<(Tag, &str, NodeId)> = self
            .dom
            .children(parent)
            .iter()
            .filter(|&&c| !self.dead[c])
            .filter_map(|&c| {
                let el = self.dom.element(c)?;
                let unit = matches!(
                    el.tag,
                    Tag::Article | Tag::Div | Tag::Section | Tag::Li | Tag::Block
                );
                unit.then(|| {
                    (
                        el.tag,
                        el.class().split_whitespace().next().unwrap_or(""),
                        c,
                    )
                })
            })
            .collect();
        if members.len() < 2 {
            return;
        }
        members.sort_unstable();
        for group in members.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let showing = group
                .iter()
                .filter(|m| teaser(marks[m.2]) > Teaser::No)
                .count();
            if showing >= 2 && showing * 2 >= group.len() {
                units.extend(
                    group
                        .iter()
                        .map(|m| (m.2, teaser(marks[m.2]).max(Teaser::Weak))),
                );
            }
        }
    }

    /// What each node under `roots` and its descendants show of a teaser ([`LINKED_HEADING`],
    /// [`CUT`], [`READ_MORE`], [`LINK`]).
    fn teaser_marks(&self, roots: &[NodeId]) -> Vec<u8> {
        let mut marks = vec![0u8; self.dom.nodes.len()];
        for &root in roots {
            for id in self.dom.subtree(root).rev() {
                let own = match &self.dom.nodes[id].data {
                    Data::Text(t)
                        if ends_in_ellipsis(t) && self.block_chars(id) >= MIN_PARAGRAPH_CHARS =>
                    {
                        CUT
                    }
                    Data::Text(_) => 0,
                    Data::Element(el) => match el.tag {
                        Tag::A if el.in_page => 0,
                        Tag::A if self.says_read_more(id) => LINK | READ_MORE,
                        Tag::A => LINK,
                        Tag::Heading(_) if self.is_link(id) => LINKED_HEADING,
                        _ => 0,
                    },
                };
                marks[id] |= own;
                if id != root
                    && let Some(p) = self.dom.nodes[id].parent
                {
                    marks[p] |= marks[id];
                }
            }
        }
        marks
    }

    /// The characters of the block that the text node `id` is in.
    fn block_chars(&self, mut id: NodeId) -> usize {
        while let Some(p) = self.dom.nodes[id].parent {
            id = p;
            if self.dom.tag(p).is_some_and(Tag::is_block) {
                break;
            }
        }
        self.stats[id].chars
    }

    /// Whether the text of the element `id` is mostly inside links (counted whether or not
    /// it is left out as boilerplate: templates put headlines in `<header>`).
    fn is_link(&self, id: NodeId) -> bool {
        let (mut chars, mut linked) = (0, 0);
        for n in self.dom.subtree(id) {
            if let Data::Text(t) = &self.dom.nodes[n].data {
                let c = t.chars().filter(|c| !c.is_whitespace()).count();
                chars += c;
                let mut at = n;
                while let Some(p) = self.dom.nodes[at].parent.filter(|_| at != id) {
                    if self
                        .dom
                        .element(p)
                        .is_some_and(|el| el.tag == Tag::A && !el.in_page)
                    {
                        linked += c;
                        break;
                    }
                    at = p;
                }
            }
        }
        chars > 0 && linked * 2 >= chars
    }

    /// Whether the link `id` says "read more" (in the words templates use).
    fn says_read_more(&self, id: NodeId) -> bool {
        let range = self.dom.subtree(id);
        if range.len() > 8 {
            return false;
        }
        let text = self.dom.text(id);
        if text.len() > 80 {
            return false;
        }
        let folded = fold_label(&text);
        [
            "read more",
            "continue reading",
            "keep reading",
            "read the full",
            "read full",
            "full story",
        ]
        .iter()
        .any(|p| folded.starts_with(p))
            || matches!(
                folded.as_str(),
                "read on"
                    | "view more"
                    | "see more"
                    | "阅读全文"
                    | "查看全文"
                    | "阅读更多"
                    | "全文"
                    | "详细"
                    | "详情"
            )
    }
}

/// Whether a text ends in an ellipsis, as excerpts cut short do ("…", "...", "[…]").
fn ends_in_ellipsis(text: &str) -> bool {
    let t = text
        .trim_end()
        .trim_end_matches([']', ')', '】'])
        .trim_end();
    t.ends_with('…') || t.ends_with("...")
}

/// `s` without white space.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use crate::extract::generic::extract;

    const ARTICLE: [&str; 3] = [
        "The harbour council met on Monday evening to discuss the new budget for the coming year.",
        "Several members said the fees for every berth would rise, and the fishermen were not pleased.",
        "The mayor, who chaired the meeting, promised a second vote before the end of the summer.",
    ];
    const EXCERPTS: [(&str, &str); 4] = [
        (
            "Ferry timetable changes",
            "The ferry company said on Friday, in a statement to passengers, that the summer \
             timetable would start two weeks later than planned, because two of its boats need",
        ),
        (
            "Fish market reopens",
            "The fish market on the quay reopens next week after a year of building work, with \
             new stalls, a cold store and a café that the town hopes will bring visitors back",
        ),
        (
            "Beach cleaned",
            "Volunteers cleaned the beach on Sunday and collected more than two hundred kilos of \
             plastic, most of it fishing nets and bottles washed up by the winter storms",
        ),
        (
            "Sailing school is free",
            "The sailing school opens its doors to children from the town for free this summer, \
             thanks to a gift from a local family who learned to sail there years ago",
        ),
    ];

    fn body(html: &str) -> Vec<String> {
        extract(html)
            .unwrap()
            .blocks
            .iter()
            .map(|b| b.text.trim().to_owned())
            .collect()
    }

    fn page(main: &str) -> String {
        format!(
            "<title>Harbour budget passes | Harbour Times</title><nav><a href=/>Home</a></nav>\
             <main class=site-main>{main}</main><footer>Copyright</footer>"
        )
    }

    fn paragraphs() -> String {
        ARTICLE.iter().map(|p| format!("<p>{p}</p>")).collect()
    }

    /// Teasers of other posts after the article, inside it or beside it, in the ways templates
    /// write them: the headline a link before or after the excerpt, or missing; the excerpt
    /// cut short, or followed by "Read more".
    #[test]
    fn teasers_of_other_posts_are_not_the_article() {
        let wordpress = |i: usize, (title, excerpt): (&str, &str)| {
            format!(
                r#"<article id="post-{i}" class="post-{i} post type-post has-post-thumbnail hentry">
                <div class=post-thumbnail><a href="/{i}/"><img src="/{i}.jpg"></a></div>
                <div class=entry-share><a href=#fb>Facebook</a> <a href=#tw>Twitter</a></div>
                <header class=entry-header><h3 class=entry-title><a href="/{i}/" rel=bookmark>{title}</a></h3></header>
                <div class=entry-summary><p>{excerpt} [&hellip;]</p></div></article>"#
            )
        };
        let blogger = |i: usize, (title, excerpt): (&str, &str)| {
            format!(
                r#"<div class=post><a class=post-image href="/{i}.html"><img src="/{i}.jpg"></a>
                <p>{excerpt}.</p><a class=more href="/{i}.html">Read more &raquo;</a>
                <h2 class=post-title><a href="/{i}.html">{title}</a></h2></div>"#
            )
        };
        let news = |i: usize, (_, excerpt): (&str, &str)| {
            format!(
                r#"<article class=story-card><a class=story-card__media href="/news/{i}"><img src="/{i}.jpg"></a>
                <p class=story-card__summary>{excerpt}…</p><span class=story-card__time>2 hours ago</span></article>"#
            )
        };
        let drupal = |i: usize, (title, excerpt): (&str, &str)| {
            format!(
                r#"<div class="views-row views-row-{i}"><article class="node node--view-mode-teaser">
                <h2 class=node__title><a href="/node/{i}"><span>{title}</span></a></h2>
                <div class=node__content><p>{excerpt}.</p></div></article></div>"#
            )
        };
        type Teaser = fn(usize, (&str, &str)) -> String;
        let styles: [(&str, Teaser); 4] = [
            ("wordpress", wordpress),
            ("blogger", blogger),
            ("news", news),
            ("drupal", drupal),
        ];
        for (style, teaser) in styles {
            let teasers: String = EXCERPTS
                .iter()
                .enumerate()
                .map(|(i, &e)| teaser(i + 50, e))
                .collect();
            let article = |content: &str, after: &str| {
                format!(
                    r#"<article class="post-1 post hentry"><header><h1 class=entry-title>Harbour budget passes</h1></header>
                    <div class=entry-content>{}{content}</div>{after}</article>"#,
                    paragraphs()
                )
            };
            let boxed =
                format!("<div class=you-may-also-like><h3>You may also like</h3>{teasers}</div>");
            let section = format!("<section><h2>More from the blog</h2>{teasers}</section>");
            for (place, html) in [
                ("in the content", page(&article(&boxed, ""))),
                ("in the article", page(&article("", &section))),
                ("after it", page(&format!("{}{section}", article("", "")))),
            ] {
                assert_eq!(body(&html), ARTICLE, "{style}, {place}");
            }
        }
    }

    /// Headings that are links do not make a list a list of other posts when it is the
    /// article (books with links to a shop), and entries of a live blog are its text.
    #[test]
    fn lists_that_are_the_article_stay() {
        let books: String = EXCERPTS
            .iter()
            .map(|(title, text)| {
                format!(
                    r#"<div class=product><h3><a href="https://shop.test/b">{title}</a></h3>
                    <a href="https://shop.test/b"><img src=/b.jpg></a><p>{text}.</p></div>"#
                )
            })
            .collect();
        let html = page(&format!(
            "<article><h1>Harbour budget passes</h1><div class=entry-content><p>{}</p>{books}<p>{}</p></div></article>",
            ARTICLE[0], ARTICLE[1]
        ));
        // (Headings that are all link are left out, as they always were.)
        let mut expected = vec![ARTICLE[0].to_owned()];
        expected.extend(EXCERPTS.iter().map(|(_, text)| format!("{text}.")));
        expected.push(ARTICLE[1].to_owned());
        assert_eq!(body(&html), expected);

        let entries: String = EXCERPTS
            .iter()
            .enumerate()
            .map(|(i, (title, text))| {
                format!(
                    r#"<article class=live-entry id=entry-{i}><h3>10:{i}0 {title}</h3><p>{text}.</p>
                    <div class=share><a href=#entry-{i}>Share</a></div></article>"#
                )
            })
            .collect();
        let html = page(&format!(
            "<div class=live><h1>Harbour budget passes</h1><p>{}</p><div class=entries>{entries}</div></div>",
            ARTICLE[0]
        ));
        let mut expected = vec![ARTICLE[0].to_owned()];
        for (i, (title, text)) in EXCERPTS.iter().enumerate() {
            expected.extend([format!("10:{i}0 {title}"), format!("{text}.")]);
        }
        assert_eq!(body(&html), expected);

        // "(More)" that leads to a section of the page is no teaser's "Read more".
        let contents: String = ["The vote", "The fees", "What comes next"]
            .iter()
            .map(|s| {
                format!(
                    "<li class=toc>{s}: what the council decided. (<a href=\"#s\">More</a>)</li>"
                )
            })
            .collect();
        let html = page(&format!(
            "<article><h1>Harbour budget passes</h1>{}<ul>{contents}</ul></article>",
            paragraphs()
        ));
        assert_eq!(body(&html).len(), 6);
    }
}
