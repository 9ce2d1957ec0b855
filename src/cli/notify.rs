//! Notifications after a run that records: the notifiers' cursors are set before it, what it
//! recorded is delivered after it, and a failing notifier is a warning, never the run's error.

use super::CliError;
use palimpsest::archive::Archive;
use palimpsest::fetch::Fetcher;

/// Before a run records: new notifiers start from the archive as it is.
pub fn prepare(archive: &mut Archive) -> Result<(), CliError> {
    Ok(palimpsest::notify::prepare(archive)?)
}

/// After the run: delivers what is pending, warning of each notifier that failed.
pub fn deliver(archive: &mut Archive) -> Result<(), CliError> {
    if archive.config().notify.is_empty() {
        return Ok(());
    }
    let fetcher = Fetcher::new(&archive.config().fetch);
    for delivery in palimpsest::notify::deliver(archive, &fetcher)? {
        if let Some(error) = &delivery.error {
            eprintln!(
                "Warning: notifier {} failed: {error} (what it was to be told is sent on the next run)",
                delivery.notifier
            );
        }
    }
    Ok(())
}
