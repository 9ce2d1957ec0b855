//! The web viewer: `palimpsest serve` and `palimpsest site` over a real archive, checked over
//! HTTP, as Atom, and in headless Chromium through WebDriver (skipped, with a reason, when
//! Chromium or chromedriver is not installed).

use crate::common::TestEnv;
use crate::common::server::{Response, Server};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// A Chinese article whose title and one sentence change by one character: 大势 → 大肆.
fn chinese_page(word: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>经济观察：{word}所趋</title></head>\
         <body><nav><a href=\"/\">首页</a> <a href=\"/news\">新闻</a></nav><article><h1>经济观察：{word}所趋</h1>\
         <p>国家统计局周一公布的数据显示，今年前两个月全国规模以上工业增加值同比增长百分之五点二，增速比去年全年加快。\
         其中制造业增长百分之五点五，高技术制造业增长明显。</p>\
         <p>分析人士指出，一些地方借机{word}宣传所谓开门红，数据背后的结构性问题值得关注。\
         消费需求仍然偏弱，企业投资意愿有待恢复。</p>\
         <p>统计局新闻发言人表示，下阶段将继续加强监测分析，为宏观调控提供依据，并推动经济持续回升向好。</p>\
         </article><footer>版权所有</footer></body></html>"
    )
}

/// What the hostile page's scripts do: mark the document, which no page of the viewer does.
const PWN: &str = "document.documentElement.setAttribute(`data-pwned`,1)";

/// A page whose text holds markup, an event handler and a `javascript:` link, and whose HTML
/// has real ones too. If any of it ran, the document would carry `data-pwned`.
fn hostile_page(version: u32) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>&lt;script&gt;{PWN}&lt;/script&gt; Hostile {version}</title>\
         <script>{PWN}</script></head>\
         <body onload=\"{PWN}\"><article><h1>&lt;script&gt;{PWN}&lt;/script&gt; Hostile {version}</h1>\
         <p>This paragraph quotes &lt;script&gt;{PWN}&lt;/script&gt; as text, version {version}. \
         It also quotes &lt;img src=x onerror=\"{PWN}\"&gt; and a link to javascript:{PWN} for readers.</p>\
         <p>A second paragraph has <img src=\"x\" onerror=\"{PWN}\"> a broken image with an onerror attribute. \
         A real link <a href=\"javascript:{PWN}\">click me</a> points to a javascript URL.</p>\
         <p>The third paragraph is long enough to look like an article to the extractor, with ordinary words in it.</p>\
         </article><script src=\"/evil.js\"></script></body></html>"
    )
}

/// An archive with the Chinese article in two versions and the hostile page in two versions.
struct Fixture {
    env: TestEnv,
    server: Server,
    article: String,
}

fn fixture() -> Fixture {
    let env = TestEnv::new();
    let server = Server::start();
    let article = server.url("/news/2026/03/economy.html");
    let hostile = server.url("/evil/page.html");
    server.set(
        "/news/2026/03/economy.html",
        Response::html(chinese_page("大势")),
    );
    server.set("/evil/page.html", Response::html(hostile_page(1)));
    let first = env.run(&["add", &article, &hostile]).success();
    assert_eq!(first.stdout.lines().count(), 2, "{first}");
    let first = env
        .run(&["snapshot", "--all", "--host-delay", "0"])
        .success();
    assert!(first.stderr.contains("2 new"), "{first}");
    server.set(
        "/news/2026/03/economy.html",
        Response::html(chinese_page("大肆")),
    );
    server.set("/evil/page.html", Response::html(hostile_page(2)));
    let second = env
        .run(&["snapshot", "--all", "--host-delay", "0"])
        .success();
    let log = env.run(&["log", &article]).success();
    let versions = log
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()));
    assert_eq!(versions.count(), 2, "{second}\n{log}");
    Fixture {
        env,
        server,
        article,
    }
}

