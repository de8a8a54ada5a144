//! The checks a certificate must pass before any key signs with it (TT 15/2025/TT-BKHCN and
//! RFC 5280): valid at the signing time, a key usage that allows signatures, a key and hashes
//! strong enough, and a chain to one of the trusted roots.
//!
//! Revocation is not checked here: the signing engine asks the OCSP responder separately (and
//! embeds the answer for B-LT).

use domain::calendar::rfc3339;
use openssl::nid::Nid;
use openssl::x509::{X509, X509KeyUsage, X509Ref};
use time::OffsetDateTime;

use crate::chain::verify_path;
use crate::software::signing_key_kind;
use crate::{Certificate, Error};

/// Why a certificate may not sign, in words a ward clerk can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRefusal {
    /// The signing time is before the start of validity.
    #[error("the certificate is valid only from {}", rfc3339(*.not_before))]
    NotYetValid {
        /// The start of validity.
        not_before: OffsetDateTime,
    },
    /// The signing time is after the end of validity.
    #[error("the certificate expired on {}", rfc3339(*.not_after))]
    Expired {
        /// The end of validity.
        not_after: OffsetDateTime,
    },
    /// The key usage extension is missing or allows neither digitalSignature nor
    /// nonRepudiation (contentCommitment).
    #[error("the certificate is not meant for signing (key usage)")]
    NoSigningKeyUsage,
    /// No chain to a trusted root at the signing time (unknown issuer, self-signed, an
    /// intermediate that has expired…).
    #[error("the certificate is not trusted: {detail}")]
    Untrusted {
        /// What OpenSSL's path validation reported, and where in the chain.
        detail: String,
    },
    /// A key too weak for TT 15/2025 (RSA under 2048 bits, ECDSA under 256 bits).
    #[error("{description}")]
    WeakKey {
        /// The key and what would be needed.
        description: String,
    },
    /// The certificate, or one of its issuers, is signed with a hash weaker than SHA-256.
    #[error("{subject} is signed with {algorithm}, weaker than SHA-256")]
    WeakHash {
        /// The certificate so signed.
        subject: String,
        /// The signature algorithm (`sha1WithRSAEncryption`).
        algorithm: String,
    },
}

/// Checks that `signer` may sign at `at`: validity, key strength, certificate hashes, key usage,
/// then a path through `chain` (untrusted intermediates) to one of `roots` (trust anchors; an
/// intermediate given as a root is accepted as an anchor), validated at `at`.
///
/// A missing key usage extension is refused: every signing certificate issued under TT 15/2025
/// carries one.
///
/// # Errors
/// [`Error::CertificateRefused`] with the first reason found, in the order above;
/// [`Error::InvalidCertificate`] or [`Error::Backend`] when a certificate cannot be read.
pub fn check_signing_certificate(
    signer: &Certificate,
    chain: &[Certificate],
    roots: &[Certificate],
    at: OffsetDateTime,
) -> Result<(), Error> {
    let refuse = |reason| Err(Error::CertificateRefused { reason });
    let summary = signer.summary()?;
    if at < summary.not_before {
        return refuse(CertificateRefusal::NotYetValid {
            not_before: summary.not_before,
        });
    }
    if at > summary.not_after {
        return refuse(CertificateRefusal::Expired {
            not_after: summary.not_after,
        });
    }
    let certificate = signer.to_openssl()?;
    let public_key = certificate.public_key()?;
    match signing_key_kind(&public_key) {
        Ok(_) => {}
        Err(Error::WeakKey { description }) => {
            return refuse(CertificateRefusal::WeakKey { description });
        }
        Err(other) => return Err(other),
    }
    let intermediates = chain
        .iter()
        .map(Certificate::to_openssl)
        .collect::<Result<Vec<X509>, Error>>()?;
    for issued in std::iter::once(&certificate).chain(&intermediates) {
        if let Some(reason) = weak_hash(issued)? {
            return refuse(reason);
        }
    }
    let signs = certificate.key_usage().is_some_and(|usage| {
        usage.intersects(X509KeyUsage::DIGITAL_SIGNATURE | X509KeyUsage::NON_REPUDIATION)
    });
    if !signs {
        return refuse(CertificateRefusal::NoSigningKeyUsage);
    }
    if let Some(detail) = path_problem(&certificate, intermediates, roots, at)? {
        return refuse(CertificateRefusal::Untrusted { detail });
    }
    Ok(())
}

/// Validates the path at `at` (the crate's one path builder); `None` when it holds.
fn path_problem(
    certificate: &X509Ref,
    intermediates: Vec<X509>,
    roots: &[Certificate],
    at: OffsetDateTime,
) -> Result<Option<String>, Error> {
    if roots.is_empty() {
        return Ok(Some("no trusted root is configured".to_owned()));
    }
    Ok(verify_path(certificate, intermediates, roots, at)?
        .err()
        .map(|failure| failure.detail()))
}

