//! The one error type of the `crypto` crate.
//!
//! Variants say what went wrong in the caller's terms (a wrong password, a file that is not
//! PKCS#12), so that `app` can map them without knowing OpenSSL.
//! OpenSSL's own error stack travels only as a `#[source]`.

use std::path::PathBuf;

use openssl::error::ErrorStack;
use time::OffsetDateTime;

/// Everything that can fail in the `crypto` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PKCS#12 file is well formed, but the password does not open it.
    #[error("wrong PKCS#12 password")]
    WrongPassword,

    /// The bytes are not a PKCS#12 file at all (truncated, garbage or another format).
    #[error("not a valid PKCS#12 file")]
    InvalidPkcs12 {
        /// What OpenSSL reported while decoding.
        #[source]
        source: ErrorStack,
    },

    /// The PKCS#12 file opened, but holds no end-entity certificate.
    #[error("the PKCS#12 file holds no certificate")]
    Pkcs12WithoutCertificate,

    /// A password that OpenSSL cannot take, because it contains a NUL character.
    #[error("a PKCS#12 password must not contain NUL characters")]
    UnusablePassword,

    /// The requested validity period cannot hold the development PKI.
    #[error(
        "validity from {not_before} to {not_after} must span more than one day \
         within the years 1950 to 9999"
    )]
    InvalidValidityPeriod {
        /// The requested start of validity.
        not_before: OffsetDateTime,
        /// The requested end of validity.
        not_after: OffsetDateTime,
    },

    /// The bytes are not an X.509 certificate.
    #[error("not a valid X.509 certificate")]
    InvalidCertificate {
        /// What OpenSSL reported while decoding.
        #[source]
        source: ErrorStack,
    },

    /// A PEM bundle held no certificate at all.
    #[error("no certificate found")]
    NoCertificate,

    /// A file could not be written (or a folder created).
    #[error("cannot write {path}")]
    Io {
        /// The file or folder that could not be written.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A key too weak for a legally valid signature (TT 15/2025/TT-BKHCN: RSA of at least 2048
    /// bits, ECDSA on a curve of at least 256 bits), or of a type we cannot sign with.
    #[error("key refused: {description}")]
    WeakKey {
        /// What the key is and what would be needed (`RSA-1024: at least 2048 bits required`).
        description: String,
    },

    /// The private key could not be read (not PEM, encrypted, or malformed).
    #[error("not a valid private key")]
    InvalidKey {
        /// What OpenSSL reported while decoding.
        #[source]
        source: ErrorStack,
    },

    /// The private key does not belong to the certificate it came with.
    #[error("the private key does not match the certificate")]
    KeyMismatch,

    /// The certificate may not be used to sign now (TT 15/2025 and RFC 5280 checks made before
    /// any key is used).
    #[error("certificate refused for signing: {reason}")]
    CertificateRefused {
        /// Why.
        reason: crate::CertificateRefusal,
    },

    /// A digest of the wrong length for its hash algorithm.
    #[error("a {algorithm} digest has {expected} bytes, not {actual}")]
    DigestLength {
        /// The hash algorithm's name (`sha256`).
        algorithm: &'static str,
        /// The length the algorithm produces.
        expected: usize,
        /// The length received.
        actual: usize,
    },

    /// A signature that the signer's certificate does not verify (a wrong key, a garbled answer
    /// from a token or a remote service, or a scheme that does not fit the key).
    #[error("the signature does not verify with the signer's certificate")]
    SignatureMismatch,

    /// A CMS structure (RFC 5652) that cannot be built, read or safely changed.
    #[error("invalid CMS signature: {reason}")]
    InvalidCms {
        /// What is wrong, in plain words.
        reason: String,
    },

    /// A time-stamp response (RFC 3161) that cannot be used.
    #[error("time-stamp refused: {reason}")]
    Timestamp {
        /// What is wrong, in plain words.
        reason: String,
    },

    /// An OCSP response (RFC 6960) that cannot be used.
    #[error("OCSP response refused: {reason}")]
    Ocsp {
        /// What is wrong, in plain words.
        reason: String,
    },

    /// An algorithm refused for signatures (TT 15/2025/TT-BKHCN: SHA-256 or stronger, RSA of at
    /// least 2048 bits, ECDSA on P-256/P-384/P-521), or one we do not implement: a validator
    /// reports it as a cryptographic constraints failure, not as a malformed signature.
    #[error("algorithm refused: {description}")]
    WeakAlgorithm {
        /// What was refused and what would be needed.
        description: String,
    },

    /// A certificate revocation list (RFC 5280 §5) that cannot be used.
    #[error("CRL refused: {reason}")]
    Crl {
        /// What is wrong, in plain words.
        reason: String,
    },

    /// The cryptographic library failed where no input of ours should make it fail
    /// (key generation, signing, encoding).
    #[error("cryptographic backend failure")]
    Backend(#[from] ErrorStack),

    // PKCS#11
    /// The PKCS#11 module (the token vendor's `.so`) could not be loaded or initialised: a wrong
    /// path, a file that is not a PKCS#11 library, or a library that refused to start.
    #[error("cannot load the PKCS#11 module {}", module.display())]
    Pkcs11Module {
        /// The module path as configured.
        module: PathBuf,
        /// What the loader or the module reported.
        #[source]
        source: cryptoki::error::Error,
    },

    /// No token with this label is plugged in.
    #[error(
        "no token labelled {label:?} is present (tokens present: {})",
        token_list(available)
    )]
    TokenNotFound {
        /// The label asked for.
        label: String,
        /// The labels of the tokens that are present.
        available: Vec<String>,
    },

    /// The token refused the user PIN.
    #[error("wrong token PIN")]
    WrongPin,

    /// The token's user PIN is locked after too many wrong attempts; its security officer must
    /// unlock it.
    #[error("the token PIN is locked")]
    PinLocked,

    /// The token holds no private key with this label.
    #[error("no private key labelled {label:?} on the token")]
    KeyNotFound {
        /// The key label asked for.
        label: String,
    },

    /// The token holds the private key but no X.509 certificate for it (same `CKA_ID`, or the
    /// same label).
    #[error("no certificate for the key {label:?} on the token")]
    CertificateNotFound {
        /// The key label asked for.
        label: String,
    },

    /// The token or its key cannot sign the way we need (no suitable mechanism, a key not allowed
    /// to sign, a key that wants its PIN before every signature).
    #[error("the token cannot sign: {reason}")]
    TokenUnsupported {
        /// What is missing, in plain words.
        reason: String,
    },

    /// The token was removed, or its session ended, after it was opened.
    #[error("the token was removed")]
    TokenRemoved,

    /// The token failed an operation that should have worked.
    #[error("the token failed while {operation}")]
    Token {
        /// What we were doing (`signing`, `logging in`).
        operation: &'static str,
        /// What the module reported.
        #[source]
        source: cryptoki::error::Error,
    },

    /// The token answered with bytes that cannot be what was asked for (an ECDSA signature of the
    /// wrong length, a zero integer).
    #[error("the token returned a malformed {what}")]
    MalformedTokenAnswer {
        /// What was expected (`ECDSA signature`).
        what: &'static str,
    },
}

/// Lists token labels for an error message.
fn token_list(labels: &[String]) -> String {
    if labels.is_empty() {
        "none".to_string()
    } else {
        labels
            .iter()
            .map(|label| format!("{label:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
