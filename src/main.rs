//! The `palimpsest` binary: parses the command line and hands over to [`cli`].

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::run(&args)
}
