//! Command-line interface: one file per command, each with its `Args` struct and `run`.

pub mod extract;

use std::process::ExitCode;

/// Keep a change-tracking archive of news articles in plain git
#[derive(clap::Parser)]
#[command(version)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Extract(extract::ExtractArgs),
}

pub fn run(args: &Args) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match &args.command {
        Command::Extract(a) => extract::run(a, &mut out),
    };
    match result.and_then(|()| std::io::Write::flush(&mut out).map_err(Into::into)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(extract::ExtractError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
