//! The limits every parsed page is held to, whichever path reads it (the generic extractor,
//! site rules, the mirror reader, discovery's index pages): all of them parse through our
//! [`super::tokenizer`], which applies these as it hands tags to the tree builder.
//!
//! Without them a hostile page takes minutes or gigabytes: html5ever's scope checks walk the
//! whole stack of open elements for every tag, and the tree and the extractor hold several
//! hundred bytes per element.

/// Browsers stop nesting elements this deep (Chromium's parser adds deeper ones as siblings).
/// html5ever has no such limit, and its scope checks walk the whole stack of open elements for
/// every tag, so a page nested 100,000 deep would take minutes to parse: the tags nested deeper
/// are dropped (their text stays, in the innermost element kept).
pub const MAX_DEPTH: usize = 512;

/// Distinct attributes kept per tag; real tags have a few. The tree builder compares all the
/// attributes of formatting elements with each other's, and site rules keep every attribute,
/// so a tag with 100,000 would take minutes.
pub const MAX_ATTRIBUTES: usize = 64;

/// Elements a page may have, past which it is not parsed: html5ever and the extractor hold
/// several hundred bytes per element, so 10 MB of `<br>` would take gigabytes, and 100,000
/// take about 75 MB. A news article has a few thousand.
pub const MAX_ELEMENTS: usize = 100_000;

/// A page with more than [`MAX_ELEMENTS`] elements.
#[derive(Debug, thiserror::Error)]
#[error("page has more than {MAX_ELEMENTS} elements, more than palimpsest reads")]
pub struct TooManyElements;

/// Counts the tags of a page as they reach the tree builder: how deep they nest, for
/// [`MAX_DEPTH`], and how many elements they make, for [`MAX_ELEMENTS`].
#[derive(Default)]
pub struct Gate {
    /// Elements open.
    depth: usize,
    /// Elements made.
    elements: usize,
    /// Whether the last `p` tag was a start tag: a `</p>` without one makes an element.
    open_p: bool,
}

impl Gate {
    /// Whether a tag (lowercase `name`) goes to the tree builder: not when it nests deeper than
    /// [`MAX_DEPTH`], nor the end tag of one that did.
    #[inline]
    pub fn admit(&mut self, start: bool, name: &[u8], self_closing: bool) -> bool {
        if never_nests(name) || (start && self_closing) {
            // `</br>`, and `</p>` with no `<p>` open, make elements too.
            let stray = match name {
                b"p" => !std::mem::replace(&mut self.open_p, start) && !start,
                b"br" => !start,
                _ => false,
            };
            if start || stray {
                self.elements += 1;
            }
            true
        } else if start {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return false;
            }
            self.elements += 1;
            true
        } else {
            let deep = self.depth > MAX_DEPTH;
            self.depth = self.depth.saturating_sub(1);
            !deep
        }
    }

    /// Whether the tags so far made more than [`MAX_ELEMENTS`] elements.
    #[inline]
    pub fn overflowed(&self) -> bool {
        self.elements > MAX_ELEMENTS
    }
}

/// Elements that never nest: void elements, and those whose end tag is left out so often that
/// counting them would make ordinary old pages look deep.
#[inline]
fn never_nests(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
            | b"p"
            | b"li"
            | b"td"
            | b"th"
            | b"tr"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
    )
}
