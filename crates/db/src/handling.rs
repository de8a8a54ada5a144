//! Handling incoming documents after registration: the holiday calendar, assignments (phân
//! công), progress notes, the per-document handling facts, optimistic state transitions, the
//! tracking list with its filters, and a document's audit events.
//!
//! State changes are optimistic: the caller read the document's `version` before its write
//! transaction, and [`transition`] updates the row only if the version is still the same, so of
//! two leaders assigning the same document at once exactly one wins and the other gets
//! [`Error::Conflict`].

use std::collections::HashMap;

use domain::ids::{DocumentId, OrganizationId, UserId};
use domain::incoming::IncomingState;
use domain::levels::{Secrecy, Urgency};
use domain::register::RegisterKind;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef,
    sea_query::{Expr, OnConflict, Query},
};
use time::{Date, OffsetDateTime};

use crate::entities::{
    assignments, audit_events, documents, holidays, incoming_handling, incoming_registrations,
    progress_notes, registers, users,
};
use crate::{Conn, Error, Tx};

/// One public holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The day off.
    pub date: Date,
    /// Its name, e.g. "Tết Nguyên đán Bính Ngọ".
    pub name: String,
    /// `solar`, `lunar` (a lunar-calendar holiday's solar date) or `observed`.
    pub kind: String,
}

/// An incoming document's state and concurrency version, with what access checks need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandledDocument {
    /// Its id.
    pub id: DocumentId,
    /// The owning organisation.
    pub organization_id: OrganizationId,
    /// Its state.
    pub state: IncomingState,
    /// The optimistic-concurrency version.
    pub version: i32,
    /// Its secrecy.
    pub secrecy: Secrecy,
}

/// A new assignment.
#[derive(Debug)]
pub struct NewAssignment<'a> {
    /// The document.
    pub document_id: DocumentId,
    /// `agency` (the agency's leader) or `unit` (a unit's leader).
    pub level: &'a str,
    /// Who handles it.
    pub assignee: UserId,
    /// `lead` (chủ trì), `cooperate` (phối hợp) or `information` (để biết).
    pub role: &'a str,
    /// The leader's direction (ý kiến chỉ đạo).
    pub directive_note: Option<&'a str>,
    /// The deadline, a date in Vietnam.
    pub deadline: Option<Date>,
    /// The leader who assigned it.
    pub assigned_by: UserId,
    /// When.
    pub assigned_at: OffsetDateTime,
}

/// A stored assignment with the people's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Its id.
    pub id: i64,
    /// The document.
    pub document_id: DocumentId,
    /// `agency` or `unit`.
    pub level: String,
    /// The handler.
    pub assignee_id: UserId,
    /// The handler's name.
    pub assignee_name: String,
    /// `lead`, `cooperate` or `information`.
    pub role: String,
    /// The leader's direction.
    pub directive_note: Option<String>,
    /// The deadline.
    pub deadline: Option<Date>,
    /// The leader who assigned it.
    pub assigned_by: UserId,
    /// That leader's name.
    pub assigned_by_name: String,
    /// When it was assigned.
    pub assigned_at: OffsetDateTime,
    /// When the document was closed, for the assignments active then.
    pub completed_at: Option<OffsetDateTime>,
    /// When a reassignment replaced it.
    pub revoked_at: Option<OffsetDateTime>,
    /// The reply document, when the lead closed with one.
    pub reply_document_id: Option<DocumentId>,
}

impl Assignment {
    /// Whether it is still in force: neither replaced nor completed.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none() && self.completed_at.is_none()
    }
}

/// A progress note with its author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressNote {
    /// Its id.
    pub id: i64,
    /// The author.
    pub author_id: UserId,
    /// The author's name.
    pub author_name: String,
    /// The note.
    pub note: String,
    /// When.
    pub at: OffsetDateTime,
}

