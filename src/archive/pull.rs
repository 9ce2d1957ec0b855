//! `palimpsest pull` on a hub: every shard's new history comes in, so that the hub is one
//! archive over all hosts, where each collector commit is kept as it is (same id, same
//! trailers): an article's evidence chain is the same on the hub as where it was recorded.
//!
//! 1. `git fetch` copies the shards' branches and notes refs into refs of the hub's own
//!    (`remote.rs`); the branch is not touched.
//! 2. Each shard whose branch has new commits gets a merge commit: its first parent is the hub's
//!    branch, its second the shard's. Its tree is the hub's with the shard's changes since its
//!    last merge applied, only the files inside folders (articles; each archive's top-level files
//!    are its own, so the hub's `palimpsest.toml` stays the hub's, and records under `[pulled]`
//!    how far each shard was merged). Hosts are disjoint, so this is a three-way merge without
//!    conflicts: a change applies where the hub's file is the one the shard had before it, and
//!    an article's first version must be the first the hub has of it. Anything else means two
//!    shards claim one article: the pull reports it and merges nothing.
//! 3. Notes refs (the raw bytes, and any other `refs/notes/*`) are merged alike, the shard's new
//!    notes applied to the hub's notes tree in a merge commit. (`git notes merge` diffs the whole
//!    notes trees when their histories are unrelated, as a hub's and a shard's are: a cost that
//!    grows with the archive at every pull.)
//! 4. The new objects go to disk as one pack; then the notes refs and the branch move with
//!    compare-and-swap under the archive's lock, as the recorder's do, and the working tree,
//!    the index and the index of versions follow (through the sync marker when a pull is killed
//!    in between).
//!
//! A pull killed at any moment leaves the hub sound: fetched refs name complete objects, a
//! branch that did not move leaves the hub as it was, and notes that moved ahead of the branch
//! only annotate commits that the object store holds. The next pull goes on from what the branch
//! records under `[pulled]`, finds those notes in place and makes no second notes commit for
//! them.

use super::catch_up::catch_up;
use super::commit::{Trailers, commit_object};
use super::pack::Batch;
use super::publish::{files_in, remove_new_files, room_after_move, set_aside};
use super::remote::{
    self, FETCHED, FETCHED_HEADS, FETCHED_NOTES, NOTES, RemoteError, RemoteOptions,
};
use super::state::State;
use super::tree::Trees;
use super::{
    Archive, ArchiveError, BRANCH, ChangeKind, Local, PRIVATE_DIR, RESERVE, SYNC_MARKER, path,
    worktree,
};
use crate::config::{self, Config, ConfigError, Pulled};
use crate::shard;
use chrono::Utc;
use git2::{ObjectType, Oid, Repository};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use url::Url;

/// What a pull merged of one shard.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ShardPull {
    /// The shard's name.
    pub shard: String,
    /// Its new commits now on the hub's branch.
    pub commits: usize,
    /// How many of them are versions of articles.
    pub versions: usize,
    /// Its notes refs whose new notes were merged (`raw`).
    pub notes: Vec<String>,
}

/// What `pull` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PullReport {
    /// The shards that had something new, by name.
    pub merged: Vec<ShardPull>,
    /// Branches on the remote under `shards/` whose names are no shard's name (see
    /// [`shard::valid_name`]): left alone.
    pub ignored: Vec<String>,
}

/// What the hub merged of a shard last: its branch and notes refs then.
struct Merged {
    head: Oid,
    notes: BTreeMap<String, Oid>,
}

/// One shard as fetched: its branch and notes refs.
struct Fetched {
    name: String,
    head: Oid,
    notes: BTreeMap<String, Oid>,
}

impl Archive {
    /// Fetches every shard from `remote` (a remote's name or a URL, as `git fetch` takes them)
    /// and merges what is new into this hub; see the module's documentation. Needs the lock
    /// ([`Archive::lock`]). Running it again brings only what is new.
    pub fn pull(
        &mut self,
        remote: &str,
        options: RemoteOptions,
    ) -> Result<PullReport, ArchiveError> {
        self.local.require_lock();
        if let Some(shard) = &self.local.config.shard {
            return Err(RemoteError::Collector(shard.to_string()).into());
        }
        // Under the lock nobody else writes these refs: lock files are a killed pull's.
        remove_stale_locks(&self.repo.path().join(FETCHED))?;
        remove_stale_locks(&self.repo.path().join(NOTES))?;
        remote::fetch(self.repo.path(), remote, options)?;
        self.merge_fetched()
    }

