//! Bytes → text: find the charset a page is really in and decode it.
//!
//! Order of evidence: a byte-order mark, then valid UTF-8, then the HTTP `Content-Type` charset
//! or a `<meta>` declaration in the first 4 KiB, weighed against statistical detection
//! (chardetng). Declarations are checked, not trusted: Chinese sites often declare gb2312 for
//! UTF-8 pages or GBK for Big5, or declare nothing, so for Chinese pages every reading (GB18030,
//! Big5, UTF-8) is scored by how much it reads like Chinese and the best one wins; a declared
//! charset wins ties. Text that was already mis-decoded once before it was saved (mojibake) is
//! decoded back.

pub mod mojibake;

use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// Decoded text and how its encoding was chosen.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// Borrowed from the bytes when they are the text already (UTF-8, ASCII): a page is not
    /// copied only to be read.
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
    pub evidence: Evidence,
    /// Whether the chosen decoder met malformed bytes (replaced with U+FFFD).
    pub had_errors: bool,
}

/// Why an encoding was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    Bom,
    Header,
    Meta,
    Detected,
    /// Text that had been decoded wrongly and saved again (mojibake), decoded back.
    Repaired,
}

/// How much of a page the readings are compared on (and the detector sees): enough text to
/// tell encodings apart, bounded on huge pages.
const SAMPLE_BYTES: usize = 256 * 1024;

/// ASCII kept on each side of a run of non-ASCII bytes in the [`sample`]: the trail bytes of
/// GBK and Big5 characters and the letters next to accented ones.
const SAMPLE_CONTEXT: usize = 8;

/// Decodes `bytes`, given the `Content-Type` header if there was one.
pub fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text,
            encoding,
            evidence: Evidence::Bom,
            had_errors,
        };
    }
    let declared = content_type
        .and_then(charset_from_content_type)
        .map(|e| (e, Evidence::Header))
        .or_else(|| meta_charset(bytes).map(|e| (e, Evidence::Meta)));
    let evidence_for = |encoding: &'static Encoding| match declared {
        Some((d, evidence)) if d == encoding => evidence,
        _ => Evidence::Detected,
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        // Valid UTF-8 with non-ASCII bytes is UTF-8, whatever the page declares: no other
        // encoding we meet produces it by chance. Every encoding we read agrees on ASCII.
        let encoding = if text.is_ascii() {
            declared
                .map(|(d, _)| d)
                .filter(|d| d.is_ascii_compatible())
                .unwrap_or(UTF_8)
        } else {
            UTF_8
        };
        return Decoded {
            text: Cow::Borrowed(text),
            encoding,
            evidence: evidence_for(encoding),
            had_errors: false,
        };
    }
    // A declared Western or Japanese charset that decodes cleanly is believed as it is.
    if let Some((d, evidence)) = declared.filter(|&(d, _)| !is_chinese(d) && d != UTF_8)
        && let Some(text) = d.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Decoded {
            text,
            encoding: d,
            evidence,
            had_errors: false,
        };
    }
    let sample = sample(bytes);
    let sample = sample.as_slice();
    let first = match declared {
        Some((d, _)) => d,
        None => detect(sample),
    };
    // Chinese pages mislabel GBK and Big5 as each other and as UTF-8: weigh the readings of
    // a sample; the declared (or detected) reading comes first and keeps ties.
    let mut encoding = first;
    if is_chinese(first) || first == UTF_8 || declared.is_some() {
        let mut best = quality(&read(first, sample)).score;
        for candidate in [encoding_rs::GB18030, encoding_rs::BIG5, UTF_8] {
            if candidate == first {
                continue;
            }
            let q = quality(&read(candidate, sample)).score;
            if q > best {
                (encoding, best) = (candidate, q);
            }
        }
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    let mut decoded = Decoded {
        evidence: evidence_for(encoding),
        had_errors,
        text,
        encoding,
    };
    if let Some(repaired) = repair_double_encoding(&decoded.text) {
        decoded = repaired;
    }
    decoded
}

fn is_chinese(e: &'static Encoding) -> bool {
    e == encoding_rs::GBK || e == encoding_rs::GB18030 || e == encoding_rs::BIG5
}

