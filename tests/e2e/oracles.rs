//! The test services and the external validators, proved on their own, without Vanthu's signer:
//! the dev TSA and OCSP responder against the openssl command line, the SoftHSM2 token against
//! OpenSC's pkcs11-tool, and pyHanko, pdfsig, qpdf and poppler on PDFs signed by pyHanko itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::oracles::{self, OracleOutput};
use testkit::services::{DevOcsp, DevTsa};
use testkit::softhsm::{KEY_ID, Token};

fn certs(name: &str) -> PathBuf {
    oracles::certs_dev().join(name)
}

/// Runs a command, returning what it said; the test judges.
fn run(command: &mut Command) -> OracleOutput {
    let output = command.output().unwrap();
    OracleOutput {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn openssl(args: &[&str]) -> OracleOutput {
    run(Command::new("openssl").args(args))
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Signs `input` with pyHanko (PAdES, certs-dev `key`), optionally with a timestamp from `tsa`.
fn pyhanko_sign(input: &Path, output: &Path, key: &str, tsa: Option<&str>) {
    let mut args = vec![
        "sign".to_owned(),
        "addsig".to_owned(),
        "--field".to_owned(),
        "Signature1".to_owned(),
        "--use-pades".to_owned(),
    ];
    if let Some(url) = tsa {
        args.extend(["--timestamp-url".to_owned(), url.to_owned()]);
    }
    args.extend(
        [
            "pemder",
            "--no-pass",
            "--key",
            path(&certs(&format!("{key}.key.pem"))),
            "--cert",
            path(&certs(&format!("{key}.pem"))),
            "--chain",
            path(&certs("chain.pem")),
            path(input),
            path(output),
        ]
        .map(str::to_owned),
    );
    let signed = oracles::pyhanko(&args).unwrap();
    assert!(signed.success, "pyHanko could not sign:\n{signed}");
}

#[tokio::test]
async fn the_dev_tsa_answers_an_openssl_query_that_openssl_verifies() {
    let tsa = DevTsa::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.txt");
    let query = dir.path().join("query.tsq");
    std::fs::write(&data, "Quyết định số 12/QĐ-UBND").unwrap();
    let made = openssl(&[
        "ts",
        "-query",
        "-data",
        path(&data),
        "-sha256",
        "-cert",
        "-out",
        path(&query),
    ]);
    assert!(made.success, "{made}");

    let client = reqwest::Client::new();
    let response = client
        .post(&tsa.url)
        .header("content-type", "application/timestamp-query")
        .body(std::fs::read(&query).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/timestamp-reply"
    );
    let reply = dir.path().join("reply.tsr");
    std::fs::write(&reply, response.bytes().await.unwrap()).unwrap();

    let verified = openssl(&[
        "ts",
        "-verify",
        "-data",
        path(&data),
        "-in",
        path(&reply),
        "-CAfile",
        path(&certs("root-ca.pem")),
        "-untrusted",
        path(&certs("chain.pem")),
    ]);
    assert!(verified.success, "{verified}");
    assert!(verified.stdout.contains("Verification: OK"), "{verified}");
    let text = openssl(&["ts", "-reply", "-in", path(&reply), "-text"]);
    assert!(text.stdout.contains("Status: Granted."), "{text}");
    // openssl's default configuration names 1.2.3.4.1 "tsa_policy1".
    assert!(
        text.stdout.contains("Policy OID: 1.2.3.4.1")
            || text.stdout.contains("Policy OID: tsa_policy1"),
        "{text}"
    );
    assert!(text.stdout.contains("Hash Algorithm: sha256"), "{text}");
    assert!(text.stdout.contains("Ordering: yes"), "{text}");

    let wrong_type = client
        .post(&tsa.url)
        .header("content-type", "application/octet-stream")
        .body(std::fs::read(&query).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(tsa.requests(), 2);
}

#[tokio::test]
async fn the_dev_ocsp_responder_says_good_for_the_leader_and_revoked_for_revoked_rsa() {
    let ocsp = DevOcsp::start().await.unwrap();
    let asked = tokio::task::spawn_blocking({
        let url = ocsp.url.clone();
        move || {
            openssl(&[
                "ocsp",
                "-issuer",
                path(&certs("intermediate-ca.pem")),
                "-cert",
                path(&certs("leader-rsa.pem")),
                "-cert",
                path(&certs("revoked-rsa.pem")),
                "-cert",
                path(&certs("tsa.pem")),
                "-url",
                &url,
                "-CAfile",
                path(&certs("root-ca.pem")),
            ])
        }
    })
    .await
    .unwrap();
    assert!(asked.success, "{asked}");
    assert!(asked.stderr.contains("Response verify OK"), "{asked}");
    assert!(asked.stdout.contains("leader-rsa.pem: good"), "{asked}");
    assert!(asked.stdout.contains("revoked-rsa.pem: revoked"), "{asked}");
    assert!(
        asked
            .stdout
            .contains("Revocation Time: Jan  1 00:00:00 2024 GMT"),
        "{asked}"
    );
    assert!(asked.stdout.contains("tsa.pem: good"), "{asked}");
    assert_eq!(ocsp.requests(), 1);

    // The CRLs that the certificates point to, in DER.
    let dir = tempfile::tempdir().unwrap();
    for issuer in ["intermediate", "root-ca"] {
        let response = reqwest::get(ocsp.crl_url(issuer)).await.unwrap();
        assert_eq!(response.status(), 200);
        let crl = dir.path().join(format!("{issuer}.crl"));
        std::fs::write(&crl, response.bytes().await.unwrap()).unwrap();
        let parsed = openssl(&["crl", "-inform", "DER", "-in", path(&crl), "-noout"]);
        assert!(parsed.success, "{issuer}: {parsed}");
    }

    // Garbage gets an OCSP malformedRequest, not an HTTP error.
    let garbage = reqwest::Client::new()
        .post(&ocsp.url)
        .header("content-type", "application/ocsp-request")
        .body(&b"not DER"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 200);
    assert_eq!(
        garbage.bytes().await.unwrap().as_ref(),
        &[0x30, 0x03, 0x0a, 0x01, 0x01]
    );
}

#[test]
fn the_well_known_ocsp_responder_is_shared_within_the_process() {
    let first = DevOcsp::start_well_known_blocking().unwrap();
    let second = DevOcsp::start_well_known_blocking().unwrap();
    assert_eq!(first.url, "http://127.0.0.1:8788/ocsp");
    assert_eq!(second.url, first.url);
    drop(first);
    let asked = openssl(&[
        "ocsp",
        "-issuer",
        path(&certs("intermediate-ca.pem")),
        "-cert",
        path(&certs("seal-p256.pem")),
        "-url",
        &second.url,
        "-CAfile",
        path(&certs("root-ca.pem")),
    ]);
    assert!(asked.stdout.contains("seal-p256.pem: good"), "{asked}");
    assert_eq!(second.requests(), 1);
}

#[test]
fn a_softhsm_token_holds_the_dev_rsa_key_and_signs_with_it() {
    let token = Token::with_dev_key("leader-rsa").unwrap();
    assert!(token.label.len() <= 32);
    let listed = token.pkcs11_tool(&["--list-objects"]).unwrap();
    assert!(listed.success, "{listed}");
    assert!(
        listed.stdout.contains("Private Key Object; RSA"),
        "{listed}"
    );
    assert!(listed.stdout.contains("label:      leader-rsa"), "{listed}");
    assert!(listed.stdout.contains("Certificate Object"), "{listed}");

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let signature = dir.path().join("signature");
    std::fs::write(&data, b"%PDF-1.7 bytes to sign").unwrap();
    let signed = token
        .pkcs11_tool(&[
            "--sign",
            "-m",
            "SHA256-RSA-PKCS",
            "--id",
            KEY_ID,
            "-i",
            path(&data),
            "-o",
            path(&signature),
        ])
        .unwrap();
    assert!(signed.success, "{signed}");
    let public_key = dir.path().join("public.pem");
    let extracted = openssl(&[
        "x509",
        "-in",
        path(&token.certificate),
        "-pubkey",
        "-noout",
        "-out",
        path(&public_key),
    ]);
    assert!(extracted.success, "{extracted}");
    let verified = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        path(&public_key),
        "-signature",
        path(&signature),
        path(&data),
    ]);
    assert!(verified.stdout.contains("Verified OK"), "{verified}");
}

#[test]
fn a_softhsm_token_holds_the_dev_p256_key_and_signs_a_digest_with_ecdsa() {
    let token = Token::with_dev_key("seal-p256").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let digest = dir.path().join("digest");
    let signature = dir.path().join("signature");
    std::fs::write(&data, b"con dau").unwrap();
    let hashed = openssl(&[
        "dgst",
        "-sha256",
        "-binary",
        "-out",
        path(&digest),
        path(&data),
    ]);
    assert!(hashed.success, "{hashed}");
    // SoftHSM 2.6 has CKM_ECDSA only: the digest is computed outside the token.
    let signed = token
        .pkcs11_tool(&[
            "--sign",
            "-m",
            "ECDSA",
            "--signature-format",
            "openssl",
            "--id",
            KEY_ID,
            "-i",
            path(&digest),
            "-o",
            path(&signature),
        ])
        .unwrap();
    assert!(signed.success, "{signed}");
    let public_key = dir.path().join("public.pem");
    let extracted = openssl(&[
        "x509",
        "-in",
        path(&token.certificate),
        "-pubkey",
        "-noout",
        "-out",
        path(&public_key),
    ]);
    assert!(extracted.success, "{extracted}");
    let verified = openssl(&[
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        path(&public_key),
        "-in",
        path(&digest),
        "-sigfile",
        path(&signature),
    ]);
    assert!(
        verified.stdout.contains("Signature Verified Successfully"),
        "{verified}"
    );
}

#[test]
fn pyhanko_runs_and_finds_no_signature_in_an_unsigned_pdf() {
    let version = oracles::pyhanko(&["--version"]).unwrap();
    assert!(version.success, "{version}");
    assert!(version.stdout.contains("0.38.0"), "{version}");

    let unsigned = oracles::temp_pdf(&testkit::minimal_pdf("Unsigned")).unwrap();
    let validated = oracles::pyhanko_validate(unsigned.path(), &certs("root-ca.pem")).unwrap();
    assert!(validated.success, "{validated}");
    assert!(validated.stdout.trim().is_empty(), "{validated}");
    let summary =
        oracles::pyhanko_validate_summary(unsigned.path(), &certs("root-ca.pem")).unwrap();
    assert!(summary.stdout.trim().is_empty(), "{summary}");

    let pdfsig = oracles::pdfsig(unsigned.path(), &certs("root-ca.pem")).unwrap();
    assert!(
        pdfsig.stdout.contains("does not contain any signatures"),
        "{pdfsig}"
    );
}

#[test]
fn qpdf_and_poppler_accept_the_minimal_pdf() {
    let pdf = oracles::temp_pdf(&testkit::pdf_with_pages(&["First page", "Second page"])).unwrap();
    let checked = oracles::qpdf_check(pdf.path()).unwrap();
    assert!(checked.success, "{checked}");
    assert!(
        checked
            .stdout
            .contains("No syntax or stream encoding errors"),
        "{checked}"
    );
    let text = oracles::pdftotext(pdf.path()).unwrap();
    assert!(
        text.contains("First page") && text.contains("Second page"),
        "{text}"
    );
    let png = oracles::pdftoppm_png(pdf.path(), 2, 36).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    let broken = oracles::temp_pdf(b"%PDF-1.7\nnot a PDF\n").unwrap();
    assert!(!oracles::qpdf_check(broken.path()).unwrap().success);
}

/// The validators pass a pyHanko B-T signature (timestamped by the dev TSA) with revocation
/// checking on, and refuse a revoked signer and a flipped byte: the oracles judge, not rubber-stamp.
#[tokio::test]
async fn the_oracles_accept_a_pyhanko_signature_and_refuse_a_revoked_or_altered_one() {
    let tsa = DevTsa::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("unsigned.pdf");
    std::fs::write(&input, testkit::minimal_pdf("Ky so")).unwrap();
    let root = certs("root-ca.pem");

    let good = dir.path().join("good.pdf");
    pyhanko_sign(&input, &good, "leader-rsa", Some(&tsa.url));
    // pyHanko asks once for a dummy token to size /Contents, then for the real one.
    assert!(tsa.requests() >= 1);
    let validated = oracles::pyhanko_validate(&good, &root).unwrap();
    assert!(validated.success, "{validated}");
    assert_eq!(validated.lines_containing("INTACT:TRUSTED").len(), 1);
    assert!(
        validated.stdout.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"),
        "{validated}"
    );
    let summary = oracles::pyhanko_validate_summary(&good, &root).unwrap();
    assert!(summary.success, "{summary}");
    assert!(summary.stdout.trim_end().ends_with(":VALID"), "{summary}");
    let pdfsig = oracles::pdfsig(&good, &root).unwrap();
    assert!(pdfsig.stdout.contains("Signature is Valid."), "{pdfsig}");
    assert!(
        pdfsig.stdout.contains("Certificate is Trusted."),
        "{pdfsig}"
    );
    assert!(pdfsig.stdout.contains("ETSI.CAdES.detached"), "{pdfsig}");
    assert!(oracles::qpdf_check(&good).unwrap().success);

    let revoked = dir.path().join("revoked.pdf");
    pyhanko_sign(&input, &revoked, "revoked-rsa", None);
    let refused = oracles::pyhanko_validate(&revoked, &root).unwrap();
    assert!(!refused.success, "{refused}");
    assert!(refused.stderr.contains("revoked"), "{refused}");

    let mut altered = std::fs::read(&good).unwrap();
    let at = altered
        .windows(b"Ky so".len())
        .position(|window| window == b"Ky so")
        .unwrap();
    altered[at] = b'k';
    let altered_path = dir.path().join("altered.pdf");
    std::fs::write(&altered_path, altered).unwrap();
    let refused = oracles::pyhanko_validate(&altered_path, &root).unwrap();
    assert!(!refused.success, "{refused}");
    let pdfsig = oracles::pdfsig(&altered_path, &root).unwrap();
    assert!(pdfsig.stdout.contains("Digest Mismatch"), "{pdfsig}");
}
