//! Entity for the `documents` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub direction: String,
    pub state: String,
    pub version: i32,
    pub type_code: Option<String>,
    pub number_symbol: Option<String>,
    pub issuer_name: Option<String>,
    pub issued_date: Option<TimeDate>,
    pub subject: Option<String>,
    pub urgency: String,
    pub secrecy: String,
    pub blob_sha256: String,
    pub file_name: String,
    pub file_size: i64,
    pub page_count: i32,
    pub created_by: i64,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
