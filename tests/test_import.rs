//! `import-git` on a source repository built from the project's sample mirror pages.

use crate::common::{TestEnv, git, sample};
use std::path::Path;

fn put(dir: &Path, file: &str, bytes: &[u8]) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    git::run(dir, &["add", "--", file]);
}

#[test]
fn replays_a_mirror_history_once() {
    let env = TestEnv::new();
    let source = env.dir.path().join("news-mirror");
    std::fs::create_dir(&source).unwrap();
    git::run(&source, &["init", "-q", "-b", "master"]);
    let page = "pages/p5/20260314.md";
    put(&source, page, &sample("mirror/v1.md"));
    put(&source, "README.md", b"index\n");
    git::commit_at(&source, "2026-03-14T08:00:00+08:00", "sync");
    put(&source, page, &sample("mirror/v2.md"));
    git::commit_at(&source, "2026-03-14T09:00:00+08:00", "sync: new proxies");
    put(&source, page, &sample("mirror/v3.md"));
    git::commit_at(&source, "2026-03-14T10:00:00+08:00", "sync");
    git::run(&source, &["rm", "-q", page]);
    git::commit_at(&source, "2026-03-14T11:00:00+08:00", "rotate");
    put(&source, page, &sample("mirror/v3.md"));
    git::commit_at(&source, "2026-03-14T12:00:00+08:00", "rotate back");

    let out = env
        .run(&["import-git", source.to_str().unwrap(), "pages/"])
        .success();
    assert!(out.stdout.contains("Imported 5 commits"), "{out}");
    assert_eq!(
        git::changes(&env.archive),
        ["new", "body", "deleted", "restored"]
    );
    let from = env.git(&[
        "log",
        "-1",
        "--grep=^Imported-From:",
        "--format=%(trailers:key=Imported-From,valueonly)",
    ]);
    let head = git::run(&source, &["rev-parse", "HEAD"]);
    assert_eq!(from.trim(), format!("{}:{page}", head.trim()));
    // The commit date is the source commit's date.
    assert_eq!(
        env.git(&["log", "-1", "--grep=^Imported-From:", "--format=%cI"])
            .trim(),
        "2026-03-14T04:00:00Z"
    );
    // The article is known by the original URL the mirror names.
    let url = env.git(&[
        "log",
        "-1",
        "--grep=^Imported-From:",
        "--format=%(trailers:key=Url,valueonly)",
    ]);
    assert_eq!(
        url.trim(),
        "https://news.example.org/news/gb/2026/03/14/20260314.html"
    );
    git::assert_sound(&env.archive);

    // Nothing new: nothing imported.
    let again = env
        .run(&["import-git", source.to_str().unwrap(), "pages/"])
        .success();
    assert!(again.stdout.contains("Imported 0 commits"), "{again}");
    // One more source commit returns to the first text: only it is replayed, as a revert.
    put(&source, page, &sample("mirror/v1.md"));
    git::commit_at(&source, "2026-03-14T13:00:00+08:00", "sync");
    let more = env
        .run(&["import-git", source.to_str().unwrap(), "pages/"])
        .success();
    assert!(more.stdout.contains("Imported 1 commits"), "{more}");
    assert_eq!(
        git::changes(&env.archive),
        ["new", "body", "deleted", "restored", "body"]
    );
    let reverts = env.git(&[
        "log",
        "-1",
        "--grep=^Imported-From:",
        "--format=%(trailers:key=Reverts,valueonly)",
    ]);
    let first = env.git(&["log", "--reverse", "--format=%H", "--grep=^Imported-From:"]);
    assert_eq!(
        reverts.trim(),
        first.lines().next().unwrap(),
        "the revert names the first version"
    );
    let log = env.run(&["log", url.trim(), "--change", "body"]).success();
    assert_eq!(
        log.stdout
            .lines()
            .filter(|l| l.contains("Body edited"))
            .count(),
        2,
        "{log}"
    );
}
