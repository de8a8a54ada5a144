//! Entity for the `deliveries` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub outgoing_document_id: i64,
    pub recipient_organization_id: Option<i64>,
    pub recipient_name: String,
    pub recipient_e_id: Option<String>,
    pub channel: String,
    pub incoming_document_id: Option<i64>,
    pub status_code: String,
    #[sea_orm(column_type = "Text")]
    pub status_description: String,
    pub status_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
