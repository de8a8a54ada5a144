//! Validation of every signature and document timestamp of a PDF, ours or another tool's (ETSI EN 319
//! 102-1 basic and long-term validation, simplified to what a registry office needs).
//!
//! Per signature: the byte range covers its whole revision except `/Contents`; the message digest
//! matches; the signature verifies with the signer's key; the signer is the certificate that
//! signing-certificate-v2 names; the certificate chains to a configured root and was valid at the
//! validation time; revocation status at that time (from the document's DSS, else online); the
//! signature timestamp; the level reached; and what every later revision changed. The validation time
//! is the signature timestamp's time when one verifies (proof of existence), else `options.now`.
//!
//! How conclusions follow ETSI EN 319 102-1 §5.1.3: a broken digest, signature, format, signer
//! reference, or a disallowed later change, or a revocation before the validation time, is FAILED; a
//! missing chain, an expired or not-yet-valid certificate, unknown revocation, a bad timestamp or a
//! weak algorithm is INDETERMINATE (it may pass with more evidence).

use std::cell::OnceCell;

use crypto::Certificate;
use domain::calendar::rfc3339;
use time::OffsetDateTime;

use crate::report::{
    Check, Conclusion, Modification, Reason, SignatureReport, SignerIdentity, TimestampReport,
    ValidationReport,
};
use crate::{Error, Transport};

/// The most OCSP and CRL requests one validation makes.
const MAX_REVOCATION_REQUESTS: usize = 16;

/// How much clock skew between a responder and the validation time is tolerated.
const REVOCATION_SKEW: time::Duration = time::Duration::minutes(5);

/// Where revocation information may come from.
#[derive(Clone, Copy, Debug)]
pub enum RevocationMode<'a> {
    /// Only what the document carries (its DSS and the CMS): no network.
    Offline,
    /// The document's data first, then the certificates' OCSP responders and CRL distribution points
    /// over `transport`.
    Online {
        /// How to reach the responders.
        transport: &'a dyn Transport,
    },
}

/// How to validate.
#[derive(Debug)]
pub struct ValidationOptions<'a> {
    /// The trust anchors (the national root, the official-use CA, or the dev root in tests).
    pub trust_roots: &'a [Certificate],
    /// Where revocation information may come from.
    pub revocation: RevocationMode<'a>,
    /// The validation time: used for signatures without a timestamp (from the application clock).
    pub now: OffsetDateTime,
    /// The password of an encrypted document.
    pub password: Option<&'a str>,
    /// Parsing limits.
    pub limits: &'a pdf::Limits,
}

/// Validates every signature and document timestamp of `document`.
///
/// # Errors
/// `Error::Pdf` only when the file cannot be read as a PDF at all; every problem with a signature is
/// part of the report.
pub fn validate(
    document: &[u8],
    options: &ValidationOptions<'_>,
) -> Result<ValidationReport, Error> {
    // One load for both (BENCHMARKS.md); a store that cannot be read counts as none.
    let (signatures, dss) = match options.password {
        Some(password) => {
            pdf::signatures_and_dss_with_password(document, password, options.limits)?
        }
        None => pdf::signatures_and_dss(document, options.limits)?,
    };
    let dss = dss.unwrap_or_default();
    let context = Context {
        document,
        options,
        dss: &dss,
        dss_certificates: dss.certificates.iter().map(|_| OnceCell::new()).collect(),
        fetched: Default::default(),
        requests: Default::default(),
    };

    let mut reports: Vec<SignatureReport> = signatures
        .iter()
        .map(|signature| context.check(signature))
        .collect();
    assign_levels(&signatures, &mut reports);
    let conclusion = reports
        .iter()
        .map(|report| report.conclusion)
        .max()
        .unwrap_or(Conclusion::Indeterminate);
    Ok(ValidationReport {
        conclusion,
        signatures: reports,
    })
}

struct Context<'a> {
    document: &'a [u8],
    options: &'a ValidationOptions<'a>,
    dss: &'a pdf::DssContents,
    /// `dss.certificates` parsed, each the first time a pool needs it (`None`: unreadable).
    dss_certificates: Vec<OnceCell<Option<Certificate>>>,
    /// Online revocation evidence already fetched, by certificate (DER).
    fetched:
        std::cell::RefCell<std::collections::HashMap<Vec<u8>, Vec<crypto::RevocationEvidence>>>,
    /// Online requests made so far.
    requests: std::cell::Cell<usize>,
}

