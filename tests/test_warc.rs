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

/// `warcio` (from PyPI, as .ci/run installs it), or `None` after [`skip`].
fn warcio() -> Option<&'static str> {
    let found = std::process::Command::new("warcio")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::common::skip("warcio is not installed", "pip install warcio");
        return None;
    }
    Some("warcio")
}

/// Each article's versions as `log --format json` gives them, with what must survive a
/// round trip through a WARC file: the texts and hashes, the kinds, the time and status, and
/// the HTTP exchange.
fn history(env: &TestEnv, urls: &[String]) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    for url in urls {
        let log = env.run(&["log", url, "--format", "json"]);
        if log.status != Some(0) {
            continue; // no version of it
        }
        for line in log.stdout.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let commit = v["commit"].as_str().unwrap();
            let note = |r: &str| {
                crate::common::git::git_command(&env.archive)
                    .args(["notes", &format!("--ref={r}"), "show", commit])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap()
            };
            all.push(serde_json::json!({
                "url": v["url"], "title": v["title"], "changes": v["changes"],
                "minor": v["minor"], "summary": v["summary"],
                "content_hash": v["content_hash"], "source_hash": v["source_hash"],
                "fetched_at": v["fetched_at"], "http_status": v["http_status"],
                "http": note("http"),
            }));
        }
    }
    all
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn export_warc_is_read_by_warcio_and_imports_back_identically() {
    let Some(warcio) = warcio() else { return };
    let env = TestEnv::new();
    let server = Server::start();
    let page = |n: &str| sample(&format!("en-news/{n}.html"));
    server.set(
        "/a.html",
        Response::html(page("v1")).with_header("Server", "t"),
    );
    server.set(
        "/b.html",
        Response::html(gzip(&page("v2"))).with_header("Content-Encoding", "gzip"),
    );
    server.set("/old.html", Response::redirect("/c.html"));
    server.set("/c.html", Response::html(sample("zh-portal/v1.html")));
    let urls: Vec<String> = ["/a.html", "/b.html", "/old.html"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    let mut args = vec!["snapshot", "--host-delay", "0"];
    args.extend(urls.iter().map(String::as_str));
    env.run(&args).success();
    server.set("/a.html", Response::html(page("v3")));
    server.set("/b.html", Response::status(404));
    // A second later, so that the versions are in order to the second, as a WARC dates them.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    env.run(&args).success();
    let before = history(&env, &urls);
    let brief: Vec<String> = before
        .iter()
        .map(|v| format!("{} {} {}", v["url"], v["changes"], v["http_status"]))
        .collect();
    assert_eq!(before.len(), 5, "{brief:?}");

    let warc = env.dir.path().join("out.warc.gz");
    let out = env
        .run(&["export-warc", "-o", warc.to_str().unwrap()])
        .success();
    assert!(out.stderr.contains("Exported 5 captures"), "{out}");
    let check = std::process::Command::new(warcio)
        .args(["check", "-v"])
        .arg(&warc)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "warcio check: {said}");
    assert!(!said.contains("digest failed"), "{said}");
    assert!(said.contains("digest pass"), "{said}");

    // warcio lists every capture with its URL, status and date; the payloads are the bytes
    // archived.
    let index = std::process::Command::new(warcio)
        .args([
            "index",
            "-f",
            "warc-type,warc-target-uri,http:status,warc-date,offset",
        ])
        .arg(&warc)
        .output()
        .unwrap();
    assert!(index.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&index.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let responses: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["warc-type"] == "response")
        .collect();
    // Each version's answer, and the redirect before c.html's two.
    assert_eq!(responses.len(), 6, "{lines:?}");
    for v in &before {
        let url = v["url"].as_str().unwrap();
        let answer = responses
            .iter()
            .rfind(|r| r["warc-target-uri"] == url && r["warc-date"] == v["fetched_at"])
            .unwrap_or_else(|| panic!("no response for {v}"));
        let status = v["http"]
            .as_str()
            .unwrap()
            .lines()
            .rfind(|l| l.starts_with("HTTP/"))
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .to_owned();
        if url.ends_with("old.html") {
            assert_eq!(answer["http:status"], "302");
        } else {
            assert_eq!(answer["http:status"], status.as_str());
        }
    }
    for r in responses.iter().filter(|r| r["http:status"] == "200") {
        let payload = std::process::Command::new(warcio)
            .args(["extract", "--payload"])
            .arg(&warc)
            .arg(r["offset"].as_str().unwrap())
            .output()
            .unwrap();
        let hash = format!("blake3:{}", blake3::hash(&payload.stdout).to_hex());
        assert!(
            before.iter().any(|v| v["source_hash"] == hash.as_str()),
            "{r}: payload {hash} is no archived version's bytes"
        );
    }

    // Imported into another archive, the captures give the same versions, HTTP and all.
    let other = TestEnv::new();
    let out = other
        .run(&["import-warc", warc.to_str().unwrap()])
        .success();
    assert!(out.stdout.contains("5 versions recorded"), "{out}");
    assert_eq!(history(&other, &urls), before);
    git::assert_sound(&other.archive);
    let again = other
        .run(&["import-warc", warc.to_str().unwrap()])
        .success();
    assert!(again.stdout.contains("(1 already imported)"), "{again}");
    assert!(again.stdout.contains(": 0 versions recorded"), "{again}");
    // And exported again, they are the same records.
    let warc2 = env.dir.path().join("again.warc.gz");
    other
        .run(&["export-warc", "-o", warc2.to_str().unwrap()])
        .success();
    let records = |path: &std::path::Path| -> Vec<String> {
        let out = std::process::Command::new(warcio)
            .args([
                "index",
                "-f",
                "warc-type,warc-target-uri,warc-payload-digest,warc-block-digest",
            ])
            .arg(path)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.contains("warcinfo"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(records(&warc2), records(&warc));

    // A file cut off midway (a crawl that was killed): what it holds before the cut is
    // replayed, and the import says the rest is missing.
    let bytes = std::fs::read(&warc).unwrap();
    let cut = env.write_file("cut.warc.gz", &bytes[..bytes.len() * 2 / 3]);
    let third = TestEnv::new();
    let out = third.run(&["import-warc", cut.to_str().unwrap()]).code(1);
    assert!(out.stderr.contains("Error: cut.warc.gz: "), "{out}");
    assert!(out.stderr.contains("could not be read to the end"), "{out}");
    let recorded = history(&third, &urls);
    assert!(!recorded.is_empty() && recorded.len() < 5, "{out}");
    assert!(recorded.iter().all(|v| before.contains(v)), "{out}");
    let not_warc = env.write_file("page.warc", b"<html>not a WARC file</html>");
    let out = third
        .run(&["import-warc", not_warc.to_str().unwrap()])
        .code(1);
    assert!(out.stderr.contains("is not a WARC version line"), "{out}");
}

/// nginx serving `root` on 127.0.0.1, stopped on drop; `None`, after [`skip`], without nginx.
struct Nginx {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(root: &std::path::Path) -> Option<Nginx> {
        let binary = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|b| std::process::Command::new(b).arg("-v").output().is_ok());
        let Some(binary) = binary else {
            crate::common::skip("nginx is not installed", "apt-get install nginx-light");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.path().display();
        let conf = format!(
            "daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               types {{ text/html html; }} default_type text/html; charset utf-8;\n\
               server {{ listen 127.0.0.1:{port}; root {}; }} }}\n",
            root.display()
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = std::process::Command::new(binary)
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-p")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Stopped by `Drop` from here on, also if it never answers.
        let nginx = Nginx {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(nginx);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("nginx did not start on port {port}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: the master stops its workers before it exits.
        // SAFETY: a signal to the child this test started, which has not been waited for.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Runs `wget --warc-file` over `urls`, as a person archiving them would; returns the file.
fn wget_warc(dir: &std::path::Path, name: &str, urls: &[String]) -> std::path::PathBuf {
    let out = std::process::Command::new("wget")
        .current_dir(dir)
        .args([
            "--quiet",
            "--warc-file",
            name,
            "-O",
            "/dev/null",
            "--no-config",
        ])
        .args(urls)
        .output()
        .unwrap();
    // 8: a server answered with an error (the removed page), which is recorded all the same.
    assert!(
        matches!(out.status.code(), Some(0 | 8)),
        "wget: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(format!("{name}.warc.gz"))
}

#[test]
fn a_wget_crawl_imported_gives_the_versions_a_snapshot_gives() {
    let has_wget = std::process::Command::new("wget")
        .arg("--version")
        .output()
        .is_ok();
    if !has_wget {
        crate::common::skip("wget is not installed", "apt-get install wget");
        return;
    }
    let site = tempfile::tempdir().unwrap();
    let put = |name: &str, sample_path: &str| {
        std::fs::write(site.path().join(name), sample(sample_path)).unwrap();
    };
    put("a.html", "en-news/v1.html");
    put("b.html", "zh-portal/v1.html");
    std::fs::create_dir(site.path().join("c")).unwrap();
    put("c/index.html", "en-news/v3.html");
    let Some(nginx) = Nginx::start(site.path()) else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", nginx.port);
    // c redirects (nginx: a folder without its slash).
    let urls: Vec<String> = ["/a.html", "/b.html", "/c"]
        .iter()
        .map(|p| format!("{base}{p}"))
        .collect();
    let snapshot = TestEnv::new();
    let imported = TestEnv::new();
    let mut args = vec!["snapshot", "--host-delay", "0"];
    args.extend(urls.iter().map(String::as_str));
    for round in 0..2 {
        if round == 1 {
            put("a.html", "en-news/v3.html");
            put("b.html", "zh-portal/v3.html");
            std::fs::remove_dir_all(site.path().join("c")).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        snapshot.run(&args).success();
        let warc = wget_warc(imported.dir.path(), &format!("crawl{round}"), &urls);
        let out = imported
            .run(&["import-warc", warc.to_str().unwrap()])
            .success();
        assert!(out.stdout.contains("versions recorded"), "{out}");
        // What a fetch gives and what wget gave, read alike: the same texts from the same
        // bytes, the same kinds of change.
        let same = |v: &serde_json::Value| {
            serde_json::json!([
                v["url"],
                v["title"],
                v["changes"],
                v["content_hash"],
                v["source_hash"],
                v["http_status"]
            ])
        };
        let fetched: Vec<_> = history(&snapshot, &urls).iter().map(same).collect();
        let from_wget: Vec<_> = history(&imported, &urls).iter().map(same).collect();
        assert_eq!(from_wget, fetched, "round {round}");
    }
    let kinds: Vec<String> = history(&imported, &urls)
        .iter()
        .map(|v| v["changes"].to_string())
        .collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert!(kinds.iter().any(|k| k.contains("deleted")), "{kinds:?}");
    // wget's request headers are the capture's.
    let note = imported.git(&["notes", "--ref=http", "show", "HEAD~1"]);
    assert!(note.contains("user-agent: Wget/"), "{note}");
    git::assert_sound(&imported.archive);
}

/// The bodies a [`Receiver`] got, with the status it answered.
type Posts = std::sync::Arc<std::sync::Mutex<Vec<(u16, Vec<u8>)>>>;

/// A webhook receiver on 127.0.0.1: answers the first `failures` POSTs with HTTP 500 and the
/// rest with 204, keeping each body with the status it got.
struct Receiver {
    url: String,
    got: Posts,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(failures: usize) -> Receiver {
        use std::sync::atomic::Ordering;
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", server.server_addr().to_ip().unwrap());
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (kept, stopped) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let Ok(Some(mut request)) =
                    server.recv_timeout(std::time::Duration::from_millis(50))
                else {
                    continue;
                };
                let mut body = Vec::new();
                std::io::Read::read_to_end(request.as_reader(), &mut body).unwrap();
                let mut kept = kept.lock().unwrap();
                let status = if kept.len() < failures { 500 } else { 204 };
                kept.push((status, body));
                let _ = request.respond(tiny_http::Response::empty(status));
            }
        });
        Receiver {
            url,
            got,
            stop,
            thread: Some(thread),
        }
    }

    fn posts(&self) -> Vec<(u16, serde_json::Value)> {
        let got = self.got.lock().unwrap();
        got.iter()
            .map(|(status, body)| (*status, serde_json::from_slice(body).unwrap()))
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The commits of the changes in notification documents.
fn commits(docs: &[serde_json::Value]) -> Vec<String> {
    docs.iter()
        .flat_map(|d| d["changes"].as_array().unwrap().clone())
        .map(|c| c["commit"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_change_is_notified_once_also_after_a_failing_receiver() {
    let env = TestEnv::new();
    let server = Server::start();
    let receiver = Receiver::start(1);
    let told = env.dir.path().join("told.jsonl");
    let deleted = env.dir.path().join("deleted.jsonl");
    let config = env.archive.join("palimpsest.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = format!(
        "site_url = \"https://archive.test/\"\n{text}\n\
         [[notify]]\nwebhook = \"{}\"\n\n\
         [[notify]]\ncommand = \"tee -a {}\"\n\n\
         [[notify]]\ncommand = \"tee -a {}\"\nchanges = [\"deleted\"]\n",
        receiver.url,
        told.display(),
        deleted.display()
    );
    std::fs::write(&config, text).unwrap();
    let url = server.url("/a.html");
    let snapshot = || env.run(&["snapshot", "--host-delay", "0", &url]);

    server.set("/a.html", Response::html(sample("en-news/v1.html")));
    let first = snapshot().success();
    assert!(
        first.stderr.contains("Warning: notifier http://"),
        "{first}"
    );
    assert!(first.stderr.contains("HTTP 500"), "{first}");
    let status = env.run(&["status"]).success();
    assert!(
        status.stdout.contains(&format!(
            "notify:   {}  1 failed deliveries in a row",
            receiver.url
        )),
        "{status}"
    );
    let json = env.run(&["status", "--format", "json"]).success();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["notifiers"][0]["failures"], 1, "{json}");

    server.set("/a.html", Response::html(sample("en-news/v3.html")));
    snapshot().success();
    snapshot().success(); // nothing new: nothing sent
    server.set("/a.html", Response::status(404));
    let last = snapshot().success();
    assert!(!last.stderr.contains("Warning"), "{last}");
    let status = env.run(&["status"]).success();
    assert!(
        status
            .stdout
            .contains(&format!("notify:   {}  ok", receiver.url)),
        "{status}"
    );

    let log = env.run(&["log", &url, "--format", "json"]).success();
    let versions: Vec<serde_json::Value> = log
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let recorded: Vec<String> = versions
        .iter()
        .map(|v| v["commit"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recorded.len(), 3);

    // The webhook: the failed POST, then each change exactly once in the POSTs it took.
    let posts = receiver.posts();
    let statuses: Vec<u16> = posts.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [500, 204, 204], "{posts:?}");
    let taken: Vec<serde_json::Value> = posts
        .iter()
        .filter(|(s, _)| *s == 204)
        .map(|(_, d)| d.clone())
        .collect();
    assert_eq!(commits(&taken), recorded);
    let change = &taken[0]["changes"][0];
    assert_eq!(change["url"], url.as_str());
    assert_eq!(change["changes"], serde_json::json!(["new"]));
    assert_eq!(change["title"], versions[0]["title"]);
    assert_eq!(change["fetched_at"], versions[0]["fetched_at"]);
    assert_eq!(change["number"], 1);
    assert!(
        change["diff_url"]
            .as_str()
            .unwrap()
            .starts_with("https://archive.test/"),
        "{change}"
    );
    assert_eq!(
        taken[0]["changes"][1]["changes"],
        serde_json::json!(["body"])
    );
    assert!(taken[0]["changes"][1]["summary"].is_string(), "{taken:?}");

    // The command got one valid JSON document per run that recorded; the filtered one only
    // the deletion.
    let read = |path: &std::path::Path| -> Vec<serde_json::Value> {
        let text = std::fs::read(path).unwrap();
        serde_json::Deserializer::from_slice(&text)
            .into_iter()
            .map(Result::unwrap)
            .collect()
    };
    let told = read(&told);
    assert_eq!(told.len(), 3, "{told:?}");
    assert_eq!(commits(&told), recorded);
    let deleted = read(&deleted);
    assert_eq!(commits(&deleted), recorded[2..]);
}
