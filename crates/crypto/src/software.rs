//! Software keys: a private key held in memory, loaded from a PKCS#12 file (RFC 7292) or from PEM,
//! signing with OpenSSL.
//!
//! Keys too weak for a legally valid signature are refused when the signer is built, not when it
//! first signs (TT 15/2025/TT-BKHCN: RSA of at least 2048 bits, ECDSA of at least 256 bits; we
//! accept the NIST curves P-256, P-384 and P-521, which every validator knows).

use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, PKeyRef, Private, Public};
use openssl::rsa::Padding;
use openssl::sign::RsaPssSaltlen;
use openssl::x509::X509;

use crate::certificate::{key_algorithm, open_pkcs12};
use crate::hash::message_digest;
use crate::{Certificate, Error, SignatureAlgorithm, SignaturePreference, Signer};

/// The smallest RSA modulus TT 15/2025/TT-BKHCN accepts, in bits.
const MIN_RSA_BITS: u32 = 2048;

/// A private key in memory with its certificate and chain.
///
/// Its `Debug` output names the certificate and the scheme, never the key.
pub struct SoftwareSigner {
    key: PKey<Private>,
    certificate: Certificate,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
}

impl SoftwareSigner {
    /// Opens a PKCS#12 file: its key, its end-entity certificate and the other certificates it
    /// holds as the chain.
    ///
    /// # Errors
    /// [`Error::InvalidPkcs12`] when the bytes are not PKCS#12, [`Error::WrongPassword`] when the
    /// password does not open it, [`Error::Pkcs12WithoutCertificate`] when it lacks the key or
    /// the certificate, [`Error::WeakKey`] for a key too weak to sign, [`Error::KeyMismatch`]
    /// when the key does not belong to the certificate.
    pub fn from_pkcs12(
        der: &[u8],
        password: &str,
        preference: SignaturePreference,
    ) -> Result<SoftwareSigner, Error> {
        let parsed = open_pkcs12(der, password)?;
        let (Some(key), Some(certificate)) = (parsed.pkey, parsed.cert) else {
            return Err(Error::Pkcs12WithoutCertificate);
        };
        let chain = match parsed.ca {
            Some(stack) => stack.iter().map(Certificate::from_openssl).collect(),
            None => Ok(Vec::new()),
        }?;
        SoftwareSigner::new(key, &certificate, chain, preference)
    }

    /// Reads a PEM private key (PKCS#8 or the traditional RSA/EC forms, unencrypted) and a PEM
    /// bundle whose first certificate is the signer's and whose others are the chain.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the key cannot be read, [`Error::InvalidCertificate`] or
    /// [`Error::NoCertificate`] for the bundle, [`Error::WeakKey`] and [`Error::KeyMismatch`] as
    /// for [`SoftwareSigner::from_pkcs12`].
    pub fn from_pem(
        key_pem: &[u8],
        certificates_pem: &[u8],
        preference: SignaturePreference,
    ) -> Result<SoftwareSigner, Error> {
        let key =
            PKey::private_key_from_pem(key_pem).map_err(|source| Error::InvalidKey { source })?;
        let mut certificates = Certificate::from_pem_bundle(certificates_pem)?.into_iter();
        let Some(certificate) = certificates.next() else {
            return Err(Error::NoCertificate);
        };
        let certificate = certificate.to_openssl()?;
        SoftwareSigner::new(key, &certificate, certificates.collect(), preference)
    }

    fn new(
        key: PKey<Private>,
        certificate: &X509,
        chain: Vec<Certificate>,
        preference: SignaturePreference,
    ) -> Result<SoftwareSigner, Error> {
        let public_key = certificate.public_key()?;
        let kind = signing_key_kind(&public_key)?;
        if !key.public_eq(&public_key) {
            return Err(Error::KeyMismatch);
        }
        let certificate = Certificate::from_openssl(certificate)?;
        let chain = chain
            .into_iter()
            .filter(|candidate| *candidate != certificate)
            .collect();
        Ok(SoftwareSigner {
            key,
            certificate,
            chain,
            algorithm: kind.algorithm(preference),
        })
    }
}

impl Signer for SoftwareSigner {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let digest = message_digest(self.algorithm.hash());
        let mut signer = openssl::sign::Signer::new(digest, &self.key)?;
        match self.algorithm {
            SignatureAlgorithm::RsaPkcs1v15(_) => signer.set_rsa_padding(Padding::PKCS1)?,
            SignatureAlgorithm::RsaPss(_) => {
                signer.set_rsa_padding(Padding::PKCS1_PSS)?;
                signer.set_rsa_mgf1_md(digest)?;
                signer.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
            }
            // OpenSSL writes ECDSA signatures as a DER `Ecdsa-Sig-Value`, as CMS wants them.
            SignatureAlgorithm::Ecdsa(_) => {}
        }
        Ok(signer.sign_oneshot_to_vec(message)?)
    }
}

