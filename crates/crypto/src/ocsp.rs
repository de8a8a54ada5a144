//! OCSP (RFC 6960): the request for one certificate's status and the checks on the answer.
//!
//! The request is built here (OpenSSL's Rust binding cannot add a nonce): one SHA-1 CertID, as
//! every responder expects (RFC 5019 §2.1.1), and a nonce extension (RFC 8954).
//! The response's signature is verified by OpenSSL (`OCSP_basic_verify`) against the issuer or a
//! responder the issuer delegated (id-kp-OCSPSigning), with path validation at the caller's time;
//! the status and times are then read from the same bytes with `der`.
//!
//! [`check_ocsp_response`] is the signing engine's check (current at the signing time);
//! [`ocsp_evidence`] is the validator's reading, with no time policy.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::ID_SHA_1;
use const_oid::db::rfc6960::{ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use der::asn1::{Int, Null, OctetString};
use der::{Any, Choice, Encode, Enumerated, Sequence};
use openssl::ocsp::{OcspFlag, OcspResponse};
use openssl::stack::Stack;
use spki::AlgorithmIdentifierOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::{Extension, Extensions};

use crate::ber;
use crate::chain::trust_store;
use crate::cms::decode_certificate;
use crate::hash::openssl_digest_for_oid;
use crate::tsp::generalized_time;
use crate::{
    Certificate, Error, OcspStatus, RevocationEvidence, RevocationSource, RevocationStatus,
};

/// How far a responder's clock may be ahead of ours, or its nextUpdate behind, before the answer
/// is refused (the usual five minutes of `OCSP_check_validity`).
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The length of the request nonce (RFC 8954 §2.1: 1 to 32 bytes; 16 is common).
const NONCE_LEN: usize = 16;

/// Builds an `OCSPRequest` for `certificate` issued by `issuer`: one SHA-1 CertID and a random
/// nonce, unsigned.
///
/// # Errors
/// [`Error::Ocsp`] when a certificate cannot be decoded; [`Error::Backend`] when hashing or the
/// random source fails.
pub fn ocsp_request(certificate: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, Error> {
    let mut nonce = [0u8; NONCE_LEN];
    openssl::rand::rand_bytes(&mut nonce)?;
    let nonce_value = OctetString::new(nonce.as_slice())
        .and_then(|octets| octets.to_der())
        .and_then(OctetString::new)
        .map_err(ocsp_error)?;
    let request = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id(certificate, issuer, ID_SHA_1)?,
            }],
            request_extensions: Some(vec![Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: nonce_value,
            }]),
        },
    };
    request.to_der().map_err(ocsp_error)
}

/// Checks an OCSP response about `certificate` (issued by `issuer`) at the time `at`, and returns
/// the status it vouches for.
///
/// The response must be successful and of the basic type, signed by `issuer` or by a responder
/// certificate it carries that `issuer` issued for OCSP signing (validated at `at`), answer for
/// this certificate (CertID under SHA-1 or SHA-2), and be current: thisUpdate not after `at`
/// and nextUpdate, when given, not before it (five minutes' leeway each way).
/// The nonce is not compared: responders that pre-compute answers (RFC 5019) send none.
///
/// # Errors
/// [`Error::Ocsp`] with the reason when any of this fails.
pub fn check_ocsp_response(
    response_der: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
    at: OffsetDateTime,
) -> Result<OcspStatus, Error> {
    let evidence = read_response(response_der, certificate, issuer, Some(at))?;
    if evidence.this_update > at + CLOCK_SKEW {
        return Err(refused(format!(
            "the response was produced after the time asked about (thisUpdate {})",
            evidence.this_update
        )));
    }
    if let Some(next_update) = evidence.next_update
        && next_update + CLOCK_SKEW < at
    {
        return Err(refused(format!(
            "the response is stale (nextUpdate {next_update})"
        )));
    }
    Ok(evidence.status)
}

/// Reads what an OCSP response says about `certificate` (issued by `issuer`), with no time
/// policy: the status, thisUpdate and nextUpdate, for the caller to weigh against its own time.
///
/// The response must be successful and of the basic type, answer for this certificate, and be
/// signed by `issuer` or by a responder certificate that `issuer` issued for OCSP signing
/// (id-kp-OCSPSigning), that certificate being valid when the response was produced
/// (`producedAt`).
///
/// # Errors
/// [`Error::Ocsp`] with the reason when any of this fails.
pub fn ocsp_evidence(
    response_der: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
) -> Result<RevocationEvidence, Error> {
    read_response(response_der, certificate, issuer, None)
}

