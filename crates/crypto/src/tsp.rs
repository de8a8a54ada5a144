//! RFC 3161 time-stamping: the request we send to a TSA, the checks on its answer, and the
//! verification of a token found in a signature or a document time-stamp.
//!
//! A token is accepted only when the TSA granted the request, the token's TSTInfo carries our
//! message imprint and our nonce, and the token's CMS signature verifies with the certificate it
//! carries (read and checked by [`crate::parse_cms`], like any other signature). Whether that
//! certificate chains to a trusted TSA is the validator's question, asked later with the trust
//! roots at hand ([`verify_timestamp_token`] gives it the certificates).
//!
//! The few ASN.1 types are defined here (after the `x509-tsp` crate, which needs `cmpv2` and
//! reads `genTime` with `der`'s GeneralizedTime, which refuses the fractional seconds that many
//! TSAs send).

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, Int, Null, OctetString, Uint};
use der::{Any, Decode, Encode, Sequence, Tag, Tagged};
use spki::AlgorithmIdentifierOwned;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::ext::Extensions;

use crate::ber;
use crate::hash::{accepted_hash, check_digest_length, hash_oid};
use crate::{Certificate, CmsSignature, Error, HashAlgorithm, digest, parse_cms};

/// `id-ct-TSTInfo` (RFC 3161 §2.4.2).
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// A time-stamp token the TSA granted, checked against our request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampToken {
    /// The token: a DER `ContentInfo(SignedData)` over a TSTInfo, as the TSA sent it. This is what
    /// goes into the signature-time-stamp attribute, or into a document timestamp's `/Contents`.
    pub der: Vec<u8>,
    /// The time the TSA vouches for (TSTInfo `genTime`, fractional seconds kept).
    pub gen_time: OffsetDateTime,
    /// The TSA's certificate, when the token carries it (it does: we ask with `certReq`).
    pub tsa: Option<Certificate>,
}

/// Builds a `TimeStampReq` (RFC 3161 §2.4.1): version 1, the imprint under `hash`, `nonce`, and
/// `certReq` TRUE so that the token carries the TSA's certificate.
///
/// # Errors
/// [`Error::DigestLength`] when `message_imprint` is not a `hash` digest.
pub fn timestamp_request(
    message_imprint: &[u8],
    hash: HashAlgorithm,
    nonce: u64,
) -> Result<Vec<u8>, Error> {
    check_digest_length(hash, message_imprint)?;
    let request = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            // With NULL parameters, as `openssl ts -query` writes them: every TSA accepts it.
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: hash_oid(hash),
                parameters: Some(Any::from(Null)),
            },
            hashed_message: OctetString::new(message_imprint).map_err(request_error)?,
        },
        nonce: nonce_integer(nonce)?,
        cert_req: true,
    };
    request.to_der().map_err(request_error)
}

/// Reads a `TimeStampResp` (RFC 3161 §2.4.2) for a request made with `message_imprint` and
/// `nonce`, and returns its token.
///
/// # Errors
/// [`Error::Timestamp`] when the TSA refused, the response is malformed, the TSTInfo names
/// another imprint or nonce, or the token's signature does not verify;
/// [`Error::WeakAlgorithm`] when the token is signed or hashed with SHA-1 or weaker.
pub fn parse_timestamp_response(
    response_der: &[u8],
    message_imprint: &[u8],
    nonce: u64,
) -> Result<TimestampToken, Error> {
    let response = ber::parse_exact(response_der)
        .and_then(|response| response.child_vec())
        .map_err(|error| refused(format!("the response is malformed ({error})")))?;
    let (status, token) = match response[..] {
        [status] => (status, None),
        [status, token] => (status, Some(token)),
        _ => return Err(refused("the response is malformed".to_owned())),
    };
    let status = ber::decode_lenient::<PkiStatusInfo>(status.raw).map_err(response_error)?;
    check_status(&status)?;
    let Some(token) = token else {
        return Err(refused(
            "the TSA granted the request but sent no token".to_owned(),
        ));
    };
    // The token exactly as the TSA sent it: its bytes are what gets embedded.
    let der = token.raw.to_vec();
    let read = read_token(&der)?;
    let imprint = &read.tst_info.message_imprint;
    if imprint.hashed_message.as_bytes() != message_imprint
        || read.hash.output_len() != message_imprint.len()
    {
        return Err(refused(
            "the token time-stamps another message imprint than the one requested".to_owned(),
        ));
    }
    let expected_nonce = nonce_integer(nonce)?.to_der().map_err(response_error)?;
    match &read.tst_info.nonce {
        None => {
            return Err(refused(
                "the token does not carry the request's nonce".to_owned(),
            ));
        }
        Some(returned) if returned.to_der().map_err(response_error)? != expected_nonce => {
            return Err(refused(
                "the token carries another nonce than the request's (a replayed answer?)"
                    .to_owned(),
            ));
        }
        Some(_) => {}
    }
    if !read.signature_valid {
        return Err(refused(
            "the token's signature does not verify with the TSA certificate it carries".to_owned(),
        ));
    }
    Ok(TimestampToken {
        gen_time: read.gen_time,
        tsa: read.cms.signer_certificate().cloned(),
        der,
    })
}

