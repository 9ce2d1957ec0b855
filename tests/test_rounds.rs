//! A scripted run of 50 pages over 4 rounds: exactly the expected commits, trailers and files.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git};
use std::collections::BTreeMap;

fn page(title: &str, body: &[String], ad: usize) -> Vec<u8> {
    let paragraphs: String = body.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<html><head><title>{title}</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>\
         <article><h1>{title}</h1>\n{paragraphs}</article>\
         <div class=\"ad\">Advertisement number {ad}</div>\
         <footer><p>Copyright Example News</p></footer></body></html>"
    )
    .into_bytes()
}

#[derive(Clone)]
struct Article {
    title: String,
    body: Vec<String>,
}

impl Article {
    fn new(i: usize) -> Article {
        Article {
            title: format!("Report number {i} on the regional budget"),
            body: (0..4)
                .map(|p| format!("Paragraph {p} of report {i} describes the budget in detail. It has a second sentence about spending."))
                .collect(),
        }
    }
}

#[test]
fn fifty_pages_four_rounds() {
    let env = TestEnv::new();
    let server = Server::start();
    let mut articles: Vec<Article> = (0..50).map(Article::new).collect();
    let path = |i: usize| format!("/news/{i}.html");
    let serve_all = |articles: &[Article], round: usize, gone: &[usize]| {
        for (i, a) in articles.iter().enumerate() {
            if gone.contains(&i) {
                server.remove(&path(i));
            } else {
                server.set(
                    &path(i),
                    Response::html(page(&a.title, &a.body, round * 100 + i)),
                );
            }
        }
    };
    let urls: Vec<String> = (0..50).map(|i| server.url(&path(i))).collect();
    let mut add = vec!["add".to_owned()];
    add.extend(urls.iter().cloned());
    env.run(&add.iter().map(String::as_str).collect::<Vec<_>>())
        .success();

    let mut expected: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    // Round 1: everything is new.
    serve_all(&articles, 1, &[]);
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    for i in 0..50 {
        expected.entry(i).or_default().push("new");
    }
    // Round 2: 10 body edits, 5 retitles, every ad different.
    for (i, article) in articles.iter_mut().enumerate().take(10) {
        article.body[1] =
            format!("Paragraph 1 of report {i} was corrected. The figures were revised.");
        expected.get_mut(&i).unwrap().push("body");
    }
    for (i, article) in articles.iter_mut().enumerate().take(15).skip(10) {
        article.title = format!("Budget report {i} revised");
        expected.get_mut(&i).unwrap().push("title");
    }
    serve_all(&articles, 2, &[]);
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    // Round 3: one article disappears, 5 get title and body changes.
    for (i, article) in articles.iter_mut().enumerate().take(25).skip(20) {
        article.title = format!("Budget report {i}: new figures");
        article
            .body
            .push("An update was added at the end.".to_owned());
        expected.get_mut(&i).unwrap().push("title, body");
    }
    expected.get_mut(&30).unwrap().push("deleted");
    serve_all(&articles, 3, &[30]);
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    // Round 4: it comes back unchanged; one more edit; nothing else changes.
    expected.get_mut(&30).unwrap().push("restored");
    articles[40].body[3] = "Paragraph 3 now says something else entirely.".to_owned();
    expected.get_mut(&40).unwrap().push("body");
    serve_all(&articles, 4, &[]);
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();

    // Compare with what git says, file by file.
    let mut recorded: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let log = env.git(&["log", "--reverse", "--format=%(trailers:key=Url,valueonly,separator=)|%(trailers:key=Change,valueonly,separator=)"]);
    for line in log
        .lines()
        .filter(|l| l.contains('|') && !l.starts_with('|'))
    {
        let (url, change) = line.split_once('|').unwrap();
        let i = urls
            .iter()
            .position(|u| u == url)
            .unwrap_or_else(|| panic!("unknown Url trailer {url}"));
        recorded.entry(i).or_default().push(change.to_owned());
    }
    let expected: BTreeMap<usize, Vec<String>> = expected
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(str::to_owned).collect()))
        .collect();
    assert_eq!(recorded, expected);
    let versions: usize = expected.values().map(Vec::len).sum();
    let commits = env.commit_count();
    // The versions, the archive's creation and the one commit that tracked the 50 URLs.
    assert_eq!(commits, versions + 2);
    assert_eq!(env.git(&["ls-files", "*.txt"]).lines().count(), 50);

    // Every version's file hashes to its Content-Hash trailer.
    let hashes = env.git(&[
        "log",
        "--format=%H %(trailers:key=Content-Hash,valueonly,separator=)",
    ]);
    let mut checked = 0;
    for line in hashes.lines() {
        let Some((commit, hash)) = line.split_once(' ') else {
            continue;
        };
        if hash.is_empty() {
            continue;
        }
        let file = env.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", commit]);
        let bytes = git::run_bytes(
            &env.archive,
            &["show", &format!("{commit}:{}", file.trim())],
        );
        assert_eq!(
            hash,
            format!("blake3:{}", blake3::hash(&bytes).to_hex()),
            "{commit}"
        );
        checked += 1;
    }
    assert_eq!(
        checked,
        versions - 1,
        "every version but the deletion has a Content-Hash"
    );
    git::assert_sound(&env.archive);
}
