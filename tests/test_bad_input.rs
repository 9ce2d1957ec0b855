//! Bad input gets a clear one-line error and a documented exit status, and commits nothing.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git, sample};

/// Runs `palimpsest args`, expects exit `code` and no new commit; returns stderr.
#[track_caller]
fn fails_cleanly(env: &TestEnv, args: &[&str], code: i32) -> String {
    let before = env.commit_count();
    let out = env.run(args).code(code);
    assert_eq!(
        env.commit_count(),
        before,
        "a failing command committed something:\n{out}"
    );
    assert!(out.stderr.starts_with("Error: "), "{out}");
    git::assert_sound(&env.archive);
    out.stderr
}

#[test]
fn invalid_urls_are_usage_errors() {
    let env = TestEnv::new();
    for bad in [
        "not a url",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "https://user:pw@example.com/",
    ] {
        let err = fails_cleanly(&env, &["snapshot", "--host-delay", "0", bad], 2);
        assert_eq!(
            err.lines().filter(|l| l.starts_with("Error:")).count(),
            1,
            "{err}"
        );
        fails_cleanly(&env, &["add", bad], 2);
    }
}

#[test]
fn unreachable_host_is_reported_per_url() {
    let env = TestEnv::new();
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/a.html");
    let err = fails_cleanly(&env, &["snapshot", "--host-delay", "0", &url], 1);
    // One line for the URL, its causes joined on it, the host named.
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with(&format!("Error: {url}: ")))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains(&format!(
            "could not connect to 127.0.0.1:{port}: Connection refused"
        )),
        "{err}"
    );
    let tracked = std::fs::read_to_string(env.archive.join("palimpsest.toml")).unwrap();
    assert!(
        !tracked.contains(&port.to_string()),
        "a URL that never archived must not be tracked"
    );
}

#[test]
fn the_command_error_is_printed_once_with_its_causes_and_hints() {
    let env = TestEnv::new();
    std::fs::write(env.archive.join("palimpsest.toml"), "articles = 3\n").unwrap();
    let err = env.run(&["status"]).code(3).stderr;
    let head = "Error: palimpsest.toml is not valid\n\
                Caused by:\n\
                1: TOML parse error at line 1, column 12\n";
    assert!(err.starts_with(head), "{err}");
    assert_eq!(err.matches("expected a sequence").count(), 1, "{err}");
    assert!(
        err.ends_with("\nHint: fix palimpsest.toml in the archive, then run the command again\n"),
        "{err}"
    );
}

#[test]
fn non_html_binary_and_oversized_pages_are_refused() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/image.png",
        Response::with_type("image/png", b"\x89PNG\r\n\x1a\n\0\0\0".to_vec()),
    );
    let err = fails_cleanly(
        &env,
        &["snapshot", "--host-delay", "0", &server.url("/image.png")],
        1,
    );
    assert!(
        err.contains("not an HTML or text page (Content-Type: image/png)"),
        "{err}"
    );

    server.set(
        "/binary.html",
        Response::html(b"<html>\0\0\0\x01\x02</html>".to_vec()),
    );
    let err = fails_cleanly(
        &env,
        &["snapshot", "--host-delay", "0", &server.url("/binary.html")],
        1,
    );
    assert!(err.contains("binary content"), "{err}");

    let config = std::fs::read_to_string(env.archive.join("palimpsest.toml")).unwrap();
    let config = config
        .lines()
        .map(|l| {
            if l.starts_with("max_bytes") {
                "max_bytes = 1000"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(env.archive.join("palimpsest.toml"), config).unwrap();
    env.git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qam",
        "Lower the size limit",
    ]);
    server.set("/big.html", Response::html(sample("en-news/v1.html")));
    let err = fails_cleanly(
        &env,
        &["snapshot", "--host-delay", "0", &server.url("/big.html")],
        1,
    );
    assert!(err.contains("larger than the 1000-byte limit"), "{err}");
}

#[test]
fn never_archived_404_is_an_error_not_a_deletion() {
    let env = TestEnv::new();
    let server = Server::start();
    let err = fails_cleanly(
        &env,
        &[
            "snapshot",
            "--host-delay",
            "0",
            &server.url("/nothing.html"),
        ],
        1,
    );
    assert!(
        err.contains("HTTP 404: not found, and never archived"),
        "{err}"
    );
}

#[test]
fn missing_archive_and_missing_versions() {
    let env = TestEnv::bare();
    for args in [
        &["log"][..],
        &["status"],
        &["snapshot", "--host-delay", "0", "--all"],
        &["add", "https://example.com/"],
    ] {
        let out = env.run(args).code(3);
        assert!(out.stderr.starts_with("Error: no archive at "), "{out}");
        assert!(out.stderr.contains("Hint: "), "{out}");
    }
    assert!(
        !env.archive.exists(),
        "a named archive is never created implicitly"
    );

    let env = TestEnv::new();
    let out = env.run(&["diff", "https://example.com/never.html"]).code(2);
    assert!(
        out.stderr
            .contains("no versions of https://example.com/never.html"),
        "{out}"
    );
    let out = env.run(&["init", env.archive.to_str().unwrap()]).code(3);
    assert!(out.stderr.contains("not empty"), "{out}");
}

#[test]
fn default_archive_is_created_on_first_use() {
    let env = TestEnv::bare();
    let page = env.write_file("page.html", &sample("en-news/v1.html"));
    let out = env
        .command()
        .env_remove("PALIMPSEST_ARCHIVE")
        .args(["snapshot", page.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let default = env.dir.path().join(".local/share/palimpsest/archive");
    assert_eq!(git::changes(&default), ["new"]);
}

#[test]
fn hostile_urls_stay_inside_the_archive() {
    let env = TestEnv::new();
    let server = Server::start();
    let long = format!("/{}", "x".repeat(3000));
    let paths = [
        "/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fescape",
        "/a%5c..%5c..%5cwin",
        "/.git/config",
        "/%00nul",
        "/%E2%80%AE%E2%80%8Bbidi",
        "/ｅｘａｍｐｌｅ/全角",
        long.as_str(),
        "/q?id=1&utm_source=x",
    ];
    for path in paths {
        // Serve the page where the canonical URL (dot segments resolved) points.
        let canonical = palimpsest::source::canonical_url(&server.url(path)).unwrap();
        server.set(
            &canonical[url::Position::BeforePath..url::Position::AfterQuery],
            Response::html(sample("en-news/v1.html")),
        );
        env.run(&["snapshot", "--host-delay", "0", &server.url(path)])
            .success();
    }
    let files = env.git(&["-c", "core.quotePath=false", "ls-files"]);
    assert_eq!(
        files.lines().filter(|f| f.ends_with(".txt")).count(),
        paths.len(),
        "{files}"
    );
    for file in files.lines() {
        assert!(
            file == "palimpsest.toml"
                || file == ".gitignore"
                || file.starts_with(&format!("127.0.0.1_{}/", server.port)),
            "{file}"
        );
        assert!(file.len() < 300, "{file}");
    }
    // Nothing was written next to the archive.
    let siblings: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, ["archive"], "{siblings:?}");
    git::assert_sound(&env.archive);
}
