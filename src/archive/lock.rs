//! The writer lock, and the repair of what a killed writer left behind.
//!
//! One process writes at a time: it holds `.palimpsest/lock` (an advisory file lock, released
//! by the kernel when the process dies). Whoever takes the lock next finds what a killed run may
//! have left: git lock files, the space it set aside, and a branch that moved before the working
//! tree and index followed (the sync marker lists the paths to bring up to date).

use super::catch_up::catch_up;
use super::{Archive, ArchiveError, PRIVATE_DIR, RESERVE, SYNC_MARKER, worktree};
use std::fs::File;

impl Archive {
    /// Takes the archive's writer lock (waiting for it with `wait`), then repairs what a killed
    /// run may have left: stale git lock files and a working tree behind the branch.
    pub fn lock(&mut self, wait: bool) -> Result<(), ArchiveError> {
        if self.local.lock.is_some() {
            return Ok(());
        }
        let path = self.local.root.join(PRIVATE_DIR).join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(ArchiveError::io(&path))?;
        if wait {
            file.lock().map_err(ArchiveError::io(&path))?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(ArchiveError::Locked(self.local.root.clone()));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(ArchiveError::io(&path)(e)),
            }
        }
        self.local.lock = Some(file);
        self.recover()
    }

    /// Under the lock nobody else is writing, so git lock files are leftovers of a killed run.
    fn recover(&mut self) -> Result<(), ArchiveError> {
        let git_dir = self.repo.path().to_owned();
        for stale in [
            "index.lock",
            "HEAD.lock",
            "packed-refs.lock",
            "refs/heads/main.lock",
            "refs/notes/raw.lock",
            "refs/notes/http.lock",
        ] {
            let path = git_dir.join(stale);
            if path.exists() {
                std::fs::remove_file(&path).map_err(ArchiveError::io(&path))?;
            }
        }
        let reserve = self.local.root.join(PRIVATE_DIR).join(RESERVE);
        if reserve.exists() {
            std::fs::remove_file(&reserve).map_err(ArchiveError::io(&reserve))?;
        }
        let marker = self.local.root.join(PRIVATE_DIR).join(SYNC_MARKER);
        if marker.exists() {
            let listed = std::fs::read_to_string(&marker).map_err(ArchiveError::io(&marker))?;
            self.repo
                .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
            // A checkout leaves alone a file that matches HEAD but is missing from the index,
            // as a run killed between writing its new files and the index leaves them.
            let paths: Vec<String> = listed.lines().map(str::to_owned).collect();
            worktree::sync(&self.repo, &self.local.root, &paths)?;
            std::fs::remove_file(&marker).map_err(ArchiveError::io(&marker))?;
        }
        catch_up(&self.repo, &mut self.local.state)?;
        self.commit_settings()
    }
}
