//! Unicode script helpers that several stages share (decode, extract, normalize).
//!
//! A leaf: it imports nothing of the crate, so that sharing these does not make one stage
//! import another.

/// Characters that are written without spaces between words (Han, kana, CJK punctuation and
/// full-width forms). Hangul is not among them: Korean separates words with spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'   // radicals
        | '\u{3000}'..='\u{303F}' // CJK symbols and punctuation
        | '\u{3040}'..='\u{30FF}' // hiragana, katakana
        | '\u{3100}'..='\u{312F}' // bopomofo
        | '\u{3190}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}' // compatibility forms
        | '\u{FF00}'..='\u{FFEF}' // full-width and half-width forms
        | '\u{20000}'..='\u{3134F}')
}
