//! `vanthu sign` as a real process: the key's password comes from the environment, the output is
//! judged by pyHanko, and refusals are plain errors with a non-zero exit.

#![expect(
    clippy::unwrap_used,
    reason = "test support code: a failed unwrap is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testkit::oracles;

fn vanthu(args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    command.args(args).env_remove("VANTHU_KEY_PASSWORD");
    if let Some(password) = password {
        command.env("VANTHU_KEY_PASSWORD", password);
    }
    command.output().unwrap()
}

fn certs(name: &str) -> String {
    oracles::certs_dev().join(name).display().to_string()
}

fn demo_plan(dir: &Path) -> PathBuf {
    let path = dir.join("ke-hoach.pdf");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../app/demo/ke-hoach-cai-cach-hanh-chinh-2024.pdf"
        ),
        &path,
    )
    .unwrap();
    path
}

#[test]
fn signs_with_a_password_from_the_environment_and_never_overwrites_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = demo_plan(dir.path());
    let original = std::fs::read(&input).unwrap();
    let output = dir.path().join("da-ky.pdf");
    let image = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pdf/test_data/signature-blue.png"
    );
    let (input_text, output_text, root) = (
        input.to_str().unwrap(),
        output.to_str().unwrap(),
        certs("root-ca.pem"),
    );
    let p12 = certs("leader-rsa.p12");

    let run = vanthu(
        &[
            "sign",
            input_text,
            "-o",
            output_text,
            "--p12",
            &p12,
            "--trust",
            &root,
            "--visible",
            "2:330,300,200,80",
            "--image",
            image,
            "--reason",
            "Phê duyệt",
            "--json",
        ],
        Some("vanthu-dev"),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["level"], "B-B");
    let pyhanko = oracles::pyhanko_validate(&output, Path::new(&root)).unwrap();
    assert!(
        pyhanko.success && pyhanko.stdout.contains(":INTACT:TRUSTED"),
        "{pyhanko}"
    );

    let same = vanthu(
        &[
            "sign", input_text, "-o", input_text, "--p12", &p12, "--trust", &root,
        ],
        Some("vanthu-dev"),
    );
    assert_eq!(same.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&same.stderr).contains("never overwrites its input"));
    assert_eq!(std::fs::read(&input).unwrap(), original);

    let wrong = vanthu(
        &[
            "sign",
            input_text,
            "-o",
            output_text,
            "--p12",
            &p12,
            "--trust",
            &root,
        ],
        Some("sai"),
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("key.wrong_password"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    let unset = vanthu(
        &[
            "sign",
            input_text,
            "-o",
            output_text,
            "--p12",
            &p12,
            "--trust",
            &root,
        ],
        None,
    );
    assert_eq!(unset.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unset.stderr).contains("VANTHU_KEY_PASSWORD"));

    let usage = vanthu(
        &["sign", input_text, "-o", output_text, "--trust", &root],
        Some("vanthu-dev"),
    );
    assert_eq!(
        usage.status.code(),
        Some(2),
        "no key named is a usage error"
    );
}
