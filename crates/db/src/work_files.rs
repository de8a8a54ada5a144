//! Work files (hồ sơ), the yearly file plan (danh mục hồ sơ), retention classes, and which documents
//! each file holds (`file_memberships`: a document may be in several files, never copied).
//!
//! Rows are mapped to domain types here (`Retention`, `WorkFileState`, `Secrecy`); the rules of
//! the lifecycle (what may be closed, handed over) are `domain::records` and `app::records`.

use domain::ids::{DocumentId, OrganizationId, UserId};
use domain::levels::Secrecy;
use domain::records::{Retention, WorkFileState};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::entities::{
    documents, file_memberships, file_plan_headings, file_plan_items, file_plans,
    retention_classes, work_files,
};
use crate::{Conn, Error, Tx};

/// The `direction` of a document registered from an imported archive package: it belongs to no
/// register of this deployment, so the incoming and outgoing lists never show it.
pub const ARCHIVED_DIRECTION: &str = "archive";

/// One retention class offered by the file plan (table `retention_classes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionClass {
    /// The retention period.
    pub retention: Retention,
    /// Its Vietnamese label as stored.
    pub label: String,
}

/// A yearly file plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlan {
    /// Its id.
    pub id: i64,
    /// The organisation.
    pub organization_id: OrganizationId,
    /// The year.
    pub year: i32,
    /// Its title.
    pub title: String,
}

/// A heading of a file plan: main (no parent, Roman numeral) or sub-heading (Arabic numeral).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// Its id.
    pub id: i64,
    /// The main heading above a sub-heading.
    pub parent_id: Option<i64>,
    /// Its position among its siblings, from 1.
    pub ordinal: i32,
    /// Its title.
    pub title: String,
    /// The abbreviation file notations under it end with (main headings), e.g. `TCCB`.
    pub abbreviation: String,
}

/// A planned file of a file plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanItem {
    /// Its id.
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The heading it sits under.
    pub heading_id: i64,
    /// The file number and symbol, e.g. `01.TCCB`.
    pub notation: String,
    /// The file title.
    pub title: String,
    /// The retention period.
    pub retention: Retention,
    /// Who makes the file (unit or person).
    pub creator: String,
    /// A note.
    pub note: Option<String>,
}

/// A new heading.
#[derive(Debug)]
pub struct NewHeading<'a> {
    /// The main heading above a sub-heading.
    pub parent_id: Option<i64>,
    /// Its position among its siblings.
    pub ordinal: i32,
    /// Its title.
    pub title: &'a str,
    /// Its abbreviation (may be empty for sub-headings).
    pub abbreviation: &'a str,
}

/// A new planned file.
#[derive(Debug)]
pub struct NewPlanItem<'a> {
    /// The heading.
    pub heading_id: i64,
    /// The notation, unique in the plan.
    pub notation: &'a str,
    /// The title.
    pub title: &'a str,
    /// The retention; must be a row of `retention_classes`.
    pub retention: Retention,
    /// Who makes the file.
    pub creator: &'a str,
    /// A note.
    pub note: Option<&'a str>,
}

