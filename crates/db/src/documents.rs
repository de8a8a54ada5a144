//! Documents and their incoming registration (vào sổ văn bản đến).

use domain::ids::{DocumentId, OrganizationId, RegisterId, UserId};
use domain::incoming::IncomingState;
use domain::levels::{Secrecy, Urgency};
use domain::register::Direction;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef,
    sea_query::Expr,
};
use time::{Date, OffsetDateTime};

use crate::entities::{documents, incoming_registrations};
use crate::{Conn, Error, Tx};

/// The stored file and descriptive fields of a new document.
#[derive(Debug)]
pub struct NewDocument<'a> {
    /// The owning organisation.
    pub organization_id: OrganizationId,
    /// The type code (`domain::document_type`), when known.
    pub type_code: Option<&'a str>,
    /// The number and symbol as written on the document, e.g. `06/KH-UBND`.
    pub number_symbol: Option<&'a str>,
    /// The issuing organisation's name, for incoming documents.
    pub issuer_name: Option<&'a str>,
    /// The date written on the document.
    pub issued_date: Option<Date>,
    /// The subject summary (trích yếu).
    pub subject: Option<&'a str>,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 (hex) of the stored file; the blob is written before this row.
    pub blob_sha256: &'a str,
    /// The file name given at upload.
    pub file_name: &'a str,
    /// The file size in bytes.
    pub file_size: i64,
    /// The page count found when the PDF was checked.
    pub page_count: i32,
    /// Who stored it.
    pub created_by: UserId,
}

/// The arrival registration of an incoming document.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    /// The register the number was taken from.
    pub register_id: RegisterId,
    /// The arrival number (số đến).
    pub arrival_number: i64,
    /// When it was registered.
    pub arrived_at: OffsetDateTime,
    /// Who registered it.
    pub received_by: UserId,
}

/// A stored incoming document with its registration.
#[derive(Debug, Clone)]
pub struct IncomingDocument {
    /// Its id.
    pub id: DocumentId,
    /// The owning organisation.
    pub organization_id: OrganizationId,
    /// The lifecycle state.
    pub state: IncomingState,
    /// The type code.
    pub type_code: Option<String>,
    /// The number and symbol as written on the document.
    pub number_symbol: Option<String>,
    /// The issuing organisation's name.
    pub issuer_name: Option<String>,
    /// The date written on the document.
    pub issued_date: Option<Date>,
    /// The subject summary.
    pub subject: Option<String>,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 (hex) of the file.
    pub blob_sha256: String,
    /// The file name.
    pub file_name: String,
    /// The file size in bytes.
    pub file_size: i64,
    /// The page count.
    pub page_count: i32,
    /// The arrival number.
    pub arrival_number: i64,
    /// When it was registered.
    pub arrived_at: OffsetDateTime,
}

/// Stores an incoming document in state `state` together with its arrival registration.
///
/// # Errors
/// `Error::Conflict` when the arrival number is already taken; `Error::Backend` on failure.
pub async fn insert_incoming(
    tx: &Tx,
    document: NewDocument<'_>,
    state: IncomingState,
    arrival: Arrival,
) -> Result<DocumentId, Error> {
    let connection = &tx.transaction;
    let result = documents::Entity::insert(documents::ActiveModel {
        id: NotSet,
        organization_id: Set(document.organization_id.get()),
        direction: Set(direction_code(Direction::Incoming).to_owned()),
        state: Set(state.code().to_owned()),
        version: Set(1),
        type_code: Set(document.type_code.map(str::to_owned)),
        number_symbol: Set(document.number_symbol.map(str::to_owned)),
        issuer_name: Set(document.issuer_name.map(str::to_owned)),
        issued_date: Set(document.issued_date),
        subject: Set(document.subject.map(str::to_owned)),
        urgency: Set(document.urgency.code().to_owned()),
        secrecy: Set(document.secrecy.code().to_owned()),
        blob_sha256: Set(document.blob_sha256.to_owned()),
        file_name: Set(document.file_name.to_owned()),
        file_size: Set(document.file_size),
        page_count: Set(document.page_count),
        created_by: Set(document.created_by.get()),
        created_at: Set(arrival.arrived_at),
        updated_at: Set(arrival.arrived_at),
    })
    .exec(connection)
    .await
    .map_err(Error::backend)?;
    let id = DocumentId(result.last_insert_id);
    incoming_registrations::Entity::insert(incoming_registrations::ActiveModel {
        document_id: Set(id.get()),
        register_id: Set(arrival.register_id.get()),
        arrival_number: Set(arrival.arrival_number),
        arrived_at: Set(arrival.arrived_at),
        channel: Set("upload".to_owned()),
        received_by: Set(arrival.received_by.get()),
    })
    .exec_without_returning(connection)
    .await
    .map_err(Error::backend)?;
    Ok(id)
}

