//! PAdES signatures judged by independent validators (ORACLES.md): every level and key type, the
//! Decree 30 two-signature flow, signatures mixed with pyHanko's, tokens, two-phase signing, and the
//! inputs that must fail cleanly.

use std::path::{Path, PathBuf};

use app::signing::{HashChoice, KeySource, Placement, SignFileRequest};
use secrecy::SecretString;
use testkit::oracles;
use testkit::services::{DevOcsp, DevTsa};

/// The signing time of these tests: inside the dev PKI's validity.
pub(crate) fn now() -> time::OffsetDateTime {
    testkit::TEST_NOW
}

pub(crate) fn certs(name: &str) -> PathBuf {
    oracles::certs_dev().join(name)
}

pub(crate) fn root() -> PathBuf {
    certs("root-ca.pem")
}

pub(crate) fn p12(name: &str) -> KeySource {
    KeySource::Pkcs12 {
        path: certs(&format!("{name}.p12")),
        password: SecretString::from("vanthu-dev".to_owned()),
    }
}

pub(crate) fn demo_plan() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/app/demo/ke-hoach-cai-cach-hanh-chinh-2024.pdf"
    ))
    .unwrap()
}

pub(crate) fn sign_request(
    dir: &Path,
    input: &[u8],
    key: KeySource,
    level: &str,
) -> SignFileRequest {
    let input_path = dir.join("in.pdf");
    std::fs::write(&input_path, input).unwrap();
    SignFileRequest {
        input: input_path,
        output: dir.join("out.pdf"),
        key,
        level: level.to_owned(),
        tsa_url: None,
        ocsp_url: None,
        field: None,
        visible: None,
        image: None,
        reason: Some("Phê duyệt".to_owned()),
        location: Some("Phường Ngô Quyền".to_owned()),
        trust: vec![root()],
        document_password: None,
        crl_files: vec![certs("root-ca.crl")],
        preference: app::signing::preference(HashChoice::Sha256, false),
    }
}

/// Asserts what ORACLES.md counts as a pass for every signature of `pdf`.
fn assert_oracles_accept(pdf: &Path, signatures: usize, timestamped: bool) {
    let pyhanko = oracles::pyhanko_validate(pdf, &root()).unwrap();
    assert!(
        pyhanko.success,
        "pyHanko refused {}:\n{}\n{}",
        pdf.display(),
        pyhanko.stdout,
        pyhanko.stderr
    );
    assert!(
        pyhanko.stdout.matches(":INTACT:TRUSTED").count() >= signatures,
        "{}",
        pyhanko.stdout
    );
    assert!(
        !pyhanko.stdout.contains("ILLEGAL_MODIFICATIONS"),
        "{}",
        pyhanko.stdout
    );
    if timestamped {
        assert!(
            pyhanko.stdout.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"),
            "{}",
            pyhanko.stdout
        );
    }
    let pdfsig = oracles::pdfsig(pdf, &root()).unwrap();
    assert!(
        pdfsig.stdout.matches("Signature is Valid.").count() >= signatures,
        "{}",
        pdfsig.stdout
    );
    assert!(
        !pdfsig.stdout.contains("Digest Mismatch"),
        "{}",
        pdfsig.stdout
    );
    assert!(
        pdfsig.stdout.contains("ETSI.CAdES.detached"),
        "{}",
        pdfsig.stdout
    );
    let qpdf = oracles::qpdf_check(pdf).unwrap();
    assert!(qpdf.success, "qpdf: {}\n{}", qpdf.stdout, qpdf.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_level_and_key_type_passes_the_validators() {
    let tsa = DevTsa::start().await.unwrap();
    let ocsp = DevOcsp::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let original = demo_plan();
    for key in ["leader-rsa", "leader-p256", "seal-rsa", "seal-p256"] {
        for level in ["b-b", "b-t", "b-lt", "b-lta"] {
            let mut request = sign_request(dir.path(), &original, p12(key), level);
            request.tsa_url = Some(tsa.url.clone());
            request.ocsp_url = Some(ocsp.url.clone());
            let tsa_url = tsa.url.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                app::signing::sign_file(&request, now()).map(|outcome| (outcome, request.output))
            })
            .await
            .unwrap();
            let (outcome, output) =
                outcome.unwrap_or_else(|error| panic!("{key} {level} ({tsa_url}): {error}"));
            assert_eq!(outcome.level.to_lowercase(), level);
            let signed = std::fs::read(&output).unwrap();
            assert_eq!(
                &signed[..original.len()],
                original.as_slice(),
                "the original revision is byte-identical"
            );
            let checked = dir.path().join(format!("{key}-{level}.pdf"));
            std::fs::write(&checked, &signed).unwrap();
            assert_oracles_accept(&checked, 1, level != "b-b");
            if level == "b-lta" {
                let summary = oracles::pyhanko_validate(&checked, &root()).unwrap();
                assert!(
                    summary.stdout.contains("EXTENDED_WITH_LTA_UPDATES")
                        || summary.stdout.contains("LTA_UPDATES"),
                    "{}",
                    summary.stdout
                );
            }
        }
    }
}

