//! An HTML tokenizer that feeds html5ever's tree builder.
//!
//! html5ever's own tokenizer handles every character through a queue of buffers and builds
//! every tag and attribute name one character at a time; on news pages it took as long as all
//! the rest of extraction. This one follows the same states of the HTML standard's tokenizer,
//! but jumps between the bytes that matter (`<`, `&`, quotes) with `memchr`, hands text to the
//! tree builder as slices of the page (no copy unless a character reference is decoded), and
//! usually keeps only the attributes the extractor or the tree builder read. Tree construction
//! (implied tags, misnested markup, foster parenting) is still html5ever's.
//!
//! Left out on purpose: the text of comments (only where they are matters, to the tree builder's
//! handling of white space), the tags [`Gate`] holds back (nested deeper than
//! [`super::limits::MAX_DEPTH`]; their text stays, in the innermost element kept) and attributes
//! past [`MAX_ATTRIBUTES`]. A page with more than [`super::limits::MAX_ELEMENTS`] elements is
//! given up.

use super::limits::{Gate, MAX_ATTRIBUTES, TooManyElements};
use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};
use memchr::{memchr, memchr2, memmem};
use std::borrow::Cow;

/// The attributes kept: those the extractor reads, and those the tree builder looks at.
pub fn kept_attribute(name: &str) -> Option<LocalName> {
    Some(match name {
        "class" => local_name!("class"),
        "id" => local_name!("id"),
        "role" => local_name!("role"),
        "hidden" => local_name!("hidden"),
        "aria-hidden" => local_name!("aria-hidden"),
        "style" => local_name!("style"),
        "lang" => local_name!("lang"),
        "property" => local_name!("property"),
        "name" => local_name!("name"),
        "itemprop" => local_name!("itemprop"),
        "http-equiv" => local_name!("http-equiv"),
        "content" => local_name!("content"),
        "rel" => local_name!("rel"),
        "href" => local_name!("href"),
        "datetime" => local_name!("datetime"),
        // The tree builder: `<input type=hidden>` in tables, `<font color>` in SVG.
        "type" => local_name!("type"),
        "color" => local_name!("color"),
        "face" => local_name!("face"),
        "size" => local_name!("size"),
        _ => return None,
    })
}

/// Which attributes of a tag reach the tree builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attributes {
    /// Those [`kept_attribute`] names, and all of formatting elements ([`is_formatting`]).
    Read,
    /// All of them: site rules' selectors may name any.
    All,
}

/// Formatting elements keep every attribute: the tree builder tells them apart by all of them
/// (at most three alike stay in its list of active formatting elements), and dropping some made
/// it close different elements than html5ever's own tokenizer does.
pub fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Tokenizes `html` into `sink` (html5ever's tree builder), then ends it; stops when the page
/// turns out to have more than [`super::limits::MAX_ELEMENTS`] elements.
pub fn run(
    html: &str,
    sink: &impl TokenSink,
    attributes: Attributes,
) -> Result<(), TooManyElements> {
    let html = html.strip_prefix('\u{feff}').unwrap_or(html);
    let input = StrTendril::from_slice(&preprocess(html));
    let mut t = Tokenizer {
        src: &input,
        input: &input,
        pos: 0,
        sink,
        last_start: LocalName::default(),
        gate: Gate::default(),
        attributes,
        names: Vec::new(),
    };
    t.run();
    if t.gate.overflowed() {
        return Err(TooManyElements);
    }
    sink.end();
    Ok(())
}

/// The input stream as the standard preprocesses it: CR LF and CR become LF. NUL bytes are
/// dropped (the tree builder would drop them from text, and elsewhere they do not matter).
fn preprocess(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let Some(mut at) = memchr2(b'\r', 0, b) else {
        return Cow::Borrowed(html);
    };
    let mut out = Vec::with_capacity(b.len());
    let mut from = 0;
    loop {
        out.extend_from_slice(&b[from..at]);
        if b[at] == b'\r' {
            out.push(b'\n');
            if b.get(at + 1) == Some(&b'\n') {
                at += 1;
            }
        }
        from = at + 1;
        match memchr2(b'\r', 0, &b[from..]) {
            Some(i) => at = from + i,
            None => break,
        }
    }
    out.extend_from_slice(&b[from..]);
    Cow::Owned(String::from_utf8(out).expect("only ASCII bytes were replaced"))
}

struct Tokenizer<'a, S> {
    src: &'a str,
    /// The same text, to hand out slices of without copying.
    input: &'a StrTendril,
    pos: usize,
    sink: &'a S,
    /// The name of the last start tag, which ends RCDATA, RAWTEXT and script data.
    last_start: LocalName,
    /// The limits on depth and elements.
    gate: Gate,
    attributes: Attributes,
    /// The names of the attributes of the tag being read (a buffer kept between tags).
    names: Vec<&'a str>,
}

