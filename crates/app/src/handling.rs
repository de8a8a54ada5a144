//! Handling an incoming document after registration (Decree 30/2020, Điều 23–24): the clerk
//! presents it to a leader or returns it to its sender, the leader assigns a lead handler (chủ
//! trì), co-operating handlers (phối hợp) and people kept informed (để biết), each with a deadline
//! in working days or as a date, handlers record progress and the lead closes it.
//!
//! Every change is optimistic: the document and its `version` are read before the write
//! transaction (with the users, the holiday calendar and every check), and the transaction moves
//! the state only if the version is unchanged, so of two leaders acting at once one wins and the
//! other is told `incoming.concurrent_change`. The change, its audit event and the edXML status
//! reported back to an internal sender (`db::deliveries::report_status`) commit together.

use domain::audit::AuditAction;
use domain::calendar::{MAX_WORKING_DAYS, WorkingCalendar, end_of_vietnam_day, vietnam_date};
use domain::ids::{DocumentId, UserId};
use domain::incoming::{IncomingAction, IncomingState, is_overdue};
use domain::levels::{Secrecy, Urgency};
use domain::register::RegisterKind;
use domain::role::Role;
use domain::user::Username;
use time::{Date, OffsetDateTime};

use crate::audit::AuditRecord;
use crate::{Actor, App, Error, FieldIssue, OperationId, Permission};

/// The longest note, direction or reason accepted, in characters.
const MAX_NOTE_CHARS: usize = 2000;
/// The most rows one list returns.
pub const MAX_LIST_LIMIT: u64 = 500;
/// The rows a list returns when no limit is given.
const DEFAULT_LIST_LIMIT: u64 = 100;

/// What a handler is asked to do (Điều 23.2–4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlingRole {
    /// Chủ trì: leads the handling and closes it.
    Lead,
    /// Phối hợp: co-operates with the lead.
    Cooperate,
    /// Để biết: kept informed, nothing to do.
    Information,
}

impl HandlingRole {
    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            HandlingRole::Lead => "lead",
            HandlingRole::Cooperate => "cooperate",
            HandlingRole::Information => "information",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            HandlingRole::Lead => "Chủ trì",
            HandlingRole::Cooperate => "Phối hợp",
            HandlingRole::Information => "Để biết",
        }
    }

    fn parse(code: &str) -> HandlingRole {
        match code {
            "lead" => HandlingRole::Lead,
            "cooperate" => HandlingRole::Cooperate,
            _ => HandlingRole::Information,
        }
    }
}

/// Who directs: the agency's leader (block 1 of the routing slip) or a unit's leader (block 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectionLevel {
    /// Lãnh đạo cơ quan.
    Agency,
    /// Lãnh đạo đơn vị.
    Unit,
}

impl DirectionLevel {
    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            DirectionLevel::Agency => "agency",
            DirectionLevel::Unit => "unit",
        }
    }

    fn parse(code: &str) -> DirectionLevel {
        match code {
            "unit" => DirectionLevel::Unit,
            _ => DirectionLevel::Agency,
        }
    }
}

/// One handler to assign, as typed (checked by the use case).
#[derive(Clone, Debug, Default)]
pub struct AssigneeInput {
    /// The handler's username.
    pub username: String,
    /// The deadline as a date, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// The deadline as a number of working days from today (weekends and holidays skipped).
    pub working_days: Option<u32>,
    /// The direction for this handler.
    pub note: Option<String>,
}

/// An assignment (or reassignment) as typed.
#[derive(Clone, Debug, Default)]
pub struct AssignInput {
    /// `agency` (default) or `unit`.
    pub level: Option<String>,
    /// The lead handler (chủ trì).
    pub lead: AssigneeInput,
    /// Co-operating handlers (phối hợp).
    pub cooperating: Vec<AssigneeInput>,
    /// People kept informed (để biết).
    pub information: Vec<AssigneeInput>,
    /// The version the leader saw; a newer one refuses the change.
    pub expected_version: Option<i32>,
}

/// Closing a document as handled.
#[derive(Clone, Debug, Default)]
pub struct CompleteInput {
    /// The lead's closing note.
    pub note: Option<String>,
    /// The reply document in this system, if any.
    pub reply_document_id: Option<i64>,
    /// The number and symbol of the reply, e.g. `15/UBND-VP`.
    pub reply_number_symbol: Option<String>,
    /// The version the handler saw.
    pub expected_version: Option<i32>,
}

/// Which incoming documents to list, as typed; all optional.
#[derive(Clone, Debug, Default)]
pub struct IncomingFilter {
    /// A state code.
    pub state: Option<String>,
    /// A handler's username: documents with an assignment to them.
    pub assignee: Option<String>,
    /// Only overdue documents (`true`) or only those that are not (`false`).
    pub overdue: Option<bool>,
    /// Only deadlines strictly before this date, `YYYY-MM-DD`.
    pub deadline_before: Option<String>,
    /// A register kind code (`incoming`, `secret_incoming`).
    pub register: Option<String>,
    /// A register year.
    pub year: Option<i32>,
    /// At most this many (default 100, at most [`MAX_LIST_LIMIT`]).
    pub limit: Option<u64>,
    /// Skip this many.
    pub offset: Option<u64>,
}

