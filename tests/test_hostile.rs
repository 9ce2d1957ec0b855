//! Hostile servers and pages. Each case runs the real binary (`snapshot URL`) against the local
//! server and must end within a stated time (the debug build on a busy machine; release is
//! several times faster) with a peak RSS under 256 MiB, measured on that one process, and with
//! either the correct article archived or one clear error line for the URL and no commit. Nothing
//! may be written outside the archive: the process's home and working directory is the test's
//! temp dir, `TMPDIR` points inside it, and both must hold nothing new afterwards.

use crate::common::server::{Framing, Response, Server};
use crate::common::{CommandOutput, TestEnv, git};
use std::io::Read;
use std::time::{Duration, Instant};

/// ptrace's unused address argument (a pointer: it is variadic).
const NULL: *mut libc::c_void = std::ptr::null_mut();

/// Peak memory of any hostile case, in KiB.
const MAX_RSS_KIB: u64 = 256 * 1024;

const PROSE: &str = "The council approved the harbour budget on Monday, after a long debate, \
    and the mayor said the vote would stand until the next election.";

/// A plain article page with `extra` inside the article, after its first paragraph.
fn article(extra: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Harbour budget</title></head>\
         <body><article><h1>Harbour budget</h1><p>{PROSE}</p>{extra}\
         <p>Opponents said they would keep fighting the plan, which raises fees for every berth.</p>\
         </article></body></html>"
    )
}

/// The one error line about `url` (there must be exactly one), without its prefix.
#[track_caller]
fn error_line(out: &CommandOutput, url: &str) -> String {
    let prefix = format!("Error: {url}: ");
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .collect();
    assert_eq!(lines.len(), 1, "one error line for {url}:\n{out}");
    lines[0][prefix.len()..].to_owned()
}

/// A fresh archive whose `[fetch]` settings are changed by `settings` (and committed, so that a
/// failing run must not commit anything).
fn hostile_env(settings: &[(&str, &str)]) -> TestEnv {
    let env = TestEnv::new();
    std::fs::create_dir(env.dir.path().join("tmp")).unwrap();
    let path = env.archive.join("palimpsest.toml");
    let mut config = std::fs::read_to_string(&path).unwrap();
    for (key, value) in settings {
        let line = format!("{key} = {value}\n");
        config = match config.lines().find(|l| l.starts_with(&format!("{key} "))) {
            Some(old) => config.replacen(&format!("{old}\n"), &line, 1),
            None => config.replacen("[fetch]\n", &format!("[fetch]\n{line}"), 1),
        };
    }
    std::fs::write(&path, config).unwrap();
    if settings.is_empty() {
        return env;
    }
    env.git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qam",
        "Test settings",
    ]);
    env
}

