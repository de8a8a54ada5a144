//! The signature log (nhật ký chữ ký): one row per signature or document timestamp that Vanthu made
//! or checked, kept for auditors.
//!
//! Like the audit trail, the log is append-only: there is an [`insert`] and there are reads, and no
//! update or delete. A row is self-contained (the certificate is stored with it), so an export or a
//! later audit does not depend on the document still being readable.

use domain::ids::{DocumentId, OrganizationId};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use time::{OffsetDateTime, UtcOffset};

use crate::entities::signature_log;
use crate::{Conn, Error, Tx};

/// Why a row was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Vanthu made the signature (its own signing use cases).
    Made,
    /// Vanthu checked a signature it found in a document (intake, re-validation).
    Checked,
}

impl Origin {
    /// The stored code: `made` or `checked`.
    pub fn code(self) -> &'static str {
        match self {
            Origin::Made => "made",
            Origin::Checked => "checked",
        }
    }

    fn parse(code: &str) -> Option<Origin> {
        match code {
            "made" => Some(Origin::Made),
            "checked" => Some(Origin::Checked),
            _ => None,
        }
    }
}

/// A row to insert.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    /// The organisation whose document or signing it is.
    pub organization_id: OrganizationId,
    /// The document, when the signature belongs to a stored one.
    pub document_id: Option<DocumentId>,
    /// SHA-256 (hex) of the file that carries the signature.
    pub blob_sha256: &'a str,
    /// The signature field's name.
    pub field: &'a str,
    /// Whether this is a document timestamp rather than a signature.
    pub is_document_timestamp: bool,
    /// The signer's subject (RFC 4514), when known.
    pub signer_subject: Option<&'a str>,
    /// The signer certificate's issuer.
    pub signer_issuer: Option<&'a str>,
    /// The signer certificate's serial number, hex.
    pub signer_serial: Option<&'a str>,
    /// The signer certificate, base64 of its DER.
    pub certificate: Option<&'a str>,
    /// The other certificates of the signature, base64 DER each, separated by commas.
    pub chain: Option<&'a str>,
    /// The claimed signing time.
    pub signing_time: Option<OffsetDateTime>,
    /// The time attested by the signature's timestamp (or the document timestamp's own).
    pub timestamp_time: Option<OffsetDateTime>,
    /// The signature algorithm, e.g. `rsa-pkcs1v15-sha256`.
    pub algorithm: Option<&'a str>,
    /// The PAdES level reached (`B-B` … `B-LTA`).
    pub level: Option<&'a str>,
    /// The revocation evidence: a summary, then the base64 of the OCSP response or CRL used.
    pub revocation: Option<&'a str>,
    /// `PASSED`, `INDETERMINATE` or `FAILED`.
    pub conclusion: &'a str,
    /// The reason codes, comma-separated (empty when passed).
    pub reasons: &'a str,
    /// When it was made or checked.
    pub checked_at: OffsetDateTime,
    /// The username that made or checked it, or `system`.
    pub checked_by: &'a str,
    /// Made or checked.
    pub origin: Origin,
}

/// A stored row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its id; ids grow with insertion order.
    pub id: i64,
    /// The organisation.
    pub organization_id: OrganizationId,
    /// The document, if any.
    pub document_id: Option<DocumentId>,
    /// SHA-256 (hex) of the file.
    pub blob_sha256: String,
    /// The field name.
    pub field: String,
    /// Whether it is a document timestamp.
    pub is_document_timestamp: bool,
    /// The signer's subject.
    pub signer_subject: Option<String>,
    /// The issuer of the signer's certificate.
    pub signer_issuer: Option<String>,
    /// The serial number, hex.
    pub signer_serial: Option<String>,
    /// The signer certificate, base64 DER.
    pub certificate: Option<String>,
    /// The other certificates, base64 DER, comma-separated.
    pub chain: Option<String>,
    /// The claimed signing time.
    pub signing_time: Option<OffsetDateTime>,
    /// The timestamp's time.
    pub timestamp_time: Option<OffsetDateTime>,
    /// The signature algorithm.
    pub algorithm: Option<String>,
    /// The PAdES level.
    pub level: Option<String>,
    /// The revocation evidence.
    pub revocation: Option<String>,
    /// The conclusion code.
    pub conclusion: String,
    /// The reason codes, comma-separated.
    pub reasons: String,
    /// When it was made or checked.
    pub checked_at: OffsetDateTime,
    /// Who made or checked it.
    pub checked_by: String,
    /// Made or checked.
    pub origin: Origin,
}

/// Which rows to list.
#[derive(Clone, Debug)]
pub struct Filter<'a> {
    /// The organisation (always required: rows never cross organisations).
    pub organization: OrganizationId,
    /// Rows checked at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Rows checked strictly before this instant.
    pub until: Option<OffsetDateTime>,
    /// Rows whose signer subject or serial contains this text, ignoring case.
    pub signer: Option<&'a str>,
}

