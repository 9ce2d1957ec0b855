//! Inside one changed sentence: which characters (CJK) or words (other scripts) changed.
//!
//! One tokenizer serves both: similar's Unicode word segmentation (UAX #29) makes each Han
//! character its own token but keeps `2026`, `5.2` and `iPhone` whole, so a Chinese sentence is
//! diffed per character and an English one per word, and mixed text gets both. Each sentence is
//! tokenized once; the same tokens score candidate pairs ([`similarity`]) and give the highlighted
//! [`Span`]s ([`spans`]).

use super::{Span, SpanKind};
use similar::{Algorithm, DiffTag, DiffableStr};
use std::time::Instant;

/// A sentence cut into tokens; concatenating them gives the sentence back.
pub(crate) fn tokenize(text: &str) -> Vec<&str> {
    text.tokenize_unicode_words()
}

/// How alike two token lists are, from 0 (nothing shared) to 1 (equal): similar's ratio,
/// 2 × matched tokens / all tokens.
pub(crate) fn similarity(old: &[&str], new: &[&str], deadline: Instant) -> f32 {
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    similar::diff_ratio(&ops, old.len(), new.len())
}

/// The highest [`similarity`] two lists of these lengths can reach: skips hopeless pairs
/// without diffing them.
pub(crate) fn similarity_bound(old_len: usize, new_len: usize) -> f32 {
    let total = old_len + new_len;
    if total == 0 {
        return 1.0;
    }
    2.0 * old_len.min(new_len) as f32 / total as f32
}

/// The two texts as one interleaved list of spans: the old text is the `Equal` and `Deleted`
/// spans, the new text the `Equal` and `Added` spans. In a run of changes the deletion comes
/// first, and neighbouring spans never share a kind.
pub(crate) fn spans(old: &[&str], new: &[&str], deadline: Instant) -> Vec<Span> {
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    let mut pieces: Vec<Piece> = Vec::new();
    for op in &ops {
        let (tag, o, n) = op.as_tag_tuple();
        let (deleted, added) = match tag {
            DiffTag::Equal => {
                pieces.push(Piece::Equal(old[o].concat()));
                continue;
            }
            DiffTag::Delete => (old[o].concat(), String::new()),
            DiffTag::Insert => (String::new(), new[n].concat()),
            DiffTag::Replace => (old[o].concat(), new[n].concat()),
        };
        match pieces.last_mut() {
            Some(Piece::Change(d, a)) => {
                d.push_str(&deleted);
                a.push_str(&added);
            }
            _ => pieces.push(Piece::Change(deleted, added)),
        }
    }
    to_spans(bridge_spaces(pieces))
}

/// A stretch of the interleaved diff: unchanged text, or what was deleted and what was added
/// in its place.
enum Piece {
    Equal(String),
    Change(String, String),
}

/// Joins two replacements separated only by white space, so that `the cat` → `a dog` reads
/// `[-the cat-]{+a dog+}` rather than `[-the-]{+a+} [-cat-]{+dog+}`.
fn bridge_spaces(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if let Piece::Change(d2, a2) = &piece
            && is_replacement(d2, a2)
            && let [.., Piece::Change(d, a), Piece::Equal(space)] = out.as_mut_slice()
            && is_replacement(d, a)
            && !space.is_empty()
            && space.chars().all(char::is_whitespace)
        {
            let space = std::mem::take(space);
            for (side, more) in [(d, d2), (a, a2)] {
                side.push_str(&space);
                side.push_str(more);
            }
            out.pop(); // the emptied space
            continue;
        }
        out.push(piece);
    }
    out
}

fn is_replacement(deleted: &str, added: &str) -> bool {
    !deleted.is_empty() && !added.is_empty()
}

fn to_spans(pieces: Vec<Piece>) -> Vec<Span> {
    let mut spans = Vec::with_capacity(pieces.len() * 2);
    let mut push = |kind, text: String| {
        if text.is_empty() {
            return;
        }
        match spans.last_mut() {
            Some(Span { kind: k, text: t }) if *k == kind => t.push_str(&text),
            _ => spans.push(Span { kind, text }),
        }
    };
    for piece in pieces {
        match piece {
            Piece::Equal(text) => push(SpanKind::Equal, text),
            Piece::Change(deleted, added) => {
                push(SpanKind::Deleted, deleted);
                push(SpanKind::Added, added);
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn diff(old: &str, new: &str) -> Vec<(SpanKind, String)> {
        let deadline = Instant::now() + Duration::from_secs(1);
        spans(&tokenize(old), &tokenize(new), deadline)
            .into_iter()
            .map(|s| (s.kind, s.text))
            .collect()
    }

    #[test]
    fn tokens_are_han_characters_and_whole_latin_words() {
        assert_eq!(
            tokenize("苹果发布iPhone 17售价5.2万"),
            vec![
                "苹", "果", "发", "布", "iPhone", " ", "17", "售", "价", "5.2", "万"
            ]
        );
    }

    #[test]
    fn a_chinese_edit_marks_one_character() {
        use SpanKind::*;
        assert_eq!(
            diff("经济大势向好。", "经济大肆向好。"),
            vec![
                (Equal, "经济大".into()),
                (Deleted, "势".into()),
                (Added, "肆".into()),
                (Equal, "向好。".into()),
            ]
        );
    }

    #[test]
    fn neighbouring_word_replacements_read_as_one() {
        use SpanKind::*;
        assert_eq!(
            diff("I saw the cat today.", "I saw a dog today."),
            vec![
                (Equal, "I saw ".into()),
                (Deleted, "the cat".into()),
                (Added, "a dog".into()),
                (Equal, " today.".into()),
            ]
        );
    }

    #[test]
    fn bounds_similarity_by_length() {
        assert_eq!(similarity_bound(1, 3), 0.5);
        assert_eq!(similarity_bound(0, 0), 1.0);
        let deadline = Instant::now() + Duration::from_secs(1);
        assert!(similarity(&tokenize("a b c d"), &tokenize("a b"), deadline) <= 0.6);
    }
}
