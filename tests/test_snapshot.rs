//! Snapshot runs against a local server: every kind of change, and what must never be one.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git, sample};
use std::time::Duration;

/// The article's file in the archive, as git sees it.
fn archived_path(env: &TestEnv) -> String {
    let files = env.git(&["ls-files", "*.txt"]);
    let mut lines = files.lines();
    let path = lines.next().expect("an archived article").to_owned();
    assert_eq!(lines.next(), None, "one article expected");
    path
}

#[test]
fn english_article_through_every_kind_of_change() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = server.url("/news/2026/03/bridge.html");

    server.set(
        "/news/2026/03/bridge.html",
        Response::html(sample("en-news/v1.html")),
    );
    let out = env.run(&["snapshot", "--host-delay", "0", &url]).success();
    assert!(out.stdout.starts_with("new "), "{out}");
    let path = archived_path(&env);
    assert_eq!(
        path,
        format!("127.0.0.1_{}/news/2026/03/bridge.html.txt", server.port)
    );
    assert_eq!(git::changes(&env.archive), ["new"]);
    git::assert_sound(&env.archive);

    // The archived bytes hash to the Content-Hash trailer, the raw bytes sit in the notes.
    let content_hash = env.git(&[
        "log",
        "-1",
        "--format=%(trailers:key=Content-Hash,valueonly)",
    ]);
    let archived = git::run_bytes(&env.archive, &["show", &format!("HEAD:{path}")]);
    assert_eq!(
        content_hash.trim(),
        format!("blake3:{}", blake3::hash(&archived).to_hex())
    );
    let raw = git::run_bytes(&env.archive, &["notes", "--ref=raw", "show", "HEAD"]);
    assert_eq!(raw, sample("en-news/v1.html"));
    let source_hash = env.git(&[
        "log",
        "-1",
        "--format=%(trailers:key=Source-Hash,valueonly)",
    ]);
    assert_eq!(
        source_hash.trim(),
        format!("blake3:{}", blake3::hash(&raw).to_hex())
    );
    assert_eq!(
        env.git(&[
            "log",
            "-1",
            "--format=%(trailers:key=Http-Status,valueonly)"
        ])
        .trim(),
        "200"
    );

    // Other ads, other related links: the same article, no commit.
    server.set(
        "/news/2026/03/bridge.html",
        Response::html(sample("en-news/v2.html")),
    );
    let before = env.commit_count();
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(
        env.commit_count(),
        before,
        "boilerplate changes must not be recorded"
    );

    // A stealth edit of one figure.
    server.set(
        "/news/2026/03/bridge.html",
        Response::html(sample("en-news/v3.html")),
    );
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body"]);
    let diff = env.run(&["diff", &url]).success();
    assert!(
        diff.stdout.contains("[-4,200-]") && diff.stdout.contains("{+6,800+}"),
        "{diff}"
    );

    // Retitled and edited.
    server.set(
        "/news/2026/03/bridge.html",
        Response::html(sample("en-news/v4.html")),
    );
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body", "title, body"]);
    let subject = env.git(&["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        "Title and body changed: Harbour bridge to close to cars after divided vote"
    );

    // Gone: a deletion that plain git can list.
    server.remove("/news/2026/03/bridge.html");
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(
        git::changes(&env.archive),
        ["new", "body", "title, body", "deleted"]
    );
    let deleted = env.git(&["log", "--diff-filter=D", "--format=%s", "--name-only"]);
    assert!(
        deleted.contains(&path) && deleted.contains("Deleted: Harbour bridge"),
        "{deleted}"
    );
    assert_eq!(env.git(&["ls-files", "*.txt"]), "");
    git::assert_sound(&env.archive);

    // Back, as it was: restored.
    server.set(
        "/news/2026/03/bridge.html",
        Response::html(sample("en-news/v4.html")),
    );
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(
        git::changes(&env.archive),
        ["new", "body", "title, body", "deleted", "restored"]
    );
    let follow = env.git(&["log", "--follow", "--format=%s", "--", &path]);
    assert_eq!(follow.lines().count(), 5, "{follow}");

    let log = env.run(&["log", &url, "--format", "json"]).success();
    let kinds: Vec<serde_json::Value> = log
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["changes"].clone())
        .collect();
    assert_eq!(kinds.len(), 5);
    assert_eq!(kinds[2], serde_json::json!(["title", "body"]));
    let show = env.run(&["show", &url, "--at", "1", "--raw"]).success();
    assert_eq!(show.stdout.as_bytes(), sample("en-news/v1.html"));
    let deletion = env.run(&["show", &url, "--at", "4"]).code(2);
    assert!(
        deletion.stderr.contains("deletion") && deletion.stderr.contains("--at 3"),
        "{deletion}"
    );
    git::assert_sound(&env.archive);
}

