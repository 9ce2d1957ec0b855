//! README.md's offline demo works as shown: its shell block is run with the built binary.

use crate::common::{TestEnv, git};
use std::path::Path;

#[test]
fn offline_demo_runs_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("### A demo that runs offline")
        .nth(1)
        .expect("the demo section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its shell block");
    let env = TestEnv::bare();
    // The demo writes under /tmp; here it writes under the test's own folder.
    let tmp = env.dir.path().to_str().unwrap();
    let script = format!("set -eu\n{}", block.replace("/tmp/", &format!("{tmp}/")));
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_palimpsest"))
        .parent()
        .unwrap();
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", binary_dir.display()),
        )
        .env("HOME", env.dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("[-势-]{+肆+}"),
        "the demo shows the one-character edit:\n{stdout}"
    );
    let archive = env.dir.path().join("palimpsest-demo");
    assert_eq!(git::changes(&archive), ["new", "body"]);
}