fn software_signer(name: &str) -> std::sync::Arc<dyn crypto::Signer> {
    app::signing::load_signer(
        &p12(name),
        app::signing::preference(HashChoice::Sha256, false),
    )
    .unwrap()
}

fn test_asset(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../crates/pdf/test_data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The Decree 30 flow: draft with every field, the chairman signs (B-T), the clerk writes the number
/// and date, the clerk seals (B-LT). Both signatures stay valid and the number is an allowed change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_decree_30_flow_passes_pyhanko_with_both_signatures_intact() {
    let tsa = DevTsa::start().await.unwrap();
    let ocsp = DevOcsp::start().await.unwrap();
    let tsa_url = tsa.url.clone();
    let ocsp_url = ocsp.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let limits = pdf::Limits::untrusted_upload();
        let roots = crypto::Certificate::from_pem_bundle(&std::fs::read(root()).unwrap()).unwrap();
        let transport = pades::HttpTransport::new(std::time::Duration::from_secs(20));
        let crls = vec![std::fs::read(certs("root-ca.crl")).unwrap()];
        let layout = pades::decree30::DraftLayout {
            signature_page: 2,
            signature_box: [330.0, 300.0, 530.0, 380.0],
            header_page: 1,
            number_box: [60.0, 700.0, 260.0, 718.0],
            date_box: [300.0, 720.0, 540.0, 738.0],
        };
        // A draft as the drafter uploads it: the number and date are still blank.
        let original = testkit::pdf_with_pages(&["DU THAO KE HOACH", "TM. UY BAN NHAN DAN"]);
        let draft = pades::decree30::prepare_draft(&original, &layout, &limits).unwrap();
        let (width, height) = (200.0, 80.0);
        let signature_png = test_asset("signature-blue.png");
        let seal_png = test_asset("seal-red.png");

        let leader_look = pades::decree30::leader_appearance(&signature_png, width, height);
        let options = |field: &'static str, appearance, level| pades::SignOptions {
            level,
            field: pdf::FieldTarget::Existing(field),
            appearance,
            signing_time: now(),
            name: None,
            reason: None,
            location: Some("Phường Ngô Quyền"),
            trust_roots: &roots,
            timestamp: Some(pades::TimestampOptions {
                url: &tsa_url,
                hash: crypto::HashAlgorithm::Sha256,
            }),
            ocsp_url: Some(&ocsp_url),
            crls: &crls,
            transport: &transport,
            document_password: None,
            limits: &limits,
        };
        let leader = software_signer("leader-rsa");
        let signed_by_leader = pades::sign(
            &draft,
            leader.as_ref(),
            &options(
                pades::decree30::LEADER_FIELD,
                Some(&leader_look),
                pades::Level::BT,
            ),
        )
        .unwrap();

        let number = domain::number::NumberAndSymbol::parse("06/KH-UBND").unwrap();
        let date_line =
            domain::calendar::date_line("Phường Ngô Quyền", time::macros::date!(2024 - 01 - 10));
        let numbered =
            pades::decree30::write_number(&signed_by_leader, &number, &date_line, &limits).unwrap();

        let seal_look =
            pades::decree30::agency_appearance(&signature_png, &seal_png, width, height);
        let seal = software_signer("seal-rsa");
        let sealed = pades::sign(
            &numbered,
            seal.as_ref(),
            &options(
                pades::decree30::AGENCY_FIELD,
                Some(&seal_look),
                pades::Level::BLT,
            ),
        )
        .unwrap();
        assert_eq!(&sealed[..original.len()], original.as_slice());
        // Kept under target/ for a human to open after the run.
        let artifacts = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/e2e-artifacts"
        ));
        std::fs::create_dir_all(&artifacts).unwrap();
        std::fs::write(artifacts.join("decree30.pdf"), &sealed).unwrap();
        let path = dir_path.join("decree30.pdf");
        std::fs::write(&path, &sealed).unwrap();

        let pyhanko = oracles::pyhanko_validate(&path, &root()).unwrap();
        assert!(pyhanko.success, "{}\n{}", pyhanko.stdout, pyhanko.stderr);
        assert_eq!(
            pyhanko.stdout.matches(":INTACT:TRUSTED").count(),
            2,
            "{}",
            pyhanko.stdout
        );
        assert!(
            !pyhanko.stdout.contains("ILLEGAL_MODIFICATIONS"),
            "{}",
            pyhanko.stdout
        );
        assert_oracles_accept(&path, 2, true);

        let text = oracles::pdftotext(&path).unwrap();
        assert!(text.contains("Số: 06/KH-UBND"), "{text}");
        assert!(
            text.contains("Phường Ngô Quyền, ngày 10 tháng 01 năm 2024"),
            "{text}"
        );
        // The appearances are drawn: the signature page renders with red (seal) and blue (ink) pixels.
        let png = oracles::pdftoppm_png(&path, 2, 72).unwrap();
        let (red, blue) = count_colours(&png);
        assert!(red > 50 && blue > 50, "red {red}, blue {blue}");
    })
    .await
    .unwrap();
}