impl std::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("certificate", &self.certificate)
            .field("chain", &self.chain.len())
            .field("algorithm", &self.algorithm)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// The families of keys we sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An RSA key usable with either padding.
    Rsa,
    /// An RSA key restricted to RSASSA-PSS (`id-RSASSA-PSS` in its certificate).
    RsaPssOnly,
    /// An EC key on P-256, P-384 or P-521.
    Ec,
}

impl KeyKind {
    /// The scheme a key of this kind signs with under `preference`.
    pub(crate) fn algorithm(self, preference: SignaturePreference) -> SignatureAlgorithm {
        match self {
            KeyKind::Rsa if preference.rsa_pss => SignatureAlgorithm::RsaPss(preference.hash),
            KeyKind::Rsa => SignatureAlgorithm::RsaPkcs1v15(preference.hash),
            KeyKind::RsaPssOnly => SignatureAlgorithm::RsaPss(preference.hash),
            KeyKind::Ec => SignatureAlgorithm::Ecdsa(preference.hash),
        }
    }
}

/// Classifies a public key, refusing what TT 15/2025/TT-BKHCN does not allow for signatures.
///
/// # Errors
/// [`Error::WeakKey`] for RSA under 2048 bits, another curve than P-256/P-384/P-521, or a key type
/// we do not sign with (DSA, Ed25519…).
pub(crate) fn signing_key_kind(public_key: &PKeyRef<Public>) -> Result<KeyKind, Error> {
    let id = public_key.id();
    let description = key_algorithm(public_key)?;
    if id == Id::RSA || id == Id::RSA_PSS {
        if public_key.bits() < MIN_RSA_BITS {
            return Err(Error::WeakKey {
                description: format!("{description}: RSA keys need at least {MIN_RSA_BITS} bits"),
            });
        }
        return Ok(if id == Id::RSA {
            KeyKind::Rsa
        } else {
            KeyKind::RsaPssOnly
        });
    }
    if id == Id::EC {
        let curve = public_key.ec_key()?.group().curve_name();
        return match curve {
            Some(Nid::X9_62_PRIME256V1 | Nid::SECP384R1 | Nid::SECP521R1) => Ok(KeyKind::Ec),
            _ => Err(Error::WeakKey {
                description: format!("{description}: ECDSA keys must be on P-256, P-384 or P-521"),
            }),
        };
    }
    Err(Error::WeakKey {
        description: format!("{description}: only RSA and ECDSA keys can sign"),
    })
}

#[cfg(test)]
mod tests {
    use openssl::ec::{EcGroup, EcKey};
    use openssl::rsa::Rsa;

    use super::*;
    use crate::test_support::certs_dev_bytes as certs_dev;
    use crate::{HashAlgorithm, verify_signature};

    fn pss256() -> SignaturePreference {
        SignaturePreference {
            hash: HashAlgorithm::Sha256,
            rsa_pss: true,
        }
    }