/// `palimpsest serve` on a free loopback port; killed when dropped.
pub(crate) struct Viewer {
    child: Child,
    base: String,
    /// Kept open: the server would stop on a broken pipe.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Viewer {
    pub(crate) fn start(env: &TestEnv) -> Viewer {
        let mut child = env
            .command()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start palimpsest serve");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("read the address");
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Viewer {
            child,
            base,
            _stdout: stdout,
        }
    }

    pub(crate) fn get(&self, path: &str) -> (u16, String, String) {
        http_get(&format!("{}{path}", self.base))
    }
}

impl Drop for Viewer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Status, Content-Security-Policy and body.
fn http_get(url: &str) -> (u16, String, String) {
    let mut response = agent().get(url).call().expect("GET");
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (status, csp, body)
}

/// The archive path of an article, as `git` lists it.
fn archived_path(env: &TestEnv, needle: &str) -> String {
    env.git(&["ls-files", "*.txt"])
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no archived file with {needle}"))
        .to_owned()
}

#[test]
fn server_answers_its_routes_only_with_a_strict_policy() {
    let f = fixture();
    let viewer = Viewer::start(&f.env);
    let path = archived_path(&f.env, "economy");

    let (status, csp, front) = viewer.get("/");
    assert_eq!(status, 200);
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(front.contains("经济观察：大肆所趋"), "{front}");
    assert!(
        front.contains(&format!("articles/{path}/diff/1-2.html")),
        "{front}"
    );

    // Filters: the title change is listed under `title`, nothing under `deleted`.
    let (_, _, titles) = viewer.get("/changes/title/1.html");
    assert!(titles.contains("diff/1-2.html"), "{titles}");
    let (_, _, deleted) = viewer.get("/changes/deleted/1.html");
    assert!(deleted.contains("No changes recorded here."), "{deleted}");
    let site = path.split('/').next().unwrap();
    let (status, _, sites) = viewer.get("/sites/index.html");
    assert_eq!(status, 200);
    assert!(
        sites.contains(&format!("href=\"../sites/{site}/all/1.html\"")),
        "{sites}"
    );
    let (status, _, by_site) = viewer.get(&format!("/sites/{site}/all/1.html"));
    assert_eq!(status, 200);
    assert_eq!(
        by_site.matches("<tr><td class=\"when\">").count(),
        4,
        "{by_site}"
    );

    // The article: its timeline, its text, links to every version.
    let (status, _, article) = viewer.get(&format!("/articles/{path}/index.html"));
    assert_eq!(status, 200);
    for link in [
        "v/1.html",
        "v/2.html",
        "raw/1.txt",
        "diff/0-1.html",
        "diff/1-2.html",
    ] {
        assert!(article.contains(link), "{link} in {article}");
    }
    assert!(article.contains("一些地方借机大肆宣传"), "{article}");

    // The raw view: the fetched bytes, as plain text.
    let (status, _, raw) = viewer.get(&format!("/articles/{path}/raw/1.txt"));
    assert_eq!(status, 200);
    assert!(raw.contains("<title>经济观察：大势所趋</title>"), "{raw}");

    // Anything else is not found, and nothing outside the routes is served.
    for bad in [
        "/palimpsest.toml".to_owned(),
        "/.git/config".to_owned(),
        "/.palimpsest/state.db".to_owned(),
        format!("/{path}"),
        format!("/articles/{path}/../../../../palimpsest.toml"),
        format!("/articles/{path}/%2e%2e/%2e%2e/index.html"),
        format!("/articles/{path}/v/3.html"),
        "/changes/all/2.html".to_owned(),
        "/articles/nowhere.example/a.html.txt/index.html".to_owned(),
    ] {
        let (status, csp, _) = viewer.get(&bad);
        assert_eq!(status, 404, "{bad}");
        assert!(csp.contains("script-src 'none'"), "{bad}: {csp}");
    }
    let response = agent()
        .post(&format!("{}/", viewer.base))
        .send("x")
        .expect("POST");
    assert_eq!(response.status().as_u16(), 405);
    let response = agent()
        .get(&format!("{}/", viewer.base))
        .header("Host", "attacker.example")
        .call()
        .expect("GET");
    assert_eq!(
        response.status().as_u16(),
        421,
        "a rebound DNS name is refused"
    );
}

