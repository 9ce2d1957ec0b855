//! Several collectors and a hub: collectors split the hosts of a local site (nine hosts,
//! 127.0.0.16 to 127.0.0.24, which the hash splits 2, 2 and 5), push to a real `git daemon` on 127.0.0.1, and a hub pulls; the hub
//! must hold, for every article, exactly what one archive tracking all hosts records, with every
//! collector commit kept as it is. Kills during push and pull leave both ends sound.

use crate::common::daemon::Daemon;
use crate::common::server::{Response, Server};
use crate::common::{TestEnv, git};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

const HOSTS: usize = 9;
const PER_HOST: usize = 4;
const SNAPSHOT: &[&str] = &[
    "snapshot",
    "--all",
    "--host-delay",
    "0",
    "--host-concurrency",
    "4",
    "--quiet",
];

#[derive(Clone)]
struct Article {
    title: String,
    body: Vec<String>,
    gone: bool,
}

impl Article {
    fn new(j: usize) -> Article {
        Article {
            title: format!("Report {j} on the harbour works"),
            body: (0..3)
                .map(|p| {
                    format!(
                        "Paragraph {p} of report {j} describes the works. It quotes the engineer."
                    )
                })
                .collect(),
            gone: false,
        }
    }
}

fn page(a: &Article, round: usize) -> Vec<u8> {
    let paragraphs: String = a.body.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<html><head><title>{0}</title></head><body><nav><a href=\"/\">Home</a></nav>\
         <article><h1>{0}</h1>\n{paragraphs}</article>\
         <div class=\"ad\">Advertisement {round}</div></body></html>",
        a.title
    )
    .into_bytes()
}

/// Round `round`'s edits: new, body and title changes, deletions, restorations (with and
/// without changes), punctuation-only edits and returns to earlier texts.
fn edit(articles: &mut [Article], round: usize) {
    for (j, a) in articles.iter_mut().enumerate() {
        let original = Article::new(j);
        match round {
            1 => {
                if j % 5 == 0 {
                    a.body[1] =
                        format!("Paragraph 1 of report {j} was corrected. The figures changed.");
                }
                if j % 7 == 1 {
                    a.title = format!("Harbour report {j}, revised");
                }
                if j % 9 == 2 {
                    a.gone = true;
                }
            }
            2 => {
                if j % 9 == 2 {
                    a.gone = false;
                }
                if j % 4 == 3 {
                    a.body[0] = a.body[0].replace(" works.", " works!");
                }
                if j % 5 == 0 {
                    a.body[1] = original.body[1].clone();
                }
            }
            3 => {
                if j % 8 == 5 {
                    a.gone = true;
                }
                if j % 5 == 0 {
                    a.title = format!("Harbour report {j}: new figures");
                    a.body.push("An update was added at the end.".to_owned());
                }
            }
            4 => {
                if j % 8 == 5 {
                    a.gone = false;
                    a.body[2] = "The last paragraph was rewritten while the page was away.".into();
                }
                if j % 7 == 1 {
                    a.title = original.title.clone();
                }
            }
            _ => {}
        }
    }
}

/// The local site: one server per host, `PER_HOST` articles each.
struct Site {
    servers: Vec<Server>,
}

impl Site {
    fn start() -> Site {
        Site {
            servers: (0..HOSTS)
                .map(|h| Server::start_at(&format!("127.0.0.{}", h + 16)))
                .collect(),
        }
    }

    fn urls(&self) -> Vec<String> {
        (0..HOSTS * PER_HOST)
            .map(|j| self.servers[j / PER_HOST].url(&format!("/news/{}.html", j % PER_HOST)))
            .collect()
    }

    fn serve(&self, articles: &[Article], round: usize) {
        for (j, a) in articles.iter().enumerate() {
            let server = &self.servers[j / PER_HOST];
            let path = format!("/news/{}.html", j % PER_HOST);
            if a.gone {
                server.remove(&path);
            } else {
                server.set(&path, Response::html(page(a, round)));
            }
        }
    }
}

/// A collector: an archive with `[shard] name = "c<index>", of, index`.
fn collector(index: usize, of: usize) -> TestEnv {
    let env = TestEnv::new();
    let config = env.archive.join("palimpsest.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[shard]\nname = \"c{index}\"\nof = {of}\nindex = {index}\n"
    ));
    std::fs::write(&config, text).unwrap();
    env
}