/// Runs `palimpsest snapshot --host-delay 0 URL`, killing it and failing when it runs past
/// `bound`, and measures its peak RSS.
///
/// The peak is the process's own `VmHWM`, read while it is stopped at exit. (`ru_maxrss` from
/// `wait4` would not do: a process inherits its spawner's peak RSS at `exec`, and this test
/// process is large.) To stop it there, the child asks to be traced before `exec` and the
/// spawning thread, its tracer, sets `PTRACE_O_TRACEEXIT`.
#[track_caller]
fn snapshot(env: &TestEnv, url: &str, bound: Duration) -> CommandOutput {
    use std::os::unix::process::CommandExt;
    let mut command = env.command();
    command
        .args(["snapshot", "--host-delay", "0", url])
        .env("TMPDIR", env.dir.path().join("tmp"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: ptrace is async-signal-safe, as a pre_exec hook must be.
    unsafe {
        command.pre_exec(|| match libc::ptrace(libc::PTRACE_TRACEME, 0, NULL, NULL) {
            -1 => Err(std::io::Error::last_os_error()),
            _ => Ok(()),
        });
    }
    // Reaped by the waitpid loop below, which must see its ptrace stops too.
    #[allow(clippy::zombie_processes)]
    let mut child = command.spawn().expect("run palimpsest");
    let started = Instant::now();
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.expect("piped").read_to_end(&mut bytes).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let pid = child.id() as libc::pid_t;
    let (mut killed, mut traced, mut peak_rss_kib) = (false, false, None);
    let status = loop {
        let mut status = 0;
        // SAFETY: plain syscalls on our own child, which is not reaped before the loop ends.
        let reaped = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        assert!(reaped >= 0, "waitpid: {}", std::io::Error::last_os_error());
        if reaped == 0 {
            if !killed && started.elapsed() > bound {
                unsafe { libc::kill(pid, libc::SIGKILL) };
                killed = true;
            }
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if !libc::WIFSTOPPED(status) {
            break status;
        }
        let signal = match (libc::WSTOPSIG(status), status >> 16) {
            // Stopped after exec: from now on, stop at exit too.
            (libc::SIGTRAP, 0) if !traced => {
                traced = true;
                let options = libc::PTRACE_O_TRACEEXIT | libc::PTRACE_O_EXITKILL;
                unsafe { libc::ptrace(libc::PTRACE_SETOPTIONS, pid, NULL, options as usize) };
                0
            }
            (libc::SIGTRAP, libc::PTRACE_EVENT_EXIT) => {
                peak_rss_kib = vm_hwm_kib(pid);
                0
            }
            // Any other signal is the process's own: deliver it.
            (signal, _) => signal,
        };
        unsafe { libc::ptrace(libc::PTRACE_CONT, pid, NULL, signal as usize) };
    };
    let elapsed = started.elapsed();
    let out = CommandOutput {
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        status: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
    };
    assert!(!killed, "still running after {bound:?}, killed:\n{out}");
    assert!(
        !out.stderr.contains("panicked"),
        "palimpsest panicked:\n{out}"
    );
    let peak_rss_kib = peak_rss_kib.unwrap_or_else(|| panic!("no peak RSS measured:\n{out}"));
    eprintln!(
        "{url:.80}: {:.1}s, peak RSS {} MiB",
        elapsed.as_secs_f64(),
        peak_rss_kib / 1024
    );
    assert!(
        peak_rss_kib < MAX_RSS_KIB,
        "peak RSS {} MiB:\n{out}",
        peak_rss_kib / 1024
    );
    assert_contained(env);
    out
}

/// The peak resident set of a live process, in KiB.
fn vm_hwm_kib(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Nothing was written next to the archive or in the temp dir, and the archive is sound.
#[track_caller]
fn assert_contained(env: &TestEnv) {
    let mut names: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["archive", "tmp"], "written outside the archive");
    let tmp: Vec<_> = std::fs::read_dir(env.dir.path().join("tmp"))
        .unwrap()
        .collect();
    assert!(tmp.is_empty(), "written to TMPDIR: {tmp:?}");
    git::assert_sound(&env.archive);
}

/// Snapshots `url`, expecting exit 1, no new commit and one error line for it; returns it.
#[track_caller]
fn refused(env: &TestEnv, url: &str, bound: Duration) -> String {
    let before = env.commit_count();
    let out = snapshot(env, url, bound);
    assert_eq!(out.status, Some(1), "{out}");
    assert_eq!(env.commit_count(), before, "a failure committed:\n{out}");
    error_line(&out, url)
}

/// Snapshots `url`, expecting it to be archived as a new article; returns the archived file and
/// its text.
#[track_caller]
fn archived(env: &TestEnv, url: &str, bound: Duration) -> (String, String) {
    let out = snapshot(env, url, bound);
    assert_eq!(out.status, Some(0), "{out}");
    assert!(out.stdout.starts_with("new "), "{out}");
    let file = env
        .git(&["show", "--name-only", "--format=", "HEAD"])
        .trim()
        .to_owned();
    let bytes = git::run_bytes(&env.archive, &["show", &format!("HEAD:{file}")]);
    (
        file,
        String::from_utf8(bytes).expect("archived text is UTF-8"),
    )
}

const SIZE_CAP: &str = "larger than the 10485760-byte limit";

/// A gzip stream of `mib` MiB of zeros: one deflate block for 1 MiB, ending on a byte boundary
/// (sync flush) and referring to nothing before it, repeated.
fn gzip_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut deflate = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(1 << 16);
    deflate
        .compress_vec(&zeros, &mut block, FlushCompress::Sync)
        .unwrap();
    assert_eq!(deflate.total_in(), 1 << 20);
    let mut one = Crc::new();
    one.update(&zeros);
    let mut crc = Crc::new();
    for _ in 0..mib {
        crc.combine(&one);
    }
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for _ in 0..mib {
        gz.extend_from_slice(&block);
    }
    gz.extend_from_slice(&[1, 0, 0, 0xff, 0xff]); // the last block: stored, empty
    gz.extend_from_slice(&crc.sum().to_le_bytes());
    gz.extend_from_slice(&(crc.amount()).to_le_bytes());
    gz
}

/// A brotli stream of `mib16` × 16 MiB of zeros (RFC 7932): each meta-block is one command
/// that copies 16 MiB from distance 1, with one-symbol prefix codes, so it takes 12 bytes.
fn brotli_bomb(mib16: usize) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.put(1, 1); // WBITS = 24
    bits.put(3, 7);
    for i in 0..mib16 {
        let (first, last) = (i == 0, i + 1 == mib16);
        bits.put(1, last as u32); // ISLAST
        if last {
            bits.put(1, 0); // ISLASTEMPTY
        }
        bits.put(2, 2); // MNIBBLES = 6
        bits.put(24, (1 << 24) - 1); // MLEN - 1
        if !last {
            bits.put(1, 0); // ISUNCOMPRESSED
        }
        bits.put(3, 0); // one block type of literals, commands and distances
        bits.put(6, 0); // NPOSTFIX, NDIRECT
        bits.put(2, 0); // context mode
        bits.put(2, 0); // one literal and one distance prefix code
        // Simple prefix codes of one symbol each: literal 0; the insert-and-copy code for
        // "insert 1, copy code 23" first (the one literal zero), "insert 0, copy code 23" after;
        // distance code 8 (the initial last distance, 4, minus 3) first, then 0 (the last, 1).
        for (alphabet_bits, symbol) in [
            (8, 0),
            (10, if first { 399 } else { 391 }),
            (6, if first { 8 } else { 0 }),
        ] {
            bits.put(2, 1);
            bits.put(2, 0);
            bits.put(alphabet_bits, symbol);
        }
        // Copy code 23 is 2118 plus 24 extra bits: the rest of the meta-block.
        let copy = (1 << 24) - first as u32;
        bits.put(24, copy - 2118);
    }
    bits.bytes
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    used: u32,
}

impl BitWriter {
    /// Appends the `n` low bits of `value`, least significant first.
    fn put(&mut self, n: u32, value: u32) {
        for i in 0..n {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = ((value >> i) & 1) as u8;
            *self.bytes.last_mut().unwrap() |= bit << (self.used % 8);
            self.used += 1;
        }
    }
}

#[test]
fn gzip_bomb_ends_at_the_size_cap() {
    let env = hostile_env(&[]);
    let server = Server::start();
    // 10 GiB of zeros in about 10 MB.
    let bomb = gzip_bomb(10 * 1024);
    server.set(
        "/gzip.html",
        Response::html(bomb).with_header("Content-Encoding", "gzip"),
    );
    let err = refused(&env, &server.url("/gzip.html"), Duration::from_secs(30));
    assert!(err.contains(SIZE_CAP), "{err}");
}

#[test]
fn brotli_bomb_ends_at_the_size_cap() {
    let env = hostile_env(&[]);
    let server = Server::start();
    // 10 GiB of zeros in 7.5 KB.
    server.set(
        "/brotli.html",
        Response::html(brotli_bomb(640)).with_header("Content-Encoding", "br"),
    );
    let err = refused(&env, &server.url("/brotli.html"), Duration::from_secs(30));
    assert!(err.contains(SIZE_CAP), "{err}");
}

#[test]
fn endless_body_ends_at_the_size_cap() {
    let env = hostile_env(&[]);
    let server = Server::start();
    server.set(
        "/endless.html",
        Response::html(format!("<p>{PROSE}</p>\n")).framed(Framing::Endless),
    );
    let err = refused(&env, &server.url("/endless.html"), Duration::from_secs(30));
    assert!(err.contains(SIZE_CAP), "{err}");
}

#[test]
fn body_past_the_cap_is_refused_with_or_without_length() {
    let env = hostile_env(&[]);
    let server = Server::start();
    let page = article(&format!("<p>{PROSE}</p>").repeat(11 * 1024 * 1024 / PROSE.len()));
    for (path, framing) in [
        ("/length.html", Framing::Length),
        ("/close.html", Framing::Close),
    ] {
        server.set(path, Response::html(page.clone()).framed(framing));
        let err = refused(&env, &server.url(path), Duration::from_secs(30));
        assert!(err.contains(SIZE_CAP), "{path}: {err}");
    }
}

#[test]
fn slow_drip_ends_at_the_timeout() {
    // Two attempts of 2 s each and a 0.5 s pause: the run must end by about 4.5 s.
    let env = hostile_env(&[("timeout", "2"), ("retries", "1"), ("retry_delay", "0.5")]);
    let server = Server::start();
    server.set(
        "/drip.html",
        Response::html(article("")).framed(Framing::Drip(Duration::from_secs(1))),
    );
    let err = refused(&env, &server.url("/drip.html"), Duration::from_secs(15));
    assert!(err.contains("timed out after 2s"), "{err}");
    let fetches = server
        .take_log()
        .iter()
        .filter(|(p, _)| p == "/drip.html")
        .count();
    assert_eq!(fetches, 2, "a timeout is tried once more");
}

#[test]
fn redirect_loops_end_at_the_redirect_limit() {
    let env = hostile_env(&[]);
    let server = Server::start();
    server.set("/loop.html", Response::redirect("/loop.html"));
    server.set("/ping.html", Response::redirect("/pong.html"));
    server.set("/pong.html", Response::redirect("/ping.html"));
    for path in ["/loop.html", "/ping.html"] {
        let err = refused(&env, &server.url(path), Duration::from_secs(20));
        assert!(
            err.starts_with("redirect loop: redirected back to http://"),
            "{err}"
        );
    }
    // A chain longer than the limit (fetch.max_redirects, 5): six hops.
    for i in 0..6 {
        server.set(
            &format!("/hop-{i}.html"),
            Response::redirect(&format!("/hop-{}.html", i + 1)),
        );
    }
    server.set("/hop-6.html", Response::html(article("")));
    let err = refused(&env, &server.url("/hop-0.html"), Duration::from_secs(20));
    assert!(err.starts_with("more than 5 redirects"), "{err}");
}

#[test]
fn redirects_to_other_schemes_are_not_followed() {
    let env = hostile_env(&[]);
    let server = Server::start();
    // A readable local article: following a redirect to it would archive it.
    let elsewhere = tempfile::tempdir().unwrap();
    let canary = elsewhere.path().join("canary.html");
    std::fs::write(&canary, article("<p>The canary was read.</p>")).unwrap();
    let canary = url::Url::from_file_path(&canary).unwrap();
    let targets = [
        "file:///etc/passwd",
        canary.as_str(),
        "ftp://127.0.0.1/article.html",
        "data:text/html,<title>x</title><p>The data URL was read.</p>",
        "javascript:alert(1)",
    ];
    for (i, target) in targets.iter().enumerate() {
        let path = format!("/to-{i}.html");
        server.set(&path, Response::redirect(target));
        let err = refused(&env, &server.url(&path), Duration::from_secs(20));
        let followed = server
            .take_log()
            .into_iter()
            .skip_while(|(p, _)| *p != path)
            .count();
        assert_eq!(followed, 1, "{target} was followed");
        assert_eq!(
            err,
            format!(
                "redirected to {target}, which is not followed (only http and https redirects are)"
            )
        );
    }
    let beside_canary = std::fs::read_dir(elsewhere.path()).unwrap().count();
    assert_eq!(beside_canary, 1);
}

#[test]
fn hostile_redirect_locations_stay_on_the_server_and_in_the_archive() {
    let env = hostile_env(&[]);
    let server = Server::start();
    let port = server.port;
    let page = Response::html(article(""));
    let long = format!("/{}.html", "a".repeat(8000));
    // Each Location, and the path it must lead to on the same server.
    let cases = [
        ("/a/../../../../target.html".to_owned(), "/target.html"),
        ("/%2e%2e/%2E%2E/target.html".to_owned(), "/target.html"),
        ("\\target.html".to_owned(), "/target.html"),
        (format!("\\\\127.0.0.1:{port}\\target.html"), "/target.html"),
        (
            format!("http://１２７．０．０．１:{port}/target.html"),
            "/target.html",
        ),
        (format!("http://127.1:{port}/target.html"), "/target.html"),
        (
            format!("http://0x7f.0.0.1:{port}/target.html"),
            "/target.html",
        ),
        (
            "/\u{202e}\u{200b}bidi.html".to_owned(),
            "/%E2%80%AE%E2%80%8Bbidi.html",
        ),
        ("/%00/nul.html".to_owned(), "/%00/nul.html"),
        (long.clone(), long.as_str()),
    ];
    for (i, (location, target)) in cases.iter().enumerate() {
        server.set(target, page.clone());
        let from = format!("/from-{i}.html");
        server.set(&from, Response::redirect(location));
        let (file, _) = archived(&env, &server.url(&from), Duration::from_secs(20));
        assert_eq!(
            file,
            format!("127.0.0.1_{port}/from-{i}.html.txt"),
            "{location}"
        );
        let log = server.take_log();
        assert_eq!(log.last(), Some(&(target.to_string(), 200)), "{location}");
    }
    // Headers past ureq's 64 KiB limit.
    let huge = format!("/{}", "a".repeat(100_000));
    server.set("/huge.html", Response::redirect(&huge));
    let err = refused(&env, &server.url("/huge.html"), Duration::from_secs(20));
    assert!(
        err.contains("response headers are larger than the 65536-byte limit"),
        "{err}"
    );
}

const ZH_HANS: [&str; 2] = [
    "国家统计局13日发布数据显示，今年前两个月，全国规模以上工业增加值同比增长5.2%，比去年全年加快0.4个百分点。",
    "分析人士指出，当前经济运行总体平稳，但外部环境复杂严峻，国内需求仍显不足。",
];
const ZH_HANT: [&str; 2] = [
    "國家統計局13日發布數據顯示，今年前兩個月，全國規模以上工業增加值同比增長5.2%，比去年全年加快0.4個百分點。",
    "分析人士指出，當前經濟運行總體平穩，但外部環境複雜嚴峻，國內需求仍顯不足。",
];

/// A Chinese article page in `encoding`, with a `<meta charset>` when given one.
fn zh_page(
    paragraphs: [&str; 2],
    meta: Option<&str>,
    encoding: &'static encoding_rs::Encoding,
) -> Vec<u8> {
    let meta = meta.map_or(String::new(), |m| format!("<meta charset=\"{m}\">"));
    let html = format!(
        "<html><head>{meta}<title>{}</title></head><body><div id=\"content\"><h1>{}</h1>\
         <p>{}</p><p>{}</p></div></body></html>",
        &paragraphs[0][..15],
        &paragraphs[0][..15],
        paragraphs[0],
        paragraphs[1]
    );
    let (bytes, _, unmappable) = encoding.encode(&html);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn wrong_and_contradictory_charsets_archive_the_right_text() {
    use encoding_rs::{BIG5, GBK, UTF_8};
    let env = hostile_env(&[]);
    let server = Server::start();
    // (header charset, meta charset, real encoding)
    let cases = [
        ("iso-8859-1", Some("gbk"), UTF_8, ZH_HANS),
        ("utf-8", None, GBK, ZH_HANS),
        ("big5", Some("utf-8"), GBK, ZH_HANS),
        ("gbk", Some("gb2312"), BIG5, ZH_HANT),
        ("x-no-such-charset", Some("utf-16"), GBK, ZH_HANS),
        ("utf-8", Some("shift_jis"), BIG5, ZH_HANT),
    ];
    for (i, (header, meta, encoding, text)) in cases.into_iter().enumerate() {
        let path = format!("/charset-{i}.html");
        server.set(
            &path,
            Response::with_type(
                &format!("text/html; charset={header}"),
                zh_page(text, meta, encoding),
            ),
        );
        let (_, archived) = archived(&env, &server.url(&path), Duration::from_secs(20));
        for sentence in text {
            assert!(
                archived.contains(sentence),
                "{header}/{meta:?}/{}: {archived}",
                encoding.name()
            );
        }
    }
}

/// Deterministic bytes that look like compressed or encrypted data.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn binary_served_as_html_is_refused() {
    let env = hostile_env(&[]);
    let server = Server::start();
    server.set("/noise.html", Response::html(noise(1 << 20, 7)));
    let err = refused(&env, &server.url("/noise.html"), Duration::from_secs(20));
    assert_eq!(err, "binary content (NUL bytes), not a text page");
    // The same without a single NUL byte.
    let no_nul: Vec<u8> = noise(1 << 20, 11).into_iter().map(|b| b.max(1)).collect();
    server.set("/no-nul.html", Response::html(no_nul));
    let err = refused(&env, &server.url("/no-nul.html"), Duration::from_secs(20));
    assert_eq!(err, "binary content (control bytes), not a text page");
}

#[test]
fn deep_nesting_and_huge_attributes_read_correctly() {
    let env = hostile_env(&[]);
    let server = Server::start();
    let n = 100_000;
    let deep = article(&format!(
        "{}<p>Deep inside, the budget was signed.</p>{}",
        "<div>".repeat(n),
        "</div>".repeat(n)
    ));
    server.set("/deep.html", Response::html(deep));
    let (_, text) = archived(&env, &server.url("/deep.html"), Duration::from_secs(60));
    assert!(
        text.contains(PROSE) && text.contains("Deep inside, the budget was signed."),
        "{text}"
    );

    let attributes = article(&format!(
        "<div data-x=\"{}\"><p>Beside a megabyte attribute.</p></div><img alt='{}'>",
        "x".repeat(1 << 20),
        "y".repeat(1 << 20)
    ));
    server.set("/attributes.html", Response::html(attributes));
    let (_, text) = archived(
        &env,
        &server.url("/attributes.html"),
        Duration::from_secs(60),
    );
    assert!(text.contains("Beside a megabyte attribute."), "{text}");
    assert!(!text.contains("xxxxxxxx") && !text.contains("yyyyyyyy"));
}

#[test]
fn nul_bytes_invalid_utf8_and_bad_entities_read_correctly() {
    let env = hostile_env(&[]);
    let server = Server::start();
    // NUL bytes at the start: a binary file, refused.
    server.set(
        "/nul-head.html",
        Response::html(format!("\0\0\0{}", article(""))),
    );
    let err = refused(&env, &server.url("/nul-head.html"), Duration::from_secs(20));
    assert_eq!(err, "binary content (NUL bytes), not a text page");
    // NUL bytes further in, inside the text: dropped.
    let padding = format!("<p>{PROSE}</p>").repeat(100);
    let nul_text = article(&format!("{padding}<p>Before\0the NUL\0\0bytes.</p>"));
    server.set("/nul-text.html", Response::html(nul_text));
    let (_, text) = archived(&env, &server.url("/nul-text.html"), Duration::from_secs(20));
    assert!(!text.contains('\0'), "{text:?}");
    assert!(text.contains("Before"), "{text}");

    // Bytes that are not UTF-8 in a page that says it is: a stray byte, a truncated sequence,
    // an encoded surrogate, a code point past U+10FFFF, an overlong slash.
    let mut invalid = article("<p>Invalid here: [\u{1}] and there.</p>").into_bytes();
    let at = invalid.windows(3).position(|w| w == b"[\x01]").unwrap() + 1;
    invalid.splice(
        at..at + 1,
        b"\xff \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf"
            .iter()
            .copied(),
    );
    server.set(
        "/invalid-utf8.html",
        Response::with_type("text/html; charset=utf-8", invalid),
    );
    let (_, text) = archived(
        &env,
        &server.url("/invalid-utf8.html"),
        Duration::from_secs(20),
    );
    assert!(
        text.contains(PROSE) && text.contains("Invalid here: ["),
        "{text}"
    );
    assert!(text.contains("] and there."), "{text}");

    // Numeric references to a lone surrogate, NUL, past Unicode, a noncharacter, a C1 control.
    let entities =
        article("<p>Entities: &#xD800;&#0;&#x110000;&#xDFFF;&#xFFFE;&#128;&#99999999999; end.</p>");
    server.set("/entities.html", Response::html(entities));
    let (_, text) = archived(&env, &server.url("/entities.html"), Duration::from_secs(20));
    // As the HTML standard reads them: U+FFFD for what is not a character, the noncharacter
    // as it is, and 128 as Windows-1252 has it.
    assert!(text.contains(PROSE), "{text}");
    assert!(
        text.contains("Entities: \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFE}€\u{FFFD} end."),
        "{text:?}"
    );
}

/// An article of about `bytes` bytes of many paragraphs, with about `elements` elements in all.
fn big_article(bytes: usize, elements: usize) -> String {
    let paragraph = format!("<p>{}</p>\n", [PROSE; 10].join(" "));
    let paragraphs = bytes / paragraph.len();
    let tags = "<b>x</b>".repeat(elements.saturating_sub(paragraphs + 10));
    let paragraphs = paragraph.repeat((bytes - tags.len() - 1000) / paragraph.len());
    article(&format!("{tags}{paragraphs}"))
}

#[test]
fn fifty_megabyte_page_is_refused_at_either_cap() {
    let env = hostile_env(&[]);
    let server = Server::start();
    server.set("/50mb.html", Response::html(big_article(50_000_000, 0)));
    let err = refused(&env, &server.url("/50mb.html"), Duration::from_secs(30));
    assert!(err.contains(SIZE_CAP), "{err}");
    // fetch.max_bytes raised past what palimpsest reads at all (16 MiB).
    let env = hostile_env(&[("max_bytes", "67108864")]);
    let err = refused(&env, &server.url("/50mb.html"), Duration::from_secs(30));
    assert_eq!(
        err,
        "response is larger than 16777216 bytes, the most palimpsest reads"
    );
}

#[test]
fn largest_page_read_stays_within_memory() {
    // 16 MiB with the most elements a page may have: the worst case for memory.
    let env = hostile_env(&[("max_bytes", "16777216")]);
    let server = Server::start();
    let page = big_article(16 * 1024 * 1024, 99_990);
    assert!(page.len() <= 16 * 1024 * 1024);
    assert!(page.matches("<b>").count() + page.matches("<p>").count() > 99_000);
    server.set("/16mib.html", Response::html(page));
    let (_, text) = archived(&env, &server.url("/16mib.html"), Duration::from_secs(240));
    assert!(text.len() > 10_000_000 && text.contains(PROSE));
}

#[test]
fn element_and_attribute_bombs_end_quickly() {
    let env = hostile_env(&[]);
    let server = Server::start();
    // 10 MB of empty elements would take gigabytes of DOM.
    server.set(
        "/elements.html",
        Response::html(article(&"<b></b>".repeat(1_400_000))),
    );
    let err = refused(&env, &server.url("/elements.html"), Duration::from_secs(20));
    assert_eq!(
        err,
        "page has more than 100000 elements, more than palimpsest reads"
    );

    // html5ever compares each attribute of a tag with all before it: 100,000 in one tag took
    // minutes; and 1,000 tags of 1,000 attributes each, their values holding `>`.
    let one_tag: String = (0..100_000).map(|i| format!(" a{i}")).collect();
    let many_tags: String = (0..1_000)
        .map(|_| {
            let attributes: String = (0..1_000).map(|i| format!(" a{i}=\">\"")).collect();
            format!("<i{attributes}>x</i>")
        })
        .collect();
    for (path, extra) in [
        ("/one-tag.html", format!("<div{one_tag}>x</div>")),
        ("/many-tags.html", many_tags),
    ] {
        server.set(path, Response::html(article(&extra)));
        let (_, text) = archived(&env, &server.url(path), Duration::from_secs(60));
        assert!(text.contains(PROSE), "{text}");
    }
}
