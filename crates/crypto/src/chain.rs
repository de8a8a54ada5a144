//! Certificate paths (RFC 5280 §6), built and validated by OpenSSL at a time the caller gives: the
//! one path-building routine of the crate, used by the validator ([`validate_chain`]), by the
//! checks before signing ([`crate::check_signing_certificate`]) and, for responder certificates,
//! by OCSP.
//!
//! Revocation is not checked here (no CRL flags): the caller weighs OCSP and CRL evidence
//! separately, at the time its own policy chooses.

use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509, X509Ref, X509StoreContext};
use time::OffsetDateTime;

use crate::{Certificate, Error};

/// Why no valid path was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainFailure {
    /// No path from the certificate to one of the roots (an issuer missing, an unknown root, a
    /// broken signature, a CA certificate not allowed to issue…).
    #[error("no certificate chain to a trusted root: {detail}")]
    NoChain {
        /// What OpenSSL reported, and where in the path.
        detail: String,
    },
    /// A certificate of the path had expired at the time asked about.
    #[error("{subject} had expired")]
    Expired {
        /// That certificate's subject (RFC 4514).
        subject: String,
    },
    /// A certificate of the path was not yet valid at the time asked about.
    #[error("{subject} was not yet valid")]
    NotYetValid {
        /// That certificate's subject (RFC 4514).
        subject: String,
    },
    /// A certificate of the path is signed with SHA-1 or weaker, or has a key under 112 bits of
    /// security (RSA under 2048 bits): TT 15/2025/TT-BKHCN.
    #[error("a weak algorithm in the chain: {detail}")]
    WeakAlgorithm {
        /// What OpenSSL reported, and for which certificate.
        detail: String,
    },
}

/// Builds and validates a path from `certificate` through `intermediates` (untrusted, any order,
/// extras ignored) to one of `roots` (the only trust anchors; one that is not self-signed is
/// accepted as an anchor too), at the time `at`, without revocation checks.
///
/// Every certificate of the path must be valid at `at`, and signed with SHA-256 or stronger with
/// keys of at least 112 bits of security (OpenSSL's authentication level 2), except the anchor's
/// own self-signature.
///
/// # Errors
/// `Ok(Ok(path))` with the path from `certificate` to the anchor; `Ok(Err(why))` when no valid
/// path exists; `Err` only when a certificate cannot be read or OpenSSL fails.
pub fn validate_chain(
    certificate: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    at: OffsetDateTime,
) -> Result<Result<Vec<Certificate>, ChainFailure>, Error> {
    if roots.is_empty() {
        return Ok(Err(ChainFailure::NoChain {
            detail: "no trusted root is configured".to_owned(),
        }));
    }
    let intermediates = intermediates
        .iter()
        .map(Certificate::to_openssl)
        .collect::<Result<Vec<X509>, Error>>()?;
    let leaf = certificate.to_openssl()?;
    let failure = match verify_path(&leaf, intermediates, roots, at)? {
        Ok(path) => return Ok(Ok(path)),
        Err(failure) => failure,
    };
    let subject = failure.subject.clone().unwrap_or_default();
    Ok(Err(match failure.code {
        X509_V_ERR_CERT_HAS_EXPIRED => ChainFailure::Expired { subject },
        X509_V_ERR_CERT_NOT_YET_VALID => ChainFailure::NotYetValid { subject },
        X509_V_ERR_EE_KEY_TOO_SMALL | X509_V_ERR_CA_KEY_TOO_SMALL | X509_V_ERR_CA_MD_TOO_WEAK => {
            ChainFailure::WeakAlgorithm {
                detail: failure.detail(),
            }
        }
        _ => ChainFailure::NoChain {
            detail: failure.detail(),
        },
    }))
}

/// OpenSSL's verification codes this module names (`x509_vfy.h`).
const X509_V_ERR_CERT_NOT_YET_VALID: i32 = 9;
const X509_V_ERR_CERT_HAS_EXPIRED: i32 = 10;
const X509_V_ERR_EE_KEY_TOO_SMALL: i32 = 66;
const X509_V_ERR_CA_KEY_TOO_SMALL: i32 = 67;
const X509_V_ERR_CA_MD_TOO_WEAK: i32 = 68;

