//! Pages of git-scraping mirrors: an article's HTML wrapped in Markdown.
//!
//! The format: line 1 is `### <title>`, then a rule (`-----`), then the mirror's `####` nav and
//! promo lines, the article HTML (with more `####` promo lines and Markdown links injected inside
//! it), and a footer (share block, 原文链接/原文地址, a tracking `<img>`). Mirrors rewrite their
//! wrapping in bulk (promo links, proxy addresses) around an unchanged article, so everything the
//! mirror adds is dropped here, by its format, and only the newsroom's text is kept.

use super::limits::TooManyElements;
use super::parse;
use super::tokenizer::Attributes;
use super::tree::{RawData, RawElement, RawId, Tree};
use super::{Article, Block, BlockKind};
use html5ever::local_name;
use regex::Regex;
use std::sync::LazyLock;

/// Whether `text` is a mirror page: a `### ` title line, a Markdown rule right after it, and a
/// body that carries HTML tags or the mirror's `####` lines.
pub fn is_mirror_page(text: &str) -> bool {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let first = lines.next().unwrap_or("");
    let second = lines.next().unwrap_or("");
    let has_title = first
        .strip_prefix("### ")
        .is_some_and(|t| !t.trim().is_empty());
    has_title
        && is_rule(second)
        && lines.any(|l| {
            let l = l.trim_start();
            l.starts_with("####") || l.starts_with('<')
        })
}

/// Extracts the title line and one block per HTML block of the article.
pub fn extract(text: &str) -> Result<Article, TooManyElements> {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let title = lines.next().unwrap_or("");
    let title = title.strip_prefix("###").unwrap_or(title).trim().to_owned();
    let html = unwrap_markdown(lines);
    // The article HTML is the inside of a `<body>`: a fragment.
    let tree = parse::fragment(&html, Attributes::Read)?;
    let mut walker = Walker::default();
    if let Some(root) = tree.first_child(0) {
        walker.walk(&tree, root);
    }
    walker.flush();
    Ok(Article {
        title,
        blocks: walker.blocks,
        source_url: original_url(text),
        ..Article::default()
    })
}

/// Labels of the footer line where a mirror names the article it copied.
const ORIGINAL_LABELS: &[&str] = &["原文链接", "原文連結", "原文地址", "原文網址", "原文网址"];

/// The URL after the footer's "original article" label (`原文地址（需翻墙访问）：https://…`).
fn original_url(text: &str) -> Option<String> {
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'）)]+"#).expect("valid regex"));
    text.lines().rev().find_map(|line| {
        let at = ORIGINAL_LABELS
            .iter()
            .filter_map(|label| line.find(label))
            .min()?;
        URL.find(&line[at..]).map(|m| m.as_str().to_owned())
    })
}

/// The article HTML with the mirror's Markdown removed: `####` lines, rules, and Markdown
/// links and images wherever they were injected.
fn unwrap_markdown<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    // `[text](url)` and `![alt](url)`, allowing one level of brackets in the text
    // (`[[视频] 标题](…)`) and of parentheses in the URL.
    static MARKDOWN_LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)")
            .expect("valid regex")
    });
    let kept: Vec<&str> = lines
        .filter(|l| !l.trim_start().starts_with("####") && !is_rule(l))
        .collect();
    MARKDOWN_LINK.replace_all(&kept.join("\n"), "").into_owned()
}

/// A Markdown rule or setext underline: three or more `-`, `=`, `*` or `_` and nothing else.
fn is_rule(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 3
        && line
            .chars()
            .all(|c| matches!(c, '-' | '=' | '*' | '_' | ' '))
        && line.chars().filter(|&c| c != ' ').count() >= 3
}

/// Walks the HTML and cuts its text into blocks: a block ends where a block element (or a
/// `<br>`) begins or ends, so inline markup (links, tag words, bold) stays inside its paragraph.
#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    text: String,
    /// Kinds of the block elements we are inside, innermost last.
    open: Vec<BlockKind>,
    /// Whether the current block holds an image: its text is then the image's caption.
    has_image: bool,
}

impl Walker {
    /// Visits the tree under `root` in document order without recursion, so that a page of
    /// deeply nested tags cannot exhaust the stack.
    fn walk(&mut self, tree: &Tree, root: RawId) {
        let name = |id: RawId| tree.element(id).map(|el| &*el.name.local);
        let mut next = tree.first_child(root);
        while let Some(node) = next {
            let entered = match &tree.nodes[node].data {
                RawData::Text(text) => {
                    self.text.push_str(text);
                    false
                }
                RawData::Element(el) => self.open_element(el),
                _ => false,
            };
            if entered {
                if let Some(child) = tree.first_child(node) {
                    next = Some(child);
                    continue;
                }
                self.close_element(name(node));
            }
            // Climb until a sibling is found, closing the elements we leave.
            let mut at = node;
            next = loop {
                if let Some(sibling) = tree.next_sibling(at) {
                    break Some(sibling);
                }
                match tree.parent(at) {
                    Some(parent) if parent != root => {
                        self.close_element(name(parent));
                        at = parent;
                    }
                    _ => break None,
                }
            };
        }
    }