/// The tokenizer states that span more than a tag.
#[derive(Clone, Copy)]
enum State {
    Data,
    Raw(RawKind),
    Plaintext,
}

/// What a `<` starts.
enum Markup {
    /// Nothing: the `<` is text.
    Text,
    /// A token, and where it ends.
    Token(Token, usize),
    /// Something with no token (`</>`), and where it ends.
    Skip(usize),
    /// A tag cut off by the end of the page, which drops it.
    Eof,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b' ')
}

impl<'a, S: TokenSink> Tokenizer<'a, S> {
    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn run(&mut self) {
        let mut state = State::Data;
        while self.pos < self.src.len() && !self.gate.overflowed() {
            state = match state {
                State::Data => self.data(),
                State::Raw(kind) => self.raw(kind),
                State::Plaintext => {
                    self.emit_text(self.pos, self.src.len(), false);
                    self.pos = self.src.len();
                    State::Data
                }
            };
        }
        self.emit(Token::EOFToken);
    }

    fn emit(&mut self, token: Token) -> State {
        match self.sink.process_token(token, 1) {
            TokenSinkResult::RawData(kind) => State::Raw(kind),
            TokenSinkResult::Plaintext => State::Plaintext,
            _ => State::Data,
        }
    }

    /// Emits the text from `start` to `end`, decoding character references when `decode`.
    fn emit_text(&mut self, start: usize, end: usize, decode: bool) {
        if start >= end {
            return;
        }
        let slice = &self.src[start..end];
        let decoded = if decode {
            decode_references(slice, false)
        } else {
            Cow::Borrowed(slice)
        };
        let text = match decoded {
            Cow::Borrowed(_) => self.input.subtendril(start as u32, (end - start) as u32),
            Cow::Owned(decoded) => StrTendril::from_slice(&decoded),
        };
        self.emit(Token::CharacterTokens(text));
    }

    /// The data state: text up to the next tag, then the tag.
    fn data(&mut self) -> State {
        let start = self.pos;
        let mut at = self.pos;
        loop {
            let Some(i) = memchr2(b'<', b'&', &self.bytes()[at..]) else {
                self.emit_text(start, self.src.len(), true);
                self.pos = self.src.len();
                return State::Data;
            };
            at += i;
            if self.bytes()[at] == b'&' {
                at += 1;
                continue;
            }
            match self.markup(at) {
                Markup::Text => at += 1,
                Markup::Token(token, end) => {
                    self.emit_text(start, at, true);
                    self.pos = end;
                    return self.emit_token(token);
                }
                Markup::Skip(end) => {
                    self.emit_text(start, at, true);
                    self.pos = end;
                    return State::Data;
                }
                Markup::Eof => {
                    self.emit_text(start, at, true);
                    self.pos = self.src.len();
                    return State::Data;
                }
            }
        }
    }

    /// Emits a token, unless it is a tag the [`Gate`] holds back.
    fn emit_token(&mut self, token: Token) -> State {
        if let Token::TagToken(tag) = &token {
            let start = tag.kind == TagKind::StartTag;
            if !self
                .gate
                .admit(start, tag.name.as_bytes(), tag.self_closing)
            {
                return State::Data;
            }
            if start {
                self.last_start = tag.name.clone();
            }
        }
        self.emit(token)
    }

    /// RCDATA, RAWTEXT and script data: text up to the end tag of the element.
    fn raw(&mut self, kind: RawKind) -> State {
        let end = match kind {
            RawKind::ScriptData | RawKind::ScriptDataEscaped(_) => self.script_end(self.pos),
            RawKind::Rcdata | RawKind::Rawtext => self.end_tag_from(self.pos),
        };
        self.emit_text(self.pos, end, kind == RawKind::Rcdata);
        self.pos = end;
        if end == self.src.len() {
            return State::Data;
        }
        match self.tag(end + 2, TagKind::EndTag) {
            Markup::Token(token, after) => {
                self.pos = after;
                self.emit_token(token)
            }
            _ => {
                self.pos = self.src.len();
                State::Data
            }
        }
    }

