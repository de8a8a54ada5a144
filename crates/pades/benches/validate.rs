//! Validation benchmark (BENCHMARKS.md): offline validation (`pades::validate` with
//! `RevocationMode::Offline`) of a 100 KB and a 5 MB signed PDF, signed with software RSA-2048
//! and P-256 keys, against the floor of the same run (SHA-256 of the whole file plus one
//! signature verification with the same key through the same OpenSSL), and against pyHanko
//! validating the same files in-process (`pyhanko_validate.py`, when `target/oracles-venv`
//! exists).
//!
//! The inputs are those of the signing benchmark (`common/inputs.rs`), signed here at B-B and then
//! given a document security store as a B-LT signature has: the signer, the intermediate and the
//! root, an OCSP response for the signer made by `openssl ocsp` with the dev responder, and the
//! root's CRL for the intermediate. So offline validation runs the whole path (integrity, chain,
//! revocation from the DSS, later changes) and must conclude PASSED; the benchmark stops if it
//! does not, so that it never times a shortcut.
//!
//! Run with `cargo bench -p pades --bench validate`; `-- text` keeps one input and skips
//! pyHanko. Nothing here asserts a time: the numbers are printed as Markdown tables.

#![expect(
    clippy::print_stdout,
    reason = "a benchmark's report is its standard output"
)]

#[path = "common/harness.rs"]
mod harness;
#[path = "common/inputs.rs"]
mod inputs;

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crypto::Certificate;
use harness::{BenchResult, ITERATIONS, WARMUPS, floor_arg, measure, ms, ratio, run_pyhanko};
use inputs::Input;
use time::OffsetDateTime;

/// The password of the dev PKCS#12 files (certs-dev/README.md).
const PASSWORD: &str = "vanthu-dev";

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let inputs_dir = root.join("target/bench-inputs");
    std::fs::create_dir_all(&inputs_dir)?;
    // `cargo bench -p pades --bench validate -- text` keeps the inputs whose name contains
    // `text` and skips pyHanko (for profiling one case); cargo itself passes `--bench`.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let inputs: Vec<Input> = Input::standard(&inputs_dir)?
        .into_iter()
        .filter(|input| {
            filter
                .as_ref()
                .is_none_or(|filter| input.name.contains(filter.as_str()))
        })
        .collect();
    let pki = Pki::load(&root)?;
    let keys = [
        Key::load(&root, &pki, &inputs_dir, "leader-rsa", "RSA-2048")?,
        Key::load(&root, &pki, &inputs_dir, "leader-p256", "P-256")?,
    ];
    let limits = pdf::Limits::untrusted_upload();

    let mut main_rows = String::new();
    let mut breakdown_rows = String::new();
    let mut floors = Vec::new();
    for input in &inputs {
        for key in &keys {
            let signed = key.sign_long_term(&input.bytes, &pki, &limits)?;
            std::fs::write(
                inputs_dir.join(format!("{}-lt-{}.pdf", input.stem(), key.file)),
                &signed,
            )?;
            let options = pades::ValidationOptions {
                trust_roots: std::slice::from_ref(&pki.root),
                revocation: pades::RevocationMode::Offline,
                now: key.now,
                password: None,
                limits: &limits,
            };
            // The benchmark measures a validation that runs every check and passes.
            let report = pades::validate(&signed, &options)?;
            assert_eq!(
                report.conclusion,
                pades::Conclusion::Passed,
                "{} with {}: {report:#?}",
                input.name,
                key.label
            );
            assert_eq!(report.signatures.len(), 1, "{report:#?}");
            assert!(
                report.signatures.iter().all(|signature| {
                    signature.revocation.ok == Some(true)
                        && signature.chain.ok == Some(true)
                        && signature.integrity.ok == Some(true)
                }),
                "{report:#?}"
            );

            let validate = measure(|| {
                pades::validate(&signed, &options).map(|report| {
                    assert_eq!(report.conclusion, pades::Conclusion::Passed);
                    black_box(report)
                })
            })?;
            let floor = key.measure_floor(&signed)?;
            writeln!(
                main_rows,
                "| Vanthu | {} | {} | {} | {} | {} | {} | {:.1}× |",
                label(input, &signed),
                key.label,
                ms(validate.p50),
                ms(validate.p95),
                ms(validate.min),
                ms(floor.p50),
                ratio(validate.p50, floor.p50),
            )?;
            floors.push(floor_arg(input.name, key.file, floor));

            let phases = Phases::measure(&signed, &options, &limits)?;
            writeln!(
                breakdown_rows,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                label(input, &signed),
                key.label,
                ms(phases.load),
                ms(phases.parse_cms),
                ms(phases.integrity),
                ms(phases.chain),
                ms(phases.revocation),
                ms(phases.changes_after),
                ms(phases.sum()),
                ms(validate.p50),
            )?;
        }
    }

    println!(
        "Offline validation of B-B signatures with B-LT validation data in the DSS, \
         {ITERATIONS} runs after {WARMUPS} warm-ups; times in ms."
    );
    println!();
    println!("| validator | file | key | p50 | p95 | min | floor p50 | p50 / floor |");
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    print!("{main_rows}");
    println!();
    println!(
        "Where the time goes (p50, ms; each step alone, through the public API it is made of):"
    );
    println!();
    println!(
        "| file | key | pdf::signatures_and_dss | crypto::parse_cms | digest + verify \
         | crypto::validate_chain | revocation | pdf::changes_after | sum | pades::validate |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    print!("{breakdown_rows}");
    println!();
    pki.print_unit_costs(&keys)?;
    if filter.is_some() {
        return Ok(());
    }
    run_pyhanko(&root, "pyhanko_validate.py", &inputs_dir, &floors)
}

