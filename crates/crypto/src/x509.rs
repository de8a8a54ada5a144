//! X.509 certificates (RFC 5280) as owned DER, with the accessors the signing engine and the
//! validator need, so that no other crate names OpenSSL's types.

use openssl::hash::MessageDigest;
use openssl::x509::X509;
use time::OffsetDateTime;

use crate::certificate::summarize;
use crate::{CertificateSummary, Error};

/// One certificate: its DER encoding, and OpenSSL's parsed form kept beside it because parsing
/// costs about 0.1 ms and a signature uses the certificates several times (BENCHMARKS.md).
///
/// Invariant: `parsed` is `der` decoded (both set by every constructor, never changed).
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: X509,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Certificate) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.der.hash(state);
    }
}

impl Certificate {
    /// Parses one DER certificate.
    ///
    /// # Errors
    /// `Error::InvalidCertificate` when the bytes are not a certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        let parsed = X509::from_der(der).map_err(|source| Error::InvalidCertificate { source })?;
        Ok(Certificate {
            der: der.to_vec(),
            parsed,
        })
    }

    /// Parses every certificate of a PEM bundle, in order.
    ///
    /// # Errors
    /// `Error::InvalidCertificate` when the text holds no certificate or a malformed one.
    pub fn from_pem_bundle(pem: &[u8]) -> Result<Vec<Certificate>, Error> {
        let stack =
            X509::stack_from_pem(pem).map_err(|source| Error::InvalidCertificate { source })?;
        if stack.is_empty() {
            return Err(Error::NoCertificate);
        }
        stack
            .into_iter()
            .map(|certificate| {
                Ok(Certificate {
                    der: certificate.to_der()?,
                    parsed: certificate,
                })
            })
            .collect()
    }

    pub(crate) fn from_openssl(certificate: &openssl::x509::X509Ref) -> Result<Certificate, Error> {
        Ok(Certificate {
            der: certificate.to_der()?,
            parsed: certificate.to_owned(),
        })
    }

    pub(crate) fn to_openssl(&self) -> Result<X509, Error> {
        // A clone only takes a reference (X509_up_ref).
        Ok(self.parsed.clone())
    }

    /// The DER encoding.
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM encoding.
    ///
    /// # Errors
    /// `Error::Backend` if encoding fails.
    pub fn to_pem(&self) -> Result<String, Error> {
        let pem = self.to_openssl()?.to_pem()?;
        Ok(String::from_utf8_lossy(&pem).into_owned())
    }

    /// Subject, issuer, serial, validity and key, as plain values.
    ///
    /// # Errors
    /// `Error::Backend` if a field cannot be read.
    pub fn summary(&self) -> Result<CertificateSummary, Error> {
        let certificate = self.to_openssl()?;
        summarize(&certificate)
    }

    /// The SHA-256 of the DER encoding.
    ///
    /// # Errors
    /// `Error::Backend` if hashing fails.
    pub fn sha256(&self) -> Result<Vec<u8>, Error> {
        Ok(openssl::hash::hash(MessageDigest::sha256(), &self.der)?.to_vec())
    }

    /// Whether `at` lies within the validity period.
    ///
    /// # Errors
    /// `Error::Backend` if the validity cannot be read.
    pub fn is_valid_at(&self, at: OffsetDateTime) -> Result<bool, Error> {
        let summary = self.summary()?;
        Ok(summary.not_before <= at && at <= summary.not_after)
    }
}

impl Certificate {
    /// The OCSP responder URLs of the Authority Information Access extension (RFC 5280 §4.2.2.1).
    ///
    /// # Errors
    /// `Error::InvalidCertificate` if the certificate cannot be decoded.
    pub fn ocsp_urls(&self) -> Result<Vec<String>, Error> {
        let certificate = self.to_openssl()?;
        let urls = match certificate.ocsp_responders() {
            Ok(responders) => responders.iter().map(|url| url.to_string()).collect(),
            // No AIA extension: no responder.
            Err(_) => Vec::new(),
        };
        Ok(urls)
    }

    /// The CRL distribution point URLs (RFC 5280 §4.2.1.13), HTTP ones only.
    ///
    /// # Errors
    /// `Error::InvalidCertificate` if the certificate cannot be decoded.
    pub fn crl_urls(&self) -> Result<Vec<String>, Error> {
        let certificate = self.to_openssl()?;
        let mut urls = Vec::new();
        if let Some(points) = certificate.crl_distribution_points() {
            for point in &points {
                let Some(names) = point.distpoint().and_then(|name| name.fullname()) else {
                    continue;
                };
                for name in names {
                    if let Some(uri) = name.uri()
                        && (uri.starts_with("http://") || uri.starts_with("https://"))
                    {
                        urls.push(uri.to_owned());
                    }
                }
            }
        }
        Ok(urls)
    }

