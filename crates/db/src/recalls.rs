//! Recalls received from a sender (edXML status 13), kept per incoming document.
//!
//! A row remembers the state the incoming document was in when the recall arrived, because
//! refusing the recall (edXML 16) returns it there (`domain::incoming::apply_refuse_recall`),
//! and records the receiving clerk's answer (`accepted` or `refused`).

use domain::ids::{DocumentId, UserId};
use domain::incoming::IncomingState;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};
use time::OffsetDateTime;

use crate::entities::incoming_recalls;
use crate::{Conn, Error, Tx};

/// The receiver's answer to a recall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Đồng ý thu hồi (edXML 15).
    Accepted,
    /// Từ chối thu hồi (edXML 16).
    Refused,
}

impl Answer {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Answer::Accepted => "accepted",
            Answer::Refused => "refused",
        }
    }

    fn parse(code: &str) -> Result<Answer, Error> {
        match code {
            "accepted" => Ok(Answer::Accepted),
            "refused" => Ok(Answer::Refused),
            other => Err(Error::corrupt("incoming_recalls.answer", other)),
        }
    }
}

/// A recall of one incoming document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recall {
    /// The incoming document.
    pub document_id: DocumentId,
    /// Its state when the recall arrived.
    pub previous_state: IncomingState,
    /// The sender's reason.
    pub reason: Option<String>,
    /// When the recall arrived.
    pub requested_at: OffsetDateTime,
    /// The receiver's answer, once given.
    pub answer: Option<Answer>,
    /// Who answered.
    pub answered_by: Option<UserId>,
    /// When.
    pub answered_at: Option<OffsetDateTime>,
}

/// Records that the sender recalled `document` while it was in `previous_state`, replacing any
/// earlier recall of it.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn request(
    tx: &Tx,
    document: DocumentId,
    previous_state: IncomingState,
    reason: Option<&str>,
    at: OffsetDateTime,
) -> Result<(), Error> {
    incoming_recalls::Entity::insert(incoming_recalls::ActiveModel {
        document_id: Set(document.get()),
        previous_state: Set(previous_state.code().to_owned()),
        reason: Set(reason.map(str::to_owned)),
        requested_at: Set(at),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(incoming_recalls::Column::DocumentId)
            .update_columns([
                incoming_recalls::Column::PreviousState,
                incoming_recalls::Column::Reason,
                incoming_recalls::Column::RequestedAt,
                incoming_recalls::Column::Answer,
                incoming_recalls::Column::AnsweredBy,
                incoming_recalls::Column::AnsweredAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// The recall of `document`, if its sender recalled it.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find(conn: &impl Conn, document: DocumentId) -> Result<Option<Recall>, Error> {
    let row = incoming_recalls::Entity::find_by_id(document.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Recall {
        document_id: document,
        previous_state: IncomingState::parse(&row.previous_state).map_err(|_| {
            Error::corrupt(
                "incoming_recalls.previous_state",
                row.previous_state.clone(),
            )
        })?,
        reason: row.reason,
        requested_at: row.requested_at,
        answer: row.answer.as_deref().map(Answer::parse).transpose()?,
        answered_by: row.answered_by.map(UserId),
        answered_at: row.answered_at,
    }))
}

/// Records the receiver's answer to the recall of `document`.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn answer(
    tx: &Tx,
    document: DocumentId,
    answer: Answer,
    by: UserId,
    at: OffsetDateTime,
) -> Result<(), Error> {
    let Some(row) = incoming_recalls::Entity::find_by_id(document.get())
        .one(&tx.transaction)
        .await
        .map_err(Error::backend)?
    else {
        return Ok(());
    };
    let mut active: incoming_recalls::ActiveModel = row.into();
    active.answer = Set(Some(answer.code().to_owned()));
    active.answered_by = Set(Some(by.get()));
    active.answered_at = Set(Some(at));
    incoming_recalls::Entity::update(active)
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(())
}