/// The handling facts of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandlingFacts {
    /// The leader it was presented to.
    pub presented_to: Option<UserId>,
    /// When.
    pub presented_at: Option<OffsetDateTime>,
    /// The lead handler's deadline.
    pub deadline: Option<Date>,
    /// Why it was returned to its sender.
    pub return_reason: Option<String>,
    /// When it was closed.
    pub closed_at: Option<OffsetDateTime>,
    /// The number and symbol of the reply, when closed with one.
    pub reply_number_symbol: Option<String>,
}

/// Which incoming documents to list; every filter is optional except the scope.
#[derive(Debug, Clone)]
pub struct TrackingFilter {
    /// The organisation.
    pub organization: OrganizationId,
    /// The reader's clearance.
    pub clearance: Secrecy,
    /// Only these states (all when empty).
    pub states: Vec<IncomingState>,
    /// Only documents with an active assignment to this user.
    pub assignee: Option<UserId>,
    /// Only documents whose deadline is strictly before this date.
    pub deadline_before: Option<Date>,
    /// Only this register kind.
    pub register: Option<RegisterKind>,
    /// Only this register year.
    pub year: Option<i32>,
    /// Only arrival numbers of a register in ascending order (the register's own order) instead
    /// of newest first.
    pub register_order: bool,
    /// At most this many rows.
    pub limit: u64,
    /// Skip this many rows.
    pub offset: u64,
}

/// One incoming document in the tracking list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedDocument {
    /// Its id.
    pub id: DocumentId,
    /// Its state.
    pub state: IncomingState,
    /// The concurrency version.
    pub version: i32,
    /// The type code.
    pub type_code: Option<String>,
    /// The number and symbol written on it.
    pub number_symbol: Option<String>,
    /// The issuer.
    pub issuer_name: Option<String>,
    /// The date written on it.
    pub issued_date: Option<Date>,
    /// The subject.
    pub subject: Option<String>,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// The arrival number.
    pub arrival_number: i64,
    /// When it arrived.
    pub arrived_at: OffsetDateTime,
    /// The register kind.
    pub register: RegisterKind,
    /// The register year.
    pub year: i32,
    /// The lead handler's deadline.
    pub deadline: Option<Date>,
    /// The reply's number and symbol.
    pub reply_number_symbol: Option<String>,
}

/// One audit event about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentEvent {
    /// Its position in the chain.
    pub seq: i64,
    /// When.
    pub at: OffsetDateTime,
    /// Who (username or `system`).
    pub actor: String,
    /// The action code.
    pub action: String,
    /// The details, JSON text as stored.
    pub details: String,
}

/// Every holiday, by date.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn holidays(conn: &impl Conn) -> Result<Vec<Holiday>, Error> {
    let rows = holidays::Entity::find()
        .order_by_asc(holidays::Column::Date)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| Holiday {
            date: row.date,
            name: row.name,
            kind: row.kind,
        })
        .collect())
}

/// The state and version of an incoming document, whatever its organisation: the caller checks
/// access.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find(conn: &impl Conn, id: DocumentId) -> Result<Option<HandledDocument>, Error> {
    let row = documents::Entity::find_by_id(id.get())
        .filter(documents::Column::Direction.eq("incoming"))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(HandledDocument {
        id,
        organization_id: OrganizationId(row.organization_id),
        state: IncomingState::parse(&row.state)
            .map_err(|_| Error::corrupt("documents.state", row.state.clone()))?,
        version: row.version,
        secrecy: Secrecy::parse(&row.secrecy)
            .map_err(|_| Error::corrupt("documents.secrecy", row.secrecy.clone()))?,
    }))
}

