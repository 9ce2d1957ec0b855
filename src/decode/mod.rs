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
    // Valid UTF-8 with non-ASCII bytes is UTF-8, whatever the page declares: no other
    // encoding we meet produces it by chance.
    if let Some(text) = std::str::from_utf8(bytes).ok().filter(|t| !t.is_ascii()) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            evidence: evidence_for(UTF_8),
            had_errors: false,
        };
    }
    if bytes.is_ascii() {
        // Every encoding we read agrees on ASCII.
        let encoding = declared
            .map(|(d, _)| d)
            .filter(|d| d.is_ascii_compatible())
            .unwrap_or(UTF_8);
        return Decoded {
            text: String::from_utf8_lossy(bytes),
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
    let sample = &bytes[..bytes.len().min(SAMPLE_BYTES)];
    let first = match declared {
        Some((d, _)) => d,
        None => detect(sample),
    };
    // Chinese pages mislabel GBK and Big5 as each other and as UTF-8: weigh the readings of
    // a sample; the declared (or detected) reading comes first and keeps ties.
    let mut encoding = first;
    if is_chinese(first) || first == UTF_8 || declared.is_some() {
        let mut best = quality(&first.decode_without_bom_handling(sample).0).score;
        for candidate in [encoding_rs::GB18030, encoding_rs::BIG5, UTF_8] {
            if candidate == first {
                continue;
            }
            let q = quality(&candidate.decode_without_bom_handling(sample).0).score;
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

static COMMON_SORTED: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut chars: Vec<char> = COMMON_HAN.chars().collect();
    chars.sort_unstable();
    chars
});

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
    for c in text.chars().filter(|c| !c.is_ascii()).take(QUALITY_SAMPLE) {
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
            c if COMMON_SORTED.binary_search(&c).is_ok() => {
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
    let before = quality(text);
    let mut best: Option<(String, Quality, &'static Encoding)> = None;
    // Depth-first over (text, depth), so at most REPAIR_DEPTH candidate texts live at once.
    let mut stack: Vec<(std::borrow::Cow<'_, str>, usize)> = vec![(text.into(), 0)];
    while let Some((current, depth)) = stack.pop() {
        let latin = current
            .chars()
            .filter(|&c| !c.is_ascii() && single_byte(c, CodePage::Windows1252).is_some())
            .count();
        if depth == REPAIR_DEPTH || latin < 64 {
            continue;
        }
        for page in [CodePage::Windows1252, CodePage::Latin9] {
            let pieces = single_byte_runs(&current, page);
            for encoding in [UTF_8, encoding_rs::GB18030, encoding_rs::BIG5] {
                let repaired = decode_runs(&pieces, encoding);
                let q = quality(&repaired);
                if q.errors * 100 > latin {
                    continue;
                }
                let chinese = q.common * 5 >= q.non_ascii && q.common > 0;
                let better = best.as_ref().map_or(before.score, |(_, b, _)| b.score) < q.score;
                if chinese && better {
                    best = Some((repaired.clone(), q, encoding));
                }
                stack.push((repaired.into(), depth + 1));
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

/// The text as runs of single bytes (in `page`) between the characters that have none.
fn single_byte_runs(text: &str, page: CodePage) -> Vec<Result<Vec<u8>, char>> {
    let mut pieces: Vec<Result<Vec<u8>, char>> = Vec::new();
    for c in text.chars() {
        match (single_byte(c, page), pieces.last_mut()) {
            (Some(b), Some(Ok(run))) => run.push(b),
            (Some(b), _) => pieces.push(Ok(vec![b])),
            (None, _) => pieces.push(Err(c)),
        }
    }
    pieces
}

fn decode_runs(pieces: &[Result<Vec<u8>, char>], encoding: &'static Encoding) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Ok(run) => out.push_str(&encoding.decode_without_bom_handling(run).0),
            Err(c) => out.push(*c),
        }
    }
    out
}

/// The byte a character came from when bytes were read in `page` (Latin-1 for the C1
/// controls, which some converters pass through).
fn single_byte(c: char, page: CodePage) -> Option<u8> {
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
    if let Some(&(_, b)) = table.iter().find(|&&(k, _)| k == c) {
        return Some(b);
    }
    let replaced_in_latin9 = matches!(page, CodePage::Latin9)
        && matches!(c, '¤' | '¦' | '¨' | '´' | '¸' | '¼' | '½' | '¾');
    if replaced_in_latin9 {
        return None;
    }
    u8::try_from(u32::from(c)).ok()
}

/// Guesses the encoding of undeclared or mis-declared bytes.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
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
    fn header_beats_meta() {
        let (bytes, _, _) = encoding_rs::BIG5.encode("<meta charset=utf-8><p>臺灣新聞</p>");
        let d = decode(&bytes, Some("text/html; charset=big5"));
        assert_eq!(d.encoding, encoding_rs::BIG5);
        assert!(d.text.contains("臺灣新聞"));
    }
}
