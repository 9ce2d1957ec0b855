//! `palimpsest verify`: check that the archive is sound.

use super::{CliError, Context};
use std::io::Write;

/// Check every object and every version's Content-Hash and Source-Hash; exit 1 on any problem
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: &VerifyArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let report = archive.verify()?;
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        )?;
    } else {
        for problem in &report.problems {
            writeln!(out, "problem: {problem}")?;
        }
        writeln!(
            out,
            "checked {} objects and {} versions: {}",
            report.objects,
            report.versions,
            count(report.problems.len())
        )?;
    }
    if report.is_sound() {
        Ok(())
    } else {
        let problems = count(report.problems.len());
        let e = CliError::partial(format!("the archive is not sound: {problems}"));
        Err(e.hint(
            "`git fsck --full` in the archive tells more; \
             damaged objects can be restored from a backup or a clone",
        ))
    }
}

fn count(problems: usize) -> String {
    match problems {
        0 => "no problems".to_owned(),
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    }
}
