//! Signing: prepare the revision, sign the attributes, finalize with timestamp and validation data.
//!
//! The signed attributes are exactly content-type, message-digest and signing-certificate-v2 (ETSI
//! EN 319 142-1 §5.2 with EN 319 122-1 §5.2); the signing time goes in the signature dictionary's `/M`,
//! never in the CMS (a `signing-time` attribute makes EU DSS refuse the B-B level).

use crypto::{Certificate, HashAlgorithm, SignatureAlgorithm, Signer};
use time::OffsetDateTime;

use crate::pending::PendingSignature;
use crate::{Error, Level, Transport};

/// Room reserved in `/Contents` beyond the certificates: the signature value, the attributes and the
/// CMS framing. ORACLES.md: validators reject a placeholder that is too small, so err on the large side.
const BASE_CAPACITY: usize = 8 * 1024;
/// Extra room for a signature timestamp token (a CMS with the TSA's certificates).
const TIMESTAMP_CAPACITY: usize = 12 * 1024;
/// The smallest placeholder reserved (16 KB, as ORACLES.md recommends for B-B).
const MIN_CAPACITY: usize = 16 * 1024;
/// Room for a document timestamp token.
const DOCUMENT_TIMESTAMP_CAPACITY: usize = 16 * 1024;
/// The OCSP request content type (RFC 6960 Appendix A.1).
const OCSP_REQUEST: &str = "application/ocsp-request";
/// The time-stamp query content type (RFC 3161 §3.4).
const TIMESTAMP_QUERY: &str = "application/timestamp-query";

/// Where to get a timestamp.
#[derive(Clone, Copy, Debug)]
pub struct TimestampOptions<'a> {
    /// The TSA's URL.
    pub url: &'a str,
    /// The hash of the message imprint.
    pub hash: HashAlgorithm,
}

/// Everything about one signature except the key.
#[derive(Debug)]
pub struct SignOptions<'a> {
    /// The PAdES level to reach.
    pub level: Level,
    /// The field to sign: a pre-created one, or a new one.
    pub field: pdf::FieldTarget<'a>,
    /// What the widget shows (None: invisible, or the field's existing look).
    pub appearance: Option<&'a pdf::appearance::Appearance>,
    /// The claimed signing time, written as `/M` (from the application clock).
    pub signing_time: OffsetDateTime,
    /// `/Name`: the signer's name as shown by viewers.
    pub name: Option<&'a str>,
    /// `/Reason`.
    pub reason: Option<&'a str>,
    /// `/Location`.
    pub location: Option<&'a str>,
    /// The trust anchors the signing certificate must chain to (TT 15/2025 check before signing).
    pub trust_roots: &'a [Certificate],
    /// The TSA, required for B-T and above.
    pub timestamp: Option<TimestampOptions<'a>>,
    /// An OCSP responder URL overriding the certificates' AIA (B-LT and above).
    pub ocsp_url: Option<&'a str>,
    /// CRLs (DER) to add to the DSS as well (B-LT and above).
    pub crls: &'a [Vec<u8>],
    /// How to reach the TSA and the OCSP responder.
    pub transport: &'a dyn Transport,
    /// The password of an encrypted input (the new revision is encrypted with the same key).
    pub document_password: Option<&'a str>,
    /// Parsing limits for the input PDF.
    pub limits: &'a pdf::Limits,
}

/// Signs `document` with `signer` to the level of `options`; the input is a verbatim prefix of the
/// output.
///
/// # Errors
/// `Error::Crypto` when the certificate is refused (expired, untrusted, weak) or the key fails;
/// `Error::Pdf` for a PDF that cannot be signed; `Error::Service` when the TSA or OCSP fails.
pub fn sign(
    document: &[u8],
    signer: &dyn Signer,
    options: &SignOptions<'_>,
) -> Result<Vec<u8>, Error> {
    let pending = prepare(
        document,
        signer.certificate(),
        signer.chain(),
        signer.algorithm(),
        options,
    )?;
    let signature = signer.sign(pending.data_to_sign())?;
    finalize(pending, &signature, options)
}

