//! The signature log (nhật ký chữ ký): checking the signatures of received and stored documents and
//! recording one row per signature, for auditors.
//!
//! A check runs `pades::validate` in `spawn_blocking`, before any write transaction (it parses the
//! file, verifies signatures and, when allowed, asks OCSP responders), and its rows are then inserted
//! in the transaction of the change that caused it, with the audit event. Intake checks offline, from
//! what the document carries; re-validating a stored document may go online when
//! `validation.online_revocation` is set.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use domain::audit::AuditAction;
use domain::calendar::rfc3339;
use domain::ids::{DocumentId, OrganizationId};
use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::{Actor, App, Error, OperationId, Permission, blocking};

/// What a check concluded about one signature, as intake reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureSummary {
    /// The signature field's name.
    pub field: String,
    /// Whether it is a document timestamp rather than a signature.
    pub is_document_timestamp: bool,
    /// The signer's subject, when the certificate could be read.
    pub signer_subject: Option<String>,
    /// `PASSED`, `INDETERMINATE` or `FAILED`.
    pub conclusion: String,
    /// Why it did not pass (codes such as `NO_CERTIFICATE_CHAIN_FOUND`); empty when passed.
    pub reasons: Vec<String>,
}

/// One row of the signature log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRecord {
    /// The row id; ids grow with time.
    pub id: i64,
    /// The document, when the signature belongs to a stored one.
    pub document_id: Option<DocumentId>,
    /// SHA-256 (hex) of the file that carries the signature.
    pub blob_sha256: String,
    /// The signature field's name.
    pub field: String,
    /// Whether it is a document timestamp.
    pub is_document_timestamp: bool,
    /// The signer's subject (RFC 4514).
    pub signer_subject: Option<String>,
    /// The issuer of the signer's certificate.
    pub signer_issuer: Option<String>,
    /// The certificate's serial number, hex.
    pub signer_serial: Option<String>,
    /// The signer's certificate, base64 DER.
    pub certificate: Option<String>,
    /// The other certificates the signature carries, base64 DER each.
    pub chain: Vec<String>,
    /// The claimed signing time.
    pub signing_time: Option<OffsetDateTime>,
    /// The time its timestamp attests.
    pub timestamp_time: Option<OffsetDateTime>,
    /// The signature algorithm, e.g. `rsa-pkcs1v15-sha256`.
    pub algorithm: Option<String>,
    /// The PAdES level reached.
    pub level: Option<String>,
    /// The revocation check: `passed`, `failed` or `undetermined`, then what was found.
    pub revocation: Option<String>,
    /// The OCSP response or CRL in the document that speaks for the signer's certificate, as
    /// `ocsp:BASE64` or `crl:BASE64` of its DER.
    pub revocation_evidence: Option<String>,
    /// `PASSED`, `INDETERMINATE` or `FAILED`.
    pub conclusion: String,
    /// The reason codes.
    pub reasons: Vec<String>,
    /// When it was checked (or made).
    pub checked_at: OffsetDateTime,
    /// Who checked it: a username or `system`.
    pub checked_by: String,
    /// `made` (Vanthu signed) or `checked` (Vanthu validated).
    pub origin: &'static str,
}

impl SignatureRecord {
    /// The short form intake returns.
    pub fn summary(&self) -> SignatureSummary {
        SignatureSummary {
            field: self.field.clone(),
            is_document_timestamp: self.is_document_timestamp,
            signer_subject: self.signer_subject.clone(),
            conclusion: self.conclusion.clone(),
            reasons: self.reasons.clone(),
        }
    }
}

/// The outcome of checking one file: one entry per signature and document timestamp.
#[derive(Debug)]
pub(crate) struct CheckedDocument {
    signatures: Vec<CheckedSignature>,
    conclusion: pades::Conclusion,
}

/// One checked signature, ready to be logged.
#[derive(Debug)]
struct CheckedSignature {
    field: String,
    is_document_timestamp: bool,
    signer: Option<pades::SignerIdentity>,
    certificate: Option<String>,
    chain: Option<String>,
    signing_time: Option<OffsetDateTime>,
    timestamp_time: Option<OffsetDateTime>,
    algorithm: Option<String>,
    level: Option<String>,
    revocation: String,
    conclusion: pades::Conclusion,
    reasons: Vec<pades::Reason>,
}