/// A work file as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkFile {
    /// Its id.
    pub id: i64,
    /// The organisation that keeps it.
    pub organization_id: OrganizationId,
    /// The plan item it was opened from, if any.
    pub plan_item_id: Option<i64>,
    /// Its archival identity (the UUID of the package OBJID).
    pub uuid: String,
    /// The file code, e.g. `000.21.23.H02.2026.01.TCCB`.
    pub file_code: String,
    /// The year it was formed.
    pub year: i32,
    /// The file notation.
    pub notation: String,
    /// Its title.
    pub title: String,
    /// The retention period.
    pub retention: Retention,
    /// The access regime (chế độ sử dụng).
    pub rights: String,
    /// Who made it.
    pub creator: String,
    /// The language.
    pub language: String,
    /// A description.
    pub description: Option<String>,
    /// The highest secrecy of the documents it holds.
    pub secrecy: Secrecy,
    /// Its state.
    pub state: WorkFileState,
    /// Incremented on every change.
    pub version: i32,
    /// When the work started.
    pub start_date: Date,
    /// When it was closed.
    pub end_date: Option<Date>,
    /// When it must be handed over (closed files whose retention is handed over).
    pub hand_over_due: Option<Date>,
    /// How many documents it held when closed (live count while open: see [`members`]).
    pub doc_total: i32,
    /// How many pages they have.
    pub page_total: i32,
    /// Who opened it.
    pub created_by: UserId,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// When it was closed.
    pub closed_at: Option<OffsetDateTime>,
    /// When it was handed over.
    pub handed_over_at: Option<OffsetDateTime>,
    /// The archivist who received it.
    pub received_by: Option<UserId>,
}

/// A new work file.
#[derive(Debug)]
pub struct NewWorkFile<'a> {
    /// The organisation.
    pub organization_id: OrganizationId,
    /// The plan item, if opened from the plan.
    pub plan_item_id: Option<i64>,
    /// Its archival identity.
    pub uuid: &'a str,
    /// The file code.
    pub file_code: &'a str,
    /// The year.
    pub year: i32,
    /// The notation.
    pub notation: &'a str,
    /// The title.
    pub title: &'a str,
    /// The retention.
    pub retention: Retention,
    /// The access regime.
    pub rights: &'a str,
    /// Who makes it.
    pub creator: &'a str,
    /// The language.
    pub language: &'a str,
    /// A description.
    pub description: Option<&'a str>,
    /// Its secrecy.
    pub secrecy: Secrecy,
    /// Its state (open, or handed over for an imported package).
    pub state: WorkFileState,
    /// When the work started.
    pub start_date: Date,
    /// When it ended (imported files).
    pub end_date: Option<Date>,
    /// Documents and pages (imported files).
    pub doc_total: i32,
    /// Pages.
    pub page_total: i32,
    /// Who opened it.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
}

/// The change that closing a file makes.
#[derive(Debug, Clone, Copy)]
pub struct Closing {
    /// The end date.
    pub end_date: Date,
    /// The hand-over due date, for a retention that is handed over.
    pub hand_over_due: Option<Date>,
    /// Documents held.
    pub doc_total: i32,
    /// Their pages.
    pub page_total: i32,
    /// When.
    pub closed_at: OffsetDateTime,
}

/// A document of a work file, with the fields the archive metadata needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The document.
    pub document_id: DocumentId,
    /// Its ordinal in the file (docOrdinal), from 1.
    pub ordinal: i32,
    /// Its organisation.
    pub organization_id: OrganizationId,
    /// `incoming`, `outgoing` or [`ARCHIVED_DIRECTION`].
    pub direction: String,
    /// The type code.
    pub type_code: Option<String>,
    /// The number and symbol.
    pub number_symbol: Option<String>,
    /// The issuer.
    pub issuer_name: Option<String>,
    /// The date on the document.
    pub issued_date: Option<Date>,
    /// The subject.
    pub subject: Option<String>,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 of its file.
    pub blob_sha256: String,
    /// The file name.
    pub file_name: String,
    /// The size in bytes.
    pub file_size: i64,
    /// Pages.
    pub page_count: i32,
}

/// A document's owner and secrecy, any direction: what linking checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAccess {
    /// The document.
    pub id: DocumentId,
    /// Its organisation.
    pub organization_id: OrganizationId,
    /// Its secrecy.
    pub secrecy: Secrecy,
    /// Its pages.
    pub page_count: i32,
    /// Whether it is an incoming document (read by officers only when assigned to them).
    pub incoming: bool,
}