    /// Handles an element's start; returns whether to walk into it.
    fn open_element(&mut self, element: &RawElement) -> bool {
        if is_noise(element) {
            return false;
        }
        let name = &*element.name.local;
        match name {
            "br" | "hr" => self.flush(),
            "img" => self.has_image = true,
            _ => {
                if let Some(kind) = block_kind(name) {
                    self.flush();
                    self.has_image = false;
                    self.open.push(kind);
                }
                return true;
            }
        }
        false
    }

    /// Handles the end of an element that was walked into.
    fn close_element(&mut self, name: Option<&str>) {
        if name.and_then(block_kind).is_some() {
            self.flush();
            self.has_image = false;
            self.open.pop();
        }
    }

    /// Ends the current block, keeping it unless it is empty or footer boilerplate. An image
    /// stays pending across a `<br>` that ends an empty block: the caption follows it.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.text);
        let trimmed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if trimmed.is_empty() {
            return;
        }
        let has_image = std::mem::take(&mut self.has_image);
        if is_boilerplate(&trimmed) {
            return;
        }
        let kind = match self.open.last().copied().unwrap_or(BlockKind::Paragraph) {
            BlockKind::Paragraph if has_image => BlockKind::Caption,
            kind => kind,
        };
        self.blocks.push(Block { kind, text });
    }
}

fn block_kind(name: &str) -> Option<BlockKind> {
    Some(match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dt" | "dd" => BlockKind::ListItem,
        "blockquote" => BlockKind::Quote,
        "figcaption" | "caption" => BlockKind::Caption,
        "pre" => BlockKind::Preformatted,
        "p" | "div" | "section" | "article" | "header" | "footer" | "aside" | "main" | "nav"
        | "center" | "figure" | "address" | "table" | "tr" | "td" | "th" | "ul" | "ol" | "dl"
        | "details" | "summary" | "body" | "html" => BlockKind::Paragraph,
        _ => return None,
    })
}

/// Elements whose text is never article text: code, embeds, forms, ads, hidden elements and
/// the publication-time box (news sites restamp it on every render).
fn is_noise(el: &RawElement) -> bool {
    let name = &*el.name.local;
    if matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "audio"
            | "video"
            | "ins"
            | "form"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "head"
            | "title"
            | "time"
    ) {
        return true;
    }
    let hidden = super::dom::hidden(|n| el.attr(n));
    let classes = el.attr(local_name!("class")).unwrap_or("");
    let id = el.attr(local_name!("id"));
    let ad_or_date = classes.split_ascii_whitespace().chain(id).any(|name| {
        let name = name.to_ascii_lowercase();
        matches!(
            name.as_str(),
            "published"
                | "date"
                | "time"
                | "timestamp"
                | "pubdate"
                | "publish-time"
                | "publish-date"
                | "adsbygoogle"
                | "advertisement"
                | "ad"
                | "ads"
        ) || name.starts_with("div-gpt-ad")
    });
    hidden || ad_or_date
}