    /// Whether the certificate may sign documents: its key usage, when present, includes
    /// digitalSignature or nonRepudiation (RFC 5280 §4.2.1.3), and its extended key usage, when
    /// present, is not limited to time-stamping or OCSP signing (a TSA's or a responder's key must
    /// not pass for a person's or an agency's).
    pub fn may_sign_documents(&self) -> bool {
        use openssl::x509::{X509ExtendedKeyUsage, X509KeyUsage};
        let key_usage_ok = self.parsed.key_usage().is_none_or(|usage| {
            usage.intersects(X509KeyUsage::DIGITAL_SIGNATURE | X509KeyUsage::NON_REPUDIATION)
        });
        let service_only = X509ExtendedKeyUsage::TIMESTAMP | X509ExtendedKeyUsage::OCSP_SIGN;
        let extended_ok = self
            .parsed
            .extended_key_usage()
            .is_none_or(|usage| usage.is_empty() || !service_only.contains(usage));
        key_usage_ok && extended_ok
    }

    /// Whether the certificate belongs to a time-stamping authority: its extended key usage names
    /// id-kp-timeStamping (RFC 3161 §2.3). Without this, any certificate under a trusted root could
    /// mint back-dated "timestamps".
    pub fn is_timestamping_authority(&self) -> bool {
        self.parsed
            .extended_key_usage()
            .is_some_and(|usage| usage.contains(openssl::x509::X509ExtendedKeyUsage::TIMESTAMP))
    }

    /// Whether `issuer` issued this certificate: the names match and `issuer`'s key verifies this
    /// certificate's signature.
    pub fn is_issued_by(&self, issuer: &Certificate) -> bool {
        let (Ok(subject), Ok(issuer)) = (self.to_openssl(), issuer.to_openssl()) else {
            return false;
        };
        let names_match = matches!(issuer.issued(&subject), openssl::x509::X509VerifyResult::OK);
        names_match
            && issuer
                .public_key()
                .and_then(|key| subject.verify(&key))
                .unwrap_or(false)
    }
}

/// A CRL (RFC 5280 §5) in PEM or DER, re-encoded as DER: the form a PDF's DSS stores.
///
/// # Errors
/// `Error::Crl` when the bytes are not a CRL.
pub fn crl_to_der(crl: &[u8]) -> Result<Vec<u8>, Error> {
    let parsed = openssl::x509::X509Crl::from_der(crl)
        .or_else(|_| openssl::x509::X509Crl::from_pem(crl))
        .map_err(|_| Error::Crl {
            reason: "not a CRL in DER or PEM".to_owned(),
        })?;
    Ok(parsed.to_der()?)
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.summary() {
            Ok(summary) => write!(
                f,
                "Certificate({}, serial {})",
                summary.subject, summary.serial_hex
            ),
            Err(_) => f.write_str("Certificate(unreadable)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::certs_dev_bytes as certs_dev;

    #[test]
    fn a_pem_bundle_parses_in_order_and_round_trips() {
        let chain = Certificate::from_pem_bundle(&certs_dev("chain.pem")).unwrap();
        assert_eq!(chain.len(), 2);
        assert!(chain[0].summary().unwrap().subject.contains("Intermediate"));
        let again = Certificate::from_der(chain[1].as_der()).unwrap();
        assert_eq!(again, chain[1]);
        assert!(
            chain[1]
                .to_pem()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
    }

    #[test]
    fn issuers_and_ocsp_urls_are_read_from_the_certificates() {
        let chain = Certificate::from_pem_bundle(&certs_dev("chain.pem")).unwrap();
        let leader = &Certificate::from_pem_bundle(&certs_dev("leader-rsa.pem")).unwrap()[0];
        assert!(leader.is_issued_by(&chain[0]));
        assert!(!leader.is_issued_by(&chain[1]));
        assert!(chain[0].is_issued_by(&chain[1]));
        assert_eq!(leader.ocsp_urls().unwrap(), ["http://127.0.0.1:8788/ocsp"]);
        assert_eq!(
            leader.crl_urls().unwrap(),
            ["http://127.0.0.1:8788/crl/intermediate.crl"]
        );
    }

    #[test]
    fn document_signers_and_timestamping_authorities_are_told_apart() {
        let load = |name: &str| {
            Certificate::from_pem_bundle(&certs_dev(name))
                .unwrap()
                .remove(0)
        };
        for signer in ["leader-rsa.pem", "leader-p256.pem", "seal-rsa.pem"] {
            assert!(load(signer).may_sign_documents(), "{signer}");
            assert!(!load(signer).is_timestamping_authority(), "{signer}");
        }
        assert!(load("tsa.pem").is_timestamping_authority());
        assert!(
            !load("tsa.pem").may_sign_documents(),
            "a TSA key does not sign documents"
        );
        assert!(
            !load("ocsp.pem").may_sign_documents(),
            "a responder key does not sign documents"
        );
        assert!(
            !load("intermediate-ca.pem").may_sign_documents(),
            "a CA key signs certificates only"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Certificate::from_der(b"not a certificate").is_err());
        assert!(Certificate::from_pem_bundle(b"").is_err());
    }
}
