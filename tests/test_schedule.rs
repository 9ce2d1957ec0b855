//! Which articles a run checks, and how politely: schedule, conditional requests, robots.txt,
//! the run lock.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git, sample};
use std::time::Duration;

fn summary(out: &str) -> serde_json::Value {
    serde_json::from_str(out.lines().last().unwrap_or("{}")).unwrap()
}

#[test]
fn only_due_articles_are_checked() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set("/a", Response::html(sample("en-news/v1.html")));
    server.set("/b", Response::html(sample("zh-portal/v1.html")));
    env.run(&["add", &server.url("/a"), &server.url("/b")])
        .success();

    let first = env
        .run(&["snapshot", "--host-delay", "0", "--json"])
        .success();
    assert_eq!(summary(&first.stdout)["new"], 2, "{first}");
    // Just checked: nothing is due.
    let second = env
        .run(&["snapshot", "--host-delay", "0", "--json"])
        .success();
    assert_eq!(summary(&second.stdout)["due"], 0, "{second}");
    // A newly tracked article is due at once; --max bounds a run.
    server.set("/c", Response::html(sample("en-news/v3.html")));
    server.set("/d", Response::html(sample("en-news/v4.html")));
    env.run(&["add", &server.url("/c"), &server.url("/d")])
        .success();
    let third = env
        .run(&["snapshot", "--host-delay", "0", "--json", "--max", "1"])
        .success();
    assert_eq!(summary(&third.stdout)["due"], 1, "{third}");
    assert_eq!(summary(&third.stdout)["new"], 1, "{third}");
    let all = env
        .run(&["snapshot", "--host-delay", "0", "--json", "--all"])
        .success();
    assert_eq!(summary(&all.stdout)["checked"], 4, "{all}");
    assert_eq!(summary(&all.stdout)["new"], 1, "{all}");
}

#[test]
fn unchanged_etag_costs_a_304() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/a",
        Response::html(sample("en-news/v1.html")).with_header("ETag", "\"v1\""),
    );
    env.run(&["snapshot", "--host-delay", "0", &server.url("/a")])
        .success();
    assert!(server.take_log().contains(&("/a".to_owned(), 200)));
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert!(
        server.take_log().contains(&("/a".to_owned(), 304)),
        "the second fetch must be conditional"
    );
    // A new ETag with new text is a change.
    server.set(
        "/a",
        Response::html(sample("en-news/v3.html")).with_header("ETag", "\"v3\""),
    );
    env.run(&["snapshot", "--host-delay", "0", "--all"])
        .success();
    assert_eq!(git::changes(&env.archive), ["new", "body"]);
}

#[test]
fn robots_txt_is_honoured() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/robots.txt",
        Response::with_type("text/plain", "User-agent: *\nDisallow: /private/\n"),
    );
    server.set("/private/a", Response::html(sample("en-news/v1.html")));
    server.set("/public/a", Response::html(sample("en-news/v1.html")));
    let out = env
        .run(&[
            "snapshot",
            "--host-delay",
            "0",
            &server.url("/private/a"),
            &server.url("/public/a"),
        ])
        .code(1);
    assert!(
        out.stderr.contains("robots.txt of 127.0.0.1") && out.stderr.contains("disallows"),
        "{out}"
    );
    assert_eq!(git::changes(&env.archive), ["new"]);
    let fetched: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        fetched.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "{fetched:?}"
    );
    assert!(!fetched.contains(&"/private/a".to_owned()), "{fetched:?}");
}

#[test]
fn one_run_at_a_time() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/slow",
        Response::html(sample("en-news/v1.html")).delayed(Duration::from_secs(3)),
    );
    let mut first = env
        .command()
        .args(["snapshot", "--host-delay", "0", &server.url("/slow")])
        .spawn()
        .unwrap();
    // Wait until the first run holds the lock (it is fetching the slow page).
    while !server.take_log().iter().any(|(p, _)| p == "/robots.txt") {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = env.run(&["snapshot", "--host-delay", "0", "--all"]).code(3);
    assert!(
        second
            .stderr
            .contains("another palimpsest command is writing"),
        "{second}"
    );
    assert!(second.stderr.contains("--wait"), "{second}");
    let waited = env
        .run(&["snapshot", "--host-delay", "0", "--all", "--wait"])
        .success();
    assert!(first.wait().unwrap().success());
    assert!(waited.stderr.contains("Checked 1 articles"), "{waited}");
    assert_eq!(git::changes(&env.archive), ["new"]);
    git::assert_sound(&env.archive);
}