/// Moves document `id` to `to` if its version is still `expected_version`, and bumps the version.
///
/// # Errors
/// `Error::Conflict` when the version changed since it was read (another user acted first);
/// `Error::Backend` on failure.
pub async fn transition(
    tx: &Tx,
    id: DocumentId,
    expected_version: i32,
    to: IncomingState,
    at: OffsetDateTime,
) -> Result<i32, Error> {
    let result = documents::Entity::update_many()
        .col_expr(documents::Column::State, Expr::value(to.code()))
        .col_expr(
            documents::Column::Version,
            Expr::value(expected_version + 1),
        )
        .col_expr(documents::Column::UpdatedAt, Expr::value(at))
        .filter(documents::Column::Id.eq(id.get()))
        .filter(documents::Column::Version.eq(expected_version))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Err(Error::Conflict {
            detail: format!("document {id} is no longer at version {expected_version}"),
        });
    }
    Ok(expected_version + 1)
}

/// Stores an assignment.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_assignment(tx: &Tx, assignment: NewAssignment<'_>) -> Result<i64, Error> {
    let result = assignments::Entity::insert(assignments::ActiveModel {
        id: NotSet,
        document_id: Set(assignment.document_id.get()),
        level: Set(assignment.level.to_owned()),
        assignee_id: Set(assignment.assignee.get()),
        role: Set(assignment.role.to_owned()),
        directive_note: Set(assignment.directive_note.map(str::to_owned)),
        deadline: Set(assignment.deadline),
        assigned_by: Set(assignment.assigned_by.get()),
        assigned_at: Set(assignment.assigned_at),
        completed_at: Set(None),
        revoked_at: Set(None),
        reply_document_id: Set(None),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// Marks every active assignment of `document` as replaced at `at`; returns how many.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn revoke_assignments(
    tx: &Tx,
    document: DocumentId,
    at: OffsetDateTime,
) -> Result<u64, Error> {
    let result = assignments::Entity::update_many()
        .col_expr(assignments::Column::RevokedAt, Expr::value(Some(at)))
        .filter(assignments::Column::DocumentId.eq(document.get()))
        .filter(assignments::Column::RevokedAt.is_null())
        .filter(assignments::Column::CompletedAt.is_null())
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(result.rows_affected)
}

/// Marks every active assignment of `document` as completed at `at`, with the reply document.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn complete_assignments(
    tx: &Tx,
    document: DocumentId,
    at: OffsetDateTime,
    reply: Option<DocumentId>,
) -> Result<u64, Error> {
    let result = assignments::Entity::update_many()
        .col_expr(assignments::Column::CompletedAt, Expr::value(Some(at)))
        .col_expr(
            assignments::Column::ReplyDocumentId,
            Expr::value(reply.map(|id| id.get())),
        )
        .filter(assignments::Column::DocumentId.eq(document.get()))
        .filter(assignments::Column::RevokedAt.is_null())
        .filter(assignments::Column::CompletedAt.is_null())
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(result.rows_affected)
}

/// Every assignment of `document`, active and past, in the order they were made.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn assignments(conn: &impl Conn, document: DocumentId) -> Result<Vec<Assignment>, Error> {
    assignments_of(conn, &[document]).await
}

/// Every assignment of the given documents, in the order they were made.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn assignments_of(
    conn: &impl Conn,
    documents: &[DocumentId],
) -> Result<Vec<Assignment>, Error> {
    let mut rows = Vec::new();
    // Chunks keep the `IN` list well under every backend's parameter limit.
    for chunk in documents.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|id| id.get()).collect();
        rows.extend(
            assignments::Entity::find()
                .filter(assignments::Column::DocumentId.is_in(ids))
                .order_by_asc(assignments::Column::Id)
                .all(conn.connection())
                .await
                .map_err(Error::backend)?,
        );
    }
    let mut people: Vec<i64> = rows
        .iter()
        .flat_map(|row| [row.assignee_id, row.assigned_by])
        .collect();
    people.sort_unstable();
    people.dedup();
    let names = user_names(conn, &people).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|row| Assignment {
            id: row.id,
            document_id: DocumentId(row.document_id),
            level: row.level,
            assignee_id: UserId(row.assignee_id),
            assignee_name: name(row.assignee_id),
            role: row.role,
            directive_note: row.directive_note,
            deadline: row.deadline,
            assigned_by: UserId(row.assigned_by),
            assigned_by_name: name(row.assigned_by),
            assigned_at: row.assigned_at,
            completed_at: row.completed_at,
            revoked_at: row.revoked_at,
            reply_document_id: row.reply_document_id.map(DocumentId),
        })
        .collect())
}

