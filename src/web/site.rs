//! The viewer as a static site: every page written to a folder, with relative links, so that it
//! works from `file://` and from any static host.
//!
//! Incremental: the folder keeps a manifest (`.palimpsest-site`) of the newest commit of each
//! article it holds. A later run renders again only the articles whose newest commit changed, plus
//! the lists of changes and the feeds, and writes a file only when its bytes differ, so a re-run
//! rewrites only what changed (and leaves file times alone for everything else).

use super::page;
use crate::archive::state::Filter;
use crate::archive::{Archive, ArchiveError, Changes};
use crate::render::html;
use crate::render::routes::{PAGE_SIZE, Route, filters, is_safe};
use git2::Oid;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where the site records what it was built from.
const MANIFEST: &str = ".palimpsest-site";

/// Writing the site failed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not empty and was not written by `palimpsest site`; choose another folder")]
    Foreign(PathBuf),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

impl From<crate::archive::state::StateError> for SiteError {
    fn from(e: crate::archive::state::StateError) -> SiteError {
        SiteError::Archive(e.into())
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// Files written (new or changed).
    pub written: usize,
    /// Files rendered but already up to date.
    pub unchanged: usize,
    /// Articles rendered again.
    pub articles: usize,
}

/// Writes (or brings up to date) the static site of `archive` in `dir`.
pub fn write(archive: &Archive, dir: &Path) -> Result<Written, SiteError> {
    let manifest_path = dir.join(MANIFEST);
    let old_manifest = read_manifest(dir, &manifest_path)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut out = Writer {
        dir,
        written: Written::default(),
    };
    out.put(archive, &Route::Style)?;
    out.put(archive, &Route::Sites)?;
    let mut sites: Vec<Option<String>> = vec![None];
    sites.extend(archive.state().sites()?.into_iter().map(Some));
    for site in &sites {
        out.lists(archive, site.as_deref())?;
        out.put(archive, &Route::Feed { site: site.clone() })?;
    }
    // Articles whose newest commit is not the one the site was built from.
    let latest = archive.state().latest_commits()?;
    for (path, commit) in &latest {
        if old_manifest.get(path) != Some(commit) {
            out.article(archive, path)?;
        }
    }
    let mut manifest = String::new();
    for (path, commit) in &latest {
        manifest.push_str(&commit.to_string());
        manifest.push(' ');
        manifest.push_str(path);
        manifest.push('\n');
    }
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&tmp, manifest).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &manifest_path).map_err(io(&manifest_path))?;
    Ok(out.written)
}

/// What the site in `dir` was built from; nothing for a new site. A folder with files but no
/// manifest is not a site: it is left alone.
fn read_manifest(dir: &Path, manifest: &Path) -> Result<HashMap<String, Oid>, SiteError> {
    match std::fs::read_to_string(manifest) {
        Ok(text) => Ok(parse_manifest(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let empty = match std::fs::read_dir(dir) {
                Ok(mut entries) => entries.next().is_none(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Err(e) => return Err(io(dir)(e)),
            };
            if !empty {
                return Err(SiteError::Foreign(dir.to_owned()));
            }
            Ok(HashMap::new())
        }
        Err(e) => Err(io(manifest)(e)),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError + '_ {
    move |source| SiteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `commit path` lines → path → commit.
fn parse_manifest(text: &str) -> HashMap<String, Oid> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(commit, path)| Some((path.to_owned(), commit.parse().ok()?)))
        .collect()
}

struct Writer<'a> {
    dir: &'a Path,
    written: Written,
}

impl Writer<'_> {
    /// Every page of every list of changes of `site` (all sites for `None`). They are all
    /// rendered, as they shift with every new change, from one query per list rather than one
    /// per page.
    fn lists(&mut self, archive: &Archive, site: Option<&str>) -> Result<(), SiteError> {
        for filter in filters() {
            let query = Filter {
                changes: filter.map(Changes::only).unwrap_or_default(),
                site,
            };
            let versions = archive.state().recent_page(&query, 0, usize::MAX)?;
            let chunks: Vec<_> = versions.chunks(PAGE_SIZE).collect();
            let pages = chunks.len().max(1);
            for number in 1..=pages {
                let route = Route::Changes {
                    filter,
                    site: site.map(str::to_owned),
                    page: number,
                };
                let body = html::changes_page(&html::ChangesPage {
                    filter,
                    site,
                    page: number,
                    versions: chunks.get(number - 1).copied().unwrap_or(&[]),
                    has_next: number < pages,
                });
                self.file(&route, body.as_bytes())?;
            }
        }
        Ok(())
    }

    /// Every page of the article at `path`: its timeline and feed, and per version its diff,
    /// its diff against the latest, its text and its raw bytes.
    fn article(&mut self, archive: &Archive, path: &str) -> Result<(), SiteError> {
        self.written.articles += 1;
        let versions = archive.state().versions(path)?;
        let count = versions.len();
        let path = path.to_owned();
        self.put(archive, &Route::Article { path: path.clone() })?;
        self.put(archive, &Route::ArticleFeed { path: path.clone() })?;
        for v in &versions {
            self.put(archive, &Route::change(v))?;
            if v.number + 1 < count {
                let to_latest = Route::Diff {
                    path: path.clone(),
                    from: v.number,
                    to: count,
                };
                self.put(archive, &to_latest)?;
            }
            if !v.is_deletion() {
                let number = v.number;
                let text = Route::Version {
                    path: path.clone(),
                    number,
                };
                self.put(archive, &text)?;
                let raw = Route::Raw {
                    path: path.clone(),
                    number,
                };
                self.put(archive, &raw)?;
            }
        }
        Ok(())
    }

    /// Renders `route` and writes it, if the archive has that page.
    fn put(&mut self, archive: &Archive, route: &Route) -> Result<(), SiteError> {
        match page(archive, route)? {
            Some(page) => self.file(route, &page.body),
            None => Ok(()),
        }
    }

    fn file(&mut self, route: &Route, bytes: &[u8]) -> Result<(), SiteError> {
        let encoded = route.path();
        let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8_lossy();
        self.file_at(&decoded, bytes)
    }

    /// Writes `bytes` at `rel` unless the file already holds them. `rel` comes from a route,
    /// whose segments are checked again here: nothing is written outside the folder.
    fn file_at(&mut self, rel: &str, bytes: &[u8]) -> Result<(), SiteError> {
        if !rel.split('/').all(is_safe) {
            return Ok(());
        }
        let path = self.dir.join(rel);
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            self.written.unchanged += 1;
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
        self.written.written += 1;
        Ok(())
    }
}