/// Decodes and verifies a response, validating the responder at `at`, or at `producedAt` when
/// `at` is `None`.
fn read_response(
    response_der: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
    at: Option<OffsetDateTime>,
) -> Result<RevocationEvidence, Error> {
    let response = ber::decode_lenient::<OcspResponseAsn1>(response_der).map_err(ocsp_error)?;
    if response.response_status != ResponseStatus::Successful {
        return Err(refused(format!(
            "the responder answered {}",
            response.response_status.describe()
        )));
    }
    let Some(bytes) = response.response_bytes else {
        return Err(refused("the response holds no answer".to_owned()));
    };
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(refused(format!(
            "the response is of type {}, not basic",
            bytes.response_type
        )));
    }
    let basic =
        ber::decode_lenient::<BasicOcspResponse>(bytes.response.as_bytes()).map_err(ocsp_error)?;
    let produced_at = generalized_time(&basic.tbs_response_data.produced_at)
        .ok_or_else(|| refused("producedAt is not a valid time".to_owned()))?;

    verify_signature(response_der, issuer, at.unwrap_or(produced_at))?;

    let single = find_single_response(&basic.tbs_response_data.responses, certificate, issuer)?;
    let this_update = generalized_time(&single.this_update)
        .ok_or_else(|| refused("thisUpdate is not a valid time".to_owned()))?;
    let next_update = match &single.next_update {
        Some(next_update) => Some(
            generalized_time(next_update)
                .ok_or_else(|| refused("nextUpdate is not a valid time".to_owned()))?,
        ),
        None => None,
    };
    let status = match &single.cert_status {
        CertStatus::Good(_) => RevocationStatus::Good,
        CertStatus::Revoked(info) => RevocationStatus::Revoked {
            at: generalized_time(&info.revocation_time)
                .ok_or_else(|| refused("the revocation time is not a valid time".to_owned()))?,
        },
        CertStatus::Unknown(_) => RevocationStatus::Unknown,
    };
    Ok(RevocationEvidence {
        status,
        this_update,
        next_update,
        source: RevocationSource::Ocsp,
    })
}

/// Verifies the response's signature with OpenSSL: the signer must be `issuer` itself or a
/// delegated responder certificate that `issuer` issued, with a path valid at `at`.
fn verify_signature(
    response_der: &[u8],
    issuer: &Certificate,
    at: OffsetDateTime,
) -> Result<(), Error> {
    let response = OcspResponse::from_der(response_der)
        .map_err(|_| refused("OpenSSL cannot read the response".to_owned()))?;
    let basic = response
        .basic()
        .map_err(|_| refused("OpenSSL cannot read the basic response".to_owned()))?;
    // The issuer is the anchor here, whether or not it is a root.
    let store = trust_store(std::slice::from_ref(issuer), at)?;
    // A responder that is the issuer itself often leaves its certificate out of the response.
    let mut certificates = Stack::new()?;
    certificates.push(issuer.to_openssl()?)?;
    basic
        .verify(&certificates, &store, OcspFlag::empty())
        .map_err(|stack| {
            let detail = stack
                .errors()
                .iter()
                .filter_map(|error| error.reason().map(str::to_owned))
                .collect::<Vec<_>>()
                .join("; ");
            refused(format!(
                "the response is not signed by the issuer or a responder it delegated ({detail})"
            ))
        })
}

/// The SingleResponse about `certificate`, matched by CertID (issuer name and key hashes and the
/// serial), whatever hash the responder used.
fn find_single_response<'a>(
    responses: &'a [SingleResponse],
    certificate: &Certificate,
    issuer: &Certificate,
) -> Result<&'a SingleResponse, Error> {
    for single in responses {
        let oid = single.cert_id.hash_algorithm.oid;
        if openssl_digest_for_oid(&oid).is_none() {
            continue;
        }
        let expected = cert_id(certificate, issuer, oid)?;
        if single.cert_id.issuer_name_hash == expected.issuer_name_hash
            && single.cert_id.issuer_key_hash == expected.issuer_key_hash
            && single.cert_id.serial_number == expected.serial_number
        {
            return Ok(single);
        }
    }
    Err(refused(
        "the response does not answer for this certificate".to_owned(),
    ))
}