/// Counts clearly red and clearly blue pixels of an 8-bit RGB(A) PNG.
fn count_colours(png_bytes: &[u8]) -> (usize, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let (mut red, mut blue) = (0, 0);
    for pixel in buffer[..info.buffer_size()].chunks(channels) {
        let (r, g, b) = (
            i32::from(pixel[0]),
            i32::from(pixel[1]),
            i32::from(pixel[2]),
        );
        if r > 150 && g < 100 && b < 100 {
            red += 1;
        }
        if b > 120 && r < 100 && g < 140 {
            blue += 1;
        }
    }
    (red, blue)
}

fn pyhanko_sign(input: &Path, output: &Path, field: &str) {
    let status = std::process::Command::new(oracles::pyhanko_path().unwrap())
        .args([
            "sign",
            "addsig",
            "--field",
            field,
            "pemder",
            "--no-pass",
            "--key",
        ])
        .arg(certs("seal-p256.key.pem"))
        .arg("--cert")
        .arg(certs("seal-p256.pem"))
        .arg("--chain")
        .arg(certs("chain.pem"))
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "pyHanko signing failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[tokio::test]
async fn signatures_by_pyhanko_and_by_vanthu_coexist_in_either_order() {
    let dir = tempfile::tempdir().unwrap();
    let original = demo_plan();
    // pyHanko first, then Vanthu.
    let by_pyhanko = dir.path().join("pyhanko.pdf");
    std::fs::write(dir.path().join("plain.pdf"), &original).unwrap();
    pyhanko_sign(&dir.path().join("plain.pdf"), &by_pyhanko, "PyHankoSig");
    let then_vanthu = dir.path().join("then-vanthu");
    std::fs::create_dir(&then_vanthu).unwrap();
    let request = sign_request(
        &then_vanthu,
        &std::fs::read(&by_pyhanko).unwrap(),
        p12("leader-rsa"),
        "b-b",
    );
    app::signing::sign_file(&request, now()).unwrap();
    assert_oracles_accept(&request.output, 2, false);
    // Vanthu first, then pyHanko.
    let first = dir.path().join("first");
    std::fs::create_dir(&first).unwrap();
    let request = sign_request(&first, &original, p12("leader-p256"), "b-b");
    app::signing::sign_file(&request, now()).unwrap();
    let both = dir.path().join("both.pdf");
    pyhanko_sign(&request.output, &both, "PyHankoSig");
    assert_oracles_accept(&both, 2, false);
}

#[tokio::test]
async fn rsa_pss_and_longer_hashes_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for (hash, pss) in [
        (HashChoice::Sha256, true),
        (HashChoice::Sha384, false),
        (HashChoice::Sha512, true),
    ] {
        let mut request = sign_request(dir.path(), &demo_plan(), p12("leader-rsa"), "b-b");
        request.preference = app::signing::preference(hash, pss);
        app::signing::sign_file(&request, now()).unwrap();
        assert_oracles_accept(&request.output, 1, false);
    }
}

