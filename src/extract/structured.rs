//! The article as the page's structured data carries it, for pages whose DOM holds little text.
//!
//! A page built by a script in the reader's browser (React, Next.js, Nuxt) serves an empty
//! shell and the article as data: `<script id="__NEXT_DATA__" type="application/json">`, or a
//! script assigning it (`window.__INITIAL_STATE__ = {…}`). Many pages also give the body in
//! JSON-LD (`articleBody`), and nearly all a summary in OpenGraph (`og:description`). In that
//! order, the first that holds half as much text again as the DOM gave is the body.
//!
//! Apps name their data as they like, so no key is looked for in it: the body is the longest
//! prose it holds, one string (text or HTML) or an array of blocks whose strings read on
//! (`[{"type": "paragraph", "text": "…"}, …]`). Scripts past [`MAX_DATA_BYTES`] are not read,
//! and serde_json refuses JSON nested past 128 levels; the values are walked without recursion.

use super::dom::{Dom, Head};
use super::tokenizer::Attributes;
use super::{Block, BlockKind, blocks, parse};
use crate::unicode::is_cjk;
use serde_json::Value;

/// Data scripts longer than this are not parsed: an app's state for one article is well under
/// it, and a value tree takes up to some twenty times its text in memory (`[0,0,…]`), which
/// the memory bound of a page (README, Limits) has room for.
pub const MAX_DATA_BYTES: usize = 1 << 20;

/// Strings shorter than this (non-space characters) are names, labels and ids, not prose.
const MIN_PROSE_CHARS: usize = 25;

/// How deep under an item of an array its strings are gathered as that item's text (a block's
/// text sits a level or two down: `{"data": {"text": …}}`).
const ITEM_DEPTH: usize = 3;

/// The body the page's structured data carries, if it has half as much again as the `shown`
/// characters (other than white space) of the DOM's body: the DOM's body is kept otherwise (a
/// summary, or the same text differently escaped, is no better than a short body).
pub fn body(head: &Head, shown: usize) -> Option<Vec<Block>> {
    let longer = |blocks: Vec<Block>| (char_count(&blocks) > shown + shown / 2).then_some(blocks);
    let linked = best_in(head.json_ld.iter().map(String::as_str), Some("articleBody"));
    if let Some(blocks) = linked.and_then(longer) {
        return Some(blocks);
    }
    let state = best_in(head.data_scripts.iter().map(|s| &**s), None);
    if let Some(blocks) = state.and_then(longer) {
        return Some(blocks);
    }
    let description = ["og:description", "twitter:description", "description"]
        .iter()
        .find_map(|k| head.metas.iter().find(|(key, _)| key == k))
        .map(|(_, text)| paragraphs(text))?;
    longer(description)
}

/// The blocks of the longest prose in `scripts` (see [`longest`]).
fn best_in<'a>(scripts: impl Iterator<Item = &'a str>, key: Option<&str>) -> Option<Vec<Block>> {
    let mut best: Option<(usize, Vec<Block>)> = None;
    for value in scripts.filter_map(parse_json) {
        if let Some(c) = longest(&value, key)
            && best.as_ref().is_none_or(|(chars, _)| c.chars > *chars)
        {
            best = Some((c.chars, c.blocks()));
        }
    }
    best.map(|(_, blocks)| blocks)
}

/// Whether a classic script's text starts by assigning an object or array to a name
/// (`window.__STATE__ = {`, `var data = [`): how pages hand a script their data.
pub fn assigns_object(script: &str) -> bool {
    let s = script.trim_start();
    let s = ["var ", "let ", "const "]
        .iter()
        .find_map(|k| s.strip_prefix(k))
        .unwrap_or(s);
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.')))
        .unwrap_or(s.len());
    if name_end == 0 {
        return false;
    }
    let rest = s[name_end..].trim_start();
    rest.strip_prefix('=')
        .is_some_and(|r| !r.starts_with('=') && r.trim_start().starts_with(['{', '[']))
}

/// The JSON value a data script holds: its whole text, or what a classic script assigns (the
/// first value after the `=`; what follows it is the script's business).
fn parse_json(script: &str) -> Option<Value> {
    if script.len() > MAX_DATA_BYTES {
        return None;
    }
    let text = script.trim();
    if text.starts_with(['{', '[']) {
        return serde_json::from_str(text).ok();
    }
    let at = text.find('=')?;
    let value = text[at + 1..].trim_start();
    serde_json::Deserializer::from_str(value)
        .into_iter::<Value>()
        .next()?
        .ok()
}

/// A candidate body: the strings that make it, in order, and their prose characters.
struct Candidate<'a> {
    texts: Vec<&'a str>,
    chars: usize,
}

impl Candidate<'_> {
    fn blocks(&self) -> Vec<Block> {
        self.texts.iter().flat_map(|t| text_blocks(t)).collect()
    }
}

