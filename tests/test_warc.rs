//! Full captures and web archives: the HTTP exchange kept beside the raw bytes
//! (`refs/notes/http`), `export-warc` read back by warcio, `import-warc` of what wget writes,
//! and notifications of what a run recorded.

use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git, sample};

#[test]
fn the_http_exchange_is_kept_beside_the_raw_bytes() {
    let env = TestEnv::new();
    let server = Server::start();
    server.set(
        "/old.html",
        Response::redirect("/new.html").with_header("X-Hop", "one"),
    );
    server.set(
        "/new.html",
        Response::html(sample("en-news/v1.html"))
            .with_header("ETag", "\"v1\"")
            .with_header("Server", "test-server"),
    );
    let url = server.url("/old.html");
    env.run(&["snapshot", "--host-delay", "0", &url]).success();
    let note = env.git(&["notes", "--ref=http", "show", "HEAD"]);
    let new = server.url("/new.html");
    let expected_start = format!("GET {url} HTTP/1.1\nuser-agent: palimpsest/");
    assert!(note.starts_with(&expected_start), "{note}");
    for line in [
        "HTTP/1.1 302 Found\n",
        "location: /new.html\n",
        "x-hop: one\n",
        &format!("GET {new} HTTP/1.1\n"),
        "HTTP/1.1 200 OK\n",
        "etag: \"v1\"\n",
        "server: test-server\n",
    ] {
        assert!(note.contains(line), "{line:?} in\n{note}");
    }
    let shown = env.run(&["show", &url, "--at", "1", "--headers"]).success();
    assert_eq!(shown.stdout, note);
    let both = env.run(&["show", &url, "--raw", "--headers"]).success();
    let raw = String::from_utf8(sample("en-news/v1.html")).unwrap();
    assert_eq!(both.stdout, format!("{note}{raw}"));
    git::assert_sound(&env.archive);

    // A version without the note (a local file) says so.
    let file = env.write_file("page.html", &sample("en-news/v1.html"));
    let file = format!("file://{}", file.display());
    env.run(&["snapshot", &file]).success();
    let out = env.run(&["show", &file, "--headers"]).code(2);
    assert!(out.stderr.contains("has no HTTP headers recorded"), "{out}");
}