/// Why OpenSSL's path validation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathFailure {
    /// The `X509_V_ERR_*` code.
    pub(crate) code: i32,
    /// OpenSSL's words for it.
    pub(crate) reason: String,
    /// The depth of the certificate concerned (0 for the certificate itself).
    pub(crate) depth: u32,
    /// That certificate's subject, when OpenSSL names one.
    pub(crate) subject: Option<String>,
}

impl PathFailure {
    /// The reason and the certificate concerned, in one line.
    pub(crate) fn detail(&self) -> String {
        match (&self.subject, self.depth) {
            (_, 0) => self.reason.clone(),
            (Some(subject), depth) => format!("{} ({subject}, at depth {depth})", self.reason),
            (None, depth) => format!("{} (issuer certificate at depth {depth})", self.reason),
        }
    }
}

/// Validates a path at `at` with OpenSSL at authentication level 2; the path, leaf first, or why
/// there is none.
pub(crate) fn verify_path(
    certificate: &X509Ref,
    intermediates: Vec<X509>,
    anchors: &[Certificate],
    at: OffsetDateTime,
) -> Result<Result<Vec<Certificate>, PathFailure>, Error> {
    let store = store(anchors, at, Some(2))?;
    let mut untrusted = Stack::new()?;
    for intermediate in intermediates {
        untrusted.push(intermediate)?;
    }
    let mut context = X509StoreContext::new()?;
    let outcome = context.init(&store, certificate, &untrusted, |context| {
        if context.verify_cert()? {
            let path = context
                .chain()
                .map(|chain| chain.iter().map(X509Ref::to_owned).collect::<Vec<X509>>())
                .unwrap_or_default();
            return Ok(Ok(path));
        }
        let error = context.error();
        Ok(Err((
            error.as_raw(),
            error.error_string().to_owned(),
            context.error_depth(),
            context.current_cert().map(X509Ref::to_owned),
        )))
    })?;
    match outcome {
        Ok(path) => Ok(Ok(path
            .iter()
            .map(|certificate| Certificate::from_openssl(certificate))
            .collect::<Result<Vec<_>, Error>>()?)),
        Err((code, reason, depth, current)) => {
            let subject = match current {
                Some(current) => Some(Certificate::from_openssl(&current)?.summary()?.subject),
                None => None,
            };
            Ok(Err(PathFailure {
                code,
                reason,
                depth,
                subject,
            }))
        }
    }
}

/// An OpenSSL store trusting `anchors` (roots, or any certificate given as an anchor: partial
/// chains are accepted) that validates paths at `at` instead of reading the clock.
pub(crate) fn trust_store(anchors: &[Certificate], at: OffsetDateTime) -> Result<X509Store, Error> {
    store(anchors, at, None)
}

fn store(
    anchors: &[Certificate],
    at: OffsetDateTime,
    auth_level: Option<i32>,
) -> Result<X509Store, Error> {
    let mut store = X509StoreBuilder::new()?;
    for anchor in anchors {
        store.add_cert(anchor.to_openssl()?)?;
    }
    let mut parameters = X509VerifyParam::new()?;
    #[allow(
        clippy::useless_conversion,
        reason = "time_t is i64 on 64-bit targets only"
    )]
    let seconds = at
        .unix_timestamp()
        .try_into()
        // Only a 32-bit `time_t` can fail (after 2038): OpenSSL cannot represent the time.
        .map_err(|_| Error::Backend(openssl::error::ErrorStack::get()))?;
    parameters.set_time(seconds);
    parameters.set_flags(X509VerifyFlags::PARTIAL_CHAIN)?;
    if let Some(level) = auth_level {
        parameters.set_auth_level(level);
    }
    store.set_param(&parameters)?;
    Ok(store.build())
}

#[cfg(test)]
mod tests {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::{PKey, Private};
    use openssl::rsa::Rsa;
    use openssl::x509::X509NameBuilder;
    use openssl::x509::extension::{BasicConstraints, KeyUsage};
    use time::macros::datetime;

    use super::*;
    use crate::test_support::{certificate as one, certificates as pem};