/// What a time-stamp token (RFC 3161) vouches for, checked against the data it should cover.
/// Whether the TSA is trusted is the caller's question ([`crate::validate_chain`] with `tsa`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampInfo {
    /// The time the TSA vouches for (TSTInfo `genTime`, fractional seconds kept).
    pub gen_time: OffsetDateTime,
    /// The hash of the message imprint.
    pub hash: HashAlgorithm,
    /// Whether the imprint is the hash of the data given.
    pub imprint_matches: bool,
    /// Whether the token's signature verifies with its signer's certificate: the message digest
    /// over the TSTInfo, the signature over the signed attributes, and the ESS signing-certificate
    /// attribute, when present, naming that certificate.
    pub signature_valid: bool,
    /// The certificate the token's SignerInfo names, when the token carries it.
    pub tsa: Option<Certificate>,
    /// Every certificate the token carries.
    pub certificates: Vec<Certificate>,
}

/// Checks a time-stamp token (a `ContentInfo(SignedData)` over a TSTInfo) against `data`: hashes
/// the concatenation of `data` with the token's own imprint algorithm and compares, and verifies
/// the token's CMS signature. No trust decision and no time policy.
///
/// # Errors
/// [`Error::Timestamp`] when the token is malformed or holds no TSTInfo;
/// [`Error::WeakAlgorithm`] when the imprint or the token's signature uses SHA-1 or weaker, or its
/// key is too weak.
pub fn verify_timestamp_token<'a>(
    token_der: &[u8],
    data: impl IntoIterator<Item = &'a [u8]>,
) -> Result<TimestampInfo, Error> {
    let read = read_token(token_der)?;
    let imprint_matches =
        digest(read.hash, data) == read.tst_info.message_imprint.hashed_message.as_bytes();
    Ok(TimestampInfo {
        gen_time: read.gen_time,
        hash: read.hash,
        imprint_matches,
        signature_valid: read.signature_valid,
        tsa: read.cms.signer_certificate().cloned(),
        certificates: read.cms.certificates().to_vec(),
    })
}

/// A token read and its signature checked.
struct ReadToken {
    cms: CmsSignature,
    tst_info: TstInfo,
    hash: HashAlgorithm,
    gen_time: OffsetDateTime,
    signature_valid: bool,
}

fn read_token(token_der: &[u8]) -> Result<ReadToken, Error> {
    let cms = match parse_cms(token_der) {
        Ok(cms) => cms,
        Err(Error::InvalidCms { reason }) => {
            return Err(refused(format!(
                "the token is not a CMS SignedData ({reason})"
            )));
        }
        Err(other) => return Err(other),
    };
    if cms.content_type() != ID_CT_TST_INFO {
        return Err(refused(format!(
            "the token holds {} rather than a TSTInfo",
            cms.content_type()
        )));
    }
    let Some(content) = cms.encapsulated_content() else {
        return Err(refused("the token holds no TSTInfo".to_owned()));
    };
    let tst_info = ber::decode_lenient::<TstInfo>(content)
        .map_err(|error| refused(format!("the TSTInfo is malformed ({error})")))?;
    if tst_info.version != 1 {
        return Err(refused(format!(
            "the TSTInfo has version {}, not 1",
            tst_info.version
        )));
    }
    let hash = accepted_hash(
        &tst_info.message_imprint.hash_algorithm.oid,
        "the message imprint hash",
    )?;
    let gen_time = generalized_time(&tst_info.gen_time)
        .ok_or_else(|| refused("the token's genTime is not a valid GeneralizedTime".to_owned()))?;
    let signature_valid = cms.signer_certificate().is_some()
        && cms.verify_encapsulated()?
        && cms.signing_certificate_v2_matches() != Some(false);
    Ok(ReadToken {
        cms,
        tst_info,
        hash,
        gen_time,
        signature_valid,
    })
}

