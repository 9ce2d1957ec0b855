//! `palimpsest serve`: the web viewer over the archive.

use super::{CliError, Context, Kind};
use palimpsest::web::serve::{ServeError, Server};
use std::io::Write;

/// Browse the archive's changes in a web browser (read-only)
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. Other machines can reach a non-loopback address
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    bind: String,
}

pub fn run(ctx: &Context, args: &ServeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    // Opening first reports a missing archive with the usual hints.
    let archive = ctx.open()?;
    let server = Server::bind(&args.bind, archive.root()).map_err(serve_error)?;
    drop(archive);
    if !server.addr().ip().is_loopback() {
        eprintln!(
            "Warning: {} is not a loopback address: anyone who can reach it can read the archive",
            server.addr()
        );
    }
    writeln!(out, "Serving the archive at http://{}/", server.addr())?;
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    server
        .run(|url, e| eprintln!("Error: {url}: {}", palimpsest::error_line(&e)))
        .map_err(serve_error)
}

fn serve_error(e: ServeError) -> CliError {
    match e {
        ServeError::Archive(e) => e.into(),
        ServeError::Bind { .. } => CliError::of(Kind::Usage, &e)
            .hint("pass another address with --bind, e.g. --bind 127.0.0.1:8081"),
        ServeError::Server(_) => CliError::of(Kind::Usage, &e),
    }
}
