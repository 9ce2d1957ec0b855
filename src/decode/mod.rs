//! Bytes → text: find the charset a page is really in and decode it.
//!
//! Order of evidence: a byte-order mark, then the HTTP `Content-Type` charset, then a `<meta>`
//! declaration in the first 4 KiB, then statistical detection (chardetng). Declarations are
//! checked, not trusted: Chinese sites often declare gb2312 for UTF-8 pages or GBK for Big5, so a
//! declared charset that does not decode cleanly yields to detection.

pub mod mojibake;

use encoding_rs::{Encoding, UTF_8};

/// Decoded text and how its encoding was chosen.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
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
}

/// Decodes `bytes`, given the `Content-Type` header if there was one.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding,
            evidence: Evidence::Bom,
            had_errors,
        };
    }
    let declared = [
        (
            content_type.and_then(charset_from_content_type),
            Evidence::Header,
        ),
        (meta_charset(bytes), Evidence::Meta),
    ];
    for (encoding, evidence) in declared {
        let Some(encoding) = encoding else { continue };
        if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            return Decoded {
                text: text.into_owned(),
                encoding,
                evidence,
                had_errors: false,
            };
        }
    }
    let encoding = detect(bytes);
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
        evidence: Evidence::Detected,
        had_errors,
    }
}

/// Guesses the encoding of undeclared or mis-declared bytes.
fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
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
    fn header_beats_meta() {
        let (bytes, _, _) = encoding_rs::BIG5.encode("<meta charset=utf-8><p>臺灣新聞</p>");
        let d = decode(&bytes, Some("text/html; charset=big5"));
        assert_eq!(d.encoding, encoding_rs::BIG5);
        assert!(d.text.contains("臺灣新聞"));
    }
}
