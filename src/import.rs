//! Another git repository's history → versions in the archive (`palimpsest import-git`).
//!
//! Git-scraping repositories (a cron job committing fetched pages) hold years of versions of news
//! articles. Each commit that changes a matching file is replayed as a fetch at the commit's time:
//! the file's bytes go through the same [`crate::page::read`] as a fetched page, a removal is a
//! deletion and a re-add a restoration, and the archive records only real changes, each with an
//! `Imported-From: <source commit>:<path>` trailer.
//!
//! Commits are replayed in the order of `git log --all --full-history --date-order --reverse`.
//! Merge commits are skipped: their content already came with the commits of the merged branches.
//! `palimpsest.toml` remembers the tips of the source's refs, so a second import replays only
//! what is new; an import killed midway goes on after the last version it recorded.

use crate::archive::{Archive, ArchiveError, Observation, Recorded, Seen};
use crate::config;
use crate::extract::SiteRules;
use crate::page::{self, PageError};
use chrono::{DateTime, Utc};
use git2::{Oid, Repository};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use url::Url;

/// File versions read in parallel before they are recorded in order.
const CHUNK: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path} is not a git repository: {source}")]
    Source { path: PathBuf, source: git2::Error },
    #[error("reading the source repository: {0}")]
    Git(#[from] git2::Error),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// What an import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportStats {
    /// Source commits replayed (merges included, though they are skipped).
    pub commits: usize,
    /// File versions read (additions, modifications and removals of matching files).
    pub file_versions: usize,
    /// File versions that were not articles (not text, empty): path and reason.
    pub skipped: Vec<(String, String)>,
    pub recorded: usize,
}

/// Progress, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub commits_done: usize,
    pub commits_total: usize,
}

/// One change of a matching file in one source commit.
struct FileVersion {
    commit: Oid,
    time: DateTime<Utc>,
    path: String,
    /// `None` for a removal.
    blob: Option<Oid>,
}