/// The active assignments of `user` (not replaced, not completed), oldest first.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn active_assignments_of_user(
    conn: &impl Conn,
    user: UserId,
) -> Result<Vec<Assignment>, Error> {
    let documents: Vec<DocumentId> = assignments::Entity::find()
        .filter(assignments::Column::AssigneeId.eq(user.get()))
        .filter(assignments::Column::RevokedAt.is_null())
        .filter(assignments::Column::CompletedAt.is_null())
        .all(conn.connection())
        .await
        .map_err(Error::backend)?
        .into_iter()
        .map(|row| DocumentId(row.document_id))
        .collect();
    Ok(assignments_of(conn, &documents)
        .await?
        .into_iter()
        .filter(|assignment| assignment.assignee_id == user && assignment.is_active())
        .collect())
}

/// The documents `user` was ever assigned, in any role (in force, completed or replaced).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn documents_assigned_to(
    conn: &impl Conn,
    user: UserId,
) -> Result<Vec<DocumentId>, Error> {
    let mut ids: Vec<DocumentId> = assignments::Entity::find()
        .filter(assignments::Column::AssigneeId.eq(user.get()))
        .all(conn.connection())
        .await
        .map_err(Error::backend)?
        .into_iter()
        .map(|row| DocumentId(row.document_id))
        .collect();
    ids.sort_unstable_by_key(|id| id.get());
    ids.dedup();
    Ok(ids)
}

/// Whether `user` was ever assigned `document` (in force, completed or replaced).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn was_assigned(
    conn: &impl Conn,
    document: DocumentId,
    user: UserId,
) -> Result<bool, Error> {
    let row = assignments::Entity::find()
        .filter(assignments::Column::DocumentId.eq(document.get()))
        .filter(assignments::Column::AssigneeId.eq(user.get()))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row.is_some())
}