#[tokio::test]
async fn a_visible_signature_with_an_image_renders() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("chu-ky.png");
    std::fs::write(&image, test_asset("signature-blue.png")).unwrap();
    let mut request = sign_request(dir.path(), &demo_plan(), p12("leader-rsa"), "b-b");
    request.visible = Some(Placement {
        page: 2,
        x: 330.0,
        y: 300.0,
        width: 200.0,
        height: 80.0,
    });
    request.image = Some(image);
    request.field = Some("ChuKy".to_owned());
    app::signing::sign_file(&request, now()).unwrap();
    assert_oracles_accept(&request.output, 1, false);
    let (_, blue) = count_colours(&oracles::pdftoppm_png(&request.output, 2, 72).unwrap());
    assert!(blue > 50, "the blue signature image is drawn");
}

#[tokio::test]
async fn bad_inputs_and_refused_certificates_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let plan = demo_plan();
    let code_of =
        |request: &SignFileRequest| app::signing::sign_file(request, now()).unwrap_err().code();

    assert_eq!(
        code_of(&sign_request(
            dir.path(),
            b"not a pdf at all",
            p12("leader-rsa"),
            "b-b"
        )),
        "document.not_pdf"
    );
    assert_eq!(
        code_of(&sign_request(
            dir.path(),
            &plan[..plan.len() / 3],
            p12("leader-rsa"),
            "b-b"
        )),
        "document.corrupt_pdf"
    );
    let wrong_password = KeySource::Pkcs12 {
        path: certs("leader-rsa.p12"),
        password: SecretString::from("sai".to_owned()),
    };
    assert_eq!(
        code_of(&sign_request(dir.path(), &plan, wrong_password, "b-b")),
        "key.wrong_password"
    );
    assert_eq!(
        code_of(&sign_request(dir.path(), &plan, p12("expired-rsa"), "b-b")),
        "signing.certificate_refused"
    );
    let mut untrusted = sign_request(dir.path(), &plan, p12("leader-rsa"), "b-b");
    untrusted.trust = vec![certs("seal-rsa.pem")];
    assert_eq!(code_of(&untrusted), "signing.certificate_refused");
    assert_eq!(
        code_of(&sign_request(dir.path(), &plan, p12("leader-rsa"), "b-t")),
        "signing.tsa_required"
    );
    assert_eq!(
        code_of(&sign_request(dir.path(), &plan, p12("leader-rsa"), "b-x")),
        "request.invalid"
    );
    let mut same = sign_request(dir.path(), &plan, p12("leader-rsa"), "b-b");
    same.output = same.input.clone();
    assert_eq!(code_of(&same), "request.invalid");
    assert_eq!(
        std::fs::read(&same.input).unwrap(),
        plan,
        "the input is never overwritten"
    );
    // A TSA that does not answer is a service error, not a hang or a panic.
    let mut unreachable = sign_request(dir.path(), &plan, p12("leader-rsa"), "b-t");
    unreachable.tsa_url = Some("http://127.0.0.1:9/tsa".to_owned());
    assert_eq!(code_of(&unreachable), "signing.service_unavailable");
    // A weak (RSA-1024) key is refused.
    let weak = make_weak_p12(dir.path());
    let weak_key = KeySource::Pkcs12 {
        path: weak,
        password: SecretString::from("weak".to_owned()),
    };
    assert_eq!(
        code_of(&sign_request(dir.path(), &plan, weak_key, "b-b")),
        "signing.weak_key"
    );
}

