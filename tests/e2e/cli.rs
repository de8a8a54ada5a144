//! The `vanthu` command line, in-process: dev certificates, refused production configurations, and
//! the audit check.

use std::ffi::OsString;
use std::process::ExitCode;

async fn vanthu(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    cli::run(args).await
}

#[tokio::test]
async fn dev_certs_writes_a_pki_whose_keys_open_with_the_documented_password() {
    let out = tempfile::tempdir().unwrap();
    let code = vanthu(&["dev-certs", "--out", out.path().to_str().unwrap()])
        .await
        .unwrap();
    assert_eq!(code, ExitCode::SUCCESS);
    for name in [
        "root-ca.pem",
        "intermediate-ca.pem",
        "leader-rsa.p12",
        "leader-p256.p12",
        "seal-rsa.p12",
        "tsa.p12",
        "ocsp.p12",
        "README.md",
    ] {
        assert!(out.path().join(name).is_file(), "{name} missing");
    }
    let readme = std::fs::read_to_string(out.path().join("README.md")).unwrap();
    assert!(readme.contains("DEV ONLY") && readme.contains("vanthu-dev"));
}

#[tokio::test]
async fn a_production_configuration_refuses_demo_data_and_dev_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vanthu.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/app/config.example.toml"
    ))
    .unwrap()
    .replace(
        "danger_allow_demo_data = false",
        "danger_allow_demo_data = true",
    )
    .replace(
        "danger_allow_dev_certificates = false",
        "danger_allow_dev_certificates = true",
    );
    std::fs::write(&config, text).unwrap();
    let error = vanthu(&[
        "--config",
        config.to_str().unwrap(),
        "serve",
        "--addr",
        "127.0.0.1:0",
    ])
    .await
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("danger_allow_demo_data")
            && message.contains("danger_allow_dev_certificates"),
        "{message}"
    );
}

#[tokio::test]
async fn audit_verify_reports_an_intact_demo_chain() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    // `migrate` on an empty data dir, then the chain is empty and intact.
    assert_eq!(
        vanthu(&["--data-dir", data_dir, "migrate"]).await.unwrap(),
        ExitCode::SUCCESS
    );
    assert_eq!(
        vanthu(&["--data-dir", data_dir, "audit", "verify", "--json"])
            .await
            .unwrap(),
        ExitCode::SUCCESS
    );
    // The (empty) archive is intact.
    assert_eq!(
        vanthu(&["--data-dir", data_dir, "archive", "verify", "--json"])
            .await
            .unwrap(),
        ExitCode::SUCCESS
    );
    // The search index is rebuilt from the (empty) database.
    assert_eq!(
        vanthu(&["--data-dir", data_dir, "reindex"]).await.unwrap(),
        ExitCode::SUCCESS
    );
    // An unknown subcommand is a usage error, not a crash.
    assert_eq!(
        vanthu(&["--data-dir", data_dir, "frobnicate"])
            .await
            .unwrap(),
        ExitCode::from(2)
    );
}
