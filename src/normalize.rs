//! [`Article`] → [`Document`]: the canonical text that is archived, and its file format.
//!
//! The same article must give the same bytes whatever the page around it does, so every piece of
//! text goes through [`normalize_text`] (NFC, invisible characters dropped, whitespace folded, no
//! spaces beside CJK characters). The file puts one sentence on a line and a blank line between
//! paragraphs, because git diffs lines: that is what makes `git log -p` and `git diff --word-diff`
//! readable, above all for Chinese, whose paragraphs would otherwise be one long line.
//!
//! File format (a contract, documented in README.md):
//!
//! ```text
//! url: https://example.com/news/1.html
//! title: The title
//! byline: Jane Doe                      (only when found)
//! published: 2023-02-02T10:00:00+08:00  (only when found)
//!
//! First sentence of the first paragraph.
//! Second sentence.
//!
//! ## A heading
//!
//! - A list item
//! ```

use crate::extract::{Article, BlockKind};
use crate::unicode::is_cjk;
use unicode_normalization::UnicodeNormalization;

/// The archived form of an article: what one file in the archive holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Document {
    pub url: String,
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    /// Paragraphs, each a list of sentences.
    pub paragraphs: Vec<Vec<String>>,
}

impl Document {
    /// Normalizes an extracted article into its archived form.
    pub fn from_article(url: &str, article: &Article) -> Document {
        let paragraphs = article
            .blocks
            .iter()
            .filter_map(|block| {
                let text = normalize_text(&block.text);
                if text.is_empty() {
                    return None;
                }
                let marked = match block.kind {
                    BlockKind::Heading => format!("## {text}"),
                    BlockKind::ListItem => format!("- {text}"),
                    BlockKind::Quote => format!("> {text}"),
                    BlockKind::Paragraph | BlockKind::Caption | BlockKind::Preformatted => text,
                };
                Some(
                    split_sentences(&marked)
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .collect();
        let optional =
            |v: &Option<String>| v.as_deref().map(normalize_text).filter(|s| !s.is_empty());
        Document {
            url: single_line(url),
            title: normalize_text(&article.title),
            byline: optional(&article.byline),
            published: optional(&article.published),
            paragraphs,
        }
    }

    /// The body as text: sentences joined by nothing (CJK) or a space, paragraphs by a newline.
    pub fn body_text(&self) -> String {
        self.paragraphs
            .iter()
            .map(|p| join_sentences(p))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// All sentences of the body, in order.
    pub fn sentences(&self) -> impl Iterator<Item = &str> {
        self.paragraphs.iter().flatten().map(String::as_str)
    }

    /// Whether two documents say the same thing: same title and same body. Metadata (url, byline,
    /// date) is not compared, so a page that only reformats its date line records nothing.
    pub fn same_content(&self, other: &Document) -> bool {
        self.title == other.title && self.paragraphs == other.paragraphs
    }

    /// A hash of what [`Document::same_content`] compares, to find an earlier identical state
    /// without reading every earlier version.
    pub fn state_hash(&self) -> crate::hash::ContentHash {
        let mut text = self.title.clone();
        for paragraph in &self.paragraphs {
            text.push_str("\n\n");
            text.push_str(&paragraph.join("\n"));
        }
        crate::hash::ContentHash::of(text.as_bytes())
    }

    /// The exact bytes archived for this document.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        out.push_str("url: ");
        out.push_str(&self.url);
        out.push_str("\ntitle: ");
        out.push_str(&self.title);
        out.push('\n');
        if let Some(byline) = &self.byline {
            out.push_str("byline: ");
            out.push_str(byline);
            out.push('\n');
        }
        if let Some(published) = &self.published {
            out.push_str("published: ");
            out.push_str(published);
            out.push('\n');
        }
        for paragraph in &self.paragraphs {
            out.push('\n');
            for sentence in paragraph {
                out.push_str(sentence);
                out.push('\n');
            }
        }
        out.into_bytes()
    }

    /// Reads a file written by [`Document::to_bytes`]. Lenient: unknown header keys are ignored,
    /// so that older or newer archives still read.
    pub fn parse(bytes: &[u8]) -> Document {
        let text = String::from_utf8_lossy(bytes);
        let mut doc = Document::default();
        let mut lines = text.lines();
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            let (key, value) = line.split_once(": ").unwrap_or((line, ""));
            let value = value.to_owned();
            match key {
                "url" => doc.url = value,
                "title" => doc.title = value,
                "byline" => doc.byline = Some(value),
                "published" => doc.published = Some(value),
                _ => {}
            }
        }
        let mut paragraph = Vec::new();
        for line in lines {
            if line.is_empty() {
                if !paragraph.is_empty() {
                    doc.paragraphs.push(std::mem::take(&mut paragraph));
                }
            } else {
                paragraph.push(line.to_owned());
            }
        }
        if !paragraph.is_empty() {
            doc.paragraphs.push(paragraph);
        }
        doc
    }
}

fn single_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Joins the sentences of one paragraph back into running text.
pub fn join_sentences(sentences: &[String]) -> String {
    let mut out = String::new();
    for s in sentences {
        if let (Some(prev), Some(next)) = (out.chars().last(), s.chars().next())
            && !is_cjk(prev)
            && !is_cjk(next)
        {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// Characters that carry no visible text: zero-width characters, bidi controls, the soft hyphen,
/// the BOM and other control characters. Pages sprinkle them differently on every render.
fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control() && !c.is_whitespace();
    }
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
        || (c.is_control() && !c.is_whitespace())
}

/// Canonical text: NFC, invisible characters removed, runs of white space folded into one space,
/// trimmed. Beside a CJK character a run is kept (as one space) only when it holds no line
/// break: headlines separate their halves with a space (`韩国女主播是非不断 裸体新闻遭禁播`),
/// while a line break between two Han characters is only the way the HTML source was wrapped.
pub fn normalize_text(s: &str) -> String {
    // Composing is the slow part, and most text has nothing to compose.
    if s.chars().all(nfc_inert) {
        fold_text(s.chars(), s.len())
    } else {
        fold_text(s.nfc(), s.len())
    }
}

/// [`normalize_text`] after NFC.
fn fold_text(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending: Option<bool> = None; // Some(run holds a line break)
    for c in chars {
        if c.is_whitespace() {
            if !out.is_empty() {
                let newline = matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}');
                pending = Some(pending.unwrap_or(false) || newline);
            }
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if let Some(newline) = pending.take() {
            let prev = out.chars().next_back().unwrap_or(' ');
            if !newline || (!is_cjk(prev) && !is_cjk(c)) {
                out.push(' ');
            }
        }
        out.push(c);
    }
    out
}

/// Characters that NFC leaves as they are: none has a decomposition or a combining class, and
/// what composes with them (combining marks, conjoining jamo) is not among them. Those below the
/// combining diacritics, general punctuation, CJK punctuation, kana, ideographs, Hangul
/// syllables, full-width ASCII.
fn nfc_inert(c: char) -> bool {
    matches!(c,
        '\0'..='\u{2FF}'
        | '\u{2010}'..='\u{2027}'
        | '\u{3001}'..='\u{3029}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{FF01}'..='\u{FF5E}')
}

/// Splits normalized text into sentences. CJK sentences end at 。！？ (and their closing quotes or
/// brackets); other scripts at `.`, `!` or `?` followed by a space and a capital, a digit or an
/// opening quote, unless the word before the stop is a common abbreviation or an initial.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    // Only stops matter: skip to the next byte that is one or may start one (the CJK stops
    // start with 0xE2, 0xE3 or 0xEF).
    while let Some(skip) = text.as_bytes()[pos..]
        .iter()
        .position(|b| matches!(b, b'.' | b'!' | b'?' | 0xE2 | 0xE3 | 0xEF))
    {
        pos += skip;
        let c = text[pos..].chars().next().expect("a character starts here");
        let cjk_stop = matches!(c, '。' | '！' | '？' | '…');
        let latin_stop = matches!(c, '.' | '!' | '?');
        if !cjk_stop && !latin_stop {
            pos += c.len_utf8();
            continue;
        }
        // Take the whole run of stops and closing marks: `！？`, `。”`, `."`, `...`
        let mut end = pos + c.len_utf8();
        let mut run = 1;
        for d in text[end..].chars() {
            if !(is_stop(d) || is_closer(d)) {
                break;
            }
            end += d.len_utf8();
            run += 1;
        }
        let split = if cjk_stop {
            // `…` alone is an ellipsis inside a sentence unless a CJK stop or closer ends it.
            c != '…' || run > 1
        } else {
            ends_latin_sentence(text, pos, end)
        };
        if split && end < text.len() {
            let sentence = text[start..end].trim();
            if !sentence.is_empty() {
                out.push(sentence);
            }
            start = end;
        }
        pos = end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn is_stop(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '.' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '"' | '\'' | '」' | '』' | '）' | ')' | '》' | '】' | ']' | '〉'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '“' | '‘' | '"' | '\'' | '「' | '『' | '（' | '(' | '《' | '【' | '[' | '¡' | '¿'
    )
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k",
    "no", "gen", "sen", "rep", "gov", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "lt", "col", "capt",
    "sgt", "rev", "hon", "pres", "dept", "univ", "approx", "fig", "vol", "op", "al",
];

/// Decides whether the run of stops at `text[stop..end]` ends a sentence in a space-separated
/// script.
fn ends_latin_sentence(text: &str, stop: usize, end: usize) -> bool {
    let mut following = text[end..].chars();
    if let Some(next) = following.next() {
        // A stop glued to a CJK character (`你好!我`) ends the sentence.
        if is_cjk(next) {
            return true;
        }
        if next != ' ' {
            return false; // 3.14, U.S.A, example.com
        }
    }
    let Some(after) = following.next() else {
        return false;
    };
    if !(after.is_uppercase() || after.is_numeric() || is_opener(after) || is_cjk(after)) {
        return false;
    }
    if !text[stop..].starts_with('.') {
        return true;
    }
    let word_start = text[..stop]
        .rfind(|c: char| c.is_whitespace() || is_opener(c))
        .map_or(0, |k| {
            k + text[k..].chars().next().map_or(0, char::len_utf8)
        });
    let word = &text[word_start..stop];
    let is_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    !(is_initial || ABBREVIATIONS.contains(&word.to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Block;

    #[test]
    fn folds_whitespace_keeping_cjk_spaces_only_within_a_line() {
        assert_eq!(normalize_text("  a \u{a0}\t b \n"), "a b");
        assert_eq!(
            normalize_text("韩国女主播是非不断\u{3000} 裸体新闻 说 Twitter"),
            "韩国女主播是非不断 裸体新闻 说 Twitter"
        );
        assert_eq!(
            normalize_text("习近平在\n  会议上说\r\nTwitter"),
            "习近平在会议上说Twitter"
        );
        assert_eq!(normalize_text("line\nwrapped"), "line wrapped");
        assert_eq!(normalize_text("zero\u{200b}width\u{feff}"), "zerowidth");
        assert_eq!(normalize_text("한국 사람"), "한국 사람");
    }

    #[test]
    fn composes_to_nfc() {
        assert_eq!(normalize_text("e\u{301}"), "\u{e9}");
        assert_eq!(normalize_text("中e\u{301}"), "中\u{e9}");
    }

    #[test]
    fn inert_characters_are_left_as_they_are_by_nfc() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfc_quick};
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| nfc_inert(c))
        {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
    }

    #[test]
    fn splits_chinese_sentences() {
        assert_eq!(
            split_sentences("他说：“好。”我们走吧！真的？是的"),
            vec!["他说：“好。”", "我们走吧！", "真的？", "是的"]
        );
    }

    #[test]
    fn splits_english_sentences_but_not_abbreviations() {
        assert_eq!(
            split_sentences(
                "Mr. Smith went to the U.S. Army. He paid $3.50. J. K. Rowling wrote. \"Yes,\" she said."
            ),
            vec![
                "Mr. Smith went to the U.S. Army.",
                "He paid $3.50.",
                "J. K. Rowling wrote.",
                "\"Yes,\" she said."
            ]
        );
    }

    #[test]
    fn file_round_trips() {
        let article = Article {
            title: " A  title ".into(),
            byline: Some("Jane".into()),
            blocks: vec![
                Block {
                    kind: BlockKind::Heading,
                    text: "Head".into(),
                },
                Block {
                    kind: BlockKind::Paragraph,
                    text: "One. Two.".into(),
                },
                Block {
                    kind: BlockKind::Paragraph,
                    text: "  ".into(),
                },
            ],
            ..Article::default()
        };
        let doc = Document::from_article("https://x.test/a", &article);
        let bytes = doc.to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "url: https://x.test/a\ntitle: A title\nbyline: Jane\n\n## Head\n\nOne.\nTwo.\n"
        );
        assert_eq!(Document::parse(&bytes), doc);
    }
}