/// An RSA-1024 self-signed PKCS#12, made with the openssl command line.
fn make_weak_p12(dir: &Path) -> PathBuf {
    let key = dir.join("weak.key");
    let cert = dir.join("weak.pem");
    let p12 = dir.join("weak.p12");
    let run = |args: &[&str]| {
        let output = std::process::Command::new("openssl")
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-subj",
        "/CN=weak",
        "-days",
        "9000",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]);
    run(&[
        "pkcs12",
        "-export",
        "-inkey",
        key.to_str().unwrap(),
        "-in",
        cert.to_str().unwrap(),
        "-out",
        p12.to_str().unwrap(),
        "-passout",
        "pass:weak",
    ]);
    p12
}

#[tokio::test]
async fn a_key_on_a_pkcs11_token_signs() {
    let token = testkit::softhsm::Token::with_dev_key("leader-rsa").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = KeySource::Pkcs11 {
        module: token.module.clone(),
        token: token.label.clone(),
        key_label: token.key_label.clone(),
        pin: SecretString::from(token.pin.clone()),
        chain: Some(certs("chain.pem")),
    };
    let request = sign_request(dir.path(), &demo_plan(), key, "b-b");
    app::signing::sign_file(&request, now()).unwrap();
    assert_oracles_accept(&request.output, 1, false);
}

/// Two-phase signing: prepare, sign the bytes out of process with `openssl pkeyutl` (as a remote
/// service would), persist the state in between, finalize.
#[tokio::test]
async fn two_phase_signing_with_an_external_signature() {
    let dir = tempfile::tempdir().unwrap();
    let limits = pdf::Limits::untrusted_upload();
    let roots = crypto::Certificate::from_pem_bundle(&std::fs::read(root()).unwrap()).unwrap();
    let certificate =
        crypto::Certificate::from_pem_bundle(&std::fs::read(certs("leader-p256.pem")).unwrap())
            .unwrap()
            .remove(0);
    let chain =
        crypto::Certificate::from_pem_bundle(&std::fs::read(certs("chain.pem")).unwrap()).unwrap();
    let transport = pades::HttpTransport::new(std::time::Duration::from_secs(5));
    let options = pades::SignOptions {
        level: pades::Level::BB,
        field: pdf::FieldTarget::New(pdf::FieldSpec {
            name: "Remote".to_owned(),
            kind: pdf::FieldKind::Signature,
            page: 1,
            rect: None,
        }),
        appearance: None,
        signing_time: now(),
        name: None,
        reason: None,
        location: None,
        trust_roots: &roots,
        timestamp: None,
        ocsp_url: None,
        crls: &[],
        transport: &transport,
        document_password: None,
        limits: &limits,
    };
    let original = demo_plan();
    let pending = pades::prepare(
        &original,
        &certificate,
        &chain,
        crypto::SignatureAlgorithm::Ecdsa(crypto::HashAlgorithm::Sha256),
        &options,
    )
    .unwrap();
    let state = dir.path().join("pending.bin");
    std::fs::write(&state, pending.to_bytes()).unwrap();
    let to_sign = dir.path().join("tbs.der");
    std::fs::write(&to_sign, pending.data_to_sign()).unwrap();
    drop(pending);

    let signature = dir.path().join("signature.der");
    let output = std::process::Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-digest", "sha256", "-inkey"])
        .arg(certs("leader-p256.key.pem"))
        .arg("-in")
        .arg(&to_sign)
        .arg("-out")
        .arg(&signature)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let restored = pades::PendingSignature::from_bytes(&std::fs::read(&state).unwrap()).unwrap();
    // A signature over other bytes is refused before anything is embedded.
    let wrong = pades::finalize(
        pades::PendingSignature::from_bytes(&std::fs::read(&state).unwrap()).unwrap(),
        b"garbage",
        &options,
    );
    assert!(
        matches!(wrong, Err(pades::Error::SignatureMismatch)),
        "{wrong:?}"
    );
    let signed = pades::finalize(restored, &std::fs::read(&signature).unwrap(), &options).unwrap();
    assert_eq!(&signed[..original.len()], original.as_slice());
    let path = dir.path().join("remote.pdf");
    std::fs::write(&path, &signed).unwrap();
    assert_oracles_accept(&path, 1, false);
}

