//! Keys, certificates and signatures, with OpenSSL as the only backend.
//!
//! This crate is the only one that names `openssl` (STYLE.md §1).
//! It is security code, so it never panics on input: unwrap, expect, panic and slice indexing
//! are denied outside tests (after kanidm's `libs/crypto`).
//!
//! - [`devpki`] generates the development PKI committed in `certs-dev/`.
//! - [`load_pkcs12_summary`] tells who a PKCS#12 key belongs to and when it is valid.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        reason = "a failing test should panic with the value it did not expect"
    )
)]

mod certificate;
pub mod devpki;
mod error;
mod signer;
mod x509;

pub use crate::certificate::{CertificateSummary, load_pkcs12_summary};
pub use crate::error::Error;
pub use crate::signer::{HashAlgorithm, SignatureAlgorithm, SignaturePreference, Signer};
pub use crate::x509::Certificate;