#[test]
fn feeds_and_index_pages_bring_new_articles() {
    let env = TestEnv::new();
    let server = Server::start();
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title>\
         <item><title>One</title><link>{}</link></item>\
         <item><title>Two</title><link>{}</link></item></channel></rss>",
        server.url("/news/1.html"),
        server.url("/news/2.html?utm_source=rss")
    );
    server.set("/rss.xml", Response::with_type("application/rss+xml", rss));
    server.set(
        "/world/",
        Response::html("<html><body><a href=\"/about\">About</a> <a href=\"2026/3.html\">Three</a> <a href=\"/news/1.html\">One</a></body></html>"),
    );
    for (i, page) in [(1, "en-news/v1.html"), (2, "zh-portal/v1.html")] {
        server.set(&format!("/news/{i}.html"), Response::html(sample(page)));
    }
    server.set(
        "/world/2026/3.html",
        Response::html(sample("en-news/v3.html")),
    );
    env.run(&["add", "--feed", &server.url("/rss.xml")])
        .success();
    env.run(&[
        "add",
        "--feed",
        &server.url("/world/"),
        "--links",
        r"/\d{4}/\d+\.html$",
    ])
    .success();
    let first = env
        .run(&["snapshot", "--host-delay", "0", "--json"])
        .success();
    assert_eq!(summary(&first.stdout)["new"], 3, "{first}");
    let tracked = std::fs::read_to_string(env.archive.join("palimpsest.toml")).unwrap();
    assert!(
        tracked.contains(&server.url("/news/2.html\"")),
        "tracking parameters are dropped: {tracked}"
    );
    assert!(!tracked.contains("/about"), "{tracked}");
    // The feed lists nothing new: nothing more is tracked.
    let second = env
        .run(&["snapshot", "--host-delay", "0", "--json", "--all"])
        .success();
    assert_eq!(summary(&second.stdout)["checked"], 3, "{second}");
    let bad = env
        .run(&["add", "--feed", &server.url("/x"), "--links", "("])
        .code(2);
    assert!(
        bad.stderr.contains("not a valid regular expression"),
        "{bad}"
    );
}

fn rss(links: &[String]) -> Response {
    let items: String = links
        .iter()
        .map(|l| format!("<item><title>Item</title><link>{l}</link></item>"))
        .collect();
    Response::with_type(
        "application/rss+xml",
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title>{items}</channel></rss>"
        ),
    )
}

#[test]
fn a_feed_robots_txt_disallows_is_not_fetched() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/robots.txt",
        Response::with_type("text/plain", "User-agent: *\nDisallow: /private/\n"),
    );
    server.set("/private/rss.xml", rss(&[server.url("/news/1.html")]));
    server.set("/rss.xml", rss(&[server.url("/news/2.html")]));
    server.set("/news/1.html", Response::html(sample("en-news/v1.html")));
    server.set("/news/2.html", Response::html(sample("zh-portal/v1.html")));
    for feed in ["/private/rss.xml", "/rss.xml"] {
        env.run(&["add", "--feed", &server.url(feed)]).success();
    }
    let out = env.run(&["snapshot", "--host-delay", "0"]).code(1);
    let line = format!(
        "Error: feed {}: robots.txt of 127.0.0.1:{} disallows",
        server.url("/private/rss.xml"),
        server.port
    );
    assert!(out.stderr.contains(&line), "{out}");
    let fetched: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert!(
        !fetched.contains(&"/private/rss.xml".to_owned()),
        "{fetched:?}"
    );
    assert_eq!(fetched.iter().filter(|p| *p == "/robots.txt").count(), 1);
    let tracked = std::fs::read_to_string(env.archive.join("palimpsest.toml")).unwrap();
    assert!(tracked.contains(&server.url("/news/2.html")), "{tracked}");
    assert!(!tracked.contains(&server.url("/news/1.html")), "{tracked}");
}

#[test]
fn feed_requests_keep_to_the_host_limits_as_article_requests_do() {
    let env = TestEnv::new();
    let server = Server::start();
    let delay = Duration::from_millis(500);
    let slow = Duration::from_millis(100);
    server.set(
        "/robots.txt",
        Response::with_type("text/plain", "User-agent: *\nAllow: /\n").delayed(slow),
    );
    let articles: Vec<String> = (1..=2)
        .map(|i| server.url(&format!("/news/{i}.html")))
        .collect();
    server.set("/a.xml", rss(&articles[..1]).delayed(slow));
    server.set("/b.xml", rss(&articles[1..]).delayed(slow));
    for (i, page) in [(1, "en-news/v1.html"), (2, "zh-portal/v1.html")] {
        let response = Response::html(sample(page)).delayed(slow);
        server.set(&format!("/news/{i}.html"), response);
    }
    for feed in ["/a.xml", "/b.xml"] {
        env.run(&["add", "--feed", &server.url(feed)]).success();
    }
    let out = env
        .run(&[
            "snapshot",
            "--host-concurrency",
            "1",
            "--host-delay",
            &delay.as_secs_f64().to_string(),
            "--json",
        ])
        .success();
    assert_eq!(summary(&out.stdout)["new"], 2, "{out}");
    let served = server.take_served();
    let paths: Vec<&str> = served.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths[..3], ["/robots.txt", "/a.xml", "/b.xml"], "{paths:?}");
    assert_eq!(served.len(), 5, "{paths:?}");
    // Requests are spaced when they start, and arrive a connection later: half the delay is
    // room for a slow connection, and still twice as long as the answers take (without the
    // limits the next request would come as soon as an answer ended).
    for pair in served.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= delay / 2,
            "{} started {gap:?} after {}, less than the host delay",
            pair[1].path,
            pair[0].path
        );
    }
    assert_eq!(server.most_at_once(), 1);
}

#[test]
fn a_binary_feed_is_refused_before_parsing() {
    let env = TestEnv::new();
    let server = Server::start();
    let mut bytes = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>".to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 64));
    server.set(
        "/rss.xml",
        Response::with_type("application/rss+xml", bytes),
    );
    env.run(&["add", "--feed", &server.url("/rss.xml")])
        .success();
    let out = env.run(&["snapshot", "--host-delay", "0"]).code(1);
    let line = format!(
        "Error: feed {}: binary content (NUL bytes), not a text page",
        server.url("/rss.xml")
    );
    assert!(out.stderr.contains(&line), "{out}");
}