/// One assignment as shown.
#[derive(Clone, Debug)]
pub struct AssignmentView {
    /// Its id.
    pub id: i64,
    /// The document.
    pub document_id: DocumentId,
    /// Agency or unit leader's direction.
    pub level: DirectionLevel,
    /// What the handler is asked to do.
    pub role: HandlingRole,
    /// The handler.
    pub assignee_id: UserId,
    /// The handler's name.
    pub assignee_name: String,
    /// The direction.
    pub directive_note: Option<String>,
    /// The deadline.
    pub deadline: Option<Date>,
    /// Who assigned it.
    pub assigned_by_name: String,
    /// When.
    pub assigned_at: OffsetDateTime,
    /// When the document was closed.
    pub completed_at: Option<OffsetDateTime>,
    /// When a reassignment replaced it.
    pub revoked_at: Option<OffsetDateTime>,
    /// Whether it is still in force.
    pub active: bool,
    /// Whether its deadline has passed while it is in force.
    pub overdue: bool,
}

/// A progress note as shown.
#[derive(Clone, Debug)]
pub struct ProgressNoteView {
    /// The author's name.
    pub author_name: String,
    /// The note.
    pub note: String,
    /// When.
    pub at: OffsetDateTime,
}

/// The handling of one incoming document.
#[derive(Clone, Debug)]
pub struct Handling {
    /// The document.
    pub id: DocumentId,
    /// Its state.
    pub state: IncomingState,
    /// Its version, to send back with the next change.
    pub version: i32,
    /// The lead's deadline.
    pub deadline: Option<Date>,
    /// Whether it is overdue now.
    pub overdue: bool,
    /// The leader it was presented to.
    pub presented_to_name: Option<String>,
    /// When.
    pub presented_at: Option<OffsetDateTime>,
    /// Why it was returned.
    pub return_reason: Option<String>,
    /// When it was closed.
    pub closed_at: Option<OffsetDateTime>,
    /// The reply's number and symbol.
    pub reply_number_symbol: Option<String>,
    /// Every assignment, past and active.
    pub assignments: Vec<AssignmentView>,
    /// The progress notes, oldest first.
    pub notes: Vec<ProgressNoteView>,
}

/// An incoming document in the tracking list.
#[derive(Clone, Debug)]
pub struct TrackedIncoming {
    /// Its id.
    pub id: DocumentId,
    /// Its state.
    pub state: IncomingState,
    /// Its version.
    pub version: i32,
    /// The number and symbol written on it.
    pub number_symbol: Option<String>,
    /// The type code.
    pub type_code: Option<String>,
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
    /// The lead's deadline.
    pub deadline: Option<Date>,
    /// Whether it is overdue now.
    pub overdue: bool,
    /// The reply's number and symbol.
    pub reply_number_symbol: Option<String>,
}

/// A handler's open task: an active assignment and its document.
#[derive(Clone, Debug)]
pub struct Task {
    /// The assignment.
    pub assignment: AssignmentView,
    /// The document.
    pub document: TrackedIncoming,
}

/// One event of a document's history, readable.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    /// Its position in the audit chain.
    pub seq: i64,
    /// When.
    pub at: OffsetDateTime,
    /// Who (username).
    pub actor: String,
    /// The action code.
    pub action: String,
    /// The action in Vietnamese.
    pub label: &'static str,
    /// The recorded details.
    pub details: serde_json::Value,
}

/// An assignee after checking.
#[derive(Debug)]
struct CheckedAssignee {
    user: db::users::User,
    role: HandlingRole,
    deadline: Option<Date>,
    note: Option<String>,
}

impl App {
    /// The clerk presents a registered document to a leader (Điều 23.1).
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound` for a document the actor may not see; `Validation`
    /// when `leader` is not a leader of the organisation cleared for the document;
    /// `InvalidState` (`incoming.invalid_state`, `incoming.concurrent_change`).
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn present_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
        leader: &str,
        note: Option<&str>,
        expected_version: Option<i32>,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::PresentIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        check_version(&document, expected_version)?;
        let note = optional_text("note", note)?;
        let leader = self
            .colleague(actor, "leader", leader, &[Role::Leader], document.secrecy)
            .await?;
        let now = self.clock.now();
        let to = transition(document.state, IncomingAction::Present, now)?;
        let mut facts = db::handling::facts(&self.db, id).await?;
        facts.presented_to = Some(leader.id);
        facts.presented_at = Some(now);

        let tx = self.db.begin_write().await?;
        commit_transition(&tx, &document, to, now).await?;
        db::handling::save_facts(&tx, id, &facts).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingPresented,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "leader": leader.username.as_str(),
                    "note": note,
                    "state": to.code(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.incoming_handling(actor, id).await
    }

    /// The clerk returns a received document to its sender with a reason (Điều 21.2).
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound`; `Validation` without a reason; `InvalidState`
    /// unless the document is received and not yet registered.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn return_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
        reason: &str,
        expected_version: Option<i32>,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::PresentIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        check_version(&document, expected_version)?;
        let Some(reason) = optional_text("reason", Some(reason))? else {
            return Err(Error::invalid(
                "reason",
                "a reason is required to return a document",
            ));
        };
        let now = self.clock.now();
        let to = transition(document.state, IncomingAction::Return, now)?;
        let mut facts = db::handling::facts(&self.db, id).await?;
        facts.return_reason = Some(reason.clone());

