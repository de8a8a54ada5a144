//! Hashing for signatures: the one `digest` function the signing engine calls over the PDF's byte
//! ranges, and the mapping of [`HashAlgorithm`] to OpenSSL's digests and to ASN.1 identifiers.
//!
//! `digest` uses the `sha2` crate rather than OpenSSL so that it cannot fail: OpenSSL's hashing API
//! returns a `Result` (for allocation and provider failures), and the engine hashes every byte
//! range of every document. `sha2` detects the SHA extensions of the CPU at run time, so both run
//! at the same speed.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512};
use openssl::hash::MessageDigest;

use crate::HashAlgorithm;

/// Hashes the concatenation of `data` (for a PDF signature, the two `/ByteRange` slices in order).
pub fn digest<'a>(algorithm: HashAlgorithm, data: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    fn run<D: sha2::Digest>(data: impl IntoIterator<Item = impl AsRef<[u8]>>) -> Vec<u8> {
        let mut hasher = D::new();
        for part in data {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }
    match algorithm {
        HashAlgorithm::Sha256 => run::<sha2::Sha256>(data),
        HashAlgorithm::Sha384 => run::<sha2::Sha384>(data),
        HashAlgorithm::Sha512 => run::<sha2::Sha512>(data),
    }
}

/// OpenSSL's digest for `algorithm`.
pub(crate) fn message_digest(algorithm: HashAlgorithm) -> MessageDigest {
    match algorithm {
        HashAlgorithm::Sha256 => MessageDigest::sha256(),
        HashAlgorithm::Sha384 => MessageDigest::sha384(),
        HashAlgorithm::Sha512 => MessageDigest::sha512(),
    }
}

/// The object identifier of `algorithm` (RFC 5754 §2).
pub(crate) fn hash_oid(algorithm: HashAlgorithm) -> ObjectIdentifier {
    match algorithm {
        HashAlgorithm::Sha256 => ID_SHA_256,
        HashAlgorithm::Sha384 => ID_SHA_384,
        HashAlgorithm::Sha512 => ID_SHA_512,
    }
}

/// The hash algorithm an object identifier names, if it is one we accept.
pub(crate) fn hash_from_oid(oid: &ObjectIdentifier) -> Option<HashAlgorithm> {
    [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|algorithm| hash_oid(*algorithm) == *oid)
}

/// The hash algorithm an object identifier names, refusing what TT 15/2025/TT-BKHCN does not
/// accept for signatures (MD5, SHA-1, SHA-224) and what we do not implement.
///
/// # Errors
/// [`crate::Error::WeakAlgorithm`] naming the algorithm.
pub(crate) fn accepted_hash(
    oid: &ObjectIdentifier,
    role: &str,
) -> Result<HashAlgorithm, crate::Error> {
    hash_from_oid(oid).ok_or_else(|| crate::Error::WeakAlgorithm {
        description: format!(
            "{role} {} is not accepted (SHA-256, SHA-384 or SHA-512 required)",
            algorithm_name(oid)
        ),
    })
}

/// A readable name for an algorithm identifier (`sha1`, `sha1WithRSAEncryption`), or the dotted
/// form when the OID database does not know it.
pub(crate) fn algorithm_name(oid: &ObjectIdentifier) -> String {
    const_oid::db::DB
        .by_oid(oid)
        .map_or_else(|| oid.to_string(), str::to_owned)
}

/// OpenSSL's digest for a hash identifier, SHA-1 included: it still identifies certificates (OCSP
/// CertIDs, ESSCertIDs), where it is no signature.
pub(crate) fn openssl_digest_for_oid(oid: &ObjectIdentifier) -> Option<MessageDigest> {
    match *oid {
        ID_SHA_1 => Some(MessageDigest::sha1()),
        other => hash_from_oid(&other).map(message_digest),
    }
}

/// Checks that `digest` has the length `algorithm` produces.
pub(crate) fn check_digest_length(
    algorithm: HashAlgorithm,
    digest: &[u8],
) -> Result<(), crate::Error> {
    if digest.len() == algorithm.output_len() {
        Ok(())
    } else {
        Err(crate::Error::DigestLength {
            algorithm: algorithm.name(),
            expected: algorithm.output_len(),
            actual: digest.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_hashes_the_concatenation_like_openssl() {
        let parts: [&[u8]; 3] = [b"ab", b"", b"c"];
        for algorithm in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let ours = digest(algorithm, parts);
            let theirs = openssl::hash::hash(message_digest(algorithm), b"abc").unwrap();
            assert_eq!(ours, theirs.to_vec(), "{algorithm:?}");
            assert_eq!(ours.len(), algorithm.output_len());
            assert_eq!(hash_from_oid(&hash_oid(algorithm)), Some(algorithm));
            assert_eq!(accepted_hash(&hash_oid(algorithm), "x").unwrap(), algorithm);
            assert!(openssl_digest_for_oid(&hash_oid(algorithm)).is_some());
        }
        let error = accepted_hash(&ID_SHA_1, "the digest algorithm").unwrap_err();
        assert_eq!(
            error.to_string(),
            "algorithm refused: the digest algorithm id-sha1 is not accepted \
             (SHA-256, SHA-384 or SHA-512 required)"
        );
        assert_eq!(
            openssl_digest_for_oid(&ID_SHA_1).map(|digest| digest.size()),
            Some(20)
        );
    }

    #[test]
    fn digest_lengths_are_checked() {
        assert!(check_digest_length(HashAlgorithm::Sha256, &[0; 32]).is_ok());
        let error = check_digest_length(HashAlgorithm::Sha384, &[0; 32]).unwrap_err();
        assert_eq!(error.to_string(), "a sha384 digest has 48 bytes, not 32");
    }
}
