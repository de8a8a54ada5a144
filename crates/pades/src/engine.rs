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
    // assemble_signed_data verifies the signature against the certificate first, so a garbled answer
    // from a remote service is refused before anything is embedded.
    let mut cms = crypto::assemble_signed_data(
        &parts.signed_attributes,
        signature,
        parts.algorithm,
        &parts.certificate,
        &parts.chain,
    )
    .map_err(|error| match error {
        crypto::Error::SignatureMismatch => Error::SignatureMismatch,
        other => Error::Crypto(other),
    })?;
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
        let mut required = vec![parts.certificate.clone()];
        required.extend(timestamp_certificates);
        let (mut earlier, earlier_certificates) = earlier_signers(&document, options);
        earlier.retain(|certificate| !required.contains(certificate));
        let mut known = parts.chain.clone();
        known.extend(earlier_certificates);
        known.extend(options.trust_roots.iter().cloned());
        let mut unique: Vec<Certificate> = Vec::new();
        for certificate in known {
            if !required.contains(&certificate)
                && !earlier.contains(&certificate)
                && !unique.contains(&certificate)
            {
                unique.push(certificate);
            }
        }
        let known = unique;
        let dss = validation_data(&required, &earlier, &known, revocation_time, options)?;
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

/// Certificates, OCSP responses and CRLs for the DSS: every certificate involved, a fresh OCSP
/// response for each end-entity certificate, and a CRL for each intermediate CA (a CA's own OCSP
/// responder cannot vouch for the CA). The new signature's signer and TSA are `required`: without
/// their evidence B-LT is not reached and signing fails. Earlier signatures' signers are added when
/// their evidence can be had, so that sealing a document signed by the leader makes both long-term.
fn validation_data(
    required: &[Certificate],
    earlier: &[Certificate],
    known: &[Certificate],
    at: OffsetDateTime,
    options: &SignOptions<'_>,
) -> Result<pdf::DssContents, Error> {
    let mut dss = pdf::DssContents {
        certificates: Vec::new(),
        ocsp_responses: Vec::new(),
        crls: Vec::new(),
    };
    let add = |items: &mut Vec<Vec<u8>>, der: &[u8]| {
        if !items.iter().any(|existing| existing == der) {
            items.push(der.to_vec());
        }
    };
    for certificate in required.iter().chain(earlier).chain(known) {
        add(&mut dss.certificates, certificate.as_der());
    }
    for (certificate, is_required) in required
        .iter()
        .map(|c| (c, true))
        .chain(earlier.iter().map(|c| (c, false)))
    {
        match ocsp_response(certificate, known, at, options) {
            Ok(response) => add(&mut dss.ocsp_responses, &response),
            Err(error) if is_required => return Err(error),
            Err(error) => tracing::info!(%error, "no revocation data for an earlier signature"),
        }
    }
    // The intermediate CAs: certificates that issued one of the others, and are not self-signed roots.
    let all: Vec<&Certificate> = required.iter().chain(earlier).chain(known).collect();
    let intermediates = known.iter().filter(|candidate| {
        !candidate.is_issued_by(candidate)
            && all
                .iter()
                .any(|other| *other != *candidate && other.is_issued_by(candidate))
    });
    for intermediate in intermediates {
        let Some(issuer) = known
            .iter()
            .find(|candidate| intermediate.is_issued_by(candidate))
        else {
            continue;
        };
        add(&mut dss.crls, &crl(intermediate, issuer, options)?);
    }
    Ok(dss)
}

/// A fresh, good OCSP response for `certificate` (from the override URL or its AIA).
fn ocsp_response(
    certificate: &Certificate,
    known: &[Certificate],
    at: OffsetDateTime,
    options: &SignOptions<'_>,
) -> Result<Vec<u8>, Error> {
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
        crypto::OcspStatus::Good => Ok(response),
        status => Err(revocation_unavailable(
            certificate,
            format!("the responder answered {status:?}"),
        )),
    }
}

/// A CRL that shows `certificate` (a CA) not revoked: one of the caller's, else from its CRL
/// distribution points.
fn crl(
    certificate: &Certificate,
    issuer: &Certificate,
    options: &SignOptions<'_>,
) -> Result<Vec<u8>, Error> {
    let good = |crl: &[u8]| {
        matches!(
            crypto::crl_evidence(crl, certificate, issuer).map(|evidence| evidence.status),
            Ok(crypto::RevocationStatus::Good)
        )
    };
    if let Some(crl) = options.crls.iter().find(|crl| good(crl)) {
        return Ok(crypto::crl_to_der(crl)?);
    }
    let mut last_error = "it names no CRL distribution point".to_owned();
    for url in certificate.crl_urls()? {
        match options.transport.get(&url) {
            Ok(crl) if good(&crl) => return Ok(crypto::crl_to_der(&crl)?),
            Ok(_) => last_error = format!("the CRL at {url} does not show it valid"),
            Err(error) => last_error = error.to_string(),
        }
    }
    Err(revocation_unavailable(certificate, last_error))
}

/// The signers (and their timestamp authorities) of the signatures already in `document`, with
/// every certificate their CMS structures carry.
fn earlier_signers(
    document: &[u8],
    options: &SignOptions<'_>,
) -> (Vec<Certificate>, Vec<Certificate>) {
    let signatures = match options.document_password {
        Some(password) => pdf::signatures_with_password(document, password, options.limits),
        None => pdf::signatures(document, options.limits),
    }
    .unwrap_or_default();
    let mut signers = Vec::new();
    let mut certificates = Vec::new();
    for signature in signatures
        .iter()
        .filter(|signature| !signature.is_doc_timestamp)
    {
        let Ok(cms) = crypto::parse_cms(&signature.contents) else {
            continue;
        };
        certificates.extend(cms.certificates().iter().cloned());
        if let Some(signer) = cms.signer_certificate() {
            signers.push(signer.clone());
        }
        if let Some(token) = cms.signature_timestamp()
            && let Ok(info) = crypto::verify_timestamp_token(token, [cms.signature_value()])
        {
            certificates.extend(info.certificates);
            signers.extend(info.tsa);
        }
    }
    (signers, certificates)
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