/// A refusal when `certificate` is signed with a hash weaker than SHA-256; RSASSA-PSS, whose hash
/// sits in the parameters, is let through, and so are self-signed roots, whose own signature
/// protects nothing.
fn weak_hash(certificate: &X509Ref) -> Result<Option<CertificateRefusal>, Error> {
    if certificate.issued(certificate) == openssl::x509::X509VerifyResult::OK {
        return Ok(None);
    }
    let nid = certificate.signature_algorithm().object().nid();
    let Some(algorithms) = nid.signature_algorithms() else {
        return Ok(None);
    };
    let strong = [
        Nid::SHA256,
        Nid::SHA384,
        Nid::SHA512,
        Nid::SHA3_256,
        Nid::SHA3_384,
        Nid::SHA3_512,
        Nid::UNDEF,
    ];
    if strong.contains(&algorithms.digest) {
        return Ok(None);
    }
    Ok(Some(CertificateRefusal::WeakHash {
        subject: Certificate::from_openssl(certificate)?.summary()?.subject,
        algorithm: nid.long_name().unwrap_or("an unknown algorithm").to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::X509NameBuilder;
    use openssl::x509::extension::KeyUsage;
    use time::macros::datetime;

    use super::*;
    use crate::test_support::{certificate as one, certificates as pem};

    fn refusal(result: Result<(), Error>) -> CertificateRefusal {
        match result {
            Err(Error::CertificateRefused { reason }) => reason,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    const AT: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    #[test]
    fn the_leader_may_sign_with_its_chain_to_the_dev_root() {
        let chain = pem("chain.pem");
        let intermediate = &chain[..1];
        let root = &chain[1..];
        for name in ["leader-rsa.pem", "leader-p256.pem", "seal-rsa.pem"] {
            check_signing_certificate(&one(name), intermediate, root, AT).unwrap();
        }
        // The root given in the chain as well does no harm, nor does the intermediate as anchor.
        check_signing_certificate(&one("leader-rsa.pem"), &chain, root, AT).unwrap();
        check_signing_certificate(&one("leader-rsa.pem"), &[], intermediate, AT).unwrap();
    }

    #[test]
    fn validity_is_checked_at_the_given_time() {
        let chain = pem("chain.pem");
        let reason = refusal(check_signing_certificate(
            &one("expired-rsa.pem"),
            &chain[..1],
            &chain[1..],
            AT,
        ));
        assert!(
            matches!(reason, CertificateRefusal::Expired { .. }),
            "{reason}"
        );
        assert_eq!(
            reason.to_string(),
            "the certificate expired on 2024-01-02T00:00:00Z"
        );
        let reason = refusal(check_signing_certificate(
            &one("leader-rsa.pem"),
            &chain[..1],
            &chain[1..],
            datetime!(2023-06-01 00:00 UTC),
        ));
        assert!(
            matches!(reason, CertificateRefusal::NotYetValid { .. }),
            "{reason}"
        );
    }

    #[test]
    fn no_root_or_a_foreign_root_is_untrusted() {
        let chain = pem("chain.pem");
        let reason = refusal(check_signing_certificate(
            &one("leader-rsa.pem"),
            &chain[..1],
            &[],
            AT,
        ));
        assert!(
            matches!(reason, CertificateRefusal::Untrusted { .. }),
            "{reason}"
        );

        let (throwaway, _) = make_certificate("Throwaway", None, MessageDigest::sha256());
        let reason = refusal(check_signing_certificate(&throwaway, &[], &chain[1..], AT));
        let CertificateRefusal::Untrusted { detail } = &reason else {
            panic!("{reason:?}");
        };
        assert!(detail.contains("self-signed"), "{detail}");
    }

    #[test]
    fn a_ca_certificate_cannot_sign_documents() {
        let chain = pem("chain.pem");
        let reason = refusal(check_signing_certificate(&chain[0], &[], &chain[1..], AT));
        assert_eq!(reason, CertificateRefusal::NoSigningKeyUsage);
    }

    #[test]
    fn sha1_certificates_are_refused() {
        let (root, root_key) = make_certificate("Old CA", None, MessageDigest::sha256());
        let (old, _) = make_certificate(
            "Old",
            Some((&root.to_openssl().unwrap(), &root_key)),
            MessageDigest::sha1(),
        );
        let reason = refusal(check_signing_certificate(&old, &[], &[root], AT));
        assert_eq!(
            reason.to_string(),
            "CN=Old is signed with sha1WithRSAEncryption, weaker than SHA-256"
        );
    }

    /// A certificate for signing, valid 2024 to 2030, self-signed or issued by `issuer`.
    fn make_certificate(
        common_name: &str,
        issuer: Option<(&X509, &PKey<openssl::pkey::Private>)>,
        digest: MessageDigest,
    ) -> (Certificate, PKey<openssl::pkey::Private>) {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", common_name).unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        builder
            .set_serial_number(&BigNum::from_u32(7).unwrap().to_asn1_integer().unwrap())
            .unwrap();
        builder.set_subject_name(&name).unwrap();
        match issuer {
            Some((issuer, _)) => builder.set_issuer_name(issuer.subject_name()).unwrap(),
            None => builder.set_issuer_name(&name).unwrap(),
        }
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&Asn1Time::from_str("20240101000000Z").unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::from_str("20300101000000Z").unwrap())
            .unwrap();
        builder
            .append_extension(
                KeyUsage::new()
                    .critical()
                    .digital_signature()
                    .non_repudiation()
                    .build()
                    .unwrap(),
            )
            .unwrap();
        let signing_key = issuer.map_or(&key, |(_, key)| key);
        builder.sign(signing_key, digest).unwrap();
        let certificate = Certificate::from_der(&builder.build().to_der().unwrap()).unwrap();
        (certificate, key)
    }
}
