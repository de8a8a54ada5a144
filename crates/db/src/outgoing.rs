//! Outgoing documents (văn bản đi): the document row with its workflow details, recipients and
//! review steps, and the outgoing register's entries.
//!
//! Every state change goes through [`advance`], which updates the row only when it still has the
//! version and state the caller read (optimistic concurrency): a lost race changes nothing and is
//! reported as `false`, for the caller to refuse with a clear error.

use domain::ids::{DocumentId, OrganizationId, RegisterId, UserId};
use domain::levels::{Secrecy, Urgency};
use domain::outgoing::OutgoingState;
use domain::role::Role;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, SimpleExpr},
};
use time::{Date, OffsetDateTime};

use crate::entities::{
    documents, incoming_registrations, outgoing_details, outgoing_recipients, review_steps,
    user_roles, users,
};
use crate::{Conn, Error, Tx};

/// A recipient as stored: an organisation of this deployment or an external one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The organisation of this deployment, when it is one.
    pub organization_id: Option<OrganizationId>,
    /// Its name.
    pub name: String,
    /// Its electronic id, when known.
    pub electronic_id: Option<String>,
}

/// A new outgoing draft.
#[derive(Debug)]
pub struct NewOutgoing<'a> {
    /// The owning organisation.
    pub organization_id: OrganizationId,
    /// The type code.
    pub type_code: &'a str,
    /// The subject (trích yếu).
    pub subject: &'a str,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 (hex) of the prepared draft PDF; the blob is written before this row.
    pub blob_sha256: &'a str,
    /// The file name given at upload.
    pub file_name: &'a str,
    /// Its size in bytes.
    pub file_size: i64,
    /// Its page count.
    pub page_count: i32,
    /// The drafter.
    pub created_by: UserId,
    /// The designated signer.
    pub signer: UserId,
    /// The number of copies.
    pub copies: i32,
    /// The recipients, in order.
    pub recipients: &'a [Recipient],
    /// When.
    pub at: OffsetDateTime,
}

/// An outgoing document with its workflow details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Its id.
    pub id: DocumentId,
    /// The owning organisation.
    pub organization_id: OrganizationId,
    /// The lifecycle state.
    pub state: OutgoingState,
    /// The optimistic-concurrency version.
    pub version: i32,
    /// The type code.
    pub type_code: Option<String>,
    /// The number and symbol, once numbered.
    pub number_symbol: Option<String>,
    /// The date written on it, once numbered.
    pub issued_date: Option<Date>,
    /// The subject.
    pub subject: Option<String>,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 (hex) of the current file.
    pub blob_sha256: String,
    /// The file name.
    pub file_name: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// Its page count.
    pub page_count: i32,
    /// The drafter.
    pub created_by: UserId,
    /// When drafted.
    pub created_at: OffsetDateTime,
    /// When last changed.
    pub updated_at: OffsetDateTime,
    /// The designated signer.
    pub signer: UserId,
    /// The number of copies.
    pub copies: i32,
    /// The register the number came from.
    pub register_id: Option<RegisterId>,
    /// The number in that register.
    pub number: Option<i64>,
    /// SHA-256 of the file as the signer signed it.
    pub signed_sha256: Option<String>,
    /// SHA-256 of the file with the number and date filled in; `None` while that file is still to
    /// be made (after a crash between numbering and writing it).
    pub numbered_sha256: Option<String>,
    /// When issued.
    pub issued_at: Option<OffsetDateTime>,
    /// The document that replaced it.
    pub replaced_by: Option<DocumentId>,
    /// A two-phase signature prepared and waiting for the signer's raw signature.
    pub pending_signature: Option<String>,
}

/// One review, approval, signature or refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewStep {
    /// The step (`submit`, `content`, `format`, `approval`, `signature`, …).
    pub step: String,
    /// Who.
    pub actor: UserId,
    /// The decision (`submitted`, `approved`, `returned`, `rejected`, …).
    pub decision: String,
    /// The comment.
    pub comment: Option<String>,
    /// When.
    pub at: OffsetDateTime,
}