    /// Whether an end tag for the last start tag begins at `at`.
    fn is_end_tag(&self, at: usize) -> bool {
        let b = self.bytes();
        let name = self.last_start.as_bytes();
        let after = at + 2 + name.len();
        b.len() > after
            && b[at + 1] == b'/'
            && b[at + 2..after].eq_ignore_ascii_case(name)
            && (is_space(b[after]) || matches!(b[after], b'/' | b'>'))
    }

    /// Where the next end tag for the last start tag begins (the end of the page if none).
    fn end_tag_from(&self, from: usize) -> usize {
        let finder = memmem::Finder::new(b"</");
        let mut at = from;
        while let Some(i) = finder.find(&self.bytes()[at..]) {
            if self.is_end_tag(at + i) {
                return at + i;
            }
            at += i + 2;
        }
        self.src.len()
    }

    /// Where a script's end tag begins: the standard's script data states, where `</script>`
    /// inside `<!-- <script> ... -->` does not end the script.
    fn script_end(&self, from: usize) -> usize {
        #[derive(Clone, Copy, PartialEq)]
        enum S {
            Data,
            Escaped,
            EscapedDash,
            EscapedDashDash,
            Double,
            DoubleDash,
            DoubleDashDash,
        }
        let b = self.bytes();
        let script = |at: usize| {
            b.len() > at + 6
                && b[at..at + 6].eq_ignore_ascii_case(b"script")
                && (is_space(b[at + 6]) || matches!(b[at + 6], b'/' | b'>'))
        };
        let mut s = S::Data;
        let mut i = from;
        while i < b.len() {
            if s == S::Data {
                let Some(k) = memchr(b'<', &b[i..]) else {
                    break;
                };
                i += k;
                if self.is_end_tag(i) {
                    return i;
                }
                if b[i + 1..].starts_with(b"!--") {
                    s = S::EscapedDashDash;
                    i += 4;
                } else {
                    i += 1;
                }
                continue;
            }
            let c = b[i];
            let escaped = matches!(s, S::Escaped | S::EscapedDash | S::EscapedDashDash);
            s = match (c, s) {
                (b'-', S::Escaped) => S::EscapedDash,
                (b'-', S::EscapedDash | S::EscapedDashDash) => S::EscapedDashDash,
                (b'-', S::Double) => S::DoubleDash,
                (b'-', S::DoubleDash | S::DoubleDashDash) => S::DoubleDashDash,
                (b'>', S::EscapedDashDash | S::DoubleDashDash) => S::Data,
                (b'<', _) if escaped => {
                    if self.is_end_tag(i) {
                        return i;
                    }
                    if script(i + 1) {
                        i += 7;
                        S::Double
                    } else {
                        S::Escaped
                    }
                }
                (b'<', _) => {
                    if b.get(i + 1) == Some(&b'/') && script(i + 2) {
                        i += 8;
                        S::Escaped
                    } else {
                        S::Double
                    }
                }
                _ if escaped => S::Escaped,
                _ => S::Double,
            };
            i += 1;
        }
        b.len()
    }

