//! Entity for the `audit_checkpoints` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub seq: i64,
    pub hash: String,
    pub at: TimeDateTimeWithTimeZone,
    #[sea_orm(column_type = "Text")]
    pub signature: String,
    #[sea_orm(column_type = "Text")]
    pub signer_subject: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
