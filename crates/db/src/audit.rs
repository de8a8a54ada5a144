//! The append-only audit trail and its hash chain.
//!
//! There is deliberately no update or delete here: events are only appended, by [`append`], inside
//! a write transaction that already holds the chain head (see the crate docs), so each event's
//! `prev_hash` is the hash of the event committed just before it.
//!
//! Checkpoints (signed statements "the chain had event `seq` with hash `hash`") are append-only
//! too: [`insert_checkpoint`] and [`checkpoints`], nothing else.

use domain::audit::{AuditEvent, ChainHash};
use domain::ids::OrganizationId;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use time::OffsetDateTime;

use crate::entities::{audit_checkpoints, audit_events, audit_head};
use crate::{Conn, Error, Tx};

/// The single row id of `audit_head`.
const HEAD_ID: i32 = 1;

/// An event to append; the sequence number and hashes are assigned by [`append`].
#[derive(Debug)]
pub struct NewAuditEvent<'a> {
    /// When it happened (from the application clock, at microsecond precision).
    pub at: OffsetDateTime,
    /// The organisation concerned, when there is one (a failed login for an unknown user has none).
    pub organization_id: Option<OrganizationId>,
    /// The username of the actor, or `system`.
    pub actor: &'a str,
    /// A stable action code such as `incoming.received`.
    pub action: &'a str,
    /// What was acted on, such as `document:12`.
    pub target: &'a str,
    /// A JSON text with the details; hashed as opaque bytes.
    pub details: &'a str,
    /// The request or command that caused it.
    pub operation_id: Option<&'a str>,
}

/// A stored event with the hash stored beside it.
#[derive(Debug, Clone)]
pub struct StoredAuditEvent {
    /// The event as it was hashed.
    pub event: AuditEvent,
    /// The organisation concerned, if any.
    pub organization_id: Option<OrganizationId>,
    /// The request or command that caused it.
    pub operation_id: Option<String>,
    /// The hash stored with the event.
    pub hash: ChainHash,
}

/// Takes the writer lock: an `UPDATE` of the head row that changes nothing but locks it.
pub(crate) async fn lock_head(connection: &impl ConnectionTrait) -> Result<(), Error> {
    let result = audit_head::Entity::update_many()
        .col_expr(
            audit_head::Column::Seq,
            Expr::col(audit_head::Column::Seq).into(),
        )
        .filter(audit_head::Column::Id.eq(HEAD_ID))
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Err(Error::corrupt("audit_head", "missing head row"));
    }
    Ok(())
}

/// Appends an event to the chain and returns it as stored.
///
/// # Errors
/// `Error::CorruptRow` when the stored head is not a valid hash; `Error::Backend` on failure.
pub async fn append(tx: &Tx, new: NewAuditEvent<'_>) -> Result<StoredAuditEvent, Error> {
    let connection = &tx.transaction;
    let head = audit_head::Entity::find_by_id(HEAD_ID)
        .one(connection)
        .await
        .map_err(Error::backend)?
        .ok_or_else(|| Error::corrupt("audit_head", "missing head row"))?;
    let prev_hash = ChainHash::from_hex(&head.hash)
        .map_err(|_| Error::corrupt("audit_head.hash", head.hash))?;
    let event = AuditEvent {
        seq: head.seq + 1,
        at: new.at,
        actor: new.actor.to_owned(),
        action: new.action.to_owned(),
        target: new.target.to_owned(),
        details: new.details.to_owned(),
        prev_hash,
    };
    let hash = event.hash();
    audit_events::Entity::insert(audit_events::ActiveModel {
        seq: Set(event.seq),
        at: Set(event.at),
        organization_id: Set(new.organization_id.map(OrganizationId::get)),
        actor: Set(event.actor.clone()),
        action: Set(event.action.clone()),
        target: Set(event.target.clone()),
        details: Set(event.details.clone()),
        operation_id: Set(new.operation_id.map(str::to_owned)),
        prev_hash: Set(event.prev_hash.to_hex()),
        hash: Set(hash.to_hex()),
    })
    .exec_without_returning(connection)
    .await
    .map_err(Error::backend)?;
    audit_head::Entity::update(audit_head::ActiveModel {
        id: Set(HEAD_ID),
        seq: Set(event.seq),
        hash: Set(hash.to_hex()),
    })
    .exec(connection)
    .await
    .map_err(Error::backend)?;
    Ok(StoredAuditEvent {
        event,
        organization_id: new.organization_id,
        operation_id: new.operation_id.map(str::to_owned),
        hash,
    })
}