/// What one signature's checks found, before the conclusion is drawn.
struct Findings {
    reasons: Vec<Reason>,
    integrity: Check,
    chain: Check,
    revocation: Check,
    signer: Option<SignerIdentity>,
    timestamp: Option<TimestampReport>,
    /// Every certificate of the path had revocation data in the document itself (B-LT).
    revocation_in_document: bool,
}

impl Findings {
    fn new() -> Findings {
        let unchecked = || Check {
            ok: None,
            detail: "not checked".to_owned(),
        };
        Findings {
            reasons: Vec::new(),
            integrity: unchecked(),
            chain: unchecked(),
            revocation: unchecked(),
            signer: None,
            timestamp: None,
            revocation_in_document: false,
        }
    }

    fn fail(&mut self, reason: Reason) {
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }
}

impl Context<'_> {
    /// The certificates to build paths from: `carried` (by the CMS or the timestamp token) and
    /// those of the DSS that are not among them. A DSS usually repeats the signature's own
    /// certificates, and parsing one costs about 0.1 ms (BENCHMARKS.md), so duplicates are
    /// compared as DER and never parsed; the others are parsed once per validation.
    fn pool(&self, carried: &[Certificate]) -> Vec<Certificate> {
        let mut pool = carried.to_vec();
        for (der, parsed) in self.dss.certificates.iter().zip(&self.dss_certificates) {
            if pool
                .iter()
                .any(|certificate| certificate.as_der() == der.as_slice())
            {
                continue;
            }
            if let Some(certificate) = parsed.get_or_init(|| Certificate::from_der(der).ok()) {
                pool.push(certificate.clone());
            }
        }
        pool
    }

    fn check(&self, signature: &pdf::EmbeddedSignature) -> SignatureReport {
        let mut findings = Findings::new();
        let signed = signed_ranges(self.document, signature.byte_range);
        let revision_end = revision_end(signature);
        match (&signed, signature.byte_range_valid) {
            (Some(ranges), true) => {
                if signature.is_doc_timestamp {
                    self.check_document_timestamp(signature, ranges, &mut findings);
                } else {
                    self.check_signature(signature, ranges, &mut findings);
                }
            }
            _ => {
                findings.fail(Reason::FormatFailure);
                findings.integrity = Check {
                    ok: Some(false),
                    detail: "the byte range does not cover the whole revision except the signature"
                        .to_owned(),
                };
            }
        }
        let modifications = self.modifications(revision_end, signature.docmdp_permission);
        if modifications
            .iter()
            .any(|modification| !modification.allowed)
        {
            findings.fail(Reason::ModifiedAfterSigning);
        }
        let conclusion = conclude(&findings.reasons);
        let timestamped = findings
            .timestamp
            .as_ref()
            .is_some_and(|timestamp| timestamp.valid);
        let level = (!signature.is_doc_timestamp && signature.sub_filter == "ETSI.CAdES.detached")
            .then(|| {
                match (timestamped, findings.revocation_in_document) {
                    (true, true) => "B-LT",
                    (true, false) => "B-T",
                    _ => "B-B",
                }
                .to_owned()
            });
        SignatureReport {
            field: signature.field_name.clone(),
            is_document_timestamp: signature.is_doc_timestamp,
            signer: findings.signer,
            signing_time: signature.signing_time.as_deref().and_then(parse_pdf_date),
            timestamp: findings.timestamp,
            level,
            integrity: findings.integrity,
            chain: findings.chain,
            revocation: findings.revocation,
            modifications,
            conclusion,
            reasons: findings.reasons,
        }
    }

    fn check_signature(
        &self,
        signature: &pdf::EmbeddedSignature,
        ranges: &[&[u8]; 2],
        findings: &mut Findings,
    ) {
        let cms = match crypto::parse_cms(&signature.contents) {
            Ok(cms) => cms,
            Err(crypto::Error::WeakAlgorithm { .. }) => {
                findings.fail(Reason::CryptoConstraintsFailure);
                findings.integrity = Check {
                    ok: None,
                    detail: "a hash or signature algorithm below policy".to_owned(),
                };
                return;
            }
            Err(error) => {
                findings.fail(Reason::FormatFailure);
                findings.integrity = Check {
                    ok: Some(false),
                    detail: format!("the CMS signature cannot be read: {error}"),
                };
                return;
            }
        };
        let Some(signer) = cms.signer_certificate().cloned() else {
            findings.fail(Reason::FormatFailure);
            findings.integrity = Check {
                ok: Some(false),
                detail: "the signer's certificate is not in the signature".to_owned(),
            };
            return;
        };
        findings.signer = identity(&signer);
        if !signer.may_sign_documents() {
            findings.fail(Reason::ChainConstraintsFailure);
        }

        let digest = crypto::digest(cms.digest_algorithm(), ranges.iter().copied());
        let digest_ok = cms.message_digest() == Some(digest.as_slice());
        let signature_ok = cms.verify_signature().unwrap_or(false);
        if !digest_ok {
            findings.fail(Reason::HashFailure);
        }
        if !signature_ok {
            findings.fail(Reason::SigCryptoFailure);
        }
        if cms.signing_certificate_v2_matches() == Some(false) {
            findings.fail(Reason::SigningCertificateMismatch);
        }
        findings.integrity = Check {
            ok: Some(digest_ok && signature_ok),
            detail: match (digest_ok, signature_ok) {
                (true, true) => format!(
                    "message digest ({}) and signature value verify",
                    cms.digest_algorithm().name()
                ),
                (false, _) => "the signed bytes do not match the message digest".to_owned(),
                (true, false) => "the signature value does not verify".to_owned(),
            },
        };

        // The signature timestamp, over the signature value, is the proof of existence.
        let mut validation_time = self.options.now;
        if let Some(token) = cms.signature_timestamp() {
            let report = self.check_timestamp(token, &[cms.signature_value()]);
            if report.valid {
                validation_time = report.time;
            } else {
                findings.fail(Reason::TimestampFailure);
            }
            findings.timestamp = Some(report);
        }

        let pool = self.pool(cms.certificates());
        self.check_chain_and_revocation(&signer, &pool, validation_time, findings);
    }

    fn check_document_timestamp(
        &self,
        signature: &pdf::EmbeddedSignature,
        ranges: &[&[u8]; 2],
        findings: &mut Findings,
    ) {
        match crypto::verify_timestamp_token(&signature.contents, ranges.iter().copied()) {
            Ok(info) => {
                let is_authority = info
                    .tsa
                    .as_ref()
                    .is_some_and(Certificate::is_timestamping_authority);
                let valid = info.imprint_matches && info.signature_valid && is_authority;
                if !info.imprint_matches {
                    findings.fail(Reason::HashFailure);
                }
                if !is_authority {
                    findings.fail(Reason::TimestampFailure);
                }
                if !info.signature_valid {
                    findings.fail(Reason::SigCryptoFailure);
                }
                findings.integrity = Check {
                    ok: Some(valid),
                    detail: if valid {
                        "the timestamp covers the document and verifies".to_owned()
                    } else {
                        "the timestamp does not match the document or does not verify".to_owned()
                    },
                };
                findings.signer = info.tsa.as_ref().and_then(identity);
                findings.timestamp = Some(TimestampReport {
                    time: info.gen_time,
                    tsa: findings
                        .signer
                        .as_ref()
                        .map(|signer| signer.subject.clone()),
                    valid,
                });
                match &info.tsa {
                    Some(tsa) => {
                        let pool = self.pool(&info.certificates);
                        // A document timestamp proves its own time: its TSA is judged at that time.
                        self.check_chain_and_revocation(tsa, &pool, info.gen_time, findings);
                    }
                    None => {
                        findings.fail(Reason::NoCertificateChainFound);
                        findings.chain = Check {
                            ok: Some(false),
                            detail: "the TSA certificate is not in the token".to_owned(),
                        };
                    }
                }
            }
            Err(error) => {
                findings.fail(Reason::FormatFailure);
                findings.integrity = Check {
                    ok: Some(false),
                    detail: format!("the timestamp token cannot be read: {error}"),
                };
            }
        }
    }

    fn check_timestamp(&self, token: &[u8], data: &[&[u8]]) -> TimestampReport {
        match crypto::verify_timestamp_token(token, data.iter().copied()) {
            Ok(info) => {
                let pool = self.pool(&info.certificates);
                let tsa_trusted = info.tsa.as_ref().is_some_and(|tsa| {
                    tsa.is_timestamping_authority()
                        && matches!(
                            crypto::validate_chain(
                                tsa,
                                &pool,
                                self.options.trust_roots,
                                info.gen_time
                            ),
                            Ok(Ok(_))
                        )
                });
                TimestampReport {
                    time: info.gen_time,
                    tsa: info.tsa.as_ref().and_then(identity).map(|tsa| tsa.subject),
                    valid: info.imprint_matches && info.signature_valid && tsa_trusted,
                }
            }
            Err(_) => TimestampReport {
                time: self.options.now,
                tsa: None,
                valid: false,
            },
        }
    }

    fn check_chain_and_revocation(
        &self,
        certificate: &Certificate,
        pool: &[Certificate],
        at: OffsetDateTime,
        findings: &mut Findings,
    ) {
        let path = match crypto::validate_chain(certificate, pool, self.options.trust_roots, at) {
            Ok(Ok(path)) => {
                findings.chain = Check {
                    ok: Some(true),
                    detail: format!(
                        "chains to {} ({} certificates), valid at {}",
                        root_subject(&path),
                        path.len(),
                        rfc3339(at)
                    ),
                };
                path
            }
            Ok(Err(failure)) => {
                let (reason, detail) = match failure {
                    crypto::ChainFailure::NoChain { detail } => (
                        Reason::NoCertificateChainFound,
                        format!("no chain to a trusted root: {detail}"),
                    ),
                    crypto::ChainFailure::Expired { subject } => (
                        Reason::Expired,
                        format!("{subject} had expired at {}", rfc3339(at)),
                    ),
                    crypto::ChainFailure::NotYetValid { subject } => (
                        Reason::NotYetValid,
                        format!("{subject} was not yet valid at {}", rfc3339(at)),
                    ),
                    crypto::ChainFailure::WeakAlgorithm { detail } => {
                        (Reason::CryptoConstraintsFailure, detail)
                    }
                };
                findings.fail(reason);
                findings.chain = Check {
                    ok: Some(false),
                    detail,
                };
                return;
            }
            Err(error) => {
                findings.fail(Reason::NoCertificateChainFound);
                findings.chain = Check {
                    ok: None,
                    detail: format!("the chain could not be checked: {error}"),
                };
                return;
            }
        };
        // Every certificate of the path but the trust anchor needs a revocation status.
        let mut details = Vec::new();
        let mut unknown = false;
        let mut all_in_document = true;
        for pair in path.windows(2) {
            let [subject, issuer] = pair else { continue };
            let found = self.revocation_of(subject, issuer, at);
            all_in_document &= found.as_ref().is_some_and(|(_, in_document)| *in_document);
            match found.map(|(evidence, _)| evidence) {
                Some(evidence) => match evidence.status {
                    crypto::RevocationStatus::Revoked { at: revoked_at } if revoked_at <= at => {
                        findings.fail(Reason::Revoked);
                        details.push(format!(
                            "{} revoked at {}",
                            subject_name(subject),
                            rfc3339(revoked_at)
                        ));
                    }
                    crypto::RevocationStatus::Unknown => {
                        unknown = true;
                        details.push(format!(
                            "{}: the responder does not know it",
                            subject_name(subject)
                        ));
                    }
                    _ => details.push(format!(
                        "{}: good ({})",
                        subject_name(subject),
                        source_name(evidence.source)
                    )),
                },
                None => {
                    unknown = true;
                    details.push(format!(
                        "{}: no revocation information",
                        subject_name(subject)
                    ));
                }
            }
        }
        if unknown && !findings.reasons.contains(&Reason::Revoked) {
            findings.fail(Reason::TryLater);
        }
        let ok = if findings.reasons.contains(&Reason::Revoked) {
            Some(false)
        } else if unknown {
            None
        } else {
            Some(true)
        };
        findings.revocation = Check {
            ok,
            detail: details.join("; "),
        };
        findings.revocation_in_document = all_in_document && ok == Some(true);
    }

    /// Usable revocation evidence for `certificate`: the document's own first, then the network when
    /// allowed (the flag says which).
    fn revocation_of(
        &self,
        certificate: &Certificate,
        issuer: &Certificate,
        at: OffsetDateTime,
    ) -> Option<(crypto::RevocationEvidence, bool)> {
        // Usable: a revocation (final), evidence issued after the validation time, or evidence whose
        // validity window (thisUpdate..nextUpdate) covers it.
        let fresh = |evidence: &crypto::RevocationEvidence| match evidence.status {
            crypto::RevocationStatus::Revoked { .. } => true,
            _ => {
                evidence.this_update + REVOCATION_SKEW >= at
                    || (evidence.this_update <= at + REVOCATION_SKEW
                        && evidence
                            .next_update
                            .is_some_and(|next_update| next_update + REVOCATION_SKEW >= at))
            }
        };
        // Among the document's usable evidence, a revocation wins; otherwise the newest.
        let from_document = self
            .dss
            .ocsp_responses
            .iter()
            .filter_map(|response| crypto::ocsp_evidence(response, certificate, issuer).ok())
            .chain(
                self.dss
                    .crls
                    .iter()
                    .filter_map(|crl| crypto::crl_evidence(crl, certificate, issuer).ok()),
            )
            .filter(fresh)
            .max_by_key(|evidence| {
                (
                    matches!(evidence.status, crypto::RevocationStatus::Revoked { .. }),
                    evidence.this_update,
                )
            });
        if let Some(evidence) = from_document {
            return Some((evidence, true));
        }
        self.online_evidence(certificate, issuer)
            .into_iter()
            .find(fresh)
            .map(|evidence| (evidence, false))
    }

    /// What the certificate's OCSP responders and CRL distribution points say, fetched once per
    /// certificate and validation (a file may repeat one signer many times), within a budget of
    /// requests per validation, so that a hostile upload cannot hold a worker for long.
    fn online_evidence(
        &self,
        certificate: &Certificate,
        issuer: &Certificate,
    ) -> Vec<crypto::RevocationEvidence> {
        let RevocationMode::Online { transport } = self.options.revocation else {
            return Vec::new();
        };
        if let Some(known) = self.fetched.borrow().get(certificate.as_der()) {
            return known.clone();
        }
        let mut found = Vec::new();
        let spend = || {
            let spent = self.requests.get();
            self.requests.set(spent + 1);
            spent < MAX_REVOCATION_REQUESTS
        };
        for url in certificate.ocsp_urls().unwrap_or_default() {
            if !spend() {
                break;
            }
            let Ok(request) = crypto::ocsp_request(certificate, issuer) else {
                continue;
            };
            if let Ok(response) = transport.post(&url, "application/ocsp-request", &request)
                && let Ok(evidence) = crypto::ocsp_evidence(&response, certificate, issuer)
            {
                found.push(evidence);
                break;
            }
        }
        if found.is_empty() {
            for url in certificate.crl_urls().unwrap_or_default() {
                if !spend() {
                    break;
                }
                if let Ok(crl) = transport.get(&url)
                    && let Ok(evidence) = crypto::crl_evidence(&crl, certificate, issuer)
                {
                    found.push(evidence);
                    break;
                }
            }
        }
        self.fetched
            .borrow_mut()
            .insert(certificate.as_der().to_vec(), found.clone());
        found
    }

    /// What the revisions after `revision_end` changed, judged by the approval-signature whitelist,
    /// narrowed (P 1) or widened (P 3) by a certification signature's DocMDP permission (ISO 32000-2
    /// §12.8.2.2; validation data and document timestamps stay allowed, as PAdES requires).
    fn modifications(&self, revision_end: usize, docmdp: Option<u8>) -> Vec<Modification> {
        if revision_end >= self.document.len() {
            return Vec::new();
        }
        let changes = match self.options.password {
            Some(password) => pdf::changes_after_with_password(
                self.document,
                password,
                revision_end,
                self.options.limits,
            ),
            None => pdf::changes_after(self.document, revision_end, self.options.limits),
        };
        match changes {
            Ok(changes) => changes
                .into_iter()
                .map(|change| Modification {
                    allowed: allowed_under(&change, docmdp),
                    description: change.description,
                })
                .collect(),
            Err(error) => vec![Modification {
                allowed: false,
                description: format!("the later revisions cannot be analysed: {error}"),
            }],
        }
    }
}

