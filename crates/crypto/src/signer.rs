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
    use openssl::hash::MessageDigest;
    use openssl::rsa::Padding;
    use openssl::sign::{RsaPssSaltlen, Verifier};

    let public_key = certificate.to_openssl()?.public_key()?;
    let digest = match algorithm.hash() {
        HashAlgorithm::Sha256 => MessageDigest::sha256(),
        HashAlgorithm::Sha384 => MessageDigest::sha384(),
        HashAlgorithm::Sha512 => MessageDigest::sha512(),
    };
    let mut verifier = Verifier::new(digest, &public_key)?;
    if let SignatureAlgorithm::RsaPss(_) = algorithm {
        verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
        verifier.set_rsa_mgf1_md(digest)?;
        verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
    }
    verifier.update(message)?;
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
