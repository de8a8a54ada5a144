//! A signature between its two phases, and its persisted form.
//!
//! Remote signing services (SmartCA, SIM-PKI) answer minutes later, so the state between `prepare`
//! and `finalize` is written to storage. The format is versioned and self-describing enough to refuse
//! a damaged or foreign file: a magic line, then length-prefixed sections.

use crypto::{Certificate, HashAlgorithm, SignatureAlgorithm};

use crate::{Error, Level};

/// Marks the persisted form, version 1.
const MAGIC: &[u8] = b"VANTHU-PENDING-SIGNATURE-1\n";
/// The most certificates a chain may have in a persisted state.
const MAX_CHAIN: usize = 16;

/// A prepared signature waiting for its raw signature value.
#[derive(Debug)]
pub struct PendingSignature {
    prepared: pdf::PreparedSignature,
    signed_attributes: Vec<u8>,
    algorithm: SignatureAlgorithm,
    certificate: Certificate,
    chain: Vec<Certificate>,
    level: Level,
}

/// The pieces `finalize` needs.
pub(crate) struct PendingParts {
    pub(crate) prepared: pdf::PreparedSignature,
    pub(crate) signed_attributes: Vec<u8>,
    pub(crate) algorithm: SignatureAlgorithm,
    pub(crate) certificate: Certificate,
    pub(crate) chain: Vec<Certificate>,
    pub(crate) level: Level,
}

impl PendingSignature {
    pub(crate) fn new(
        prepared: pdf::PreparedSignature,
        signed_attributes: Vec<u8>,
        algorithm: SignatureAlgorithm,
        certificate: Certificate,
        chain: Vec<Certificate>,
        level: Level,
    ) -> PendingSignature {
        PendingSignature {
            prepared,
            signed_attributes,
            algorithm,
            certificate,
            chain,
            level,
        }
    }

    /// The bytes the key must sign: the DER of the signed attributes (RFC 5652 §5.4). A remote
    /// service signs them with the scheme of [`PendingSignature::algorithm`] (it hashes them itself).
    pub fn data_to_sign(&self) -> &[u8] {
        &self.signed_attributes
    }

    /// The signature scheme expected.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The level the signature will reach.
    pub fn level(&self) -> Level {
        self.level
    }

    pub(crate) fn into_parts(self) -> PendingParts {
        PendingParts {
            prepared: self.prepared,
            signed_attributes: self.signed_attributes,
            algorithm: self.algorithm,
            certificate: self.certificate,
            chain: self.chain,
            level: self.level,
        }
    }

    /// The persisted form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        section(&mut out, algorithm_code(self.algorithm).as_bytes());
        section(&mut out, self.level.to_string().as_bytes());
        section(&mut out, &self.signed_attributes);
        section(&mut out, self.certificate.as_der());
        section(&mut out, &(self.chain.len() as u64).to_be_bytes());
        for certificate in &self.chain {
            section(&mut out, certificate.as_der());
        }
        section(&mut out, &self.prepared.to_bytes());
        out
    }

    /// Reads a persisted form back.
    ///
    /// # Errors
    /// `Error::CorruptPending` for anything but an intact version-1 state.
    pub fn from_bytes(bytes: &[u8]) -> Result<PendingSignature, Error> {
        let Some(mut rest) = bytes.strip_prefix(MAGIC) else {
            return Err(Error::CorruptPending {
                reason: "not a pending signature",
            });
        };
        let mut next = || -> Result<&[u8], Error> {
            let (section, remaining) = read_section(rest)?;
            rest = remaining;
            Ok(section)
        };
        let algorithm = parse_algorithm(next()?)?;
        let level = std::str::from_utf8(next()?)
            .ok()
            .and_then(|text| Level::parse(text).ok())
            .ok_or(Error::CorruptPending {
                reason: "unknown level",
            })?;
        let signed_attributes = next()?.to_vec();
        let certificate = Certificate::from_der(next()?)?;
        let count = <[u8; 8]>::try_from(next()?)
            .map(u64::from_be_bytes)
            .map_err(|_| Error::CorruptPending {
                reason: "bad chain length",
            })?;
        if count > MAX_CHAIN as u64 {
            return Err(Error::CorruptPending {
                reason: "chain too long",
            });
        }
        let mut chain = Vec::new();
        for _ in 0..count {
            chain.push(Certificate::from_der(next()?)?);
        }
        let prepared = pdf::PreparedSignature::from_bytes(next()?.to_vec())?;
        if !rest.is_empty() {
            return Err(Error::CorruptPending {
                reason: "trailing data",
            });
        }
        Ok(PendingSignature {
            prepared,
            signed_attributes,
            algorithm,
            certificate,
            chain,
            level,
        })
    }
}

fn section(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn read_section(bytes: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let truncated = Error::CorruptPending {
        reason: "truncated",
    };
    let (length, rest) = bytes.split_first_chunk::<8>().ok_or(truncated)?;
    let length =
        usize::try_from(u64::from_be_bytes(*length)).map_err(|_| Error::CorruptPending {
            reason: "truncated",
        })?;
    if length > rest.len() {
        return Err(Error::CorruptPending {
            reason: "truncated",
        });
    }
    Ok(rest.split_at(length))
}

fn algorithm_code(algorithm: SignatureAlgorithm) -> String {
    let (scheme, hash) = match algorithm {
        SignatureAlgorithm::RsaPkcs1v15(hash) => ("rsa-pkcs1", hash),
        SignatureAlgorithm::RsaPss(hash) => ("rsa-pss", hash),
        SignatureAlgorithm::Ecdsa(hash) => ("ecdsa", hash),
    };
    format!("{scheme}-{}", hash.name())
}

fn parse_algorithm(bytes: &[u8]) -> Result<SignatureAlgorithm, Error> {
    let unknown = Error::CorruptPending {
        reason: "unknown algorithm",
    };
    let text = std::str::from_utf8(bytes).map_err(|_| Error::CorruptPending {
        reason: "unknown algorithm",
    })?;
    let (scheme, hash) = text.rsplit_once('-').ok_or(unknown)?;
    let hash = match hash {
        "sha256" => HashAlgorithm::Sha256,
        "sha384" => HashAlgorithm::Sha384,
        "sha512" => HashAlgorithm::Sha512,
        _ => {
            return Err(Error::CorruptPending {
                reason: "unknown algorithm",
            });
        }
    };
    match scheme {
        "rsa-pkcs1" => Ok(SignatureAlgorithm::RsaPkcs1v15(hash)),
        "rsa-pss" => Ok(SignatureAlgorithm::RsaPss(hash)),
        "ecdsa" => Ok(SignatureAlgorithm::Ecdsa(hash)),
        _ => Err(Error::CorruptPending {
            reason: "unknown algorithm",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_codes_round_trip() {
        for hash in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            for algorithm in [
                SignatureAlgorithm::RsaPkcs1v15(hash),
                SignatureAlgorithm::RsaPss(hash),
                SignatureAlgorithm::Ecdsa(hash),
            ] {
                assert_eq!(
                    parse_algorithm(algorithm_code(algorithm).as_bytes()).unwrap(),
                    algorithm
                );
            }
        }
    }

    #[test]
    fn damaged_states_are_refused() {
        assert!(PendingSignature::from_bytes(b"hello").is_err());
        let mut truncated = MAGIC.to_vec();
        truncated.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 0]);
        assert!(PendingSignature::from_bytes(&truncated).is_err());
    }
}
