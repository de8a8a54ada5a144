//! Entity for the `incoming_handling` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incoming_handling")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    pub presented_to: Option<i64>,
    pub presented_at: Option<TimeDateTimeWithTimeZone>,
    pub deadline: Option<TimeDate>,
    #[sea_orm(column_type = "Text", nullable)]
    pub return_reason: Option<String>,
    pub closed_at: Option<TimeDateTimeWithTimeZone>,
    pub reply_number_symbol: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