/// A document registered from an imported package.
#[derive(Debug)]
pub struct ArchivedDocument<'a> {
    /// The importing organisation.
    pub organization_id: OrganizationId,
    /// The type code.
    pub type_code: Option<&'a str>,
    /// The number and symbol.
    pub number_symbol: Option<&'a str>,
    /// The issuer.
    pub issuer_name: Option<&'a str>,
    /// The date on it.
    pub issued_date: Option<Date>,
    /// The subject.
    pub subject: Option<&'a str>,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 of the stored file (written before this row).
    pub blob_sha256: &'a str,
    /// The file name.
    pub file_name: &'a str,
    /// The size.
    pub file_size: i64,
    /// Pages.
    pub page_count: i32,
    /// The importer.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
}

/// The retention classes, in the table's order.
///
/// # Errors
/// `Error::CorruptRow` for a code that is not a retention; `Error::Backend` on failure.
pub async fn retention_classes(conn: &impl Conn) -> Result<Vec<RetentionClass>, Error> {
    let rows = retention_classes::Entity::find()
        .order_by_asc(retention_classes::Column::SortOrder)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter()
        .map(|row| {
            Ok(RetentionClass {
                retention: retention(&row.code)?,
                label: row.label,
            })
        })
        .collect()
}

/// Creates the plan of `organization` for `year`.
///
/// # Errors
/// `Error::Conflict` when the organisation already has a plan for that year.
pub async fn insert_plan(
    tx: &Tx,
    organization: OrganizationId,
    year: i32,
    title: &str,
    created_by: UserId,
    at: OffsetDateTime,
) -> Result<i64, Error> {
    let result = file_plans::Entity::insert(file_plans::ActiveModel {
        id: NotSet,
        organization_id: Set(organization.get()),
        year: Set(year),
        title: Set(title.to_owned()),
        created_by: Set(created_by.get()),
        created_at: Set(at.to_offset(UtcOffset::UTC)),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// Adds a heading to plan `plan`.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_heading(tx: &Tx, plan: i64, heading: NewHeading<'_>) -> Result<i64, Error> {
    let result = file_plan_headings::Entity::insert(file_plan_headings::ActiveModel {
        id: NotSet,
        plan_id: Set(plan),
        parent_id: Set(heading.parent_id),
        ordinal: Set(heading.ordinal),
        title: Set(heading.title.to_owned()),
        abbreviation: Set(heading.abbreviation.to_owned()),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// Adds a planned file to plan `plan`.
///
/// # Errors
/// `Error::Conflict` when the notation is already in the plan.
pub async fn insert_item(tx: &Tx, plan: i64, item: NewPlanItem<'_>) -> Result<i64, Error> {
    let result = file_plan_items::Entity::insert(file_plan_items::ActiveModel {
        id: NotSet,
        plan_id: Set(plan),
        heading_id: Set(item.heading_id),
        notation: Set(item.notation.to_owned()),
        title: Set(item.title.to_owned()),
        retention: Set(item.retention.code()),
        creator: Set(item.creator.to_owned()),
        note: Set(item.note.map(str::to_owned)),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// The plan of `organization` for `year`, if any.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn find_plan(
    conn: &impl Conn,
    organization: OrganizationId,
    year: i32,
) -> Result<Option<FilePlan>, Error> {
    let row = file_plans::Entity::find()
        .filter(file_plans::Column::OrganizationId.eq(organization.get()))
        .filter(file_plans::Column::Year.eq(year))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row.map(plan_from_row))
}

/// The plan with this id, whatever its organisation: the caller checks access.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn find_plan_by_id(conn: &impl Conn, id: i64) -> Result<Option<FilePlan>, Error> {
    let row = file_plans::Entity::find_by_id(id)
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row.map(plan_from_row))
}

/// The headings of plan `plan`, main headings then sub-headings, each by ordinal.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn headings(conn: &impl Conn, plan: i64) -> Result<Vec<Heading>, Error> {
    let rows = file_plan_headings::Entity::find()
        .filter(file_plan_headings::Column::PlanId.eq(plan))
        .order_by_asc(file_plan_headings::Column::Ordinal)
        .order_by_asc(file_plan_headings::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| Heading {
            id: row.id,
            parent_id: row.parent_id,
            ordinal: row.ordinal,
            title: row.title,
            abbreviation: row.abbreviation,
        })
        .collect())
}

/// The planned files of plan `plan`, by id.
///
/// # Errors
/// `Error::CorruptRow` for a bad retention; `Error::Backend` on failure.
pub async fn items(conn: &impl Conn, plan: i64) -> Result<Vec<PlanItem>, Error> {
    let rows = file_plan_items::Entity::find()
        .filter(file_plan_items::Column::PlanId.eq(plan))
        .order_by_asc(file_plan_items::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(item_from_row).collect()
}

/// One planned file by id, whatever its organisation: the caller checks access via its plan.
///
/// # Errors
/// `Error::CorruptRow` for a bad retention; `Error::Backend` on failure.
pub async fn find_item(conn: &impl Conn, id: i64) -> Result<Option<PlanItem>, Error> {
    let row = file_plan_items::Entity::find_by_id(id)
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(item_from_row).transpose()
}

/// Stores a new work file.
///
/// # Errors
/// `Error::Conflict` when the organisation already has a file with this code.
pub async fn insert_work_file(tx: &Tx, file: NewWorkFile<'_>) -> Result<i64, Error> {
    let at = file.created_at.to_offset(UtcOffset::UTC);
    let result =
        work_files::Entity::insert(work_files::ActiveModel {
            id: NotSet,
            organization_id: Set(file.organization_id.get()),
            plan_item_id: Set(file.plan_item_id),
            uuid: Set(file.uuid.to_owned()),
            file_code: Set(file.file_code.to_owned()),
            year: Set(file.year),
            notation: Set(file.notation.to_owned()),
            title: Set(file.title.to_owned()),
            retention: Set(file.retention.code()),
            rights: Set(file.rights.to_owned()),
            creator: Set(file.creator.to_owned()),
            language: Set(file.language.to_owned()),
            description: Set(file.description.map(str::to_owned)),
            secrecy: Set(file.secrecy.code().to_owned()),
            state: Set(file.state.code().to_owned()),
            version: Set(1),
            start_date: Set(file.start_date),
            end_date: Set(file.end_date),
            hand_over_due: Set(None),
            doc_total: Set(file.doc_total),
            page_total: Set(file.page_total),
            created_by: Set(file.created_by.get()),
            created_at: Set(at),
            closed_at: Set(file.end_date.map(|_| at)),
            handed_over_at: Set((file.state == WorkFileState::HandedOver).then_some(at)),
            received_by: Set(
                (file.state == WorkFileState::HandedOver).then_some(file.created_by.get())
            ),
        })
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// One work file by id, whatever its organisation: the caller checks access.
///
/// # Errors
/// `Error::CorruptRow` for a value that does not parse; `Error::Backend` on failure.
pub async fn find_work_file(conn: &impl Conn, id: i64) -> Result<Option<WorkFile>, Error> {
    let row = work_files::Entity::find_by_id(id)
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(file_from_row).transpose()
}

/// The work file of `organization` with this code.
///
/// # Errors
/// `Error::CorruptRow` for a value that does not parse; `Error::Backend` on failure.
pub async fn find_work_file_by_code(
    conn: &impl Conn,
    organization: OrganizationId,
    file_code: &str,
) -> Result<Option<WorkFile>, Error> {
    let row = work_files::Entity::find()
        .filter(work_files::Column::OrganizationId.eq(organization.get()))
        .filter(work_files::Column::FileCode.eq(file_code))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(file_from_row).transpose()
}

/// The work files of `organization` a reader cleared up to `clearance` may see, optionally only in
/// `state`, by file code.
///
/// # Errors
/// `Error::CorruptRow` for a value that does not parse; `Error::Backend` on failure.
pub async fn list_work_files(
    conn: &impl Conn,
    organization: OrganizationId,
    clearance: Secrecy,
    state: Option<WorkFileState>,
) -> Result<Vec<WorkFile>, Error> {
    let mut query = work_files::Entity::find()
        .filter(work_files::Column::OrganizationId.eq(organization.get()))
        .filter(work_files::Column::Secrecy.is_in(visible_secrecy_codes(clearance)));
    if let Some(state) = state {
        query = query.filter(work_files::Column::State.eq(state.code()));
    }
    let rows = query
        .order_by_asc(work_files::Column::FileCode)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(file_from_row).collect()
}

/// Closed files of `organization` visible at `clearance` whose hand-over is due on or before
/// `until`, soonest first.
///
/// # Errors
/// `Error::CorruptRow` for a value that does not parse; `Error::Backend` on failure.
pub async fn list_due(
    conn: &impl Conn,
    organization: OrganizationId,
    clearance: Secrecy,
    until: Date,
) -> Result<Vec<WorkFile>, Error> {
    let rows = work_files::Entity::find()
        .filter(work_files::Column::OrganizationId.eq(organization.get()))
        .filter(work_files::Column::Secrecy.is_in(visible_secrecy_codes(clearance)))
        .filter(work_files::Column::State.eq(WorkFileState::Closed.code()))
        .filter(work_files::Column::HandOverDue.is_not_null())
        .filter(work_files::Column::HandOverDue.lte(until))
        .order_by_asc(work_files::Column::HandOverDue)
        .order_by_asc(work_files::Column::FileCode)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(file_from_row).collect()
}

/// Raises the secrecy of file `id` to `secrecy`.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn set_secrecy(tx: &Tx, id: i64, secrecy: Secrecy) -> Result<(), Error> {
    work_files::Entity::update_many()
        .col_expr(work_files::Column::Secrecy, Expr::value(secrecy.code()))
        .col_expr(
            work_files::Column::Version,
            Expr::col(work_files::Column::Version).add(1),
        )
        .filter(work_files::Column::Id.eq(id))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(())
}

/// Closes file `id` if it is still at `version`.
///
/// # Errors
/// `Error::Conflict` when the file changed since it was read.
pub async fn close(tx: &Tx, id: i64, version: i32, closing: Closing) -> Result<(), Error> {
    let result = work_files::Entity::update_many()
        .col_expr(
            work_files::Column::State,
            Expr::value(WorkFileState::Closed.code()),
        )
        .col_expr(work_files::Column::EndDate, Expr::value(closing.end_date))
        .col_expr(
            work_files::Column::HandOverDue,
            Expr::value(closing.hand_over_due),
        )
        .col_expr(work_files::Column::DocTotal, Expr::value(closing.doc_total))
        .col_expr(
            work_files::Column::PageTotal,
            Expr::value(closing.page_total),
        )
        .col_expr(
            work_files::Column::ClosedAt,
            Expr::value(closing.closed_at.to_offset(UtcOffset::UTC)),
        )
        .col_expr(work_files::Column::Version, Expr::value(version + 1))
        .filter(work_files::Column::Id.eq(id))
        .filter(work_files::Column::Version.eq(version))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Err(Error::Conflict {
            detail: format!("work file {id} changed concurrently"),
        });
    }
    Ok(())
}

/// Marks file `id` handed over to the archive by `received_by`, if it is still at `version`.
///
/// # Errors
/// `Error::Conflict` when the file changed since it was read.
pub async fn hand_over(
    tx: &Tx,
    id: i64,
    version: i32,
    received_by: UserId,
    at: OffsetDateTime,
) -> Result<(), Error> {
    let result = work_files::Entity::update_many()
        .col_expr(
            work_files::Column::State,
            Expr::value(WorkFileState::HandedOver.code()),
        )
        .col_expr(
            work_files::Column::HandedOverAt,
            Expr::value(at.to_offset(UtcOffset::UTC)),
        )
        .col_expr(
            work_files::Column::ReceivedBy,
            Expr::value(received_by.get()),
        )
        .col_expr(work_files::Column::Version, Expr::value(version + 1))
        .filter(work_files::Column::Id.eq(id))
        .filter(work_files::Column::Version.eq(version))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Err(Error::Conflict {
            detail: format!("work file {id} changed concurrently"),
        });
    }
    Ok(())
}

/// The documents of file `id`, by ordinal.
///
/// # Errors
/// `Error::CorruptRow` for a bad secrecy; `Error::Backend` on failure.
pub async fn members(conn: &impl Conn, file: i64) -> Result<Vec<Member>, Error> {
    let links = file_memberships::Entity::find()
        .filter(file_memberships::Column::WorkFileId.eq(file))
        .order_by_asc(file_memberships::Column::Ordinal)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let ids: Vec<i64> = links.iter().map(|link| link.document_id).collect();
    let documents: std::collections::HashMap<i64, documents::Model> = documents::Entity::find()
        .filter(documents::Column::Id.is_in(ids))
        .all(conn.connection())
        .await
        .map_err(Error::backend)?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    links
        .into_iter()
        .map(|link| {
            let Some(row) = documents.get(&link.document_id) else {
                return Err(Error::corrupt(
                    "file_memberships.document_id",
                    link.document_id.to_string(),
                ));
            };
            Ok(Member {
                document_id: DocumentId(row.id),
                ordinal: link.ordinal,
                organization_id: OrganizationId(row.organization_id),
                direction: row.direction.clone(),
                type_code: row.type_code.clone(),
                number_symbol: row.number_symbol.clone(),
                issuer_name: row.issuer_name.clone(),
                issued_date: row.issued_date,
                subject: row.subject.clone(),
                secrecy: secrecy(&row.secrecy)?,
                blob_sha256: row.blob_sha256.clone(),
                file_name: row.file_name.clone(),
                file_size: row.file_size,
                page_count: row.page_count,
            })
        })
        .collect()
}

/// Links `document` to file `file` at `ordinal`.
///
/// # Errors
/// `Error::Conflict` when the document is already in the file.
pub async fn link(
    tx: &Tx,
    file: i64,
    document: DocumentId,
    ordinal: i32,
    by: UserId,
    at: OffsetDateTime,
) -> Result<(), Error> {
    file_memberships::Entity::insert(file_memberships::ActiveModel {
        work_file_id: Set(file),
        document_id: Set(document.get()),
        ordinal: Set(ordinal),
        linked_at: Set(at.to_offset(UtcOffset::UTC)),
        linked_by: Set(by.get()),
    })
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// Unlinks `document` from file `file`; false when it was not linked.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn unlink(tx: &Tx, file: i64, document: DocumentId) -> Result<bool, Error> {
    let result = file_memberships::Entity::delete_many()
        .filter(file_memberships::Column::WorkFileId.eq(file))
        .filter(file_memberships::Column::DocumentId.eq(document.get()))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(result.rows_affected > 0)
}

/// The next free ordinal of file `file` (1 for an empty file).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn next_ordinal(conn: &impl Conn, file: i64) -> Result<i32, Error> {
    let highest: Option<Option<i32>> = file_memberships::Entity::find()
        .select_only()
        .column_as(file_memberships::Column::Ordinal.max(), "highest")
        .filter(file_memberships::Column::WorkFileId.eq(file))
        .into_tuple()
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(highest.flatten().unwrap_or(0) + 1)
}