/// The head of the chain: the last sequence number and its hash (`0` and the genesis hash when empty).
///
/// # Errors
/// `Error::CorruptRow` when the head is missing or malformed.
pub async fn head(conn: &impl Conn) -> Result<(i64, ChainHash), Error> {
    let head = audit_head::Entity::find_by_id(HEAD_ID)
        .one(conn.connection())
        .await
        .map_err(Error::backend)?
        .ok_or_else(|| Error::corrupt("audit_head", "missing head row"))?;
    let hash = ChainHash::from_hex(&head.hash)
        .map_err(|_| Error::corrupt("audit_head.hash", head.hash))?;
    Ok((head.seq, hash))
}

/// Up to `limit` events with a sequence number above `after_seq`, in order.
///
/// # Errors
/// `Error::CorruptRow` when a stored hash is malformed; `Error::Backend` on failure.
pub async fn events_after(
    conn: &impl Conn,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<StoredAuditEvent>, Error> {
    let rows = audit_events::Entity::find()
        .filter(audit_events::Column::Seq.gt(after_seq))
        .order_by_asc(audit_events::Column::Seq)
        .limit(limit)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(from_row).collect()
}

/// The events of `organization`, and those tied to no organisation (such as a failed login with an
/// unknown username), with `from <= at < until` where given, in chain order.
///
/// The time range is applied here rather than in SQL: events keep the offset they were written
/// with, and SQLite compares timestamps as text, which is the time order only for one offset.
///
/// # Errors
/// `Error::CorruptRow` when a stored hash is malformed; `Error::Backend` on failure.
pub async fn events_of_organization(
    conn: &impl Conn,
    organization: OrganizationId,
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> Result<Vec<StoredAuditEvent>, Error> {
    let rows = audit_events::Entity::find()
        .filter(
            audit_events::Column::OrganizationId
                .eq(organization.get())
                .or(audit_events::Column::OrganizationId.is_null()),
        )
        .order_by_asc(audit_events::Column::Seq)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter()
        .filter(|row| from.is_none_or(|from| row.at >= from))
        .filter(|row| until.is_none_or(|until| row.at < until))
        .map(from_row)
        .collect()
}

/// A checkpoint to store: a detached CMS signature over the canonical text of (`seq`, `hash`, `at`).
#[derive(Debug)]
pub struct NewCheckpoint<'a> {
    /// The sequence number of the checkpointed event.
    pub seq: i64,
    /// That event's stored hash.
    pub hash: ChainHash,
    /// When the checkpoint was made.
    pub at: OffsetDateTime,
    /// The CMS `ContentInfo(SignedData)`, base64 of its DER.
    pub signature: &'a str,
    /// The signer's subject, for display.
    pub signer_subject: &'a str,
}

/// A stored checkpoint, as stored: the caller verifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Its id; ids grow with insertion order.
    pub id: i64,
    /// The checkpointed sequence number.
    pub seq: i64,
    /// The checkpointed hash, hex as stored.
    pub hash: String,
    /// When it was made.
    pub at: OffsetDateTime,
    /// The CMS, base64 as stored.
    pub signature: String,
    /// The signer's subject.
    pub signer_subject: String,
}

/// Stores a checkpoint.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn insert_checkpoint(tx: &Tx, checkpoint: NewCheckpoint<'_>) -> Result<i64, Error> {
    let result = audit_checkpoints::Entity::insert(audit_checkpoints::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        seq: Set(checkpoint.seq),
        hash: Set(checkpoint.hash.to_hex()),
        at: Set(checkpoint.at),
        signature: Set(checkpoint.signature.to_owned()),
        signer_subject: Set(checkpoint.signer_subject.to_owned()),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// Every checkpoint, in the order they were made.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn checkpoints(conn: &impl Conn) -> Result<Vec<StoredCheckpoint>, Error> {
    let rows = audit_checkpoints::Entity::find()
        .order_by_asc(audit_checkpoints::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| StoredCheckpoint {
            id: row.id,
            seq: row.seq,
            hash: row.hash,
            at: row.at,
            signature: row.signature,
            signer_subject: row.signer_subject,
        })
        .collect())
}

fn from_row(row: audit_events::Model) -> Result<StoredAuditEvent, Error> {
    let prev_hash = ChainHash::from_hex(&row.prev_hash)
        .map_err(|_| Error::corrupt("audit_events.prev_hash", row.prev_hash.clone()))?;
    let hash = ChainHash::from_hex(&row.hash)
        .map_err(|_| Error::corrupt("audit_events.hash", row.hash.clone()))?;
    Ok(StoredAuditEvent {
        event: AuditEvent {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            target: row.target,
            details: row.details,
            prev_hash,
        },
        organization_id: row.organization_id.map(OrganizationId),
        operation_id: row.operation_id,
        hash,
    })
}
