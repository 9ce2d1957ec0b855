//! A commit's tree, kept in memory between commits: each change rewrites only the folders on
//! its path, written as new objects into the batch ([`super::pack::Batch`]).

use super::pack::Batch;
use git2::{ObjectType, Oid, Repository};
use std::collections::{BTreeMap, HashMap, HashSet};

const TREE_MODE: i32 = 0o040000;
const FILE_MODE: i32 = 0o100644;

/// The folders of one tree that were read or changed, by path (`""` is the root).
pub(crate) struct Trees {
    root: Oid,
    /// Tells this tree's folders from another's in the batch's delta bases.
    label: &'static str,
    folders: HashMap<String, Folder>,
    /// Folders changed since the last [`Trees::write`].
    dirty: HashSet<String>,
}

/// Entries in git's order: by name, a folder's name compared as if it ended in `/`.
type Folder = BTreeMap<Vec<u8>, (i32, Oid)>;

impl Trees {
    pub fn new(root: Oid, label: &'static str) -> Trees {
        Trees {
            root,
            label,
            folders: HashMap::new(),
            dirty: HashSet::new(),
        }
    }

    /// The blob at `path`, if there is one.
    pub fn get(
        &mut self,
        repo: &Repository,
        batch: &Batch,
        path: &str,
    ) -> Result<Option<Oid>, git2::Error> {
        let (dir, name) = split(path);
        if !self.load(repo, batch, dir)? {
            return Ok(None);
        }
        Ok(self.folders[dir]
            .get(&key(name.as_bytes(), false))
            .filter(|(mode, _)| *mode != TREE_MODE)
            .map(|(_, oid)| *oid))
    }

    /// Sets `path` to `blob` (or removes it) in memory; [`Trees::write`] writes the result.
    pub fn set(
        &mut self,
        repo: &Repository,
        batch: &Batch,
        path: &str,
        blob: Option<Oid>,
    ) -> Result<(), git2::Error> {
        let (dir, name) = split(path);
        self.load(repo, batch, "")?;
        self.dirty.insert(String::new());
        // Every folder on the path, created empty where missing.
        let mut at = String::new();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            if !self.load(repo, batch, &at)? {
                self.folders.insert(at.clone(), Folder::new());
            }
            self.dirty.insert(at.clone());
        }
        let folder = self.folders.get_mut(dir).expect("loaded above");
        match blob {
            Some(oid) => folder.insert(key(name.as_bytes(), false), (FILE_MODE, oid)),
            None => folder.remove(&key(name.as_bytes(), false)),
        };
        Ok(())
    }

    /// Writes the folders changed since the last write into `batch`, deepest first, and
    /// returns the root. A folder left empty disappears from its parent (git has no empty
    /// folders; only the root may be empty).
    pub fn write(&mut self, batch: &mut Batch) -> Result<Oid, git2::Error> {
        let mut dirty: Vec<String> = self.dirty.drain().collect();
        dirty.sort_by_key(|d| std::cmp::Reverse(depth(d)));
        for dir in dirty {
            let folder = &self.folders[&dir];
            let written = if folder.is_empty() && !dir.is_empty() {
                None
            } else {
                let path = format!("{}{dir}/", self.label);
                Some(batch.add(ObjectType::Tree, serialize(folder), Some(&path))?)
            };
            if dir.is_empty() {
                self.root = written.expect("the root is always written");
                continue;
            }
            let (parent, name) = split(&dir);
            let name = key(name.as_bytes(), true);
            let folder = self
                .folders
                .get_mut(parent)
                .expect("a parent is loaded with its child");
            match written {
                Some(oid) => folder.insert(name, (TREE_MODE, oid)),
                None => folder.remove(&name),
            };
            if written.is_none() {
                self.folders.remove(&dir);
            }
        }
        Ok(self.root)
    }

    /// Reads folder `dir` (its parent first); false if there is no such folder.
    fn load(&mut self, repo: &Repository, batch: &Batch, dir: &str) -> Result<bool, git2::Error> {
        if self.folders.contains_key(dir) {
            return Ok(true);
        }
        let oid = if dir.is_empty() {
            self.root
        } else {
            let (parent, name) = split(dir);
            if !self.load(repo, batch, parent)? {
                return Ok(false);
            }
            match self.folders[parent].get(&key(name.as_bytes(), true)) {
                Some((_, oid)) => *oid,
                None => return Ok(false),
            }
        };
        let folder = match batch.get(oid) {
            Some((_, bytes)) => parse(&bytes),
            None => {
                let tree = repo.find_tree(oid)?;
                tree.iter()
                    .map(|e| {
                        let mode = e.filemode();
                        (key(e.name_bytes(), mode == TREE_MODE), (mode, e.id()))
                    })
                    .collect()
            }
        };
        self.folders.insert(dir.to_owned(), folder);
        Ok(true)
    }
}

/// `a/b/c.txt` → (`a/b`, `c.txt`); a top-level name has the root `""` as its folder.
fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn depth(dir: &str) -> usize {
    if dir.is_empty() {
        0
    } else {
        1 + dir.matches('/').count()
    }
}

fn key(name: &[u8], folder: bool) -> Vec<u8> {
    let mut k = name.to_vec();
    if folder {
        k.push(b'/');
    }
    k
}

/// git's tree format: `mode name\0` and the 20-byte id, per entry, in key order.
fn serialize(folder: &Folder) -> Vec<u8> {
    let mut out = Vec::with_capacity(folder.len() * 48);
    for (k, (mode, oid)) in folder {
        let name = if *mode == TREE_MODE {
            &k[..k.len() - 1]
        } else {
            &k[..]
        };
        match *mode {
            TREE_MODE => out.extend_from_slice(b"40000 "),
            FILE_MODE => out.extend_from_slice(b"100644 "),
            // Other modes come from trees that palimpsest didn't write.
            mode => out.extend_from_slice(format!("{mode:o} ").as_bytes()),
        }
        out.extend_from_slice(name);
        out.push(0);
        out.extend_from_slice(oid.as_bytes());
    }
    out
}

fn parse(mut bytes: &[u8]) -> Folder {
    let mut folder = Folder::new();
    while let Some(space) = bytes.iter().position(|&b| b == b' ') {
        let Some(nul) = bytes.iter().position(|&b| b == 0) else {
            break;
        };
        let mode = i32::from_str_radix(std::str::from_utf8(&bytes[..space]).unwrap_or("0"), 8)
            .unwrap_or(0);
        let name = &bytes[space + 1..nul];
        let Ok(oid) = Oid::from_bytes(&bytes[nul + 1..nul + 21]) else {
            break;
        };
        folder.insert(key(name, mode == TREE_MODE), (mode, oid));
        bytes = &bytes[nul + 21..];
    }
    folder
}