/// Refuses every status but granted (0) and grantedWithMods (1) (RFC 3161 §2.4.2).
fn check_status(status: &PkiStatusInfo) -> Result<(), Error> {
    let name = match status.status {
        0 | 1 => return Ok(()),
        2 => "rejected the request",
        3 => "asks to wait (waiting)",
        4 => "warns of an imminent revocation",
        5 => "reports its revocation",
        _ => "answered with an unknown status",
    };
    let mut reason = format!("the TSA {name}");
    if let Some(texts) = &status.status_string {
        reason.push_str(&format!(": {}", texts.join("; ")));
    }
    if let Some(fail_info) = &status.fail_info {
        let failures: Vec<&str> = FAILURES
            .iter()
            .filter(|(bit, _)| bit_is_set(fail_info, *bit))
            .map(|(_, name)| *name)
            .collect();
        if !failures.is_empty() {
            reason.push_str(&format!(" ({})", failures.join(", ")));
        }
    }
    Err(refused(reason))
}

/// The `PKIFailureInfo` bits RFC 3161 §2.4.2 names.
const FAILURES: [(usize, &str); 6] = [
    (0, "badAlg: unsupported hash algorithm"),
    (2, "badRequest: transaction not permitted or supported"),
    (5, "badDataFormat"),
    (14, "timeNotAvailable"),
    (15, "unacceptedPolicy"),
    (16, "unacceptedExtension"),
];

fn bit_is_set(bits: &BitString, index: usize) -> bool {
    let Some(byte) = bits.raw_bytes().get(index / 8) else {
        return false;
    };
    byte & (0x80 >> (index % 8)) != 0
}

/// A positive INTEGER holding `nonce`.
fn nonce_integer(nonce: u64) -> Result<Int, Error> {
    let unsigned = Uint::new(&nonce.to_be_bytes()).map_err(request_error)?;
    let der = unsigned.to_der().map_err(request_error)?;
    Int::from_der(&der).map_err(request_error)
}

/// Reads a GeneralizedTime `YYYYMMDDHHMMSS[.fraction]Z` (RFC 3161 §2.4.2 allows the fraction).
pub(crate) fn generalized_time(value: &Any) -> Option<OffsetDateTime> {
    if value.tag() != Tag::GeneralizedTime {
        return None;
    }
    let text = std::str::from_utf8(value.value()).ok()?.strip_suffix('Z')?;
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| whole.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(number(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?;
    let day = u8::try_from(number(6..8)?).ok()?;
    let hour = u8::try_from(number(8..10)?).ok()?;
    let minute = u8::try_from(number(10..12)?).ok()?;
    let second = u8::try_from(number(12..14)?).ok()?;
    let nanosecond = match fraction {
        None => 0,
        Some(digits)
            if !digits.is_empty()
                && digits.len() <= 9
                && digits.bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            let padded = format!("{digits:0<9}");
            padded.parse::<u32>().ok()?
        }
        Some(_) => return None,
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanosecond).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

fn refused(reason: String) -> Error {
    Error::Timestamp { reason }
}

fn request_error(error: der::Error) -> Error {
    refused(format!("the request cannot be encoded ({error})"))
}

fn response_error(error: der::Error) -> Error {
    refused(format!("the response is malformed ({error})"))
}

/// `TimeStampReq` (RFC 3161 §2.4.1), as we send it: no policy, no extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    nonce: Int,
    // DEFAULT FALSE; we always send TRUE, so it is always encoded.
    cert_req: bool,
}

/// `MessageImprint` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// `PKIStatusInfo` (RFC 3161 §2.4.2, from RFC 4210).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfo {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitString>,
}

/// `TSTInfo` (RFC 3161 §2.4.2); `genTime` is read by [`generalized_time`].
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