        let tx = self.db.begin_write().await?;
        commit_transition(&tx, &document, to, now).await?;
        db::handling::save_facts(&tx, id, &facts).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingReturned,
                target: &format!("document:{id}"),
                details: serde_json::json!({ "reason": reason, "state": to.code() }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.incoming_handling(actor, id).await
    }

    /// A leader assigns a registered or presented document: one lead, any co-operating handlers
    /// and people kept informed, each with an optional deadline and direction (Điều 23.2–4).
    ///
    /// # Errors
    /// `Forbidden` unless a leader; `NotFound`; `Validation` listing every bad handler or
    /// deadline; `InvalidState` when the document is not awaiting assignment or another leader
    /// acted first.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn assign_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
        input: &AssignInput,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        self.assign(actor, id, input, IncomingAction::Assign, operation)
            .await
    }

    /// A leader replaces the assignment of a document being handled; the old assignments are kept
    /// as history, marked replaced.
    ///
    /// # Errors
    /// As [`App::assign_incoming`]; `InvalidState` unless the document is in progress.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn reassign_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
        input: &AssignInput,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        self.assign(actor, id, input, IncomingAction::Reassign, operation)
            .await
    }

    async fn assign(
        &self,
        actor: &Actor,
        id: DocumentId,
        input: &AssignInput,
        action: IncomingAction,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::AssignIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        check_version(&document, input.expected_version)?;
        let now = self.clock.now();
        let to = transition(document.state, action, now)?;
        let level = match input.level.as_deref().map(str::trim) {
            None | Some("") | Some("agency") => DirectionLevel::Agency,
            Some("unit") => DirectionLevel::Unit,
            Some(other) => {
                return Err(Error::invalid(
                    "level",
                    format!("{other:?} is not agency or unit"),
                ));
            }
        };
        let assignees = self.check_assignees(actor, &document, input, now).await?;
        let deadline = assignees
            .iter()
            .find(|assignee| assignee.role == HandlingRole::Lead)
            .and_then(|assignee| assignee.deadline);
        let mut facts = db::handling::facts(&self.db, id).await?;
        facts.deadline = deadline;

        let tx = self.db.begin_write().await?;
        commit_transition(&tx, &document, to, now).await?;
        let replaced = db::handling::revoke_assignments(&tx, id, now).await?;
        for assignee in &assignees {
            db::handling::insert_assignment(
                &tx,
                db::handling::NewAssignment {
                    document_id: id,
                    level: level.code(),
                    assignee: assignee.user.id,
                    role: assignee.role.code(),
                    directive_note: assignee.note.as_deref(),
                    deadline: assignee.deadline,
                    assigned_by: actor.user_id,
                    assigned_at: now,
                },
            )
            .await?;
        }
        db::handling::save_facts(&tx, id, &facts).await?;
        let audit_action = match action {
            IncomingAction::Reassign => AuditAction::IncomingReassigned,
            _ => AuditAction::IncomingAssigned,
        };
        let handlers: Vec<serde_json::Value> = assignees
            .iter()
            .map(|assignee| {
                serde_json::json!({
                    "user": assignee.user.username.as_str(),
                    "role": assignee.role.code(),
                    "deadline": assignee.deadline.map(|date| date.to_string()),
                    "note": assignee.note,
                })
            })
            .collect();
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: audit_action,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "level": level.code(),
                    "handlers": handlers,
                    "replaced": replaced,
                    "state": to.code(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.incoming_handling(actor, id).await
    }

    /// A handler (lead or co-operating, or a leader) records progress on a document in progress.
    ///
    /// # Errors
    /// `Forbidden` for a role that handles nothing or a user not assigned to it; `NotFound`;
    /// `Validation` for an empty note; `InvalidState` unless in progress.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn record_progress(
        &self,
        actor: &Actor,
        id: DocumentId,
        note: &str,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::HandleIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        let Some(note) = optional_text("note", Some(note))? else {
            return Err(Error::invalid("note", "the progress note is empty"));
        };
        if document.state != IncomingState::InProgress {
            return Err(invalid_state(document.state, "record progress on"));
        }
        let assignments = db::handling::assignments(&self.db, id).await?;
        let acting_as = assignments
            .iter()
            .filter(|assignment| assignment.is_active() && assignment.assignee_id == actor.user_id)
            .map(|assignment| HandlingRole::parse(&assignment.role))
            .find(|role| *role != HandlingRole::Information);
        if acting_as.is_none() && !actor.roles.contains(&Role::Leader) {
            return Err(Error::Forbidden {
                action: "record progress on a document not assigned to you",
            });
        }
        let now = self.clock.now();

        let tx = self.db.begin_write().await?;
        // Under the writer lock: a completion or reassignment committed since the checks above
        // changed the version, and the note must not land on it.
        let current = db::handling::find(&tx, id).await?;
        if current.is_none_or(|current| current.version != document.version) {
            return Err(concurrent_change());
        }
        db::handling::insert_note(&tx, id, actor.user_id, &note, now).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingProgressNoted,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "note": note,
                    "as": acting_as.map_or("leader", HandlingRole::code),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.incoming_handling(actor, id).await
    }

    /// The lead handler (or a leader) closes a document as handled, with an optional reply.
    ///
    /// # Errors
    /// `Forbidden` unless the active lead or a leader; `NotFound`; `Validation` for a reply
    /// document that does not exist or is not visible; `InvalidState` unless in progress.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn complete_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
        input: &CompleteInput,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::HandleIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        check_version(&document, input.expected_version)?;
        let assignments = db::handling::assignments(&self.db, id).await?;
        let leads = assignments.iter().any(|assignment| {
            assignment.is_active()
                && assignment.assignee_id == actor.user_id
                && assignment.role == HandlingRole::Lead.code()
        });
        if !leads && !actor.roles.contains(&Role::Leader) {
            return Err(Error::Forbidden {
                action: "close a document you do not lead",
            });
        }
        let now = self.clock.now();
        let to = transition(document.state, IncomingAction::Complete, now)?;
        let note = optional_text("note", input.note.as_deref())?;
        let reply_number_symbol =
            optional_text("reply_number_symbol", input.reply_number_symbol.as_deref())?;
        if let Some(symbol) = &reply_number_symbol
            && symbol.chars().count() > 50
        {
            return Err(Error::invalid(
                "reply_number_symbol",
                "longer than 50 characters",
            ));
        }
        let reply = match input.reply_document_id {
            None => None,
            Some(raw) => {
                let reply = DocumentId(raw);
                match db::handling::document_scope(&self.db, reply).await? {
                    Some((organization, secrecy)) if actor.can_see(organization, secrecy) => {
                        Some(reply)
                    }
                    _ => {
                        return Err(Error::invalid(
                            "reply_document_id",
                            format!("no document {raw} that you can see"),
                        ));
                    }
                }
            }
        };
        let mut facts = db::handling::facts(&self.db, id).await?;
        facts.closed_at = Some(now);
        facts.reply_number_symbol = reply_number_symbol.clone();

        let tx = self.db.begin_write().await?;
        commit_transition(&tx, &document, to, now).await?;
        db::handling::complete_assignments(&tx, id, now, reply).await?;
        if let Some(note) = &note {
            db::handling::insert_note(&tx, id, actor.user_id, note, now).await?;
        }
        db::handling::save_facts(&tx, id, &facts).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingCompleted,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "note": note,
                    "reply_document_id": reply.map(DocumentId::get),
                    "reply_number_symbol": reply_number_symbol,
                    "state": to.code(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.incoming_handling(actor, id).await
    }

    /// The handling of one document: state, deadline, overdue flag, assignments and notes.
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents; `NotFound`.
    pub async fn incoming_handling(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::ListIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        let now = self.clock.now();
        let facts = db::handling::facts(&self.db, id).await?;
        let assignments = db::handling::assignments(&self.db, id).await?;
        let notes = db::handling::notes(&self.db, id).await?;
        let presented_to_name = match facts.presented_to {
            Some(user) => db::users::find(&self.db, user)
                .await?
                .map(|user| user.full_name.as_str().to_owned()),
            None => None,
        };
        Ok(Handling {
            id,
            state: document.state,
            version: document.version,
            deadline: facts.deadline,
            overdue: is_overdue(document.state, facts.deadline.map(end_of_vietnam_day), now),
            presented_to_name,
            presented_at: facts.presented_at,
            return_reason: facts.return_reason,
            closed_at: facts.closed_at,
            reply_number_symbol: facts.reply_number_symbol,
            assignments: assignments
                .iter()
                .map(|assignment| assignment_view(assignment, document.state, now))
                .collect(),
            notes: notes
                .into_iter()
                .map(|note| ProgressNoteView {
                    author_name: note.author_name,
                    note: note.note,
                    at: note.at,
                })
                .collect(),
        })
    }

    /// The incoming documents of the actor's organisation that match `filter`, newest first, each
    /// with its deadline and overdue flag.
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents; `Validation` listing every bad filter.
    pub async fn track_incoming(
        &self,
        actor: &Actor,
        filter: &IncomingFilter,
    ) -> Result<Vec<TrackedIncoming>, Error> {
        actor.require(Permission::ListIncoming)?;
        let now = self.clock.now();
        let checked = self.check_filter(actor, filter, now).await?;
        let rows = db::handling::tracking(&self.db, &checked).await?;
        // "Not overdue" is decided here, on the same rule as the flag.
        Ok(rows
            .into_iter()
            .map(|row| tracked(row, now))
            .filter(|row| filter.overdue != Some(false) || !row.overdue)
            .collect())
    }

    /// The actor's open tasks: active assignments as lead or co-operating handler (and those for
    /// information), oldest first.
    ///
    /// # Errors
    /// `Forbidden` unless a handler role.
    pub async fn my_tasks(&self, actor: &Actor) -> Result<Vec<Task>, Error> {
        actor.require(Permission::HandleIncoming)?;
        let now = self.clock.now();
        let assignments = db::handling::active_assignments_of_user(&self.db, actor.user_id).await?;
        let rows = db::handling::tracking(
            &self.db,
            &db::handling::TrackingFilter {
                organization: actor.organization_id,
                clearance: actor.clearance,
                states: Vec::new(),
                assignee: Some(actor.user_id),
                deadline_before: None,
                register: None,
                year: None,
                register_order: false,
                limit: 10_000,
                offset: 0,
            },
        )
        .await?;
        let mut tasks = Vec::new();
        for assignment in &assignments {
            let Some(row) = rows.iter().find(|row| row.id == assignment.document_id) else {
                continue;
            };
            tasks.push(Task {
                assignment: assignment_view(assignment, row.state, now),
                document: tracked(row.clone(), now),
            });
        }
        Ok(tasks)
    }

    /// A document's history: its audit events, oldest first, with Vietnamese labels.
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents; `NotFound`.
    pub async fn incoming_history(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<Vec<HistoryEntry>, Error> {
        actor.require(Permission::ListIncoming)?;
        self.visible_incoming(actor, id).await?;
        let events = db::handling::document_events(&self.db, id).await?;
        Ok(events
            .into_iter()
            .map(|event| HistoryEntry {
                seq: event.seq,
                at: event.at,
                label: action_label(&event.action),
                details: serde_json::from_str(&event.details).unwrap_or(serde_json::Value::Null),
                actor: event.actor,
                action: event.action,
            })
            .collect())
    }

    /// The public holidays that deadlines skip, by date: (date, name, kind).
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents.
    pub async fn holidays(&self, actor: &Actor) -> Result<Vec<(Date, String, String)>, Error> {
        actor.require(Permission::ListIncoming)?;
        Ok(db::handling::holidays(&self.db)
            .await?
            .into_iter()
            .map(|holiday| (holiday.date, holiday.name, holiday.kind))
            .collect())
    }

    /// The public holidays the deadlines are counted on.
    ///
    /// # Errors
    /// `Unavailable` when the database fails.
    pub async fn working_calendar(&self) -> Result<WorkingCalendar, Error> {
        let holidays = db::handling::holidays(&self.db).await?;
        Ok(WorkingCalendar::new(
            holidays.into_iter().map(|holiday| holiday.date),
        ))
    }

    /// The incoming document `id` if the actor may see it; `NotFound` otherwise.
    ///
    /// Besides the organisation and the clearance, a handler who reads no register (an officer
    /// only) sees the documents they were assigned, and no others (Điều 24: the handler works on
    /// what the leader gave them).
    pub(crate) async fn visible_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<db::handling::HandledDocument, Error> {
        match db::handling::find(&self.db, id).await? {
            Some(document)
                if self
                    .reads_incoming(actor, id, document.organization_id, document.secrecy)
                    .await? =>
            {
                Ok(document)
            }
            _ => Err(Error::NotFound { what: "document" }),
        }
    }

    /// The one rule of who reads an incoming document (its metadata, its file, its handling):
    /// a user of its organisation cleared for its secrecy who either reads the register (clerk,
    /// leader, archivist, auditor) or was assigned it in any role, để biết included (Điều 24: the
    /// handler works on what the leader gave them). Used by every incoming read.
    pub(crate) async fn reads_incoming(
        &self,
        actor: &Actor,
        id: DocumentId,
        organization_id: domain::ids::OrganizationId,
        secrecy: Secrecy,
    ) -> Result<bool, Error> {
        if !actor.can_see(organization_id, secrecy) {
            return Ok(false);
        }
        if reads_the_register(actor) {
            return Ok(true);
        }
        Ok(db::handling::was_assigned(&self.db, id, actor.user_id).await?)
    }

    /// Of `documents` (of the actor's organisation, within the actor's clearance), those the
    /// actor reads by [`App::reads_incoming`]: all of them, or those assigned to the actor.
    pub(crate) async fn readable_incoming<T>(
        &self,
        actor: &Actor,
        documents: Vec<T>,
        id: impl Fn(&T) -> DocumentId,
    ) -> Result<Vec<T>, Error> {
        if reads_the_register(actor) {
            return Ok(documents);
        }
        let assigned: std::collections::HashSet<DocumentId> =
            db::handling::documents_assigned_to(&self.db, actor.user_id)
                .await?
                .into_iter()
                .collect();
        Ok(documents
            .into_iter()
            .filter(|document| assigned.contains(&id(document)))
            .collect())
    }

    /// A user of the actor's organisation, active, holding one of `roles` and cleared for
    /// `secrecy`; a `Validation` error on `field` otherwise.
    async fn colleague(
        &self,
        actor: &Actor,
        field: &'static str,
        username: &str,
        roles: &[Role],
        secrecy: Secrecy,
    ) -> Result<db::users::User, Error> {
        let unknown =
            || Error::invalid(field, format!("no user {username:?} in your organisation"));
        let Ok(parsed) = Username::parse(username.trim()) else {
            return Err(unknown());
        };
        let Some(user) = db::users::find_by_username(&self.db, &parsed).await? else {
            return Err(unknown());
        };
        if user.organization_id != actor.organization_id || !user.active {
            return Err(unknown());
        }
        if !user.roles.iter().any(|role| roles.contains(role)) {
            return Err(Error::invalid(
                field,
                format!("{username:?} does not hold the role needed"),
            ));
        }
        if user.clearance < secrecy {
            return Err(Error::invalid(
                field,
                format!("{username:?} is not cleared for this document's secrecy"),
            ));
        }
        Ok(user)
    }

    /// Checks every handler and deadline, reporting every problem at once.
    async fn check_assignees(
        &self,
        actor: &Actor,
        document: &db::handling::HandledDocument,
        input: &AssignInput,
        now: OffsetDateTime,
    ) -> Result<Vec<CheckedAssignee>, Error> {
        let calendar = self.working_calendar().await?;
        let today = vietnam_date(now);
        let mut issues = Vec::new();
        let mut checked: Vec<CheckedAssignee> = Vec::new();
        let groups = std::iter::once((HandlingRole::Lead, "lead", &input.lead))
            .chain(
                input
                    .cooperating
                    .iter()
                    .map(|assignee| (HandlingRole::Cooperate, "cooperating", assignee)),
            )
            .chain(
                input
                    .information
                    .iter()
                    .map(|assignee| (HandlingRole::Information, "information", assignee)),
            );
        for (role, field, assignee) in groups {
            let user = match self
                .colleague(
                    actor,
                    field,
                    &assignee.username,
                    &[Role::Officer, Role::Leader],
                    document.secrecy,
                )
                .await
            {
                Ok(user) => user,
                Err(Error::Validation { issues: found }) => {
                    issues.extend(found);
                    continue;
                }
                Err(other) => return Err(other),
            };
            if checked.iter().any(|other| other.user.id == user.id) {
                issues.push(FieldIssue {
                    field,
                    message: format!("{:?} is assigned twice", assignee.username),
                });
                continue;
            }
            let deadline = match deadline(&calendar, today, assignee) {
                Ok(deadline) => deadline,
                Err(message) => {
                    issues.push(FieldIssue { field, message });
                    continue;
                }
            };
            let note = match optional_text(field, assignee.note.as_deref()) {
                Ok(note) => note,
                Err(Error::Validation { issues: found }) => {
                    issues.extend(found);
                    continue;
                }
                Err(other) => return Err(other),
            };
            checked.push(CheckedAssignee {
                user,
                role,
                deadline,
                note,
            });
        }
        if !issues.is_empty() {
            return Err(Error::Validation { issues });
        }
        Ok(checked)
    }

    async fn check_filter(
        &self,
        actor: &Actor,
        filter: &IncomingFilter,
        now: OffsetDateTime,
    ) -> Result<db::handling::TrackingFilter, Error> {
        let mut issues = Vec::new();
        let mut states = match filter.state.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(code) => match IncomingState::parse(code) {
                Ok(state) => vec![state],
                Err(error) => {
                    issues.push(FieldIssue {
                        field: "state",
                        message: error.to_string(),
                    });
                    Vec::new()
                }
            },
        };
        let mut deadline_before = match filter.deadline_before.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match parse_date(text) {
                Some(date) => Some(date),
                None => {
                    issues.push(FieldIssue {
                        field: "deadline_before",
                        message: format!("{text:?} is not a date in the form YYYY-MM-DD"),
                    });
                    None
                }
            },
        };
        let register = match filter.register.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => match RegisterKind::parse(code) {
                Ok(kind @ (RegisterKind::Incoming | RegisterKind::SecretIncoming)) => Some(kind),
                _ => {
                    issues.push(FieldIssue {
                        field: "register",
                        message: format!("{code:?} is not an incoming register"),
                    });
                    None
                }
            },
        };
        let assignee = match filter.assignee.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(username) => match Username::parse(username) {
                Ok(parsed) => match db::users::find_by_username(&self.db, &parsed).await? {
                    Some(user) if user.organization_id == actor.organization_id => Some(user.id),
                    _ => {
                        issues.push(FieldIssue {
                            field: "assignee",
                            message: format!("no user {username:?} in your organisation"),
                        });
                        None
                    }
                },
                Err(_) => {
                    issues.push(FieldIssue {
                        field: "assignee",
                        message: format!("no user {username:?} in your organisation"),
                    });
                    None
                }
            },
        };
        let limit = filter.limit.unwrap_or(DEFAULT_LIST_LIMIT);
        if limit == 0 || limit > MAX_LIST_LIMIT {
            issues.push(FieldIssue {
                field: "limit",
                message: format!("must be between 1 and {MAX_LIST_LIMIT}"),
            });
        }
        // The database binds offsets as signed 64-bit integers (and panics on a larger one).
        if filter
            .offset
            .is_some_and(|offset| i64::try_from(offset).is_err())
        {
            issues.push(FieldIssue {
                field: "offset",
                message: "is too large".to_owned(),
            });
        }
        if let Some(year) = filter.year
            && !(1900..=9999).contains(&year)
        {
            issues.push(FieldIssue {
                field: "year",
                message: format!("{year} is not a register year"),
            });
        }
        if !issues.is_empty() {
            return Err(Error::Validation { issues });
        }
        // A handler who reads no register lists their own assignments only.
        let assignee = if reads_the_register(actor) {
            assignee
        } else {
            Some(actor.user_id)
        };
        if filter.overdue == Some(true) {
            // Overdue: the deadline's day has passed and the document is still open
            // (`domain::incoming::is_overdue`).
            let today = vietnam_date(now);
            deadline_before = Some(deadline_before.map_or(today, |date| date.min(today)));
            let open = [
                IncomingState::Received,
                IncomingState::Registered,
                IncomingState::AwaitingAssignment,
                IncomingState::InProgress,
                IncomingState::RecallPending,
            ];
            states = if states.is_empty() {
                open.to_vec()
            } else {
                states
                    .into_iter()
                    .filter(|state| open.contains(state))
                    .collect()
            };
            if states.is_empty() {
                // A closed state was asked for: nothing closed is overdue.
                states = vec![IncomingState::Recalled];
                deadline_before = Some(Date::MIN);
            }
        }
        Ok(db::handling::TrackingFilter {
            organization: actor.organization_id,
            clearance: actor.clearance,
            states,
            assignee,
            deadline_before,
            register,
            year: filter.year,
            register_order: false,
            limit: limit.min(MAX_LIST_LIMIT),
            offset: filter.offset.unwrap_or(0),
        })
    }
}