/// The CertID of `certificate` under the hash `oid` (RFC 6960 §4.1.1).
fn cert_id(
    certificate: &Certificate,
    issuer: &Certificate,
    oid: ObjectIdentifier,
) -> Result<CertId, Error> {
    let digest = openssl_digest_for_oid(&oid)
        .ok_or_else(|| refused(format!("unsupported CertID hash {oid}")))?;
    let subject = decode_certificate(certificate)?;
    let issuer = decode_certificate(issuer)?;
    let issuer_name = issuer
        .tbs_certificate
        .subject
        .to_der()
        .map_err(ocsp_error)?;
    let issuer_key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let serial = Int::new(subject.tbs_certificate.serial_number.as_bytes()).map_err(ocsp_error)?;
    Ok(CertId {
        // SHA-1 and SHA-2 identifiers with NULL parameters, as OpenSSL and most responders write
        // them; the comparison above ignores the parameters.
        hash_algorithm: AlgorithmIdentifierOwned {
            oid,
            parameters: Some(Any::from(Null)),
        },
        issuer_name_hash: OctetString::new(openssl::hash::hash(digest, &issuer_name)?.to_vec())
            .map_err(ocsp_error)?,
        issuer_key_hash: OctetString::new(openssl::hash::hash(digest, issuer_key)?.to_vec())
            .map_err(ocsp_error)?,
        serial_number: serial,
    })
}

fn refused(reason: String) -> Error {
    Error::Ocsp { reason }
}

fn ocsp_error(error: der::Error) -> Error {
    refused(format!("malformed OCSP data ({error})"))
}

/// `OCSPRequest` (RFC 6960 §4.1.1), unsigned.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

/// `TBSRequest`, version v1 (the DEFAULT, so absent) and no requestor name.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Extensions>,
}

/// `Request`, without single request extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Request {
    req_cert: CertId,
}

/// `CertID` (RFC 6960 §4.1.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: Int,
}

/// `OCSPResponse` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponseAsn1 {
    response_status: ResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

/// `OCSPResponseStatus` (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, Eq, PartialEq, Enumerated)]
#[repr(u8)]
enum ResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

impl ResponseStatus {
    fn describe(self) -> &'static str {
        match self {
            ResponseStatus::Successful => "successful",
            ResponseStatus::MalformedRequest => "malformedRequest",
            ResponseStatus::InternalError => "internalError",
            ResponseStatus::TryLater => "tryLater",
            ResponseStatus::SigRequired => "sigRequired (it wants signed requests)",
            ResponseStatus::Unauthorized => "unauthorized (it does not serve this issuer)",
        }
    }
}

/// `ResponseBytes` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

/// `BasicOCSPResponse` (RFC 6960 §4.2.1); OpenSSL checks the signature, so it stays opaque.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    tbs_response_data: ResponseData,
    signature_algorithm: Any,
    signature: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<Any>>,
}

/// `ResponseData` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    responder_id: Any,
    produced_at: Any,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Extensions>,
}

/// `SingleResponse` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: CertStatus,
    this_update: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    single_extensions: Option<Extensions>,
}

