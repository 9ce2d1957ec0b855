//! Aligns the sentences of two versions: which were added, deleted, edited or moved.
//!
//! A plain sequence diff only knows deletions and insertions. Readers want more: a sentence
//! rewritten in place is an *edit*, and a sentence taken out in one place and put back in
//! another is a *move*, not a deletion plus an addition. So, after the diff:
//!
//! 1. a deleted sentence that reappears word for word elsewhere is a move;
//! 2. within one changed stretch (a hunk), deleted and added sentences that are similar enough
//!    are paired as edits, keeping their order;
//! 3. a remaining pair that is nearly identical anywhere in the text is a move with edits;
//! 4. what is left was added or deleted.
//!
//! Steps 2 and 3 compare pairs of sentences, so they are bounded (a band around the diagonal of
//! big hunks, a cap on step 3's pairs) and stop at the deadline: unrelated versions then come
//! out as deletions and additions, quickly.

use super::inline::{self, Interner, Profile};
use similar::{Algorithm, DiffTag};
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// Least similarity for a deleted and an added sentence of one hunk to be an edit.
const EDIT_SIMILARITY: f32 = 0.5;
/// Least similarity for a deleted and an added sentence far apart to be a move.
const MOVE_SIMILARITY: f32 = 0.8;
/// Hunks with at most this many deleted × added pairs compare every pair; bigger ones compare
/// each deleted sentence with the added ones near its relative position.
const FULL_HUNK_PAIRS: usize = 400;
/// In a big hunk, how many added sentences each side of that position are compared.
const BAND: usize = 4;
/// Step 3 runs only when at most this many pairs are left to compare.
const MOVE_PAIRS: usize = 10_000;

/// How one sentence (or pair) of the two versions lines up, by sentence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aligned {
    Added { new: usize },
    Deleted { old: usize },
    Edited { old: usize, new: usize },
    Moved { old: usize, new: usize },
}

/// Aligns `old` and `new` sentences; returns the changes in reading order (a move where the
/// sentence now stands). Sentences that did not change are not listed.
pub(crate) fn align<'a>(old: &[&'a str], new: &[&'a str], deadline: Instant) -> Vec<Aligned> {
    let ops = similar::capture_diff_slices_deadline(Algorithm::Patience, old, new, Some(deadline));
    let layout = Layout::new(&ops, old.len(), new.len());
    // Sentences in hunks, still waiting for a partner.
    let mut left = Unpaired {
        old: vec![false; old.len()],
        new: vec![false; new.len()],
    };
    for hunk in &layout.hunks {
        hunk.old.iter().for_each(|&o| left.old[o] = true);
        hunk.new.iter().for_each(|&n| left.new[n] = true);
    }
    let mut result = word_for_word_moves(&layout, old, new, &mut left);
    let scores = Scores::new(old, new, &left, deadline);
    for hunk in &layout.hunks {
        edits_in_place(hunk, &scores, &mut left, &mut result);
    }
    let dels: Vec<usize> = (0..old.len()).filter(|&o| left.old[o]).collect();
    let adds: Vec<usize> = (0..new.len()).filter(|&n| left.new[n]).collect();
    if dels.len() * adds.len() <= MOVE_PAIRS {
        moves_with_edits(&dels, &adds, &scores, &mut left, &mut result);
    }
    // Step 4: what is left was added or deleted.
    result.extend(
        dels.iter()
            .filter(|&&o| left.old[o])
            .map(|&old| Aligned::Deleted { old }),
    );
    result.extend(
        adds.iter()
            .filter(|&&n| left.new[n])
            .map(|&new| Aligned::Added { new }),
    );
    result.sort_by_key(|a| layout.reading_position(*a));
    result
}