/// `Accuracy` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<Int>,
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use time::macros::datetime;

    use super::*;
    use crate::digest;
    use crate::test_support::certs_dev;

    /// A temporary `openssl ts` TSA with the dev TSA certificate.
    struct Tsa {
        folder: tempfile::TempDir,
    }

    impl Tsa {
        fn new() -> Tsa {
            let folder = tempfile::tempdir().unwrap();
            std::fs::write(folder.path().join("tsaserial"), "01\n").unwrap();
            let section = |name: &str, digests: &str, ess: &str| {
                format!(
                    "[ {name} ]\n\
                     dir = {dir}\n\
                     serial = $dir/tsaserial\n\
                     crypto_device = builtin\n\
                     signer_digest = sha256\n\
                     default_policy = 1.2.3.4.1\n\
                     digests = {digests}\n\
                     accuracy = secs:1, millisecs:500, microsecs:100\n\
                     clock_precision_digits = 3\n\
                     ordering = yes\n\
                     tsa_name = yes\n\
                     ess_cert_id_chain = no\n\
                     ess_cert_id_alg = {ess}\n",
                    dir = folder.path().display()
                )
            };
            let config = format!(
                "[ tsa ]\ndefault_tsa = main\n{}{}{}",
                section("main", "sha256, sha384, sha512", "sha256"),
                section("sha256_only", "sha256", "sha256"),
                // The older ESS signing-certificate attribute (SHA-1 ESSCertID).
                section("ess_v1", "sha256", "sha1")
            );
            std::fs::write(folder.path().join("ts.cnf"), config).unwrap();
            Tsa { folder }
        }

        fn reply(&self, request: &[u8], section: &str) -> Vec<u8> {
            let path = |name: &str| self.folder.path().join(name);
            std::fs::write(path("req.der"), request).unwrap();
            let output = Command::new("openssl")
                .arg("ts")
                .arg("-reply")
                .arg("-config")
                .arg(path("ts.cnf"))
                .args(["-section", section])
                .arg("-queryfile")
                .arg(path("req.der"))
                .arg("-inkey")
                .arg(certs_dev("tsa.key.pem"))
                .arg("-signer")
                .arg(certs_dev("tsa.pem"))
                .arg("-chain")
                .arg(certs_dev("chain.pem"))
                .arg("-out")
                .arg(path("resp.der"))
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "openssl ts -reply: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            std::fs::read(path("resp.der")).unwrap()
        }
    }

    fn reason(error: Error) -> String {
        match error {
            Error::Timestamp { reason } => reason,
            other => panic!("expected a time-stamp error, got {other:?}"),
        }
    }

    #[test]
    fn the_request_is_what_openssl_ts_reads() {
        let imprint = digest(HashAlgorithm::Sha256, [b"abc".as_slice()]);
        let request = timestamp_request(&imprint, HashAlgorithm::Sha256, u64::MAX >> 1).unwrap();
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("req.der"), &request).unwrap();
        let output = Command::new("openssl")
            .args(["ts", "-query", "-text", "-in"])
            .arg(folder.path().join("req.der"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        assert!(text.contains("Hash Algorithm: sha256"), "{text}");
        assert!(text.contains("Nonce: 0x7FFFFFFFFFFFFFFF"), "{text}");
        assert!(text.contains("Certificate required: yes"), "{text}");
        assert!(
            timestamp_request(&imprint, HashAlgorithm::Sha384, 1).is_err(),
            "a SHA-256 imprint is not a SHA-384 one"
        );
    }

    #[test]
    fn a_granted_token_from_openssl_ts_is_accepted() {
        let tsa = Tsa::new();
        for (hash, nonce) in [
            (HashAlgorithm::Sha256, 1),
            (HashAlgorithm::Sha512, 0x8000_0000_0000_0001),
        ] {
            let imprint = digest(hash, [b"signature value".as_slice()]);
            let response = tsa.reply(&timestamp_request(&imprint, hash, nonce).unwrap(), "main");
            let token = parse_timestamp_response(&response, &imprint, nonce).unwrap();
            assert!(token.gen_time > datetime!(2024-01-01 00:00 UTC));
            let subject = token.tsa.unwrap().summary().unwrap().subject;
            assert!(subject.contains("TSA"), "{subject}");
            // The token is the response's second element, byte for byte.
            assert!(
                response
                    .windows(token.der.len())
                    .any(|window| window == token.der.as_slice())
            );
        }
    }

    #[test]
    fn another_imprint_or_nonce_is_refused() {
        let tsa = Tsa::new();
        let imprint = digest(HashAlgorithm::Sha256, [b"one".as_slice()]);
        let other = digest(HashAlgorithm::Sha256, [b"two".as_slice()]);
        let response = tsa.reply(
            &timestamp_request(&imprint, HashAlgorithm::Sha256, 42).unwrap(),
            "main",
        );
        let error = parse_timestamp_response(&response, &other, 42).unwrap_err();
        assert!(reason(error).contains("another message imprint"));
        let error = parse_timestamp_response(&response, &imprint, 43).unwrap_err();
        assert!(reason(error).contains("another nonce"));
        // A flipped byte in the token's signature.
        let mut tampered = response.clone();
        *tampered.last_mut().unwrap() ^= 1;
        let error = parse_timestamp_response(&tampered, &imprint, 42).unwrap_err();
        assert!(reason(error).contains("does not verify"));
        let error = parse_timestamp_response(b"garbage", &imprint, 42).unwrap_err();
        assert!(reason(error).contains("malformed"));
    }

    #[test]
    fn a_rejection_says_why() {
        let tsa = Tsa::new();
        let imprint = digest(HashAlgorithm::Sha512, [b"x".as_slice()]);
        let response = tsa.reply(
            &timestamp_request(&imprint, HashAlgorithm::Sha512, 7).unwrap(),
            "sha256_only",
        );
        let reason = reason(parse_timestamp_response(&response, &imprint, 7).unwrap_err());
        assert!(reason.contains("rejected"), "{reason}");
        assert!(reason.contains("badAlg"), "{reason}");
    }

    #[test]
    fn tokens_from_openssl_ts_verify_against_the_data_they_cover() {
        let tsa = Tsa::new();
        let data: [&[u8]; 2] = [b"the signature ", b"value"];
        for (hash, section) in [
            (HashAlgorithm::Sha256, "main"),
            (HashAlgorithm::Sha384, "main"),
            (HashAlgorithm::Sha256, "ess_v1"),
        ] {
            let imprint = digest(hash, data);
            let response = tsa.reply(&timestamp_request(&imprint, hash, 9).unwrap(), section);
            let token = parse_timestamp_response(&response, &imprint, 9).unwrap();
            let info = verify_timestamp_token(&token.der, data).unwrap();
            assert_eq!(info.hash, hash);
            assert!(info.imprint_matches, "{section}");
            assert!(info.signature_valid, "{section}");
            assert_eq!(info.gen_time, token.gen_time);
            assert_eq!(info.tsa, token.tsa);
            let subject = info.tsa.as_ref().unwrap().summary().unwrap().subject;
            assert!(subject.contains("TSA"), "{subject}");
            // The TSA's certificate and the chain `-chain` added.
            assert_eq!(info.certificates.len(), 3, "{section}");
            let cms = parse_cms(&token.der).unwrap();
            assert_eq!(
                cms.signing_certificate_v2_matches(),
                Some(true),
                "{section}"
            );

            // Other data: the imprint no longer matches, the signature still verifies.
            let info = verify_timestamp_token(&token.der, [b"other".as_slice()]).unwrap();
            assert!(!info.imprint_matches);
            assert!(info.signature_valid);
            // A flipped byte in the token's signature value.
            let signature = cms.signature_value();
            let position = token
                .der
                .windows(signature.len())
                .position(|window| window == signature)
                .unwrap();
            let mut tampered = token.der.clone();
            tampered[position + 5] ^= 1;
            let info = verify_timestamp_token(&tampered, data).unwrap();
            assert!(info.imprint_matches);
            assert!(!info.signature_valid);
        }
        // A flipped byte in the TSTInfo (the genTime): the message digest no longer matches.
        let imprint = digest(HashAlgorithm::Sha256, data);
        let response = tsa.reply(
            &timestamp_request(&imprint, HashAlgorithm::Sha256, 10).unwrap(),
            "main",
        );
        let token = parse_timestamp_response(&response, &imprint, 10).unwrap();
        let content = parse_cms(&token.der)
            .unwrap()
            .encapsulated_content()
            .unwrap()
            .to_vec();
        let tst_info = TstInfo::from_der(&content).unwrap();
        let gen_time = tst_info.gen_time.to_der().unwrap();
        let position = token
            .der
            .windows(gen_time.len())
            .position(|window| window == gen_time.as_slice())
            .unwrap();
        let mut tampered = token.der.clone();
        let year = position + 2;
        tampered[year] = if tampered[year] == b'1' { b'2' } else { b'1' };
        let info = verify_timestamp_token(&tampered, data).unwrap();
        assert!(!info.signature_valid);
        // Not a token at all.
        assert!(verify_timestamp_token(b"garbage", data).is_err());
        let error = verify_timestamp_token(&response, data).unwrap_err();
        assert!(matches!(error, Error::Timestamp { .. }), "{error}");
    }

    #[test]
    fn generalized_times_with_and_without_fractions() {
        let parse = |text: &str| {
            let any = Any::new(Tag::GeneralizedTime, text.as_bytes()).unwrap();
            generalized_time(&any)
        };
        assert_eq!(
            parse("20260102030405Z"),
            Some(datetime!(2026-01-02 03:04:05 UTC))
        );
        assert_eq!(
            parse("20260102030405.25Z"),
            Some(datetime!(2026-01-02 03:04:05.25 UTC))
        );
        for bad in [
            "20260102030405",
            "2026010203040Z",
            "20261302030405Z",
            "20260102030405.Z",
            "2026010203040x5Z",
            "20260102030405.1234567890Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let utc = Any::new(Tag::UtcTime, b"260102030405Z".as_slice()).unwrap();
        assert_eq!(generalized_time(&utc), None);
    }
}