/// The most frequent Chinese characters, simplified and traditional. A right decoding of a
/// Chinese page is full of them; a wrong one (GBK read as Big5 or the reverse) yields rare
/// characters, kana and symbols instead.
const COMMON_HAN: &str = "的一是不了在人有我他这個个们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于着下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天分还還进進好小部其些主样樣理心她本前开開但因只从從想实實日军軍者意无無力它与與长長把机機十民第公此已工使情明性知全三又关關点點正业業外将將两兩高间間由问問很最重并物手应應战戰向头頭文体體政美相见見被利什二等产產或新己制身果加西斯月话話合回特代内信表化老给給世位次度门門任常先海通教儿兒原东東声聲提立及比员員解水名真论論处處走义義各入几口认認条條平系气氣题題活尔更别打女变變四神总總何电電数數安少报報才结結反受目太量再感建务務做接必场場件计計管期市直德资資命山金指克许許统統区區保至队隊形社便空决決治展马馬科司五基";

/// [`COMMON_HAN`] as one bit per character of the CJK Unified Ideographs, where they all are.
static COMMON_BITS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; (0xA000 - 0x4E00) / 64];
    for c in COMMON_HAN.chars() {
        let i = u32::from(c) as usize - 0x4E00;
        bits[i / 64] |= 1 << (i % 64);
    }
    bits
});

fn is_common_han(c: char) -> bool {
    let i = (u32::from(c) as usize).wrapping_sub(0x4E00);
    i < 0xA000 - 0x4E00 && COMMON_BITS[i / 64] & (1 << (i % 64)) != 0
}

/// The length of the ASCII at the start of `bytes`: the first bytes looked at one by one (CJK
/// text has short runs of ASCII), the rest by encoding_rs's vectorized scan.
pub(crate) fn ascii_prefix(bytes: &[u8]) -> usize {
    const IN_LINE: usize = 16;
    match bytes.iter().take(IN_LINE).position(|b| !b.is_ascii()) {
        Some(at) => at,
        None if bytes.len() <= IN_LINE => bytes.len(),
        None => IN_LINE + Encoding::ascii_valid_up_to(&bytes[IN_LINE..]),
    }
}

/// The non-ASCII characters of a text, ASCII skipped by the byte.
fn non_ascii_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        let at = ascii_prefix(rest.as_bytes());
        let c = rest[at..].chars().next()?;
        rest = &rest[at + c.len_utf8()..];
        Some(c)
    })
}

/// `bytes` read in `encoding`, with replacement characters for what it cannot read. UTF-8 goes
/// through the standard library, which replaces the same way (one U+FFFD per maximal invalid
/// subpart) but much faster on bytes that are not UTF-8 at all.
fn read<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    if encoding == UTF_8 {
        String::from_utf8_lossy(bytes)
    } else {
        encoding.decode_without_bom_handling(bytes).0
    }
}

/// Characters scored per reading: enough to tell readings apart, bounded on huge pages.
const QUALITY_SAMPLE: usize = 100_000;

/// How much a text reads like real text.
#[derive(Clone, Copy, Default)]
struct Quality {
    /// Frequent Chinese characters count for, signs of a wrong decoding against.
    score: i64,
    /// Replacement characters (bytes the decoder could not read).
    errors: usize,
    /// Frequent Chinese characters, and all non-ASCII characters, among those sampled.
    common: usize,
    non_ascii: usize,
}

/// Scores text by its frequent Chinese characters and penalizes what wrong decodings produce:
/// replacement characters, kana, bopomofo, box drawing, private use, C1 controls and the
/// Latin-1 letters of double-encoded text.
fn quality(text: &str) -> Quality {
    let mut q = Quality::default();
    for c in non_ascii_chars(text).take(QUALITY_SAMPLE) {
        q.non_ascii += 1;
        match c {
            '\u{FFFD}' => {
                q.errors += 1;
                q.score -= 8;
            }
            '\u{80}'..='\u{9F}' | '\u{C0}'..='\u{FF}' => q.score -= 1,
            '\u{3040}'..='\u{30FF}' | '\u{3100}'..='\u{312F}' | '\u{2500}'..='\u{257F}' => {
                q.score -= 1
            }
            '\u{E000}'..='\u{F8FF}' => q.score -= 2,
            c if is_common_han(c) => {
                q.common += 1;
                q.score += 4;
            }
            _ => {}
        }
    }
    q
}

