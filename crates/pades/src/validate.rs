//! Validation of every signature and document timestamp of a PDF, ours or another tool's (ETSI EN 319
//! 102-1 basic and long-term validation, simplified to what a registry office needs).
//!
//! Per signature: the byte range covers its whole revision except `/Contents`; the message digest
//! matches; the signature verifies with the signer's key; the signer is the certificate that
//! signing-certificate-v2 names; the certificate chains to a configured root and was valid at the
//! validation time; revocation status at that time (from the document's DSS, else online); the
//! signature timestamp; the level reached; and what every later revision changed. The validation time
//! is the signature timestamp's time when one verifies (proof of existence), else `options.now`.
//!
//! How conclusions follow ETSI EN 319 102-1 §5.1.3: a broken digest, signature, format, signer
//! reference, or a disallowed later change, or a revocation before the validation time, is FAILED; a
//! missing chain, an expired or not-yet-valid certificate, unknown revocation, a bad timestamp or a
//! weak algorithm is INDETERMINATE (it may pass with more evidence).

use crypto::Certificate;
use time::OffsetDateTime;

use crate::report::ValidationReport;
use crate::{Error, Transport};

/// Where revocation information may come from.
#[derive(Clone, Copy, Debug)]
pub enum RevocationMode<'a> {
    /// Only what the document carries (its DSS and the CMS): no network.
    Offline,
    /// The document's data first, then the certificates' OCSP responders and CRL distribution points
    /// over `transport`.
    Online {
        /// How to reach the responders.
        transport: &'a dyn Transport,
    },
}

/// How to validate.
#[derive(Debug)]
pub struct ValidationOptions<'a> {
    /// The trust anchors (the national root, the official-use CA, or the dev root in tests).
    pub trust_roots: &'a [Certificate],
    /// Where revocation information may come from.
    pub revocation: RevocationMode<'a>,
    /// The validation time: used for signatures without a timestamp (from the application clock).
    pub now: OffsetDateTime,
    /// The password of an encrypted document.
    pub password: Option<&'a str>,
    /// Parsing limits.
    pub limits: &'a pdf::Limits,
}

/// Validates every signature and document timestamp of `document`.
///
/// # Errors
/// `Error::Pdf` only when the file cannot be read as a PDF at all; every problem with a signature is
/// part of the report.
pub fn validate(
    document: &[u8],
    options: &ValidationOptions<'_>,
) -> Result<ValidationReport, Error> {
    // Placeholder while the crypto and pdf primitives land (see the lead's working copy).
    let _ = (document, options);
    Err(Error::CorruptPending {
        reason: "validation is not implemented yet",
    })
}