/// What a state change also writes.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    /// A new current file: SHA-256 and size.
    pub blob: Option<(&'a str, i64)>,
    /// The file as signed by the signer.
    pub signed_sha256: Option<&'a str>,
    /// The number: register, number, number and symbol, date.
    pub number: Option<(RegisterId, i64, &'a str, Date)>,
    /// When issued.
    pub issued_at: Option<OffsetDateTime>,
    /// The replacing document.
    pub replaced_by: Option<DocumentId>,
}

/// Stores a new draft with its details and recipients.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_draft(tx: &Tx, draft: NewOutgoing<'_>) -> Result<DocumentId, Error> {
    let connection = &tx.transaction;
    let result = documents::Entity::insert(documents::ActiveModel {
        id: NotSet,
        organization_id: Set(draft.organization_id.get()),
        direction: Set("outgoing".to_owned()),
        state: Set(OutgoingState::Draft.code().to_owned()),
        version: Set(1),
        type_code: Set(Some(draft.type_code.to_owned())),
        number_symbol: Set(None),
        issuer_name: Set(None),
        issued_date: Set(None),
        subject: Set(Some(draft.subject.to_owned())),
        urgency: Set(draft.urgency.code().to_owned()),
        secrecy: Set(draft.secrecy.code().to_owned()),
        blob_sha256: Set(draft.blob_sha256.to_owned()),
        file_name: Set(draft.file_name.to_owned()),
        file_size: Set(draft.file_size),
        page_count: Set(draft.page_count),
        created_by: Set(draft.created_by.get()),
        created_at: Set(draft.at),
        updated_at: Set(draft.at),
    })
    .exec(connection)
    .await
    .map_err(Error::backend)?;
    let id = DocumentId(result.last_insert_id);
    outgoing_details::Entity::insert(outgoing_details::ActiveModel {
        document_id: Set(id.get()),
        signer_id: Set(draft.signer.get()),
        copies: Set(draft.copies),
        register_id: Set(None),
        number: Set(None),
        signed_sha256: Set(None),
        numbered_sha256: Set(None),
        pending_signature: Set(None),
        issued_at: Set(None),
        replaced_by: Set(None),
    })
    .exec_without_returning(connection)
    .await
    .map_err(Error::backend)?;
    for (position, recipient) in draft.recipients.iter().enumerate() {
        outgoing_recipients::Entity::insert(outgoing_recipients::ActiveModel {
            id: NotSet,
            document_id: Set(id.get()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            organization_id: Set(recipient.organization_id.map(|id| id.get())),
            name: Set(recipient.name.clone()),
            electronic_id: Set(recipient.electronic_id.clone()),
        })
        .exec_without_returning(connection)
        .await
        .map_err(Error::backend)?;
    }
    Ok(id)
}

/// One outgoing document by id, whatever its organisation: the caller checks access.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find(conn: &impl Conn, id: DocumentId) -> Result<Option<Outgoing>, Error> {
    let Some(document) = documents::Entity::find_by_id(id.get())
        .filter(documents::Column::Direction.eq("outgoing"))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?
    else {
        return Ok(None);
    };
    let details = outgoing_details::Entity::find_by_id(id.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?
        .ok_or_else(|| Error::corrupt("outgoing_details", id.to_string()))?;
    from_rows(document, details).map(Some)
}

/// The outgoing documents of `organization` a reader cleared up to `clearance` may see, newest
/// first.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn list(
    conn: &impl Conn,
    organization: OrganizationId,
    clearance: Secrecy,
) -> Result<Vec<Outgoing>, Error> {
    let visible: Vec<&str> = [
        Secrecy::Normal,
        Secrecy::Confidential,
        Secrecy::Secret,
        Secrecy::TopSecret,
    ]
    .into_iter()
    .filter(|level| *level <= clearance)
    .map(Secrecy::code)
    .collect();
    let documents = documents::Entity::find()
        .filter(documents::Column::OrganizationId.eq(organization.get()))
        .filter(documents::Column::Direction.eq("outgoing"))
        .filter(documents::Column::Secrecy.is_in(visible))
        .order_by_desc(documents::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let ids: Vec<i64> = documents.iter().map(|row| row.id).collect();
    let details = outgoing_details::Entity::find()
        .filter(outgoing_details::Column::DocumentId.is_in(ids))
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let mut by_id: std::collections::HashMap<i64, outgoing_details::Model> = details
        .into_iter()
        .map(|row| (row.document_id, row))
        .collect();
    documents
        .into_iter()
        .map(|document| {
            let details = by_id
                .remove(&document.id)
                .ok_or_else(|| Error::corrupt("outgoing_details", document.id.to_string()))?;
            from_rows(document, details)
        })
        .collect()
}

/// The recipients of an outgoing document, in order.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn recipients(conn: &impl Conn, id: DocumentId) -> Result<Vec<Recipient>, Error> {
    let rows = outgoing_recipients::Entity::find()
        .filter(outgoing_recipients::Column::DocumentId.eq(id.get()))
        .order_by_asc(outgoing_recipients::Column::Position)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| Recipient {
            organization_id: row.organization_id.map(OrganizationId),
            name: row.name,
            electronic_id: row.electronic_id,
        })
        .collect())
}

