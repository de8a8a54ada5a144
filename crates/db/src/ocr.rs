//! The OCR derivative of documents whose text layer is missing or unusable (see `app::ocr`): a
//! queue (`pending` → `running` → `done` or `failed`) and, once done, the recognised text with its
//! provenance. A row is never the original: the stored file and its `document_texts` row are left
//! as they were.

use domain::ids::DocumentId;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr, sea_query::OnConflict, sea_query::Query,
};
use time::{OffsetDateTime, UtcOffset};

use crate::entities::{document_ocr, document_texts, documents};
use crate::{Conn, Error, Tx};

/// Where a document stands in the OCR queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OcrStatus {
    /// Waiting for the worker.
    Pending,
    /// Taken by a worker.
    Running,
    /// Recognised; the text is stored.
    Done,
    /// The last run failed; the error is stored.
    Failed,
}

impl OcrStatus {
    /// Every status, in queue order.
    pub const ALL: [OcrStatus; 4] = [
        OcrStatus::Pending,
        OcrStatus::Running,
        OcrStatus::Done,
        OcrStatus::Failed,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            OcrStatus::Pending => "pending",
            OcrStatus::Running => "running",
            OcrStatus::Done => "done",
            OcrStatus::Failed => "failed",
        }
    }

    fn parse(code: &str) -> Result<OcrStatus, Error> {
        OcrStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| Error::CorruptRow {
                column: "document_ocr.status",
                value: code.to_owned(),
            })
    }
}

/// One document's OCR row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcrRecord {
    /// The document.
    pub document_id: DocumentId,
    /// Where it stands.
    pub status: OcrStatus,
    /// The recognised text, NFC (empty until done).
    pub text: String,
    /// The engine that ran, e.g. `tesseract 5.3.0 (vie)` (empty until a run).
    pub engine: String,
    /// How many pages were recognised.
    pub pages: i32,
    /// How many runs were started.
    pub attempts: i32,
    /// Why the last run failed.
    pub error: Option<String>,
    /// When OCR was requested.
    pub requested_at: OffsetDateTime,
    /// When the last run started.
    pub started_at: Option<OffsetDateTime>,
    /// When the last run ended.
    pub finished_at: Option<OffsetDateTime>,
}

/// The outcome of one run, stored by [`finish`].
#[derive(Clone, Debug)]
pub struct OcrOutcome<'a> {
    /// `Ok(text)` when recognised, `Err(reason)` when the run failed.
    pub result: Result<&'a str, &'a str>,
    /// The engine that ran.
    pub engine: &'a str,
    /// How many pages were recognised.
    pub pages: i32,
    /// When the run ended.
    pub finished_at: OffsetDateTime,
}

/// The longest error message kept (the column's size).
const MAX_ERROR_CHARS: usize = 500;