/// The longest prose under `value`: with `key`, only the strings under that key; otherwise any
/// string, or the strings of an array's items taken together.
fn longest<'a>(value: &'a Value, key: Option<&str>) -> Option<Candidate<'a>> {
    let mut best: Option<Candidate> = None;
    let mut offer = |c: Candidate<'a>| {
        if c.chars > 0 && best.as_ref().is_none_or(|b| c.chars > b.chars) {
            best = Some(c);
        }
    };
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(s)) = key.and_then(|k| map.get(k)) {
                    offer(Candidate {
                        texts: vec![s],
                        chars: prose_chars(s),
                    });
                }
                stack.extend(map.values());
            }
            Value::Array(items) => {
                if key.is_none() {
                    offer(gathered(items));
                }
                stack.extend(items);
            }
            Value::String(s) if key.is_none() => offer(Candidate {
                texts: vec![s],
                chars: prose_chars(s),
            }),
            _ => {}
        }
    }
    best
}

/// The prose strings of an array's items, in order: a body given as blocks. Only when two
/// items or more have some (one is a string of its own, already a candidate).
fn gathered(items: &[Value]) -> Candidate<'_> {
    let mut texts = Vec::new();
    let mut chars = 0;
    let mut with_prose = 0;
    for item in items {
        let before = texts.len();
        let mut stack = vec![(item, 0)];
        while let Some((v, depth)) = stack.pop() {
            match v {
                Value::String(s) => {
                    let n = prose_chars(s);
                    // The same text twice in a row (as text and as HTML) counts once.
                    if n > 0 && !(texts.len() > before && texts.last() == Some(&s.as_str())) {
                        texts.push(s.as_str());
                        chars += n;
                    }
                }
                Value::Object(map) if depth < ITEM_DEPTH => {
                    // Reversed onto the stack: taken in the object's order.
                    stack.extend(map.values().rev().map(|v| (v, depth + 1)));
                }
                Value::Array(a) if depth < ITEM_DEPTH => {
                    stack.extend(a.iter().rev().map(|v| (v, depth + 1)));
                }
                _ => {}
            }
        }
        with_prose += usize::from(texts.len() > before);
    }
    if with_prose < 2 {
        chars = 0;
    }
    Candidate { texts, chars }
}

/// The characters of `s` other than white space and markup, if it reads like prose: long
/// enough, mostly letters, words spaced or Chinese and Japanese (not an id, a URL, base64 or
/// a list of keys); else 0.
fn prose_chars(s: &str) -> usize {
    let (mut chars, mut letters, mut spaces, mut cjk) = (0usize, 0usize, 0usize, 0usize);
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() => spaces += 1,
            c => {
                chars += 1;
                letters += usize::from(c.is_alphabetic());
                cjk += usize::from(is_cjk(c));
            }
        }
    }
    let worded = cjk * 2 > chars || spaces * 12 > chars;
    let prose = chars >= MIN_PROSE_CHARS && letters * 10 >= chars * 6 && worded;
    if prose && !s.trim_start().starts_with("http") {
        chars
    } else {
        0
    }
}

/// The blocks of one string: HTML is parsed as a fragment of a body and written out as the
/// DOM's body is; text makes a paragraph of each line.
fn text_blocks(text: &str) -> Vec<Block> {
    let markup = text.contains('<') && text.contains('>');
    if markup && let Ok(tree) = parse::fragment(text, Attributes::Read) {
        let dom = Dom::build(&tree);
        return blocks::write(&dom, &[0], |_, _| false);
    }
    paragraphs(text)
}

fn paragraphs(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block {
            kind: BlockKind::Paragraph,
            text: l.to_owned(),
        })
        .collect()
}

fn char_count(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| b.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_of_objects_are_data() {
        for script in [
            "window.__INITIAL_STATE__ = {\"a\": 1};",
            "\n var data=[1,2]",
            "self.__next_f={}",
        ] {
            assert!(assigns_object(script), "{script}");
        }
        for script in [
            "if (a == {}) {}",
            "x === {}",
            "function f() {}",
            "= {}",
            "a = 1",
        ] {
            assert!(!assigns_object(script), "{script}");
        }
        assert_eq!(
            parse_json("window.__S__ = {\"a\": [1]}; render();"),
            Some(serde_json::json!({"a": [1]}))
        );
    }

    #[test]
    fn prose_is_not_ids_urls_or_keys() {
        assert!(prose_chars("The council approved the budget on Monday, after a debate.") > 0);
        assert!(
            prose_chars("市园林局今天宣布，春节期间市区公园将延长开放时间，方便市民游园。") > 0
        );
        for s in [
            "https://example.com/news/2024/05/03/harbour-budget-passes.html",
            "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=",
            "harbour,budget,council,vote,fees,berth,court,summer",
            "short text",
        ] {
            assert_eq!(prose_chars(s), 0, "{s}");
        }
    }
}
