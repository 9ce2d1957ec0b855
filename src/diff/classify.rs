//! Is a change minor? Punctuation and spacing changes (`，` → `,`, `"` → `“`, a space added or
//! removed) happen when a site re-renders a page; readers want them recorded but told apart from
//! edits to the words.

use regex::Regex;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// Whether `old` and `new` differ only in punctuation and white space.
pub(crate) fn is_minor_edit(old: &str, new: &str) -> bool {
    wording(old) == wording(new)
}

/// Whether an added or deleted sentence carries words or numbers (not only punctuation or
/// symbols, like a `——` separator line).
pub(crate) fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// The text without its punctuation and white space, compatibility forms folded (NFKC turns
/// full-width `，` and `Ａ` into `,` and `A`). Punctuation that carries meaning (`%`, `#`, `&`,
/// `@`, `§`) counts as a word, and so does punctuation between two digits (`5.2` is not `52`),
/// except a thousands separator (`2,000` is `2000`).
fn wording(text: &str) -> Vec<char> {
    // NFKC leaves ASCII as it is.
    let chars: Vec<char> = if text.is_ascii() {
        text.chars().collect()
    } else {
        text.nfkc().collect()
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            if c.is_whitespace() {
                return false;
            }
            if !is_punctuation(c) {
                return true;
            }
            let digit_at = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
            let between_digits = i > 0 && digit_at(i - 1) && digit_at(i + 1);
            let thousands = c == ',' && (1..=3).all(|k| digit_at(i + k)) && !digit_at(i + 4);
            between_digits && !thousands
        })
        .map(|(_, &c)| c)
        .collect()
}

/// Punctuation that is not a word: `\p{P}` but `%‰‱#&@§`.
const PUNCTUATION_PATTERN: &str = r"^[\p{P}--[%‰‱#&@§]]$";

fn is_punctuation(c: char) -> bool {
    static PUNCTUATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(PUNCTUATION_PATTERN).expect("the pattern is valid"));
    if c.is_ascii() {
        // The same set without a regex search per character, for the commonest characters.
        return matches!(
            c,
            '!' | '"'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '['
                | '\\'
                | ']'
                | '_'
                | '{'
                | '}'
        );
    }
    PUNCTUATION.is_match(c.encode_utf8(&mut [0; 4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_punctuation_is_the_patterns() {
        let pattern = Regex::new(PUNCTUATION_PATTERN).unwrap();
        for c in (0u8..128).map(char::from) {
            assert_eq!(
                is_punctuation(c),
                pattern.is_match(c.encode_utf8(&mut [0; 4])),
                "{c:?}"
            );
        }
    }

    #[test]
    fn punctuation_and_spacing_are_minor() {
        assert!(is_minor_edit("他说，好。", "他说,好."));
        assert!(is_minor_edit("\"Yes,\" she said.", "“Yes” she  said…"));
        assert!(is_minor_edit("ＡＢＣ公司", "ABC 公司"));
        assert!(is_minor_edit("对华2000亿美元", "对华2,000亿美元"));
        assert!(is_minor_edit("1,234,567 people", "1234567 people"));
    }

    #[test]
    fn words_numbers_and_symbols_are_not_minor() {
        assert!(!is_minor_edit("经济大势", "经济大肆"));
        assert!(!is_minor_edit("up 5.2%", "up 52%"));
        assert!(!is_minor_edit("1,5 million", "15 million"));
        assert!(!is_minor_edit("1,2345", "12345"));
        assert!(!is_minor_edit("up 5%", "up 5"));
        assert!(!is_minor_edit("cost $5", "cost €5"));
    }

    #[test]
    fn separators_carry_no_words() {
        assert!(!has_words("—— * ——"));
        assert!(has_words("图"));
        assert!(has_words("2026"));
    }
}