    /// What the `<` at `at` starts.
    fn markup(&mut self, at: usize) -> Markup {
        let b = self.bytes();
        let Some(&next) = b.get(at + 1) else {
            return Markup::Text;
        };
        match next {
            c if c.is_ascii_alphabetic() => self.tag(at + 1, TagKind::StartTag),
            b'/' => match b.get(at + 2) {
                Some(c) if c.is_ascii_alphabetic() => self.tag(at + 2, TagKind::EndTag),
                Some(b'>') => Markup::Skip(at + 3),
                Some(_) => self.bogus_comment(at + 2),
                None => Markup::Text,
            },
            b'!' => {
                let rest = &b[at + 2..];
                if rest.starts_with(b"--") {
                    comment(comment_end(b, at + 4))
                } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"DOCTYPE") {
                    self.doctype(at + 9)
                } else if rest.starts_with(b"[CDATA[")
                    && self
                        .sink
                        .adjusted_current_node_present_but_not_in_html_namespace()
                {
                    let start = at + 9;
                    let end = memmem::find(&b[start..], b"]]>").map_or(b.len(), |i| start + i);
                    let text = self.input.subtendril(start as u32, (end - start) as u32);
                    Markup::Token(Token::CharacterTokens(text), (end + 3).min(b.len()))
                } else {
                    self.bogus_comment(at + 2)
                }
            }
            b'?' => self.bogus_comment(at + 1),
            _ => Markup::Text,
        }
    }

    fn bogus_comment(&self, from: usize) -> Markup {
        let b = self.bytes();
        comment(memchr(b'>', &b[from..]).map_or(b.len(), |i| from + i + 1))
    }

    /// A start or end tag whose name begins at `from`.
    fn tag(&mut self, from: usize, kind: TagKind) -> Markup {
        let src = self.src;
        let b = self.bytes();
        let n = b.len();
        let mut i = from;
        while i < n && !is_space(b[i]) && !matches!(b[i], b'/' | b'>') {
            i += 1;
        }
        let name = tag_name(&lowercase(&src[from..i]));
        let keep_all = self.attributes == Attributes::All || is_formatting(&name);
        let mut attrs: Vec<Attribute> = Vec::new();
        self.names.clear();
        let mut self_closing = false;
        loop {
            while i < n && is_space(b[i]) {
                i += 1;
            }
            if i >= n {
                return Markup::Eof;
            }
            match b[i] {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    i += 1;
                    if b.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    continue;
                }
                _ => {}
            }
            // An attribute name (whose first character may be `=`), then maybe a value.
            let name_start = i;
            i += 1;
            while i < n && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let attr_name = &src[name_start..i];
            while i < n && is_space(b[i]) {
                i += 1;
            }
            let (mut value, mut value_at) = ("", i);
            if i < n && b[i] == b'=' {
                i += 1;
                while i < n && is_space(b[i]) {
                    i += 1;
                }
                if i >= n {
                    return Markup::Eof;
                }
                match b[i] {
                    q @ (b'"' | b'\'') => {
                        let Some(close) = memchr(q, &b[i + 1..]) else {
                            return Markup::Eof;
                        };
                        (value, value_at) = (&src[i + 1..i + 1 + close], i + 1);
                        i += close + 2;
                    }
                    b'>' => {}
                    _ => {
                        let start = i;
                        while i < n && !is_space(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                        if i >= n {
                            return Markup::Eof;
                        }
                        (value, value_at) = (&src[start..i], start);
                    }
                }
            }
            // As html5ever's tokenizer does, the first of two attributes with one name wins;
            // then at most [`MAX_ATTRIBUTES`] names are read.
            if kind == TagKind::EndTag
                || self.names.len() == MAX_ATTRIBUTES
                || self.names.iter().any(|n| n.eq_ignore_ascii_case(attr_name))
            {
                continue;
            }
            self.names.push(attr_name);
            let attr_name = lowercase(attr_name);
            let local = match kept_attribute(&attr_name) {
                Some(local) => local,
                None if keep_all => LocalName::from(&*attr_name),
                None => continue,
            };
            // Most values have no character reference: a slice of the page, no copy.
            let value = if memchr(b'&', value.as_bytes()).is_some() {
                StrTendril::from_slice(&decode_references(value, true))
            } else {
                self.input.subtendril(value_at as u32, value.len() as u32)
            };
            attrs.push(Attribute {
                name: QualName::new(None, ns!(), local),
                value,
            });
        }
        let tag = Tag {
            kind,
            name,
            self_closing,
            attrs,
            had_duplicate_attributes: false,
        };
        Markup::Token(Token::TagToken(tag), i)
    }

    /// A DOCTYPE whose name may begin at `from`: its name and identifiers decide the quirks
    /// mode, which decides whether a `<table>` closes an open `<p>`.
    fn doctype(&self, from: usize) -> Markup {
        let b = self.bytes();
        let n = b.len();
        let skip_spaces = |mut i: usize| {
            while i < n && is_space(b[i]) {
                i += 1;
            }
            i
        };
        let to_close = |i: usize| memchr(b'>', &b[i..]).map_or(n, |k| i + k + 1);
        let mut dt = Doctype::default();
        let done = |dt: Doctype, end| Markup::Token(Token::DoctypeToken(dt), end);
        let mut i = skip_spaces(from);
        if i >= n || b[i] == b'>' {
            dt.force_quirks = true;
            return done(dt, (i + 1).min(n));
        }
        let start = i;
        while i < n && !is_space(b[i]) && b[i] != b'>' {
            i += 1;
        }
        dt.name = Some(StrTendril::from_slice(&lowercase(&self.src[start..i])));
        i = skip_spaces(i);
        if i >= n {
            dt.force_quirks = true;
            return done(dt, n);
        }
        let keyword = |word: &[u8]| b.len() >= i + 6 && b[i..i + 6].eq_ignore_ascii_case(word);
        let public = keyword(b"PUBLIC");
        if !public && !keyword(b"SYSTEM") {
            dt.force_quirks = b[i] != b'>';
            return done(dt, to_close(i));
        }
        i += 6;
        // A quoted identifier at `i`; `None` when missing or cut short, which forces quirks.
        let id = |i: usize| -> Option<(StrTendril, usize)> {
            let i = skip_spaces(i);
            let q = *b.get(i).filter(|&&q| q == b'"' || q == b'\'')?;
            let len = b[i + 1..].iter().position(|&c| c == q || c == b'>')?;
            (b[i + 1 + len] == q).then(|| {
                let id = StrTendril::from_slice(&self.src[i + 1..i + 1 + len]);
                (id, i + len + 2)
            })
        };
        let Some((first, after)) = id(i) else {
            dt.force_quirks = true;
            return done(dt, to_close(i));
        };
        i = after;
        if public {
            dt.public_id = Some(first);
            let j = skip_spaces(i);
            if j < n && b[j] != b'>' {
                match id(j) {
                    Some((system, after)) => {
                        dt.system_id = Some(system);
                        i = after;
                    }
                    None => {
                        dt.force_quirks = true;
                        return done(dt, to_close(j));
                    }
                }
            }
        } else {
            dt.system_id = Some(first);
        }
        done(dt, to_close(i))
    }
}

