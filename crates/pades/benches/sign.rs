//! Signing benchmark (BENCHMARKS.md): PAdES B-B signatures of a 100 KB and a 5 MB PDF with
//! software RSA-2048 and P-256 keys, against the floor of the same run (SHA-256 of the whole file
//! plus one raw signature with the same key through the same OpenSSL), and against pyHanko
//! signing the same files in-process (`pyhanko_sign.py`, when `target/oracles-venv` exists).
//!
//! Run with `cargo bench -p pades --bench sign`. The inputs are written by this file (a minimal
//! PDF writer below) to `target/bench-inputs/`, so that pyHanko reads the very same bytes.
//! Nothing here asserts a time: the numbers are printed as Markdown tables for BENCHMARKS.md.

#![expect(
    clippy::print_stdout,
    reason = "a benchmark's report is its standard output"
)]

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Timed runs per case, after [`WARMUPS`] untimed ones.
const ITERATIONS: usize = 30;
/// Untimed runs per case, to fill caches and let the allocator settle.
const WARMUPS: usize = 3;
/// The password of the dev PKCS#12 files (certs-dev/README.md).
const PASSWORD: &str = "vanthu-dev";

type BenchResult<T> = Result<T, Box<dyn Error>>;

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let inputs_dir = root.join("target/bench-inputs");
    std::fs::create_dir_all(&inputs_dir)?;
    // `cargo bench -p pades --bench sign -- text` keeps the inputs whose name contains `text`
    // and skips pyHanko (for profiling one case); cargo itself passes `--bench`.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let inputs: Vec<Input> = [
        Input::write(&inputs_dir, "text-100k.pdf", &text_pdf(20, 60))?,
        Input::write(&inputs_dir, "image-5m.pdf", &image_pdf(2500, 2000))?,
    ]
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
            floors.push(format!(
                "{}:{}={:.6}",
                input.name,
                key.file,
                floor.p50.as_secs_f64() * 1e3
            ));

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
    run_pyhanko(&root, &inputs_dir, &floors)
}

/// One input file and its bytes.
struct Input {
    name: &'static str,
    bytes: Vec<u8>,
}

impl Input {
    fn write(dir: &Path, name: &'static str, bytes: &[u8]) -> BenchResult<Input> {
        std::fs::write(dir.join(name), bytes)?;
        Ok(Input {
            name,
            bytes: bytes.to_vec(),
        })
    }

    fn stem(&self) -> &str {
        self.name.trim_end_matches(".pdf")
    }

    fn label(&self) -> String {
        format!("{} ({} bytes)", self.name, self.bytes.len())
    }
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

/// The distribution of one case's run times.
#[derive(Clone, Copy)]
struct Stats {
    p50: Duration,
    p95: Duration,
    min: Duration,
}

/// Runs `operation` [`WARMUPS`] times untimed, then [`ITERATIONS`] times timed.
fn measure<T, E: Into<Box<dyn Error>>>(
    mut operation: impl FnMut() -> Result<T, E>,
) -> BenchResult<Stats> {
    for _ in 0..WARMUPS {
        operation().map_err(Into::into)?;
    }
    let mut samples = Vec::with_capacity(ITERATIONS);
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        let result = operation();
        samples.push(start.elapsed());
        result.map_err(Into::into)?;
    }
    Ok(stats(samples))
}

/// Nearest-rank percentiles.
fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let rank = |percent: usize| {
        let index = (samples.len() * percent).div_ceil(100).saturating_sub(1);
        samples.get(index).copied().unwrap_or_default()
    };
    Stats {
        p50: rank(50),
        p95: rank(95),
        min: rank(0),
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

fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1e3)
}

