//! Content hashes, written as `blake3:<hex>`.
//!
//! What is hashed: the exact bytes of a file as it is archived (`Content-Hash`) or the exact bytes
//! fetched (`Source-Hash`). Nothing is normalized first, so `git show HEAD:<path> | b3sum` checks a
//! trailer with a stock tool.

use std::fmt;
use std::str::FromStr;

/// A blake3 hash of some bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// Hashes `bytes` exactly as given.
    pub fn of(bytes: &[u8]) -> Self {
        ContentHash(*blake3::hash(bytes).as_bytes())
    }

    /// The hash as 64 lowercase hex digits, without the `blake3:` prefix.
    pub fn to_hex(&self) -> String {
        blake3::Hash::from(self.0).to_hex().to_string()
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blake3:{}", self.to_hex())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A string that is not `blake3:` followed by 64 hex digits.
#[derive(Debug, thiserror::Error)]
#[error("not a content hash (expected `blake3:` and 64 hex digits): {0:?}")]
pub struct ParseHashError(String);

impl FromStr for ContentHash {
    type Err = ParseHashError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseHashError(s.chars().take(80).collect());
        let hex = s.strip_prefix("blake3:").ok_or_else(err)?;
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(err());
        }
        blake3::Hash::from_hex(hex)
            .map(|h| ContentHash(*h.as_bytes()))
            .map_err(|_| err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_round_trips() {
        let h = ContentHash::of(b"hello");
        let s = h.to_string();
        assert!(s.starts_with(
            "blake3:ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f"
        ));
        assert_eq!(s.parse::<ContentHash>().unwrap(), h);
    }

    #[test]
    fn rejects_malformed() {
        assert!("sha1:abcd".parse::<ContentHash>().is_err());
        assert!("blake3:abcd".parse::<ContentHash>().is_err());
        let upper = format!("blake3:{}", "A".repeat(64));
        assert!(upper.parse::<ContentHash>().is_err());
    }
}