/// Step 1: a deleted sentence that reappears word for word in a hunk is a move.
fn word_for_word_moves(
    layout: &Layout,
    old: &[&str],
    new: &[&str],
    left: &mut Unpaired,
) -> Vec<Aligned> {
    let mut moves = Vec::new();
    let mut deleted_by_text: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for hunk in &layout.hunks {
        for &o in &hunk.old {
            deleted_by_text.entry(old[o]).or_default().push_back(o);
        }
    }
    for hunk in &layout.hunks {
        for &n in &hunk.new {
            if let Some(o) = deleted_by_text
                .get_mut(new[n])
                .and_then(VecDeque::pop_front)
            {
                left.take(o, n);
                moves.push(Aligned::Moved { old: o, new: n });
            }
        }
    }
    moves
}

/// Step 2: within a hunk, the deleted and added sentences similar enough are edits, paired
/// most similar first and keeping their order.
fn edits_in_place(hunk: &Hunk, scores: &Scores, left: &mut Unpaired, result: &mut Vec<Aligned>) {
    let dels: Vec<usize> = hunk.old.iter().copied().filter(|&o| left.old[o]).collect();
    let adds: Vec<usize> = hunk.new.iter().copied().filter(|&n| left.new[n]).collect();
    let mut candidates = Vec::new();
    for (p, &o) in dels.iter().enumerate() {
        for q in candidate_range(p, dels.len(), adds.len()) {
            let n = adds[q];
            if let Some(s) = scores.score(o, n, EDIT_SIMILARITY) {
                candidates.push((s, o, n));
            }
        }
    }
    best_first(&mut candidates);
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (_, o, n) in candidates {
        let keeps_order = pairs.iter().all(|&(po, pn)| (po < o) == (pn < n));
        if left.old[o] && left.new[n] && keeps_order {
            left.take(o, n);
            pairs.push((o, n));
            result.push(Aligned::Edited { old: o, new: n });
        }
    }
}

/// Step 3: a deleted and an added sentence left anywhere that are nearly the same are a move
/// with edits.
fn moves_with_edits(
    dels: &[usize],
    adds: &[usize],
    scores: &Scores,
    left: &mut Unpaired,
    result: &mut Vec<Aligned>,
) {
    let mut candidates = Vec::new();
    for &o in dels {
        for &n in adds {
            if let Some(s) = scores.score(o, n, MOVE_SIMILARITY) {
                candidates.push((s, o, n));
            }
        }
    }
    best_first(&mut candidates);
    for (_, o, n) in candidates {
        if left.old[o] && left.new[n] {
            left.take(o, n);
            result.push(Aligned::Moved { old: o, new: n });
        }
    }
}

/// The similarity of a deleted and an added sentence, from their token profiles, made only
/// for the sentences still unpaired after step 1 (only those are ever compared).
struct Scores {
    old: Vec<Option<Profile>>,
    new: Vec<Option<Profile>>,
    deadline: Instant,
}

impl Scores {
    fn new<'a>(old: &[&'a str], new: &[&'a str], left: &Unpaired, deadline: Instant) -> Scores {
        let mut interner = Interner::default();
        let mut profile = |texts: &[&'a str], unpaired: &[bool]| -> Vec<Option<Profile>> {
            let pairs = texts.iter().zip(unpaired);
            pairs
                .map(|(&text, &unpaired)| unpaired.then(|| interner.profile(text)))
                .collect()
        };
        Scores {
            old: profile(old, &left.old),
            new: profile(new, &left.new),
            deadline,
        }
    }

    /// The similarity of old sentence `o` and new sentence `n` if it is at least `least`;
    /// `None` past the deadline.
    fn score(&self, o: usize, n: usize, least: f32) -> Option<f32> {
        if Instant::now() > self.deadline {
            return None;
        }
        let (Some(old), Some(new)) = (&self.old[o], &self.new[n]) else {
            return None;
        };
        inline::similarity(old, new, least, self.deadline)
    }
}

/// Which changed sentences are still waiting for a partner.
struct Unpaired {
    old: Vec<bool>,
    new: Vec<bool>,
}

impl Unpaired {
    fn take(&mut self, old: usize, new: usize) {
        self.old[old] = false;
        self.new[new] = false;
    }
}

