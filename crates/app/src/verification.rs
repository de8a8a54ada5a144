//! Verifying a PDF's signatures without a database: the use case behind `vanthu verify`, and the
//! report's two outward forms (the JSON of DESIGN.md §3 and a readable text in Vietnamese and
//! English), shared by the CLI and the API.

use std::path::PathBuf;
use std::time::Duration;

use crypto::Certificate;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Error;

/// How long an OCSP or CRL request may take during verification.
const REVOCATION_TIMEOUT: Duration = Duration::from_secs(10);

/// What to verify, against which roots.
#[derive(Debug)]
pub struct VerifyFileRequest {
    /// The PDF.
    pub input: PathBuf,
    /// Trust roots (PEM files).
    pub trust: Vec<PathBuf>,
    /// Use only the revocation data inside the document.
    pub offline: bool,
    /// The password of an encrypted PDF.
    pub password: Option<SecretString>,
}

/// The outcome of verifying a file, with the exit code `vanthu verify` uses.
#[derive(Debug)]
pub struct VerifyOutcome {
    /// The report as JSON (DESIGN.md §3).
    pub json: Value,
    /// The report as text, Vietnamese then English per line.
    pub text: String,
    /// 0 every signature passed, 1 any failed, 2 any indeterminate and none failed, 3 not a PDF.
    pub exit_code: u8,
}

/// Verifies every signature of `request.input` at `now`.
///
/// # Errors
/// `Error::Validation` for unreadable trust files. A missing file or one that is not a PDF is not an
/// error: its outcome has exit code 3.
pub fn verify_file(
    request: &VerifyFileRequest,
    now: OffsetDateTime,
) -> Result<VerifyOutcome, Error> {
    let document = match std::fs::read(&request.input) {
        Ok(document) => document,
        Err(error) => {
            let message = format!("cannot read {}: {error}", request.input.display());
            return Ok(VerifyOutcome {
                json: json!({ "conclusion": "UNREADABLE", "error": message, "signatures": [] }),
                text: format!("Không đọc được tệp / the file cannot be read: {message}"),
                exit_code: 3,
            });
        }
    };
    let mut roots = Vec::new();
    for path in &request.trust {
        let pem = std::fs::read(path).map_err(|error| {
            Error::invalid("trust", format!("cannot read {}: {error}", path.display()))
        })?;
        roots
            .extend(Certificate::from_pem_bundle(&pem).map_err(|error| {
                Error::invalid("trust", format!("{}: {error}", path.display()))
            })?);
    }
    let transport = pades::HttpTransport::new(REVOCATION_TIMEOUT);
    let limits = pdf::Limits::untrusted_upload();
    let options = pades::ValidationOptions {
        trust_roots: &roots,
        revocation: if request.offline {
            pades::RevocationMode::Offline
        } else {
            pades::RevocationMode::Online {
                transport: &transport,
            }
        },
        now,
        password: request.password.as_ref().map(ExposeSecret::expose_secret),
        limits: &limits,
    };
    match pades::validate(&document, &options) {
        Ok(report) => Ok(VerifyOutcome {
            json: report_json(&report),
            text: report_text(&report),
            exit_code: exit_code(report.conclusion),
        }),
        Err(error) => Ok(VerifyOutcome {
            json: json!({ "conclusion": "UNREADABLE", "error": error.to_string(), "signatures": [] }),
            text: format!("Không đọc được tệp PDF / the file cannot be read as a PDF: {error}"),
            exit_code: 3,
        }),
    }
}

/// The exit code of a document conclusion.
pub fn exit_code(conclusion: pades::Conclusion) -> u8 {
    match conclusion {
        pades::Conclusion::Passed => 0,
        pades::Conclusion::Failed => 1,
        pades::Conclusion::Indeterminate => 2,
    }
}