/// Footer lines the mirror or the news site add to every article (source and copyright lines,
/// short links, share prompts, subscription appeals, bare URLs), and what is left of a promo
/// line once its links are gone (emoji and `|` separators).
fn is_boilerplate(text: &str) -> bool {
    let separators_only = text.chars().all(|c| {
        c.is_whitespace()
            || matches!(c, '|' | '｜' | '\u{2600}'..='\u{27BF}' | '\u{FE0F}')
            || c >= '\u{1F000}'
    });
    if separators_only {
        return true;
    }
    const PREFIXES: &[&str] = &[
        "本文短网址",
        "本文短網址",
        "本文网址",
        "本文網址",
        "来源：",
        "来源:",
        "來源：",
        "來源:",
        "文章来源",
        "文章來源",
        "诚征荣誉会员",
        "誠徵榮譽會員",
    ];
    const SHORT_MARKERS: &[&str] = &["版权所有", "版權所有", "分享本文", "分享到", "Copyright ©"];
    let stripped = text.trim_start_matches(['【', '[', '（', '(', ' ']);
    if PREFIXES
        .iter()
        .chain(ORIGINAL_LABELS)
        .any(|p| stripped.starts_with(p))
    {
        return true;
    }
    let short = text.chars().count() <= 80;
    if short && SHORT_MARKERS.iter().any(|m| text.contains(m)) {
        return true;
    }
    // A bare URL (the mirror's own address in the share block) is not text.
    !text.contains(' ')
        && (text.starts_with("http://") || text.starts_with("https://") || text.starts_with("www."))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"### 某市宣布新政策(图)
------------------------

#### [首页](../../README.md) &nbsp;|&nbsp; [翻墙教程](https://example.org/guide)

<div class="article">
 <p style="text-align:center">
  <img alt="图片说明不算正文" src="https://img.example.org/1.jpg"/>
  <br>
   市政府大楼。（图片来源：示例社）
   <span id="hideid" style="color:red; display: none;"><span>隐藏的字</span></span>
  </br>
 </p>

---

#### [ 🔥 推广视频](http://192.0.2.1:10000/videos/index.html)

 <p>
  【示例社2020年8月2日讯】某市
  <span href="https://example.org/tag/政府">政府</span>
  周一宣布新政策。[ 🎬 注入的链接](http://192.0.2.2/x.html)
 </p>
💥 [[视频] 推广](http://192.0.2.3/a_(b).html)&nbsp; |&nbsp; ![](http://192.0.2.3/i.png)
 <h4>各方反应</h4>
 <script>var ad = "广告";</script>
 <ins class="adsbygoogle">广告位</ins>
 <p>市民表示欢迎。</p>
 <p>【诚征荣誉会员】溪流能够汇成大海，小善可以成就大爱。</p>
</div>

<hr/>
手机上长按并复制下列链接或二维码分享本文章：<br/>
https://github.com/example/mirror/blob/master/pages/1.md <br/>
原文地址（需翻墙访问）：https://news.example.org/2020/08/02/1.html


------------------------
#### [首页](https://example.org/README.md)

<img src='http://tracker.example.org/pages/1.md' width='0px' height='0px'/>
"#;

    #[test]
    fn recognises_the_mirror_format() {
        assert!(is_mirror_page(PAGE));
        assert!(!is_mirror_page("<html><p>### not a mirror</p></html>"));
        assert!(!is_mirror_page("### A heading\nSome markdown text."));
    }

    #[test]
    fn keeps_article_blocks_and_drops_the_wrapping() {
        let article = extract(PAGE).unwrap();
        assert_eq!(article.title, "某市宣布新政策(图)");
        let blocks: Vec<(BlockKind, String)> = article
            .blocks
            .iter()
            .map(|b| {
                (
                    b.kind,
                    b.text.split_whitespace().collect::<Vec<_>>().join(" "),
                )
            })
            .collect();
        assert_eq!(
            blocks,
            vec![
                (
                    BlockKind::Caption,
                    "市政府大楼。（图片来源：示例社）".to_owned()
                ),
                (
                    BlockKind::Paragraph,
                    "【示例社2020年8月2日讯】某市 政府 周一宣布新政策。".to_owned()
                ),
                (BlockKind::Heading, "各方反应".to_owned()),
                (BlockKind::Paragraph, "市民表示欢迎。".to_owned()),
            ]
        );
    }

    #[test]
    fn walks_out_of_deeply_nested_tags() {
        let depth = 2_000;
        let page = format!(
            "### 标题\n-----\n{}<p>正文。</p>{}",
            "<div><span>".repeat(depth),
            "</span></div>".repeat(depth)
        );
        let texts: Vec<String> = extract(&page)
            .unwrap()
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(texts, vec!["正文。"]);
    }

    #[test]
    fn drops_the_publication_time_box() {
        let page = "### 标题\n-----\n<div class=\"published\"><span class=\"date\">\
                    <time datetime=\"2018-09-05T06:42:00+08:00\">最后更新： 2018年9月5日 06:42</time>\
                    </span></div>\n<div class=\"wsw\"><span class=\"dateline\">华盛顿 —</span>\
                    <p>正文。</p></div>\n\n原文链接：https://example.org/a/1.html\n";
        let texts: Vec<String> = extract(page)
            .unwrap()
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(texts, vec!["华盛顿 —", "正文。"]);
    }

    #[test]
    fn names_the_original_article() {
        let page = "### T\n---\n\n<p>正文。</p>\n\n原文地址（需翻墙访问）：https://news.example.org/gb/1.html <br/>\n";
        assert_eq!(
            extract(page).unwrap().source_url.as_deref(),
            Some("https://news.example.org/gb/1.html")
        );
        assert_eq!(
            extract("### T\n---\n\n<p>正文。</p>\n").unwrap().source_url,
            None
        );
    }
}