#[test]
fn server_errors_and_timeouts_record_nothing() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = server.url("/a.html");
    server.set("/a.html", Response::html(sample("en-news/v1.html")));
    env.run(&["snapshot", "--host-delay", "0", &url]).success();
    let before = env.commit_count();

    server.set("/a.html", Response::status(503));
    let out = env.run(&["snapshot", "--host-delay", "0", "--all"]).code(1);
    assert!(out.stderr.contains("HTTP 503"), "{out}");
    assert_eq!(env.commit_count(), before);

    // A server slower than the timeout.
    let config = std::fs::read_to_string(env.archive.join("palimpsest.toml")).unwrap();
    std::fs::write(
        env.archive.join("palimpsest.toml"),
        config.replace("timeout = 30", "timeout = 1"),
    )
    .unwrap();
    server.set(
        "/a.html",
        Response::html(sample("en-news/v3.html")).delayed(Duration::from_secs(3)),
    );
    let out = env.run(&["snapshot", "--host-delay", "0", "--all"]).code(1);
    assert!(out.stderr.contains("timed out"), "{out}");
    let status = env.run(&["status", "--format", "json"]).success();
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["failing"][0]["failures"], 2, "{status}");
    assert_eq!(status["failing"][0]["url"], url.as_str());
    // The settings change was committed, never a version.
    assert_eq!(git::changes(&env.archive), ["new"]);
    git::assert_sound(&env.archive);

    server.set("/a.html", Response::html(sample("en-news/v1.html")));
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    let status = env.run(&["status", "--format", "json"]).success();
    assert!(status.stdout.contains("\"failing\": []"), "{status}");
}

#[test]
fn chinese_pages_in_every_charset() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = server.url("/2026/0314/stats.shtml");
    let serve = |name: &str| server.set("/2026/0314/stats.shtml", Response::html(sample(name)));

    serve("zh-portal/v1.html");
    env.run(&["snapshot", "--host-delay", "0", &url]).success();
    let text = env.git(&["show", &format!("HEAD:{}", archived_path(&env))]);
    assert!(
        text.contains("title: 统计局：前两月工业增加值增长5.2%\n"),
        "{text}"
    );
    // One sentence per line, and no space inserted between CJK characters.
    assert!(
        text.contains(
            "\n分析人士指出，一些地方借机大势宣传所谓“开门红”，数据背后的结构性问题值得关注。\n"
        ),
        "{text}"
    );

    // No declaration, another sidebar: still GBK, still the same article.
    serve("zh-portal/v2.html");
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new"]);

    // UTF-8 that declares gb2312, with one character changed.
    serve("zh-portal/v3.html");
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body"]);
    let diff = env.run(&["diff", &url]).success();
    assert!(
        diff.stdout.contains("[-势-]") && diff.stdout.contains("{+肆+}"),
        "{diff}"
    );
    let word_diff = env.git(&[
        "log",
        "-1",
        "-p",
        "--word-diff=plain",
        "--word-diff-regex=.",
        "--format=",
    ]);
    assert!(word_diff.contains("[-势-]{+肆+}"), "{word_diff}");

    // GB18030, retitled, a sentence removed.
    serve("zh-portal/v4.html");
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body", "title, body"]);

    // A traditional-Chinese page in Big5, declared in the header only.
    let big5_url = server.url("/big5.html");
    let page = "<html><head><title>臺灣新聞</title></head><body><h1>行政院宣布新的經濟政策</h1>\
                <p>行政院今天宣布新的經濟政策，將擴大對中小企業的補助。官員表示，政策明年開始實施。</p></body></html>";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(page);
    assert!(!unmappable);
    server.set(
        "/big5.html",
        Response::with_type("text/html; charset=big5", big5.into_owned()),
    );
    env.run(&["snapshot", "--host-delay", "0", &big5_url])
        .success();
    let big5_text = env.run(&["show", &big5_url]).success().stdout;
    assert!(
        big5_text.contains(
            "\n行政院今天宣布新的經濟政策，將擴大對中小企業的補助。\n官員表示，政策明年開始實施。\n"
        ),
        "{big5_text}"
    );
    git::assert_sound(&env.archive);
}