/// The input's name and size, and the size of its signed copy.
fn label(input: &Input, signed: &[u8]) -> String {
    format!("{}, signed: {} bytes", input.label(), signed.len())
}

/// The dev PKI's CA side: the trust anchor, the intermediate, and the root's CRL (DER).
struct Pki {
    certs_dev: std::path::PathBuf,
    root: Certificate,
    intermediate: Certificate,
    root_crl: Vec<u8>,
}

impl Pki {
    fn load(workspace: &Path) -> BenchResult<Pki> {
        let certs_dev = workspace.join("certs-dev");
        let one = |name: &str| -> BenchResult<Certificate> {
            let mut bundle = Certificate::from_pem_bundle(&std::fs::read(certs_dev.join(name))?)?;
            Ok(bundle.remove(0))
        };
        Ok(Pki {
            root: one("root-ca.pem")?,
            intermediate: one("intermediate-ca.pem")?,
            root_crl: crypto::crl_to_der(&std::fs::read(certs_dev.join("root-ca.crl"))?)?,
            certs_dev,
        })
    }

    /// Prints the p50 of two costs that `validate` pays several times: parsing a certificate,
    /// and reading an OCSP response for a certificate it does not answer for (what the lookup
    /// of the intermediate's status does with the signer's response before it finds the CRL).
    fn print_unit_costs(&self, keys: &[Key]) -> BenchResult<()> {
        let Some(key) = keys.first() else {
            return Ok(());
        };
        let der = crypto::Signer::certificate(&key.signer).as_der();
        let parse = measure(|| Certificate::from_der(der).map(black_box))?;
        let wrong = measure(|| {
            let answer = crypto::ocsp_evidence(&key.ocsp_response, &self.intermediate, &self.root);
            Ok::<_, crypto::Error>(black_box(answer.is_err()))
        })?;
        println!(
            "One certificate parsed (crypto::Certificate::from_der, OpenSSL): p50 {} ms. \
             One OCSP response read for a certificate it does not answer for \
             (crypto::ocsp_evidence, an error): p50 {} ms.",
            ms(parse.p50),
            ms(wrong.p50)
        );
        println!();
        Ok(())
    }