    const AT: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    #[test]
    fn the_leader_chains_to_the_dev_root() {
        let chain = pem("chain.pem");
        let (intermediate, root) = (&chain[..1], &chain[1..]);
        for name in [
            "leader-rsa.pem",
            "leader-p256.pem",
            "tsa.pem",
            "revoked-rsa.pem",
        ] {
            let path = validate_chain(&one(name), intermediate, root, AT)
                .unwrap()
                .unwrap();
            assert_eq!(
                path,
                [one(name), chain[0].clone(), chain[1].clone()],
                "{name}"
            );
        }
        // Extra and repeated certificates among the intermediates do no harm.
        let path = validate_chain(&one("leader-rsa.pem"), &chain, root, AT)
            .unwrap()
            .unwrap();
        assert_eq!(path.len(), 3);
        // The root itself is a path of one.
        let path = validate_chain(&chain[1], &[], root, AT).unwrap().unwrap();
        assert_eq!(path, root);
    }

    #[test]
    fn expiry_is_judged_at_the_time_given_with_the_subject_named() {
        let chain = pem("chain.pem");
        let failure = validate_chain(&one("expired-rsa.pem"), &chain[..1], &chain[1..], AT)
            .unwrap()
            .unwrap_err();
        let ChainFailure::Expired { subject } = &failure else {
            panic!("{failure:?}");
        };
        assert!(subject.contains("CN="), "{subject}");
        // The same certificate inside its one day of validity.
        validate_chain(
            &one("expired-rsa.pem"),
            &chain[..1],
            &chain[1..],
            datetime!(2024-01-01 12:00 UTC),
        )
        .unwrap()
        .unwrap();
        let failure = validate_chain(
            &one("leader-rsa.pem"),
            &chain[..1],
            &chain[1..],
            datetime!(2023-06-01 00:00 UTC),
        )
        .unwrap()
        .unwrap_err();
        assert!(
            matches!(failure, ChainFailure::NotYetValid { .. }),
            "{failure:?}"
        );
    }

    #[test]
    fn no_root_or_a_missing_intermediate_is_no_chain() {
        let chain = pem("chain.pem");
        let leader = one("leader-rsa.pem");
        let failure = validate_chain(&leader, &chain[..1], &[], AT)
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(failure, ChainFailure::NoChain { .. }),
            "{failure:?}"
        );
        let failure = validate_chain(&leader, &[], &chain[1..], AT)
            .unwrap()
            .unwrap_err();
        let ChainFailure::NoChain { detail } = &failure else {
            panic!("{failure:?}");
        };
        assert!(detail.contains("issuer"), "{detail}");
        // Another root entirely.
        let (stranger, _) = make_ca("Stranger CA", None, MessageDigest::sha256(), 2048);
        let failure = validate_chain(&leader, &chain[..1], &[stranger], AT)
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(failure, ChainFailure::NoChain { .. }),
            "{failure:?}"
        );
    }

    #[test]
    fn sha1_or_small_keys_in_the_path_are_weak() {
        let (root, root_key) = make_ca("Old Root", None, MessageDigest::sha256(), 2048);
        let root_x509 = root.to_openssl().unwrap();
        let (sha1, _) = make_ca(
            "SHA-1 CA",
            Some((&root_x509, &root_key)),
            MessageDigest::sha1(),
            2048,
        );
        let failure = validate_chain(&sha1, &[], std::slice::from_ref(&root), AT)
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(failure, ChainFailure::WeakAlgorithm { .. }),
            "{failure:?}"
        );
        let (small, _) = make_ca(
            "Small CA",
            Some((&root_x509, &root_key)),
            MessageDigest::sha256(),
            1024,
        );
        let failure = validate_chain(&small, &[], std::slice::from_ref(&root), AT)
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(failure, ChainFailure::WeakAlgorithm { .. }),
            "{failure:?}"
        );
        let (fine, _) = make_ca(
            "Fine CA",
            Some((&root_x509, &root_key)),
            MessageDigest::sha256(),
            2048,
        );
        validate_chain(&fine, &[], &[root], AT).unwrap().unwrap();
    }

    /// A CA certificate valid 2024 to 2030, self-signed or issued by `issuer`.
    fn make_ca(
        common_name: &str,
        issuer: Option<(&X509, &PKey<Private>)>,
        digest: MessageDigest,
        bits: u32,
    ) -> (Certificate, PKey<Private>) {
        let key = PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", common_name).unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        builder
            .set_serial_number(&BigNum::from_u32(9).unwrap().to_asn1_integer().unwrap())
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
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        builder
            .append_extension(
                KeyUsage::new()
                    .critical()
                    .key_cert_sign()
                    .crl_sign()
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