/// A document's organisation, secrecy and pages, whatever its direction.
///
/// # Errors
/// `Error::CorruptRow` for a bad secrecy; `Error::Backend` on failure.
pub async fn find_document(
    conn: &impl Conn,
    id: DocumentId,
) -> Result<Option<DocumentAccess>, Error> {
    let row = documents::Entity::find_by_id(id.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(|row| {
        Ok(DocumentAccess {
            id,
            organization_id: OrganizationId(row.organization_id),
            secrecy: secrecy(&row.secrecy)?,
            page_count: row.page_count,
            incoming: row.direction == domain::register::Direction::Incoming.code(),
        })
    })
    .transpose()
}

/// Registers a document from an imported package, in no register (direction
/// [`ARCHIVED_DIRECTION`], state `archived`).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_archived_document(
    tx: &Tx,
    document: ArchivedDocument<'_>,
) -> Result<DocumentId, Error> {
    let at = document.created_at.to_offset(UtcOffset::UTC);
    // `..Default::default()` leaves the id and any later, defaulted column unset.
    let result = documents::Entity::insert(documents::ActiveModel {
        organization_id: Set(document.organization_id.get()),
        direction: Set(ARCHIVED_DIRECTION.to_owned()),
        state: Set("archived".to_owned()),
        version: Set(1),
        type_code: Set(document.type_code.map(str::to_owned)),
        number_symbol: Set(document.number_symbol.map(str::to_owned)),
        issuer_name: Set(document.issuer_name.map(str::to_owned)),
        issued_date: Set(document.issued_date),
        subject: Set(document.subject.map(str::to_owned)),
        urgency: Set(domain::levels::Urgency::Normal.code().to_owned()),
        secrecy: Set(document.secrecy.code().to_owned()),
        blob_sha256: Set(document.blob_sha256.to_owned()),
        file_name: Set(document.file_name.to_owned()),
        file_size: Set(document.file_size),
        page_count: Set(document.page_count),
        created_by: Set(document.created_by.get()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(DocumentId(result.last_insert_id))
}

fn plan_from_row(row: file_plans::Model) -> FilePlan {
    FilePlan {
        id: row.id,
        organization_id: OrganizationId(row.organization_id),
        year: row.year,
        title: row.title,
    }
}

fn item_from_row(row: file_plan_items::Model) -> Result<PlanItem, Error> {
    Ok(PlanItem {
        id: row.id,
        plan_id: row.plan_id,
        heading_id: row.heading_id,
        notation: row.notation,
        title: row.title,
        retention: retention(&row.retention)?,
        creator: row.creator,
        note: row.note,
    })
}

fn file_from_row(row: work_files::Model) -> Result<WorkFile, Error> {
    Ok(WorkFile {
        id: row.id,
        organization_id: OrganizationId(row.organization_id),
        plan_item_id: row.plan_item_id,
        uuid: row.uuid,
        file_code: row.file_code,
        year: row.year,
        notation: row.notation,
        title: row.title,
        retention: retention(&row.retention)?,
        rights: row.rights,
        creator: row.creator,
        language: row.language,
        description: row.description,
        secrecy: secrecy(&row.secrecy)?,
        state: WorkFileState::parse(&row.state)
            .map_err(|_| Error::corrupt("work_files.state", row.state.clone()))?,
        version: row.version,
        start_date: row.start_date,
        end_date: row.end_date,
        hand_over_due: row.hand_over_due,
        doc_total: row.doc_total,
        page_total: row.page_total,
        created_by: UserId(row.created_by),
        created_at: row.created_at,
        closed_at: row.closed_at,
        handed_over_at: row.handed_over_at,
        received_by: row.received_by.map(UserId),
    })
}

fn retention(code: &str) -> Result<Retention, Error> {
    Retention::parse(code).map_err(|_| Error::corrupt("retention", code))
}

fn secrecy(code: &str) -> Result<Secrecy, Error> {
    Secrecy::parse(code).map_err(|_| Error::corrupt("secrecy", code))
}

fn visible_secrecy_codes(clearance: Secrecy) -> Vec<&'static str> {
    Secrecy::ALL
        .into_iter()
        .filter(|level| *level <= clearance)
        .map(Secrecy::code)
        .collect()
}
