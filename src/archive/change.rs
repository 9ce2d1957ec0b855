//! What a version changed: the kinds of change ([`ChangeKind`]) and sets of them ([`Changes`]).
//!
//! This is the one list of kinds: the `Change:` and `Minor:` trailers, the database, `log
//! --change`, the viewer's filters and its badges all take their names from here.

use std::fmt;
use std::str::FromStr;

/// One kind of change a version can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// The first version of the article.
    New,
    Title,
    Body,
    /// The page is gone (HTTP 404, 410 or 451).
    Deleted,
    /// The page is back after a deletion.
    Restored,
    /// Only punctuation or white space changed (written as its own trailer, `Minor: yes`).
    Minor,
}

impl ChangeKind {
    /// Every kind, in the order a set lists them. The database stores a set as bits in this
    /// order: reordering it, or adding a kind other than at the end, changes the database
    /// format (bump `state::SCHEMA_VERSION`, and the index is rebuilt from git).
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::New,
        ChangeKind::Title,
        ChangeKind::Body,
        ChangeKind::Deleted,
        ChangeKind::Restored,
        ChangeKind::Minor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Title => "title",
            ChangeKind::Body => "body",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Restored => "restored",
            ChangeKind::Minor => "minor",
        }
    }

    /// What the kind means, in a few words (for help texts).
    pub fn description(self) -> &'static str {
        match self {
            ChangeKind::New => "First version of the article",
            ChangeKind::Title => "The title changed",
            ChangeKind::Body => "The body changed",
            ChangeKind::Deleted => "The page is gone (HTTP 404, 410 or 451)",
            ChangeKind::Restored => "The page is back after a deletion",
            ChangeKind::Minor => "Punctuation or white space only",
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

const _: () = {
    let mut i = 0;
    while i < ChangeKind::ALL.len() {
        assert!(
            ChangeKind::ALL[i] as usize == i,
            "ALL is in declaration order"
        );
        i += 1;
    }
    assert!(ChangeKind::ALL.len() <= 16, "a set is 16 bits");
};

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`ChangeKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown change kind {0:?} (expected one of: {names})", names = Changes::ALL)]
pub struct UnknownChangeKind(pub String);

impl FromStr for ChangeKind {
    type Err = UnknownChangeKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownChangeKind(s.to_owned()))
    }
}

/// A set of kinds of change: listed (iterated, shown, serialized) in the order of
/// [`ChangeKind::ALL`], whatever order they were added in.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Changes(u16);

impl Changes {
    /// The empty set.
    pub const NONE: Changes = Changes(0);
    /// Every kind.
    pub const ALL: Changes = Changes((1 << ChangeKind::ALL.len()) - 1);

    pub fn only(kind: ChangeKind) -> Changes {
        Changes(kind.bit())
    }

    pub fn insert(&mut self, kind: ChangeKind) {
        self.0 |= kind.bit();
    }

    /// This set without `kind`.
    pub fn without(self, kind: ChangeKind) -> Changes {
        Changes(self.0 & !kind.bit())
    }

    pub fn contains(self, kind: ChangeKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether the two sets share a kind.
    pub fn intersects(self, other: Changes) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }

    /// The set as the database stores it: bit `i` for `ChangeKind::ALL[i]`.
    pub(crate) fn bits(self) -> u16 {
        self.0
    }

    /// The set [`Changes::bits`] gave; bits of no kind are dropped.
    pub(crate) fn from_bits(bits: u16) -> Changes {
        Changes(bits & Changes::ALL.0)
    }
}

impl FromIterator<ChangeKind> for Changes {
    fn from_iter<I: IntoIterator<Item = ChangeKind>>(kinds: I) -> Changes {
        let mut set = Changes::NONE;
        for kind in kinds {
            set.insert(kind);
        }
        set
    }
}

impl From<ChangeKind> for Changes {
    fn from(kind: ChangeKind) -> Changes {
        Changes::only(kind)
    }
}

/// `title, body`.
impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, kind) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(kind.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A list of names: `["title", "body"]`.
impl serde::Serialize for Changes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(ChangeKind::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_lists_its_kinds_in_one_order() {
        let set: Changes = [ChangeKind::Minor, ChangeKind::Body, ChangeKind::Title]
            .into_iter()
            .collect();
        assert_eq!(set.to_string(), "title, body, minor");
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"["title","body","minor"]"#
        );
        assert_eq!(set.without(ChangeKind::Minor).to_string(), "title, body");
        assert!(set.intersects(Changes::only(ChangeKind::Body)));
        assert!(!set.intersects(ChangeKind::Deleted.into()));
        assert_eq!(Changes::from_bits(set.bits()), set);
        assert_eq!(Changes::ALL.iter().collect::<Vec<_>>(), ChangeKind::ALL);
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in ChangeKind::ALL {
            assert_eq!(kind.as_str().parse::<ChangeKind>(), Ok(kind));
        }
        let err = "sideways".parse::<ChangeKind>().unwrap_err().to_string();
        assert!(
            err.contains("new, title, body, deleted, restored, minor"),
            "{err}"
        );
    }
}
