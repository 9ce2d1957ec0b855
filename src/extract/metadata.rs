//! What a page says about its article outside the body: title, byline, publication date and
//! language, read from JSON-LD, OpenGraph and `<meta>` tags, `<title>` and the page's headings.
//!
//! The title needs care: `<title>` carries the site name (`Headline_Channel_Site`,
//! `Headline | Site`), headings carry section names, and `og:title` is missing on older pages.
//! The article's title is the longest short text of the page that `<title>` contains, a
//! heading before any other (breadcrumbs repeat the channel names); failing that, `<title>`
//! without its site-name segments. A heading showing that headline with a little more is the
//! headline as the page shows it, and a `<title>` that only names the site gives way to the
//! line that opens the article. So does a headline that is a name, not an article's: the site's
//! or a section's (`og:site_name`, or text the page shows only as links: logo, menu,
//! breadcrumbs), or a list of keywords (see `names_no_article`).

use super::dom::{Data, Dom, Head, NodeId, Tag};
use crate::unicode::is_cjk;
use serde_json::Value;
use std::collections::HashSet;

/// Metadata found in a page.
#[derive(Debug, Default)]
pub struct Metadata {
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub lang: Option<String>,
    /// The page's own URL as it declares it (`rel=canonical`, else `og:url`).
    pub source_url: Option<String>,
}

/// Reads the metadata of a page from its visible copy, where the headline is looked for, and
/// from what the copy gathered of the rest ([`Dom::head`]).
pub fn read(dom: &Dom) -> Metadata {
    let head = &dom.head;
    let meta = MetaTags { pairs: &head.metas };
    let ld = json_ld(head);
    let title_tag = head.title.as_deref().map(fold).unwrap_or_default();
    let declared = meta
        .get(&["og:title", "twitter:title", "headline"])
        .map(|t| fold(&t))
        .or_else(|| ld.headline.clone().map(|t| fold(&t)));
    let title = choose_title(head, dom, &title_tag, declared.as_deref());
    let published = meta
        .get(&[
            "article:published_time",
            "datepublished",
            "og:published_time",
            "pubdate",
            "publishdate",
            "publish-date",
            "dc.date.issued",
            "dc.date",
            "date",
            "sailthru.date",
        ])
        .or(ld.published)
        .or_else(|| head.itemprop_date.clone().flatten())
        .or_else(|| head.time.clone());
    let byline = meta
        .get(&[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "sailthru.author",
        ])
        .filter(|a| !a.starts_with("http"))
        .or(ld.author)
        .or_else(|| {
            head.authors
                .iter()
                .map(|a| fold(a))
                .find(|t| !t.is_empty() && t.chars().count() < 100)
        });
    let lang = head
        .lang
        .clone()
        .or_else(|| meta.get(&["content-language", "og:locale", "language"]))
        .map(|l| l.trim().replace('_', "-"))
        .filter(|l| !l.is_empty() && l.len() < 36);
    let source_url = head
        .canonical
        .as_deref()
        .map(|h| h.trim().to_owned())
        .or_else(|| meta.get(&["og:url"]))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    Metadata {
        title,
        byline,
        published,
        lang,
        source_url,
    }
}

struct MetaTags<'a> {
    pairs: &'a [(String, String)],
}

impl MetaTags<'_> {
    /// The first value for the first of `keys` present.
    fn get(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| {
            self.pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        })
    }
}

#[derive(Default)]
struct LinkedData {
    headline: Option<String>,
    published: Option<String>,
    author: Option<String>,
}

