//! Revocation evidence for the validator: what an OCSP response ([`crate::ocsp_evidence`]) or a
//! CRL ([`crl_evidence`], RFC 5280 §5) says about one certificate, after checking who signed it.
//!
//! There is no time policy here: the evidence carries its thisUpdate and nextUpdate, and the
//! caller decides whether it is fresh enough for the time it validates at, and whether a
//! revocation before that time matters.

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CRL_NUMBER, ID_CE_DELTA_CRL_INDICATOR,
    ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::Decode;
use openssl::x509::{CrlStatus, X509Crl, X509KeyUsage};
use time::OffsetDateTime;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;

use crate::ber::{self, tag};
use crate::certificate::to_offset_date_time;
use crate::verify::names_equal;
use crate::{Certificate, Error};

/// A certificate's revocation status, as the evidence states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Not revoked (as of the evidence's thisUpdate).
    Good,
    /// Revoked at `at` (which may be before or after the time the caller cares about).
    Revoked {
        /// The revocation time.
        at: OffsetDateTime,
    },
    /// The responder does not know the certificate (OCSP only).
    Unknown,
}

/// Where the evidence came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationSource {
    /// An OCSP response (RFC 6960).
    Ocsp,
    /// A certificate revocation list (RFC 5280 §5).
    Crl,
}

/// What one OCSP response or CRL says about one certificate, its signature checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationEvidence {
    /// The status.
    pub status: RevocationStatus,
    /// When the status was known to be correct (OCSP thisUpdate, CRL thisUpdate).
    pub this_update: OffsetDateTime,
    /// When newer information will be available, if stated.
    pub next_update: Option<OffsetDateTime>,
    /// OCSP or CRL.
    pub source: RevocationSource,
}

/// Reads what a CRL (DER, or PEM as in `certs-dev/`) says about `certificate`, after checking that
/// `issuer` issued both: the CRL's issuer name is the issuer's subject, its signature verifies
/// with the issuer's key, and the issuer's key usage, when present, allows CRL signing.
///
/// CRLs that cannot answer alone are refused rather than misread: delta CRLs, indirect CRLs, CRLs
/// limited to some reasons or to attribute certificates, a CRL for CA certificates asked about an
/// end entity (or the reverse), and CRLs with a critical extension we do not know. Whether the
/// CRL is the one the certificate's distribution point names is not checked.
///
/// # Errors
/// [`Error::Crl`] with the reason when any of this fails.
pub fn crl_evidence(
    crl: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
) -> Result<RevocationEvidence, Error> {
    let is_pem = crl
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'-');
    let parsed = if is_pem {
        X509Crl::from_pem(crl)
    } else {
        X509Crl::from_der(crl)
    }
    .map_err(|_| refused("the bytes are not a CRL"))?;
    let der = if is_pem {
        parsed.to_der()?
    } else {
        crl.to_vec()
    };
    let subject = certificate.to_openssl()?;
    let issuer = issuer.to_openssl()?;
    if !names_equal(parsed.issuer_name(), issuer.subject_name()) {
        return Err(refused(
            "the CRL was issued by another authority than the issuer",
        ));
    }
    if !names_equal(subject.issuer_name(), issuer.subject_name()) {
        return Err(refused("the certificate was not issued by this issuer"));
    }
    if issuer
        .key_usage()
        .is_some_and(|usage| !usage.contains(X509KeyUsage::CRL_SIGN))
    {
        return Err(refused(
            "the issuer's key usage does not allow signing CRLs",
        ));
    }
    let key = issuer.public_key()?;
    if !parsed.verify(&key).unwrap_or(false) {
        return Err(refused(
            "the CRL's signature does not verify with the issuer's key",
        ));
    }
    check_scope(&der, is_ca(certificate))?;

    let status = match parsed.get_by_serial(subject.serial_number()) {
        CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) => RevocationStatus::Good,
        CrlStatus::Revoked(entry) => RevocationStatus::Revoked {
            at: to_offset_date_time(entry.revocation_date())?,
        },
    };
    Ok(RevocationEvidence {
        status,
        this_update: to_offset_date_time(parsed.last_update())?,
        next_update: match parsed.next_update() {
            Some(next_update) => Some(to_offset_date_time(next_update)?),
            None => None,
        },
        source: RevocationSource::Crl,
    })
}