/// Phase one: checks the certificate, appends the signature revision with its placeholder, and
/// returns the pending signature whose [`PendingSignature::data_to_sign`] the key must sign.
///
/// # Errors
/// As [`sign`], before any key is used.
pub fn prepare(
    document: &[u8],
    certificate: &Certificate,
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    options: &SignOptions<'_>,
) -> Result<PendingSignature, Error> {
    crypto::check_signing_certificate(
        certificate,
        chain,
        options.trust_roots,
        options.signing_time,
    )?;
    if options.level.needs_timestamp() && options.timestamp.is_none() {
        return Err(Error::TimestampAuthorityRequired {
            level: options.level,
        });
    }
    let certificates_len: usize = std::iter::once(certificate)
        .chain(chain)
        .map(|certificate| certificate.as_der().len())
        .sum();
    let timestamp_room = if options.level.needs_timestamp() {
        TIMESTAMP_CAPACITY
    } else {
        0
    };
    let capacity = (BASE_CAPACITY + certificates_len + timestamp_room).max(MIN_CAPACITY);
    let request = pdf::SignatureRequest {
        field: options.field.clone(),
        kind: pdf::SignatureKind::Signature,
        signing_time: Some(options.signing_time),
        name: options.name,
        reason: options.reason,
        location: options.location,
        appearance: options.appearance,
        contents_capacity: capacity,
    };
    let prepared = match options.document_password {
        Some(password) => {
            pdf::prepare_signature_with_password(document, password, &request, options.limits)?
        }
        None => pdf::prepare_signature(document, &request, options.limits)?,
    };
    let hash = algorithm.hash();
    let message_digest = crypto::digest(hash, prepared.signed_bytes());
    let signed_attributes = crypto::signed_attributes(&message_digest, hash, certificate)?;
    Ok(PendingSignature::new(
        prepared,
        signed_attributes,
        algorithm,
        certificate.clone(),
        chain.to_vec(),
        options.level,
    ))
}

/// Phase two: assembles the CMS around `signature` (made over `data_to_sign`), adds the signature
/// timestamp, embeds it, and adds the validation data and the document timestamp the level needs.
///
/// # Errors
/// `Error::SignatureMismatch` when `signature` does not verify; `Error::Service` when the TSA or OCSP
/// fails; `Error::Pdf` when the CMS does not fit the placeholder.
pub fn finalize(
    pending: PendingSignature,
    signature: &[u8],
    options: &SignOptions<'_>,
) -> Result<Vec<u8>, Error> {
    let parts = pending.into_parts();
    if !crypto::verify_signature(
        &parts.certificate,
        parts.algorithm,
        &parts.signed_attributes,
        signature,
    )? {
        return Err(Error::SignatureMismatch);
    }
    let mut cms = crypto::assemble_signed_data(
        &parts.signed_attributes,
        signature,
        parts.algorithm,
        &parts.certificate,
        &parts.chain,
    )?;
    let mut timestamp_certificates = Vec::new();
    // Revocation data must be fresher than the proof of existence (the signature timestamp), so the
    // OCSP responses are checked against the timestamp's time when there is one.
    let mut revocation_time = options.signing_time;
    if parts.level.needs_timestamp() {
        let Some(timestamp) = options.timestamp else {
            return Err(Error::TimestampAuthorityRequired { level: parts.level });
        };
        // The signature timestamp covers the signature value (ETSI EN 319 122-1 §5.3).
        let imprint = crypto::digest(timestamp.hash, [crypto::signature_value(&cms)?.as_slice()]);
        let token = fetch_timestamp(&imprint, timestamp, options.transport)?;
        cms = crypto::add_signature_timestamp(&cms, &token.der)?;
        revocation_time = token.gen_time;
        timestamp_certificates.extend(token.tsa);
    }
    let mut document = parts.prepared.embed(&cms)?;
    if parts.level >= Level::BLT {
        let mut signers = vec![parts.certificate.clone()];
        signers.extend(timestamp_certificates);
        let mut known = parts.chain.clone();
        known.extend(options.trust_roots.iter().cloned());
        let dss = validation_data(&signers, &known, revocation_time, options)?;
        document = match options.document_password {
            Some(password) => {
                pdf::append_dss_with_password(&document, password, &dss, options.limits)?
            }
            None => pdf::append_dss(&document, &dss, options.limits)?,
        };
    }
    if parts.level == Level::BLTA {
        let Some(timestamp) = options.timestamp else {
            return Err(Error::TimestampAuthorityRequired { level: parts.level });
        };
        document = add_document_timestamp(
            &document,
            timestamp,
            options.transport,
            options.document_password,
            options.limits,
        )?;
    }
    Ok(document)
}

