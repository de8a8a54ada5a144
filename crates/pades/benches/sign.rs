//! Signing benchmark (BENCHMARKS.md): PAdES B-B signatures of a 100 KB and a 5 MB PDF with
//! software RSA-2048 and P-256 keys, against the floor of the same run (SHA-256 of the whole file
//! plus one raw signature with the same key through the same OpenSSL), and against pyHanko
//! signing the same files in-process (`pyhanko_sign.py`, when `target/oracles-venv` exists).
//!
//! Run with `cargo bench -p pades --bench sign`. The inputs are written by the minimal PDF writer
//! of `common/inputs.rs` to `target/bench-inputs/`, so that pyHanko reads the very same bytes.
//! Nothing here asserts a time: the numbers are printed as Markdown tables for BENCHMARKS.md.

#![expect(
    clippy::print_stdout,
    reason = "a benchmark's report is its standard output"
)]

#[path = "common/harness.rs"]
mod harness;
#[path = "common/inputs.rs"]
mod inputs;

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use harness::{
    BenchResult, ITERATIONS, Stats, WARMUPS, floor_arg, measure, ms, ratio, run_pyhanko, stats,
};
use inputs::Input;

/// The password of the dev PKCS#12 files (certs-dev/README.md).
const PASSWORD: &str = "vanthu-dev";

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let inputs_dir = root.join("target/bench-inputs");
    std::fs::create_dir_all(&inputs_dir)?;
    // `cargo bench -p pades --bench sign -- text` keeps the inputs whose name contains `text`
    // and skips pyHanko (for profiling one case); cargo itself passes `--bench`.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let inputs: Vec<Input> = Input::standard(&inputs_dir)?
        .into_iter()
        .filter(|input| {
            filter
                .as_ref()
                .is_none_or(|filter| input.name.contains(filter.as_str()))
        })
        .collect();
    let keys = [
        Key::load(&root, "leader-rsa", "RSA-2048")?,
        Key::load(&root, "leader-p256", "P-256")?,
    ];
    let roots =
        crypto::Certificate::from_pem_bundle(&std::fs::read(root.join("certs-dev/root-ca.pem"))?)?;
    // Never used at B-B: no TSA and no OCSP are asked.
    let transport = pades::HttpTransport::new(Duration::from_secs(1));
    let limits = pdf::Limits::untrusted_upload();
    let options = pades::SignOptions {
        level: pades::Level::BB,
        field: pdf::FieldTarget::New(pdf::FieldSpec {
            name: "Sig".to_owned(),
            kind: pdf::FieldKind::Signature,
            page: 1,
            rect: None,
        }),
        appearance: None,
        signing_time: time::macros::datetime!(2026-03-15 09:00 +07:00),
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

    let mut main_rows = String::new();
    let mut breakdown_rows = String::new();
    let mut floors = Vec::new();
    for input in &inputs {
        for key in &keys {
            let signer = key.signer.as_ref();
            // One signature kept for checking by hand (pyHanko, pdfsig, qpdf) and one sanity
            // check that the benchmark measures signing that works.
            let signed = pades::sign(&input.bytes, signer, &options)?;
            let found = pdf::signatures(&signed, &limits)?;
            if found.len() != 1 || !found.iter().all(|signature| signature.byte_range_valid) {
                return Err(format!("{} with {}: bad signature", input.name, key.label).into());
            }
            std::fs::write(
                inputs_dir.join(format!("{}-signed-{}.pdf", input.stem(), key.file)),
                &signed,
            )?;

            let sign = measure(|| pades::sign(&input.bytes, signer, &options).map(black_box))?;
            let message = [0x5A_u8; 100];
            let floor = measure(|| {
                black_box(crypto::digest(
                    crypto::HashAlgorithm::Sha256,
                    [input.bytes.as_slice()],
                ));
                signer.sign(&message).map(black_box)
            })?;
            writeln!(
                main_rows,
                "| Vanthu | {} | {} | {} | {} | {} | {} | {:.1}× |",
                input.label(),
                key.label,
                ms(sign.p50),
                ms(sign.p95),
                ms(sign.min),
                ms(floor.p50),
                ratio(sign.p50, floor.p50),
            )?;
            floors.push(floor_arg(input.name, key.file, floor));

            let phases = Phases::measure(input, signer, &options)?;
            writeln!(
                breakdown_rows,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                input.label(),
                key.label,
                ms(phases.load.p50),
                ms(phases.prepare_pdf.p50),
                ms(phases.digest.p50),
                ms(phases.prepare.p50),
                ms(phases.key.p50),
                ms(phases.finalize.p50),
                ms(sign.p50),
            )?;
        }
    }

    println!("Signing at PAdES B-B, {ITERATIONS} runs after {WARMUPS} warm-ups; times in ms.");
    println!();
    println!("| signer | file | key | p50 | p95 | min | floor p50 | p50 / floor |");
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    print!("{main_rows}");
    println!();
    println!("Where the time goes (p50, ms):");
    println!();
    println!(
        "| file | key | pdf::load_untrusted | pdf::prepare_signature | SHA-256 of the file \
         | pades::prepare | key signs | pades::finalize | pades::sign |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    print!("{breakdown_rows}");
    println!();
    for key in &keys {
        let der = key.signer.certificate().as_der();
        let parse = measure(|| crypto::Certificate::from_der(der).map(black_box))?;
        println!(
            "One parse of the {} signing certificate (crypto::Certificate::from_der, OpenSSL): \
             p50 {} ms.",
            key.label,
            ms(parse.p50)
        );
    }
    println!();
    if filter.is_some() {
        return Ok(());
    }
    run_pyhanko(&root, "pyhanko_sign.py", &inputs_dir, &floors)
}

/// A software key from certs-dev.
struct Key {
    file: &'static str,
    label: &'static str,
    signer: Box<dyn crypto::Signer>,
}

impl Key {
    fn load(root: &Path, file: &'static str, label: &'static str) -> BenchResult<Key> {
        let der = std::fs::read(root.join(format!("certs-dev/{file}.p12")))?;
        let signer = crypto::SoftwareSigner::from_pkcs12(
            &der,
            PASSWORD,
            crypto::SignaturePreference::sha256(),
        )?;
        Ok(Key {
            file,
            label,
            signer: Box::new(signer),
        })
    }
}

/// The p50 of each step of `pades::sign`, measured through the public APIs it is made of.
struct Phases {
    load: Stats,
    prepare_pdf: Stats,
    digest: Stats,
    prepare: Stats,
    key: Stats,
    finalize: Stats,
}

impl Phases {
    fn measure(
        input: &Input,
        signer: &dyn crypto::Signer,
        options: &pades::SignOptions<'_>,
    ) -> BenchResult<Phases> {
        let bytes = input.bytes.as_slice();
        let request = pdf::SignatureRequest {
            field: options.field.clone(),
            kind: pdf::SignatureKind::Signature,
            signing_time: Some(options.signing_time),
            name: None,
            reason: None,
            location: None,
            appearance: None,
            contents_capacity: 16 * 1024,
        };
        let load = measure(|| pdf::load_untrusted(bytes, options.limits).map(black_box))?;
        let prepare_pdf =
            measure(|| pdf::prepare_signature(bytes, &request, options.limits).map(black_box))?;
        let digest = measure(|| {
            Ok::<_, Box<dyn Error>>(black_box(crypto::digest(
                crypto::HashAlgorithm::Sha256,
                [bytes],
            )))
        })?;
        let prepare_once = || {
            pades::prepare(
                bytes,
                signer.certificate(),
                signer.chain(),
                signer.algorithm(),
                options,
            )
        };
        let prepare = measure(|| prepare_once().map(black_box))?;
        let pending = prepare_once()?;
        let key = measure(|| signer.sign(pending.data_to_sign()).map(black_box))?;
        let signature = signer.sign(pending.data_to_sign())?;
        // `finalize` consumes the pending signature: each run gets a fresh one, untimed.
        let mut samples = Vec::with_capacity(ITERATIONS);
        for run in 0..WARMUPS + ITERATIONS {
            let pending = prepare_once()?;
            let start = Instant::now();
            let result = pades::finalize(pending, &signature, options);
            let elapsed = start.elapsed();
            black_box(result?);
            if run >= WARMUPS {
                samples.push(elapsed);
            }
        }
        Ok(Phases {
            load,
            prepare_pdf,
            digest,
            prepare,
            key,
            finalize: stats(samples),
        })
    }
}