/// The first headline, datePublished and author in the page's JSON-LD, walking `@graph` and
/// arrays without recursion.
fn json_ld(head: &Head) -> LinkedData {
    let mut found = LinkedData::default();
    for script in &head.json_ld {
        let Ok(value) = serde_json::from_str::<Value>(script) else {
            continue;
        };
        let mut stack = vec![&value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(items) => stack.extend(items.iter().rev()),
                Value::Object(map) => {
                    let string = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_owned);
                    if found.headline.is_none() {
                        found.headline = string("headline");
                    }
                    if found.published.is_none() {
                        found.published = string("datePublished");
                    }
                    if found.author.is_none() {
                        found.author = map.get("author").and_then(author_name);
                    }
                    if let Some(graph) = map.get("@graph") {
                        stack.push(graph);
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn author_name(v: &Value) -> Option<String> {
    let names: Vec<&str> = match v {
        Value::String(s) => vec![s.as_str()],
        Value::Object(m) => m.get("name").and_then(Value::as_str).into_iter().collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.as_str()),
                Value::Object(m) => m.get("name").and_then(Value::as_str),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let joined = names.join(", ");
    (!joined.trim().is_empty()).then(|| fold(&joined))
}

/// Whitespace folded to single spaces, trimmed.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`fold`] of all text under `id`, without building that text first: short texts are folded
/// by the hundred on every page.
fn folded_text(dom: &Dom, id: NodeId) -> String {
    let texts = || {
        dom.subtree(id).filter_map(|n| match &dom.nodes[n].data {
            Data::Text(t) => Some(&**t),
            Data::Element(_) => None,
        })
    };
    let mut out = String::with_capacity(texts().map(str::len).sum());
    // Whether white space came since the last word.
    let mut space = false;
    for t in texts() {
        let mut words = t.split(char::is_whitespace);
        if let Some(word) = words.next() {
            space = push_word(&mut out, word, space);
        }
        for word in words {
            space = push_word(&mut out, word, true);
        }
    }
    out
}

/// Adds a word to folded text, after a space when `space` (and the text has a word already);
/// returns whether a space is still due.
fn push_word(out: &mut String, word: &str, space: bool) -> bool {
    if word.is_empty() {
        return space;
    }
    if space && !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
    false
}

/// Separators between a headline and the site or channel names in `<title>`.
const SEPARATORS: &[&str] = &[
    " | ", "｜", " - ", " – ", " — ", " :: ", " » ", "_", "|", " --", "--", "-", "–", "—", " · ",
];

fn choose_title(head: &Head, dom: &Dom, title_tag: &str, declared: Option<&str>) -> String {
    let reference = if title_tag.is_empty() {
        declared.unwrap_or("")
    } else {
        title_tag
    };
    if reference.is_empty() {
        return first_heading(head).unwrap_or_default();
    }
    // The longest short text of the page that the title contains is the headline as the page
    // shows it; it must be a good part of the title, or it is only a channel name. Spaces are
    // not compared: `<title>` often drops the one a headline has between its halves.
    let squashed_reference = squash(reference);
    let stripped = strip_site_name(reference);
    let minimum = squash(&stripped).chars().count() * 3 / 5;
    let texts = short_texts(dom, reference.len(), minimum.max(2));
    // Headings come first: breadcrumbs and menus name the channels that `<title>` names too,
    // and a channel name can be longer than the headline.
    let mut best: Option<&ShortText> = None;
    for text in &texts {
        let len = text.squashed.chars().count();
        if len < 2 || len < minimum || !squashed_reference.contains(text.squashed.as_str()) {
            continue;
        }
        if best.is_none_or(|b| (text.heading, len) > (b.heading, b.squashed.chars().count())) {
            best = Some(text);
        }
    }
    let shown_in_full =
        best.is_some_and(|b| b.squashed.chars().count() >= squash(&stripped).chars().count());
    let name = |text: &str| names_no_article(text, head, &texts, declared);
    let headline = match best {
        // A heading is the headline as shown, also when it repeats the whole `<title>`: that
        // title holds nothing but the headline.
        Some(best) if best.heading && !name(&best.text) => return best.text.clone(),
        Some(best) if best.heading => best.text.clone(),
        // Other texts repeating it (share links, bookmarks) still carry the site name.
        Some(best) if best.squashed.chars().count() > squash(&stripped).chars().count() => {
            strip_site_name(&best.text)
        }
        Some(best) => best.text.clone(),
        None => declared
            .filter(|d| !d.is_empty())
            .map_or(stripped, strip_site_name),
    };
    let named = name(&headline);
    if !named && let Some(heading) = heading_extending(&texts, &headline) {
        return heading;
    }
    // A `<title>` that names the site, a section or the article's keywords, not the article,
    // gives way to the title the page declares, if that is a headline.
    if named
        && let Some(declared) = declared.filter(|d| squash(d) != squash(&headline))
        && !declared.is_empty()
    {
        let declared = strip_site_name(declared);
        if !name(&declared) {
            return declared;
        }
    }
    // A `<title>` that the page never shows in full and that has next to nothing in common
    // with the article's opening names the site, not the article (old portals put only their
    // name there): the headline is then the line that opens the article, as it is when the
    // title is a name.
    if (named || !shown_in_full)
        && let Some((opening, lede)) = article_opening(dom)
        && (named || shared(&headline, &lede) < 0.2)
    {
        return undecorated(&opening).to_owned();
    }
    headline
}

/// Whether a title is a name or a list of them, not an article's headline: the site's name
/// (as its `og:site_name` or `application-name` says), the page's keywords or a list shaped
/// like them, or a name's few words that the page shows only as links (a logo, a section in
/// the menu and the breadcrumbs) and that the title the page declares does not hold.
fn names_no_article(text: &str, head: &Head, texts: &[ShortText], declared: Option<&str>) -> bool {
    let squashed = squash(text);
    if squashed.is_empty() {
        return false;
    }
    let meta_is = |keys: &[&str]| {
        head.metas
            .iter()
            .any(|(k, v)| keys.contains(&k.as_str()) && squash(v) == squashed)
    };
    if meta_is(&["og:site_name", "application-name"]) || is_keyword_list(text, head) {
        return true;
    }
    let chars = squashed.chars().count();
    let few_words = if squashed.chars().filter(|&c| is_cjk(c)).count() * 2 > chars {
        chars <= 10
    } else {
        text.split_whitespace().count() <= 4
    };
    let mut shown = texts.iter().filter(|t| t.squashed == squashed).peekable();
    few_words
        && shown.peek().is_some()
        && shown.all(|t| t.link)
        && declared.is_none_or(|d| !squash(d).contains(&squashed))
}

/// Whether a text is a list of terms: the page's `keywords`, or at least four terms of a few
/// Chinese or Japanese characters each (tags, not a headline's clauses).
fn is_keyword_list(text: &str, head: &Head) -> bool {
    let terms = |s: &str| -> Vec<String> {
        s.split([',', '，', '、', ';', '；', '|', '｜'])
            .map(squash)
            .filter(|t| !t.is_empty())
            .collect()
    };
    let mine = terms(text);
    if mine.len() < 3 {
        return false;
    }
    let keywords: HashSet<String> = head
        .metas
        .iter()
        .filter(|(k, _)| k == "keywords" || k == "news_keywords")
        .flat_map(|(_, v)| terms(v))
        .collect();
    mine.iter().all(|t| keywords.contains(t))
        || (mine.len() >= 4
            && mine.iter().all(|t| {
                t.chars().count() <= 6 && t.chars().all(|c| is_cjk(c) || c.is_ascii_digit())
            }))
}

/// A short text of the page (see [`short_texts`]).
struct ShortText {
    text: String,
    /// `text` without white space, as it is compared with `<title>`.
    squashed: String,
    /// Whether a heading element (`h1`–`h6`) shows this text.
    heading: bool,
    /// Whether all of it is the text of links, where this element shows it.
    link: bool,
}

/// The folded texts of the small elements of the page: those with at most 64 nodes and text
/// short enough to fit in a title of `title_bytes` (white space aside), which bounds the work
/// on huge or deeply nested pages. Of those, only headings and texts of at least `min_chars`
/// characters besides white space: a title is matched against long texts only, and menus
/// hold hundreds of short ones that are never folded that way.
fn short_texts(dom: &Dom, title_bytes: usize, min_chars: usize) -> Vec<ShortText> {
    let max_bytes = title_bytes * 2 + 64;
    let n = dom.nodes.len();
    let mut size = vec![1usize; n];
    let mut bytes = vec![0usize; n];
    let mut chars = vec![0usize; n];
    // Inside a link, then the characters of link text under each node.
    let mut in_link = vec![false; n];
    for id in 1..n {
        let parent = dom.nodes[id].parent.unwrap_or(0);
        in_link[id] = in_link[parent] || dom.tag(id) == Some(Tag::A);
    }
    let mut link_chars = vec![0usize; n];
    for id in (0..n).rev() {
        if let Data::Text(t) = &dom.nodes[id].data {
            bytes[id] = t.len();
            // Longer texts rule out every element above them anyway.
            if t.len() <= max_bytes {
                chars[id] = t.chars().filter(|c| !c.is_whitespace()).count();
                if in_link[id] {
                    link_chars[id] = chars[id];
                }
            }
        }
        if let Some(p) = dom.nodes[id].parent {
            size[p] += size[id];
            bytes[p] += bytes[id];
            chars[p] += chars[id];
            link_chars[p] += link_chars[id];
        }
    }
    let small = |id: NodeId| size[id] <= 64 && (1..=max_bytes).contains(&bytes[id]);
    let is_heading = |id: NodeId| matches!(dom.tag(id), Some(Tag::Heading(_)));
    let texts: Vec<(NodeId, String)> = (1..n)
        .filter(|&id| {
            dom.element(id).is_some() && small(id) && (chars[id] >= min_chars || is_heading(id))
        })
        .map(|id| (id, folded_text(dom, id)))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let headings: HashSet<String> = texts
        .iter()
        .filter(|(id, _)| is_heading(*id))
        .map(|(_, t)| t.clone())
        .collect();
    texts
        .into_iter()
        .map(|(id, text)| ShortText {
            squashed: squash(&text),
            heading: headings.contains(&text),
            link: link_chars[id] == chars[id],
            text,
        })
        .collect()
}

/// The heading that shows `headline` with a little more (a place name, a time) that `<title>`
/// left out, when no heading shows it as it is: the headline as the page shows it. What it adds
/// must be less than half the headline and hold no breadcrumb mark, or the heading is a
/// breadcrumb or a whole section.
fn heading_extending(texts: &[ShortText], headline: &str) -> Option<String> {
    let headline = squash(headline);
    let len = headline.chars().count();
    let headings: Vec<&str> = texts
        .iter()
        .filter(|t| t.heading)
        .map(|t| undecorated(&t.text))
        .collect();
    if headings.iter().any(|h| squash(h) == headline) {
        return None;
    }
    headings
        .into_iter()
        .filter_map(|heading| {
            let squashed = squash(heading);
            let at = squashed.find(&headline)?;
            let added = format!("{}{}", &squashed[..at], &squashed[at + headline.len()..]);
            let added_len = added.chars().count();
            (added_len * 2 <= len && !added.contains(BREADCRUMB_MARKS))
                .then_some((added_len, heading))
        })
        .min_by_key(|(added_len, _)| *added_len)
        .map(|(_, heading)| heading.to_owned())
}

/// `text` without the marks pages put before a headline to set it off (`》`, `►`, bullets):
/// they are no part of it.
fn undecorated(text: &str) -> &str {
    text.trim_start_matches(|c: char| DECORATIONS.contains(&c) || c.is_whitespace())
}

/// Marks set before a headline (see [`undecorated`]).
const DECORATIONS: &[char] = &[
    '》', '〉', '>', '＞', '»', '›', '►', '▶', '▸', '•', '·', '◎', '■', '□', '◆', '◇', '●', '○',
    '★', '☆', '→',
];

/// Marks between the steps of a breadcrumb trail.
const BREADCRUMB_MARKS: &[char] = &['>', '＞', '〉', '»', '›', '→', '|', '｜'];

/// The line that opens the article, with the article's first paragraphs (its lede): the
/// nearest line above its first paragraph of prose that shares at least half its words with
/// the lede, passing over the date, byline, caption and tool lines kept there.
fn article_opening(dom: &Dom) -> Option<(String, String)> {
    let lines = lines(dom);
    let first = lines.iter().position(|l| !l.link && is_prose(&l.text))?;
    // The lede ends at the first link: the end of a short article, or a box inside it.
    let mut lede = String::new();
    for line in lines[first..].iter().take_while(|l| !l.link) {
        if lede.chars().count() > 600 {
            break;
        }
        if is_prose(&line.text) {
            lede.push_str(&line.text);
            lede.push(' ');
        }
    }
    // The headline sits a few lines above the lede at most.
    let opening = lines[first.saturating_sub(6)..first]
        .iter()
        .rev()
        .find(|l| {
            let len = squash(&l.text).chars().count();
            // Chinese headlines never end with a full stop; captions do.
            !l.link
                && (4..=80).contains(&len)
                && !l.text.ends_with('。')
                && shared(&l.text, &lede) >= 0.5
        })?;
    Some((opening.text.clone(), lede))
}

/// One line of the page: text between two block boundaries (block elements and `<br>`).
struct Line {
    text: String,
    /// Whether any of the text is a link's.
    link: bool,
}

/// The page's lines, in document order.
fn lines(dom: &Dom) -> Vec<Line> {
    let n = dom.nodes.len();
    // Node ids are in document order, so a subtree is the ids from its root to its `end`.
    let mut end: Vec<NodeId> = (1..=n).collect();
    for id in (1..n).rev() {
        if let Some(p) = dom.nodes[id].parent {
            end[p] = end[p].max(end[id]);
        }
    }
    let mut in_link = vec![false; n];
    let mut lines = Vec::new();
    let mut current = Line {
        text: String::new(),
        link: false,
    };
    let mut open: Vec<NodeId> = Vec::new();
    let flush = |current: &mut Line, lines: &mut Vec<Line>| {
        let text = fold(&current.text);
        if !text.is_empty() {
            lines.push(Line {
                text,
                link: current.link,
            });
        }
        *current = Line {
            text: String::new(),
            link: false,
        };
    };
    for id in 1..n {
        while open.last().is_some_and(|&b| end[b] <= id) {
            open.pop();
            flush(&mut current, &mut lines);
        }
        let parent = dom.nodes[id].parent.unwrap_or(0);
        match &dom.nodes[id].data {
            Data::Text(t) => {
                current.text.push_str(t);
                current.link |= in_link[parent] && !t.trim().is_empty();
            }
            Data::Element(el) => {
                in_link[id] = in_link[parent] || el.tag == Tag::A;
                if el.tag.is_block() {
                    flush(&mut current, &mut lines);
                    open.push(id);
                }
            }
        }
    }
    flush(&mut current, &mut lines);
    lines
}

/// Whether a line reads like a paragraph of an article: long, with sentence punctuation.
fn is_prose(text: &str) -> bool {
    squash(text).chars().count() >= 50 && text.contains(['。', '，', ',', '.'])
}

/// The share of `a`'s words that `b` has too. Words are runs of letters and digits, except in
/// Chinese and Japanese, written without spaces, where they are pairs of adjacent characters.
fn shared(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    if a.is_empty() {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / a.len() as f64
}

/// The words of `text`, lower-cased (see [`shared`]).
fn words(text: &str) -> HashSet<String> {
    // 0: not part of a word, 1: a Chinese or Japanese character, 2: any other letter or digit.
    let kind = |c: char| match c {
        c if !c.is_alphanumeric() => 0,
        c if is_cjk(c) => 1,
        _ => 2,
    };
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut out = HashSet::new();
    for run in chars.chunk_by(|a, b| kind(*a) == kind(*b)) {
        match kind(run[0]) {
            1 if run.len() > 1 => out.extend(run.windows(2).map(|w| w.iter().collect())),
            0 => {}
            _ => {
                out.insert(run.iter().collect());
            }
        }
    }
    out
}

fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Copied a run of non-space characters at a time: most of a text.
    for run in s.split(char::is_whitespace) {
        out.push_str(run);
    }
    out
}

fn first_heading(head: &Head) -> Option<String> {
    head.first_heading.as_deref().map(fold)
}

/// `<title>` without the site and channel names: the longest segment between separators (the
/// headline is the longest part in practice; ties go to the first).
pub fn strip_site_name(title: &str) -> String {
    for sep in SEPARATORS {
        let parts = split_title(title, sep);
        if parts.len() < 2 {
            continue;
        }
        let mut best = "";
        for part in parts {
            let part = part.trim();
            if part.chars().count() > best.chars().count() {
                best = part;
            }
        }
        // Only accept a cut that leaves a real headline.
        if best.chars().count() >= 4 {
            return best.to_owned();
        }
    }
    title.trim().to_owned()
}

/// `title` split at `sep`, except where a bare dash joins Latin letters or digits, or comes
/// before a number (`COVID-19`, `Wi-Fi`, `1900万-2900万`): that dash belongs to the headline.
fn split_title<'a>(title: &'a str, sep: &str) -> Vec<&'a str> {
    let bare_dash = matches!(sep, "-" | "–" | "—");
    let mut parts = Vec::new();
    let mut start = 0;
    for (at, _) in title.match_indices(sep) {
        let before = title[..at].chars().next_back();
        let after = title[at + sep.len()..].chars().next();
        let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let number_follows =
            before.is_some_and(char::is_alphanumeric) && after.is_some_and(|c| c.is_ascii_digit());
        if bare_dash && ((ascii(before) && ascii(after)) || number_follows) {
            continue;
        }
        parts.push(&title[start..at]);
        start = at + sep.len();
    }
    parts.push(&title[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_the_heading_that_title_contains() {
        let dom = Dom::parse(
            "<title>韩国女主播是非不断_中国_环球网</title><body><div>中国</div><h1> 韩国女主播是非不断 </h1></body>",
        )
        .unwrap();
        assert_eq!(read(&dom).title, "韩国女主播是非不断");
    }

    #[test]
    fn heading_keeps_the_space_that_title_drops() {
        let dom = Dom::parse(
            "<title>男子勾結醫師病患詐保今被起訴 | 即時新聞 | 蘋果日報</title><h1>男子勾結醫師病患詐保\u{3000}今被起訴</h1>",
        )
        .unwrap();
        assert_eq!(read(&dom).title, "男子勾結醫師病患詐保 今被起訴");
    }

    #[test]
    fn title_without_heading_drops_site_names() {
        let dom = Dom::parse(
            "<title>戒菸口香糖 美研究：無效｜生活萬象｜中時電子報</title><body><p>x</p></body>",
        )
        .unwrap();
        assert_eq!(read(&dom).title, "戒菸口香糖 美研究：無效");
    }

    fn title_of(html: &str) -> String {
        read(&Dom::parse(html).unwrap()).title
    }

    #[test]
    fn heading_outranks_a_longer_channel_name_in_title() {
        let html = "<title>市民公园今日起免费开放 周末延长开放时间--城市生活-休闲好去处-本地指南-周末去哪儿-亲子游--示例网</title>\
            <div class=crumb><a href=/>示例网</a>&gt;&gt;<a href=/life>城市生活-休闲好去处-本地指南-周末去哪儿-亲子游</a></div>\
            <h1>市民公园今日起免费开放 周末延长开放时间</h1>";
        assert_eq!(title_of(html), "市民公园今日起免费开放 周末延长开放时间");
    }

    #[test]
    fn heading_repeating_the_whole_title_is_the_headline() {
        let html = "<title>Storm closes schools - and roads</title>\
            <p class=share>Storm closes schools - and roads</p><h1>Storm closes schools - and roads</h1>";
        assert_eq!(title_of(html), "Storm closes schools - and roads");
        // Without the heading the repeated title still carries a site name.
        let html = "<title>Storm closes schools - The Daily</title>\
            <p class=share>Storm closes schools - The Daily</p>";
        assert_eq!(title_of(html), "Storm closes schools");
    }

    #[test]
    fn heading_may_show_more_of_the_headline_than_title() {
        let title = "<title>网友倡议春节不放鞭炮_本地新闻_示例网</title>";
        let page = |heading: &str| title_of(&format!("{title}<div>{heading}</div><p>正文</p>"));
        assert_eq!(
            page("<h3>青山区网友倡议春节不放鞭炮</h3>"),
            "青山区网友倡议春节不放鞭炮"
        );
        // A breadcrumb ending with the headline is not a longer headline, nor is a heading
        // that only adds a decoration.
        assert_eq!(
            page("<h1>示例网 〉本地新闻 〉网友倡议春节不放鞭炮</h1>"),
            "网友倡议春节不放鞭炮"
        );
        assert_eq!(
            page("<h2>》网友倡议春节不放鞭炮</h2>"),
            "网友倡议春节不放鞭炮"
        );
    }

    #[test]
    fn title_naming_only_the_site_gives_way_to_the_line_opening_the_article() {
        let page = |title: &str| {
            title_of(&format!(
                "<html><head><title>{title}</title></head><body><table>\
                 <tr><td><a href=/>首页</a> <a href=/news>新闻</a></td></tr>\
                 <tr><td class=t>》市区公园春节期间延长开放</td></tr>\
                 <tr><td>【2012/01/11 15:05 报导】</td></tr>\
                 <tr><td>市园林局今天宣布，春节期间市区公园将延长开放时间，\
                 每天开放到晚上十点，方便市民游园赏灯，园内还将举办灯会和庙会活动。</td></tr>\
                 <tr><td>示例广播公司 版权所有</td></tr></table></body></html>"
            ))
        };
        assert_eq!(page("示例广播公司全球资讯网"), "市区公园春节期间延长开放");
        // A title the page does not show but that tells of the article stays.
        assert_eq!(page("公园春节延长开放_示例网"), "公园春节延长开放");
    }

    #[test]
    fn site_name_cut_keeps_dashes_inside_the_headline() {
        assert_eq!(
            strip_site_name("[公司]绿景控股料2011年扭亏 净利1900万-2900万"),
            "[公司]绿景控股料2011年扭亏 净利1900万-2900万"
        );
        assert_eq!(
            strip_site_name("善用天然清潔劑 無毒大掃除迎新年-生活新聞-新浪新聞中心"),
            "善用天然清潔劑 無毒大掃除迎新年"
        );
        assert_eq!(
            strip_site_name("COVID-19 cases rise again in Europe - The Daily"),
            "COVID-19 cases rise again in Europe"
        );
    }

    #[test]
    fn squash_drops_all_white_space() {
        let text = " a b\tc\u{3000}中 文\u{a0}\n";
        let expected: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(squash(text), expected);
    }

    #[test]
    fn folded_text_is_the_text_folded() {
        let dom = Dom::parse("<div> a <b>b</b>c\n<i> d\u{3000}</i><i>e </i> f </div>").unwrap();
        for id in 0..dom.nodes.len() {
            assert_eq!(folded_text(&dom, id), fold(&dom.text(id)), "{id}");
        }
    }

    #[test]
    fn reads_json_ld_and_meta() {
        let dom = Dom::parse(
            r#"<html lang="en"><head><script type="application/ld+json">
            {"@graph":[{"@type":"NewsArticle","headline":"Hi","datePublished":"2020-01-02T03:04:05Z",
            "author":[{"name":"Jane Doe"}]}]}</script></head><body></body></html>"#,
        )
        .unwrap();
        let m = read(&dom);
        assert_eq!(m.published.as_deref(), Some("2020-01-02T03:04:05Z"));
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(m.lang.as_deref(), Some("en"));
        assert_eq!(m.title, "Hi");
    }

    const OPENING: &str = "<div class=article><div class=t>市區公園春節期間延長開放</div>\
        <div class=date>2012-01-11 15:05</div><p>市園林局今天宣布，春節期間市區公園將延長開放時間，\
        每天開放到晚上十點，方便市民遊園賞燈，園內還將舉辦燈會和廟會活動。</p></div>";

    /// A `<title>` that names the site or a section, which the page shows too (in its logo,
    /// its menu, its breadcrumbs), is no headline.
    #[test]
    fn site_and_section_names_are_not_the_headline() {
        let headline = "市區公園春節期間延長開放";
        let logo = "<div class=header><h1><a href=/>自由電子報</a></h1></div>";
        assert_eq!(
            title_of(&format!("<title>自由電子報</title>{logo}{OPENING}")),
            headline
        );
        let section = "<div class=crumb><a href=/>中時電子報</a> &gt; <a href=/people>人間新聞</a></div>\
            <h2><a href=/people>人間新聞</a></h2>";
        assert_eq!(
            title_of(&format!(
                "<title>人間新聞 - 中時電子報</title>{section}{OPENING}"
            )),
            headline
        );
        // Named so by the page, shown as it may be.
        let named = "<title>示例新聞網</title><meta property=og:site_name content=示例新聞網>\
            <div>示例新聞網</div>";
        assert_eq!(title_of(&format!("{named}{OPENING}")), headline);
        // A headline that old portals link to its own page is still the headline.
        let linked = "<title>年節零食聰明吃 健康無負擔 - 示例網</title>\
            <meta property=og:title content='示例網:年節零食聰明吃 健康無負擔'>\
            <a href=/a.html>年節零食聰明吃 健康無負擔</a>";
        assert_eq!(
            title_of(&format!("{linked}{OPENING}")),
            "年節零食聰明吃 健康無負擔"
        );
    }

    /// A `<title>` holding the page's keywords, or terms shaped like them, is no headline.
    #[test]
    fn keyword_lists_are_not_the_headline() {
        let keys = "茅台酒,公款消费,公款吃喝,三公消费";
        let tags = format!("<div class=keys>{keys}</div>");
        for head in [
            format!("<title>{keys}</title><meta name=keywords content='{keys}'>"),
            format!("<title>{keys}</title>"),
        ] {
            assert_eq!(
                title_of(&format!("{head}{OPENING}{tags}")),
                "市區公園春節期間延長開放"
            );
        }
        assert!(!is_keyword_list(
            "港鐵除夕通宵行駛，年初二加強服務",
            &Head::default()
        ));
        assert!(!is_keyword_list(
            "Trump, Pelosi, Schumer meet",
            &Head::default()
        ));
    }
}