/// Incoming documents of `organization` that a reader cleared up to `clearance` may see, newest
/// arrival first.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn list_incoming(
    conn: &impl Conn,
    organization: OrganizationId,
    clearance: Secrecy,
) -> Result<Vec<IncomingDocument>, Error> {
    let rows = incoming_query()
        .filter(documents::Column::OrganizationId.eq(organization.get()))
        .filter(documents::Column::Secrecy.is_in(visible_secrecy_codes(clearance)))
        .order_by_desc(incoming_registrations::Column::ArrivedAt)
        .order_by_desc(documents::Column::Id)
        .into_model::<IncomingRow>()
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(from_row).collect()
}

/// One incoming document by id, whatever its organisation or secrecy: the caller checks access.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find_incoming(
    conn: &impl Conn,
    id: DocumentId,
) -> Result<Option<IncomingDocument>, Error> {
    let row = incoming_query()
        .filter(documents::Column::Id.eq(id.get()))
        .into_model::<IncomingRow>()
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(from_row).transpose()
}

/// The id of an incoming document of `organization` with this file hash, if one exists.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn find_incoming_by_sha256(
    conn: &impl Conn,
    organization: OrganizationId,
    sha256: &str,
) -> Result<Option<DocumentId>, Error> {
    let row = documents::Entity::find()
        .filter(documents::Column::OrganizationId.eq(organization.get()))
        .filter(documents::Column::Direction.eq(direction_code(Direction::Incoming)))
        .filter(documents::Column::BlobSha256.eq(sha256))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row.map(|row| DocumentId(row.id)))
}

/// An incoming document of an organisation that carries a given number and symbol: what the
/// duplicate check compares (Phụ lục VI §III.1.h).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedIncoming {
    /// The document.
    pub id: DocumentId,
    /// The issuer's name as registered.
    pub issuer_name: Option<String>,
    /// The date written on the document.
    pub issued_date: Option<Date>,
}

/// The incoming documents of `organization` registered with exactly `number_symbol`, leaving out
/// those returned to their sender or recalled (no longer held), oldest first.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn find_incoming_by_number_symbol(
    conn: &impl Conn,
    organization: OrganizationId,
    number_symbol: &str,
) -> Result<Vec<NumberedIncoming>, Error> {
    let rows = documents::Entity::find()
        .filter(documents::Column::OrganizationId.eq(organization.get()))
        .filter(documents::Column::Direction.eq(direction_code(Direction::Incoming)))
        .filter(documents::Column::NumberSymbol.eq(number_symbol))
        .filter(documents::Column::State.is_not_in([
            IncomingState::Returned.code(),
            IncomingState::Recalled.code(),
        ]))
        .order_by_asc(documents::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| NumberedIncoming {
            id: DocumentId(row.id),
            issuer_name: row.issuer_name,
            issued_date: row.issued_date,
        })
        .collect())
}

/// Which document stores which blob: one row of [`blob_references`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobReference {
    /// The document.
    pub document_id: DocumentId,
    /// Its organisation.
    pub organization_id: OrganizationId,
    /// SHA-256 (hex) of its file.
    pub blob_sha256: String,
    /// The file name given at upload.
    pub file_name: String,
}

/// The stored file of every document, of every organisation and direction, by blob then id: what
/// the fixity audit checks.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn blob_references(conn: &impl Conn) -> Result<Vec<BlobReference>, Error> {
    #[derive(Debug, sea_orm::FromQueryResult)]
    struct Row {
        id: i64,
        organization_id: i64,
        blob_sha256: String,
        file_name: String,
    }
    let rows = documents::Entity::find()
        .select_only()
        .columns([
            documents::Column::Id,
            documents::Column::OrganizationId,
            documents::Column::BlobSha256,
            documents::Column::FileName,
        ])
        .order_by_asc(documents::Column::BlobSha256)
        .order_by_asc(documents::Column::Id)
        .into_model::<Row>()
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| BlobReference {
            document_id: DocumentId(row.id),
            organization_id: OrganizationId(row.organization_id),
            blob_sha256: row.blob_sha256,
            file_name: row.file_name,
        })
        .collect())
}

