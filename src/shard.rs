//! Sharding: which articles a collector archive checks, when several machines split the work.
//!
//! A collector owns a share of the hosts, set in `palimpsest.toml`:
//!
//! ```toml
//! [shard]
//! name = "east"       # the collector's name on the remote (`palimpsest push`)
//! of = 3              # hosts split in 3 by a stable hash of the host;
//! index = 0           # this collector owns share 0 (0, 1 or 2)
//! ```
//!
//! or, instead of `of` and `index`, an explicit list: `hosts = ["news.example.com"]`. A host lives
//! in exactly one shard, so per-host politeness stays exact, and shards never record the same
//! article. The hash is blake3 of the host (lower-case ASCII, as URLs write it; no port), its
//! first 8 bytes read as a little-endian integer, modulo `of`: the same on every machine and in
//! every version of palimpsest, as Heritrix's hash-by-host crawl mapper splits a crawl. An article
//! without a host (a local file) belongs to whichever collector is given it.

use std::collections::BTreeSet;
use std::fmt;
use url::Url;

/// Longest shard name, in bytes.
const MAX_NAME: usize = 64;

/// The `[shard]` of a collector: its name and the hosts it owns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "ShardSettings")]
pub struct Shard {
    /// Names the collector's refs on the remote: ASCII letters, digits, `-` and `_`, starting
    /// with a letter or digit ([`valid_name`]).
    pub name: String,
    /// Which hosts it owns.
    pub share: Share,
}

/// The hosts a shard owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Share {
    /// The hosts whose hash, modulo `of`, is `index`.
    Hash {
        /// How many shards split the hosts.
        of: u32,
        /// This shard's share, below `of`.
        index: u32,
    },
    /// These hosts, as URLs write them (lower case, international names in punycode).
    Hosts(BTreeSet<String>),
}

/// Who owns an article, seen from one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// This shard.
    This,
    /// Share `index` of the same `of`.
    Index {
        /// The owning share.
        index: u32,
        /// How many shards split the hosts.
        of: u32,
    },
    /// A host not in this shard's list.
    Unlisted,
}

/// `[shard]` as written, before it is checked.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardSettings {
    name: String,
    of: Option<u32>,
    index: Option<u32>,
    hosts: Option<Vec<String>>,
}

impl TryFrom<ShardSettings> for Shard {
    type Error = String;

    fn try_from(s: ShardSettings) -> Result<Shard, String> {
        if !valid_name(&s.name) {
            return Err(format!(
                "[shard] name {:?} must be 1 to {MAX_NAME} ASCII letters, digits, `-` or `_`, \
                 starting with a letter or digit",
                s.name
            ));
        }
        let share = match (s.of, s.index, s.hosts) {
            (Some(of), Some(index), None) if index < of => Share::Hash { of, index },
            (Some(of), Some(index), None) => {
                return Err(format!(
                    "[shard] index = {index} must be below of = {of} (shares count from 0)"
                ));
            }
            (None, None, Some(hosts)) if !hosts.is_empty() => Share::Hosts(
                hosts
                    .iter()
                    .map(|h| host_name(h).ok_or_else(|| format!("[shard] {h:?} is not a host")))
                    .collect::<Result<_, _>>()?,
            ),
            _ => {
                return Err(
                    "[shard] needs either `of` and `index` (hosts split by hash) or a non-empty \
                     `hosts` list, not both"
                        .to_owned(),
                );
            }
        };
        Ok(Shard {
            name: s.name,
            share,
        })
    }
}

/// Whether `name` can name a shard: 1 to 64 ASCII letters, digits, `-` or `_`, the first a
/// letter or digit. Such a name is one component of a git ref name, so two shards' refs never
/// nest or collide.
pub fn valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `host` as URLs write it, or `None` if it is not a host alone (a port, a path, a scheme).
fn host_name(host: &str) -> Option<String> {
    let host = host.trim();
    // Only an IPv6 address, in brackets, holds a colon; nothing else of a URL may come along.
    let outside_brackets = host.split_once(']').map_or(host, |(_, after)| after);
    if outside_brackets.contains(':') || host.contains(['/', '\\', '@', '?', '#']) {
        return None;
    }
    let url = Url::parse(&format!("http://{host}/")).ok()?;
    Some(url.host_str()?.to_owned()).filter(|name| !name.is_empty())
}

/// The share of `of` that `host` belongs to.
pub fn share_of(host: &str, of: u32) -> u32 {
    let hash = blake3::hash(host.as_bytes());
    let first: [u8; 8] = hash.as_bytes()[..8].try_into().expect("8 bytes");
    (u64::from_le_bytes(first) % u64::from(of.max(1))) as u32
}