/// Western code pages whose reading of Chinese bytes makes mojibake. They differ in eight
/// characters (`Ÿ` is 0x9F in one, 0xBE in the other), so both are tried.
#[derive(Clone, Copy)]
enum CodePage {
    Windows1252,
    Latin9,
}

/// How many times a repair may be applied: pages mis-decoded twice (GBK read as Latin-9,
/// saved as UTF-8, read as Latin-1) exist.
const REPAIR_DEPTH: usize = 2;

/// Pages that went through a wrong decoding before they were saved (GBK bytes read as Latin-1
/// or Windows-1252) show `Â±Â±Å¸Â©`. Mapping such text back to single bytes gives the original
/// bytes; a repair is kept when those bytes read as Chinese (a fifth of their characters among
/// the most frequent ones) and better than before. Characters with no single-byte form (text
/// the wrong decoding never touched) are kept as they are.
fn repair_double_encoding(text: &str) -> Option<Decoded<'static>> {
    // Scored only if some repair is tried: most pages have too few Latin-1 letters for one.
    let before = std::cell::OnceCell::new();
    let mut best: Option<(String, Quality, &'static Encoding)> = None;
    // Depth-first over (text, depth), so at most REPAIR_DEPTH candidate texts live at once.
    let mut stack: Vec<(Cow<'_, str>, usize)> = vec![(text.into(), 0)];
    while let Some((current, depth)) = stack.pop() {
        let latin = non_ascii_chars(&current)
            .filter(|&c| single_byte(c, CodePage::Windows1252).is_some())
            .count();
        if latin < 64 {
            continue;
        }
        for page in [CodePage::Windows1252, CodePage::Latin9] {
            let pieces = single_byte_runs(&current, page);
            // ASCII reads the same in every encoding tried: nothing would change.
            if pieces.bytes.is_ascii() {
                continue;
            }
            for encoding in [UTF_8, encoding_rs::GB18030, encoding_rs::BIG5] {
                let (repaired, run_errors) = decode_runs(&pieces, encoding);
                // An unchanged text scores as it did, and its repairs are being tried already.
                if repaired == *current {
                    continue;
                }
                // Too many bytes that do not read is a wrong repair, known without scoring when
                // the score would see all of them (every character of a text this short).
                if run_errors * 100 > latin && repaired.len() <= 2 * QUALITY_SAMPLE {
                    continue;
                }
                let q = quality(&repaired);
                if q.errors * 100 > latin {
                    continue;
                }
                let chinese = q.common * 5 >= q.non_ascii && q.common > 0;
                let better = best.as_ref().map_or_else(
                    || before.get_or_init(|| quality(text)).score,
                    |(_, b, _)| b.score,
                ) < q.score;
                if chinese && better {
                    best = Some((repaired.clone(), q, encoding));
                }
                if depth + 1 < REPAIR_DEPTH {
                    stack.push((repaired.into(), depth + 1));
                }
            }
        }
    }
    best.map(|(text, q, encoding)| Decoded {
        text: text.into(),
        encoding,
        evidence: Evidence::Repaired,
        had_errors: q.errors > 0,
    })
}

/// A text as runs of single bytes (in a code page) between the characters that have none.
struct Runs {
    bytes: Vec<u8>,
    /// A run of `bytes`, or a character without a single byte.
    pieces: Vec<Result<Range<usize>, char>>,
}

fn single_byte_runs(text: &str, page: CodePage) -> Runs {
    let mut runs = Runs {
        bytes: Vec::with_capacity(text.len()),
        pieces: Vec::new(),
    };
    let mut rest = text;
    loop {
        // ASCII is its own single byte: taken by the span.
        let ascii = ascii_prefix(rest.as_bytes());
        runs.push(&rest.as_bytes()[..ascii]);
        rest = &rest[ascii..];
        let Some(c) = rest.chars().next() else {
            return runs;
        };
        rest = &rest[c.len_utf8()..];
        match single_byte(c, page) {
            Some(b) => runs.push(&[b]),
            None => runs.pieces.push(Err(c)),
        }
    }
}

impl Runs {
    /// Adds bytes to the last run, or starts one.
    fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        match self.pieces.last_mut() {
            Some(Ok(run)) => run.end = self.bytes.len(),
            _ => self.pieces.push(Ok(start..self.bytes.len())),
        }
    }
}

