//! Entity for the `audit_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: TimeDateTimeWithTimeZone,
    pub organization_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    #[sea_orm(column_type = "Text")]
    pub details: String,
    pub operation_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
