//! Entity for the `signature_log` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signature_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub document_id: Option<i64>,
    pub blob_sha256: String,
    #[sea_orm(column_type = "Text")]
    pub field: String,
    pub is_document_timestamp: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub signer_subject: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub signer_issuer: Option<String>,
    pub signer_serial: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub certificate: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub chain: Option<String>,
    pub signing_time: Option<TimeDateTimeWithTimeZone>,
    pub timestamp_time: Option<TimeDateTimeWithTimeZone>,
    pub algorithm: Option<String>,
    pub level: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub revocation: Option<String>,
    pub conclusion: String,
    #[sea_orm(column_type = "Text")]
    pub reasons: String,
    pub checked_at: TimeDateTimeWithTimeZone,
    pub checked_by: String,
    pub origin: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