/// The text with its runs read in `encoding`, and the replacement characters the runs gave.
fn decode_runs(runs: &Runs, encoding: &'static Encoding) -> (String, usize) {
    let mut out = String::with_capacity(runs.bytes.len());
    let mut errors = 0;
    for piece in &runs.pieces {
        match piece {
            Ok(run) => {
                let text = read(encoding, &runs.bytes[run.clone()]);
                errors += text.matches('\u{FFFD}').count();
                out.push_str(&text);
            }
            Err(c) => out.push(*c),
        }
    }
    (out, errors)
}

/// The byte a character came from when bytes were read in `page` (Latin-1 for the C1
/// controls, which some converters pass through).
fn single_byte(c: char, page: CodePage) -> Option<u8> {
    // Latin-1 first: ASCII and CJK text are most of what is checked, and no character of the
    // tables below is Latin-1 or beyond their last one, '™'.
    if let Ok(b) = u8::try_from(u32::from(c)) {
        let replaced_in_latin9 = matches!(page, CodePage::Latin9)
            && matches!(c, '¤' | '¦' | '¨' | '´' | '¸' | '¼' | '½' | '¾');
        return (!replaced_in_latin9).then_some(b);
    }
    if c > '\u{2122}' {
        return None;
    }
    const CP1252: &[(char, u8)] = &[
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    const LATIN9: &[(char, u8)] = &[
        ('€', 0xA4),
        ('Š', 0xA6),
        ('š', 0xA8),
        ('Ž', 0xB4),
        ('ž', 0xB8),
        ('Œ', 0xBC),
        ('œ', 0xBD),
        ('Ÿ', 0xBE),
    ];
    let table = match page {
        CodePage::Windows1252 => CP1252,
        CodePage::Latin9 => LATIN9,
    };
    table.iter().find(|&&(k, _)| k == c).map(|&(_, b)| b)
}

/// The bytes that tell encodings apart: the non-ASCII runs of a page with a little ASCII around
/// them, up to [`SAMPLE_BYTES`]. The rest (markup, scripts, most of a page) is ASCII, which
/// reads the same in every encoding weighed here and which [`quality`] does not score.
fn sample(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len().min(SAMPLE_BYTES));
    let mut at = 0;
    while at < bytes.len() && out.len() < SAMPLE_BYTES {
        let ascii = Encoding::ascii_valid_up_to(&bytes[at..]);
        let run = &bytes[at..at + ascii];
        if ascii > 2 * SAMPLE_CONTEXT {
            out.extend_from_slice(&run[..SAMPLE_CONTEXT]);
            out.extend_from_slice(&run[ascii - SAMPLE_CONTEXT..]);
        } else {
            out.extend_from_slice(run);
        }
        at += ascii;
        let other = bytes[at..]
            .iter()
            .position(u8::is_ascii)
            .unwrap_or(bytes.len() - at)
            .min(SAMPLE_BYTES - out.len().min(SAMPLE_BYTES));
        out.extend_from_slice(&bytes[at..at + other]);
        at += other;
    }
    out
}

/// How much of the sample the detector reads: chardetng scores every byte for some twenty
/// candidates, and a few pages of text tell them apart.
const DETECT_BYTES: usize = 8 * 1024;

/// Guesses the encoding of undeclared or mis-declared bytes.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let bytes = &bytes[..bytes.len().min(DETECT_BYTES)];
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // In chunks: the detector stops feeding a candidate once the bytes rule it out.
    for chunk in bytes.chunks(4096) {
        detector.feed(chunk, false);
    }
    detector.feed(&[], true);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if guess == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        guess
    }
}

fn charset_from_content_type(value: &str) -> Option<&'static Encoding> {
    value.split(';').skip(1).find_map(|param| {
        let (key, val) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| label(val.trim().trim_matches(['"', '\''])))?
    })
}

/// Maps a charset label to an encoding, widening GB2312/GBK to GB18030, which decodes all three.
fn label(name: &str) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(name.as_bytes())?;
    Some(if encoding == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        encoding
    })
}