fn qpdf(args: &[&str]) {
    let output = std::process::Command::new("qpdf")
        .args(args)
        .output()
        .unwrap();
    // Exit 3 means "succeeded with warnings".
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "qpdf {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn inputs_with_object_streams_and_encryption_sign_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    std::fs::write(&plain, demo_plan()).unwrap();

    // Cross-reference and object streams.
    let modern = dir.path().join("modern.pdf");
    qpdf(&[
        "--object-streams=generate",
        plain.to_str().unwrap(),
        modern.to_str().unwrap(),
    ]);
    let modern_dir = dir.path().join("m");
    std::fs::create_dir(&modern_dir).unwrap();
    let request = sign_request(
        &modern_dir,
        &std::fs::read(&modern).unwrap(),
        p12("leader-rsa"),
        "b-b",
    );
    app::signing::sign_file(&request, now()).unwrap();
    assert_oracles_accept(&request.output, 1, false);

    // Encrypted (AES-256) with a user password: signed with it, validated with it.
    let encrypted = dir.path().join("encrypted.pdf");
    qpdf(&[
        "--encrypt",
        "mat-khau",
        "chu-so-huu",
        "256",
        "--",
        plain.to_str().unwrap(),
        encrypted.to_str().unwrap(),
    ]);
    let encrypted_dir = dir.path().join("e");
    std::fs::create_dir(&encrypted_dir).unwrap();
    let mut request = sign_request(
        &encrypted_dir,
        &std::fs::read(&encrypted).unwrap(),
        p12("leader-rsa"),
        "b-b",
    );
    let without_password = app::signing::sign_file(&request, now()).unwrap_err();
    assert_eq!(without_password.code(), "document.encrypted_pdf");
    request.document_password = Some(SecretString::from("sai".to_owned()));
    assert_eq!(
        app::signing::sign_file(&request, now()).unwrap_err().code(),
        "document.encrypted_pdf"
    );
    request.document_password = Some(SecretString::from("mat-khau".to_owned()));
    app::signing::sign_file(&request, now()).unwrap();
    let pyhanko =
        oracles::pyhanko_validate_with(&request.output, &root(), &["--password", "mat-khau"])
            .unwrap();
    assert!(
        pyhanko.success && pyhanko.stdout.contains(":INTACT:TRUSTED"),
        "{}\n{}",
        pyhanko.stdout,
        pyhanko.stderr
    );
    let pdfsig = oracles::pdfsig_with(&request.output, &root(), &["-upw", "mat-khau"]).unwrap();
    assert!(
        pdfsig.stdout.contains("Signature is Valid."),
        "{}",
        pdfsig.stdout
    );
}