/// The added sentences (positions in the hunk) worth comparing with deleted sentence `p` of
/// `dels`: all of them in a small hunk, those near the same relative position in a big one.
fn candidate_range(p: usize, dels: usize, adds: usize) -> std::ops::Range<usize> {
    if dels * adds <= FULL_HUNK_PAIRS {
        return 0..adds;
    }
    let centre = p * adds / dels.max(1);
    centre.saturating_sub(BAND)..(centre + BAND + 1).min(adds)
}

/// Sorts candidate pairs most similar first; ties go to the earliest pair, so results do not
/// depend on the order candidates were found in.
fn best_first(candidates: &mut [(f32, usize, usize)]) {
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
}

/// The diff's hunks and where each sentence falls in a merged reading order (unchanged
/// sentences once, deletions before the additions that replace them).
struct Layout {
    hunks: Vec<Hunk>,
    old_position: Vec<usize>,
    new_position: Vec<usize>,
}

/// One stretch of changes between unchanged sentences.
#[derive(Default)]
struct Hunk {
    old: Vec<usize>,
    new: Vec<usize>,
}

impl Layout {
    fn new(ops: &[similar::DiffOp], old_len: usize, new_len: usize) -> Layout {
        let mut layout = Layout {
            hunks: Vec::new(),
            old_position: vec![0; old_len],
            new_position: vec![0; new_len],
        };
        let mut next = 0;
        let mut hunk = Hunk::default();
        for op in ops {
            let (tag, o, n) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                for (o, n) in o.zip(n) {
                    layout.old_position[o] = next;
                    layout.new_position[n] = next;
                    next += 1;
                }
                if !hunk.old.is_empty() || !hunk.new.is_empty() {
                    layout.hunks.push(std::mem::take(&mut hunk));
                }
                continue;
            }
            for o in o {
                layout.old_position[o] = next;
                next += 1;
                hunk.old.push(o);
            }
            for n in n {
                layout.new_position[n] = next;
                next += 1;
                hunk.new.push(n);
            }
        }
        if !hunk.old.is_empty() || !hunk.new.is_empty() {
            layout.hunks.push(hunk);
        }
        layout
    }

    /// Where a change is listed: an edit where the old sentence stood, a move where the sentence
    /// now stands.
    fn reading_position(&self, aligned: Aligned) -> usize {
        match aligned {
            Aligned::Deleted { old } | Aligned::Edited { old, .. } => self.old_position[old],
            Aligned::Added { new } | Aligned::Moved { new, .. } => self.new_position[new],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn run(old: &[&str], new: &[&str]) -> Vec<Aligned> {
        align(old, new, Instant::now() + Duration::from_secs(5))
    }

    #[test]
    fn pairs_a_rewritten_sentence_as_an_edit() {
        assert_eq!(
            run(
                &["One.", "The cat sat on the mat.", "Three."],
                &["One.", "The cat sat on a mat.", "Three."]
            ),
            vec![Aligned::Edited { old: 1, new: 1 }]
        );
    }

    #[test]
    fn finds_moves_word_for_word_and_nearly() {
        let old = [
            "Alpha is first.",
            "Beta comes next in line.",
            "Gamma.",
            "Delta closes.",
        ];
        let new = [
            "Gamma.",
            "Alpha is first.",
            "Delta closes.",
            "Beta comes next in the line.",
        ];
        let got = run(&old, &new);
        assert!(got.contains(&Aligned::Moved { old: 1, new: 3 }), "{got:?}");
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn keeps_dissimilar_sentences_apart() {
        assert_eq!(
            run(&["Old news here."], &["完全不同的句子。"]),
            vec![Aligned::Deleted { old: 0 }, Aligned::Added { new: 0 }]
        );
    }

    #[test]
    fn edits_keep_their_order() {
        // Pairing the first old sentence with the second new one would cross the other pair.
        let got = run(
            &[
                "Police said two men were hurt.",
                "The fire started at noon.",
            ],
            &[
                "Police said three men were hurt.",
                "The fire started at 1 pm.",
            ],
        );
        assert_eq!(
            got,
            vec![
                Aligned::Edited { old: 0, new: 0 },
                Aligned::Edited { old: 1, new: 1 }
            ]
        );
    }
}
