//! Runners for the external validators of `/work/shared/ORACLES.md`: pyHanko, pdfsig, qpdf and the
//! poppler text and image tools. Each runs the real program as a child process and returns what it
//! said; the judgement (which line must appear) stays in the test.
//!
//! `tests/run` installs them all: the Debian packages, and pyHanko in a virtual environment at
//! `$VANTHU_ORACLES_VENV` (default `target/oracles-venv` under the workspace root). A missing tool
//! is an error that says so, never a silent skip.
//!
//! The certs-dev certificates name `http://127.0.0.1:8788/` for OCSP and CRLs, and both pyHanko
//! (hard-fail revocation checking by default: without an answer there, every dev signature is
//! `INTACT:UNTRUSTED` and the exit status 1) and pdfsig (OCSP unless `-no-ocsp`) fetch from there.
//! So [`pyhanko_validate`] and [`pdfsig`] (and their variants) hold a
//! [`crate::services::DevOcsp::start_well_known_blocking`] responder for the time of the call:
//! "good" for the dev signers, "revoked" for `revoked-rsa`. Calls in other processes wait for the
//! port meanwhile (a second or so each); see that function.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

use crate::services::DevOcsp;

/// What an oracle printed, and whether it exited with status 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OracleOutput {
    /// Exit status 0.
    pub success: bool,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl OracleOutput {
    /// The lines of standard output that contain `needle`.
    pub fn lines_containing(&self, needle: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|line| line.contains(needle))
            .collect()
    }
}

impl std::fmt::Display for OracleOutput {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "success: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.success, self.stdout, self.stderr
        )
    }
}

/// The workspace root (testkit lives in `crates/testkit`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// The DEV ONLY PKI, `certs-dev/` at the workspace root.
pub fn certs_dev() -> PathBuf {
    workspace_root().join("certs-dev")
}

/// The Python virtual environment holding pyHanko: `$VANTHU_ORACLES_VENV`, or
/// `target/oracles-venv` under the workspace root (the same default as `tests/run`).
pub fn oracles_venv() -> PathBuf {
    match std::env::var_os("VANTHU_ORACLES_VENV") {
        Some(venv) if !venv.is_empty() => PathBuf::from(venv),
        _ => workspace_root().join("target").join("oracles-venv"),
    }
}

/// Writes `bytes` to a temporary `.pdf` file (deleted when dropped), for the runners below.
pub fn temp_pdf(bytes: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("vanthu-oracle-")
        .suffix(".pdf")
        .tempfile()?;
    std::io::Write::write_all(&mut file, bytes)?;
    std::io::Write::flush(&mut file)?;
    Ok(file)
}

/// The `pyhanko` program of the oracles virtual environment; an error telling to run `tests/run`
/// when it is not there.
pub fn pyhanko_path() -> anyhow::Result<PathBuf> {
    let program = oracles_venv().join("bin").join("pyhanko");
    if !program.is_file() {
        bail!(
            "pyHanko is not installed at {}: run tests/run, which creates that virtual \
             environment (or point VANTHU_ORACLES_VENV at one holding pyhanko and pyhanko-cli)",
            program.display()
        );
    }
    Ok(program)
}

/// Runs `pyhanko ARGS` from the oracles virtual environment, as it is: no revocation responder is
/// started (see the module documentation).
pub fn pyhanko<S: AsRef<OsStr>>(args: &[S]) -> anyhow::Result<OracleOutput> {
    run(Command::new(pyhanko_path()?).args(args), "pyhanko")
}

/// `pyhanko sign validate --trust ROOT --trust-replace PDF`, with the dev revocation responder up:
/// exit status 0 when every signature is valid; one line per signature,
/// `FIELD:FINGERPRINT:INTACT:TRUSTED,UNTOUCHED` when good (with `TIMESTAMP_TOKEN<INTACT:TRUSTED>`
/// for a timestamped one). An unsigned PDF succeeds with empty output.
pub fn pyhanko_validate(pdf: &Path, trust_root: &Path) -> anyhow::Result<OracleOutput> {
    pyhanko_validate_with(pdf, trust_root, &[])
}

/// [`pyhanko_validate`] with `--executive-summary`: one `FIELD:FINGERPRINT:VALID` (or `INVALID`)
/// line per signature.
pub fn pyhanko_validate_summary(pdf: &Path, trust_root: &Path) -> anyhow::Result<OracleOutput> {
    pyhanko_validate_with(pdf, trust_root, &["--executive-summary"])
}