#[test]
fn feeds_are_valid_atom() {
    let f = fixture();
    let viewer = Viewer::start(&f.env);
    let path = archived_path(&f.env, "economy");
    let site = path.split('/').next().unwrap();
    for (feed_path, entries) in [
        ("/feed.atom".to_owned(), 4),
        (format!("/sites/{site}/feed.atom"), 4),
        (format!("/articles/{path}/feed.atom"), 2),
    ] {
        let (status, _, body) = viewer.get(&feed_path);
        assert_eq!(status, 200, "{feed_path}");
        let feed = feed_rs::parser::parse(body.as_bytes())
            .unwrap_or_else(|e| panic!("{feed_path} is not a feed: {e}\n{body}"));
        assert_eq!(
            feed.feed_type,
            feed_rs::model::FeedType::Atom,
            "{feed_path}"
        );
        assert!(feed.id.starts_with("urn:palimpsest:"), "{}", feed.id);
        assert!(
            feed.title.is_some() && feed.updated.is_some(),
            "{feed_path}"
        );
        assert_eq!(feed.entries.len(), entries, "{feed_path}");
        for entry in &feed.entries {
            assert!(
                entry.id.starts_with("urn:palimpsest:commit:"),
                "{}",
                entry.id
            );
            assert!(entry.title.is_some() && entry.updated.is_some());
            assert!(
                entry.links.iter().any(|l| l.href.contains("/diff/")),
                "{feed_path}: {:?}",
                entry.links
            );
        }
    }
    // The hostile page's markup is text inside the feed, never markup.
    let (_, _, feed) = viewer.get("/feed.atom");
    assert!(!feed.contains("<script"), "{feed}");

    // Pages advertise their feeds in <head>, so that feed readers find them.
    let advertised = regex::Regex::new(
        r#"<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">"#,
    )
    .unwrap();
    for (page, feeds) in [
        ("/index.html".to_owned(), vec!["/feed.atom".to_owned()]),
        (
            format!("/articles/{path}/index.html"),
            vec![
                format!("/articles/{path}/feed.atom"),
                "/feed.atom".to_owned(),
            ],
        ),
    ] {
        let (status, _, html) = viewer.get(&page);
        assert_eq!(status, 200, "{page}");
        let head = html.split("</head>").next().unwrap();
        let base = url::Url::parse("http://viewer.test")
            .unwrap()
            .join(&page)
            .unwrap();
        let found: Vec<String> = advertised
            .captures_iter(head)
            .map(|c| base.join(&c[1]).unwrap().path().to_owned())
            .collect();
        assert_eq!(found, feeds, "{head}");
        for feed in found {
            assert_eq!(viewer.get(&feed).0, 200, "{feed}");
        }
    }
}

