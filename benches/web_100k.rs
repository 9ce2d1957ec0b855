//! How fast the viewer renders its two busiest pages on a large archive: the front page (latest
//! changes) and an article page (timeline and current text).
//!
//! `cargo bench --bench web_100k -- [DIR] [ARTICLES]` builds, once, an archive of ARTICLES
//! synthetic articles (default 100,000, over 100 sites; every tenth article edited twice) in DIR
//! (default /tmp/palimpsest-bench-web), writing through the library's recorder in batches, then
//! times each page 30 times, with and without opening the archive (the server opens it for every
//! request). An existing archive in DIR is reused.

use palimpsest::archive::ChangeKind;
use palimpsest::archive::{Archive, Observation, Seen};
use palimpsest::normalize::Document;
use palimpsest::render::routes::Route;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SITES: usize = 100;

/// Article `i`: on one of [`SITES`] sites, in dated folders as news sites do (a few dozen
/// articles per folder).
fn url(i: usize) -> url::Url {
    let day = i / SITES / 30;
    url::Url::parse(&format!(
        "https://site{}.example/news/{}/{:02}/{:02}/{i}.html",
        i % SITES,
        2020 + day / 336,
        day / 28 % 12 + 1,
        day % 28 + 1,
    ))
    .expect("a valid URL")
}

/// A plausible article: a title and five paragraphs of three sentences; `edit` changes one
/// sentence.
fn document(i: usize, edit: usize) -> Document {
    let paragraphs = (0..5)
        .map(|p| {
            (0..3)
                .map(|s| {
                    let word = if p == 2 && s == 1 && edit > 0 {
                        format!("修改{edit}")
                    } else {
                        "报道".to_owned()
                    };
                    format!("第{i}篇文章第{p}段第{s}句，记者{word}了当地的经济数据和社会新闻。")
                })
                .collect()
        })
        .collect();
    Document {
        url: url(i).to_string(),
        title: format!("第{i}号新闻：经济观察"),
        byline: None,
        published: None,
        paragraphs,
    }
}

fn build(dir: &Path, articles: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut archive = Archive::init(dir)?;
    archive.lock(true)?;
    let start = Instant::now();
    let base = chrono::Utc::now() - chrono::Duration::days(30);
    let mut n = 0;
    archive.with_recorder(|recorder| {
        for round in 0..3 {
            for i in 0..articles {
                if round > 0 && i % 10 != 0 {
                    continue;
                }
                let doc = document(i, round);
                let raw = format!("<html><title>{}</title></html>", doc.title).into_bytes();
                n += 1;
                recorder.record(Observation {
                    url: url(i),
                    fetched_at: base + chrono::Duration::seconds(n),
                    http_status: 200,
                    seen: Seen::Page { document: doc, raw },
                    imported_from: None,
                    capture: None,
                })?;
                if n % 10_000 == 0 {
                    eprintln!("{n} versions recorded in {:.0?}", start.elapsed());
                }
            }
        }
        Ok(())
    })?;
    eprintln!("{n} versions recorded in {:.0?}", start.elapsed());
    Ok(())
}

fn time(label: &str, mut f: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            let bytes = f();
            assert!(bytes > 0);
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label:<44} median {:>7.2} ms   max {:>7.2} ms",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = PathBuf::from(
        args.first()
            .map_or("/tmp/palimpsest-bench-web", String::as_str),
    );
    let articles: usize = args.get(1).map_or(Ok(100_000), |a| a.parse())?;
    if !dir.join("palimpsest.toml").exists() {
        build(&dir, articles)?;
    }
    let start = Instant::now();
    let archive = Archive::open(&dir)?;
    eprintln!(
        "archive opened (and indexed if needed) in {:.0?}",
        start.elapsed()
    );
    let totals = archive.state().totals()?;
    println!(
        "archive: {} articles, {} versions, {}",
        totals.articles,
        totals.versions,
        dir.display()
    );
    let edited = palimpsest::archive::path::article_path(&url(articles / 2 / 10 * 10));
    let routes = [
        ("front page", Route::front()),
        (
            "body changes of one site",
            Route::Changes {
                filter: Some(ChangeKind::Body),
                site: Some("site7.example".into()),
                page: 1,
            },
        ),
        (
            "deleted changes (none here: a full scan)",
            Route::Changes {
                filter: Some(ChangeKind::Deleted),
                site: None,
                page: 1,
            },
        ),
        ("sites page", Route::Sites),
        (
            "article page (3 versions)",
            Route::Article {
                path: edited.clone(),
            },
        ),
        (
            "diff page",
            Route::Diff {
                path: edited,
                from: 1,
                to: 2,
            },
        ),
    ];
    for (label, route) in &routes {
        time(label, || {
            palimpsest::web::page(&archive, route)
                .expect("the page renders")
                .expect("the page exists")
                .body
                .len()
        });
        time(&format!("{label} + opening the archive"), || {
            let archive = Archive::open(&dir).expect("the archive opens");
            palimpsest::web::page(&archive, route)
                .expect("the page renders")
                .expect("the page exists")
                .body
                .len()
        });
    }
    Ok(())
}
