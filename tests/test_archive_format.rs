//! The archive is a contract: file layout, settings file, and the views of plain git.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git, sample};

#[test]
fn article_file_is_a_header_then_one_sentence_per_line() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = server.url("/bridge");
    server.set("/bridge", Response::html(sample("en-news/v3.html")));
    env.run(&["snapshot", "--host-delay", "0", &url]).success();
    let text = env.run(&["show", &url]).success().stdout;
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(format!("url: {url}").as_str()));
    assert_eq!(
        lines.next(),
        Some("title: Council votes to close harbour bridge to cars")
    );
    assert!(text.contains("\n\nShop owners on Quay Street said the closure would cut them off from customers on the east bank.\nA petition against the plan has gathered 6,800 signatures.\n"), "{text}");
    for noise in [
        "Advertisement",
        "cookies",
        "Share on",
        "Ferry fares",
        "All rights reserved",
        "dataLayer",
    ] {
        assert!(!text.contains(noise), "{noise:?} leaked into\n{text}");
    }
    let ignore = std::fs::read_to_string(env.archive.join(".gitignore")).unwrap();
    assert_eq!(ignore, "/.palimpsest/\n");
    assert!(env.archive.join(".palimpsest/state.db").exists());
}

#[test]
fn diff_formats() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = server.url("/bridge");
    server.set("/bridge", Response::html(sample("en-news/v1.html")));
    env.run(&["snapshot", "--host-delay", "0", &url]).success();
    server.set("/bridge", Response::html(sample("en-news/v4.html")));
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();

    let unified = env
        .run(&["diff", &url, "1", "2", "--format", "unified"])
        .success()
        .stdout;
    assert!(unified.contains("\n-title: Council votes to close harbour bridge to cars\n+title: Harbour bridge to close to cars after divided vote\n"), "{unified}");
    assert!(
        unified.contains("\n+The vote passed by nine votes to four.\n"),
        "{unified}"
    );

    let json = env
        .run(&["diff", &url, "--format", "json"])
        .success()
        .stdout;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(report["title"].is_object(), "{report}");

    let human = env.run(&["diff", &url, "1"]).success().stdout;
    let title_line = human
        .lines()
        .position(|l| l.starts_with("@@ title @@"))
        .expect("title change shown");
    assert!(
        human
            .lines()
            .skip(title_line)
            .any(|l| l.contains("nine votes")),
        "{human}"
    );
    // No colour when stdout is not a terminal, even when asked by the environment.
    assert!(!human.contains('\x1b'), "{human}");
    let forced = env
        .run(&["--color", "always", "diff", &url])
        .success()
        .stdout;
    assert!(forced.contains('\x1b'), "{forced}");

    // Versions by commit id and by date name the same thing as by number.
    let commit = env.git(&["log", "-1", "--format=%H"]);
    let by_commit = env
        .run(&["show", &url, "--at", &commit.trim()[..10]])
        .success()
        .stdout;
    let by_number = env.run(&["show", &url, "--at", "2"]).success().stdout;
    let by_date = env
        .run(&["show", &url, "--at", "2999-01-01"])
        .success()
        .stdout;
    assert_eq!(by_commit, by_number);
    assert_eq!(by_date, by_number);
}

#[test]
fn settings_edited_by_hand_are_committed_before_the_next_run() {
    let env = TestEnv::new();
    let path = env.archive.join("palimpsest.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{text}\n[sites.\"news.example.com\"]\nbody = \"article\"\n"),
    )
    .unwrap();
    let page = env.write_file("p.html", &sample("en-news/v1.html"));
    env.run(&["snapshot", "--host-delay", "0", page.to_str().unwrap()])
        .success();
    let subjects = env.git(&["log", "--format=%s"]);
    assert!(subjects.contains("Update palimpsest.toml"), "{subjects}");
    git::assert_sound(&env.archive);

    std::fs::write(&path, "articles = 3\n").unwrap();
    let out = env.run(&["snapshot", "--host-delay", "0", "--all"]).code(3);
    assert!(out.stderr.contains("palimpsest.toml is not valid"), "{out}");
}