/// Replays `source` into `archive` (which must be locked). `pathspecs` select files as in
/// `git log -- PATHSPEC` (all files when empty).
pub fn import_git(
    archive: &mut Archive,
    source: &Path,
    pathspecs: &[String],
    on_progress: &mut dyn FnMut(Progress, &[Recorded]),
) -> Result<ImportStats, ImportError> {
    let repo = Repository::open(source).map_err(|e| ImportError::Source {
        path: source.to_owned(),
        source: e,
    })?;
    let key = source_key(&repo);
    let name = repo_name(&repo);
    let rules = archive.config().site_rules().map_err(ArchiveError::from)?;
    let previous: Vec<Oid> = archive
        .config()
        .imports
        .get(&key)
        .map(|i| {
            i.tips
                .iter()
                .filter_map(|t| Oid::from_str(t).ok())
                .collect()
        })
        .unwrap_or_default();

    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME | git2::Sort::REVERSE)?;
    let tips = ref_tips(&repo)?;
    for tip in &tips {
        walk.push(*tip)?;
    }
    for oid in &previous {
        // A tip that has since disappeared from the source (rewritten history) hides nothing.
        if repo.find_commit(*oid).is_ok() {
            walk.hide(*oid)?;
        }
    }
    let commits: Vec<Oid> = walk.collect::<Result<_, _>>()?;
    // An import killed in the middle published the versions of a prefix of this replay, but
    // not the tips that mark it done: go on after the last version it recorded. The versions
    // between that one and the kill recorded nothing, and replaying them records nothing again.
    let hex: std::collections::HashSet<String> = commits.iter().map(Oid::to_string).collect();
    let resume = archive
        .state()
        .last_imported_from(&hex)
        .map_err(ArchiveError::from)?
        .and_then(|from| {
            let (commit, path) = from.split_once(':')?;
            let at = commits.iter().position(|c| c.to_string() == commit)?;
            Some((at, path.to_owned()))
        });

    let mut stats = ImportStats {
        commits: commits.len(),
        ..ImportStats::default()
    };
    let mut urls = UrlMap::new(archive, &name)?;
    archive.with_recorder(|recorder| {
        let mut pending: Vec<FileVersion> = Vec::new();
        let start = resume.as_ref().map_or(0, |(at, _)| *at);
        for (done, oid) in commits.iter().enumerate().skip(start) {
            let mut files = changed_files(&repo, *oid, pathspecs)?;
            if let Some((at, path)) = &resume
                && *at == done
            {
                let recorded = files
                    .iter()
                    .position(|f| f.path == *path)
                    .map_or(0, |i| i + 1);
                files.drain(..recorded);
            }
            pending.extend(files);
            let last = done + 1 == commits.len();
            if pending.len() >= CHUNK || last {
                stats.file_versions += pending.len();
                let read = read_all(&repo, &pending, &rules)?;
                let mut recorded = Vec::new();
                for (version, page) in pending.drain(..).zip(read) {
                    let (seen, named) = match page {
                        Some(Ok((page, raw))) => (
                            Seen::Page {
                                document: page.document,
                                raw,
                            },
                            page.article.source_url,
                        ),
                        Some(Err(e)) => {
                            stats.skipped.push((
                                format!("{}:{}", version.commit, version.path),
                                e.to_string(),
                            ));
                            continue;
                        }
                        None => (Seen::Gone, None),
                    };
                    let url = urls.url_for(&version.path, named.as_deref());
                    let mut seen = seen;
                    if let Seen::Page { document, .. } = &mut seen {
                        document.url = url.to_string();
                    }
                    let observation = Observation {
                        url,
                        fetched_at: version.time,
                        http_status: if matches!(seen, Seen::Gone) { 404 } else { 200 },
                        seen,
                        imported_from: Some(format!("{}:{}", version.commit, version.path)),
                    };
                    if let Some(r) = recorder.record(observation)? {
                        recorded.push(r);
                    }
                }
                stats.recorded += recorded.len();
                on_progress(
                    Progress {
                        commits_done: done + 1,
                        commits_total: commits.len(),
                    },
                    &recorded,
                );
            }
        }
        if !commits.is_empty() {
            let tips: Vec<String> = tips.iter().map(Oid::to_string).collect();
            let text = config::with_import_tips(recorder.config_text(), &key, &tips)
                .map_err(ArchiveError::from)?;
            recorder
                .commit_settings(&text, &format!("Import {name} up to {}\n", tips.join(", ")))?;
        }
        Ok(())
    })?;
    Ok(stats)
}

/// The commits every ref of `repo` points at (branches, tags, remotes, HEAD).
fn ref_tips(repo: &Repository) -> Result<Vec<Oid>, git2::Error> {
    let mut tips = Vec::new();
    for reference in repo.references()? {
        let reference = reference?;
        if let Ok(commit) = reference.peel_to_commit()
            && !tips.contains(&commit.id())
        {
            tips.push(commit.id());
        }
    }
    if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit())
        && !tips.contains(&head.id())
    {
        tips.push(head.id());
    }
    tips.sort();
    Ok(tips)
}

/// The files a commit adds, modifies or removes, against its parent (or nothing, for a root).
fn changed_files(
    repo: &Repository,
    oid: Oid,
    pathspecs: &[String],
) -> Result<Vec<FileVersion>, git2::Error> {
    let commit = repo.find_commit(oid)?;
    if commit.parent_count() > 1 {
        return Ok(Vec::new());
    }
    let parent_tree = match commit.parents().next() {
        Some(parent) => Some(parent.tree()?),
        None => None,
    };
    let mut options = git2::DiffOptions::new();
    for spec in pathspecs {
        options.pathspec(spec.as_str());
    }
    let diff = repo.diff_tree_to_tree(
        parent_tree.as_ref(),
        Some(&commit.tree()?),
        Some(&mut options),
    )?;
    let time = DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default();
    let mut versions = Vec::new();
    for delta in diff.deltas() {
        let (file, blob) = match delta.status() {
            git2::Delta::Added | git2::Delta::Modified | git2::Delta::Typechange => {
                (delta.new_file(), Some(delta.new_file().id()))
            }
            git2::Delta::Deleted => (delta.old_file(), None),
            _ => continue,
        };
        if file.mode() == git2::FileMode::Commit {
            continue; // a submodule
        }
        let Some(path) = file.path().and_then(Path::to_str) else {
            continue;
        };
        versions.push(FileVersion {
            commit: oid,
            time,
            path: path.to_owned(),
            blob,
        });
    }
    Ok(versions)
}