/// Stores a progress note.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_note(
    tx: &Tx,
    document: DocumentId,
    author: UserId,
    note: &str,
    at: OffsetDateTime,
) -> Result<i64, Error> {
    let result = progress_notes::Entity::insert(progress_notes::ActiveModel {
        id: NotSet,
        document_id: Set(document.get()),
        author_id: Set(author.get()),
        note: Set(note.to_owned()),
        at: Set(at),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// The progress notes of `document`, oldest first.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn notes(conn: &impl Conn, document: DocumentId) -> Result<Vec<ProgressNote>, Error> {
    let rows = progress_notes::Entity::find()
        .filter(progress_notes::Column::DocumentId.eq(document.get()))
        .order_by_asc(progress_notes::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let mut people: Vec<i64> = rows.iter().map(|row| row.author_id).collect();
    people.sort_unstable();
    people.dedup();
    let names = user_names(conn, &people).await?;
    Ok(rows
        .into_iter()
        .map(|row| ProgressNote {
            id: row.id,
            author_id: UserId(row.author_id),
            author_name: names.get(&row.author_id).cloned().unwrap_or_default(),
            note: row.note,
            at: row.at,
        })
        .collect())
}

/// The handling facts of `document` (all empty when none were recorded).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn facts(conn: &impl Conn, document: DocumentId) -> Result<HandlingFacts, Error> {
    let row = incoming_handling::Entity::find_by_id(document.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row
        .map(|row| HandlingFacts {
            presented_to: row.presented_to.map(UserId),
            presented_at: row.presented_at,
            deadline: row.deadline,
            return_reason: row.return_reason,
            closed_at: row.closed_at,
            reply_number_symbol: row.reply_number_symbol,
        })
        .unwrap_or_default())
}

/// Stores the handling facts of `document`, replacing what was there.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn save_facts(tx: &Tx, document: DocumentId, facts: &HandlingFacts) -> Result<(), Error> {
    incoming_handling::Entity::insert(incoming_handling::ActiveModel {
        document_id: Set(document.get()),
        presented_to: Set(facts.presented_to.map(|id| id.get())),
        presented_at: Set(facts.presented_at),
        deadline: Set(facts.deadline),
        return_reason: Set(facts.return_reason.clone()),
        closed_at: Set(facts.closed_at),
        reply_number_symbol: Set(facts.reply_number_symbol.clone()),
    })
    .on_conflict(
        OnConflict::column(incoming_handling::Column::DocumentId)
            .update_columns([
                incoming_handling::Column::PresentedTo,
                incoming_handling::Column::PresentedAt,
                incoming_handling::Column::Deadline,
                incoming_handling::Column::ReturnReason,
                incoming_handling::Column::ClosedAt,
                incoming_handling::Column::ReplyNumberSymbol,
            ])
            .to_owned(),
    )
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// The incoming documents matching `filter`: newest arrival first, or in register order.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn tracking(
    conn: &impl Conn,
    filter: &TrackingFilter,
) -> Result<Vec<TrackedDocument>, Error> {
    #[derive(Debug, sea_orm::FromQueryResult)]
    struct Row {
        id: i64,
        state: String,
        version: i32,
        type_code: Option<String>,
        number_symbol: Option<String>,
        issuer_name: Option<String>,
        issued_date: Option<Date>,
        subject: Option<String>,
        urgency: String,
        secrecy: String,
        arrival_number: i64,
        arrived_at: OffsetDateTime,
        register_kind: String,
        register_year: i32,
        deadline: Option<Date>,
        reply_number_symbol: Option<String>,
    }
    let visible: Vec<&str> = [
        Secrecy::Normal,
        Secrecy::Confidential,
        Secrecy::Secret,
        Secrecy::TopSecret,
    ]
    .into_iter()
    .filter(|level| *level <= filter.clearance)
    .map(Secrecy::code)
    .collect();
    let mut query = documents::Entity::find()
        .select_only()
        .columns([
            documents::Column::Id,
            documents::Column::State,
            documents::Column::Version,
            documents::Column::TypeCode,
            documents::Column::NumberSymbol,
            documents::Column::IssuerName,
            documents::Column::IssuedDate,
            documents::Column::Subject,
            documents::Column::Urgency,
            documents::Column::Secrecy,
        ])
        .column(incoming_registrations::Column::ArrivalNumber)
        .column(incoming_registrations::Column::ArrivedAt)
        .column_as(registers::Column::Kind, "register_kind")
        .column_as(registers::Column::Year, "register_year")
        .column(incoming_handling::Column::Deadline)
        .column(incoming_handling::Column::ReplyNumberSymbol)
        .join(JoinType::InnerJoin, registration_relation())
        .join(JoinType::InnerJoin, register_relation())
        .join(JoinType::LeftJoin, handling_relation())
        .filter(Expr::col((documents::Entity, documents::Column::Direction)).eq("incoming"))
        .filter(documents::Column::OrganizationId.eq(filter.organization.get()))
        .filter(documents::Column::Secrecy.is_in(visible));
    if !filter.states.is_empty() {
        let states: Vec<&str> = filter.states.iter().map(|state| state.code()).collect();
        query = query.filter(documents::Column::State.is_in(states));
    }
    if let Some(assignee) = filter.assignee {
        query = query.filter(
            Expr::col((documents::Entity, documents::Column::Id)).in_subquery(
                Query::select()
                    .column(assignments::Column::DocumentId)
                    .from(assignments::Entity)
                    .and_where(Expr::col(assignments::Column::AssigneeId).eq(assignee.get()))
                    .and_where(Expr::col(assignments::Column::RevokedAt).is_null())
                    .to_owned(),
            ),
        );
    }
    if let Some(before) = filter.deadline_before {
        query = query.filter(
            Expr::col((
                incoming_handling::Entity,
                incoming_handling::Column::Deadline,
            ))
            .lt(before),
        );
    }
    if let Some(register) = filter.register {
        query = query.filter(registers::Column::Kind.eq(register.code()));
    }
    if let Some(year) = filter.year {
        query = query.filter(registers::Column::Year.eq(year));
    }
    query = if filter.register_order {
        query
            .order_by_asc(registers::Column::Kind)
            .order_by_asc(incoming_registrations::Column::ArrivalNumber)
    } else {
        query
            .order_by_desc(incoming_registrations::Column::ArrivedAt)
            .order_by_desc(documents::Column::Id)
    };
    let rows = query
        .limit(filter.limit)
        .offset(filter.offset)
        .into_model::<Row>()
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter()
        .map(|row| {
            Ok(TrackedDocument {
                id: DocumentId(row.id),
                state: IncomingState::parse(&row.state)
                    .map_err(|_| Error::corrupt("documents.state", row.state.clone()))?,
                version: row.version,
                type_code: row.type_code,
                number_symbol: row.number_symbol,
                issuer_name: row.issuer_name,
                issued_date: row.issued_date,
                subject: row.subject,
                urgency: Urgency::parse(&row.urgency)
                    .map_err(|_| Error::corrupt("documents.urgency", row.urgency.clone()))?,
                secrecy: Secrecy::parse(&row.secrecy)
                    .map_err(|_| Error::corrupt("documents.secrecy", row.secrecy.clone()))?,
                arrival_number: row.arrival_number,
                arrived_at: row.arrived_at,
                register: RegisterKind::parse(&row.register_kind)
                    .map_err(|_| Error::corrupt("registers.kind", row.register_kind.clone()))?,
                year: row.register_year,
                deadline: row.deadline,
                reply_number_symbol: row.reply_number_symbol,
            })
        })
        .collect()
}

/// The audit events whose target is `document`, in chain order.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn document_events(
    conn: &impl Conn,
    document: DocumentId,
) -> Result<Vec<DocumentEvent>, Error> {
    let rows = audit_events::Entity::find()
        .filter(audit_events::Column::Target.eq(format!("document:{document}")))
        .order_by_asc(audit_events::Column::Seq)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| DocumentEvent {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            details: row.details,
        })
        .collect())
}

