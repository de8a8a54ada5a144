//! Entity for the `incoming_recalls` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incoming_recalls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    pub previous_state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub requested_at: TimeDateTimeWithTimeZone,
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
