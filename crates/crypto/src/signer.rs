//! The `Signer` trait: the one seam between the signing engine and wherever the private key lives
//! (a PKCS#12 file, a PKCS#11 token, a remote service), after rustls' provider split of mechanism
//! and policy.

use crate::{Certificate, Error};

/// A hash function accepted for signatures (TT 15/2025/TT-BKHCN: FIPS 180-4, SHA-256 or stronger).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// A short lowercase name (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }
}

/// A signature scheme: the key type, the padding and the hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash and a salt as long as the hash.
    RsaPss(HashAlgorithm),
    /// ECDSA (ANSI X9.62) with a DER-encoded `Ecdsa-Sig-Value`.
    Ecdsa(HashAlgorithm),
}

impl SignatureAlgorithm {
    /// The hash the scheme signs with.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureAlgorithm::RsaPkcs1v15(hash)
            | SignatureAlgorithm::RsaPss(hash)
            | SignatureAlgorithm::Ecdsa(hash) => hash,
        }
    }
}

/// How the caller would like a key to sign, where the key allows a choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignaturePreference {
    /// The hash to use.
    pub hash: HashAlgorithm,
    /// For RSA keys: RSASSA-PSS instead of PKCS#1 v1.5.
    pub rsa_pss: bool,
}

impl SignaturePreference {
    /// SHA-256 with PKCS#1 v1.5 for RSA: what every validator accepts.
    pub fn sha256() -> SignaturePreference {
        SignaturePreference {
            hash: HashAlgorithm::Sha256,
            rsa_pss: false,
        }
    }
}

/// A private key able to sign, with its certificate.
///
/// `sign` receives the message itself (for CMS, the DER of the signed attributes) and hashes it
/// inside, so that a token or a remote service can apply its own mechanism.
pub trait Signer: Send + Sync + std::fmt::Debug {
    /// The signer's certificate.
    fn certificate(&self) -> &Certificate;

    /// The intermediate certificates (and possibly the root) that chain the signer to a trust root;
    /// never the signer's own certificate.
    fn chain(&self) -> &[Certificate];

    /// The scheme `sign` produces.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Signs `message` with the private key.
    ///
    /// # Errors
    /// Whatever the key's backend reports, as a `crypto::Error`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

/// Checks `signature` over `message` with the certificate's public key, under `algorithm`: used to
/// catch a remote signing service that answered with a wrong or garbled signature before it is
/// embedded.
///
/// # Errors
/// `Error::Backend` when the key cannot be read; a signature that does not verify is `Ok(false)`.
pub fn verify_signature(
    certificate: &Certificate,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    let public_key = certificate.to_openssl()?.public_key()?;
    verify_with_key(
        &public_key,
        Scheme::from_algorithm(algorithm),
        [message],
        signature,
    )
}

/// A signature scheme with everything needed to check a signature: for RSASSA-PSS, the mask
/// generation hash and the salt length as well (RFC 4055 §3.1), which other signers may choose
/// differently from ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSASSA-PKCS1-v1_5.
    Pkcs1v15(HashAlgorithm),
    /// RSASSA-PSS with MGF1.
    Pss {
        /// The message hash.
        hash: HashAlgorithm,
        /// The hash of MGF1.
        mgf1: HashAlgorithm,
        /// The salt length in bytes.
        salt_len: u32,
    },
    /// ECDSA with a DER `Ecdsa-Sig-Value`.
    Ecdsa(HashAlgorithm),
}

impl Scheme {
    /// The scheme our signers produce for `algorithm` (PSS: MGF1 with the same hash, a salt as
    /// long as the hash).
    pub(crate) fn from_algorithm(algorithm: SignatureAlgorithm) -> Scheme {
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15(hash) => Scheme::Pkcs1v15(hash),
            SignatureAlgorithm::RsaPss(hash) => Scheme::Pss {
                hash,
                mgf1: hash,
                // At most 64: the cast cannot truncate.
                salt_len: hash.output_len() as u32,
            },
            SignatureAlgorithm::Ecdsa(hash) => Scheme::Ecdsa(hash),
        }
    }

    /// The algorithm as the rest of the system names it.
    pub(crate) fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Scheme::Pkcs1v15(hash) => SignatureAlgorithm::RsaPkcs1v15(hash),
            Scheme::Pss { hash, .. } => SignatureAlgorithm::RsaPss(hash),
            Scheme::Ecdsa(hash) => SignatureAlgorithm::Ecdsa(hash),
        }
    }
}

/// Checks `signature` over the concatenation of `message` with `public_key` under `scheme`; the
/// one verification routine of the crate.
///
/// # Errors
/// `Error::Backend` when OpenSSL cannot set the scheme up; a signature that does not verify, or
/// that does not fit the key, is `Ok(false)`.
pub(crate) fn verify_with_key<'a>(
    public_key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
    scheme: Scheme,
    message: impl IntoIterator<Item = &'a [u8]>,
    signature: &[u8],
) -> Result<bool, Error> {
    use openssl::rsa::Padding;
    use openssl::sign::{RsaPssSaltlen, Verifier};

    let hash = scheme.algorithm().hash();
    let mut verifier = Verifier::new(crate::hash::message_digest(hash), public_key)?;
    if let Scheme::Pss { mgf1, salt_len, .. } = scheme {
        let Ok(salt_len) = i32::try_from(salt_len) else {
            return Ok(false);
        };
        // An RSASSA-PSS scheme on a key that is not RSA: no signature can verify.
        if verifier.set_rsa_padding(Padding::PKCS1_PSS).is_err() {
            return Ok(false);
        }
        verifier.set_rsa_mgf1_md(crate::hash::message_digest(mgf1))?;
        verifier.set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt_len))?;
    }
    for part in message {
        verifier.update(part)?;
    }
    // OpenSSL reports a malformed signature as an error rather than `false`: both mean "no".
    Ok(verifier.verify(signature).unwrap_or(false))
}

/// A random 63-bit nonce for RFC 3161 and OCSP requests (positive, so that its DER INTEGER needs no
/// sign byte surprises at either end).
///
/// # Errors
/// `Error::Backend` when the system's random source fails.
pub fn random_nonce() -> Result<u64, Error> {
    let mut bytes = [0u8; 8];
    openssl::rand::rand_bytes(&mut bytes)?;
    Ok(u64::from_be_bytes(bytes) >> 1)
}
