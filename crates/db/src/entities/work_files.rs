//! Entity for the `work_files` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub plan_item_id: Option<i64>,
    pub uuid: String,
    pub file_code: String,
    pub year: i32,
    pub notation: String,
    pub title: String,
    pub retention: String,
    pub rights: String,
    pub creator: String,
    pub language: String,
    pub description: Option<String>,
    pub secrecy: String,
    pub state: String,
    pub version: i32,
    pub start_date: TimeDate,
    pub end_date: Option<TimeDate>,
    pub hand_over_due: Option<TimeDate>,
    pub doc_total: i32,
    pub page_total: i32,
    pub created_by: i64,
    pub created_at: TimeDateTimeWithTimeZone,
    pub closed_at: Option<TimeDateTimeWithTimeZone>,
    pub handed_over_at: Option<TimeDateTimeWithTimeZone>,
    pub received_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
