//! The validation report: per signature an ETSI-style conclusion (ETSI EN 319 102-1 §5.1.3:
//! TOTAL-PASSED, INDETERMINATE, TOTAL-FAILED) with the sub-indications that led to it, and a document
//! conclusion. Serialised by the callers (the CLI's `--json`, the API); these are plain data.

use time::OffsetDateTime;

/// The main indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Conclusion {
    /// Every check passed.
    Passed,
    /// A check could not be completed (no chain to a trust root, revocation unknown, …).
    Indeterminate,
    /// A check failed (the document changed, the signature is forged, the certificate was revoked…).
    Failed,
}

impl Conclusion {
    /// `PASSED`, `INDETERMINATE` or `FAILED`.
    pub fn code(self) -> &'static str {
        match self {
            Conclusion::Passed => "PASSED",
            Conclusion::Indeterminate => "INDETERMINATE",
            Conclusion::Failed => "FAILED",
        }
    }
}

/// A sub-indication: why a signature did not pass (ETSI EN 319 102-1 §5.1.3 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The signed bytes do not match the message digest: the document was changed.
    HashFailure,
    /// The signature value does not verify with the signer's key.
    SigCryptoFailure,
    /// The signed bytes do not cover the whole revision, or the CMS is malformed.
    FormatFailure,
    /// No path from the signer's certificate to a trust root.
    NoCertificateChainFound,
    /// The certificate was revoked before the signing time.
    Revoked,
    /// The certificate was not valid at the signing time.
    Expired,
    /// The certificate was not yet valid at the signing time.
    NotYetValid,
    /// No revocation information could be obtained (offline, responder down).
    TryLater,
    /// The signing certificate is not the one the signature names (signing-certificate-v2).
    SigningCertificateMismatch,
    /// A later revision changed the document beyond what signatures allow.
    ModifiedAfterSigning,
    /// The signature timestamp does not match or does not verify.
    TimestampFailure,
    /// An algorithm refused by policy (TT 15/2025: SHA-1, RSA < 2048).
    CryptoConstraintsFailure,
    /// The certificate is not one that may sign documents (key usage, extended key usage).
    ChainConstraintsFailure,
}

impl Reason {
    /// The stable upper-case code, e.g. `HASH_FAILURE`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::HashFailure => "HASH_FAILURE",
            Reason::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Reason::FormatFailure => "FORMAT_FAILURE",
            Reason::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            Reason::Revoked => "REVOKED",
            Reason::Expired => "EXPIRED",
            Reason::NotYetValid => "NOT_YET_VALID",
            Reason::TryLater => "TRY_LATER",
            Reason::SigningCertificateMismatch => "SIGNING_CERTIFICATE_MISMATCH",
            Reason::ModifiedAfterSigning => "MODIFIED_AFTER_SIGNING",
            Reason::TimestampFailure => "TIMESTAMP_FAILURE",
            Reason::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            Reason::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
        }
    }

    /// What the reason means, in Vietnamese, for people.
    pub fn message_vi(self) -> &'static str {
        match self {
            Reason::HashFailure => "Nội dung văn bản đã bị thay đổi sau khi ký.",
            Reason::SigCryptoFailure => "Giá trị chữ ký không khớp với khóa của người ký.",
            Reason::FormatFailure => "Cấu trúc chữ ký không hợp lệ.",
            Reason::NoCertificateChainFound => {
                "Không xác định được chuỗi chứng thư đến tổ chức tin cậy."
            }
            Reason::Revoked => "Chứng thư số đã bị thu hồi.",
            Reason::Expired => "Chứng thư số đã hết hạn tại thời điểm ký.",
            Reason::NotYetValid => "Chứng thư số chưa có hiệu lực tại thời điểm ký.",
            Reason::TryLater => "Chưa kiểm tra được tình trạng thu hồi chứng thư số.",
            Reason::SigningCertificateMismatch => {
                "Chứng thư ký không khớp với chứng thư được chỉ định."
            }
            Reason::ModifiedAfterSigning => "Văn bản đã bị sửa đổi sau khi ký.",
            Reason::TimestampFailure => "Dấu thời gian không hợp lệ.",
            Reason::CryptoConstraintsFailure => "Thuật toán mật mã không đạt yêu cầu.",
            Reason::ChainConstraintsFailure => "Chứng thư số không được dùng để ký văn bản.",
        }
    }

    /// What the reason means, in English.
    pub fn message_en(self) -> &'static str {
        match self {
            Reason::HashFailure => "the document was changed after it was signed",
            Reason::SigCryptoFailure => "the signature value does not verify with the signer's key",
            Reason::FormatFailure => "the signature structure is malformed",
            Reason::NoCertificateChainFound => "no chain to a trusted root",
            Reason::Revoked => "the certificate is revoked",
            Reason::Expired => "the certificate had expired at the signing time",
            Reason::NotYetValid => "the certificate was not yet valid at the signing time",
            Reason::TryLater => "the revocation status could not be determined",
            Reason::SigningCertificateMismatch => {
                "the signing certificate does not match the one the signature names"
            }
            Reason::ModifiedAfterSigning => "the document was modified after signing",
            Reason::TimestampFailure => "the timestamp is invalid",
            Reason::CryptoConstraintsFailure => "an algorithm below the required strength",
            Reason::ChainConstraintsFailure => "the certificate may not sign documents",
        }
    }
}

/// Who signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerIdentity {
    /// The certificate subject (RFC 4514).
    pub subject: String,
    /// The issuer.
    pub issuer: String,
    /// The serial number, hex.
    pub serial: String,
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Whether it passed (`None` when it could not be decided).
    pub ok: Option<bool>,
    /// What was found, in plain words.
    pub detail: String,
}

/// One change made by a later revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modification {
    /// Allowed after a signature (form filling, later signatures, DSS, timestamps).
    pub allowed: bool,
    /// What changed, in plain words.
    pub description: String,
}

/// A timestamp and whether it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampReport {
    /// The time the TSA attests.
    pub time: OffsetDateTime,
    /// The TSA's subject.
    pub tsa: Option<String>,
    /// Whether the token verifies, matches its data, and chains to a trust root.
    pub valid: bool,
}

/// The report of one signature or document timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureReport {
    /// The field name.
    pub field: String,
    /// Whether this is a document timestamp rather than a signature.
    pub is_document_timestamp: bool,
    /// The signer (the TSA for a document timestamp).
    pub signer: Option<SignerIdentity>,
    /// The claimed signing time (`/M`).
    pub signing_time: Option<OffsetDateTime>,
    /// The signature timestamp (or the document timestamp's own time).
    pub timestamp: Option<TimestampReport>,
    /// The PAdES level reached: `B-B`, `B-T`, `B-LT`, `B-LTA` (None for a non-PAdES signature).
    pub level: Option<String>,
    /// Digest and signature value.
    pub integrity: Check,
    /// Certificate path to a trust root, validity at the signing time.
    pub chain: Check,
    /// Revocation status at the signing time, and its source.
    pub revocation: Check,
    /// What later revisions changed.
    pub modifications: Vec<Modification>,
    /// The conclusion.
    pub conclusion: Conclusion,
    /// Why it did not pass.
    pub reasons: Vec<Reason>,
}

/// The report of a whole document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationReport {
    /// The worst conclusion among the signatures (`Passed` requires at least one signature).
    pub conclusion: Conclusion,
    /// One report per signature and document timestamp, in file order.
    pub signatures: Vec<SignatureReport>,
}
