//! `palimpsest log`: the versions of an article, or the latest changes of the archive.

use super::{CliError, Context};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use palimpsest::archive::state::Filter;
use palimpsest::archive::{ArchiveError, ChangeKind, Changes, format_time};
use std::io::Write;

/// List an article's versions, or the archive's latest changes when no URL is given
#[derive(clap::Args)]
pub struct LogArgs {
    /// The article (URL or local path)
    url: Option<String>,

    /// Show only versions with this kind of change (repeatable: any of them)
    #[arg(long, value_name = "KIND", value_parser = change_kinds())]
    change: Vec<ChangeKind>,

    /// Most versions to list across the archive (ignored with a URL)
    #[arg(long, default_value_t = 50)]
    limit: usize,

    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

/// The `--change` values: the archive's kinds of change, with what each means.
fn change_kinds() -> impl TypedValueParser<Value = ChangeKind> {
    let kinds = ChangeKind::ALL.map(|k| PossibleValue::new(k.as_str()).help(k.description()));
    PossibleValuesParser::new(kinds).map(|name| name.parse().expect("one of the listed kinds"))
}

pub fn run(ctx: &Context, args: &LogArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let archive = ctx.open()?;
    let changes: Changes = args.change.iter().copied().collect();
    let shown = match &args.url {
        Some(input) => {
            let url = palimpsest::source::canonical_url(input)?;
            let versions = archive.versions(&url)?;
            if versions.is_empty() {
                return Err(
                    CliError::usage(format!("no versions of {url} in the archive"))
                        .hint("track it with `palimpsest add URL`, then run `palimpsest snapshot`"),
                );
            }
            versions
                .into_iter()
                .filter(|v| changes.is_empty() || v.changes.intersects(changes))
                .collect()
        }
        None => {
            // Filtered by the query, so that the limit counts only the changes asked for.
            let filter = Filter {
                changes,
                site: None,
            };
            let mut recent = archive
                .state()
                .recent_page(&filter, 0, args.limit)
                .map_err(ArchiveError::from)?;
            recent.reverse();
            recent
        }
    };
    match args.format {
        LogFormat::Json => {
            for v in &shown {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(v).expect("a version serializes")
                )?;
            }
        }
        LogFormat::Human => {
            for v in &shown {
                let changes: Vec<&str> = v.changes.iter().map(|c| c.as_str()).collect();
                let number = if args.url.is_some() {
                    format!("{:>3}  ", v.number)
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "{number}{}  {:<14} {}  {}",
                    format_time(&v.fetched_at),
                    changes.join(","),
                    &v.commit.to_string()[..10],
                    v.subject
                )?;
                if let Some(summary) = &v.summary {
                    writeln!(out, "     {summary}")?;
                }
                if args.url.is_none() {
                    writeln!(out, "     {}", v.url)?;
                }
            }
        }
    }
    Ok(())
}