/// Refuses a CRL whose extensions say it does not cover `certificate` completely on its own.
fn check_scope(crl_der: &[u8], certificate_is_ca: bool) -> Result<(), Error> {
    for extension in crl_extensions(crl_der)? {
        match extension.extn_id {
            ID_CE_DELTA_CRL_INDICATOR => {
                return Err(refused("a delta CRL cannot tell a status on its own"));
            }
            ID_CE_ISSUING_DISTRIBUTION_POINT => {
                let point = IssuingDistributionPoint::from_der(extension.extn_value.as_bytes())
                    .map_err(|_| refused("the issuing distribution point is malformed"))?;
                if point.indirect_crl {
                    return Err(refused("indirect CRLs are not supported"));
                }
                if point.only_some_reasons.is_some() || point.only_contains_attribute_certs {
                    return Err(refused("the CRL covers only some revocations"));
                }
                if point.only_contains_user_certs && certificate_is_ca {
                    return Err(refused("the CRL covers end-entity certificates only"));
                }
                if point.only_contains_ca_certs && !certificate_is_ca {
                    return Err(refused("the CRL covers CA certificates only"));
                }
            }
            ID_CE_AUTHORITY_KEY_IDENTIFIER | ID_CE_CRL_NUMBER => {}
            other if extension.critical => {
                return Err(refused(&format!(
                    "the CRL has a critical extension {other} that is not understood"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The `crlExtensions` of a DER or BER CRL, read without decoding the revoked list.
fn crl_extensions(crl_der: &[u8]) -> Result<Extensions, Error> {
    let malformed = |_| refused("the CRL is malformed");
    let list = ber::parse_exact(crl_der).map_err(malformed)?;
    let Some(tbs) = list.children().next() else {
        return Err(refused("the CRL is malformed"));
    };
    let tbs = tbs.map_err(malformed)?;
    for field in tbs.children() {
        let field = field.map_err(malformed)?;
        if field.tag == tag::CONTEXT_0 {
            let [extensions] = field.child_vec().map_err(malformed)?[..] else {
                return Err(refused("the CRL extensions are malformed"));
            };
            return ber::decode_lenient::<Extensions>(extensions.raw)
                .map_err(|_| refused("the CRL extensions are malformed"));
        }
    }
    Ok(Vec::new())
}

/// Whether the certificate is a CA (basicConstraints cA TRUE); unreadable means no.
fn is_ca(certificate: &Certificate) -> bool {
    ber::decode_lenient::<x509_cert::Certificate>(certificate.as_der())
        .ok()
        .and_then(|decoded| {
            decoded
                .tbs_certificate
                .get::<BasicConstraints>()
                .ok()
                .flatten()
        })
        .is_some_and(|(_, constraints)| constraints.ca)
}

fn refused(reason: &str) -> Error {
    Error::Crl {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {

    use time::macros::datetime;

    use super::*;
    use crate::test_support::{certificate as one, certs_dev};

    fn crl(name: &str) -> Vec<u8> {
        std::fs::read(certs_dev(name)).unwrap()
    }

    #[test]
    fn the_intermediate_crl_revokes_revoked_rsa_only() {
        let intermediate = one("intermediate-ca.pem");
        let pem = crl("intermediate.crl");
        let evidence = crl_evidence(&pem, &one("revoked-rsa.pem"), &intermediate).unwrap();
        assert_eq!(
            evidence,
            RevocationEvidence {
                status: RevocationStatus::Revoked {
                    at: datetime!(2024-01-01 00:00 UTC)
                },
                this_update: datetime!(2024-01-01 00:00 UTC),
                next_update: Some(datetime!(2049-12-31 23:59:59 UTC)),
                source: RevocationSource::Crl,
            }
        );
        for name in ["leader-rsa.pem", "leader-p256.pem", "seal-rsa.pem"] {
            let evidence = crl_evidence(&pem, &one(name), &intermediate).unwrap();
            assert_eq!(evidence.status, RevocationStatus::Good, "{name}");
        }
        // The same CRL in DER.
        let der = X509Crl::from_pem(&pem).unwrap().to_der().unwrap();
        let evidence = crl_evidence(&der, &one("revoked-rsa.pem"), &intermediate).unwrap();
        assert!(matches!(evidence.status, RevocationStatus::Revoked { .. }));
    }

    #[test]
    fn the_root_crl_answers_for_the_intermediate() {
        let evidence = crl_evidence(
            &crl("root-ca.crl"),
            &one("intermediate-ca.pem"),
            &one("root-ca.pem"),
        )
        .unwrap();
        assert_eq!(evidence.status, RevocationStatus::Good);
    }

    #[test]
    fn a_crl_from_someone_else_or_garbage_is_refused() {
        let intermediate = one("intermediate-ca.pem");
        let leader = one("leader-rsa.pem");
        // The root's CRL is not the intermediate's.
        let error = crl_evidence(&crl("root-ca.crl"), &leader, &intermediate).unwrap_err();
        assert!(matches!(error, Error::Crl { .. }), "{error}");
        // The intermediate's CRL asked about with the wrong issuer.
        let error =
            crl_evidence(&crl("intermediate.crl"), &leader, &one("root-ca.pem")).unwrap_err();
        assert!(matches!(error, Error::Crl { .. }), "{error}");
        // A CRL with the intermediate's name, signed by another key.
        let forged = forged_crl(&intermediate, "seal-rsa.key.pem");
        let error = crl_evidence(&forged, &leader, &intermediate).unwrap_err();
        assert!(error.to_string().contains("does not verify"), "{error}");
        // The same built with the right key passes: the forgery is caught by the key alone.
        let genuine = forged_crl(&intermediate, "intermediate-ca.key.pem");
        assert_eq!(
            crl_evidence(&genuine, &leader, &intermediate)
                .unwrap()
                .status,
            RevocationStatus::Good
        );
        // A flipped byte in a genuine CRL.
        let mut tampered = X509Crl::from_pem(&crl("intermediate.crl"))
            .unwrap()
            .to_der()
            .unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(crl_evidence(&tampered, &leader, &intermediate).is_err());
        assert!(crl_evidence(b"garbage", &leader, &intermediate).is_err());
        assert!(crl_evidence(b"-----BEGIN X509 CRL-----\n", &leader, &intermediate).is_err());
    }

    #[test]
    fn a_delta_crl_is_refused() {
        let intermediate = one("intermediate-ca.pem");
        let delta = crl_with(
            &intermediate,
            "intermediate-ca.key.pem",
            // deltaCRLIndicator, critical, base CRL number 1.
            &[("2.5.29.27", &[0x02, 0x01, 0x01])],
        );
        let error = crl_evidence(&delta, &one("leader-rsa.pem"), &intermediate).unwrap_err();
        assert!(error.to_string().contains("delta"), "{error}");
        // An issuing distribution point for CA certificates only, asked about an end entity.
        let ca_only = crl_with(
            &intermediate,
            "intermediate-ca.key.pem",
            &[("2.5.29.28", &[0x30, 0x03, 0x82, 0x01, 0xFF])],
        );
        let error = crl_evidence(&ca_only, &one("leader-rsa.pem"), &intermediate).unwrap_err();
        assert!(
            error.to_string().contains("CA certificates only"),
            "{error}"
        );
        // An unknown critical extension.
        let unknown = crl_with(
            &intermediate,
            "intermediate-ca.key.pem",
            &[("1.2.3.4", &[0x05, 0x00])],
        );
        let error = crl_evidence(&unknown, &one("leader-rsa.pem"), &intermediate).unwrap_err();
        assert!(error.to_string().contains("1.2.3.4"), "{error}");
    }

    /// A CRL naming `issuer`, revoking nothing, signed with the key in `key_file`.
    fn forged_crl(issuer: &Certificate, key_file: &str) -> Vec<u8> {
        crl_with(issuer, key_file, &[])
    }

    /// As [`forged_crl`], with extra critical extensions (OID, DER value).
    fn crl_with(issuer: &Certificate, key_file: &str, extensions: &[(&str, &[u8])]) -> Vec<u8> {
        use openssl::asn1::{Asn1Object, Asn1OctetString, Asn1Time};
        use openssl::hash::MessageDigest;
        use openssl::pkey::PKey;
        use openssl::x509::extension::AuthorityKeyIdentifier;
        use openssl::x509::{X509, X509CrlBuilder, X509Extension};

        let key = PKey::private_key_from_pem(&std::fs::read(certs_dev(key_file)).unwrap()).unwrap();
        let mut builder = X509CrlBuilder::new().unwrap();
        let issuer_x509 = issuer.to_openssl().unwrap();
        let certificate_builder = X509::builder().unwrap();
        let context = certificate_builder.x509v3_context(Some(&issuer_x509), None);
        builder
            .append_extension(
                AuthorityKeyIdentifier::new()
                    .keyid(true)
                    .build(&context)
                    .unwrap(),
            )
            .unwrap();
        builder
            .append_extension(
                openssl::x509::extension::CrlNumber::new(openssl::bn::BigNum::from_u32(2).unwrap())
                    .unwrap()
                    .build()
                    .unwrap(),
            )
            .unwrap();
        for (oid, value) in extensions {
            let extension = X509Extension::new_from_der(
                &Asn1Object::from_str(oid).unwrap(),
                true,
                &Asn1OctetString::new_from_bytes(value).unwrap(),
            )
            .unwrap();
            builder.append_extension(extension).unwrap();
        }
        builder
            .set_issuer_name(issuer.to_openssl().unwrap().subject_name())
            .unwrap();
        builder
            .set_last_update(&Asn1Time::from_str("20250101000000Z").unwrap())
            .unwrap();
        builder
            .set_next_update(&Asn1Time::from_str("20250201000000Z").unwrap())
            .unwrap();
        builder.sign(&key, MessageDigest::sha256()).unwrap();
        builder.build().unwrap().to_der().unwrap()
    }
}