/// Moves the document from `from` to `to` and writes `changes`, only if it still has `version`
/// and state `from`; returns whether it did. The version goes up by one.
///
/// # Errors
/// `Error::Conflict` when a number is already taken; `Error::Backend` on failure.
pub async fn advance(
    tx: &Tx,
    id: DocumentId,
    version: i32,
    from: OutgoingState,
    to: OutgoingState,
    at: OffsetDateTime,
    changes: Changes<'_>,
) -> Result<bool, Error> {
    let connection = &tx.transaction;
    let mut update = documents::Entity::update_many()
        .col_expr(documents::Column::State, Expr::value(to.code()))
        .col_expr(documents::Column::Version, Expr::value(version + 1))
        .col_expr(documents::Column::UpdatedAt, Expr::value(at));
    if let Some((sha256, size)) = changes.blob {
        update = update
            .col_expr(documents::Column::BlobSha256, Expr::value(sha256))
            .col_expr(documents::Column::FileSize, Expr::value(size));
    }
    if let Some((_, _, number_symbol, date)) = changes.number {
        update = update
            .col_expr(documents::Column::NumberSymbol, Expr::value(number_symbol))
            .col_expr(documents::Column::IssuedDate, Expr::value(date));
    }
    let result = update
        .filter(documents::Column::Id.eq(id.get()))
        .filter(documents::Column::Version.eq(version))
        .filter(documents::Column::State.eq(from.code()))
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    // A prepared two-phase signature belongs to the state it was prepared in.
    let mut details: Vec<(outgoing_details::Column, SimpleExpr)> = vec![(
        outgoing_details::Column::PendingSignature,
        Expr::value(sea_orm::Value::String(None)),
    )];
    if let Some(sha256) = changes.signed_sha256 {
        details.push((outgoing_details::Column::SignedSha256, Expr::value(sha256)));
    }
    if let Some((register, number, _, _)) = changes.number {
        details.push((
            outgoing_details::Column::RegisterId,
            Expr::value(register.get()),
        ));
        details.push((outgoing_details::Column::Number, Expr::value(number)));
    }
    if let Some(issued_at) = changes.issued_at {
        details.push((outgoing_details::Column::IssuedAt, Expr::value(issued_at)));
    }
    if let Some(replaced_by) = changes.replaced_by {
        details.push((
            outgoing_details::Column::ReplacedBy,
            Expr::value(replaced_by.get()),
        ));
    }
    let mut update = outgoing_details::Entity::update_many();
    for (column, value) in details {
        update = update.col_expr(column, value);
    }
    update
        .filter(outgoing_details::Column::DocumentId.eq(id.get()))
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    Ok(true)
}

/// Records the file with the number and date filled in, derived from the signed file and the
/// stored number: the current file becomes it. Only while the document is numbered and the file
/// is not yet recorded; returns whether it was recorded.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn set_numbered_file(
    tx: &Tx,
    id: DocumentId,
    sha256: &str,
    size: i64,
) -> Result<bool, Error> {
    let connection = &tx.transaction;
    let result = outgoing_details::Entity::update_many()
        .col_expr(
            outgoing_details::Column::NumberedSha256,
            Expr::value(sha256),
        )
        .filter(outgoing_details::Column::DocumentId.eq(id.get()))
        .filter(outgoing_details::Column::NumberedSha256.is_null())
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    documents::Entity::update_many()
        .col_expr(documents::Column::BlobSha256, Expr::value(sha256))
        .col_expr(documents::Column::FileSize, Expr::value(size))
        .filter(documents::Column::Id.eq(id.get()))
        .filter(documents::Column::State.eq(OutgoingState::Numbered.code()))
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    Ok(true)
}

/// Stores a prepared two-phase signature, only while the document still has `version`; returns
/// whether it did.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn set_pending_signature(
    tx: &Tx,
    id: DocumentId,
    version: i32,
    pending: &str,
) -> Result<bool, Error> {
    let current = documents::Entity::find_by_id(id.get())
        .filter(documents::Column::Version.eq(version))
        .one(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    if current.is_none() {
        return Ok(false);
    }
    outgoing_details::Entity::update_many()
        .col_expr(
            outgoing_details::Column::PendingSignature,
            Expr::value(pending),
        )
        .filter(outgoing_details::Column::DocumentId.eq(id.get()))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(true)
}

/// Records a review step.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_review_step(tx: &Tx, id: DocumentId, step: &ReviewStep) -> Result<(), Error> {
    review_steps::Entity::insert(review_steps::ActiveModel {
        id: NotSet,
        document_id: Set(id.get()),
        step: Set(step.step.clone()),
        actor_id: Set(step.actor.get()),
        decision: Set(step.decision.clone()),
        comment: Set(step.comment.clone()),
        at: Set(step.at),
    })
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// The review steps of a document, oldest first.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn review_steps(conn: &impl Conn, id: DocumentId) -> Result<Vec<ReviewStep>, Error> {
    let rows = review_steps::Entity::find()
        .filter(review_steps::Column::DocumentId.eq(id.get()))
        .order_by_asc(review_steps::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| ReviewStep {
            step: row.step,
            actor: UserId(row.actor_id),
            decision: row.decision,
            comment: row.comment,
            at: row.at,
        })
        .collect())
}

