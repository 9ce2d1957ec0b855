//! Outlines of parsed trees, to check that our tokenizer builds the tree html5ever's own
//! tokenizer builds (unit tests and the `tokenizer` fuzz target).
//!
//! The trees compared are both held to the same [`Gate`] and attribute limits, applied to the
//! tokens of each tokenizer before the tree builder sees them: what is compared is the
//! tokenizing.

use super::limits::{Gate, MAX_ATTRIBUTES};
use super::parse;
use super::tokenizer::{Attributes, is_formatting, kept_attribute};
use super::tree::{RawData, RawId, Tree};
use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts, TreeSink};
use std::cell::RefCell;

/// The outlines of the tree our tokenizer builds and of the one html5ever's own tokenizer
/// builds from the same page, or `None` when the page is refused.
pub fn both(html: &str) -> Option<(String, String)> {
    let ours = outline(&parse::document(html, Attributes::Read).ok()?);
    let theirs = outline(&html5ever_tree(html));
    Some((ours, theirs))
}

/// The tree html5ever's tokenizer and tree builder make of `html`, with the tags our tokenizer
/// holds back held back, and the attributes it leaves out left out.
fn html5ever_tree(html: &str) -> Tree {
    let builder = TreeBuilder::new(
        parse::Sink::for_page(html, Attributes::Read),
        TreeBuilderOpts::default(),
    );
    let gated = Gated {
        inner: builder,
        gate: RefCell::new(Gate::default()),
    };
    let tokenizer = Tokenizer::new(gated, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.inner.sink.finish()
}

/// A token sink that applies our tokenizer's limits to another tokenizer's tokens.
struct Gated<S> {
    inner: S,
    gate: RefCell<Gate>,
}

impl<S: TokenSink> TokenSink for Gated<S> {
    type Handle = S::Handle;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<S::Handle> {
        let token = match token {
            Token::TagToken(mut tag) => {
                let start = tag.kind == TagKind::StartTag;
                let admitted =
                    self.gate
                        .borrow_mut()
                        .admit(start, tag.name.as_bytes(), tag.self_closing);
                if !admitted {
                    return TokenSinkResult::Continue;
                }
                tag.attrs.truncate(MAX_ATTRIBUTES);
                if !is_formatting(&tag.name) {
                    tag.attrs
                        .retain(|a| kept_attribute(&a.name.local).is_some());
                }
                Token::TagToken(tag)
            }
            token => token,
        };
        self.inner.process_token(token, line)
    }

    fn end(&self) {
        self.inner.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

fn children_rev(tree: &Tree, id: RawId) -> impl Iterator<Item = RawId> + '_ {
    std::iter::successors(tree.last_child(id), |&c| tree.prev_sibling(c))
}

/// The elements (with the attributes kept) and texts of a tree, adjacent texts joined;
/// comments leave no trace.
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
            RawData::Document | RawData::Other => {
                stack.extend(children_rev(tree, id).map(|c| (c, false)))
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::limits::MAX_DEPTH;

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

    /// Past the limits the two trees are still alike: the same tags are held back.
    #[test]
    fn both_tokenizers_are_held_to_the_same_limits() {
        let n = MAX_DEPTH + 20;
        let many: String = (0..MAX_ATTRIBUTES + 10)
            .map(|i| format!(" a{i}=1 a{i}=2 b{i}"))
            .collect();
        let pages = [
            format!(
                "{}<b>deep</b><p>x{}<p>after",
                "<div>".repeat(n),
                "</div>".repeat(n)
            ),
            format!(
                "{}<i><script></script></i>{}",
                "<b>".repeat(n),
                "</b>".repeat(n)
            ),
            format!("<p class=keep{many}>text</p><b{many} class=x>b</b><b{many} class=x>c"),
            format!("<b{many}><b{many}><b{many}><b{many}><p>again"),
        ];
        for html in pages {
            let (ours, html5ever) = both(&html).unwrap();
            assert_eq!(ours, html5ever, "{html}");
        }
    }
}
