//! The name of a blob: the SHA-256 digest of its bytes.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The SHA-256 digest of a blob's bytes, as 64 lowercase hexadecimal digits.
///
/// There is exactly one spelling per digest, so ids compare and hash as strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId(
    // Invariant: exactly 64 characters, each in `0-9a-f`.
    String,
);

/// The length of a SHA-256 digest in hexadecimal digits.
const HEX_LEN: usize = 64;

/// How much of a rejected string an error repeats.
const MAX_ECHOED_CHARS: usize = 100;

impl BlobId {
    /// Computes the id of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// Parses the canonical spelling of an id, as [`BlobId::as_str`] writes it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidId`] unless `value` is exactly 64 lowercase hexadecimal digits; uppercase
    /// is refused so that each blob has a single name.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let canonical = value.len() == HEX_LEN
            && value
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        if !canonical {
            return Err(Error::InvalidId {
                value: value.chars().take(MAX_ECHOED_CHARS).collect(),
            });
        }
        Ok(Self(value.to_owned()))
    }

    /// The id as 64 lowercase hexadecimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-256 of no bytes (FIPS 180-4 test vector).
    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn computes_the_sha256_of_the_bytes() {
        assert_eq!(BlobId::of(b"").as_str(), EMPTY);
        assert_eq!(
            BlobId::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn parses_what_it_displays() {
        let id = BlobId::of(b"hello");
        assert_eq!(BlobId::parse(&id.to_string()).unwrap(), id);
        assert_eq!(BlobId::parse(EMPTY).unwrap().as_str(), EMPTY);
    }

    #[test]
    fn refuses_anything_but_64_lowercase_hex_digits() {
        let too_long = format!("{EMPTY}0");
        let uppercase = EMPTY.to_uppercase();
        let not_hex = EMPTY.replace('e', "g");
        for value in [
            "",
            &EMPTY[..63],
            &too_long,
            &uppercase,
            &not_hex,
            "../../etc/passwd",
        ] {
            match BlobId::parse(value) {
                Err(Error::InvalidId { value: echoed }) => assert_eq!(echoed, value),
                other => panic!("{value:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn echoes_at_most_100_characters_of_a_rejected_id() {
        match BlobId::parse(&"x".repeat(10_000)) {
            Err(Error::InvalidId { value }) => assert_eq!(value.len(), MAX_ECHOED_CHARS),
            other => panic!("{other:?}"),
        }
    }
}
