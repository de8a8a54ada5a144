//! Hashing for signatures: the one `digest` function the signing engine calls over the PDF's byte
//! ranges, and the mapping of [`HashAlgorithm`] to OpenSSL's digests and to ASN.1 identifiers.
//!
//! `digest` uses the `sha2` crate rather than OpenSSL so that it cannot fail: OpenSSL's hashing API
//! returns a `Result` (for allocation and provider failures), and the engine hashes every byte
//! range of every document. `sha2` detects the SHA extensions of the CPU at run time, so both run
//! at the same speed.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ID_SHA_256, ID_SHA_384, ID_SHA_512};
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
        }
    }

    #[test]
    fn digest_lengths_are_checked() {
        assert!(check_digest_length(HashAlgorithm::Sha256, &[0; 32]).is_ok());
        let error = check_digest_length(HashAlgorithm::Sha384, &[0; 32]).unwrap_err();
        assert_eq!(error.to_string(), "a sha384 digest has 48 bytes, not 32");
    }
}