/// A comment ending at `end`, without its text, which nothing reads.
fn comment(end: usize) -> Markup {
    Markup::Token(Token::CommentToken(StrTendril::new()), end)
}

/// Where a comment whose text begins at `from` ends: after `-->` or `--!>`; `<!-->` and
/// `<!--->` are empty comments; an unclosed comment runs to the end of the page.
fn comment_end(b: &[u8], from: usize) -> usize {
    let rest = &b[from.min(b.len())..];
    if rest.starts_with(b">") {
        return from + 1;
    }
    if rest.starts_with(b"->") {
        return from + 2;
    }
    let finder = memmem::Finder::new(b"--");
    let mut at = from;
    while let Some(i) = finder.find(&b[at..]) {
        let mut j = at + i + 2;
        while b.get(j) == Some(&b'-') {
            j += 1;
        }
        match b.get(j) {
            Some(b'>') => return j + 1,
            Some(b'!') if b.get(j + 1) == Some(&b'>') => return j + 2,
            _ => at = j,
        }
    }
    b.len()
}

/// Interns a tag name, the most frequent ones without hashing.
fn tag_name(name: &str) -> LocalName {
    match name {
        "a" => local_name!("a"),
        "div" => local_name!("div"),
        "li" => local_name!("li"),
        "span" => local_name!("span"),
        "script" => local_name!("script"),
        "img" => local_name!("img"),
        "td" => local_name!("td"),
        "p" => local_name!("p"),
        "meta" => local_name!("meta"),
        "tr" => local_name!("tr"),
        "ul" => local_name!("ul"),
        "link" => local_name!("link"),
        "input" => local_name!("input"),
        "br" => local_name!("br"),
        "option" => local_name!("option"),
        "table" => local_name!("table"),
        "strong" => local_name!("strong"),
        "em" => local_name!("em"),
        "i" => local_name!("i"),
        "b" => local_name!("b"),
        "font" => local_name!("font"),
        "h1" => local_name!("h1"),
        "h2" => local_name!("h2"),
        "h3" => local_name!("h3"),
        "h4" => local_name!("h4"),
        "style" => local_name!("style"),
        "iframe" => local_name!("iframe"),
        "section" => local_name!("section"),
        "article" => local_name!("article"),
        name => LocalName::from(name),
    }
}