/// Whether the actor reads the whole incoming register (clerk, leader, archivist, auditor), rather
/// than only the documents assigned to them.
pub(crate) fn reads_the_register(actor: &Actor) -> bool {
    actor.roles.iter().any(|role| {
        matches!(
            role,
            Role::Clerk | Role::Leader | Role::Archivist | Role::Auditor
        )
    })
}

/// Stores the state change under the version read before the transaction, and reports the
/// state's edXML status to an internal sender.
async fn commit_transition(
    tx: &db::Tx,
    document: &db::handling::HandledDocument,
    to: IncomingState,
    at: OffsetDateTime,
) -> Result<(), Error> {
    db::handling::transition(tx, document.id, document.version, to, at)
        .await
        .map_err(|error| match error {
            db::Error::Conflict { .. } => concurrent_change(),
            other => other.into(),
        })?;
    if to != document.state
        && let Some(code) = to.status_code()
    {
        db::deliveries::report_status(tx, document.id, &format!("{code:02}"), to.label_vi(), at)
            .await?;
    }
    Ok(())
}

fn transition(
    state: IncomingState,
    action: IncomingAction,
    now: OffsetDateTime,
) -> Result<IncomingState, Error> {
    domain::incoming::apply(state, action, now)
        .map(|transition| transition.to)
        .map_err(|error| Error::InvalidState {
            code: "incoming.invalid_state",
            message: error.to_string(),
        })
}

