//! Fetched bytes → [`Page`]: decode, extract and normalize in one call.
//!
//! This is the one path from bytes to archived text. `snapshot`, `import-git` and `extract` all
//! call [`read`], so what `palimpsest extract` shows is exactly what would be archived.

use crate::config::MAX_PAGE_BYTES;
use crate::decode::mojibake::{self, Mojibake};
use crate::decode::{self, Decoded};
use crate::extract::{self, Article, SiteRules};
use crate::normalize::Document;
use url::Url;

/// A page read into its archived form.
#[derive(Debug, Clone)]
pub struct Page {
    pub encoding: &'static encoding_rs::Encoding,
    pub evidence: decode::Evidence,
    pub article: Article,
    pub document: Document,
}

/// A page that can't be archived.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not an HTML or text page (Content-Type: {0})")]
    NotHtml(String),
    #[error("binary content ({0}), not a text page")]
    Binary(&'static str),
    #[error("page is {0} bytes, more than the {MAX_PAGE_BYTES} bytes palimpsest reads")]
    TooLarge(usize),
    #[error(transparent)]
    TooManyElements(#[from] extract::TooManyElements),
    #[error("no article text found (empty title and body)")]
    Empty,
    #[error(
        "the page looks mis-encoded (UTF-8 read as Latin-1/Windows-1252 and not repairable unambiguously) and \
         was not archived; the next fetch may be clean"
    )]
    Suspect,
}

/// Reads raw page bytes. `content_type` is the HTTP header, when there was one; `url` is the
/// article's canonical URL, which selects site rules and is written into the document.
pub fn read(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &Url,
    rules: &SiteRules,
) -> Result<Page, PageError> {
    if let Some(ct) = content_type {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let textual = mime.is_empty()
            || mime.starts_with("text/")
            || mime == "application/xhtml+xml"
            || mime == "application/xml";
        if !textual {
            return Err(PageError::NotHtml(ct.to_owned()));
        }
    }
    check_text(bytes)?;
    let Decoded {
        text,
        encoding,
        evidence,
        ..
    } = decode::decode(bytes, content_type);
    // Mojibake is a scraper's bug, not an edit: repair it before anything reads the text.
    let text = match mojibake::check(&text) {
        Mojibake::Clean => text,
        Mojibake::Repaired(fixed) => fixed.into(),
        Mojibake::Suspect => return Err(PageError::Suspect),
    };
    let article = extract::extract(&text, Some(url), rules)?;
    let document = Document::from_article(url.as_str(), &article);
    if document.title.is_empty() && document.paragraphs.is_empty() {
        return Err(PageError::Empty);
    }
    Ok(Page {
        encoding,
        evidence,
        article,
        document,
    })
}

/// The gates before any parsing: more than [`MAX_PAGE_BYTES`], or bytes that are not text, are
/// refused. [`read`] applies them, and so does every other reader of fetched bytes (feeds and
/// index pages, in [`crate::discover`]).
pub fn check_text(bytes: &[u8]) -> Result<(), PageError> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(PageError::TooLarge(bytes.len()));
    }
    match binary_sign(bytes) {
        Some(sign) => Err(PageError::Binary(sign)),
        None => Ok(()),
    }
}

/// What in the first 8 KiB of `bytes` shows they are not text: NUL bytes, which no text
/// encoding we read produces (UTF-16 pages announce themselves with a BOM and are let through),
/// or control bytes past 1 % of them. Text has none but tabs, line and page breaks, and the
/// shifts and escapes of ISO-2022 encodings; compressed or encrypted data has 8 % (a byte in
/// every 12).
fn binary_sign(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    if head.contains(&0) {
        return Some("NUL bytes");
    }
    let controls = head
        .iter()
        .filter(|&&b| matches!(b, 0x01..=0x08 | 0x10..=0x1A | 0x1C..=0x1F | 0x7F))
        .count();
    (controls * 100 > head.len()).then_some("control bytes")
}

#[cfg(test)]
mod tests {
    //! Hostile pages: each ends with a page or a clear error, never a panic or a hang.

    use super::*;

    fn read_str(html: &str) -> Result<Page, PageError> {
        read_bytes(html.as_bytes())
    }

