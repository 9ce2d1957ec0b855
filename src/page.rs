//! Fetched bytes → [`Page`]: decode, extract and normalize in one call.
//!
//! This is the one path from bytes to archived text. `snapshot`, `import-git` and `extract` all
//! call [`read`], so what `palimpsest extract` shows is exactly what would be archived.

use crate::decode::mojibake::{self, Mojibake};
use crate::decode::{self, Decoded};
use crate::extract::{self, Article, SiteRules};
use crate::normalize::Document;
use url::Url;

/// Pages larger than this are refused before parsing: the HTML parser's memory grows with the
/// page, and no news article is this big.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

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
    #[error("binary content (NUL bytes), not a text page")]
    Binary,
    #[error("page is {0} bytes, more than the {MAX_PAGE_BYTES}-byte limit")]
    TooLarge(usize),
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
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(PageError::TooLarge(bytes.len()));
    }
    if looks_binary(bytes) {
        return Err(PageError::Binary);
    }
    let Decoded {
        text,
        encoding,
        evidence,
        ..
    } = decode::decode(bytes, content_type);
    // Mojibake is a scraper's bug, not an edit: repair it before anything reads the text.
    let text = match mojibake::check(&text) {
        Mojibake::Clean => text,
        Mojibake::Repaired(fixed) => fixed,
        Mojibake::Suspect => return Err(PageError::Suspect),
    };
    let article = extract::extract(&text, Some(url), rules);
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

/// Whether the start of `bytes` holds NUL bytes, which no text encoding we read produces
/// (UTF-16 pages announce themselves with a BOM and are let through).
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let utf16_bom = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !utf16_bom && head.contains(&0)
}