fn invalid_state(state: IncomingState, what: &str) -> Error {
    Error::InvalidState {
        code: "incoming.invalid_state",
        message: format!("cannot {what} a document in state {}", state.code()),
    }
}

pub(crate) fn concurrent_change() -> Error {
    Error::InvalidState {
        code: "incoming.concurrent_change",
        message: "another user changed this document first; reload it and try again".to_owned(),
    }
}

pub(crate) fn check_version(
    document: &db::handling::HandledDocument,
    expected: Option<i32>,
) -> Result<(), Error> {
    match expected {
        Some(version) if version != document.version => Err(concurrent_change()),
        _ => Ok(()),
    }
}

/// A trimmed, non-empty text of at most [`MAX_NOTE_CHARS`], or `None` when blank.
pub(crate) fn optional_text(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<String>, Error> {
    let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::invalid(
            field,
            format!("longer than {MAX_NOTE_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(Some(text.to_owned()))
}

fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, format).ok()
}

/// The deadline of one handler: a date (not in the past) or a count of working days from today.
fn deadline(
    calendar: &WorkingCalendar,
    today: Date,
    assignee: &AssigneeInput,
) -> Result<Option<Date>, String> {
    let date = assignee
        .deadline
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty());
    match (date, assignee.working_days) {
        (Some(_), Some(_)) => {
            Err("give the deadline as a date or as working days, not both".to_owned())
        }
        (None, None) => Ok(None),
        (Some(text), None) => match parse_date(text) {
            Some(date) if date >= today => Ok(Some(date)),
            Some(_) => Err(format!("the deadline {text} is in the past")),
            None => Err(format!("{text:?} is not a date in the form YYYY-MM-DD")),
        },
        (None, Some(0)) => Err("a deadline needs at least one working day".to_owned()),
        (None, Some(days)) => calendar
            .add_working_days(today, days)
            .map(Some)
            .ok_or_else(|| format!("at most {MAX_WORKING_DAYS} working days")),
    }
}