    fn read_bytes(bytes: &[u8]) -> Result<Page, PageError> {
        let url = Url::parse("https://news.example.com/a").unwrap();
        read(bytes, None, &url, &SiteRules::default())
    }

    const PROSE: &str = "The council approved the budget on Monday, after a long debate, \
        and the mayor said the vote would stand.";

    #[test]
    fn nesting_100000_deep_reads() {
        let n = 100_000;
        let html = format!("{}<p>{PROSE}</p>{}", "<div>".repeat(n), "</div>".repeat(n));
        let page = read_str(&html).unwrap();
        assert_eq!(page.document.body_text(), PROSE);
        let formatting = format!("{}<p>{PROSE}</p>", "<b><i><span>".repeat(n / 3));
        assert!(read_str(&formatting).is_ok());
    }

    #[test]
    fn megabyte_attribute_reads() {
        let html = format!(
            "<div data-x=\"{}\"><p>{PROSE}</p></div><img alt='{}'>",
            "x".repeat(1 << 20),
            "y".repeat(1 << 20)
        );
        assert_eq!(read_str(&html).unwrap().document.body_text(), PROSE);
    }

    #[test]
    fn binary_bytes_are_refused() {
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(matches!(read_bytes(&bytes), Err(PageError::Binary(_))));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(matches!(
            read_bytes(png),
            Err(PageError::Binary("NUL bytes"))
        ));
        let no_nul: Vec<u8> = bytes.iter().map(|&b| b.max(1)).collect();
        assert!(matches!(
            read_bytes(&no_nul),
            Err(PageError::Binary("control bytes"))
        ));
        let mut escaped = format!("<p>{PROSE}</p>").into_bytes();
        escaped.extend_from_slice(b"\x1b$B\x0e\x0f\t\x0c\r\n");
        assert!(read_bytes(&escaped).is_ok());
    }

    #[test]
    fn high_bytes_without_nul_end_in_a_page_or_empty() {
        let bytes: Vec<u8> = (0..100_000u32)
            .map(|i| 0x80 + (i * 31 % 127) as u8)
            .collect();
        match read_bytes(&bytes) {
            Ok(_) | Err(PageError::Empty) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn broken_markup_reads() {
        let html = format!(
            "<html><body><div><p>{PROSE}<b><i></p></div></span></table><<<>>><td></tr>\
             <p>{PROSE}<!-- unclosed comment <div>"
        );
        let page = read_str(&html).unwrap();
        assert!(page.document.body_text().contains("mayor said"));
        assert!(matches!(
            read_str("<<<<<<>>>>></></></>"),
            Err(PageError::Empty)
        ));
        assert!(matches!(read_str(""), Err(PageError::Empty)));
    }

    #[test]
    fn nul_bytes_and_lone_surrogates_are_dropped() {
        let html = format!(
            "<p>{}</p><p>{PROSE}\0 &#xD800; &#0; &#x110000; \u{feff}</p>",
            "padding ".repeat(2000)
        );
        let page = read_str(&html).unwrap();
        let body = page.document.body_text();
        assert!(body.contains("mayor said"));
        assert!(!body.contains('\0'), "{body}");
    }

    #[test]
    fn too_many_elements_are_refused_before_parsing() {
        let html = format!("<p>{PROSE}</p>{}", "<br>".repeat(extract::MAX_ELEMENTS));
        assert!(matches!(
            read_str(&html),
            Err(PageError::TooManyElements(_))
        ));
        let html = format!("<p>{PROSE}</p>{}", "<br>".repeat(extract::MAX_ELEMENTS - 1));
        let page = read_str(&html).map_err(|e| e.to_string());
        assert_eq!(page.unwrap().document.body_text(), PROSE);
    }

    #[test]
    fn oversized_page_is_refused_before_parsing() {
        let bytes = vec![b'a'; MAX_PAGE_BYTES + 1];
        assert!(matches!(read_bytes(&bytes), Err(PageError::TooLarge(_))));
    }

    #[test]
    fn not_html_content_type_is_refused() {
        let url = Url::parse("https://news.example.com/a").unwrap();
        let err = read(
            b"%PDF-1.4",
            Some("application/pdf"),
            &url,
            &SiteRules::default(),
        );
        assert!(matches!(err, Err(PageError::NotHtml(_))));
    }
}
