//! The text extracted from each document's PDF (see `app::extraction`), kept so that the search
//! index can be rebuilt from the database without extracting again.

use domain::ids::DocumentId;
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder, sea_query::OnConflict};
use time::{OffsetDateTime, UtcOffset};

use crate::entities::document_texts;
use crate::{Conn, Error, Tx};

/// A document's extracted text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentText {
    /// The document.
    pub document_id: DocumentId,
    /// The text, NFC-normalised (empty when none could be extracted).
    pub text: String,
    /// How it was obtained: `pdftotext`, or `none`.
    pub method: String,
    /// Whether the text layer is missing or unusable, so that OCR should provide the text.
    pub needs_ocr: bool,
    /// When it was extracted.
    pub extracted_at: OffsetDateTime,
}

/// Stores a document's text, replacing any previous one.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn upsert(tx: &Tx, text: &DocumentText) -> Result<(), Error> {
    document_texts::Entity::insert(document_texts::ActiveModel {
        document_id: Set(text.document_id.get()),
        text: Set(text.text.clone()),
        method: Set(text.method.clone()),
        needs_ocr: Set(text.needs_ocr),
        extracted_at: Set(text.extracted_at.to_offset(UtcOffset::UTC)),
    })
    .on_conflict(
        OnConflict::column(document_texts::Column::DocumentId)
            .update_columns([
                document_texts::Column::Text,
                document_texts::Column::Method,
                document_texts::Column::NeedsOcr,
                document_texts::Column::ExtractedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// The stored text of `document`, if any.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn get(conn: &impl Conn, document: DocumentId) -> Result<Option<DocumentText>, Error> {
    let row = document_texts::Entity::find_by_id(document.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row.map(from_row))
}

/// Every stored text, by document id (for rebuilding the search index).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn list(conn: &impl Conn) -> Result<Vec<DocumentText>, Error> {
    let rows = document_texts::Entity::find()
        .order_by_asc(document_texts::Column::DocumentId)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows.into_iter().map(from_row).collect())
}

fn from_row(row: document_texts::Model) -> DocumentText {
    DocumentText {
        document_id: DocumentId(row.document_id),
        text: row.text,
        method: row.method,
        needs_ocr: row.needs_ocr,
        extracted_at: row.extracted_at,
    }
}