fn assignment_view(
    assignment: &db::handling::Assignment,
    state: IncomingState,
    now: OffsetDateTime,
) -> AssignmentView {
    let active = assignment.is_active();
    AssignmentView {
        id: assignment.id,
        document_id: assignment.document_id,
        level: DirectionLevel::parse(&assignment.level),
        role: HandlingRole::parse(&assignment.role),
        assignee_id: assignment.assignee_id,
        assignee_name: assignment.assignee_name.clone(),
        directive_note: assignment.directive_note.clone(),
        deadline: assignment.deadline,
        assigned_by_name: assignment.assigned_by_name.clone(),
        assigned_at: assignment.assigned_at,
        completed_at: assignment.completed_at,
        revoked_at: assignment.revoked_at,
        active,
        overdue: active && is_overdue(state, assignment.deadline.map(end_of_vietnam_day), now),
    }
}

fn tracked(row: db::handling::TrackedDocument, now: OffsetDateTime) -> TrackedIncoming {
    TrackedIncoming {
        overdue: is_overdue(row.state, row.deadline.map(end_of_vietnam_day), now),
        id: row.id,
        state: row.state,
        version: row.version,
        number_symbol: row.number_symbol,
        type_code: row.type_code,
        issuer_name: row.issuer_name,
        issued_date: row.issued_date,
        subject: row.subject,
        urgency: row.urgency,
        secrecy: row.secrecy,
        arrival_number: row.arrival_number,
        arrived_at: row.arrived_at,
        register: row.register,
        year: row.year,
        deadline: row.deadline,
        reply_number_symbol: row.reply_number_symbol,
    }
}

