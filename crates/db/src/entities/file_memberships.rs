//! Entity for the `file_memberships` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "file_memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_file_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    pub ordinal: i32,
    pub linked_at: TimeDateTimeWithTimeZone,
    pub linked_by: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