#[test]
fn mirror_wrapping_is_noise() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = server.url("/pages/p5/20260314.md");
    let serve = |name: &str| {
        server.set(
            "/pages/p5/20260314.md",
            Response::with_type("text/plain; charset=utf-8", sample(name)),
        )
    };
    serve("mirror/v1.md");
    env.run(&["snapshot", "--host-delay", "0", &url]).success();
    let text = env.run(&["show", &url]).success().stdout;
    // A space the headline itself has between two CJK phrases is kept (folded to one).
    assert!(
        text.contains("title: 土地出让收入大幅下降 地方债务压力上升\n"),
        "{text}"
    );
    for noise in ["首页", "翻墙", "禁书", "原文地址", "203.0.113.7", "长按"] {
        assert!(
            !text.contains(noise),
            "mirror wrapping {noise:?} leaked into:\n{text}"
        );
    }
    serve("mirror/v2.md");
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(
        git::changes(&env.archive),
        ["new"],
        "promo and proxy rewrites must not be recorded"
    );
    serve("mirror/v3.md");
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body"]);
}

#[test]
fn local_files_and_file_urls_are_articles_too() {
    let env = TestEnv::new();
    let page = env.write_file("page.html", &sample("en-news/v1.html"));
    let file_url = url::Url::from_file_path(&page).unwrap().to_string();
    env.run(&["snapshot", "--host-delay", "0", page.to_str().unwrap()])
        .success();
    env.write_file("page.html", &sample("en-news/v3.html"));
    env.run(&["snapshot", "--host-delay", "0", &file_url])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body"]);
    let tracked = std::fs::read_to_string(env.archive.join("palimpsest.toml")).unwrap();
    assert_eq!(tracked.matches(&file_url).count(), 1, "{tracked}");
}

/// Regression (issue 14): `log --change` without a URL took the latest `--limit` versions and
/// then filtered them, so it printed nothing when none of those was of the kind asked for.
#[test]
fn log_change_finds_changes_older_than_the_limit() {
    let env = TestEnv::new();
    let files: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|name| {
            let page = env.write_file(&format!("{name}.html"), &sample("en-news/v1.html"));
            page.to_str().unwrap().to_owned()
        })
        .collect();
    let snapshot = |paths: &[&String]| {
        let mut args = vec!["snapshot", "--host-delay", "0"];
        args.extend(paths.iter().map(|p| p.as_str()));
        env.run(&args).success();
    };
    snapshot(&files.iter().collect::<Vec<_>>());
    // Retitled (and edited), then two body edits that are newer.
    env.write_file("a.html", &sample("en-news/v4.html"));
    snapshot(&[&files[0]]);
    env.write_file("b.html", &sample("en-news/v3.html"));
    env.write_file("c.html", &sample("en-news/v3.html"));
    snapshot(&[&files[1], &files[2]]);

    let log = env
        .run(&[
            "log", "--change", "title", "--limit", "2", "--format", "json",
        ])
        .success();
    let shown: Vec<serde_json::Value> = log
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(shown.len(), 1, "{log}");
    assert_eq!(shown[0]["changes"], serde_json::json!(["title", "body"]));
    assert!(
        shown[0]["url"].as_str().unwrap().ends_with("/a.html"),
        "{log}"
    );
    // Numbered within its article, as the versions of one article are.
    assert_eq!(shown[0]["number"], 2, "{log}");

    // Several kinds are any of them: the newest two that are new or title changes.
    let log = env
        .run(&[
            "log", "--change", "new", "--change", "title", "--limit", "2", "--format", "json",
        ])
        .success();
    let changes: Vec<serde_json::Value> = log
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["changes"].clone())
        .collect();
    assert_eq!(
        changes,
        [
            serde_json::json!(["new"]),
            serde_json::json!(["title", "body"])
        ],
        "{log}"
    );
}