    /// Merges what is new of the fetched shards.
    fn merge_fetched(&mut self) -> Result<PullReport, ArchiveError> {
        let (fetched, ignored) = fetched_shards(&self.repo)?;
        let mut merge = Merge::new(&self.repo, &self.local)?;
        let mut report = PullReport {
            ignored,
            ..PullReport::default()
        };
        for shard in &fetched {
            if let Some(pulled) = merge.shard(&self.repo, &self.local, shard)? {
                report.merged.push(pulled);
            }
        }
        merge.publish(&self.repo, &mut self.local)?;
        Ok(report)
    }
}

/// Removes the lock files under `dir` that a killed pull (its `git fetch`, or its own moves of
/// the notes refs) left; git would refuse to update those refs again.
fn remove_stale_locks(dir: &Path) -> Result<(), ArchiveError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ArchiveError::io(dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(ArchiveError::io(dir))?.path();
        if path.is_dir() {
            remove_stale_locks(&path)?;
        } else if path.extension().is_some_and(|e| e == "lock") {
            std::fs::remove_file(&path).map_err(ArchiveError::io(&path))?;
        }
    }
    Ok(())
}

/// The fetched shards, by name, and the names under `shards/` that are no shard's.
fn fetched_shards(repo: &Repository) -> Result<(Vec<Fetched>, Vec<String>), ArchiveError> {
    let mut notes: BTreeMap<String, BTreeMap<String, Oid>> = BTreeMap::new();
    for (name, oid) in remote::refs_under(repo, FETCHED_NOTES)? {
        if let Some((shard, notes_ref)) = name.split_once('/') {
            notes
                .entry(shard.to_owned())
                .or_default()
                .insert(notes_ref.to_owned(), oid);
        }
    }
    let (mut shards, mut ignored) = (Vec::new(), Vec::new());
    for (name, head) in remote::refs_under(repo, FETCHED_HEADS)? {
        if !shard::valid_name(&name) {
            ignored.push(name);
            continue;
        }
        shards.push(Fetched {
            notes: notes.remove(&name).unwrap_or_default(),
            name,
            head,
        });
    }
    Ok((shards, ignored))
}

/// One notes ref of the hub, as merged so far.
struct NotesMerge {
    /// Where the ref points now; `None` if the hub has no such notes yet.
    published: Option<Oid>,
    /// The last notes commit made (or taken whole from a shard).
    tip: Option<Oid>,
    /// The tree of `tip`, as merged so far.
    trees: Option<Trees>,
}

/// A pull's merges, in memory until published.
struct Merge {
    batch: Batch,
    /// The hub's tree as merged so far.
    tree: Trees,
    /// Where the branch points now.
    published: Oid,
    /// The last merge commit made.
    tip: Oid,
    config_text: String,
    /// The article files the merges changed, and `palimpsest.toml`.
    touched: BTreeSet<String>,
    notes: BTreeMap<String, NotesMerge>,
    /// The articles whose first version comes with this pull, with the shard it comes from.
    claims: HashMap<String, String>,
    versions: usize,
}

impl Merge {
    fn new(repo: &Repository, local: &Local) -> Result<Merge, ArchiveError> {
        let head = repo.head()?.peel_to_commit()?;
        Ok(Merge {
            batch: Batch::default(),
            tree: Trees::new(head.tree_id(), ""),
            published: head.id(),
            tip: head.id(),
            config_text: local.config_text.clone(),
            touched: BTreeSet::new(),
            notes: BTreeMap::new(),
            claims: HashMap::new(),
            versions: 0,
        })
    }

