//! Vanthu's validator agrees with pyHanko on a corpus of signed PDFs, made by Vanthu and by pyHanko:
//! valid signatures at every level, serial signatures, certification followed by form filling, and
//! the negative cases (a flipped byte, a changed page, an untrusted root, an expired or revoked
//! certificate, a truncated file, a signature cut short).
//!
//! The vocabularies map as follows (documented in ARCHITECTURE.md):
//! pyHanko `INTACT:TRUSTED` with no `ILLEGAL_MODIFICATIONS` ⇔ PASSED;
//! pyHanko `INTACT:UNTRUSTED` (no trusted chain, expired certificate, revocation unknown) ⇔
//! INDETERMINATE; pyHanko `INVALID`, `ILLEGAL_MODIFICATIONS`, `REVOKED`, or a file it cannot
//! validate ⇔ FAILED, or (for a file that is no longer a PDF) exit code 3.

use std::path::{Path, PathBuf};

use testkit::oracles;
use testkit::services::{DevOcsp, DevTsa};

use crate::signing::{certs, demo_plan, now, p12, root, sign_request};

/// What a validator concluded about a whole file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Passed,
    Indeterminate,
    Failed,
}

fn pyhanko_verdict(pdf: &Path, trust: &Path) -> (Verdict, String) {
    let output = oracles::pyhanko_validate(pdf, trust).unwrap();
    let text = format!("{}\n{}", output.stdout, output.stderr);
    let lines: Vec<&str> = output
        .stdout
        .lines()
        .filter(|line| line.contains(':'))
        .collect();
    let verdict = if text.contains("INVALID")
        || text.contains("ILLEGAL_MODIFICATIONS")
        || text.contains("REVOKED")
    {
        Verdict::Failed
    } else if output.success
        && !lines.is_empty()
        && lines.iter().all(|line| line.contains(":INTACT:TRUSTED"))
    {
        Verdict::Passed
    } else if lines.iter().any(|line| line.contains(":INTACT:UNTRUSTED")) {
        Verdict::Indeterminate
    } else {
        // pyHanko could not even read the signature (truncated file, broken CMS).
        Verdict::Failed
    };
    (verdict, text)
}

fn vanthu_verdict(pdf: &Path, trust: &Path) -> (Verdict, serde_json::Value, u8) {
    let (verdict, json, _, exit_code) = vanthu_report(pdf, trust);
    (verdict, json, exit_code)
}

fn vanthu_report(pdf: &Path, trust: &Path) -> (Verdict, serde_json::Value, String, u8) {
    let request = app::verification::VerifyFileRequest {
        input: pdf.to_path_buf(),
        trust: vec![trust.to_path_buf()],
        offline: false,
        password: None,
    };
    let outcome = app::verification::verify_file(&request, now_real()).unwrap();
    let verdict = match outcome.exit_code {
        0 => Verdict::Passed,
        2 => Verdict::Indeterminate,
        _ => Verdict::Failed,
    };
    (verdict, outcome.json, outcome.text, outcome.exit_code)
}

/// Validation happens "now": the dev TSA stamps with the real clock, so the validator must not run
/// before the timestamps it reads.
#[expect(
    clippy::disallowed_methods,
    reason = "the dev TSA and responder use the real clock"
)]
fn now_real() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

struct Case {
    name: &'static str,
    file: PathBuf,
    trust: PathBuf,
    expected: Verdict,
    /// A reason code the report must contain (for negative cases).
    reason: Option<&'static str>,
}