#[test]
fn static_site_is_written_incrementally() {
    let f = fixture();
    let dir = f.env.dir.path().join("site");
    let dir_arg = dir.to_str().unwrap();
    let first = f.env.run(&["site", dir_arg]).success();
    assert!(first.stdout.contains("2 articles rendered"), "{first}");
    let path = archived_path(&f.env, "economy");
    let diff = dir.join(format!("articles/{path}/diff/1-2.html"));
    let html = std::fs::read_to_string(&diff).unwrap();
    let depth = format!("articles/{path}/diff").matches('/').count() + 1;
    let style = format!("href=\"{}style.css\"", "../".repeat(depth));
    assert!(html.contains(&style), "{style} in {html}");
    assert!(dir.join("style.css").is_file());
    assert!(dir.join("feed.atom").is_file());

    // Nothing changed: nothing is written.
    let again = f.env.run(&["site", dir_arg]).success();
    assert!(
        again.stdout.starts_with("0 files written") && again.stdout.contains("0 articles rendered"),
        "{again}"
    );

    // One article changes: only its pages and the lists are rendered again.
    let hostile_page_file = dir.join(format!(
        "articles/{}/index.html",
        archived_path(&f.env, "evil")
    ));
    let hostile_before = std::fs::metadata(&hostile_page_file)
        .unwrap()
        .modified()
        .unwrap();
    f.server.set(
        "/news/2026/03/economy.html",
        Response::html(chinese_page("大局")),
    );
    let edit = f
        .env
        .run(&["snapshot", "--host-delay", "0", &f.article])
        .success();
    assert!(edit.stderr.contains("1 changed"), "{edit}");
    let third = f.env.run(&["site", dir_arg]).success();
    assert!(third.stdout.contains("1 articles rendered"), "{third}");
    assert!(dir.join(format!("articles/{path}/diff/2-3.html")).is_file());
    assert_eq!(
        std::fs::metadata(&hostile_page_file)
            .unwrap()
            .modified()
            .unwrap(),
        hostile_before
    );

    // A folder that is not a site is refused.
    let foreign = f.env.write_file("notes.txt", b"mine");
    let out = f
        .env
        .run(&["site", foreign.parent().unwrap().to_str().unwrap()])
        .code(2);
    assert!(out.stderr.contains("not empty"), "{out}");
}

mod browser {
    //! A WebDriver client written over ureq: the few W3C endpoints the tests need, instead of a
    //! client crate that would bring an async runtime into the build.

    use super::agent;
    use crate::common;
    use serde_json::{Value, json};
    use std::net::TcpListener;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    const CHROMIUM: &str = "/usr/bin/chromium";
    const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

    /// chromedriver and one headless Chromium session; both end when dropped.
    pub struct Browser {
        driver: Child,
        base: String,
        session: String,
        _profile: tempfile::TempDir,
    }

    fn chromedriver() -> Option<String> {
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .map(str::to_owned)
    }

