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

use crate::archive::{Archive, ArchiveError, Observation, Recorded, Recorder, Seen};
use crate::config;
use crate::extract::SiteRules;
use crate::page::{self, Page, PageError};
use chrono::{DateTime, Utc};
use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use url::Url;

/// File versions read in parallel before they are recorded in order.
const CHUNK: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} is not a git repository", path.display())]
    Source { path: PathBuf, source: git2::Error },
    #[error("could not read the source repository")]
    Git(#[from] git2::Error),
    #[error(
        "reading {version} crashed ({message}); nothing after it was recorded, and the next \
         import-git goes on from the last version recorded"
    )]
    ReaderPanicked { version: String, message: String },
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

impl FileVersion {
    /// `<source commit>:<path>`, as in the `Imported-From` trailer.
    fn name(&self) -> String {
        format!("{}:{}", self.commit, self.path)
    }
}

/// Reads a file version's bytes into a page: [`page::read`], or what a test gives instead.
type ReadPage<'a> = dyn Fn(&[u8]) -> Result<Page, PageError> + Sync + 'a;

/// Replays `source` into `archive` (which must be locked). `pathspecs` select files as in
/// `git log -- PATHSPEC` (all files when empty).
pub fn import_git(
    archive: &mut Archive,
    source: &Path,
    pathspecs: &[String],
    on_progress: &mut dyn FnMut(Progress, &[Recorded]),
) -> Result<ImportStats, ImportError> {
    let rules = SiteRules::new(&archive.config().sites).map_err(ArchiveError::from)?;
    // The article's URL is known only after reading; `Replay::record` sets it in the document.
    let placeholder = Url::parse("git-import:/").expect("static URL");
    let read = |bytes: &[u8]| page::read(bytes, None, &placeholder, &rules);
    import_with(archive, source, pathspecs, on_progress, &read)
}

fn import_with(
    archive: &mut Archive,
    source: &Path,
    pathspecs: &[String],
    on_progress: &mut dyn FnMut(Progress, &[Recorded]),
    read: &ReadPage,
) -> Result<ImportStats, ImportError> {
    let repo = Repository::open(source).map_err(|e| ImportError::Source {
        path: source.to_owned(),
        source: e,
    })?;
    let plan = Plan::new(archive, &repo)?;
    let mut replay = Replay {
        urls: UrlMap::new(archive, &repo_name(&repo))?,
        repo: &repo,
        pathspecs,
        read,
        on_progress,
        stats: ImportStats {
            commits: plan.commits.len(),
            ..ImportStats::default()
        },
    };
    // Versions recorded before an error are published all the same (the recorder flushes
    // them), so the next import goes on after them.
    archive.with_recorder(|recorder| Ok(replay.run(recorder, &plan)))??;
    Ok(replay.stats)
}

/// What an import replays: the source commits not imported yet, and where a killed import of
/// them stopped.
struct Plan {
    /// The source's key in `palimpsest.toml` and its ref tips now, saved when all is replayed.
    key: String,
    tips: Vec<Oid>,
    commits: Vec<Oid>,
    /// The index in `commits` and the path of the last version a previous import recorded.
    resume: Option<(usize, String)>,
}

impl Plan {
    fn new(archive: &Archive, repo: &Repository) -> Result<Plan, ImportError> {
        let key = source_key(repo);
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
        let tips = ref_tips(repo)?;
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
        // between that one and the kill recorded nothing, and replaying them records nothing
        // again.
        let hex: HashSet<String> = commits.iter().map(Oid::to_string).collect();
        let resume = archive
            .state()
            .last_imported_from(&hex)
            .map_err(ArchiveError::from)?
            .and_then(|from| {
                let (commit, path) = from.split_once(':')?;
                let at = commits.iter().position(|c| c.to_string() == commit)?;
                Some((at, path.to_owned()))
            });
        Ok(Plan {
            key,
            tips,
            commits,
            resume,
        })
    }
}