fn pyhanko_sign(input: &Path, output: &Path, field: &str, key: &str, extra: &[&str]) {
    let mut args: Vec<String> = vec![
        "sign".into(),
        "addsig".into(),
        "--field".into(),
        field.into(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    args.extend(["pemder".into(), "--no-pass".into(), "--key".into()]);
    args.push(certs(&format!("{key}.key.pem")).display().to_string());
    args.push("--cert".into());
    args.push(certs(&format!("{key}.pem")).display().to_string());
    args.push("--chain".into());
    args.push(certs("chain.pem").display().to_string());
    args.push(input.display().to_string());
    args.push(output.display().to_string());
    let output = oracles::pyhanko(&args).unwrap();
    assert!(output.success, "pyHanko signing failed: {output}");
}

fn vanthu_sign(
    dir: &Path,
    name: &str,
    input: &[u8],
    key: &str,
    level: &str,
    tsa: &DevTsa,
    ocsp: &DevOcsp,
) -> PathBuf {
    let case_dir = dir.join(name);
    std::fs::create_dir_all(&case_dir).unwrap();
    let mut request = sign_request(&case_dir, input, p12(key), level);
    request.tsa_url = Some(tsa.url.clone());
    request.ocsp_url = Some(ocsp.url.clone());
    request.field = Some(format!("Sig_{name}"));
    app::signing::sign_file(&request, now()).unwrap();
    request.output
}

/// Fills the form's `ghi_chu` text field of `input` (form filling after a certification) into
/// `output`.
fn fill_note(input: &Path, output: &Path) -> PathBuf {
    let limits = pdf::Limits::untrusted_upload();
    let filled = pdf::fill_text_field(
        &std::fs::read(input).unwrap(),
        "ghi_chu",
        "Đã xem xét",
        11.0,
        &limits,
    )
    .unwrap();
    std::fs::write(output, filled).unwrap();
    output.to_path_buf()
}

fn build_corpus(dir: &Path, tsa: &DevTsa, ocsp: &DevOcsp) -> Vec<Case> {
    let plan = demo_plan();
    let case = |name, file, expected, reason| Case {
        name,
        file,
        trust: root(),
        expected,
        reason,
    };
    let mut cases = Vec::new();

    let rsa = vanthu_sign(dir, "rsa_bb", &plan, "leader-rsa", "b-b", tsa, ocsp);
    cases.push(case("vanthu RSA B-B", rsa.clone(), Verdict::Passed, None));
    cases.push(case(
        "vanthu P-256 B-T",
        vanthu_sign(dir, "ec_bt", &plan, "leader-p256", "b-t", tsa, ocsp),
        Verdict::Passed,
        None,
    ));
    cases.push(case(
        "vanthu B-LT",
        vanthu_sign(dir, "blt", &plan, "seal-rsa", "b-lt", tsa, ocsp),
        Verdict::Passed,
        None,
    ));
    let blta = vanthu_sign(dir, "blta", &plan, "seal-p256", "b-lta", tsa, ocsp);
    cases.push(case("vanthu B-LTA", blta, Verdict::Passed, None));
    let serial = vanthu_sign(
        dir,
        "serial",
        &std::fs::read(&rsa).unwrap(),
        "seal-rsa",
        "b-t",
        tsa,
        ocsp,
    );
    cases.push(case(
        "vanthu serial signatures",
        serial,
        Verdict::Passed,
        None,
    ));

    let plain = dir.join("plain.pdf");
    std::fs::write(&plain, &plan).unwrap();
    let by_pyhanko = dir.join("pyhanko.pdf");
    pyhanko_sign(&plain, &by_pyhanko, "PyHanko", "leader-p256", &[]);
    cases.push(case("pyHanko P-256", by_pyhanko, Verdict::Passed, None));

    // Certification (DocMDP, form filling allowed) followed by form filling.
    let limits = pdf::Limits::untrusted_upload();
    let with_fields = pdf::add_fields(
        &testkit::pdf_with_pages(&["BIEU MAU"]),
        &[
            pdf::FieldSpec {
                name: "ghi_chu".into(),
                kind: pdf::FieldKind::Text,
                page: 1,
                rect: Some([72.0, 600.0, 300.0, 620.0]),
            },
            pdf::FieldSpec {
                name: "chung_nhan".into(),
                kind: pdf::FieldKind::Signature,
                page: 1,
                rect: None,
            },
        ],
        &limits,
    )
    .unwrap();
    let form = dir.join("form.pdf");
    std::fs::write(&form, with_fields).unwrap();
    let certified = dir.join("certified.pdf");
    pyhanko_sign(&form, &certified, "chung_nhan", "seal-rsa", &["--certify"]);
    let filled_path = fill_note(&certified, &dir.join("certified-filled.pdf"));
    cases.push(case(
        "certification then form filling",
        filled_path,
        Verdict::Passed,
        None,
    ));

    // Certification that forbids every change (DocMDP P 1), then form filling: not allowed.
    let locked = dir.join("certified-locked.pdf");
    let script = "import sys\nfrom pyhanko.sign import signers, fields\nfrom pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter\n\
signer = signers.SimpleSigner.load(sys.argv[3], sys.argv[4], ca_chain_files=(sys.argv[5],))\n\
meta = signers.PdfSignatureMetadata(field_name='chung_nhan', certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES)\n\
with open(sys.argv[1], 'rb') as inf, open(sys.argv[2], 'wb') as outf:\n    signers.sign_pdf(IncrementalPdfFileWriter(inf), meta, signer=signer, output=outf)\n";
    let output = std::process::Command::new(oracles::oracles_venv().join("bin/python"))
        .arg("-c")
        .arg(script)
        .arg(&form)
        .arg(&locked)
        .arg(certs("seal-rsa.key.pem"))
        .arg(certs("seal-rsa.pem"))
        .arg(certs("chain.pem"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let locked_filled_path = fill_note(&locked, &dir.join("certified-locked-filled.pdf"));
    cases.push(case(
        "locked certification then filling",
        locked_filled_path,
        Verdict::Failed,
        Some("MODIFIED_AFTER_SIGNING"),
    ));

    // A flipped byte inside the signed range.
    let mut flipped = std::fs::read(&rsa).unwrap();
    let position = flipped.len() / 4;
    flipped[position] ^= 0x01;
    let flipped_path = dir.join("flipped.pdf");
    std::fs::write(&flipped_path, flipped).unwrap();
    cases.push(case(
        "flipped byte",
        flipped_path,
        Verdict::Failed,
        Some("HASH_FAILURE"),
    ));

    // A later revision that changes page content.
    let changed =
        testkit::append_page_content_change(&std::fs::read(&rsa).unwrap(), "Noi dung da bi sua")
            .unwrap();
    let changed_path = dir.join("changed.pdf");
    std::fs::write(&changed_path, changed).unwrap();
    cases.push(case(
        "page changed after signing",
        changed_path,
        Verdict::Failed,
        Some("MODIFIED_AFTER_SIGNING"),
    ));

    // An untrusted root: trust only a certificate that is not the signer's root.
    cases.push(Case {
        name: "untrusted root",
        file: rsa.clone(),
        trust: certs("seal-rsa.pem"),
        expected: Verdict::Indeterminate,
        reason: Some("NO_CERTIFICATE_CHAIN_FOUND"),
    });

    // An expired and a revoked certificate (pyHanko signs with them; Vanthu refuses to).
    let expired = dir.join("expired.pdf");
    pyhanko_sign(&plain, &expired, "Expired", "expired-rsa", &[]);
    cases.push(case(
        "expired certificate",
        expired,
        Verdict::Indeterminate,
        Some("EXPIRED"),
    ));
    let revoked = dir.join("revoked.pdf");
    pyhanko_sign(&plain, &revoked, "Revoked", "revoked-rsa", &[]);
    cases.push(case(
        "revoked certificate",
        revoked,
        Verdict::Failed,
        Some("REVOKED"),
    ));

    // A truncated file, and a signature whose /Contents was cut short.
    let signed = std::fs::read(&rsa).unwrap();
    let truncated = dir.join("truncated.pdf");
    std::fs::write(&truncated, &signed[..signed.len() - 700]).unwrap();
    cases.push(case("truncated file", truncated, Verdict::Failed, None));
    let signatures = pdf::signatures(&signed, &limits).unwrap();
    let hole_start = signatures[0].byte_range[1] + 1;
    let cms_hex_len = signatures[0].contents.len() * 2;
    let mut cut = signed.clone();
    for byte in &mut cut[hole_start + cms_hex_len / 2..hole_start + cms_hex_len] {
        *byte = b'0';
    }
    let cut_path = dir.join("cut.pdf");
    std::fs::write(&cut_path, cut).unwrap();
    cases.push(case(
        "signature cut short",
        cut_path,
        Verdict::Failed,
        Some("FORMAT_FAILURE"),
    ));
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanthu_agrees_with_pyhanko_on_the_corpus() {
    let tsa = DevTsa::start().await.unwrap();
    let ocsp = DevOcsp::start().await.unwrap();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let corpus = build_corpus(dir.path(), &tsa, &ocsp);
        // The certificates name 127.0.0.1:8788 for OCSP and CRLs: keep that responder up for both
        // validators (pyHanko's runner shares it).
        let _responder = DevOcsp::start_well_known_blocking().unwrap();
        let mut disagreements = Vec::new();
        for case in &corpus {
            let (pyhanko, pyhanko_text) = pyhanko_verdict(&case.file, &case.trust);
            let (vanthu, report, text, exit_code) = vanthu_report(&case.file, &case.trust);
            let reasons: Vec<String> = report["signatures"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|signature| signature["reasons"].as_array().cloned().unwrap_or_default())
                .filter_map(|reason| reason.as_str().map(str::to_owned))
                .collect();
            // The reason is in the JSON and in the text, and the exit code says what the verdict says.
            let reason_ok = case.reason.is_none_or(|reason| {
                reasons.iter().any(|found| found == reason) && text.contains(reason)
            });
            let expected_exit = match case.expected {
                Verdict::Passed => vec![0],
                Verdict::Indeterminate => vec![2],
                Verdict::Failed => vec![1, 3],
            };
            let reason_ok = reason_ok && expected_exit.contains(&exit_code);
            eprintln!("{:<34} pyHanko {:<13} Vanthu {:<13} {reasons:?}", case.name, format!("{pyhanko:?}"), format!("{vanthu:?}"));
            if pyhanko != case.expected || vanthu != case.expected || !reason_ok {
                disagreements.push(format!(
                    "{}: expected {:?}; pyHanko {:?}; Vanthu {:?} (exit {exit_code}, reasons {reasons:?})\n  pyHanko said: {}\n  Vanthu said: {}",
                    case.name, case.expected, pyhanko, vanthu, pyhanko_text.trim(), report
                ));
            }
        }
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
    })
    .await
    .unwrap();
}

#[test]
fn verify_exit_codes_and_the_text_report() {
    let dir = tempfile::tempdir().unwrap();
    let not_pdf = dir.path().join("x.pdf");
    std::fs::write(&not_pdf, b"not a pdf").unwrap();
    let (_, report, exit_code) = vanthu_verdict(&not_pdf, &root());
    assert_eq!(exit_code, 3, "{report}");
    let (_, _, missing) = vanthu_verdict(&dir.path().join("missing.pdf"), &root());
    assert_eq!(missing, 3);
    let unsigned = dir.path().join("unsigned.pdf");
    std::fs::write(&unsigned, testkit::minimal_pdf("x")).unwrap();
    let (verdict, report, exit_code) = vanthu_verdict(&unsigned, &root());
    assert_eq!(
        (verdict, exit_code),
        (Verdict::Indeterminate, 2),
        "{report}"
    );
}

/// A certificate that may not sign documents (an OCSP responder's, a TSA's) does not make a valid
/// document signature, whatever its chain.
#[test]
fn a_service_certificate_is_not_a_document_signer() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    std::fs::write(&plain, testkit::minimal_pdf("x")).unwrap();
    for key in ["ocsp", "tsa"] {
        let signed = dir.path().join(format!("{key}.pdf"));
        pyhanko_sign(&plain, &signed, "Sig", key, &[]);
        let request = app::verification::VerifyFileRequest {
            input: signed,
            trust: vec![root()],
            offline: true,
            password: None,
        };
        let outcome = app::verification::verify_file(&request, now_real()).unwrap();
        let reasons = outcome.json["signatures"][0]["reasons"].to_string();
        assert!(
            reasons.contains("CHAIN_CONSTRAINTS_FAILURE"),
            "{key}: {}",
            outcome.json
        );
        assert_ne!(outcome.exit_code, 0, "{key}");
    }
}

/// Offline, a B-LTA file carries everything it needs: PASSED at level B-LTA, document timestamp
/// included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_b_lta_file_validates_offline_at_its_level() {
    let tsa = DevTsa::start().await.unwrap();
    let ocsp = DevOcsp::start().await.unwrap();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let signed = vanthu_sign(
            dir.path(),
            "lta",
            &demo_plan(),
            "leader-rsa",
            "b-lta",
            &tsa,
            &ocsp,
        );
        let request = app::verification::VerifyFileRequest {
            input: signed,
            trust: vec![root()],
            offline: true,
            password: None,
        };
        let outcome = app::verification::verify_file(&request, now_real()).unwrap();
        assert_eq!(outcome.exit_code, 0, "{}", outcome.json);
        assert_eq!(
            outcome.json["signatures"][0]["level"], "B-LTA",
            "{}",
            outcome.json
        );
        assert_eq!(
            outcome.json["signatures"][1]["type"], "document_timestamp",
            "{}",
            outcome.json
        );
    })
    .await
    .unwrap();
}