/// One version as an archive records it, comparable across archives: kinds, hashes, status,
/// and the number (not the commit) of the version it returns to.
type Key = (Vec<String>, bool, String, String, u64, Option<u64>);

/// The versions of `url` in `env`: their commits and comparable keys.
fn versions(env: &TestEnv, url: &str) -> (Vec<String>, Vec<Key>, String) {
    let out = env.run(&["log", url, "--format", "json"]).success();
    let rows: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let commits: Vec<String> = rows
        .iter()
        .map(|r| r["commit"].as_str().unwrap().to_owned())
        .collect();
    let text = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or("").to_owned();
    let keys = rows
        .iter()
        .map(|r| {
            let reverts = r["reverts"].as_str().map(|c| {
                commits
                    .iter()
                    .position(|x| x == c)
                    .expect("reverts a version of its article") as u64
                    + 1
            });
            (
                r["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_owned())
                    .collect(),
                r["minor"].as_bool().unwrap(),
                text(r, "content_hash"),
                text(r, "source_hash"),
                r["http_status"].as_u64().unwrap(),
                reverts,
            )
        })
        .collect();
    (commits, keys, text(&rows[0], "path"))
}

fn status(env: &TestEnv) -> serde_json::Value {
    let out = env.run(&["status", "--format", "json"]).success();
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn hub_equals_one_archive_over_all_hosts() {
    let remotes = tempfile::tempdir().unwrap();
    let Some(daemon) = Daemon::start(remotes.path()) else {
        return;
    };
    let remote = daemon.repository("hub.git");
    let site = Site::start();
    let urls = site.urls();
    let single = TestEnv::new();
    let collectors: Vec<TestEnv> = (0..3).map(|i| collector(i, 3)).collect();
    let hub = TestEnv::new();

    let mut add = vec!["add"];
    add.extend(urls.iter().map(String::as_str));
    single.run(&add).success();
    // Each collector is given every URL and tracks its own share; it names the others' owners.
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in collectors.iter().enumerate() {
        let out = c.run(&add).code(1);
        for url in &urls {
            if out.stdout.contains(&format!("Tracking: {url}\n")) {
                assert!(
                    owner.insert(url.as_str(), i).is_none(),
                    "{url} tracked twice"
                );
            } else {
                let refused = format!("Error: {url}: another collector's article: host ");
                assert!(out.stderr.contains(&refused), "{url}: {out}");
            }
        }
        assert!(out.stderr.contains("belongs to share"), "{out}");
    }
    assert_eq!(owner.len(), urls.len(), "every article has one collector");
    for i in 0..3 {
        assert!(
            owner.values().any(|&o| o == i),
            "collector {i} owns no host"
        );
    }

    let mut articles: Vec<Article> = (0..urls.len()).map(Article::new).collect();
    for round in 0..5 {
        edit(&mut articles, round);
        site.serve(&articles, round);
        single.run(SNAPSHOT).success();
        for c in &collectors {
            c.run(SNAPSHOT).success();
        }
        if round == 0 {
            // Each article was fetched twice, by the single archive and by one collector.
            for server in &site.servers {
                let log = server.take_log();
                for a in 0..PER_HOST {
                    let path = format!("/news/{a}.html");
                    let fetched = log.iter().filter(|(p, _)| *p == path).count();
                    assert_eq!(fetched, 2, "{}{path}", server.ip);
                }
            }
        }
        for c in &collectors {
            c.run(&["push", &remote]).success();
        }
        if matches!(round, 1 | 3 | 4) {
            let pulled = hub.run(&["pull", &remote]).success();
            assert!(pulled.stdout.contains("Merged shard c0:"), "{pulled}");
            git::assert_sound(&hub.archive);
        }
    }
    let again = hub.run(&["pull", &remote]).success();
    assert!(again.stdout.contains("Up to date"), "{again}");
    let again = collectors[0].run(&["push", &remote]).success();
    assert!(again.stdout.contains("up to date"), "{again}");

    // Per article: the single archive's versions, and the owning collector's commits as they are.
    let (mut versions_compared, mut kinds) = (0, BTreeMap::<String, usize>::new());
    for url in &urls {
        let (_, expected, _) = versions(&single, url);
        let (commits, got, path) = versions(&hub, url);
        assert_eq!(got, expected, "{url}");
        let (collector_commits, _, _) = versions(&collectors[owner[url.as_str()]], url);
        assert_eq!(commits, collector_commits, "{url}: the collector's commits");
        // Plain git lists the article's versions on the hub too; in the order they were recorded
        // with --topo-order, since git's default order by commit time can put two versions
        // recorded in the same second (as here) either way.
        let follow = |order: &[&str]| {
            let mut args = vec!["log", "--follow", "--format=%H"];
            args.extend(order);
            args.extend(["--", path.as_str()]);
            let listed = hub.git(&args);
            listed.lines().map(str::to_owned).collect::<Vec<_>>()
        };
        let mut newest_first = commits.clone();
        newest_first.reverse();
        assert_eq!(follow(&["--topo-order"]), newest_first, "{path}");
        let mut listed = follow(&[]);
        listed.sort();
        let mut expected_set = commits.clone();
        expected_set.sort();
        assert_eq!(listed, expected_set, "{path}");
        versions_compared += got.len();
        for key in &got {
            *kinds.entry(key.0.join(",")).or_default() += 1;
            if key.1 {
                *kinds.entry("(minor)".to_owned()).or_default() += 1;
            }
            if key.5.is_some() {
                *kinds.entry("(reverts)".to_owned()).or_default() += 1;
            }
        }
    }
    for kind in [
        "new",
        "body",
        "title",
        "deleted",
        "restored",
        "body,restored",
        "title,body",
        "(minor)",
        "(reverts)",
    ] {
        assert!(kinds.contains_key(kind), "no {kind} version in {kinds:?}");
    }

    // No collector commit was rewritten: each is on the hub's branch, with the same id.
    let on_hub: HashSet<String> = hub
        .git(&["rev-list", "main"])
        .lines()
        .map(str::to_owned)
        .collect();
    let mut collector_commits = 0;
    for c in &collectors {
        for commit in c.git(&["rev-list", "main"]).lines() {
            assert!(on_hub.contains(commit), "{commit} is not on the hub");
            collector_commits += 1;
        }
    }
    eprintln!(
        "hub vs single archive: {} articles, {versions_compared} versions, kinds {kinds:?}, all \
         equal; {collector_commits} collector commits on the hub, 0 rewritten",
        urls.len()
    );

    // The hub's commands work as on a collector.
    let (hub_status, single_status) = (status(&hub), status(&single));
    for key in ["archived", "deleted", "versions"] {
        assert_eq!(hub_status[key], single_status[key], "status {key}");
    }
    let verified = hub.run(&["verify"]).success();
    assert!(
        verified
            .stdout
            .contains(&format!("and {versions_compared} versions: no problems")),
        "{verified}"
    );
    let some = &urls[5];
    for args in [
        vec!["diff", some, "1", "2"],
        vec!["show", some, "--at", "1", "--raw"],
        // The HTTP exchange, from the notes refs merged alike.
        vec!["show", some, "--at", "2", "--headers"],
    ] {
        let mut on_hub = args.clone();
        on_hub.insert(0, "--color=never");
        let collector = &collectors[owner[some.as_str()]];
        let shown = hub.run(&on_hub).success().stdout;
        assert!(!shown.is_empty(), "{args:?}");
        assert_eq!(shown, collector.run(&on_hub).success().stdout, "{args:?}");
    }
    let recent = hub.run(&["log", "--limit", "500"]).success();
    assert_eq!(
        recent.stdout.matches("\n     http://").count(),
        versions_compared
    );
    let site_dir = hub.dir.path().join("site");
    hub.run(&["site", site_dir.to_str().unwrap()]).success();
    let feed = std::fs::read_to_string(site_dir.join("feed.atom")).unwrap();
    assert_eq!(
        feed.matches("<entry>").count(),
        50.min(versions_compared),
        "{feed}"
    );
    for c in 0..3 {
        let url = owner.iter().find(|(_, o)| **o == c).unwrap().0;
        let (_, _, path) = versions(&hub, url);
        let article_feed = site_dir.join("articles").join(&path).join("feed.atom");
        assert!(article_feed.exists(), "{}", article_feed.display());
    }
    let viewer = crate::test_web::Viewer::start(&hub);
    let (code, _, front) = viewer.get("/");
    assert_eq!(code, 200);
    assert!(front.contains("Harbour report"), "{front}");
    git::assert_sound(&hub.archive);
}

#[test]
fn collectors_need_a_name_and_hubs_do_not_push() {
    let env = TestEnv::new();
    let out = env.run(&["push", "/nowhere"]).code(2);
    assert!(
        out.stderr.contains("has no [shard] name to push under"),
        "{out}"
    );
    assert!(
        out.stderr.contains("Hint: a collector names its share"),
        "{out}"
    );
    let c = collector(0, 2);
    let out = c.run(&["pull", "/nowhere"]).code(2);
    assert!(
        out.stderr
            .contains("this archive is a collector (shard c0 (0 of 2))"),
        "{out}"
    );
    let out = c.run(&["push", "--upload-pack=x"]).code(2);
    assert!(out.stderr.contains("unexpected argument"), "{out}");
    let out = c.run(&["push", "--", "-x"]).code(2);
    assert!(
        out.stderr
            .contains("\"-x\" is not a git remote name or URL"),
        "{out}"
    );
    // A remote git can't reach: git's own message is the cause.
    let out = c.run(&["push", "/nowhere/hub.git"]).code(1);
    assert!(
        out.stderr.contains("`git push /nowhere/hub.git` failed"),
        "{out}"
    );
    assert!(out.stderr.contains("Caused by:"), "{out}");
    assert!(out.stderr.contains("/nowhere/hub.git"), "{out}");
}

/// A collector given a list of hosts, `hosts = [...]`.
fn listing(name: &str, hosts: &[&str]) -> TestEnv {
    let env = TestEnv::new();
    let config = env.archive.join("palimpsest.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    let hosts: Vec<String> = hosts.iter().map(|h| format!("{h:?}")).collect();
    text.push_str(&format!(
        "\n[shard]\nname = \"{name}\"\nhosts = [{}]\n",
        hosts.join(", ")
    ));
    std::fs::write(&config, text).unwrap();
    env
}

#[test]
fn shards_that_claim_one_article_are_not_merged() {
    let remotes = tempfile::tempdir().unwrap();
    let Some(daemon) = Daemon::start(remotes.path()) else {
        return;
    };
    let remote = daemon.repository("hub.git");
    let server = Server::start_at("127.0.0.11");
    let url = server.url("/a.html");
    let article = Article::new(1);
    server.set("/a.html", Response::html(page(&article, 0)));
    let (a, b) = (
        listing("a", &["127.0.0.11"]),
        listing("b", &["127.0.0.11", "127.0.0.12"]),
    );
    let hub = TestEnv::new();
    // Shard a records the article, then its deletion; the hub has both.
    a.run(&["add", &url]).success();
    a.run(SNAPSHOT).success();
    server.remove("/a.html");
    a.run(SNAPSHOT).success();
    a.run(&["push", &remote]).success();
    hub.run(&["pull", &remote]).success();
    let head = hub.git(&["rev-parse", "HEAD"]);
    // Shard b, whose list overlaps, records the same article anew: no file of it is on the hub
    // any more, but its versions are.
    server.set("/a.html", Response::html(page(&article, 1)));
    b.run(&["add", &url]).success();
    b.run(SNAPSHOT).success();
    b.run(&["push", &remote]).success();
    let out = hub.run(&["pull", &remote]).code(1);
    assert!(
        out.stderr.contains("is in the histories of shard b and of shard a: a host must belong to one shard only; nothing was merged"),
        "{out}"
    );
    assert!(
        out.stderr
            .contains("Hint: give each host to one collector only"),
        "{out}"
    );
    assert_eq!(hub.git(&["rev-parse", "HEAD"]), head, "nothing was merged");
    git::assert_sound(&hub.archive);
    hub.run(&["verify"]).success();
}

fn kills() -> usize {
    std::env::var("PALIMPSEST_STRESS_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(4)
}

/// Starts `args` in its own process group and kills the whole group (palimpsest and the git it
/// runs) as soon as `now` says so, unless it ended first; returns whether it ended by itself,
/// successfully.
fn run_and_kill(env: &TestEnv, args: &[&str], mut now: impl FnMut(Duration) -> bool) -> bool {
    use std::os::unix::process::CommandExt;
    let mut child = env
        .command()
        .args(args)
        .process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !now(started.elapsed()) {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    // SAFETY: signals the process group this test just started.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = child.wait();
    false
}

/// A small deterministic generator, so that a failing kill schedule can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

#[test]
fn killed_pushes_and_pulls_leave_both_ends_sound() {
    let remotes = tempfile::tempdir().unwrap();
    let Some(daemon) = Daemon::start(remotes.path()) else {
        return;
    };
    // Two collectors with some hundreds of commits each, so that a push and a pull take a
    // while and kills land in the middle.
    let servers = [
        Server::start_at("127.0.0.13"),
        Server::start_at("127.0.0.14"),
    ];
    let collectors = [
        listing("left", &["127.0.0.13"]),
        listing("right", &["127.0.0.14"]),
    ];
    for (server, c) in servers.iter().zip(&collectors) {
        let urls: Vec<String> = (0..60)
            .map(|i| server.url(&format!("/s/{i}.html")))
            .collect();
        let mut add = vec!["add"];
        add.extend(urls.iter().map(String::as_str));
        c.run(&add).success();
        let mut articles: Vec<Article> = (0..60).map(Article::new).collect();
        for round in 0..3 {
            edit(&mut articles, round);
            for (i, a) in articles.iter().enumerate() {
                let path = format!("/s/{i}.html");
                match a.gone {
                    true => server.remove(&path),
                    false => server.set(&path, Response::html(page(a, round))),
                }
            }
            c.run(SNAPSHOT).success();
        }
    }
    let mut rng = Lcg(0x5a4d);
    let kills = kills();

    // Pushes: killed at random moments; both ends stay sound and the next push completes.
    let started = Instant::now();
    let remote = daemon.repository("timing.git");
    collectors[0].run(&["push", &remote]).success();
    let whole = started.elapsed();
    let mut killed = 0;
    for attempt in 0..4 * kills {
        if killed == kills {
            break;
        }
        let remote = daemon.repository(&format!("push{attempt}.git"));
        let c = &collectors[attempt % 2];
        let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 + 1));
        if !run_and_kill(c, &["push", &remote], |t| t >= delay) {
            killed += 1;
        }
        daemon.wait_idle();
        let bare = daemon.base.join(format!("push{attempt}.git"));
        git::run(&bare, &["fsck", "--strict", "--no-progress"]);
        git::run(&c.archive, &["fsck", "--strict", "--no-progress"]);
        c.run(&["push", &remote]).success();
        git::run(&bare, &["fsck", "--strict", "--no-progress"]);
        let pushed = git::run(
            &bare,
            &[
                "rev-parse",
                &format!("shards/{}", ["left", "right"][attempt % 2]),
            ],
        );
        assert_eq!(pushed, c.git(&["rev-parse", "main"]));
    }
    assert_eq!(killed, kills, "pushes finished before their kill");
    eprintln!("{killed} pushes killed (one takes {whole:?})");

    // Pulls: killed at random moments into a new hub each time.
    let remote = daemon.repository("hub.git");
    for c in &collectors {
        c.run(&["push", &remote]).success();
    }
    let reference = TestEnv::new();
    let started = Instant::now();
    reference.run(&["pull", &remote]).success();
    let whole = started.elapsed();
    let expected = reference
        .run(&["log", "--limit", "1000", "--format", "json"])
        .success()
        .stdout;
    let mut killed = 0;
    for attempt in 0..4 * kills {
        if killed == kills {
            break;
        }
        let hub = TestEnv::new();
        let git_dir = hub.archive.join(".git");
        let branch = std::fs::read(git_dir.join("refs/heads/main")).unwrap();
        let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 + 1));
        let pull = ["pull", &remote];
        let ended = match attempt % 3 {
            // Anywhere: fetching, merging, publishing.
            0 => run_and_kill(&hub, &pull, |t| t >= delay),
            // Once the notes moved, before or after the branch.
            1 => run_and_kill(&hub, &pull, |_| git_dir.join("refs/notes/raw").exists()),
            // Once the branch moved, while the working tree and the index follow.
            _ => run_and_kill(&hub, &pull, |_| {
                std::fs::read(git_dir.join("refs/heads/main")).is_ok_and(|b| b != branch)
            }),
        };
        if !ended {
            killed += 1;
        }
        daemon.wait_idle();
        git::run(&hub.archive, &["fsck", "--strict", "--no-progress"]);
        hub.run(&["pull", &remote]).success();
        git::assert_sound(&hub.archive);
        hub.run(&["verify"]).success();
        let got = hub
            .run(&["log", "--limit", "1000", "--format", "json"])
            .success()
            .stdout;
        let commits = |log: &str| -> Vec<String> {
            let mut ids: Vec<String> = log
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["commit"].to_string()
                })
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(commits(&got), commits(&expected));
    }
    assert_eq!(killed, kills, "pulls finished before their kill");
    eprintln!("{killed} pulls killed (one takes {whole:?})");
}