/// An import under way.
struct Replay<'a> {
    repo: &'a Repository,
    pathspecs: &'a [String],
    read: &'a ReadPage<'a>,
    urls: UrlMap,
    on_progress: &'a mut dyn FnMut(Progress, &[Recorded]),
    stats: ImportStats,
}

impl Replay<'_> {
    /// Replays the plan's commits in chunks of file versions, then saves the source's tips.
    fn run(&mut self, recorder: &mut Recorder, plan: &Plan) -> Result<(), ImportError> {
        let mut pending: Vec<FileVersion> = Vec::new();
        let start = plan.resume.as_ref().map_or(0, |(at, _)| *at);
        for (done, oid) in plan.commits.iter().enumerate().skip(start) {
            let mut files = changed_files(self.repo, *oid, self.pathspecs)?;
            if let Some((at, path)) = &plan.resume
                && *at == done
            {
                let recorded = files
                    .iter()
                    .position(|f| f.path == *path)
                    .map_or(0, |i| i + 1);
                files.drain(..recorded);
            }
            pending.extend(files);
            if pending.len() >= CHUNK || done + 1 == plan.commits.len() {
                let recorded = self.record_chunk(recorder, std::mem::take(&mut pending))?;
                let progress = Progress {
                    commits_done: done + 1,
                    commits_total: plan.commits.len(),
                };
                (self.on_progress)(progress, &recorded);
            }
        }
        if plan.commits.is_empty() {
            return Ok(());
        }
        let tips: Vec<String> = plan.tips.iter().map(Oid::to_string).collect();
        let text = config::with_import_tips(recorder.config_text(), &plan.key, &tips)
            .map_err(ArchiveError::from)?;
        let message = format!("Import {} up to {}\n", self.urls.name, tips.join(", "));
        recorder.commit_settings(&text, &message)?;
        Ok(())
    }

    /// Reads `versions` in parallel and records them in order; stops at a version whose reading
    /// crashed, after recording those before it.
    fn record_chunk(
        &mut self,
        recorder: &mut Recorder,
        versions: Vec<FileVersion>,
    ) -> Result<Vec<Recorded>, ImportError> {
        self.stats.file_versions += versions.len();
        let read = read_all(self.repo, &versions, self.read)?;
        let mut recorded = Vec::new();
        for (version, read) in versions.into_iter().zip(read) {
            let (mut seen, named) = match read {
                Read::Page(page, raw) => (
                    Seen::Page {
                        document: page.document,
                        raw,
                    },
                    page.article.source_url,
                ),
                Read::Removed => (Seen::Gone, None),
                Read::Refused(e) => {
                    self.stats.skipped.push((version.name(), e.to_string()));
                    continue;
                }
                Read::Panicked(message) => {
                    return Err(ImportError::ReaderPanicked {
                        version: version.name(),
                        message,
                    });
                }
            };
            let url = self.urls.url_for(&version.path, named.as_deref());
            if let Seen::Page { document, .. } = &mut seen {
                document.url = url.to_string();
            }
            let observation = Observation {
                url,
                fetched_at: version.time,
                http_status: if matches!(seen, Seen::Gone) { 404 } else { 200 },
                seen,
                imported_from: Some(version.name()),
                capture: None,
            };
            if let Some(r) = recorder.record(observation)? {
                recorded.push(r);
            }
        }
        self.stats.recorded += recorded.len();
        Ok(recorded)
    }
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

/// What reading one file version gave.
enum Read {
    Page(Box<Page>, Vec<u8>),
    /// Not an article (not text, empty...).
    Refused(PageError),
    Removed,
    /// The reader panicked, with this message: a bug, which must stop the import rather than
    /// lose the version.
    Panicked(String),
}