/// Whether a check may ask OCSP responders over the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RevocationSource {
    /// Only what the document carries.
    Offline,
    /// The document's data, then the responders (when the configuration allows it).
    OnlineWhenConfigured,
}

impl CheckedDocument {
    /// The summary that goes into the audit event's details.
    pub(crate) fn audit_summary(&self) -> serde_json::Value {
        serde_json::json!({
            "count": self.signatures.len(),
            "conclusion": (!self.signatures.is_empty()).then(|| self.conclusion.code()),
        })
    }

    /// The per-signature conclusions.
    pub(crate) fn summaries(&self) -> Vec<SignatureSummary> {
        self.signatures
            .iter()
            .map(|signature| SignatureSummary {
                field: signature.field.clone(),
                is_document_timestamp: signature.is_document_timestamp,
                signer_subject: signature
                    .signer
                    .as_ref()
                    .map(|signer| signer.subject.clone()),
                conclusion: signature.conclusion.code().to_owned(),
                reasons: signature
                    .reasons
                    .iter()
                    .map(|reason| reason.code().to_owned())
                    .collect(),
            })
            .collect()
    }
}

impl App {
    /// Validates every signature of `bytes` at `at`, off the executor and outside any transaction.
    ///
    /// # Errors
    /// The engine's error when the file cannot be read as a PDF at all.
    pub(crate) async fn check_signatures(
        &self,
        bytes: Arc<Vec<u8>>,
        at: OffsetDateTime,
        source: RevocationSource,
    ) -> Result<Result<CheckedDocument, pades::Error>, Error> {
        let roots = Arc::clone(&self.trust_roots);
        let online = source == RevocationSource::OnlineWhenConfigured
            && self.config.validation.online_revocation;
        let timeout = Duration::from_secs(self.config.validation.timeout_seconds);
        blocking(move || {
            let transport = pades::HttpTransport::new(timeout);
            let limits = pdf::Limits::untrusted_upload();
            let options = pades::ValidationOptions {
                trust_roots: &roots,
                revocation: if online {
                    pades::RevocationMode::Online {
                        transport: &transport,
                    }
                } else {
                    pades::RevocationMode::Offline
                },
                now: at,
                password: None,
                limits: &limits,
            };
            let report = pades::validate(&bytes, &options)?;
            // The embedded CMS of each field and the document security store, for the
            // certificates and the revocation evidence the report does not carry.
            let embedded = pdf::signatures(&bytes, &limits).unwrap_or_default();
            let store = pdf::dss(&bytes, &limits).unwrap_or_default();
            let store_certificates: Vec<crypto::Certificate> = store
                .certificates
                .iter()
                .filter_map(|der| crypto::Certificate::from_der(der).ok())
                .collect();
            // Both lists come from the same walk of the file, in the same order: match by position,
            // never by field name (names come from the file and may repeat).
            let signatures = report
                .signatures
                .into_iter()
                .enumerate()
                .map(|(index, signature)| {
                    let details = embedded
                        .get(index)
                        .filter(|found| found.field_name == signature.field)
                        .map(|found| cms_details(&found.contents, &store, &store_certificates))
                        .unwrap_or_default();
                    CheckedSignature {
                        revocation: revocation_text(&signature.revocation, details.evidence),
                        timestamp_time: signature.timestamp.as_ref().map(|stamp| stamp.time),
                        field: signature.field,
                        is_document_timestamp: signature.is_document_timestamp,
                        signer: signature.signer,
                        certificate: details.certificate,
                        chain: details.chain,
                        signing_time: signature.signing_time,
                        algorithm: details.algorithm,
                        level: signature.level,
                        conclusion: signature.conclusion,
                        reasons: signature.reasons,
                    }
                })
                .collect();
            Ok(CheckedDocument {
                signatures,
                conclusion: report.conclusion,
            })
        })
        .await
    }