/// How many documents exist in total (for tests and health reports).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn count(conn: &impl Conn) -> Result<u64, Error> {
    use sea_orm::PaginatorTrait as _;
    documents::Entity::find()
        .count(conn.connection())
        .await
        .map_err(Error::backend)
}

fn direction_code(direction: Direction) -> &'static str {
    match direction {
        Direction::Incoming => "incoming",
        Direction::Outgoing => "outgoing",
    }
}

/// The ids of `organization`'s documents that a reader cleared up to `clearance` may not see: what
/// exports and reports must leave out.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn hidden_from(
    conn: &impl Conn,
    organization: OrganizationId,
    clearance: Secrecy,
) -> Result<std::collections::HashSet<DocumentId>, Error> {
    let rows = documents::Entity::find()
        .filter(documents::Column::OrganizationId.eq(organization.get()))
        .filter(documents::Column::Secrecy.is_not_in(visible_secrecy_codes(clearance)))
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows.into_iter().map(|row| DocumentId(row.id)).collect())
}

fn visible_secrecy_codes(clearance: Secrecy) -> Vec<&'static str> {
    [
        Secrecy::Normal,
        Secrecy::Confidential,
        Secrecy::Secret,
        Secrecy::TopSecret,
    ]
    .into_iter()
    .filter(|level| *level <= clearance)
    .map(Secrecy::code)
    .collect()
}

/// The joined row of `documents` and `incoming_registrations`.
#[derive(Debug, sea_orm::FromQueryResult)]
struct IncomingRow {
    id: i64,
    organization_id: i64,
    state: String,
    type_code: Option<String>,
    number_symbol: Option<String>,
    issuer_name: Option<String>,
    issued_date: Option<Date>,
    subject: Option<String>,
    urgency: String,
    secrecy: String,
    blob_sha256: String,
    file_name: String,
    file_size: i64,
    page_count: i32,
    arrival_number: i64,
    arrived_at: OffsetDateTime,
}

fn incoming_query() -> sea_orm::Select<documents::Entity> {
    documents::Entity::find()
        .select_only()
        .columns([
            documents::Column::Id,
            documents::Column::OrganizationId,
            documents::Column::State,
            documents::Column::TypeCode,
            documents::Column::NumberSymbol,
            documents::Column::IssuerName,
            documents::Column::IssuedDate,
            documents::Column::Subject,
            documents::Column::Urgency,
            documents::Column::Secrecy,
            documents::Column::BlobSha256,
            documents::Column::FileName,
            documents::Column::FileSize,
            documents::Column::PageCount,
        ])
        .column(incoming_registrations::Column::ArrivalNumber)
        .column(incoming_registrations::Column::ArrivedAt)
        .join(JoinType::InnerJoin, registration_relation())
        .filter(Expr::col((documents::Entity, documents::Column::Direction)).eq("incoming"))
}

fn registration_relation() -> RelationDef {
    documents::Entity::belongs_to(incoming_registrations::Entity)
        .from(documents::Column::Id)
        .to(incoming_registrations::Column::DocumentId)
        .into()
}

fn from_row(row: IncomingRow) -> Result<IncomingDocument, Error> {
    Ok(IncomingDocument {
        id: DocumentId(row.id),
        organization_id: OrganizationId(row.organization_id),
        state: IncomingState::parse(&row.state)
            .map_err(|_| Error::corrupt("documents.state", row.state.clone()))?,
        type_code: row.type_code,
        number_symbol: row.number_symbol,
        issuer_name: row.issuer_name,
        issued_date: row.issued_date,
        subject: row.subject,
        urgency: Urgency::parse(&row.urgency)
            .map_err(|_| Error::corrupt("documents.urgency", row.urgency.clone()))?,
        secrecy: Secrecy::parse(&row.secrecy)
            .map_err(|_| Error::corrupt("documents.secrecy", row.secrecy.clone()))?,
        blob_sha256: row.blob_sha256,
        file_name: row.file_name,
        file_size: row.file_size,
        page_count: row.page_count,
        arrival_number: row.arrival_number,
        arrived_at: row.arrived_at,
    })
}