/// Puts `document` in the queue (again, when it was already there: a new request resets it).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn enqueue(tx: &Tx, document: DocumentId, now: OffsetDateTime) -> Result<(), Error> {
    document_ocr::Entity::insert(document_ocr::ActiveModel {
        document_id: Set(document.get()),
        status: Set(OcrStatus::Pending.code().to_owned()),
        text: Set(String::new()),
        engine: Set(String::new()),
        pages: Set(0),
        attempts: Set(0),
        error: Set(None),
        requested_at: Set(now.to_offset(UtcOffset::UTC)),
        started_at: Set(None),
        finished_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(document_ocr::Column::DocumentId)
            .update_columns([
                document_ocr::Column::Status,
                document_ocr::Column::Error,
                document_ocr::Column::RequestedAt,
                document_ocr::Column::StartedAt,
                document_ocr::Column::FinishedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// Takes the oldest pending document (marks it running, counts the attempt) and returns it.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn claim_next(tx: &Tx, now: OffsetDateTime) -> Result<Option<DocumentId>, Error> {
    let next = document_ocr::Entity::find()
        .filter(document_ocr::Column::Status.eq(OcrStatus::Pending.code()))
        .order_by_asc(document_ocr::Column::RequestedAt)
        .order_by_asc(document_ocr::Column::DocumentId)
        .one(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    let Some(next) = next else {
        return Ok(None);
    };
    document_ocr::Entity::update_many()
        .col_expr(
            document_ocr::Column::Status,
            Expr::value(OcrStatus::Running.code()),
        )
        .col_expr(
            document_ocr::Column::StartedAt,
            Expr::value(now.to_offset(UtcOffset::UTC)),
        )
        .col_expr(
            document_ocr::Column::Attempts,
            Expr::value(next.attempts.saturating_add(1)),
        )
        .filter(document_ocr::Column::DocumentId.eq(next.document_id))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(Some(DocumentId(next.document_id)))
}

/// Stores the outcome of a run of `document`.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn finish(tx: &Tx, document: DocumentId, outcome: &OcrOutcome<'_>) -> Result<(), Error> {
    let (status, text, error) = match outcome.result {
        Ok(text) => (OcrStatus::Done, text.to_owned(), None),
        Err(reason) => (
            OcrStatus::Failed,
            String::new(),
            Some(reason.chars().take(MAX_ERROR_CHARS).collect::<String>()),
        ),
    };
    document_ocr::Entity::update_many()
        .col_expr(document_ocr::Column::Status, Expr::value(status.code()))
        .col_expr(document_ocr::Column::Text, Expr::value(text))
        .col_expr(document_ocr::Column::Error, Expr::value(error))
        .col_expr(
            document_ocr::Column::Engine,
            Expr::value(outcome.engine.to_owned()),
        )
        .col_expr(document_ocr::Column::Pages, Expr::value(outcome.pages))
        .col_expr(
            document_ocr::Column::FinishedAt,
            Expr::value(outcome.finished_at.to_offset(UtcOffset::UTC)),
        )
        .filter(document_ocr::Column::DocumentId.eq(document.get()))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(())
}

/// Puts back in the queue the documents in `status` (failed ones to retry, or running ones whose
/// worker died: those started before `started_before`); returns how many.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn requeue(
    tx: &Tx,
    status: OcrStatus,
    started_before: Option<OffsetDateTime>,
) -> Result<u64, Error> {
    let mut update = document_ocr::Entity::update_many()
        .col_expr(
            document_ocr::Column::Status,
            Expr::value(OcrStatus::Pending.code()),
        )
        .filter(document_ocr::Column::Status.eq(status.code()));
    if let Some(before) = started_before {
        update =
            update.filter(document_ocr::Column::StartedAt.lt(before.to_offset(UtcOffset::UTC)));
    }
    let result = update.exec(&tx.transaction).await.map_err(Error::backend)?;
    Ok(result.rows_affected)
}

/// The OCR row of `document`, if OCR was ever requested.
///
/// # Errors
/// `Error::CorruptRow` for an unknown status; `Error::Backend` on failure.
pub async fn get(conn: &impl Conn, document: DocumentId) -> Result<Option<OcrRecord>, Error> {
    let row = document_ocr::Entity::find_by_id(document.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(from_row).transpose()
}

/// The rows in `status`, oldest request first, at most `limit`.
///
/// # Errors
/// `Error::CorruptRow` for an unknown status; `Error::Backend` on failure.
pub async fn list(
    conn: &impl Conn,
    status: OcrStatus,
    limit: u64,
) -> Result<Vec<OcrRecord>, Error> {
    let rows = document_ocr::Entity::find()
        .filter(document_ocr::Column::Status.eq(status.code()))
        .order_by_asc(document_ocr::Column::RequestedAt)
        .order_by_asc(document_ocr::Column::DocumentId)
        .limit(limit)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(from_row).collect()
}

/// How many documents are in `status`.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn count(conn: &impl Conn, status: OcrStatus) -> Result<u64, Error> {
    document_ocr::Entity::find()
        .filter(document_ocr::Column::Status.eq(status.code()))
        .count(conn.connection())
        .await
        .map_err(Error::backend)
}

/// The recognised text of every document whose OCR is done, by document id (for rebuilding the
/// search index).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn done_texts(conn: &impl Conn) -> Result<Vec<(DocumentId, String)>, Error> {
    let rows = document_ocr::Entity::find()
        .filter(document_ocr::Column::Status.eq(OcrStatus::Done.code()))
        .order_by_asc(document_ocr::Column::DocumentId)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| (DocumentId(row.document_id), row.text))
        .collect())
}

/// An incoming document that has no `document_texts` row (registered before text extraction
/// existed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextlessDocument {
    /// The document.
    pub document_id: DocumentId,
    /// SHA-256 (hex) of its stored file.
    pub blob_sha256: String,
    /// When it was stored.
    pub created_at: OffsetDateTime,
}

/// Every incoming document without a `document_texts` row, by id.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn documents_without_text(conn: &impl Conn) -> Result<Vec<TextlessDocument>, Error> {
    let rows = documents::Entity::find()
        .filter(documents::Column::Direction.eq("incoming"))
        .filter(
            documents::Column::Id.not_in_subquery(
                Query::select()
                    .column(document_texts::Column::DocumentId)
                    .from(document_texts::Entity)
                    .to_owned(),
            ),
        )
        .order_by_asc(documents::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| TextlessDocument {
            document_id: DocumentId(row.id),
            blob_sha256: row.blob_sha256,
            created_at: row.created_at,
        })
        .collect())
}

fn from_row(row: document_ocr::Model) -> Result<OcrRecord, Error> {
    Ok(OcrRecord {
        document_id: DocumentId(row.document_id),
        status: OcrStatus::parse(&row.status)?,
        text: row.text,
        engine: row.engine,
        pages: row.pages,
        attempts: row.attempts,
        error: row.error,
        requested_at: row.requested_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
    })
}
