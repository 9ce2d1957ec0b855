//! Inside one changed sentence: which characters (CJK) or words (other scripts) changed.
//!
//! One tokenizer serves both: similar's Unicode word segmentation (UAX #29) makes each Han
//! character its own token but keeps `2026`, `5.2` and `iPhone` whole, so a Chinese sentence is
//! diffed per character and an English one per word, and mixed text gets both. Each sentence is
//! tokenized once for scoring candidate pairs ([`similarity`] of two [`Profile`]s), and once more
//! for the highlighted [`Span`]s of the pairs kept ([`spans`]).

use super::{Span, SpanKind};
use similar::{Algorithm, DiffTag, DiffableStr};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::time::Instant;

/// A sentence cut into tokens; concatenating them gives the sentence back.
pub(crate) fn tokenize(text: &str) -> Vec<&str> {
    text.tokenize_unicode_words()
}

/// A sentence prepared for many comparisons: its tokens as numbers, in order and sorted.
pub(crate) struct Profile {
    ids: Vec<u32>,
    sorted: Vec<u32>,
}

/// Gives each distinct token a number, so that comparing sentences compares integers.
#[derive(Default)]
pub(crate) struct Interner<'a> {
    ids: HashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
    pub(crate) fn profile(&mut self, text: &'a str) -> Profile {
        let ids: Vec<u32> = tokenize(text)
            .into_iter()
            .map(|token| {
                let next = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
                *self.ids.entry(token).or_insert(next)
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        Profile { ids, sorted }
    }
}

/// How alike two sentences are, from 0 (nothing shared) to 1 (equal), if at least `least`:
/// similar's ratio, 2 × matched tokens / all tokens. Two cheap upper bounds (lengths, then
/// shared tokens regardless of order) skip most hopeless pairs before the diff.
pub(crate) fn similarity(
    old: &Profile,
    new: &Profile,
    least: f32,
    deadline: Instant,
) -> Option<f32> {
    let total = (old.ids.len() + new.ids.len()).max(1) as f32;
    let ratio_of = |matched: usize| 2.0 * matched as f32 / total;
    if ratio_of(old.ids.len().min(new.ids.len())) < least
        || ratio_of(shared_count(&old.sorted, &new.sorted)) < least
    {
        return None;
    }
    let ops =
        similar::capture_diff_slices_deadline(Algorithm::Myers, &old.ids, &new.ids, Some(deadline));
    let ratio = similar::diff_ratio(&ops, old.ids.len(), new.ids.len());
    (ratio >= least).then_some(ratio)
}

/// How many tokens two sorted lists share, counting repeats.
fn shared_count(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
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
    to_spans(merge_short_equalities(pieces))
}

/// A stretch of the interleaved diff: unchanged text, or what was deleted and what was added
/// in its place.
enum Piece {
    Equal(String),
    Change(String, String),
}

/// Joins two changes separated by a short unchanged stretch (no longer than either change) into
/// one replacement, when together they delete and add something: `the cat` → `a dog` reads
/// `[-the cat-]{+a dog+}` rather than `[-the-]{+a+} [-cat-]{+dog+}`, and a rewritten title is
/// not confetti around the one character the two versions happen to share. Pure insertions
/// (or deletions) around kept text stay apart: `a {+X +}b {+Y +}c`.
fn merge_short_equalities(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if let Piece::Change(d2, a2) = &piece
            && let [.., Piece::Change(d, a), Piece::Equal(equal)] = out.as_mut_slice()
            && (!d.is_empty() || !d2.is_empty())
            && (!a.is_empty() || !a2.is_empty())
        {
            let size = |del: &str, add: &str| del.chars().count().max(add.chars().count());
            if equal.chars().count() <= size(d, a).min(size(d2, a2)) {
                let equal = std::mem::take(equal);
                for (side, more) in [(d, d2), (a, a2)] {
                    side.push_str(&equal);
                    side.push_str(more);
                }
                out.pop(); // the emptied equality
                continue;
            }
        }
        out.push(piece);
    }
    out
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
    fn a_rewritten_title_is_one_replacement() {
        use SpanKind::*;
        assert_eq!(
            diff(
                "【必看】习近平为何缺席俄中军演？",
                "【必看】中国明星富豪新一波逃命？"
            ),
            vec![
                (Equal, "【必看】".into()),
                (Deleted, "习近平为何缺席俄中军演".into()),
                (Added, "中国明星富豪新一波逃命".into()),
                (Equal, "？".into()),
            ]
        );
    }

    #[test]
    fn insertions_around_kept_text_stay_apart() {
        use SpanKind::*;
        assert_eq!(
            diff("a b c", "a X b Y c"),
            vec![
                (Equal, "a ".into()),
                (Added, "X ".into()),
                (Equal, "b ".into()),
                (Added, "Y ".into()),
                (Equal, "c".into()),
            ]
        );
    }

    #[test]
    fn similarity_is_the_share_of_matched_tokens() {
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut interner = Interner::default();
        let a = interner.profile("经济大势向好");
        let b = interner.profile("经济大肆向好");
        let c = interner.profile("好向大势经济");
        assert_eq!(similarity(&a, &b, 0.5, deadline), Some(5.0 / 6.0));
        assert_eq!(similarity(&a, &b, 0.9, deadline), None);
        // Same tokens in another order: passes the cheap bounds, fails the diff.
        assert_eq!(similarity(&a, &c, 0.8, deadline), None);
        assert_eq!(shared_count(&a.sorted, &c.sorted), 6);
    }
}
