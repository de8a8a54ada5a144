//! The errors of the signing engine, in the signer's terms.

/// Why a document could not be signed or time-stamped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PDF cannot be read or changed (not a PDF, damaged, encrypted with an unknown password…).
    #[error("{0}")]
    Pdf(#[from] pdf::Error),
    /// A key, certificate or cryptographic structure failed (wrong password, weak key, refused
    /// certificate…).
    #[error("{0}")]
    Crypto(#[from] crypto::Error),
    /// The time-stamping authority or the OCSP responder could not be used.
    #[error("{0}")]
    Service(#[from] crate::TransportError),
    /// A level that needs a timestamp was asked for without a TSA.
    #[error("level {level} needs a time-stamping authority (--tsa URL)")]
    TimestampAuthorityRequired {
        /// The level asked for.
        level: crate::Level,
    },
    /// The validation data for B-LT could not be gathered.
    #[error("no revocation information for {subject}: {reason}")]
    RevocationUnavailable {
        /// The certificate concerned.
        subject: String,
        /// Why.
        reason: String,
    },
    /// A level name that does not exist.
    #[error("unknown PAdES level {value:?}: use b-b, b-t, b-lt or b-lta")]
    UnknownLevel {
        /// What was given.
        value: String,
    },
    /// A persisted pending signature does not parse.
    #[error("the pending signature is damaged: {reason}")]
    CorruptPending {
        /// Why.
        reason: &'static str,
    },
    /// The raw signature given to `finalize` does not verify against the certificate.
    #[error("the signature returned by the signing service does not match the certificate")]
    SignatureMismatch,
}