/// The report as JSON: `conclusion` and `signatures[]` with `field`, `signer`, `signing_time`,
/// `timestamp`, `level`, `integrity`, `chain`, `revocation`, `modifications`, `conclusion`, `reasons`.
pub fn report_json(report: &pades::ValidationReport) -> Value {
    let time = |at: OffsetDateTime| at.format(&Rfc3339).ok();
    let check = |check: &pades::Check| json!({ "ok": check.ok, "detail": check.detail });
    let signatures: Vec<Value> = report
        .signatures
        .iter()
        .map(|signature| {
            json!({
                "field": signature.field,
                "type": if signature.is_document_timestamp { "document_timestamp" } else { "signature" },
                "signer": signature.signer.as_ref().map(|signer| json!({
                    "subject": signer.subject, "issuer": signer.issuer, "serial": signer.serial,
                })),
                "signing_time": signature.signing_time.and_then(time),
                "timestamp": signature.timestamp.as_ref().map(|timestamp| json!({
                    "time": time(timestamp.time), "tsa": timestamp.tsa, "valid": timestamp.valid,
                })),
                "level": signature.level,
                "integrity": check(&signature.integrity),
                "chain": check(&signature.chain),
                "revocation": check(&signature.revocation),
                "modifications": signature.modifications.iter().map(|modification| json!({
                    "allowed": modification.allowed, "description": modification.description,
                })).collect::<Vec<_>>(),
                "conclusion": signature.conclusion.code(),
                "reasons": signature.reasons.iter().map(|reason| reason.code()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "conclusion": report.conclusion.code(), "signatures": signatures })
}

/// The report as text for people: each line in Vietnamese, then English.
pub fn report_text(report: &pades::ValidationReport) -> String {
    let mut lines = Vec::new();
    let verdict = |conclusion: pades::Conclusion| match conclusion {
        pades::Conclusion::Passed => "HỢP LỆ / PASSED",
        pades::Conclusion::Indeterminate => "CHƯA XÁC ĐỊNH / INDETERMINATE",
        pades::Conclusion::Failed => "KHÔNG HỢP LỆ / FAILED",
    };
    if report.signatures.is_empty() {
        lines.push("Tệp không có chữ ký số / the file has no signatures".to_owned());
    }
    for (index, signature) in report.signatures.iter().enumerate() {
        let kind = if signature.is_document_timestamp {
            "Dấu thời gian tài liệu / document timestamp"
        } else {
            "Chữ ký / signature"
        };
        lines.push(format!(
            "{} {}: {} [{}]",
            kind,
            index + 1,
            signature.field,
            verdict(signature.conclusion)
        ));
        if let Some(signer) = &signature.signer {
            lines.push(format!("  Người ký / signer: {}", signer.subject));
            lines.push(format!(
                "  Cấp bởi / issuer: {} (serial {})",
                signer.issuer, signer.serial
            ));
        }
        if let Some(at) = signature
            .signing_time
            .and_then(|at| at.format(&Rfc3339).ok())
        {
            lines.push(format!("  Thời điểm ký / signing time: {at}"));
        }
        if let Some(timestamp) = &signature.timestamp {
            lines.push(format!(
                "  Dấu thời gian / timestamp: {} ({})",
                timestamp.time.format(&Rfc3339).unwrap_or_default(),
                if timestamp.valid {
                    "hợp lệ / valid"
                } else {
                    "không hợp lệ / invalid"
                }
            ));
        }
        if let Some(level) = &signature.level {
            lines.push(format!("  Mức PAdES / level: {level}"));
        }
        lines.push(format!(
            "  Toàn vẹn / integrity: {}",
            signature.integrity.detail
        ));
        lines.push(format!(
            "  Chuỗi chứng thư / chain: {}",
            signature.chain.detail
        ));
        lines.push(format!(
            "  Thu hồi / revocation: {}",
            signature.revocation.detail
        ));
        for modification in &signature.modifications {
            let mark = if modification.allowed {
                "được phép / allowed"
            } else {
                "KHÔNG được phép / NOT allowed"
            };
            lines.push(format!(
                "  Sửa đổi sau khi ký / later change ({mark}): {}",
                modification.description
            ));
        }
        for reason in &signature.reasons {
            lines.push(format!(
                "  ! {} — {} ({})",
                reason.message_vi(),
                reason.message_en(),
                reason.code()
            ));
        }
    }
    lines.push(format!(
        "Kết luận / conclusion: {}",
        verdict(report.conclusion)
    ));
    lines.join("\n")
}