    impl Browser {
        /// `None` (with the reason printed) when Chromium or chromedriver is not installed.
        pub fn start() -> Option<Browser> {
            let Some(driver_path) = chromedriver() else {
                common::skip(
                    "chromedriver is not installed",
                    "apt-get install chromium-driver",
                );
                return None;
            };
            if !Path::new(CHROMIUM).exists() {
                common::skip(
                    &format!("{CHROMIUM} is not installed"),
                    "apt-get install chromium",
                );
                return None;
            }
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let driver = Command::new(driver_path)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver");
            let base = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let ready = agent()
                    .get(&format!("{base}/status"))
                    .call()
                    .ok()
                    .and_then(|mut r| r.body_mut().read_to_string().ok())
                    .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                    .is_some_and(|v| v["value"]["ready"] == json!(true));
                if ready {
                    break;
                }
                assert!(Instant::now() < deadline, "chromedriver did not start");
                std::thread::sleep(Duration::from_millis(100));
            }
            let profile = tempfile::tempdir().expect("profile dir");
            let mut browser = Browser {
                driver,
                base,
                session: String::new(),
                _profile: profile,
            };
            let args = [
                "--headless".to_owned(),
                "--no-sandbox".to_owned(),
                "--disable-gpu".to_owned(),
                "--disable-quic".to_owned(),
                "--no-first-run".to_owned(),
                "--disable-background-networking".to_owned(),
                "--disable-component-update".to_owned(),
                "--disable-sync".to_owned(),
                "--disable-dev-shm-usage".to_owned(),
                "--window-size=1200,900".to_owned(),
                format!("--user-data-dir={}", browser._profile.path().display()),
            ];
            let session = browser.call(
                "POST",
                "/session",
                json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
                }}}),
            );
            browser.session = session["sessionId"]
                .as_str()
                .unwrap_or_else(|| panic!("no session: {session}"))
                .to_owned();
            Some(browser)
        }

        /// Calls a WebDriver endpoint (relative to the session once there is one); panics with
        /// the driver's message on an error.
        fn call(&self, method: &str, path: &str, body: Value) -> Value {
            let url = if self.session.is_empty() {
                format!("{}{path}", self.base)
            } else {
                format!("{}/session/{}{path}", self.base, self.session)
            };
            let agent = agent();
            let response = match method {
                "GET" => agent.get(&url).call(),
                "DELETE" => agent.delete(&url).call(),
                _ => agent
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .send(body.to_string()),
            };
            let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().expect("an answer");
            let value: Value = serde_json::from_str(&text).expect("a JSON answer");
            assert!(status < 400, "{method} {path}: {value}");
            value["value"].clone()
        }

        pub fn goto(&self, url: &str) {
            self.call("POST", "/url", json!({ "url": url }));
        }

        pub fn url(&self) -> String {
            self.call("GET", "/url", Value::Null)
                .as_str()
                .unwrap_or("")
                .to_owned()
        }

        pub fn title(&self) -> String {
            self.call("GET", "/title", Value::Null)
                .as_str()
                .unwrap_or("")
                .to_owned()
        }

        pub fn find_all(&self, css: &str) -> Vec<String> {
            let found = self.call(
                "POST",
                "/elements",
                json!({"using": "css selector", "value": css}),
            );
            found
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e[ELEMENT].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        }

        pub fn find(&self, css: &str) -> String {
            self.find_all(css)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("no element matches {css} on {}", self.url()))
        }

        pub fn click(&self, element: &str) {
            self.call("POST", &format!("/element/{element}/click"), json!({}));
        }

        pub fn text(&self, element: &str) -> String {
            self.call("GET", &format!("/element/{element}/text"), Value::Null)
                .as_str()
                .unwrap_or("")
                .to_owned()
        }

        pub fn displayed(&self, element: &str) -> bool {
            self.call("GET", &format!("/element/{element}/displayed"), Value::Null)
                .as_bool()
                .unwrap_or(false)
        }

        /// Runs a script through the driver (DevTools), which the page's policy does not
        /// govern: the tests' probe, not the page's code.
        pub fn eval(&self, script: &str) -> Value {
            self.call(
                "POST",
                "/execute/sync",
                json!({"script": script, "args": []}),
            )
        }

        pub fn screenshot(&self, to: &Path) {
            use base64::Engine;
            let data = self.call("GET", "/screenshot", Value::Null);
            let png = base64::engine::general_purpose::STANDARD
                .decode(data.as_str().expect("base64 PNG"))
                .expect("valid base64");
            assert!(png.starts_with(b"\x89PNG"), "not a PNG");
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).expect("screenshot folder");
            }
            std::fs::write(to, png).expect("write the screenshot");
        }
    }

    impl Drop for Browser {
        fn drop(&mut self) {
            if !self.session.is_empty() {
                let url = format!("{}/session/{}", self.base, self.session);
                let _ = agent().delete(&url).call();
            }
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        }
    }
}

/// The texts of the elements matching `css`.
fn texts(b: &browser::Browser, css: &str) -> Vec<String> {
    b.find_all(css).iter().map(|e| b.text(e)).collect()
}