    /// Inserts one `checked` row per signature of `checked` within `tx`.
    pub(crate) async fn log_signatures(
        &self,
        tx: &db::Tx,
        target: LogTarget<'_>,
        checked: &CheckedDocument,
    ) -> Result<(), Error> {
        for signature in &checked.signatures {
            let reasons: Vec<&str> = signature
                .reasons
                .iter()
                .map(|reason| reason.code())
                .collect();
            let signer = signature.signer.as_ref();
            db::signature_log::insert(
                tx,
                db::signature_log::NewEntry {
                    organization_id: target.organization_id,
                    document_id: Some(target.document_id),
                    blob_sha256: target.sha256,
                    field: &signature.field,
                    is_document_timestamp: signature.is_document_timestamp,
                    signer_subject: signer.map(|signer| signer.subject.as_str()),
                    signer_issuer: signer.map(|signer| signer.issuer.as_str()),
                    signer_serial: signer.map(|signer| signer.serial.as_str()),
                    certificate: signature.certificate.as_deref(),
                    chain: signature.chain.as_deref(),
                    signing_time: signature.signing_time,
                    timestamp_time: signature.timestamp_time,
                    algorithm: signature.algorithm.as_deref(),
                    level: signature.level.as_deref(),
                    revocation: Some(&signature.revocation),
                    conclusion: signature.conclusion.code(),
                    reasons: &reasons.join(","),
                    checked_at: target.checked_at,
                    checked_by: target.checked_by,
                    origin: db::signature_log::Origin::Checked,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Validates a stored document's signatures again, logs one row per signature and audits it;
    /// returns the rows just logged.
    ///
    /// # Errors
    /// `Forbidden` for roles that do not validate; `NotFound` when the document does not exist or
    /// the actor may not see it; `Integrity` when the stored file fails its hash; `NotPdf` when the
    /// engine cannot read the file at all.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn validate_document(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<Vec<SignatureRecord>, Error> {
        actor.require(Permission::ValidateSignatures)?;
        let document = self.visible_document(actor, id).await?;
        let blob_id = storage::BlobId::parse(&document.blob_sha256)?;
        let blobs = Arc::clone(&self.blobs);
        let bytes = Arc::new(blocking(move || blobs.get(&blob_id)).await??);
        let now = self.clock.now();
        let checked = self
            .check_signatures(bytes, now, RevocationSource::OnlineWhenConfigured)
            .await?
            .map_err(|error| {
                tracing::warn!(%error, "the stored document could not be validated");
                Error::NotPdf {
                    reason: error.to_string(),
                    code: "document.corrupt_pdf",
                }
            })?;

        let tx = self.db.begin_write().await?;
        self.log_signatures(
            &tx,
            LogTarget {
                organization_id: document.organization_id,
                document_id: id,
                sha256: &document.blob_sha256,
                checked_at: now,
                checked_by: actor.username.as_str(),
            },
            &checked,
        )
        .await?;
        let mut details = checked.audit_summary();
        details["sha256"] = serde_json::Value::from(document.blob_sha256.clone());
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::SignatureValidated,
                target: &format!("document:{id}"),
                details,
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            signatures = checked.signatures.len(),
            conclusion = checked.conclusion.code(),
            "signatures validated"
        );
        let rows = db::signature_log::latest_for_document(&self.db, id).await?;
        Ok(rows.into_iter().map(record_from).collect())
    }

    /// The latest logged check of each signature of a document, in file order.
    ///
    /// # Errors
    /// `Forbidden` for roles that read no documents; `NotFound` when the document does not exist or
    /// the actor may not see it.
    pub async fn document_signatures(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<Vec<SignatureRecord>, Error> {
        actor.require(Permission::ViewSignatures)?;
        self.visible_document(actor, id).await?;
        let rows = db::signature_log::latest_for_document(&self.db, id).await?;
        Ok(rows.into_iter().map(record_from).collect())
    }

    /// The document, when it exists and the actor may see it; `NotFound` otherwise.
    async fn visible_document(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<db::documents::IncomingDocument, Error> {
        match db::documents::find_incoming(&self.db, id).await? {
            Some(document) if actor.can_see(document.organization_id, document.secrecy) => {
                Ok(document)
            }
            _ => Err(Error::NotFound { what: "document" }),
        }
    }
}

/// Where and by whom checked signatures are logged.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LogTarget<'a> {
    pub(crate) organization_id: OrganizationId,
    pub(crate) document_id: DocumentId,
    pub(crate) sha256: &'a str,
    pub(crate) checked_at: OffsetDateTime,
    pub(crate) checked_by: &'a str,
}

/// Maps a stored row to the record use cases return.
pub(crate) fn record_from(entry: db::signature_log::Entry) -> SignatureRecord {
    let split = |text: &str| -> Vec<String> {
        text.split(',')
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    };
    SignatureRecord {
        id: entry.id,
        document_id: entry.document_id,
        blob_sha256: entry.blob_sha256,
        field: entry.field,
        is_document_timestamp: entry.is_document_timestamp,
        signer_subject: entry.signer_subject,
        signer_issuer: entry.signer_issuer,
        signer_serial: entry.signer_serial,
        certificate: entry.certificate,
        chain: entry.chain.as_deref().map(split).unwrap_or_default(),
        signing_time: entry.signing_time,
        timestamp_time: entry.timestamp_time,
        algorithm: entry.algorithm,
        level: entry.level,
        revocation_evidence: entry
            .revocation
            .as_deref()
            .and_then(|text| text.split_once('\n'))
            .map(|(_, evidence)| evidence.to_owned()),
        revocation: entry
            .revocation
            .map(|text| text.lines().next().unwrap_or_default().to_owned()),
        reasons: split(&entry.reasons),
        conclusion: entry.conclusion,
        checked_at: entry.checked_at,
        checked_by: entry.checked_by,
        origin: entry.origin.code(),
    }
}

/// What the signature's CMS and the document's security store say beyond the report.
#[derive(Debug, Default)]
struct CmsDetails {
    certificate: Option<String>,
    chain: Option<String>,
    algorithm: Option<String>,
    evidence: Option<Evidence>,
}

/// The OCSP response or CRL that speaks for a signer's certificate.
#[derive(Debug)]
struct Evidence {
    found: crypto::RevocationEvidence,
    der: Vec<u8>,
}

/// Reads the certificates and the algorithm out of a signature's CMS (base64 DER each; the chain
/// comma-separated), and finds the revocation evidence for the signer in the document's security
/// store. A CMS that does not parse yields nothing: the report already says why.
fn cms_details(
    contents: &[u8],
    store: &pdf::DssContents,
    store_certificates: &[crypto::Certificate],
) -> CmsDetails {
    let Ok(cms) = crypto::parse_cms(contents) else {
        return CmsDetails::default();
    };
    let signer = cms.signer_certificate();
    let others: Vec<String> = cms
        .certificates()
        .iter()
        .filter(|certificate| Some(*certificate) != signer)
        .map(|certificate| BASE64.encode(certificate.as_der()))
        .collect();
    let evidence = signer.and_then(|signer| {
        let issuer = cms
            .certificates()
            .iter()
            .chain(store_certificates)
            .find(|candidate| signer.is_issued_by(candidate))?;
        evidence_for(signer, issuer, store)
    });
    CmsDetails {
        certificate: signer.map(|certificate| BASE64.encode(certificate.as_der())),
        chain: (!others.is_empty()).then(|| others.join(",")),
        algorithm: Some(algorithm_name(cms.signature_algorithm())),
        evidence,
    }
}

/// The first OCSP response, else the first CRL, of the store that verifies and names `signer`.
fn evidence_for(
    signer: &crypto::Certificate,
    issuer: &crypto::Certificate,
    store: &pdf::DssContents,
) -> Option<Evidence> {
    let ocsp = store.ocsp_responses.iter().find_map(|der| {
        crypto::ocsp_evidence(der, signer, issuer)
            .ok()
            .map(|found| Evidence {
                found,
                der: der.clone(),
            })
    });
    ocsp.or_else(|| {
        store.crls.iter().find_map(|der| {
            crypto::crl_evidence(der, signer, issuer)
                .ok()
                .map(|found| Evidence {
                    found,
                    der: der.clone(),
                })
        })
    })
}

/// A signature algorithm as logged: `rsa-pkcs1v15-sha256`, `rsa-pss-sha384`, `ecdsa-sha256`.
fn algorithm_name(algorithm: crypto::SignatureAlgorithm) -> String {
    let (scheme, hash) = match algorithm {
        crypto::SignatureAlgorithm::RsaPkcs1v15(hash) => ("rsa-pkcs1v15", hash),
        crypto::SignatureAlgorithm::RsaPss(hash) => ("rsa-pss", hash),
        crypto::SignatureAlgorithm::Ecdsa(hash) => ("ecdsa", hash),
    };
    format!("{scheme}-{}", hash.name())
}

/// The revocation check as stored: a first line with its state and what was found (and the
/// evidence's status and time), then, when the document carries it, a second line `ocsp:BASE64` or
/// `crl:BASE64` with the DER of the response or list.
fn revocation_text(check: &pades::Check, evidence: Option<Evidence>) -> String {
    let state = match check.ok {
        Some(true) => "passed",
        Some(false) => "failed",
        None => "undetermined",
    };
    let detail = check.detail.replace(['\r', '\n'], " ");
    let Some(evidence) = evidence else {
        return format!("{state}: {detail}");
    };
    let source = match evidence.found.source {
        crypto::RevocationSource::Ocsp => "ocsp",
        crypto::RevocationSource::Crl => "crl",
    };
    let status = match evidence.found.status {
        crypto::RevocationStatus::Good => "good".to_owned(),
        crypto::RevocationStatus::Revoked { at } => format!("revoked at {}", rfc3339(at)),
        crypto::RevocationStatus::Unknown => "unknown".to_owned(),
    };
    format!(
        "{state}: {detail} [{source} {status}, this update {}]\n{source}:{}",
        rfc3339(evidence.found.this_update),
        BASE64.encode(&evidence.der)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocation_text_names_the_state_first() {
        let check = |ok, expected: &str| {
            let text = revocation_text(
                &pades::Check {
                    ok,
                    detail: "OCSP from the DSS".to_owned(),
                },
                None,
            );
            assert_eq!(text, expected);
        };
        check(Some(true), "passed: OCSP from the DSS");
        check(Some(false), "failed: OCSP from the DSS");
        check(None, "undetermined: OCSP from the DSS");
    }

    #[test]
    fn a_stored_row_splits_its_reasons_chain_and_evidence() {
        let entry = db::signature_log::Entry {
            id: 7,
            organization_id: OrganizationId(1),
            document_id: Some(DocumentId(3)),
            blob_sha256: "ab".repeat(32),
            field: "Signature1".to_owned(),
            is_document_timestamp: false,
            signer_subject: Some("CN=Nguyễn Văn An".to_owned()),
            signer_issuer: None,
            signer_serial: None,
            certificate: Some("MIIB".to_owned()),
            chain: Some("MIIC,MIID".to_owned()),
            signing_time: None,
            timestamp_time: None,
            algorithm: None,
            level: Some("B-LT".to_owned()),
            revocation: Some("passed: good [ocsp good, this update X]\nocsp:MIIE".to_owned()),
            conclusion: "INDETERMINATE".to_owned(),
            reasons: "TRY_LATER,NO_CERTIFICATE_CHAIN_FOUND".to_owned(),
            checked_at: time::macros::datetime!(2026-03-15 09:00 +07:00),
            checked_by: "vanthu".to_owned(),
            origin: db::signature_log::Origin::Checked,
        };
        let record = record_from(entry);
        assert_eq!(record.chain, ["MIIC", "MIID"]);
        assert_eq!(record.reasons, ["TRY_LATER", "NO_CERTIFICATE_CHAIN_FOUND"]);
        assert_eq!(
            record.revocation.as_deref(),
            Some("passed: good [ocsp good, this update X]")
        );
        assert_eq!(record.revocation_evidence.as_deref(), Some("ocsp:MIIE"));
        assert_eq!(record.origin, "checked");
        assert_eq!(record.summary().reasons.len(), 2);
    }
}
