//! Text extraction from an uploaded PDF, for the search index.
//!
//! The text layer is read by poppler's `pdftotext` (reading order, UTF-8) in a child process:
//! lopdf's own extraction mangles Vietnamese, and a separate process isolates a crash or a hang in
//! the parser from the server. The child gets a hard time limit (killed when it passes) and its
//! output is capped. When `pdftotext` is not installed, documents are registered without body text
//! (method `none`), with one warning in the log.
//!
//! Text that is clearly not Unicode Vietnamese (legacy TCVN3/VNI glyph codes, replacement or
//! control characters) or that is missing (a scan) is marked `needs_ocr`; OCR itself is a later
//! step of issue 6, and so far only the flag is stored.

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use unicode_normalization::UnicodeNormalization;

/// The longest a `pdftotext` run may take before it is killed.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The most text kept from one document, in bytes.
const MAX_OUTPUT_BYTES: u64 = 8 * 1024 * 1024;
/// The share of suspicious characters above which the text layer is deemed unusable.
const MAX_SUSPICIOUS_SHARE: f64 = 0.05;

/// Whether the missing `pdftotext` has already been reported.
static MISSING_REPORTED: AtomicBool = AtomicBool::new(false);

/// How a document's text was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// poppler's `pdftotext`.
    Pdftotext,
    /// No extractor ran (not installed, or it failed): no body text.
    None,
}

impl Method {
    /// The stored code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Method::Pdftotext => "pdftotext",
            Method::None => "none",
        }
    }
}

/// The text of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Extracted {
    /// The text, NFC-normalised; empty when none.
    pub(crate) text: String,
    /// How it was obtained.
    pub(crate) method: Method,
    /// Whether OCR should provide the text (missing or not Unicode Vietnamese).
    pub(crate) needs_ocr: bool,
}

impl Extracted {
    fn none() -> Extracted {
        Extracted {
            text: String::new(),
            method: Method::None,
            needs_ocr: false,
        }
    }
}

/// Extracts the text layer of `bytes` (an already checked PDF). Never fails: any problem is logged
/// and gives a document without body text.
pub(crate) async fn extract(bytes: &[u8]) -> Extracted {
    match run_pdftotext(bytes).await {
        Ok(raw) => {
            let text: String = raw.nfc().collect();
            let needs_ocr = needs_ocr(&text);
            Extracted {
                text,
                method: Method::Pdftotext,
                needs_ocr,
            }
        }
        Err(RunError::Missing) => {
            if !MISSING_REPORTED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "pdftotext (poppler-utils) is not installed: documents are indexed without their text"
                );
            }
            Extracted::none()
        }
        Err(RunError::Failed(reason)) => {
            tracing::warn!(%reason, "text extraction failed: the document is indexed without its text");
            Extracted::none()
        }
    }
}

enum RunError {
    Missing,
    Failed(String),
}

async fn run_pdftotext(bytes: &[u8]) -> Result<String, RunError> {
    let failed =
        |what: &str, error: &dyn std::fmt::Display| RunError::Failed(format!("{what}: {error}"));
    let file = tempfile::Builder::new()
        .prefix("vanthu-extract-")
        .suffix(".pdf")
        .tempfile()
        .map_err(|error| failed("temporary file", &error))?;
    tokio::fs::write(file.path(), bytes)
        .await
        .map_err(|error| failed("temporary file", &error))?;
    let mut child = match tokio::process::Command::new("pdftotext")
        .args(["-q", "-enc", "UTF-8", "-nopgbrk"])
        .arg(file.path())
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(RunError::Missing);
        }
        Err(error) => return Err(failed("cannot start pdftotext", &error)),
    };
    let Some(stdout) = child.stdout.take() else {
        return Err(RunError::Failed("pdftotext has no output pipe".to_owned()));
    };
    let work = async {
        let mut output = Vec::new();
        // One byte past the cap tells a truncated text from one that fits exactly.
        stdout
            .take(MAX_OUTPUT_BYTES + 1)
            .read_to_end(&mut output)
            .await
            .map_err(|error| failed("reading pdftotext", &error))?;
        if output.len() as u64 > MAX_OUTPUT_BYTES {
            tracing::warn!(limit = MAX_OUTPUT_BYTES, "the extracted text is truncated");
            output.truncate(usize::try_from(MAX_OUTPUT_BYTES).unwrap_or(usize::MAX));
            // The rest is not read: the child is killed below rather than waited for.
            return Ok((output, None));
        }
        let status = child
            .wait()
            .await
            .map_err(|error| failed("waiting for pdftotext", &error))?;
        Ok((output, Some(status)))
    };
    let (output, status) = match tokio::time::timeout(TIMEOUT, work).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(RunError::Failed(format!(
                "pdftotext ran past {} s and was killed",
                TIMEOUT.as_secs()
            )));
        }
    };
    if let Some(status) = status
        && !status.success()
    {
        return Err(RunError::Failed(format!("pdftotext exited with {status}")));
    }
    // A cut in the middle of a UTF-8 sequence (the cap) loses one character, not the text.
    Ok(String::from_utf8_lossy(&output).into_owned())
}

/// Whether the text needs OCR: no letters at all (a scan), or too many characters that Unicode
/// Vietnamese does not use (TCVN3/VNI glyph codes read as Latin-1, U+FFFD, control or
/// private-use characters).
pub(crate) fn needs_ocr(text: &str) -> bool {
    let mut counted = 0_usize;
    let mut letters = 0_usize;
    let mut suspicious = 0_usize;
    for ch in text.chars().filter(|ch| !ch.is_whitespace()) {
        counted += 1;
        if is_suspicious(ch) {
            suspicious += 1;
        } else if ch.is_alphabetic() {
            letters += 1;
        }
    }
    if letters == 0 {
        return true;
    }
    #[expect(clippy::cast_precision_loss, reason = "a ratio; counts far below 2^52")]
    let share = suspicious as f64 / counted as f64;
    share > MAX_SUSPICIOUS_SHARE
}

/// The Latin-1 letters that Vietnamese uses (the rest of U+0080..U+00FF appears in Vietnamese
/// text only as TCVN3 or VNI glyph codes).
const VIETNAMESE_LATIN1: &str = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý";

fn is_suspicious(ch: char) -> bool {
    match ch {
        '\u{FFFD}' => true,
        '\u{E000}'..='\u{F8FF}' => true,
        '\u{0080}'..='\u{00FF}' => !VIETNAMESE_LATIN1.contains(ch),
        _ => ch.is_control(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_vietnamese_needs_no_ocr() {
        assert!(!needs_ocr(
            "Kế hoạch cải cách hành chính năm 2024: xây dựng chính quyền điện tử, đẩy mạnh."
        ));
        assert!(!needs_ocr("Bien ban hop giao ban"));
    }

    #[test]
    fn legacy_encodings_and_scans_need_ocr() {
        // "Kế hoạch cải cách hành chính" in TCVN3 (ABC) read as Latin-1.
        assert!(needs_ocr("KÕ ho¹ch c¶i c¸ch hµnh chÝnh"));
        // The same in VNI.
        assert!(needs_ocr("Keá hoaïch caûi caùch haønh chính"));
        assert!(needs_ocr("\u{FFFD}\u{FFFD}\u{FFFD} ab \u{FFFD}"));
        assert!(needs_ocr(""));
        assert!(needs_ocr("  \n 12 34 \n"));
    }
}