/// Marks an incoming registration as arrived through `channel` (`internal`, `edxml`).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn set_arrival_channel(
    tx: &Tx,
    incoming: DocumentId,
    channel: &str,
) -> Result<(), Error> {
    incoming_registrations::Entity::update_many()
        .col_expr(
            incoming_registrations::Column::Channel,
            Expr::value(channel),
        )
        .filter(incoming_registrations::Column::DocumentId.eq(incoming.get()))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(())
}

/// The first active user of `organization` holding `role` (by id), if any: who receives a
/// document delivered inside the deployment.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn first_with_role(
    conn: &impl Conn,
    organization: OrganizationId,
    role: Role,
) -> Result<Option<UserId>, Error> {
    let holders: Vec<i64> = user_roles::Entity::find()
        .filter(user_roles::Column::Role.eq(role.code()))
        .all(conn.connection())
        .await
        .map_err(Error::backend)?
        .into_iter()
        .map(|row| row.user_id)
        .collect();
    let user = users::Entity::find()
        .filter(users::Column::OrganizationId.eq(organization.get()))
        .filter(users::Column::Id.is_in(holders))
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::Id)
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(user.map(|row| UserId(row.id)))
}

/// The numbered outgoing documents of `organization` in `year`'s registers, by register and
/// number: the rows of the outgoing register (sổ đăng ký văn bản đi).
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn register_entries(
    conn: &impl Conn,
    organization: OrganizationId,
    year: i32,
) -> Result<Vec<Outgoing>, Error> {
    let registers: Vec<i64> = crate::entities::registers::Entity::find()
        .filter(crate::entities::registers::Column::OrganizationId.eq(organization.get()))
        .filter(crate::entities::registers::Column::Year.eq(year))
        .all(conn.connection())
        .await
        .map_err(Error::backend)?
        .into_iter()
        .map(|row| row.id)
        .collect();
    let details = outgoing_details::Entity::find()
        .filter(outgoing_details::Column::RegisterId.is_in(registers))
        .order_by_asc(outgoing_details::Column::RegisterId)
        .order_by_asc(outgoing_details::Column::Number)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let mut entries = Vec::with_capacity(details.len());
    for details in details {
        let document = documents::Entity::find_by_id(details.document_id)
            .one(conn.connection())
            .await
            .map_err(Error::backend)?
            .ok_or_else(|| Error::corrupt("outgoing_details", details.document_id.to_string()))?;
        entries.push(from_rows(document, details)?);
    }
    Ok(entries)
}

fn from_rows(
    document: documents::Model,
    details: outgoing_details::Model,
) -> Result<Outgoing, Error> {
    Ok(Outgoing {
        id: DocumentId(document.id),
        organization_id: OrganizationId(document.organization_id),
        state: OutgoingState::parse(&document.state)
            .map_err(|_| Error::corrupt("documents.state", document.state.clone()))?,
        version: document.version,
        type_code: document.type_code,
        number_symbol: document.number_symbol,
        issued_date: document.issued_date,
        subject: document.subject,
        urgency: Urgency::parse(&document.urgency)
            .map_err(|_| Error::corrupt("documents.urgency", document.urgency.clone()))?,
        secrecy: Secrecy::parse(&document.secrecy)
            .map_err(|_| Error::corrupt("documents.secrecy", document.secrecy.clone()))?,
        blob_sha256: document.blob_sha256,
        file_name: document.file_name,
        file_size: document.file_size,
        page_count: document.page_count,
        created_by: UserId(document.created_by),
        created_at: document.created_at,
        updated_at: document.updated_at,
        signer: UserId(details.signer_id),
        copies: details.copies,
        register_id: details.register_id.map(RegisterId),
        number: details.number,
        signed_sha256: details.signed_sha256,
        numbered_sha256: details.numbered_sha256,
        issued_at: details.issued_at,
        replaced_by: details.replaced_by.map(DocumentId),
        pending_signature: details.pending_signature,
    })
}
