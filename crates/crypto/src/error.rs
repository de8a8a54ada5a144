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

    /// The cryptographic library failed where no input of ours should make it fail
    /// (key generation, signing, encoding).
    #[error("cryptographic backend failure")]
    Backend(#[from] ErrorStack),
}