/// The charset a `<meta charset>` or `<meta http-equiv content="...; charset=">` declares in the
/// first 4 KiB, found the way the HTML standard's prescan looks for it (simplified).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let tag_start = from + pos;
        let tag_end = find(&lower[tag_start..], b">").map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + 7..];
            let rest = rest
                .iter()
                .position(|&b| b != b' ')
                .map_or(&rest[rest.len()..], |p| &rest[p..]);
            if let Some(value) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = value
                    .iter()
                    .copied()
                    .skip_while(|b| matches!(b, b' ' | b'"' | b'\''))
                    .take_while(|b| !matches!(b, b' ' | b'"' | b'\'' | b';' | b'/' | b'>'))
                    .collect();
                if let Some(encoding) = std::str::from_utf8(&value).ok().and_then(label) {
                    // A page that reached us as bytes cannot really be UTF-16; the standard
                    // reads such a declaration as UTF-8.
                    let is_utf16 =
                        encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
                    return Some(if is_utf16 { UTF_8 } else { encoding });
                }
            }
        }
        from = tag_end.max(tag_start + 5);
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_declared_as_gb2312_decodes_as_utf8() {
        let page = "<meta charset=gb2312><p>中文新闻，这是一段足够长的正文。</p>".as_bytes();
        let d = decode(page, None);
        assert!(d.text.contains("中文新闻"));
        assert_eq!(d.encoding, UTF_8);
    }

    #[test]
    fn gbk_without_declaration_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK
            .encode("<p>中华人民共和国国务院新闻办公室今天举行新闻发布会，介绍有关情况。</p>");
        let d = decode(&bytes, None);
        assert!(d.text.contains("新闻发布会"), "{}", d.text);
        assert_eq!(d.evidence, Evidence::Detected);
    }

    #[test]
    fn double_encoded_gbk_is_repaired() {
        let (gbk, _, _) = encoding_rs::GBK.encode("北京西直门凯德购物中心发生火灾，无人伤亡。");
        let mojibake: String = gbk
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .repeat(8);
        let page = format!("<meta charset=gb18030><p>{mojibake}</p>");
        let (bytes, _, _) = encoding_rs::GB18030.encode(&page);
        let d = decode(&bytes, None);
        assert_eq!(d.evidence, Evidence::Repaired);
        assert!(d.text.contains("北京西直门凯德购物中心"), "{}", d.text);
    }

    #[test]
    fn big5_declared_as_gbk_reads_as_big5() {
        let text = "時下愛美年輕人，不分男女，紛紛套上時尚保暖的靴子，醫院皮膚科主任醫師發現，原本應該好發在夏季的足部濕疹，竟有患者陸續在寒冬上門求診。";
        let page = format!("<meta charset=gbk><p>{text}</p>");
        let (bytes, _, _) = encoding_rs::BIG5.encode(&page);
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, encoding_rs::BIG5);
        assert!(d.text.contains(text));
    }

    #[test]
    fn sample_keeps_non_ascii_runs_and_the_ascii_next_to_them() {
        let page = format!("{}中文{}", "a".repeat(100), "b".repeat(100));
        let expected = format!("{}中文{}", "a".repeat(16), "b".repeat(16));
        assert_eq!(sample(page.as_bytes()), expected.as_bytes());
        assert_eq!(sample(b"short ascii"), b"short ascii");
    }

    #[test]
    fn utf8_is_replaced_as_encoding_rs_replaces_it() {
        let (gbk, _, _) = encoding_rs::GBK.encode("中华人民共和国，“新闻”——发布会…");
        let mut cases: Vec<Vec<u8>> = vec![gbk.into_owned()];
        cases.extend(["\u{e9}t\u{e9} 中文 😀".as_bytes().to_vec()]);
        let mixed: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
        cases.push(mixed);
        cases.push(b"\xF0\x9F\x98 \xE4\xB8 \xC3 \xED\xA0\x80 \xF4\x90\x80\x80 \xC0\xAF".to_vec());
        for bytes in cases {
            assert_eq!(
                read(UTF_8, &bytes),
                UTF_8.decode_without_bom_handling(&bytes).0
            );
        }
    }

    #[test]
    fn common_characters_are_found() {
        assert!(COMMON_HAN.chars().all(is_common_han));
        assert!(!is_common_han('鬱') && !is_common_han('a') && !is_common_han('\u{3000}'));
    }

    #[test]
    fn header_beats_meta() {
        let (bytes, _, _) = encoding_rs::BIG5.encode("<meta charset=utf-8><p>臺灣新聞</p>");
        let d = decode(&bytes, Some("text/html; charset=big5"));
        assert_eq!(d.encoding, encoding_rs::BIG5);
        assert!(d.text.contains("臺灣新聞"));
    }
}