/// The Vietnamese label of an audit action code, for the history.
fn action_label(code: &str) -> &'static str {
    match code {
        "incoming.received" => "Tiếp nhận và vào sổ văn bản đến",
        "incoming.presented" => "Trình lãnh đạo",
        "incoming.assigned" => "Phân công xử lý",
        "incoming.reassigned" => "Phân công lại",
        "incoming.progress_noted" => "Cập nhật tiến độ xử lý",
        "incoming.completed" => "Hoàn thành xử lý",
        "incoming.returned" => "Trả lại nơi gửi",
        "document.downloaded" => "Tải tệp văn bản",
        "signature.validated" => "Kiểm tra chữ ký số",
        "work_file.document_linked" => "Đưa vào hồ sơ",
        "work_file.document_unlinked" => "Rút khỏi hồ sơ",
        _ => "Thao tác khác",
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn input(deadline: Option<&str>, working_days: Option<u32>) -> AssigneeInput {
        AssigneeInput {
            username: "chuyenvien".to_owned(),
            deadline: deadline.map(str::to_owned),
            working_days,
            note: None,
        }
    }

    #[test]
    fn deadlines_as_dates_or_working_days() {
        let calendar = WorkingCalendar::new([date!(2026 - 03 - 19)]);
        let today = date!(2026 - 03 - 16);
        let check = |assignee: AssigneeInput, expected: Result<Option<Date>, &str>| {
            let actual = deadline(&calendar, today, &assignee);
            match expected {
                Ok(date) => assert_eq!(actual, Ok(date)),
                Err(fragment) => {
                    let message = actual.unwrap_err();
                    assert!(message.contains(fragment), "{message}");
                }
            }
        };
        check(input(None, None), Ok(None));
        check(
            input(Some("2026-03-20"), None),
            Ok(Some(date!(2026 - 03 - 20))),
        );
        // Monday + 4 working days skips the holiday on Thursday and the weekend.
        check(input(None, Some(4)), Ok(Some(date!(2026 - 03 - 23))));
        check(input(Some("2026-03-13"), None), Err("in the past"));
        check(input(Some("20/03/2026"), None), Err("YYYY-MM-DD"));
        check(input(Some("2026-03-20"), Some(2)), Err("not both"));
        check(input(None, Some(0)), Err("at least one"));
        check(input(None, Some(MAX_WORKING_DAYS + 1)), Err("at most"));
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(optional_text("note", Some("  ")).unwrap(), None);
        assert_eq!(
            optional_text("note", Some(" Đề nghị xử lý ")).unwrap(),
            Some("Đề nghị xử lý".to_owned())
        );
        assert!(optional_text("note", Some(&"a".repeat(MAX_NOTE_CHARS + 1))).is_err());
        assert!(optional_text("note", Some("a\u{0}b")).is_err());
    }
}