/// Appends a row; returns its id.
///
/// Times are stored in UTC: SQLite keeps them as text, and only one offset makes the text order
/// the time order that [`list`]'s range filter relies on.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert(tx: &Tx, entry: NewEntry<'_>) -> Result<i64, Error> {
    let owned = |text: Option<&str>| text.map(str::to_owned);
    let result = signature_log::Entity::insert(signature_log::ActiveModel {
        id: NotSet,
        organization_id: Set(entry.organization_id.get()),
        document_id: Set(entry.document_id.map(DocumentId::get)),
        blob_sha256: Set(entry.blob_sha256.to_owned()),
        field: Set(entry.field.to_owned()),
        is_document_timestamp: Set(entry.is_document_timestamp),
        signer_subject: Set(owned(entry.signer_subject)),
        signer_issuer: Set(owned(entry.signer_issuer)),
        signer_serial: Set(owned(entry.signer_serial)),
        certificate: Set(owned(entry.certificate)),
        chain: Set(owned(entry.chain)),
        signing_time: Set(entry.signing_time.map(utc)),
        timestamp_time: Set(entry.timestamp_time.map(utc)),
        algorithm: Set(owned(entry.algorithm)),
        level: Set(owned(entry.level)),
        revocation: Set(owned(entry.revocation)),
        conclusion: Set(entry.conclusion.to_owned()),
        reasons: Set(entry.reasons.to_owned()),
        checked_at: Set(utc(entry.checked_at)),
        checked_by: Set(entry.checked_by.to_owned()),
        origin: Set(entry.origin.code().to_owned()),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// The rows matching `filter`, oldest first (by check time, then insertion order).
///
/// The signer filter is applied here after the database has selected by organisation and time: a
/// case-insensitive substring match that behaves the same on both backends and for Vietnamese
/// letters (SQL `LIKE` and `lower` differ between SQLite and PostgreSQL outside ASCII).
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn list(conn: &impl Conn, filter: &Filter<'_>) -> Result<Vec<Entry>, Error> {
    let mut query = signature_log::Entity::find()
        .filter(signature_log::Column::OrganizationId.eq(filter.organization.get()));
    if let Some(from) = filter.from {
        query = query.filter(signature_log::Column::CheckedAt.gte(utc(from)));
    }
    if let Some(until) = filter.until {
        query = query.filter(signature_log::Column::CheckedAt.lt(utc(until)));
    }
    let rows = query
        .order_by_asc(signature_log::Column::CheckedAt)
        .order_by_asc(signature_log::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let needle = filter.signer.map(str::to_lowercase);
    let matches = |row: &signature_log::Model| match &needle {
        None => true,
        Some(needle) => [&row.signer_subject, &row.signer_serial]
            .into_iter()
            .flatten()
            .any(|text| text.to_lowercase().contains(needle.as_str())),
    };
    rows.into_iter().filter(matches).map(from_row).collect()
}

/// The latest row of each signature field of `document`, in the order the fields were logged.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn latest_for_document(
    conn: &impl Conn,
    document: DocumentId,
) -> Result<Vec<Entry>, Error> {
    let rows = signature_log::Entity::find()
        .filter(signature_log::Column::DocumentId.eq(document.get()))
        .order_by_desc(signature_log::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let mut seen = std::collections::HashSet::new();
    let mut latest: Vec<signature_log::Model> = rows
        .into_iter()
        .filter(|row| seen.insert(row.field.clone()))
        .collect();
    latest.sort_by_key(|row| row.id);
    latest.into_iter().map(from_row).collect()
}

/// The same instant in UTC.
fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC)
}

fn from_row(row: signature_log::Model) -> Result<Entry, Error> {
    let origin = Origin::parse(&row.origin)
        .ok_or_else(|| Error::corrupt("signature_log.origin", row.origin.clone()))?;
    Ok(Entry {
        id: row.id,
        organization_id: OrganizationId(row.organization_id),
        document_id: row.document_id.map(DocumentId),
        blob_sha256: row.blob_sha256,
        field: row.field,
        is_document_timestamp: row.is_document_timestamp,
        signer_subject: row.signer_subject,
        signer_issuer: row.signer_issuer,
        signer_serial: row.signer_serial,
        certificate: row.certificate,
        chain: row.chain,
        signing_time: row.signing_time,
        timestamp_time: row.timestamp_time,
        algorithm: row.algorithm,
        level: row.level,
        revocation: row.revocation,
        conclusion: row.conclusion,
        reasons: row.reasons,
        checked_at: row.checked_at,
        checked_by: row.checked_by,
        origin,
    })
}