/// `pyhanko sign validate --trust ROOT --trust-replace EXTRA… PDF`, for options such as
/// `--no-revocation-check`, `--pretty-print`, `--validation-time` or `--retroactive-revinfo`.
pub fn pyhanko_validate_with(
    pdf: &Path,
    trust_root: &Path,
    extra: &[&str],
) -> anyhow::Result<OracleOutput> {
    let mut args: Vec<&OsStr> = vec![
        "sign".as_ref(),
        "validate".as_ref(),
        "--trust".as_ref(),
        trust_root.as_os_str(),
        "--trust-replace".as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    args.push(pdf.as_os_str());
    let program = pyhanko_path()?;
    let _revocation = DevOcsp::start_well_known_blocking()?;
    run(Command::new(program).args(args), "pyhanko")
}

/// `pdfsig -nssdir sql:DB PDF` with a fresh NSS database trusting `trust_root` (`CT,C,C`), with
/// the dev revocation responder up.
///
/// pdfsig exits 0 even on a digest mismatch: read the text (`Signature is Valid.`,
/// `Certificate is Trusted.`, never `Digest Mismatch`).
pub fn pdfsig(pdf: &Path, trust_root: &Path) -> anyhow::Result<OracleOutput> {
    pdfsig_with(pdf, trust_root, &[])
}

/// [`pdfsig`] with extra options before the file, such as `-no-ocsp` or `-nocert`.
pub fn pdfsig_with(pdf: &Path, trust_root: &Path, extra: &[&str]) -> anyhow::Result<OracleOutput> {
    let nss = tempfile::Builder::new().prefix("vanthu-nssdb-").tempdir()?;
    let database = format!("sql:{}", nss.path().display());
    let created = run(
        Command::new("certutil").args(["-N", "--empty-password", "-d", &database]),
        "certutil (libnss3-tools)",
    )?;
    if !created.success {
        bail!("certutil -N failed:\n{created}");
    }
    let added = run(
        Command::new("certutil")
            .args([
                "-A",
                "-d",
                &database,
                "-n",
                "vanthu-dev-root",
                "-t",
                "CT,C,C",
                "-i",
            ])
            .arg(trust_root),
        "certutil (libnss3-tools)",
    )?;
    if !added.success {
        bail!("certutil -A {} failed:\n{added}", trust_root.display());
    }
    let _revocation = DevOcsp::start_well_known_blocking()?;
    run(
        Command::new("pdfsig")
            .args(["-nssdir", &database])
            .args(extra)
            .arg(pdf),
        "pdfsig (poppler-utils)",
    )
}

/// `qpdf --check PDF`: success (exit 0) and `No syntax or stream encoding errors` when the file is
/// sound; exit 3 means warnings, 2 errors.
pub fn qpdf_check(pdf: &Path) -> anyhow::Result<OracleOutput> {
    run(Command::new("qpdf").arg("--check").arg(pdf), "qpdf")
}

/// The text of `pdf` as `pdftotext -enc UTF-8 PDF -` extracts it; fails when pdftotext does.
pub fn pdftotext(pdf: &Path) -> anyhow::Result<String> {
    let output = run(
        Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(pdf)
            .arg("-"),
        "pdftotext (poppler-utils)",
    )?;
    if !output.success {
        bail!("pdftotext {} failed:\n{output}", pdf.display());
    }
    Ok(output.stdout)
}

/// Page `page` (1-based) of `pdf` rendered by pdftoppm at `dpi`, as PNG bytes.
pub fn pdftoppm_png(pdf: &Path, page: usize, dpi: u32) -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::Builder::new()
        .prefix("vanthu-pdftoppm-")
        .tempdir()?;
    let prefix = dir.path().join("page");
    let page = page.to_string();
    let output = run(
        Command::new("pdftoppm")
            .args(["-png", "-singlefile", "-r", &dpi.to_string()])
            .args(["-f", &page, "-l", &page])
            .arg(pdf)
            .arg(&prefix),
        "pdftoppm (poppler-utils)",
    )?;
    if !output.success {
        bail!("pdftoppm {} failed:\n{output}", pdf.display());
    }
    std::fs::read(prefix.with_extension("png")).context("reading the page pdftoppm rendered")
}

/// Runs `command` to completion, capturing its output; only a program that cannot start is an
/// error (the message names the package to install).
pub(crate) fn run(command: &mut Command, what: &str) -> anyhow::Result<OracleOutput> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {what}: is it installed? tests/run installs it"))?;
    Ok(OracleOutput {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certs_dev_is_found_from_the_workspace_root() {
        assert!(certs_dev().join("root-ca.pem").is_file());
        assert!(workspace_root().join("Cargo.lock").is_file());
    }

    #[test]
    fn lines_containing_filters_stdout() {
        let output = OracleOutput {
            success: true,
            stdout: "Sig1:ab:INTACT:TRUSTED,UNTOUCHED\nother\n".to_owned(),
            stderr: String::new(),
        };
        assert_eq!(
            output.lines_containing("INTACT:TRUSTED"),
            ["Sig1:ab:INTACT:TRUSTED,UNTOUCHED"]
        );
    }
}