    /// A good OCSP response about `certificate` from the dev responder, made by `openssl ocsp`
    /// in request/response file mode (as `crypto`'s tests do), with a nextUpdate one day later.
    fn ocsp_response(&self, certificate: &Certificate, work: &Path) -> BenchResult<Vec<u8>> {
        let serial = certificate.summary()?.serial_hex;
        // Fields: status, expiry, revocation, serial, file, subject; openssl looks up the serial.
        let index = work.join("index.txt");
        std::fs::write(
            &index,
            format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=bench\n"),
        )?;
        let request = work.join("request.der");
        let response = work.join("response.der");
        std::fs::write(
            &request,
            crypto::ocsp_request(certificate, &self.intermediate)?,
        )?;
        let output = Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(&index)
            .arg("-CA")
            .arg(self.certs_dev.join("intermediate-ca.pem"))
            .arg("-rsigner")
            .arg(self.certs_dev.join("ocsp.pem"))
            .arg("-rkey")
            .arg(self.certs_dev.join("ocsp.key.pem"))
            .arg("-reqin")
            .arg(&request)
            .arg("-respout")
            .arg(&response)
            .args(["-ndays", "1"])
            .output()?;
        if !output.status.success() {
            return Err(format!(
                "openssl ocsp failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        Ok(std::fs::read(&response)?)
    }
}

/// A software key from certs-dev, with the OCSP response about its certificate.
struct Key {
    file: &'static str,
    label: &'static str,
    signer: crypto::SoftwareSigner,
    ocsp_response: Vec<u8>,
    /// The validation time: the OCSP response's thisUpdate, when it is fresh.
    now: OffsetDateTime,
}

impl Key {
    fn load(
        workspace: &Path,
        pki: &Pki,
        inputs_dir: &Path,
        file: &'static str,
        label: &'static str,
    ) -> BenchResult<Key> {
        let der = std::fs::read(workspace.join(format!("certs-dev/{file}.p12")))?;
        let signer = crypto::SoftwareSigner::from_pkcs12(
            &der,
            PASSWORD,
            crypto::SignaturePreference::sha256(),
        )?;
        let work = inputs_dir.join(format!("ocsp-{file}"));
        std::fs::create_dir_all(&work)?;
        let certificate = crypto::Signer::certificate(&signer);
        let ocsp_response = pki.ocsp_response(certificate, &work)?;
        let evidence = crypto::ocsp_evidence(&ocsp_response, certificate, &pki.intermediate)?;
        if evidence.status != crypto::RevocationStatus::Good {
            return Err(format!("{file}: the OCSP response says {:?}", evidence.status).into());
        }
        Ok(Key {
            file,
            label,
            signer,
            ocsp_response,
            now: evidence.this_update,
        })
    }

    /// `document` signed at B-B, then given the DSS that B-LT signing would add (in a second
    /// incremental revision, as `pades::finalize` does).
    fn sign_long_term(
        &self,
        document: &[u8],
        pki: &Pki,
        limits: &pdf::Limits,
    ) -> BenchResult<Vec<u8>> {
        let roots = std::slice::from_ref(&pki.root);
        // Never used at B-B: no TSA and no OCSP are asked.
        let transport = pades::HttpTransport::new(Duration::from_secs(1));
        let options = pades::SignOptions {
            level: pades::Level::BB,
            field: pdf::FieldTarget::New(pdf::FieldSpec {
                name: "Sig".to_owned(),
                kind: pdf::FieldKind::Signature,
                page: 1,
                rect: None,
            }),
            appearance: None,
            signing_time: self.now,
            name: None,
            reason: None,
            location: None,
            trust_roots: roots,
            timestamp: None,
            ocsp_url: None,
            crls: &[],
            transport: &transport,
            document_password: None,
            limits,
        };
        let signed = pades::sign(document, &self.signer, &options)?;
        let certificate = crypto::Signer::certificate(&self.signer);
        let dss = pdf::DssContents {
            certificates: [certificate, &pki.intermediate, &pki.root]
                .iter()
                .map(|certificate| certificate.as_der().to_vec())
                .collect(),
            ocsp_responses: vec![self.ocsp_response.clone()],
            crls: vec![pki.root_crl.clone()],
        };
        Ok(pdf::append_dss(&signed, &dss, limits)?)
    }

    /// The floor: SHA-256 of the whole file, plus one verification of a signature made
    /// beforehand over a 100-byte message with the same key.
    fn measure_floor(&self, document: &[u8]) -> BenchResult<harness::Stats> {
        let signer: &dyn crypto::Signer = &self.signer;
        let message = [0x5A_u8; 100];
        let signature = signer.sign(&message)?;
        let verify = || {
            crypto::verify_signature(
                signer.certificate(),
                signer.algorithm(),
                &message,
                &signature,
            )
        };
        if !verify()? {
            return Err(format!("{}: the floor's signature does not verify", self.file).into());
        }
        measure(|| {
            black_box(crypto::digest(crypto::HashAlgorithm::Sha256, [document]));
            verify().map(black_box)
        })
    }
}

/// The p50 of each step of `pades::validate`, redone through the public APIs it is made of, in
/// the order it runs them (its small remainder: the report's texts and names).
struct Phases {
    load: Duration,
    parse_cms: Duration,
    integrity: Duration,
    chain: Duration,
    revocation: Duration,
    changes_after: Duration,
}

impl Phases {
    fn measure(
        document: &[u8],
        options: &pades::ValidationOptions<'_>,
        limits: &pdf::Limits,
    ) -> BenchResult<Phases> {
        let load = measure(|| pdf::signatures_and_dss(document, limits).map(black_box))?;
        let (found, dss) = pdf::signatures_and_dss(document, limits)?;
        let dss = dss?;
        let [signature] = found.as_slice() else {
            return Err("expected one signature".into());
        };
        let [first, length, second, second_length] = signature.byte_range;
        let ranges = [
            document
                .get(first..first + length)
                .ok_or("bad byte range")?,
            document
                .get(second..second + second_length)
                .ok_or("bad byte range")?,
        ];
        let parse_cms = measure(|| crypto::parse_cms(&signature.contents).map(black_box))?;
        let cms = crypto::parse_cms(&signature.contents)?;
        let integrity = measure(|| {
            let digest = crypto::digest(cms.digest_algorithm(), ranges);
            let ok = cms.message_digest() == Some(digest.as_slice()) && cms.verify_signature()?;
            Ok::<_, crypto::Error>(black_box(ok))
        })?;

        let signer = cms.signer_certificate().ok_or("no signer certificate")?;
        // The pool as `validate` builds it: the CMS's certificates, and those of the DSS that
        // are not among them, parsed.
        let validate_chain = || -> BenchResult<Vec<Certificate>> {
            let mut pool = cms.certificates().to_vec();
            for der in &dss.certificates {
                if !pool.iter().any(|known| known.as_der() == der.as_slice()) {
                    pool.push(Certificate::from_der(der)?);
                }
            }
            crypto::validate_chain(signer, &pool, options.trust_roots, options.now)?
                .map_err(|failure| format!("{failure:?}").into())
        };
        let chain = measure(|| validate_chain().map(black_box))?;
        let path = validate_chain()?;

        // As `validate` does: for each certificate of the path, the first document evidence
        // that reads (OCSP responses first, then CRLs).
        let revocation = measure(|| {
            let mut statuses = Vec::new();
            for pair in path.windows(2) {
                let [subject, issuer] = pair else { continue };
                let evidence = dss
                    .ocsp_responses
                    .iter()
                    .filter_map(|response| crypto::ocsp_evidence(response, subject, issuer).ok())
                    .chain(
                        dss.crls
                            .iter()
                            .filter_map(|crl| crypto::crl_evidence(crl, subject, issuer).ok()),
                    )
                    .next()
                    .ok_or("no revocation evidence")?;
                statuses.push(evidence.status);
            }
            Ok::<_, Box<dyn std::error::Error>>(black_box(statuses))
        })?;

        let revision_end = second + second_length;
        let changes_after =
            measure(|| pdf::changes_after(document, revision_end, limits).map(black_box))?;
        Ok(Phases {
            load: load.p50,
            parse_cms: parse_cms.p50,
            integrity: integrity.p50,
            chain: chain.p50,
            revocation: revocation.p50,
            changes_after: changes_after.p50,
        })
    }

    fn sum(&self) -> Duration {
        self.load
            + self.parse_cms
            + self.integrity
            + self.chain
            + self.revocation
            + self.changes_after
    }
}
