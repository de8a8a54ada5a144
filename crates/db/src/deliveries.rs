//! Deliveries of issued outgoing documents to their recipients, and the edXML status codes
//! (QĐ 28/2018, `01`…`16`) each recipient reports back.
//!
//! A delivery is created per recipient when the document is issued. Inside one deployment the
//! recipient's incoming document is linked on the row, and the recipient's side reports its
//! progress with [`report_status`] in the same transaction as its own state change. The latest
//! status is kept on the row; every status is kept in `delivery_statuses`, which is only inserted.

use domain::ids::{DocumentId, OrganizationId};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use time::OffsetDateTime;

use crate::entities::{deliveries, delivery_statuses};
use crate::{Conn, Error, Tx};

/// How a delivery travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// To an organisation of this deployment, through its intake.
    Internal,
    /// As an edXML package, handed to the exchange platform.
    Edxml,
}

impl Channel {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Internal => "internal",
            Channel::Edxml => "edxml",
        }
    }

    fn parse(code: &str) -> Result<Channel, Error> {
        match code {
            "internal" => Ok(Channel::Internal),
            "edxml" => Ok(Channel::Edxml),
            other => Err(Error::corrupt("deliveries.channel", other)),
        }
    }
}

/// A new delivery, with its first status.
#[derive(Debug)]
pub struct NewDelivery<'a> {
    /// The issued outgoing document.
    pub outgoing_document: DocumentId,
    /// The recipient organisation of this deployment, if it is one.
    pub recipient_organization: Option<OrganizationId>,
    /// The recipient's name.
    pub recipient_name: &'a str,
    /// The recipient's electronic id, when known.
    pub recipient_e_id: Option<&'a str>,
    /// How it travels.
    pub channel: Channel,
    /// The incoming document created at the recipient, for internal deliveries.
    pub incoming_document: Option<DocumentId>,
    /// The first status code, e.g. `01`.
    pub status_code: &'a str,
    /// Its description.
    pub status_description: &'a str,
    /// When.
    pub at: OffsetDateTime,
}

/// One delivery with its latest status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// The issued outgoing document.
    pub outgoing_document: DocumentId,
    /// The recipient organisation of this deployment, if it is one.
    pub recipient_organization: Option<OrganizationId>,
    /// The recipient's name.
    pub recipient_name: String,
    /// The recipient's electronic id, when known.
    pub recipient_e_id: Option<String>,
    /// How it travels.
    pub channel: Channel,
    /// The incoming document created at the recipient.
    pub incoming_document: Option<DocumentId>,
    /// The latest status code.
    pub status_code: String,
    /// Its description.
    pub status_description: String,
    /// When it was reported.
    pub status_at: OffsetDateTime,
}

/// One entry of a delivery's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStatus {
    /// The status code.
    pub code: String,
    /// Its description.
    pub description: String,
    /// When it was reported.
    pub at: OffsetDateTime,
}

/// Stores a delivery and its first status.
///
/// # Errors
/// `Error::Conflict` when the incoming document is already linked to a delivery;
/// `Error::Backend` on failure.
pub async fn insert(tx: &Tx, delivery: NewDelivery<'_>) -> Result<i64, Error> {
    let connection = &tx.transaction;
    let result = deliveries::Entity::insert(deliveries::ActiveModel {
        id: NotSet,
        outgoing_document_id: Set(delivery.outgoing_document.get()),
        recipient_organization_id: Set(delivery.recipient_organization.map(|id| id.get())),
        recipient_name: Set(delivery.recipient_name.to_owned()),
        recipient_e_id: Set(delivery.recipient_e_id.map(str::to_owned)),
        channel: Set(delivery.channel.code().to_owned()),
        incoming_document_id: Set(delivery.incoming_document.map(|id| id.get())),
        status_code: Set(delivery.status_code.to_owned()),
        status_description: Set(delivery.status_description.to_owned()),
        status_at: Set(delivery.at),
    })
    .exec(connection)
    .await
    .map_err(Error::backend)?;
    let id = result.last_insert_id;
    insert_history(
        tx,
        id,
        delivery.status_code,
        delivery.status_description,
        delivery.at,
    )
    .await?;
    Ok(id)
}

