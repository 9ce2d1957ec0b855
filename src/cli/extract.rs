//! `palimpsest extract`: shows what palimpsest reads in pages, through the same
//! [`palimpsest::page::read`] that `snapshot` archives with.

use flate2::bufread::GzDecoder;
use palimpsest::config::{self, Config, MAX_PAGE_BYTES};
use palimpsest::error_line;
use palimpsest::extract::SiteRules;
use palimpsest::fetch::Fetcher;
use palimpsest::page::{self, Page};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use url::Url;

/// Show the title, metadata and body text palimpsest reads in pages
///
/// Each input is a file (gzipped files ending in .gz are read transparently) or an http(s) URL.
/// A failing input is reported on stderr and the others are still read; the exit status is 1 if
/// any failed.
#[derive(clap::Args, Debug)]
pub struct ExtractArgs {
    /// Print one JSON object per input per line: source, title, byline, published, lang,
    /// encoding, body
    #[arg(long)]
    pub json: bool,
    /// Read site rules from this file (default: palimpsest.toml in the current directory, if any)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Files or http(s) URLs to read
    #[arg(required = true, value_name = "FILE|URL")]
    pub inputs: Vec<String>,
}

/// Why `extract` failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{failed} of {total} inputs could not be read")]
    InputsFailed { failed: usize, total: usize },
    #[error("could not use the settings in {path}")]
    Config {
        path: String,
        source: config::ConfigError,
    },
    #[error("could not read {path}")]
    ConfigRead {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One line of `extract --json`.
#[derive(serde::Serialize)]
struct JsonLine<'a> {
    source: &'a str,
    title: &'a str,
    byline: Option<&'a str>,
    published: Option<&'a str>,
    lang: Option<&'a str>,
    encoding: &'static str,
    body: String,
}

pub fn run(args: &ExtractArgs, out: &mut dyn Write) -> Result<(), ExtractError> {
    let rules = site_rules(args.config.as_deref())?;
    let fetcher = Fetcher::new(&Default::default());
    let mut failed = 0;
    for source in &args.inputs {
        match read_input(source, &fetcher, &rules) {
            Ok(page) => write_page(out, source, &page, args.json)?,
            Err(message) => {
                failed += 1;
                eprintln!("Error: {source}: {message}");
            }
        }
    }
    if failed > 0 {
        return Err(ExtractError::InputsFailed {
            failed,
            total: args.inputs.len(),
        });
    }
    Ok(())
}

fn site_rules(path: Option<&Path>) -> Result<SiteRules, ExtractError> {
    let default = Path::new(config::FILE_NAME);
    let path = match path {
        Some(p) => p,
        None if default.is_file() => default,
        None => return Ok(SiteRules::default()),
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ExtractError::ConfigRead {
        path: shown.clone(),
        source,
    })?;
    Config::parse(&text)
        .and_then(|c| SiteRules::new(&c.sites))
        .map_err(|source| ExtractError::Config {
            path: shown,
            source,
        })
}

/// Reads one input into a page; the error is the message to show.
fn read_input(source: &str, fetcher: &Fetcher, rules: &SiteRules) -> Result<Page, String> {
    let remote = Url::parse(source)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    if let Some(url) = remote {
        let fetched = fetcher
            .fetch(&url, &Default::default())
            .map_err(|e| error_line(&e))?;
        if !(200..300).contains(&fetched.status) {
            return Err(format!("HTTP status {}", fetched.status));
        }
        return page::read(
            &fetched.body,
            fetched.content_type.as_deref(),
            &fetched.final_url,
            rules,
        )
        .map_err(|e| error_line(&e));
    }
    let path = Path::new(source);
    let bytes = read_file(path).map_err(|e| error_line(&e))?;
    let absolute = std::path::absolute(path).map_err(|e| error_line(&e))?;
    let url = Url::from_file_path(&absolute)
        .map_err(|()| format!("cannot make a file:// URL of {}", absolute.display()))?;
    page::read(&bytes, None, &url, rules).map_err(|e| error_line(&e))
}

/// Reads a file, gunzipping `.gz`, refusing more than [`MAX_PAGE_BYTES`] so a compression bomb
/// cannot exhaust memory.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let limit = MAX_PAGE_BYTES as u64 + 1;
    // Buffers sized up front rather than grown again and again.
    let read = |reader: &mut dyn Read, size: u64| {
        let mut bytes = Vec::with_capacity(size.min(limit) as usize);
        reader.take(limit).read_to_end(&mut bytes).map(|_| bytes)
    };
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let bytes = read(&mut &file, size)?;
    if path.extension().is_none_or(|e| e != "gz") {
        return Ok(bytes);
    }
    // The gzip trailer gives the size (modulo 4 GiB).
    let size = bytes
        .last_chunk::<4>()
        .map_or(0, |s| u32::from_le_bytes(*s));
    read(&mut GzDecoder::new(bytes.as_slice()), u64::from(size))
}

fn write_page(out: &mut dyn Write, source: &str, page: &Page, json: bool) -> std::io::Result<()> {
    let doc = &page.document;
    let lang = page.article.lang.as_deref();
    if json {
        let line = JsonLine {
            source,
            title: &doc.title,
            byline: doc.byline.as_deref(),
            published: doc.published.as_deref(),
            lang,
            encoding: page.encoding.name(),
            body: doc.body_text(),
        };
        serde_json::to_writer(&mut *out, &line)?;
        return writeln!(out);
    }
    writeln!(out, "source: {source}")?;
    writeln!(
        out,
        "encoding: {} ({})",
        page.encoding.name(),
        evidence_word(page.evidence)
    )?;
    if let Some(lang) = lang {
        writeln!(out, "lang: {lang}")?;
    }
    out.write_all(&doc.to_bytes())?;
    writeln!(out)
}

fn evidence_word(evidence: palimpsest::decode::Evidence) -> &'static str {
    use palimpsest::decode::Evidence;
    match evidence {
        Evidence::Bom => "byte-order mark",
        Evidence::Header => "HTTP header",
        Evidence::Meta => "<meta> declaration",
        Evidence::Detected => "detected",
        Evidence::Repaired => "repaired mojibake",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};

    const PAGE: &str = "<html lang=en><title>Budget passes | The Daily</title><body>\
        <h1>Budget passes</h1><p>The council approved the budget on Monday, after a long \
        debate, and the mayor said the vote would stand.</p></body></html>";

    #[test]
    fn reads_plain_and_gzipped_files_and_reports_failures() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.html");
        std::fs::write(&plain, PAGE).unwrap();
        let gz = dir.path().join("b.html.gz");
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        std::io::Write::write_all(&mut encoder, PAGE.as_bytes()).unwrap();
        std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
        let missing = dir.path().join("missing.html");
        let args = ExtractArgs {
            json: true,
            config: None,
            inputs: [&plain, &missing, &gz]
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
        };
        let mut out = Vec::new();
        let result = run(&args, &mut out);
        assert!(
            matches!(
                result,
                Err(ExtractError::InputsFailed {
                    failed: 1,
                    total: 3
                })
            ),
            "{result:?}"
        );
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        for line in &lines {
            assert_eq!(line["title"], "Budget passes");
            assert_eq!(line["encoding"], "UTF-8");
            assert_eq!(line["lang"], "en");
            assert!(
                line["body"]
                    .as_str()
                    .unwrap()
                    .starts_with("The council approved")
            );
        }
        assert_eq!(lines[1]["source"], gz.display().to_string());
    }
}