    /// Merges what is new of `shard`; `None` if nothing is.
    fn shard(
        &mut self,
        repo: &Repository,
        local: &Local,
        shard: &Fetched,
    ) -> Result<Option<ShardPull>, ArchiveError> {
        let before = merged_before(&local.config, &shard.name)?;
        let commits = new_commits(repo, shard, before.as_ref().map(|b| b.head))?;
        if commits.is_empty() {
            return Ok(None);
        }
        let versions = self.claim(repo, &local.state, &shard.name, &commits)?;
        let old_tree = match &before {
            Some(before) => Some(repo.find_commit(before.head)?.tree()?),
            None => None,
        };
        let new_tree = repo.find_commit(shard.head)?.tree()?;
        let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)?;
        for (file, old, new) in changes(&diff) {
            // Each archive's top-level files (its settings) are its own.
            if !file.contains('/') {
                continue;
            }
            match self.tree.get(repo, &self.batch, &file)? {
                hub if hub == new => continue,
                hub if hub == old => {}
                _ => {
                    let other = owner(repo, &local.state, &file)?;
                    return Err(conflict(file, &shard.name, other));
                }
            }
            self.tree.set(repo, &self.batch, &file, new)?;
            self.touched.insert(file);
        }
        let mut pulled = ShardPull {
            shard: shard.name.clone(),
            commits: commits.len(),
            versions,
            notes: Vec::new(),
        };
        let old_notes = before.map(|b| b.notes).unwrap_or_default();
        for (name, &new) in &shard.notes {
            let old = old_notes.get(name).copied();
            if old != Some(new) && self.merge_notes(repo, &shard.name, name, old, new)? {
                pulled.notes.push(name.clone());
            }
        }
        self.commit(repo, shard)?;
        self.versions += versions;
        Ok(Some(pulled))
    }

    /// Checks that every article whose first version is in `commits` is new to the hub, and
    /// claims it for `shard`; returns how many of the commits are versions.
    fn claim(
        &mut self,
        repo: &Repository,
        state: &State,
        shard: &str,
        commits: &[git2::Commit],
    ) -> Result<usize, ArchiveError> {
        let mut versions = 0;
        for commit in commits {
            let message = String::from_utf8_lossy(commit.message_bytes());
            let Some(trailers) = Trailers::parse(&message) else {
                continue;
            };
            let Ok(url) = Url::parse(&trailers.url) else {
                continue;
            };
            versions += 1;
            if !trailers.changes.contains(ChangeKind::New) {
                continue;
            }
            let file = path::article_path(&url);
            if let Some(other) = self.claims.get(&file) {
                let other = format!("shard {other}");
                return Err(conflict(file, shard, other));
            }
            if !state.versions(&file)?.is_empty() {
                let other = owner(repo, state, &file)?;
                return Err(conflict(file, shard, other));
            }
            self.claims.insert(file, shard.to_owned());
        }
        Ok(versions)
    }

    /// Merges the notes of `shard` from `old` to `new` into the hub's `refs/notes/<name>`;
    /// returns whether anything was new.
    fn merge_notes(
        &mut self,
        repo: &Repository,
        shard: &str,
        name: &str,
        old: Option<Oid>,
        new: Oid,
    ) -> Result<bool, ArchiveError> {
        let notes = match self.notes.entry(name.to_owned()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let published = match repo.refname_to_id(&format!("{NOTES}{name}")) {
                    Ok(oid) => Some(oid),
                    Err(e) if e.code() == git2::ErrorCode::NotFound => None,
                    Err(e) => return Err(e.into()),
                };
                e.insert(NotesMerge {
                    published,
                    tip: published,
                    trees: None,
                })
            }
        };
        let Some(tip) = notes.tip else {
            // The hub has no such notes yet: it takes the shard's as they are.
            notes.tip = Some(new);
            return Ok(true);
        };
        if tip == new {
            return Ok(false);
        }
        if notes.trees.is_none() {
            notes.trees = Some(Trees::new(repo.find_commit(tip)?.tree_id(), "notes:"));
        }
        let trees = notes.trees.as_mut().expect("set above");
        let old_tree = match old {
            Some(old) => Some(repo.find_commit(old)?.tree()?),
            None => None,
        };
        let new_tree = repo.find_commit(new)?.tree()?;
        let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)?;
        let mut changed = false;
        for (note, was, now) in changes(&diff) {
            match trees.get(repo, &self.batch, &note)? {
                hub if hub == now => continue,
                hub if hub == was => {}
                _ => {
                    let path = format!("{NOTES}{name}:{note}");
                    return Err(conflict(path, shard, "another shard".to_owned()));
                }
            }
            trees.set(repo, &self.batch, &note, now)?;
            changed = true;
        }
        if !changed {
            return Ok(false);
        }
        let root = trees.write(&mut self.batch)?;
        let message = format!("Merge notes of shard {shard}\n");
        let commit = commit_object(root, &[tip, new], Utc::now(), &message)?;
        notes.tip = Some(self.batch.add(ObjectType::Commit, commit, None)?);
        Ok(true)
    }

    /// Writes the merge commit of `shard`, with `palimpsest.toml` recording what of it is now
    /// merged.
    fn commit(&mut self, repo: &Repository, shard: &Fetched) -> Result<(), ArchiveError> {
        let record = Pulled {
            head: shard.head.to_string(),
            notes: shard
                .notes
                .iter()
                .map(|(name, oid)| (name.clone(), oid.to_string()))
                .collect(),
        };
        let text = config::with_pulled(&self.config_text, &shard.name, &record)?;
        let name = config::FILE_NAME;
        let blob = self
            .batch
            .add(ObjectType::Blob, text.as_bytes().to_vec(), Some(name))?;
        self.tree.set(repo, &self.batch, name, Some(blob))?;
        let root = self.tree.write(&mut self.batch)?;
        let message = format!("Merge shard {0}\n\nShard: {0}\n", shard.name);
        let commit = commit_object(root, &[self.tip, shard.head], Utc::now(), &message)?;
        self.tip = self.batch.add(ObjectType::Commit, commit, None)?;
        self.config_text = text;
        self.touched.insert(name.to_owned());
        Ok(())
    }

    /// Writes the merges and moves the notes refs and the branch; then the working tree, the
    /// index, the index of versions and the settings follow.
    fn publish(mut self, repo: &Repository, local: &mut Local) -> Result<(), ArchiveError> {
        let notes: Vec<(String, Option<Oid>, Oid)> = self
            .notes
            .iter()
            .filter_map(|(name, n)| Some((format!("{NOTES}{name}"), n.published, n.tip?)))
            .filter(|(_, published, tip)| *published != Some(*tip))
            .collect();
        if self.tip == self.published && notes.is_empty() {
            return Ok(());
        }
        let pack_dir = repo.path().join("objects").join("pack");
        let packs_before = files_in(&pack_dir)?;
        let reserve = local.root.join(PRIVATE_DIR).join(RESERVE);
        let prepared = self
            .batch
            .write(&pack_dir)
            .map_err(ArchiveError::io(&pack_dir))
            .and_then(|()| Ok(repo.odb()?.refresh()?))
            .and_then(|()| {
                let room = room_after_move(repo, self.tip, &self.touched, self.versions)?;
                set_aside(&reserve, room)
            });
        let _ = std::fs::remove_file(&reserve);
        let marker = local.root.join(PRIVATE_DIR).join(SYNC_MARKER);
        let paths: Vec<String> = self.touched.iter().cloned().collect();
        let mut moved_any = false;
        let moved = prepared.and_then(|()| {
            std::fs::write(&marker, paths.join("\n")).map_err(ArchiveError::io(&marker))?;
            for (name, published, tip) in &notes {
                let message = "palimpsest: pull notes";
                match published {
                    Some(old) => repo.reference_matching(name, *tip, true, *old, message)?,
                    None => repo.reference(name, *tip, false, message)?,
                };
                moved_any = true;
            }
            if self.tip != self.published {
                let branch = format!("refs/heads/{BRANCH}");
                repo.reference_matching(
                    &branch,
                    self.tip,
                    true,
                    self.published,
                    "palimpsest: pull",
                )?;
            }
            Ok(())
        });
        if let Err(e) = moved {
            let _ = std::fs::remove_file(&marker);
            if !moved_any {
                remove_new_files(&pack_dir, &packs_before);
            }
            return Err(e);
        }
        worktree::sync(repo, &local.root, &paths)?;
        std::fs::remove_file(&marker).map_err(ArchiveError::io(&marker))?;
        catch_up(repo, &mut local.state)?;
        local.config = Config::parse(&self.config_text)?;
        local.config_text = std::mem::take(&mut self.config_text);
        Ok(())
    }
}