    #[test]
    fn pkcs12_rsa_signs_pkcs1_and_pss_and_the_certificate_verifies() {
        let p12 = certs_dev("leader-rsa.p12");
        for (preference, expected) in [
            (
                SignaturePreference::sha256(),
                SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
            ),
            (pss256(), SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256)),
            (
                SignaturePreference {
                    hash: HashAlgorithm::Sha512,
                    rsa_pss: false,
                },
                SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha512),
            ),
        ] {
            let signer = SoftwareSigner::from_pkcs12(&p12, "vanthu-dev", preference).unwrap();
            assert_eq!(signer.algorithm(), expected);
            let signature = signer.sign(b"message").unwrap();
            assert_eq!(signature.len(), 256);
            assert!(
                verify_signature(signer.certificate(), expected, b"message", &signature).unwrap()
            );
            assert!(
                !verify_signature(signer.certificate(), expected, b"other", &signature).unwrap()
            );
        }
    }

    #[test]
    fn pss_signatures_use_a_salt_as_long_as_the_hash() {
        let signer =
            SoftwareSigner::from_pkcs12(&certs_dev("leader-rsa.p12"), "vanthu-dev", pss256())
                .unwrap();
        let signature = signer.sign(b"message").unwrap();
        let public_key = signer
            .certificate()
            .to_openssl()
            .unwrap()
            .public_key()
            .unwrap();
        let mut verifier =
            openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &public_key)
                .unwrap();
        verifier.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        verifier
            .set_rsa_mgf1_md(openssl::hash::MessageDigest::sha256())
            .unwrap();
        verifier
            .set_rsa_pss_saltlen(RsaPssSaltlen::custom(32))
            .unwrap();
        verifier.update(b"message").unwrap();
        assert!(verifier.verify(&signature).unwrap());
    }

    #[test]
    fn pkcs12_ec_signs_ecdsa_whatever_the_rsa_preference() {
        let signer =
            SoftwareSigner::from_pkcs12(&certs_dev("leader-p256.p12"), "vanthu-dev", pss256())
                .unwrap();
        assert_eq!(
            signer.algorithm(),
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
        );
        let signature = signer.sign(b"message").unwrap();
        // A DER Ecdsa-Sig-Value: SEQUENCE { r INTEGER, s INTEGER }.
        assert_eq!(signature[0], 0x30);
        assert!(
            verify_signature(
                signer.certificate(),
                signer.algorithm(),
                b"message",
                &signature
            )
            .unwrap()
        );
    }

    #[test]
    fn pkcs12_chain_excludes_the_signer_and_errors_are_told_apart() {
        let p12 = certs_dev("leader-rsa.p12");
        let signer = SoftwareSigner::from_pkcs12(&p12, "vanthu-dev", pss256()).unwrap();
        assert!(
            signer
                .chain()
                .iter()
                .all(|certificate| certificate != signer.certificate())
        );
        let error = SoftwareSigner::from_pkcs12(&p12, "wrong", pss256()).unwrap_err();
        assert!(matches!(error, Error::WrongPassword), "{error:?}");
        let error = SoftwareSigner::from_pkcs12(&p12, "nul\0", pss256()).unwrap_err();
        assert!(matches!(error, Error::WrongPassword), "{error:?}");
        let error = SoftwareSigner::from_pkcs12(b"garbage", "x", pss256()).unwrap_err();
        assert!(matches!(error, Error::InvalidPkcs12 { .. }), "{error:?}");
    }

    #[test]
    fn pem_key_and_bundle_make_a_signer_with_its_chain() {
        let mut bundle = certs_dev("leader-p256.pem");
        bundle.extend(certs_dev("chain.pem"));
        let signer = SoftwareSigner::from_pem(
            &certs_dev("leader-p256.key.pem"),
            &bundle,
            SignaturePreference::sha256(),
        )
        .unwrap();
        assert_eq!(signer.chain().len(), 2);
        assert!(
            signer
                .certificate()
                .summary()
                .unwrap()
                .subject
                .contains("Nguyễn Văn An")
        );
        let signature = signer.sign(b"x").unwrap();
        assert!(
            verify_signature(signer.certificate(), signer.algorithm(), b"x", &signature).unwrap()
        );
    }

    #[test]
    fn a_key_that_does_not_match_the_certificate_is_refused() {
        let error = SoftwareSigner::from_pem(
            &certs_dev("seal-rsa.key.pem"),
            &certs_dev("leader-rsa.pem"),
            SignaturePreference::sha256(),
        )
        .unwrap_err();
        assert!(matches!(error, Error::KeyMismatch), "{error:?}");
        let error = SoftwareSigner::from_pem(
            b"not a key",
            &certs_dev("leader-rsa.pem"),
            SignaturePreference::sha256(),
        )
        .unwrap_err();
        assert!(matches!(error, Error::InvalidKey { .. }), "{error:?}");
    }

    #[test]
    fn weak_keys_are_refused() {
        let rsa1024 = PKey::from_rsa(Rsa::generate(1024).unwrap()).unwrap();
        let public = PKey::public_key_from_der(&rsa1024.public_key_to_der().unwrap()).unwrap();
        let error = signing_key_kind(&public).unwrap_err();
        assert_eq!(
            error.to_string(),
            "key refused: RSA-1024: RSA keys need at least 2048 bits"
        );

        let group = EcGroup::from_curve_name(Nid::SECP256K1).unwrap();
        let k256 = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let public = PKey::public_key_from_der(&k256.public_key_to_der().unwrap()).unwrap();
        let error = signing_key_kind(&public).unwrap_err();
        assert!(matches!(error, Error::WeakKey { .. }), "{error:?}");

        let ed = PKey::generate_ed25519().unwrap();
        let public = PKey::public_key_from_der(&ed.public_key_to_der().unwrap()).unwrap();
        let error = signing_key_kind(&public).unwrap_err();
        assert_eq!(
            error.to_string(),
            "key refused: Ed25519: only RSA and ECDSA keys can sign"
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let signer = SoftwareSigner::from_pem(
            &certs_dev("leader-rsa.key.pem"),
            &certs_dev("leader-rsa.pem"),
            SignaturePreference::sha256(),
        )
        .unwrap();
        let debug = format!("{signer:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(!debug.contains("PRIVATE"), "{debug}");
        assert!(debug.len() < 400, "{debug}");
    }
}