fn allowed_under(change: &pdf::Change, docmdp: Option<u8>) -> bool {
    use pdf::ChangeKind as Kind;
    match docmdp {
        Some(1) => {
            matches!(change.kind, Kind::DssUpdated | Kind::DocumentTimestampAdded) && change.allowed
        }
        Some(3) => {
            change.allowed || matches!(change.kind, Kind::AnnotationAdded | Kind::AnnotationChanged)
        }
        _ => change.allowed,
    }
}

/// Upgrades B-LT signatures to B-LTA when a valid document timestamp covers them (and their
/// validation data).
fn assign_levels(signatures: &[pdf::EmbeddedSignature], reports: &mut [SignatureReport]) {
    let document_timestamp_ends: Vec<usize> = signatures
        .iter()
        .zip(reports.iter())
        .filter(|(signature, report)| {
            signature.is_doc_timestamp && report.conclusion == Conclusion::Passed
        })
        .map(|(signature, _)| revision_end(signature))
        .collect();
    for (signature, report) in signatures.iter().zip(reports.iter_mut()) {
        let end = revision_end(signature);
        if report.level.as_deref() == Some("B-LT")
            && document_timestamp_ends
                .iter()
                .any(|stamp_end| *stamp_end > end)
        {
            report.level = Some("B-LTA".to_owned());
        }
    }
}