fn ratio(value: Duration, floor: Duration) -> f64 {
    value.as_secs_f64() / floor.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// Runs `pyhanko_sign.py` on the same inputs with the pyHanko of `target/oracles-venv`, passing
/// this run's floors so that its ratios compare with the same baseline.
fn run_pyhanko(root: &Path, inputs_dir: &Path, floors: &[String]) -> BenchResult<()> {
    let python: PathBuf = root.join("target/oracles-venv/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pyhanko_sign.py");
    if !python.exists() {
        println!(
            "pyHanko skipped: {} is missing; create it with \
             `python3 -m venv target/oracles-venv && target/oracles-venv/bin/pip install \
             pyhanko==0.38.0` (ORACLES.md).",
            python.display()
        );
        return Ok(());
    }
    let status = Command::new(&python)
        .arg(&script)
        .arg(inputs_dir)
        .arg(ITERATIONS.to_string())
        .arg(WARMUPS.to_string())
        .args(floors)
        .status()?;
    if !status.success() {
        return Err(format!("{} failed: {status}", script.display()).into());
    }
    Ok(())
}

// A minimal PDF writer: classic cross-reference table, uncompressed streams, offsets computed
// as the objects are written.

/// A PDF being written object by object; object `n` is the `n`-th added.
struct PdfWriter {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl PdfWriter {
    fn new() -> PdfWriter {
        PdfWriter {
            // The comment's high bytes mark the file as binary (ISO 32000-2 §7.5.2).
            out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            offsets: Vec::new(),
        }
    }

    /// Writes the next object, a dictionary or anything else written as `body`.
    fn object(&mut self, body: &str) -> usize {
        self.offsets.push(self.out.len());
        let number = self.offsets.len();
        self.out
            .extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
        number
    }

    /// Writes the next object as a stream with `dictionary`'s entries and an exact `/Length`.
    fn stream(&mut self, dictionary: &str, data: &[u8]) -> usize {
        self.offsets.push(self.out.len());
        let number = self.offsets.len();
        self.out.extend_from_slice(
            format!(
                "{number} 0 obj\n<< {dictionary} /Length {} >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        number
    }

    /// Writes the cross-reference table and the trailer, with object 1 as the catalog.
    fn finish(mut self) -> Vec<u8> {
        let xref = self.out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        let id = "<0123456789ABCDEF0123456789ABCDEF>";
        table.push_str(&format!(
            "trailer\n<< /Size {} /Root 1 0 R /ID [{id} {id}] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        ));
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}

/// `pages` A4 pages of `lines` lines of Helvetica text each, in uncompressed content streams
/// (20 × 60 gives about 100 KB).
fn text_pdf(pages: usize, lines: usize) -> Vec<u8> {
    let mut writer = PdfWriter::new();
    // Objects 1 to 3 are the catalog, the page tree and the font; pages follow in pairs.
    let kids: Vec<String> = (0..pages)
        .map(|page| format!("{} 0 R", 4 + 2 * page + 1))
        .collect();
    writer.object("<< /Type /Catalog /Pages 2 0 R >>");
    writer.object(&format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 3 0 R >> >> >>",
        kids.join(" ")
    ));
    writer.object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    for page in 1..=pages {
        let mut content = String::from("BT /F1 9 Tf 12 TL 50 800 Td\n");
        for line in 1..=lines {
            content.push_str(&format!(
                "(Page {page:03} line {line:03}: the quick brown fox jumps over the lazy dog \
                 near the river bank.) '\n"
            ));
        }
        content.push_str("ET\n");
        let contents = writer.stream("", content.as_bytes());
        writer.object(&format!(
            "<< /Type /Page /Parent 2 0 R /Contents {contents} 0 R >>"
        ));
    }
    writer.finish()
}

/// One A4 page showing a `width` × `height` 8-bit grey image of pseudo-random, incompressible
/// bytes, stored unfiltered (2500 × 2000 gives about 5 MB).
fn image_pdf(width: usize, height: usize) -> Vec<u8> {
    let mut writer = PdfWriter::new();
    writer.object("<< /Type /Catalog /Pages 2 0 R >>");
    writer.object("<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>");
    writer.object(
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R \
         /Resources << /XObject << /Im1 5 0 R >> >> >>",
    );
    writer.stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q");
    writer.stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /DeviceGray /BitsPerComponent 8"
        ),
        &noise(width * height),
    );
    writer.finish()
}

/// `len` bytes of xorshift64* output: fixed, so every run signs the same file.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}