/// Records that the recipient of the delivery which brought `incoming_document` reached status
/// `code`; a no-op when that document did not arrive by an internal delivery.
///
/// Called by the recipient's side in the same transaction as its own state change.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn report_status(
    tx: &Tx,
    incoming_document: DocumentId,
    code: &str,
    description: &str,
    at: OffsetDateTime,
) -> Result<(), Error> {
    let connection = &tx.transaction;
    let Some(row) = deliveries::Entity::find()
        .filter(deliveries::Column::IncomingDocumentId.eq(incoming_document.get()))
        .one(connection)
        .await
        .map_err(Error::backend)?
    else {
        return Ok(());
    };
    set_status(tx, row.id, code, description, at).await
}

/// Records status `code` on delivery `delivery` (the sender's side, e.g. `13` on recall).
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn set_status(
    tx: &Tx,
    delivery: i64,
    code: &str,
    description: &str,
    at: OffsetDateTime,
) -> Result<(), Error> {
    let connection = &tx.transaction;
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::StatusCode,
            sea_orm::sea_query::Expr::value(code),
        )
        .col_expr(
            deliveries::Column::StatusDescription,
            sea_orm::sea_query::Expr::value(description),
        )
        .col_expr(
            deliveries::Column::StatusAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(deliveries::Column::Id.eq(delivery))
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    insert_history(tx, delivery, code, description, at).await
}

async fn insert_history(
    tx: &Tx,
    delivery: i64,
    code: &str,
    description: &str,
    at: OffsetDateTime,
) -> Result<(), Error> {
    delivery_statuses::Entity::insert(delivery_statuses::ActiveModel {
        id: NotSet,
        delivery_id: Set(delivery),
        status_code: Set(code.to_owned()),
        description: Set(description.to_owned()),
        at: Set(at),
    })
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// The deliveries of an outgoing document, in the order they were made.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn list_for_outgoing(
    conn: &impl Conn,
    outgoing_document: DocumentId,
) -> Result<Vec<Delivery>, Error> {
    let rows = deliveries::Entity::find()
        .filter(deliveries::Column::OutgoingDocumentId.eq(outgoing_document.get()))
        .order_by_asc(deliveries::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(from_model).collect()
}

/// The delivery that brought `incoming_document`, if it came by one.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find_by_incoming(
    conn: &impl Conn,
    incoming_document: DocumentId,
) -> Result<Option<Delivery>, Error> {
    let row = deliveries::Entity::find()
        .filter(deliveries::Column::IncomingDocumentId.eq(incoming_document.get()))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(from_model).transpose()
}

/// The status history of a delivery, oldest first.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn history(conn: &impl Conn, delivery: i64) -> Result<Vec<DeliveryStatus>, Error> {
    let rows = delivery_statuses::Entity::find()
        .filter(delivery_statuses::Column::DeliveryId.eq(delivery))
        .order_by_asc(delivery_statuses::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(rows
        .into_iter()
        .map(|row| DeliveryStatus {
            code: row.status_code,
            description: row.description,
            at: row.at,
        })
        .collect())
}

fn from_model(row: deliveries::Model) -> Result<Delivery, Error> {
    Ok(Delivery {
        id: row.id,
        outgoing_document: DocumentId(row.outgoing_document_id),
        recipient_organization: row.recipient_organization_id.map(OrganizationId),
        recipient_name: row.recipient_name,
        recipient_e_id: row.recipient_e_id,
        channel: Channel::parse(&row.channel)?,
        incoming_document: row.incoming_document_id.map(DocumentId),
        status_code: row.status_code,
        status_description: row.status_description,
        status_at: row.status_at,
    })
}