/// Reads every file version's page with `read`, on all cores, one result per version.
fn read_all(
    repo: &Repository,
    versions: &[FileVersion],
    read: &ReadPage,
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
    Ok(std::thread::scope(|scope| {
        let handles: Vec<_> = blobs
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || chunk.iter().map(|b| read_one(b, read)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                // `read_one` catches the reader's panics: one here is the thread's own.
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    }))
}

fn read_one(blob: &Option<Vec<u8>>, read: &ReadPage) -> Read {
    let Some(bytes) = blob else {
        return Read::Removed;
    };
    // The reader holds no state a panic could leave half-changed: it only reads `bytes`.
    match std::panic::catch_unwind(AssertUnwindSafe(|| read(bytes))) {
        Ok(Ok(page)) => Read::Page(Box::new(page), bytes.clone()),
        Ok(Err(e)) => Read::Refused(e),
        Err(panic) => Read::Panicked(
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned()),
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A source repository with one commit per page, adding `pages/<name>.html`.
    fn source(dir: &Path, pages: &[&str]) -> Repository {
        let repo = Repository::init(dir).unwrap();
        let mut parent: Option<Oid> = None;
        for (i, name) in pages.iter().enumerate() {
            let html = format!(
                "<html><head><title>Page {name}</title></head><body><article><h1>Page {name}</h1>\
                 <p>The council met about page {name} on Monday and approved the plan.</p>\
                 </article></body></html>"
            );
            std::fs::create_dir_all(dir.join("pages")).unwrap();
            std::fs::write(dir.join(format!("pages/{name}.html")), html).unwrap();
            let mut index = repo.index().unwrap();
            index
                .add_path(Path::new(&format!("pages/{name}.html")))
                .unwrap();
            let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
            index.write().unwrap();
            let time = git2::Time::new(1_700_000_000 + i as i64 * 60, 0);
            let who = git2::Signature::new("t", "t@example.com", &time).unwrap();
            let parents: Vec<git2::Commit> = parent
                .iter()
                .map(|p| repo.find_commit(*p).unwrap())
                .collect();
            let parents: Vec<&git2::Commit> = parents.iter().collect();
            let oid = repo
                .commit(Some("HEAD"), &who, &who, "sync", &tree, &parents)
                .unwrap();
            parent = Some(oid);
        }
        repo
    }

    fn versions(archive: &Archive, name: &str) -> usize {
        let url = Url::parse(&format!("git-import:/src/pages/{name}.html")).unwrap();
        archive.versions(&url).unwrap().len()
    }

    #[test]
    fn a_reader_that_panics_fails_the_import_and_loses_no_version() {
        let dir = tempfile::tempdir().unwrap();
        let pages = ["a", "b", "c", "d"];
        source(&dir.path().join("src"), &pages);
        let mut archive = Archive::init(&dir.path().join("archive")).unwrap();
        archive.lock(false).unwrap();
        let rules = SiteRules::new(&archive.config().sites).unwrap();
        let url = Url::parse("git-import:/").unwrap();
        let panics_on_b = |bytes: &[u8]| {
            assert!(
                !String::from_utf8_lossy(bytes).contains("Page b"),
                "test panic"
            );
            page::read(bytes, None, &url, &rules)
        };
        let source = dir.path().join("src");
        let err = import_with(&mut archive, &source, &[], &mut |_, _| {}, &panics_on_b);
        match err {
            Err(ImportError::ReaderPanicked { version, message }) => {
                assert!(version.ends_with(":pages/b.html"), "{version}");
                assert!(message.contains("test panic"), "{message}");
            }
            other => panic!("the import must fail: {other:?}"),
        }
        let recorded: Vec<usize> = pages.iter().map(|p| versions(&archive, p)).collect();
        assert_eq!(recorded, [1, 0, 0, 0], "nothing past the last good version");
        assert!(
            archive.config().imports.is_empty(),
            "the tips are not saved"
        );

        // Once the reader is fixed, the next import records what the failed one did not.
        let stats = import_git(&mut archive, &source, &[], &mut |_, _| {}).unwrap();
        assert_eq!(stats.recorded, 3, "{stats:?}");
        let recorded: Vec<usize> = pages.iter().map(|p| versions(&archive, p)).collect();
        assert_eq!(recorded, [1, 1, 1, 1]);
        assert_eq!(archive.config().imports.len(), 1);
    }
}