#[test]
fn browser_follows_a_change_to_its_diff_and_switches_views() {
    let Some(b) = browser::Browser::start() else {
        return;
    };
    let f = fixture();
    let viewer = Viewer::start(&f.env);
    b.goto(&format!("{}/", viewer.base));
    assert_eq!(b.title(), "Latest changes · palimpsest");
    // The stylesheet loaded under the policy: the header bar is dark.
    let header =
        b.eval("return getComputedStyle(document.querySelector('header')).backgroundColor");
    assert_eq!(header, "rgb(45, 42, 38)", "style.css was not applied");

    // Follow the newest change of the Chinese article to its diff.
    let link = b
        .find_all("td.title > a")
        .into_iter()
        .find(|e| b.text(e).contains("大肆"))
        .expect("the title change is listed");
    b.click(&link);
    assert!(b.url().ends_with("/diff/1-2.html"), "{}", b.url());

    // The title change on top, exactly the changed character highlighted on each side.
    assert_eq!(texts(&b, ".title-change .old del"), ["势"]);
    assert_eq!(texts(&b, ".title-change .new ins"), ["肆"]);
    // In the body, the highlighted characters hold the change, and what is highlighted on
    // both sides together is never the whole article.
    let inserted = texts(&b, "#side td.new ins").concat();
    let deleted = texts(&b, "#side td.old del").concat();
    assert!(
        inserted.contains('肆') && !inserted.contains('势'),
        "{inserted}"
    );
    assert!(
        deleted.contains('势') && !deleted.contains('肆'),
        "{deleted}"
    );
    assert!(
        !inserted.contains("国家统计局"),
        "an unchanged sentence is highlighted: {inserted}"
    );

    // Side by side first; the Inline link switches; the Side by side link switches back.
    let (side, inline) = (b.find("#side"), b.find("#inline"));
    assert!(b.displayed(&side) && !b.displayed(&inline));
    b.click(&b.find("#show-inline"));
    assert!(b.displayed(&inline) && !b.displayed(&side));
    assert!(texts(&b, "#inline ins").concat().contains('肆'));
    b.click(&b.find("#show-side"));
    assert!(b.displayed(&side) && !b.displayed(&inline));

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshot.png");
    b.screenshot(&shot);
    eprintln!("screenshot: {}", shot.display());

    // Previous change, then the article page with its timeline.
    b.click(&b.find("a.prev"));
    assert!(b.url().ends_with("/diff/0-1.html"), "{}", b.url());
    b.click(&b.find("nav.versions a.next"));
    assert!(b.url().ends_with("/diff/1-2.html"), "{}", b.url());
}

/// Evidence that nothing archived ran: the document is not marked, and it has no script, no
/// event-handler attribute, no `javascript:` link and no image.
fn assert_inert(b: &browser::Browser) {
    let url = b.url();
    let found = b.eval(
        "return [document.documentElement.hasAttribute('data-pwned'), document.scripts.length, \
         document.querySelectorAll('[onerror],[onload],[onclick]').length, \
         document.querySelectorAll('a[href^=\"javascript:\" i]').length, document.querySelectorAll('img').length]",
    );
    assert_eq!(
        found,
        serde_json::json!([false, 0, 0, 0, 0]),
        "archived markup became live on {url}"
    );
}

#[test]
fn archived_scripts_never_run_in_the_viewer() {
    let Some(b) = browser::Browser::start() else {
        return;
    };
    let f = fixture();
    let viewer = Viewer::start(&f.env);
    let path = archived_path(&f.env, "evil");

    // The probe works: the same page served as it is (no viewer) does set the title.
    let control = Server::start();
    control.set("/control.html", Response::html(hostile_page(1)));
    b.goto(&control.url("/control.html"));
    let marked = b.eval("return document.documentElement.hasAttribute('data-pwned')");
    assert_eq!(
        marked,
        serde_json::json!(true),
        "the probe can't see scripts run"
    );

    for page in [
        "/".to_owned(),
        format!("/articles/{path}/index.html"),
        format!("/articles/{path}/diff/1-2.html"),
        format!("/articles/{path}/diff/0-1.html"),
        format!("/articles/{path}/v/2.html"),
        format!("/articles/{path}/raw/2.txt"),
    ] {
        b.goto(&format!("{}{page}", viewer.base));
        assert_inert(&b);
    }
    // The markup is shown as text.
    b.goto(&format!("{}/articles/{path}/v/2.html", viewer.base));
    let body = b.text(&b.find("main"));
    assert!(
        body.contains("<script>document.documentElement.setAttribute(`data-pwned`,1)</script>"),
        "{body}"
    );

    // The static copy, opened from disk, is as inert.
    let dir = f.env.dir.path().join("site");
    let written = f.env.run(&["site", dir.to_str().unwrap()]).success();
    assert!(written.stdout.contains("2 articles rendered"), "{written}");
    for page in [
        "index.html".to_owned(),
        format!("articles/{path}/diff/1-2.html"),
    ] {
        b.goto(&format!("file://{}", dir.join(&page).display()));
        assert_inert(&b);
    }
}
