//! A subtree of the [`Dom`] written out as [`Block`]s: headings, paragraphs, list items and
//! quotes, one per block-level element or `<br>`, walked without recursion.
//!
//! An element a script is to reveal ([`super::dom::Element::concealed`]) is written when it
//! holds the article: when it is the root written or holds most of its text (WeChat hides its
//! articles' bodies so until a script has run). Any other is what it looks like, a tooltip or
//! a menu waiting to be shown, and is left out.

use super::dom::{Data, Dom, NodeId, Tag};
use super::{Block, BlockKind};

/// Links with more text than this are not navigation but text that a page made clickable
/// whole (an article wrapped in one `<a>`): their text does not count as link text.
pub const LONG_LINK_CHARS: usize = 300;

/// Writes the text under each of `roots`, leaving out the subtrees for which
/// `skip(node, root)` holds, and the concealed elements that do not hold the article. Blocks
/// that are nothing but a link (a related story, "read more") are left out too.
pub fn write(dom: &Dom, roots: &[NodeId], skip: impl Fn(NodeId, NodeId) -> bool) -> Vec<Block> {
    enum Step {
        Enter(NodeId),
        Leave(Option<BlockKind>),
        LeaveLink,
    }
    let mut w = BlockWriter::default();
    for &root in roots {
        // Counted when a concealed element asks: most roots have none.
        let mut root_chars = None;
        let mut stack = vec![Step::Enter(root)];
        while let Some(step) = stack.pop() {
            let id = match step {
                Step::Enter(id) => id,
                Step::Leave(kind) => {
                    w.end_block();
                    if kind.is_some() {
                        w.kinds.pop();
                    }
                    continue;
                }
                Step::LeaveLink => {
                    w.link_depth = w.link_depth.saturating_sub(1);
                    continue;
                }
            };
            if skip(id, root) {
                continue;
            }
            match &dom.nodes[id].data {
                Data::Text(t) => w.text(t),
                Data::Element(el) => {
                    if el.concealed && id != root {
                        let half =
                            *root_chars.get_or_insert_with(|| text_chars(dom, root, None)) / 2;
                        if text_chars(dom, id, Some(half)) <= half {
                            continue;
                        }
                    }
                    if el.tag == Tag::Br || el.tag == Tag::Hr {
                        w.end_block();
                        continue;
                    }
                    if el.tag.is_block() {
                        w.end_block();
                        let kind = special_kind(el.tag);
                        if let Some(k) = kind {
                            w.kinds.push(k);
                        }
                        stack.push(Step::Leave(kind));
                    } else if el.tag == Tag::A
                        && text_chars(dom, id, Some(LONG_LINK_CHARS)) <= LONG_LINK_CHARS
                    {
                        w.link_depth += 1;
                        stack.push(Step::LeaveLink);
                    }
                    for &c in dom.children(id).iter().rev() {
                        stack.push(Step::Enter(c));
                    }
                }
            }
        }
    }
    w.finish()
}

/// The characters other than white space of the text under `id`, counted up to one past
/// `limit` when there is one.
fn text_chars(dom: &Dom, id: NodeId, limit: Option<usize>) -> usize {
    let mut chars = 0;
    for n in dom.subtree(id) {
        if let Data::Text(t) = &dom.nodes[n].data {
            chars += t.chars().filter(|c| !c.is_whitespace()).count();
            if limit.is_some_and(|l| chars > l) {
                break;
            }
        }
    }
    chars
}

fn special_kind(tag: Tag) -> Option<BlockKind> {
    match tag {
        Tag::Heading(_) => Some(BlockKind::Heading),
        Tag::Li | Tag::Dt | Tag::Dd => Some(BlockKind::ListItem),
        Tag::Blockquote => Some(BlockKind::Quote),
        Tag::Pre => Some(BlockKind::Preformatted),
        Tag::Figcaption => Some(BlockKind::Caption),
        _ => None,
    }
}

/// Accumulates inline text into blocks.
#[derive(Default)]
struct BlockWriter {
    blocks: Vec<Block>,
    current: String,
    /// Non-space characters of `current`, and how many of them are inside links.
    chars: usize,
    link_chars: usize,
    /// How many `<a>` elements are open.
    link_depth: usize,
    /// Kinds of the open special blocks; the innermost one names the current block.
    kinds: Vec<BlockKind>,
}

impl BlockWriter {
    fn text(&mut self, t: &str) {
        let n = t.chars().filter(|c| !c.is_whitespace()).count();
        self.chars += n;
        if self.link_depth > 0 {
            self.link_chars += n;
        }
        self.current.push_str(t);
    }

    fn end_block(&mut self) {
        let chars = std::mem::take(&mut self.chars);
        let link_chars = std::mem::take(&mut self.link_chars);
        if chars == 0 || link_chars * 10 >= chars * 9 {
            self.current.clear();
            return;
        }
        let kind = self.kinds.last().copied().unwrap_or(BlockKind::Paragraph);
        self.blocks.push(Block {
            kind,
            text: std::mem::take(&mut self.current),
        });
    }

    fn finish(mut self) -> Vec<Block> {
        self.end_block();
        self.blocks
    }
}