/// What the hub merged of `shard` last (its branch and notes refs), as its branch records it.
fn merged_before(config: &Config, shard: &str) -> Result<Option<Merged>, ArchiveError> {
    let Some(pulled) = config.pulled.get(shard) else {
        return Ok(None);
    };
    let oid = |text: &str| {
        Oid::from_str(text).map_err(|_| {
            ConfigError::Shape("a commit under [pulled] is not a commit id (40 hex digits)")
        })
    };
    let notes = pulled
        .notes
        .iter()
        .map(|(name, commit)| Ok((name.clone(), oid(commit)?)))
        .collect::<Result<_, ConfigError>>()?;
    Ok(Some(Merged {
        head: oid(&pulled.head)?,
        notes,
    }))
}

/// The commits of `shard`'s branch after `merged`, parents first; an error if its branch no
/// longer holds `merged`.
fn new_commits<'r>(
    repo: &'r Repository,
    shard: &Fetched,
    merged: Option<Oid>,
) -> Result<Vec<git2::Commit<'r>>, ArchiveError> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    walk.push(shard.head)?;
    if let Some(merged) = merged {
        walk.hide(merged)?;
    }
    let commits = walk
        .map(|oid| repo.find_commit(oid?))
        .collect::<Result<Vec<_>, _>>()?;
    // The walk holds `merged` as a parent exactly when `merged` is an ancestor of the head.
    if let Some(merged) = merged
        && !commits.is_empty()
        && !commits.iter().any(|c| c.parent_ids().any(|p| p == merged))
    {
        return Err(RemoteError::Rewritten {
            shard: shard.name.clone(),
            merged,
        }
        .into());
    }
    Ok(commits)
}