type Read = Option<Result<(page::Page, Vec<u8>), PageError>>;

/// Reads every file version's page, on all cores; `None` for removals.
fn read_all(
    repo: &Repository,
    versions: &[FileVersion],
    rules: &SiteRules,
) -> Result<Vec<Read>, git2::Error> {
    // Blobs are read here, because a git2 repository can't be shared between threads.
    let blobs: Vec<Option<Vec<u8>>> = versions
        .iter()
        .map(|v| {
            v.blob
                .map(|b| repo.find_blob(b).map(|b| b.content().to_vec()))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let per_thread = blobs.len().div_ceil(threads).max(1);
    // The article's URL is known only after reading; `import_git` sets it in the document.
    let placeholder = Url::parse("git-import:/").expect("static URL");
    Ok(std::thread::scope(|scope| {
        let handles: Vec<_> = blobs
            .chunks(per_thread)
            .map(|chunk| {
                let placeholder = &placeholder;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|blob| {
                            blob.as_ref().map(|bytes| {
                                page::read(bytes, None, placeholder, rules)
                                    .map(|page| (page, bytes.clone()))
                            })
                        })
                        .collect::<Vec<Read>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    }))
}

/// Source paths → article URLs, fixed at a path's first version so an article keeps one
/// identity even if later versions name their source differently.
struct UrlMap {
    name: String,
    by_path: HashMap<String, Url>,
    taken: HashMap<String, String>,
}

impl UrlMap {
    /// Starts from the identities earlier imports gave (from `Imported-From` trailers).
    fn new(archive: &Archive, name: &str) -> Result<UrlMap, ArchiveError> {
        let mut map = UrlMap {
            name: name.to_owned(),
            by_path: HashMap::new(),
            taken: HashMap::new(),
        };
        for (path, url) in archive.state().imported_urls()? {
            if let Ok(parsed) = Url::parse(&url) {
                map.taken.insert(url.clone(), path.clone());
                map.by_path.insert(path, parsed);
            }
        }
        Ok(map)
    }

    fn url_for(&mut self, path: &str, named: Option<&str>) -> Url {
        if let Some(url) = self.by_path.get(path) {
            return url.clone();
        }
        let named = named
            .and_then(|u| crate::source::canonical_url(u).ok())
            .filter(|u| u.scheme() != "file");
        // Two source files naming one original would merge two histories: the second keeps
        // its own identity.
        let url = named
            .filter(|u| !self.taken.contains_key(u.as_str()))
            .unwrap_or_else(|| self.fallback(path));
        self.taken.insert(url.to_string(), path.to_owned());
        self.by_path.insert(path.to_owned(), url.clone());
        url
    }

    /// `git-import:/<repo name>/<path>`, for pages that don't name their original.
    fn fallback(&self, path: &str) -> Url {
        let mut url = Url::parse("git-import:/").expect("static URL");
        url.set_path(&format!("{}/{}", self.name, path));
        url
    }
}

/// The key of a source in `palimpsest.toml`: its absolute path.
fn source_key(repo: &Repository) -> String {
    let dir = repo.workdir().unwrap_or_else(|| repo.path());
    dir.canonicalize()
        .unwrap_or_else(|_| dir.to_owned())
        .display()
        .to_string()
        .trim_end_matches('/')
        .to_owned()
}

/// The source's name: its folder, without `.git`.
fn repo_name(repo: &Repository) -> String {
    let dir = repo.workdir().unwrap_or_else(|| repo.path());
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("source");
    name.strip_suffix(".git").unwrap_or(name).to_owned()
}