/// Appends a document timestamp (`/DocTimeStamp`, ETSI.RFC3161) over the whole document: the B-LTA
/// step, and the way to renew an archive's protection later.
///
/// # Errors
/// `Error::Service` when the TSA fails; `Error::Pdf` for a PDF that cannot be changed.
pub fn add_document_timestamp(
    document: &[u8],
    timestamp: TimestampOptions<'_>,
    transport: &dyn Transport,
    password: Option<&str>,
    limits: &pdf::Limits,
) -> Result<Vec<u8>, Error> {
    let request = pdf::SignatureRequest {
        field: pdf::FieldTarget::New(pdf::FieldSpec {
            name: next_field_name(document, password, limits, "DocTimeStamp")?,
            kind: pdf::FieldKind::Signature,
            page: 1,
            rect: None,
        }),
        kind: pdf::SignatureKind::DocTimeStamp,
        signing_time: None,
        name: None,
        reason: None,
        location: None,
        appearance: None,
        contents_capacity: DOCUMENT_TIMESTAMP_CAPACITY,
    };
    let prepared = match password {
        Some(password) => {
            pdf::prepare_signature_with_password(document, password, &request, limits)?
        }
        None => pdf::prepare_signature(document, &request, limits)?,
    };
    let imprint = crypto::digest(timestamp.hash, prepared.signed_bytes());
    let token = fetch_timestamp(&imprint, timestamp, transport)?;
    Ok(prepared.embed(&token.der)?)
}

fn fetch_timestamp(
    imprint: &[u8],
    timestamp: TimestampOptions<'_>,
    transport: &dyn Transport,
) -> Result<crypto::TimestampToken, Error> {
    let nonce = crypto::random_nonce()?;
    let request = crypto::timestamp_request(imprint, timestamp.hash, nonce)?;
    let response = transport.post(timestamp.url, TIMESTAMP_QUERY, &request)?;
    Ok(crypto::parse_timestamp_response(&response, imprint, nonce)?)
}

/// Certificates, OCSP responses and CRLs for the DSS: every certificate involved, and a fresh OCSP
/// response for each end-entity certificate (the signer's and the TSA's).
fn validation_data(
    end_entities: &[Certificate],
    known: &[Certificate],
    at: OffsetDateTime,
    options: &SignOptions<'_>,
) -> Result<pdf::DssContents, Error> {
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    let mut push = |der: &[u8]| {
        if !certificates.iter().any(|existing| existing == der) {
            certificates.push(der.to_vec());
        }
    };
    for certificate in end_entities.iter().chain(known) {
        push(certificate.as_der());
    }
    let mut ocsp_responses = Vec::new();
    for certificate in end_entities {
        let Some(issuer) = known
            .iter()
            .find(|candidate| certificate.is_issued_by(candidate))
        else {
            return Err(revocation_unavailable(
                certificate,
                "its issuer certificate is not known".to_owned(),
            ));
        };
        let url = match options.ocsp_url {
            Some(url) => url.to_owned(),
            None => certificate.ocsp_urls()?.into_iter().next().ok_or_else(|| {
                revocation_unavailable(certificate, "it names no OCSP responder".to_owned())
            })?,
        };
        let request = crypto::ocsp_request(certificate, issuer)?;
        let response = options
            .transport
            .post(&url, OCSP_REQUEST, &request)
            .map_err(|error| revocation_unavailable(certificate, error.to_string()))?;
        match crypto::check_ocsp_response(&response, certificate, issuer, at)? {
            crypto::OcspStatus::Good => ocsp_responses.push(response),
            status => {
                return Err(revocation_unavailable(
                    certificate,
                    format!("the responder answered {status:?}"),
                ));
            }
        }
    }
    Ok(pdf::DssContents {
        certificates,
        ocsp_responses,
        crls: options.crls.to_vec(),
    })
}

fn revocation_unavailable(certificate: &Certificate, reason: String) -> Error {
    let subject = certificate
        .summary()
        .map(|summary| summary.subject)
        .unwrap_or_default();
    Error::RevocationUnavailable { subject, reason }
}

/// A field name not yet used in the document: `BASE`, `BASE2`, `BASE3`…
fn next_field_name(
    document: &[u8],
    password: Option<&str>,
    limits: &pdf::Limits,
    base: &str,
) -> Result<String, Error> {
    let existing = match password {
        Some(password) => pdf::signature_fields_with_password(document, password, limits)?,
        None => pdf::signature_fields(document, limits)?,
    };
    let mut candidate = base.to_owned();
    let mut counter = 1;
    while existing.contains(&candidate) {
        counter += 1;
        candidate = format!("{base}{counter}");
    }
    Ok(candidate)
}
