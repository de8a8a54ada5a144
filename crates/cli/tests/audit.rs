//! `vanthu audit checkpoint` and `vanthu audit verify` as real processes: the agency key's password
//! comes from the environment (which an in-process test cannot set), and the verification counts
//! the checkpoint.

#![expect(
    clippy::unwrap_used,
    reason = "test support code: a failed unwrap is a failed test"
)]

use std::path::Path;
use std::process::{Command, Output};

use testkit::{TestApp, TestDb, oracles};

fn vanthu(args: &[&str], password_env: Option<(&str, &str)>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    command.args(args).env_remove("VANTHU_KEY_PASSWORD");
    if let Some((name, value)) = password_env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// A configuration file for the test app's database and blobs.
fn config_for(test: &TestApp, dir: &Path) -> String {
    let path = dir.join("vanthu.toml");
    std::fs::write(&path, test.config_file_text()).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_signed_from_the_command_line_is_verified() {
    let test = TestApp::start(TestDb::sqlite().unwrap()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(&test, dir.path());
    let seal = oracles::certs_dev()
        .join("seal-rsa.p12")
        .display()
        .to_string();
    let checkpoint = [
        "--config",
        config.as_str(),
        "audit",
        "checkpoint",
        "--p12",
        seal.as_str(),
    ];

    let missing = vanthu(&checkpoint, None);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("VANTHU_KEY_PASSWORD"),
        "{missing:?}"
    );
    let wrong = vanthu(&checkpoint, Some(("VANTHU_KEY_PASSWORD", "wrong")));
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("[key.wrong_password]"),
        "{wrong:?}"
    );

    let mut named = checkpoint.to_vec();
    named.extend(["--password-env", "AGENCY_SEAL_PASSWORD"]);
    let signed = vanthu(&named, Some(("AGENCY_SEAL_PASSWORD", "vanthu-dev")));
    let stdout = String::from_utf8_lossy(&signed.stdout);
    assert!(signed.status.success(), "{signed:?}");
    assert!(
        stdout.starts_with("checkpoint signed by CN=UBND phường Ngô Quyền (DEV ONLY)"),
        "{stdout}"
    );

    let verified = vanthu(&["--config", config.as_str(), "audit", "verify"], None);
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{verified:?}");
    assert!(
        stdout.contains("audit trail intact") && stdout.contains("1 signed checkpoints hold"),
        "{stdout}"
    );
}