/// An attachment in a separate file gets the agency's text stamp at the top right of page 1: the
/// number and symbol and the ISO 8601 signing time (Decree 30 Phụ lục I Phần II).
#[tokio::test]
async fn an_attachment_is_sealed_with_the_number_and_time_stamp() {
    let limits = pdf::Limits::untrusted_upload();
    let roots = crypto::Certificate::from_pem_bundle(&std::fs::read(root()).unwrap()).unwrap();
    let transport = pades::HttpTransport::new(std::time::Duration::from_secs(5));
    let signing_time = time::macros::datetime!(2024-01-10 02:30:15 UTC);
    let (stamp, rect) = pades::decree30::attachment_stamp("06/KH-UBND", signing_time, 595.0, 842.0);
    let options = pades::SignOptions {
        level: pades::Level::BB,
        field: pdf::FieldTarget::New(pdf::FieldSpec {
            name: "ky_so_phu_luc".to_owned(),
            kind: pdf::FieldKind::Signature,
            page: 1,
            rect: Some(rect),
        }),
        appearance: Some(&stamp),
        signing_time: now(),
        name: None,
        reason: None,
        location: None,
        trust_roots: &roots,
        timestamp: None,
        ocsp_url: None,
        crls: &[],
        transport: &transport,
        document_password: None,
        limits: &limits,
    };
    let attachment = testkit::pdf_with_pages(&["PHU LUC KEM THEO KE HOACH"]);
    let sealed = pades::sign(&attachment, software_signer("seal-rsa").as_ref(), &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phu-luc.pdf");
    std::fs::write(&path, &sealed).unwrap();
    assert_oracles_accept(&path, 1, false);
    let text = oracles::pdftotext(&path).unwrap();
    assert!(text.contains("Số: 06/KH-UBND"), "{text}");
    assert!(text.contains("2024-01-10T09:30:15+07:00"), "{text}");
}

/// B-LTA protection is renewable: a later document timestamp keeps every earlier one valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_b_lta_signature_takes_a_renewal_timestamp() {
    let tsa = DevTsa::start().await.unwrap();
    let ocsp = DevOcsp::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut request = sign_request(dir.path(), &demo_plan(), p12("leader-p256"), "b-lta");
    request.tsa_url = Some(tsa.url.clone());
    request.ocsp_url = Some(ocsp.url.clone());
    let tsa_url = tsa.url.clone();
    tokio::task::spawn_blocking(move || {
        app::signing::sign_file(&request, now()).unwrap();
        let signed = std::fs::read(&request.output).unwrap();
        let limits = pdf::Limits::untrusted_upload();
        let transport = pades::HttpTransport::new(std::time::Duration::from_secs(20));
        let renewed = pades::add_document_timestamp(
            &signed,
            pades::TimestampOptions {
                url: &tsa_url,
                hash: crypto::HashAlgorithm::Sha256,
            },
            &transport,
            None,
            &limits,
        )
        .unwrap();
        assert_eq!(&renewed[..signed.len()], signed.as_slice());
        let timestamps = pdf::signatures(&renewed, &limits)
            .unwrap()
            .into_iter()
            .filter(|signature| signature.is_doc_timestamp)
            .count();
        assert_eq!(timestamps, 2);
        let path = request.output.with_file_name("renewed.pdf");
        std::fs::write(&path, &renewed).unwrap();
        let pyhanko = oracles::pyhanko_validate(&path, &root()).unwrap();
        assert!(pyhanko.success, "{}\n{}", pyhanko.stdout, pyhanko.stderr);
        assert!(
            pyhanko.stdout.contains("EXTENDED_WITH_LTA_UPDATES"),
            "{}",
            pyhanko.stdout
        );
    })
    .await
    .unwrap();
}
