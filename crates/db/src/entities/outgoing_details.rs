//! Entity for the `outgoing_details` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outgoing_details")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    pub signer_id: i64,
    pub copies: i32,
    pub register_id: Option<i64>,
    pub number: Option<i64>,
    pub signed_sha256: Option<String>,
    pub numbered_sha256: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_signature: Option<String>,
    pub issued_at: Option<TimeDateTimeWithTimeZone>,
    pub replaced_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