/// ASCII letters lowercased, as the tokenizer does for tag and attribute names.
fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// `text` with its character references decoded; `in_attribute` applies the rule that keeps
/// `&amp=` and `&copy2` as they are in attribute values.
fn decode_references(text: &str, in_attribute: bool) -> Cow<'_, str> {
    let b = text.as_bytes();
    let Some(first) = memchr(b'&', b) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut at = first;
    loop {
        let mut next = at + 1;
        if let Some((len, chars)) = reference(text, at, in_attribute) {
            out.push_str(&text[copied..at]);
            out.extend(chars.into_iter().flatten());
            copied = at + len;
            next = copied;
        }
        match memchr(b'&', &b[next..]) {
            Some(i) => at = next + i,
            None => break,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The character reference at `amp` (an `&`): its length and its one or two characters.
fn reference(text: &str, amp: usize, in_attribute: bool) -> Option<(usize, [Option<char>; 2])> {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = amp + 1;
    if b.get(i) == Some(&b'#') {
        i += 1;
        let hex = b.get(i).is_some_and(|&c| c == b'x' || c == b'X');
        if hex {
            i += 1;
        }
        let base = if hex { 16 } else { 10 };
        let digits = i;
        let mut value: u32 = 0;
        while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(base)) {
            value = value.saturating_mul(base).saturating_add(d);
            i += 1;
        }
        if i == digits {
            return None;
        }
        if b.get(i) == Some(&b';') {
            i += 1;
        }
        let c = match value {
            0 | 0xD800..=0xDFFF | 0x110000.. => '\u{fffd}',
            0x80..=0x9F => C1_REPLACEMENTS[(value - 0x80) as usize]
                .unwrap_or_else(|| char::from_u32(value).unwrap_or('\u{fffd}')),
            v => char::from_u32(v).unwrap_or('\u{fffd}'),
        };
        return Some((i - amp, [Some(c), None]));
    }
    // The longest name in the table (which holds every prefix of every name).
    let mut best = None;
    while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b';') {
        i += 1;
        match NAMED_ENTITIES.get(&text[amp + 1..i]) {
            Some(&(0, _)) => {}
            Some(&(c1, c2)) => best = Some((i, c1, c2)),
            None => break,
        }
        if b[i - 1] == b';' {
            break;
        }
    }
    let (end, c1, c2) = best?;
    let legacy = b[end - 1] != b';';
    if in_attribute
        && legacy
        && b.get(end)
            .is_some_and(|&c| c == b'=' || c.is_ascii_alphanumeric())
    {
        return None;
    }
    let chars = [
        char::from_u32(c1),
        (c2 != 0).then(|| char::from_u32(c2)).flatten(),
    ];
    Some((end - amp, chars))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::limits::MAX_ELEMENTS;

    #[test]
    fn decodes_character_references() {
        assert_eq!(decode_references("a &amp; b &lt;&gt", false), "a & b <>");
        assert_eq!(
            decode_references("&#65;&#x42;&#X43&#0;&#128;", false),
            "ABC\u{fffd}€"
        );
        assert_eq!(
            decode_references("&notit; &nosuch; & &#;", false),
            "¬it; &nosuch; & &#;"
        );
        assert_eq!(
            decode_references("?a=1&copy=2&amp;b", true),
            "?a=1&copy=2&b"
        );
        assert_eq!(decode_references("&copy2 &copy", false), "©2 ©");
    }

    #[test]
    fn elements_past_the_limit_give_the_page_up() {
        struct Sink;
        impl TokenSink for Sink {
            type Handle = ();
            fn process_token(&self, _: Token, _: u64) -> TokenSinkResult<()> {
                TokenSinkResult::Continue
            }
        }
        let run = |html: &str| run(html, &Sink, Attributes::Read).is_ok();
        let n = MAX_ELEMENTS;
        assert!(run(&"<b></b>".repeat(n)));
        assert!(!run(&"<b></b>".repeat(n + 1)));
        assert!(!run(&"<br>".repeat(n + 1)) && !run(&"</p>".repeat(n + 1)));
        assert!(run(&"<p>x</p>".repeat(n)));
        // Tags past the depth limit are dropped, not counted.
        assert!(run(&format!(
            "{}{}",
            "<div>".repeat(n * 2),
            "</div>".repeat(n * 2)
        )));
    }

    #[test]
    fn line_breaks_are_normalized_and_nul_dropped() {
        assert_eq!(preprocess("a\r\nb\rc\0d\n"), "a\nb\ncd\n");
        assert!(matches!(preprocess("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn comments_end_where_the_standard_says() {
        let end = |s: &str| comment_end(s.as_bytes(), 4);
        assert_eq!(end("<!-->x"), 5);
        assert_eq!(end("<!--->x"), 6);
        assert_eq!(end("<!-- a -- b --->x"), 16);
        assert_eq!(end("<!-- a --!>x"), 11);
        assert_eq!(end("<!-- a"), 6);
    }
}