/// The files a tree diff changed: path, blob before and blob after (`None` where absent).
fn changes(diff: &git2::Diff) -> Vec<(String, Option<Oid>, Option<Oid>)> {
    let blob = |file: git2::DiffFile| Some(file.id()).filter(|id| !id.is_zero());
    diff.deltas()
        .filter_map(|delta| {
            let file = delta.new_file().path().or(delta.old_file().path())?;
            let file = file.to_str()?.to_owned();
            Some((file, blob(delta.old_file()), blob(delta.new_file())))
        })
        .collect()
}

/// Who the hub has the article file `file` from: the shard named in the settings of the commit
/// of its last version, or the hub itself.
fn owner(repo: &Repository, state: &State, file: &str) -> Result<String, ArchiveError> {
    let Some(last) = state.versions(file)?.pop() else {
        return Ok("the hub".to_owned());
    };
    let tree = repo.find_commit(last.commit)?.tree()?;
    let settings = tree
        .get_path(Path::new(config::FILE_NAME))
        .ok()
        .and_then(|entry| repo.find_blob(entry.id()).ok())
        .and_then(|blob| Config::parse(&String::from_utf8_lossy(blob.content())).ok());
    Ok(match settings.and_then(|c| c.shard) {
        Some(shard) => format!("shard {}", shard.name),
        None => format!("an archive without [shard] (commit {})", last.commit),
    })
}