/// The organisation and secrecy of any document (incoming or outgoing), for checking a reference
/// to it.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn document_scope(
    conn: &impl Conn,
    id: DocumentId,
) -> Result<Option<(OrganizationId, Secrecy)>, Error> {
    let row = documents::Entity::find_by_id(id.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(|row| {
        Ok((
            OrganizationId(row.organization_id),
            Secrecy::parse(&row.secrecy)
                .map_err(|_| Error::corrupt("documents.secrecy", row.secrecy.clone()))?,
        ))
    })
    .transpose()
}

/// Full names of the given users, by id.
async fn user_names(conn: &impl Conn, ids: &[i64]) -> Result<HashMap<i64, String>, Error> {
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = users::Entity::find()
            .filter(users::Column::Id.is_in(chunk.to_vec()))
            .all(conn.connection())
            .await
            .map_err(Error::backend)?;
        names.extend(rows.into_iter().map(|row| (row.id, row.full_name)));
    }
    Ok(names)
}

fn registration_relation() -> RelationDef {
    documents::Entity::belongs_to(incoming_registrations::Entity)
        .from(documents::Column::Id)
        .to(incoming_registrations::Column::DocumentId)
        .into()
}

fn register_relation() -> RelationDef {
    incoming_registrations::Entity::belongs_to(registers::Entity)
        .from(incoming_registrations::Column::RegisterId)
        .to(registers::Column::Id)
        .into()
}

fn handling_relation() -> RelationDef {
    documents::Entity::belongs_to(incoming_handling::Entity)
        .from(documents::Column::Id)
        .to(incoming_handling::Column::DocumentId)
        .into()
}