impl Shard {
    /// Who owns the article at `url`: an article without a host is this shard's.
    pub fn owner(&self, url: &Url) -> Owner {
        let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
            return Owner::This;
        };
        match &self.share {
            Share::Hash { of, index } => match share_of(host, *of) {
                owner if owner == *index => Owner::This,
                owner => Owner::Index {
                    index: owner,
                    of: *of,
                },
            },
            Share::Hosts(hosts) if hosts.contains(host) => Owner::This,
            Share::Hosts(_) => Owner::Unlisted,
        }
    }

    /// Whether this shard checks the article at `url`.
    pub fn owns(&self, url: &Url) -> bool {
        self.owner(url) == Owner::This
    }
}

/// `shard east (0 of 3)`, `shard west (2 hosts listed)`.
impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.share {
            Share::Hash { of, index } => write!(f, "shard {} ({index} of {of})", self.name),
            Share::Hosts(hosts) if hosts.len() == 1 => {
                write!(f, "shard {} (1 host listed)", self.name)
            }
            Share::Hosts(hosts) => {
                write!(f, "shard {} ({} hosts listed)", self.name, hosts.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(toml: &str) -> Result<Shard, String> {
        #[derive(serde::Deserialize)]
        struct File {
            shard: Shard,
        }
        toml::from_str::<File>(toml)
            .map(|f| f.shard)
            .map_err(|e| e.to_string())
    }

    fn url(u: &str) -> Url {
        Url::parse(u).unwrap()
    }

    #[test]
    fn hash_shares_split_hosts_once() {
        let shards: Vec<Shard> = (0..3)
            .map(|i| shard(&format!("[shard]\nname = \"s{i}\"\nof = 3\nindex = {i}\n")).unwrap())
            .collect();
        let mut per_shard = [0; 3];
        for h in 0..300 {
            let u = url(&format!("https://host{h}.example/a"));
            let owners: Vec<usize> = (0..3).filter(|&i| shards[i].owns(&u)).collect();
            assert_eq!(owners.len(), 1, "{u}");
            per_shard[owners[0]] += 1;
            // Every article of a host, on any port or scheme, goes with the host.
            let other = url(&format!("http://HOST{h}.example:8080/b?x=1"));
            assert!(shards[owners[0]].owns(&other));
        }
        assert!(per_shard.iter().all(|&n| n > 60), "{per_shard:?}");
        // Stable: these values are a contract between machines and versions.
        assert_eq!(share_of("127.0.0.2", 3), 0);
        assert_eq!(share_of("127.0.0.16", 3), 1);
        assert_eq!(share_of("example.com", 3), 2);
        assert_eq!(share_of("news.example.com", 7), 1);
        let u = url("https://host1.example/");
        let owner = (0..3).find(|&i| shards[i].owns(&u)).unwrap() as u32;
        let other = &shards[((owner + 1) % 3) as usize];
        assert_eq!(
            other.owner(&u),
            Owner::Index {
                index: owner,
                of: 3
            }
        );
    }

    #[test]
    fn a_list_owns_its_hosts_only() {
        let s =
            shard("[shard]\nname = \"inside\"\nhosts = [\"News.Example.com\", \"例子.测试\", \"[::1]\"]\n")
                .unwrap();
        assert!(s.owns(&url("https://news.example.com/a")));
        assert!(s.owns(&url("https://例子.测试/a")));
        assert_eq!(s.owner(&url("https://www.example.com/a")), Owner::Unlisted);
        assert!(
            s.owns(&url("file:///tmp/a.html")),
            "a local file has no host"
        );
        assert!(s.owns(&url("http://[::1]:8080/a")));
        assert_eq!(s.to_string(), "shard inside (3 hosts listed)");
    }

    #[test]
    fn bad_shards_say_what_is_wrong() {
        for (toml, expected) in [
            ("name = \"a\"\nof = 3\nindex = 3", "must be below of = 3"),
            ("name = \"a\"\nof = 3", "either `of` and `index`"),
            (
                "name = \"a\"\nof = 2\nindex = 0\nhosts = [\"x\"]",
                "not both",
            ),
            ("name = \"a\"\nhosts = []", "non-empty"),
            ("name = \"a\"\nhosts = [\"x.com:80\"]", "is not a host"),
            ("name = \"a\"\nhosts = [\"x.com/news\"]", "is not a host"),
            ("name = \"a/b\"\nof = 2\nindex = 0", "must be 1 to 64"),
            ("name = \"-a\"\nof = 2\nindex = 0", "must be 1 to 64"),
            ("of = 2\nindex = 0", "missing field `name`"),
            ("name = \"a\"\nof = 2\nindex = 0\nsize = 1", "unknown field"),
        ] {
            let err = shard(&format!("[shard]\n{toml}\n")).unwrap_err();
            assert!(err.contains(expected), "{toml}: {err}");
        }
        assert!(valid_name("east-1_b"));
        assert!(!valid_name(&"a".repeat(65)));
        assert!(!valid_name(""));
    }
}