/// `CertStatus` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
enum CertStatus {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `RevokedInfo` (RFC 6960 §4.2.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RevokedInfo {
    revocation_time: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    revocation_reason: Option<Any>,
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use der::Decode;
    use time::macros::datetime;

    use super::*;
    use crate::test_support::{certificate as one, certs_dev};

    /// Well after any day these tests run, inside the dev PKI's validity.
    const LATER: OffsetDateTime = datetime!(2049-06-01 00:00 UTC);

    /// `openssl ocsp` in request/response file mode, with an index where leader-rsa is valid and
    /// revoked-rsa revoked; other certificates are unknown to it.
    fn respond(request: &[u8], extra: &[&str]) -> Vec<u8> {
        respond_as(request, "ocsp", extra)
    }

    /// As [`respond`], signed by `signer` (`ocsp` for the delegated responder).
    fn respond_as(request: &[u8], signer: &str, extra: &[&str]) -> Vec<u8> {
        let folder = tempfile::tempdir().unwrap();
        let path = |name: &str| folder.path().join(name);
        let line = |status: &str, revoked: &str, name: &str| {
            let summary = one(name).summary().unwrap();
            let certificate = one(name).to_openssl().unwrap();
            let subject: Vec<String> = certificate
                .subject_name()
                .entries()
                .map(|entry| {
                    format!(
                        "/{}={}",
                        entry.object().nid().short_name().unwrap(),
                        entry.data().to_string().unwrap()
                    )
                })
                .collect();
            format!(
                "{status}\t491231235959Z\t{revoked}\t{}\tunknown\t{}\n",
                summary.serial_hex,
                subject.concat()
            )
        };
        let index = [
            line("V", "", "leader-rsa.pem"),
            line("R", "250301000000Z", "revoked-rsa.pem"),
        ]
        .concat();
        std::fs::write(path("index.txt"), index).unwrap();
        std::fs::write(path("req.der"), request).unwrap();
        let output = Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(path("index.txt"))
            .arg("-CA")
            .arg(certs_dev("intermediate-ca.pem"))
            .arg("-rsigner")
            .arg(certs_dev(&format!("{signer}.pem")))
            .arg("-rkey")
            .arg(certs_dev(&format!("{signer}.key.pem")))
            .arg("-reqin")
            .arg(path("req.der"))
            .arg("-respout")
            .arg(path("resp.der"))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "openssl ocsp: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(path("resp.der")).unwrap()
    }

    fn status_of(name: &str) -> Result<OcspStatus, Error> {
        let certificate = one(name);
        let issuer = one("intermediate-ca.pem");
        let response = respond(&ocsp_request(&certificate, &issuer).unwrap(), &[]);
        check_ocsp_response(&response, &certificate, &issuer, LATER)
    }

    #[test]
    fn the_request_is_what_openssl_ocsp_reads() {
        let request = ocsp_request(&one("leader-rsa.pem"), &one("intermediate-ca.pem")).unwrap();
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("req.der"), &request).unwrap();
        let output = Command::new("openssl")
            .args(["ocsp", "-req_text", "-reqin"])
            .arg(folder.path().join("req.der"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        assert!(text.contains("Hash Algorithm: sha1"), "{text}");
        assert!(text.contains("OCSP Nonce"), "{text}");
        let serial = one("leader-rsa.pem").summary().unwrap().serial_hex;
        assert!(text.contains(&format!("Serial Number: {serial}")), "{text}");
        // Two requests never share a nonce.
        assert_ne!(
            request,
            ocsp_request(&one("leader-rsa.pem"), &one("intermediate-ca.pem")).unwrap()
        );
    }

    #[test]
    fn good_revoked_and_unknown_from_a_delegated_responder() {
        assert_eq!(status_of("leader-rsa.pem").unwrap(), OcspStatus::Good);
        assert_eq!(
            status_of("revoked-rsa.pem").unwrap(),
            OcspStatus::Revoked {
                at: datetime!(2025-03-01 00:00 UTC)
            }
        );
        assert_eq!(status_of("seal-rsa.pem").unwrap(), OcspStatus::Unknown);
    }

    #[test]
    fn a_response_for_another_certificate_or_time_or_issuer_is_refused() {
        let leader = one("leader-rsa.pem");
        let seal = one("seal-rsa.pem");
        let intermediate = one("intermediate-ca.pem");
        let response = respond(&ocsp_request(&leader, &intermediate).unwrap(), &[]);
        let reason = |result: Result<OcspStatus, Error>| match result {
            Err(Error::Ocsp { reason }) => reason,
            other => panic!("expected an OCSP error, got {other:?}"),
        };
        let text = reason(check_ocsp_response(&response, &seal, &intermediate, LATER));
        assert!(
            text.contains("does not answer for this certificate"),
            "{text}"
        );
        // Asked about a time before the answer was produced.
        let text = reason(check_ocsp_response(
            &response,
            &leader,
            &intermediate,
            datetime!(2024-06-01 00:00 UTC),
        ));
        assert!(text.contains("after the time asked about"), "{text}");
        // The root did not delegate this responder.
        let root = one("root-ca.pem");
        let text = reason(check_ocsp_response(&response, &leader, &root, LATER));
        assert!(text.contains("not signed by the issuer"), "{text}");
        // One second more in producedAt: still well formed, but no longer what was signed.
        let outer = OcspResponseAsn1::from_der(&response).unwrap();
        let basic =
            BasicOcspResponse::from_der(outer.response_bytes.unwrap().response.as_bytes()).unwrap();
        let produced_at = basic.tbs_response_data.produced_at.to_der().unwrap();
        let position = response
            .windows(produced_at.len())
            .position(|window| window == produced_at.as_slice())
            .unwrap();
        let mut tampered = response.clone();
        let second = position + produced_at.len() - 2;
        tampered[second] = if tampered[second] == b'0' { b'1' } else { b'0' };
        let text = reason(check_ocsp_response(
            &tampered,
            &leader,
            &intermediate,
            LATER,
        ));
        assert!(text.contains("not signed by the issuer"), "{text}");
        assert!(check_ocsp_response(b"garbage", &leader, &intermediate, LATER).is_err());
    }

    #[test]
    fn the_issuer_may_answer_itself_without_sending_its_certificate() {
        let leader = one("leader-rsa.pem");
        let intermediate = one("intermediate-ca.pem");
        let request = ocsp_request(&leader, &intermediate).unwrap();
        let response = respond_as(&request, "intermediate-ca", &["-resp_no_certs"]);
        assert_eq!(
            check_ocsp_response(&response, &leader, &intermediate, LATER).unwrap(),
            OcspStatus::Good
        );
        // Another end entity (not delegated for OCSP) may not answer.
        let response = respond_as(&request, "seal-rsa", &[]);
        let error = check_ocsp_response(&response, &leader, &intermediate, LATER).unwrap_err();
        assert!(
            error.to_string().contains("not signed by the issuer"),
            "{error}"
        );
    }

    #[test]
    fn evidence_is_read_with_its_times_and_no_time_policy() {
        let intermediate = one("intermediate-ca.pem");
        for (name, expected) in [
            ("leader-rsa.pem", RevocationStatus::Good),
            (
                "revoked-rsa.pem",
                RevocationStatus::Revoked {
                    at: datetime!(2025-03-01 00:00 UTC),
                },
            ),
            ("seal-rsa.pem", RevocationStatus::Unknown),
        ] {
            let certificate = one(name);
            // A response valid for one day only: stale for the signing check later, but the
            // evidence is still read, times included.
            let response = respond(
                &ocsp_request(&certificate, &intermediate).unwrap(),
                &["-ndays", "1"],
            );
            let evidence = ocsp_evidence(&response, &certificate, &intermediate).unwrap();
            assert_eq!(evidence.status, expected, "{name}");
            assert_eq!(evidence.source, RevocationSource::Ocsp);
            let next_update = evidence.next_update.unwrap();
            assert_eq!(next_update - evidence.this_update, Duration::days(1));
            assert!(check_ocsp_response(&response, &certificate, &intermediate, LATER).is_err());
        }
    }

    #[test]
    fn evidence_signed_by_anyone_else_is_refused() {
        let leader = one("leader-rsa.pem");
        let intermediate = one("intermediate-ca.pem");
        let request = ocsp_request(&leader, &intermediate).unwrap();
        // The issuer itself may answer; an end entity it did not delegate may not.
        let response = respond_as(&request, "intermediate-ca", &["-resp_no_certs"]);
        let evidence = ocsp_evidence(&response, &leader, &intermediate).unwrap();
        assert_eq!(evidence.status, RevocationStatus::Good);
        let response = respond_as(&request, "seal-rsa", &[]);
        let error = ocsp_evidence(&response, &leader, &intermediate).unwrap_err();
        assert!(matches!(error, Error::Ocsp { .. }), "{error}");
        // The root did not delegate this responder.
        let response = respond(&request, &[]);
        assert!(ocsp_evidence(&response, &leader, &one("root-ca.pem")).is_err());
        assert!(ocsp_evidence(b"garbage", &leader, &intermediate).is_err());
    }

    #[test]
    fn a_stale_response_is_refused() {
        let leader = one("leader-rsa.pem");
        let intermediate = one("intermediate-ca.pem");
        let response = respond(
            &ocsp_request(&leader, &intermediate).unwrap(),
            &["-ndays", "1"],
        );
        let error = check_ocsp_response(&response, &leader, &intermediate, LATER).unwrap_err();
        assert!(error.to_string().contains("stale"), "{error}");
    }
}