fn revision_end(signature: &pdf::EmbeddedSignature) -> usize {
    signature.byte_range[2].saturating_add(signature.byte_range[3])
}

fn conclude(reasons: &[Reason]) -> Conclusion {
    let failed = reasons.iter().any(|reason| {
        matches!(
            reason,
            Reason::HashFailure
                | Reason::SigCryptoFailure
                | Reason::FormatFailure
                | Reason::SigningCertificateMismatch
                | Reason::ModifiedAfterSigning
                | Reason::Revoked
        )
    });
    if failed {
        Conclusion::Failed
    } else if reasons.is_empty() {
        Conclusion::Passed
    } else {
        Conclusion::Indeterminate
    }
}

/// The two signed slices of a byte range, if it lies within the document.
fn signed_ranges(document: &[u8], byte_range: [usize; 4]) -> Option<[&[u8]; 2]> {
    let [first_start, first_len, second_start, second_len] = byte_range;
    let first = document.get(first_start..first_start.checked_add(first_len)?)?;
    let second = document.get(second_start..second_start.checked_add(second_len)?)?;
    Some([first, second])
}

fn identity(certificate: &Certificate) -> Option<SignerIdentity> {
    certificate.summary().ok().map(|summary| SignerIdentity {
        subject: summary.subject,
        issuer: summary.issuer,
        serial: summary.serial_hex,
    })
}