fn conflict(path: String, shard: &str, other: String) -> ArchiveError {
    RemoteError::Conflict {
        path,
        shard: format!("shard {shard}"),
        other,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::super::tests::observe;
    use super::*;

    /// A collector owning `host`, with the versions of `bodies` of one article recorded (`None`
    /// for a deletion).
    fn collector(dir: &Path, name: &str, host: &str, bodies: &[Option<&str>]) -> Archive {
        let root = dir.join(name);
        let mut archive = Archive::init(&root).unwrap();
        let settings = root.join(config::FILE_NAME);
        let text = std::fs::read_to_string(&settings).unwrap();
        let shard = format!("\n[shard]\nname = \"{name}\"\nhosts = [\"{host}\"]\n");
        std::fs::write(&settings, text + &shard).unwrap();
        archive.lock(false).unwrap();
        record(&mut archive, host, bodies);
        archive
    }

    fn record(archive: &mut Archive, host: &str, bodies: &[Option<&str>]) {
        let url = Url::parse(&format!("https://{host}/a")).unwrap();
        archive
            .with_recorder(|r| {
                for body in bodies {
                    let mut obs = observe(&url, "Title", body.unwrap_or(""));
                    if body.is_none() {
                        obs.seen = super::super::Seen::Gone;
                    }
                    r.record(obs)?.expect("a change");
                }
                Ok(())
            })
            .unwrap();
    }

    /// What `git fetch` does in `pull`, through libgit2 (which fetches from a local path).
    fn fetch(hub: &Archive, collectors: &[&Archive]) {
        for c in collectors {
            let name = &c.config().shard.as_ref().unwrap().name;
            let mut remote = hub
                .repo
                .remote_anonymous(c.root().to_str().unwrap())
                .unwrap();
            let specs = [
                format!("+refs/heads/main:{FETCHED_HEADS}{name}"),
                format!("+refs/notes/raw:{FETCHED_NOTES}{name}/raw"),
            ];
            remote.fetch(&specs, None, None).unwrap();
        }
    }

    fn commits(archive: &Archive, host: &str) -> Vec<Oid> {
        let url = Url::parse(&format!("https://{host}/a")).unwrap();
        archive
            .versions(&url)
            .unwrap()
            .iter()
            .map(|v| v.commit)
            .collect()
    }

    #[test]
    fn shards_merge_as_they_are_and_only_what_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = collector(
            dir.path(),
            "a",
            "a.test",
            &[Some("One."), Some("Two."), None],
        );
        let b = collector(dir.path(), "b", "b.test", &[Some("Three.")]);
        let mut hub = Archive::init(&dir.path().join("hub")).unwrap();
        hub.lock(false).unwrap();
        fetch(&hub, &[&a, &b]);
        let report = hub.merge_fetched().unwrap();
        let merged: Vec<(&str, usize)> = report
            .merged
            .iter()
            .map(|s| (s.shard.as_str(), s.versions))
            .collect();
        assert_eq!(merged, [("a", 3), ("b", 1)]);
        // And their settings commits (and their first commits, unless made in the same second as
        // the hub's, which makes them the same commit).
        assert!(report.merged.iter().all(|s| s.commits > s.versions));
        assert_eq!(commits(&hub, "a.test"), commits(&a, "a.test"));
        assert_eq!(commits(&hub, "b.test"), commits(&b, "b.test"));
        let first = &hub
            .versions(&Url::parse("https://a.test/a").unwrap())
            .unwrap()[0];
        assert_eq!(hub.raw_bytes(first).unwrap(), a.raw_bytes(first).unwrap());
        // The deleted article's file is gone, the other's is there; the settings are the hub's.
        let tree = hub.repo.head().unwrap().peel_to_tree().unwrap();
        assert!(tree.get_path(Path::new("a.test/a.txt")).is_err());
        assert!(tree.get_path(Path::new("b.test/a.txt")).is_ok());
        drop(tree);
        assert!(hub.config().shard.is_none());
        assert_eq!(hub.config().pulled.len(), 2);
        assert!(hub.verify().unwrap().is_sound());

        // Again: nothing new, nothing made.
        let head = hub.repo.head().unwrap().target();
        assert_eq!(hub.merge_fetched().unwrap(), PullReport::default());
        assert_eq!(hub.repo.head().unwrap().target(), head);
        // The article comes back on shard a: only that is merged.
        record(&mut a, "a.test", &[Some("Two.")]);
        fetch(&hub, &[&a, &b]);
        let report = hub.merge_fetched().unwrap();
        assert_eq!(report.merged.len(), 1);
        assert_eq!(
            (report.merged[0].commits, report.merged[0].versions),
            (1, 1)
        );
        assert_eq!(report.merged[0].notes, ["raw"]);
        assert_eq!(commits(&hub, "a.test"), commits(&a, "a.test"));
        assert_eq!(commits(&hub, "a.test").len(), 4);
        assert!(hub.verify().unwrap().is_sound());
    }

    #[test]
    fn an_article_of_two_shards_is_not_merged() {
        let dir = tempfile::tempdir().unwrap();
        let a = collector(dir.path(), "a", "x.test", &[Some("One.")]);
        let b = collector(dir.path(), "b", "x.test", &[Some("One.")]);
        let mut hub = Archive::init(&dir.path().join("hub")).unwrap();
        hub.lock(false).unwrap();
        let head = hub.repo.head().unwrap().target();
        fetch(&hub, &[&a, &b]);
        let err = hub.merge_fetched().unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.test/a.txt is in the histories of shard b and of shard a: a host must belong to \
             one shard only; nothing was merged"
        );
        assert_eq!(hub.repo.head().unwrap().target(), head);
        assert!(hub.repo.find_reference("refs/notes/raw").is_err());
    }

    #[test]
    fn a_rewritten_shard_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = collector(dir.path(), "a", "x.test", &[Some("One.")]);
        let mut hub = Archive::init(&dir.path().join("hub")).unwrap();
        hub.lock(false).unwrap();
        fetch(&hub, &[&a]);
        hub.merge_fetched().unwrap();
        // Another archive's history under the same name.
        let other = collector(&dir.path().join("other"), "a", "x.test", &[Some("Two.")]);
        fetch(&hub, &[&other]);
        let err = hub.merge_fetched().unwrap_err();
        assert!(
            err.to_string().contains("shard a's branch was rewritten"),
            "{err}"
        );
    }
}
