//! Keys, certificates and signatures, with OpenSSL as the only backend.
//!
//! This crate is the only one that names `openssl` (STYLE.md §1).
//! It is security code, so it never panics on input: unwrap, expect, panic and slice indexing
//! are denied outside tests (after kanidm's `libs/crypto`).
//!
//! - [`devpki`] generates the development PKI committed in `certs-dev/`.
//! - [`load_pkcs12_summary`] tells who a PKCS#12 key belongs to and when it is valid.
//! - [`Pkcs11Signer`] signs with a key on a PKCS#11 token (USB token, HSM) through `cryptoki`.
//! - [`SoftwareSigner`] signs with a PKCS#12 or PEM key in memory.
//! - [`signed_attributes`] and [`assemble_signed_data`] build the CMS of a PAdES baseline signature
//!   ourselves (no signing-time attribute); [`add_signature_timestamp`] makes it B-T.
//! - [`timestamp_request`] / [`parse_timestamp_response`] speak RFC 3161, [`ocsp_request`] /
//!   [`check_ocsp_response`] RFC 6960; [`check_signing_certificate`] is the policy applied before
//!   any key signs (TT 15/2025/TT-BKHCN).
//! - For validation: [`parse_cms`] reads anyone's CMS signature (BER included) and verifies it
//!   over the signed attributes as found; [`verify_timestamp_token`] checks an RFC 3161 token;
//!   [`validate_chain`] builds a path at a given time; [`ocsp_evidence`] and [`crl_evidence`] read
//!   signed revocation evidence. None of them decides which time matters: the caller does.

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

mod ber;
mod certificate;
mod chain;
mod cms;
pub mod devpki;
mod error;
mod hash;
mod ocsp;
mod pkcs11;
mod policy;
mod revocation;
mod signer;
mod software;
#[cfg(test)]
mod test_support;
mod tsp;
mod verify;
mod x509;

pub use crate::certificate::{CertificateSummary, load_pkcs12_summary};
pub use crate::chain::{ChainFailure, validate_chain};
pub use crate::cms::{
    ID_AA_SIGNATURE_TIME_STAMP_TOKEN, add_signature_timestamp, assemble_signed_data,
    signature_value, signed_attributes,
};
pub use crate::error::Error;
pub use crate::hash::digest;
pub use crate::ocsp::{check_ocsp_response, ocsp_evidence, ocsp_request};
pub use crate::pkcs11::{Pkcs11Config, Pkcs11Signer};
pub use crate::policy::{CertificateRefusal, check_signing_certificate};
/// The status an OCSP responder vouches for: the signing engine's name for [`RevocationStatus`].
pub use crate::revocation::RevocationStatus as OcspStatus;
pub use crate::revocation::{RevocationEvidence, RevocationSource, RevocationStatus, crl_evidence};
pub use crate::signer::{
    HashAlgorithm, SignatureAlgorithm, SignaturePreference, Signer, random_nonce, verify_signature,
};
pub use crate::software::SoftwareSigner;
pub use crate::tsp::{
    TimestampInfo, TimestampToken, parse_timestamp_response, timestamp_request,
    verify_timestamp_token,
};
pub use crate::verify::{CmsSignature, parse_cms};
pub use crate::x509::{Certificate, crl_to_der};