fn subject_name(certificate: &Certificate) -> String {
    certificate
        .summary()
        .map(|summary| summary.subject)
        .unwrap_or_else(|_| "a certificate".to_owned())
}

fn root_subject(path: &[Certificate]) -> String {
    path.last().map(subject_name).unwrap_or_default()
}

fn source_name(source: crypto::RevocationSource) -> &'static str {
    match source {
        crypto::RevocationSource::Ocsp => "OCSP",
        crypto::RevocationSource::Crl => "CRL",
    }
}

/// Parses a PDF date (ISO 32000-2 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year
/// optional.
pub(crate) fn parse_pdf_date(text: &str) -> Option<OffsetDateTime> {
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits = |range: std::ops::Range<usize>, default: u32| -> Option<u32> {
        match text.get(range) {
            Some(part) if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() => {
                part.parse().ok()
            }
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i32::try_from(digits(0..4, 0)?).ok()?;
    let month = time::Month::try_from(u8::try_from(digits(4..6, 1)?).ok()?).ok()?;
    let day = u8::try_from(digits(6..8, 1)?).ok()?;
    let hour = u8::try_from(digits(8..10, 0)?).ok()?;
    let minute = u8::try_from(digits(10..12, 0)?).ok()?;
    let second = u8::try_from(digits(12..14, 0)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let time_of_day = time::Time::from_hms(hour, minute, second).ok()?;
    let offset = match text.get(14..15) {
        Some(sign @ ("+" | "-")) => {
            let hours = i8::try_from(digits(15..17, 0)?).ok()?;
            let minutes = i8::try_from(
                text.get(18..20)
                    .and_then(|part| part.parse::<u8>().ok())
                    .unwrap_or(0),
            )
            .ok()?;
            let (hours, minutes) = if sign == "-" {
                (-hours, -minutes)
            } else {
                (hours, minutes)
            };
            time::UtcOffset::from_hms(hours, minutes, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, time_of_day).assume_offset(offset))
}

/// The benchmarks' PDF writer (not copied here), for the tests' small signed PDF.
#[cfg(test)]
#[expect(
    dead_code,
    reason = "the benchmarks' inputs module; the tests use only its text PDF"
)]
#[path = "../benches/common/inputs.rs"]
mod bench_inputs;

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    /// Small limits, as a fuzzer would use: a mutated file must not make validation allocate or
    /// decode much.
    const SMALL_LIMITS: pdf::Limits = pdf::Limits {
        max_file_bytes: 1024 * 1024,
        max_objects: 1_000,
        max_decompressed_bytes: 1024 * 1024,
        max_pages: 10,
    };

    fn certs_dev(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../certs-dev")
            .join(name)
    }

    /// The dev root, the only trust anchor.
    static ROOTS: LazyLock<Vec<Certificate>> = LazyLock::new(|| {
        Certificate::from_pem_bundle(&std::fs::read(certs_dev("root-ca.pem")).unwrap()).unwrap()
    });

    /// Offline validation with the dev root, the day after [`SIGNED`] was signed.
    fn offline() -> ValidationOptions<'static> {
        ValidationOptions {
            trust_roots: &ROOTS,
            revocation: RevocationMode::Offline,
            now: time::macros::datetime!(2026-03-16 09:00 UTC),
            password: None,
            limits: &SMALL_LIMITS,
        }
    }

    /// A two-page text PDF signed at B-B with the dev leader's RSA key, made once.
    static SIGNED: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let signer = crypto::SoftwareSigner::from_pkcs12(
            &std::fs::read(certs_dev("leader-rsa.p12")).unwrap(),
            "vanthu-dev",
            crypto::SignaturePreference::sha256(),
        )
        .unwrap();
        // Never used at B-B: no TSA and no OCSP are asked.
        let transport = crate::HttpTransport::new(std::time::Duration::from_secs(1));
        let options = crate::SignOptions {
            level: crate::Level::BB,
            field: pdf::FieldTarget::New(pdf::FieldSpec {
                name: "Sig".to_owned(),
                kind: pdf::FieldKind::Signature,
                page: 1,
                rect: None,
            }),
            appearance: None,
            signing_time: time::macros::datetime!(2026-03-15 09:00 +07:00),
            name: None,
            reason: None,
            location: None,
            trust_roots: &ROOTS,
            timestamp: None,
            ocsp_url: None,
            crls: &[],
            transport: &transport,
            document_password: None,
            limits: &SMALL_LIMITS,
        };
        crate::sign(&super::bench_inputs::text_pdf(2, 3), &signer, &options).unwrap()
    });

    /// One change to a file's bytes.
    #[derive(Clone, Debug)]
    enum Mutation {
        /// XOR of one byte with a non-zero mask.
        Flip(Index, u8),
        /// The file cut at a position.
        Truncate(Index),
        /// Bytes inserted at a position.
        Insert(Index, Vec<u8>),
        /// Up to 64 bytes removed from a position.
        Delete(Index, usize),
    }

    impl Mutation {
        fn apply(&self, bytes: &mut Vec<u8>) {
            let position = |index: &Index, len: usize| index.index(len.max(1)).min(len);
            match self {
                Mutation::Flip(at, mask) => {
                    let at = position(at, bytes.len());
                    if let Some(byte) = bytes.get_mut(at) {
                        *byte ^= mask;
                    }
                }
                Mutation::Truncate(at) => bytes.truncate(position(at, bytes.len())),
                Mutation::Insert(at, inserted) => {
                    let at = position(at, bytes.len());
                    bytes.splice(at..at, inserted.iter().copied());
                }
                Mutation::Delete(at, len) => {
                    let at = position(at, bytes.len());
                    let end = at.saturating_add(*len).min(bytes.len());
                    bytes.drain(at..end);
                }
            }
        }
    }

    /// Bytes that matter to a PDF parser more than random ones do.
    fn inserted_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 1..16),
            prop::sample::select(vec![
                b"<<".to_vec(),
                b">>".to_vec(),
                b"[".to_vec(),
                b"]".to_vec(),
                b" 0 R".to_vec(),
                b"endobj".to_vec(),
                b"stream\n".to_vec(),
                b"%%EOF\n".to_vec(),
                b"/ByteRange [0 1 2 3]".to_vec(),
                b"9999999999".to_vec(),
                b"(".to_vec(),
            ]),
        ]
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            4 => (any::<Index>(), 1..=u8::MAX).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
            1 => any::<Index>().prop_map(Mutation::Truncate),
            2 => (any::<Index>(), inserted_bytes()).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
            1 => (any::<Index>(), 1..64_usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Hostile input: whatever is done to a signed file, validation answers (a report or an
        /// error) instead of panicking.
        #[test]
        fn validation_of_a_mutated_signed_pdf_never_panics(
            mutations in prop::collection::vec(mutation(), 1..4),
        ) {
            let mut bytes = SIGNED.clone();
            for mutation in &mutations {
                mutation.apply(&mut bytes);
            }
            // Ok or Err both fine: reaching here without a panic is the property.
            let _ = validate(&bytes, &offline());
        }
    }

    #[test]
    fn the_pool_adds_only_the_dss_certificates_the_signature_does_not_carry() {
        let one = |name: &str| {
            Certificate::from_pem_bundle(&std::fs::read(certs_dev(name)).unwrap())
                .unwrap()
                .remove(0)
        };
        let leader = one("leader-rsa.pem");
        let intermediate = one("intermediate-ca.pem");
        let root = one("root-ca.pem");
        let dss = pdf::DssContents {
            certificates: vec![
                intermediate.as_der().to_vec(),
                b"not a certificate".to_vec(),
                leader.as_der().to_vec(),
                root.as_der().to_vec(),
                root.as_der().to_vec(),
            ],
            ..pdf::DssContents::default()
        };
        let options = offline();
        let context = Context {
            document: b"",
            options: &options,
            dss: &dss,
            dss_certificates: dss.certificates.iter().map(|_| OnceCell::new()).collect(),
            fetched: Default::default(),
            requests: Default::default(),
        };
        let pool = context.pool(std::slice::from_ref(&leader));
        assert_eq!(pool, [leader.clone(), intermediate.clone(), root.clone()]);
        // Carried certificates were never parsed from the DSS; the unreadable one was tried once.
        let parsed: Vec<bool> = context
            .dss_certificates
            .iter()
            .map(|cell| cell.get().is_some())
            .collect();
        assert_eq!(parsed, [true, true, false, true, false]);
        assert_eq!(
            context.pool(&[]),
            [intermediate.clone(), leader.clone(), root.clone()]
        );
    }

    #[test]
    fn the_unmutated_signed_pdf_validates_to_try_later_offline() {
        let report = validate(&SIGNED, &offline()).unwrap();
        assert_eq!(report.conclusion, Conclusion::Indeterminate, "{report:#?}");
        assert_eq!(report.signatures.len(), 1);
        assert_eq!(report.signatures[0].reasons, vec![Reason::TryLater]);
        assert_eq!(report.signatures[0].integrity.ok, Some(true));
        assert_eq!(report.signatures[0].chain.ok, Some(true));
    }

    #[test]
    fn pdf_dates_parse_with_and_without_offsets() {
        let check = |text: &str, expected: &str| {
            let parsed = parse_pdf_date(text).map(rfc3339);
            assert_eq!(parsed.as_deref(), Some(expected), "{text}");
        };
        check("D:20260315090000+07'00'", "2026-03-15T09:00:00+07:00");
        check("D:20240110", "2024-01-10T00:00:00Z");
        check("D:20240110023015Z", "2024-01-10T02:30:15Z");
        check("D:20240110023015-05'30", "2024-01-10T02:30:15-05:30");
        assert_eq!(parse_pdf_date("D:2024xx"), None);
        assert_eq!(parse_pdf_date("D:20241301"), None);
    }

    #[test]
    fn conclusions_follow_the_etsi_split() {
        assert_eq!(conclude(&[]), Conclusion::Passed);
        assert_eq!(conclude(&[Reason::TryLater]), Conclusion::Indeterminate);
        assert_eq!(
            conclude(&[Reason::TryLater, Reason::HashFailure]),
            Conclusion::Failed
        );
        assert_eq!(
            conclude(&[Reason::ModifiedAfterSigning]),
            Conclusion::Failed
        );
    }

    #[test]
    fn byte_ranges_outside_the_document_are_refused() {
        let document = b"0123456789";
        assert!(signed_ranges(document, [0, 2, 4, 6]).is_some());
        assert!(signed_ranges(document, [0, 2, 4, 7]).is_none());
        assert!(signed_ranges(document, [0, usize::MAX, 4, 1]).is_none());
    }
}
