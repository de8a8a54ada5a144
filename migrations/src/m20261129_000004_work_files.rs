//! Work files (hồ sơ) and the yearly file plan (danh mục hồ sơ), Decree 30/2020 Điều 28–31.
//!
//! - `retention_classes`: the retention periods offered (thời hạn bảo quản), as data, seeded with
//!   the common tiers (permanent, 70, 50, 30, 20, 10, 5, 2 years; DOMAIN.md §2).
//! - `file_plans`: one plan per (organisation, year); `file_plan_headings`: its main headings
//!   (Roman numerals, with the abbreviation that file notations end with) and sub-headings
//!   (Arabic numerals, `parent_id` set); `file_plan_items`: the planned files.
//! - `work_files`: the files themselves, unique per (organisation, file code).
//! - `file_memberships`: which documents a file holds, with their ordinal; a document may be in
//!   several files, never copied (Phụ lục VI §III.4.e).

use sea_orm_migration::prelude::*;

/// Creates the work-file tables and seeds the retention classes.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// The retention classes seeded: (code, Vietnamese label, years or none for permanent, order).
const RETENTION_CLASSES: [(&str, &str, Option<i32>, i32); 8] = [
    ("permanent", "Vĩnh viễn", None, 1),
    ("70", "70 năm", Some(70), 2),
    ("50", "50 năm", Some(50), 3),
    ("30", "30 năm", Some(30), 4),
    ("20", "20 năm", Some(20), 5),
    ("10", "10 năm", Some(10), 6),
    ("5", "5 năm", Some(5), 7),
    ("2", "2 năm", Some(2), 8),
];

// The trait's own signature elides the `SchemaManager` lifetime; spelling it out breaks async-trait.
#[expect(
    elided_lifetimes_in_paths,
    reason = "must match MigrationTrait's signature"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RetentionClasses::Table)
                    .col(
                        ColumnDef::new(RetentionClasses::Code)
                            .string_len(20)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(RetentionClasses::Label)
                            .string_len(30)
                            .not_null(),
                    )
                    .col(ColumnDef::new(RetentionClasses::Years).integer().null())
                    .col(
                        ColumnDef::new(RetentionClasses::SortOrder)
                            .integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(RetentionClasses::Table)
            .columns([
                RetentionClasses::Code,
                RetentionClasses::Label,
                RetentionClasses::Years,
                RetentionClasses::SortOrder,
            ])
            .to_owned();
        for (code, label, years, order) in RETENTION_CLASSES {
            insert.values_panic([code.into(), label.into(), years.into(), order.into()]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(FilePlans::Table)
                    .col(pk(FilePlans::Id))
                    .col(
                        ColumnDef::new(FilePlans::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(FilePlans::Year).integer().not_null())
                    .col(ColumnDef::new(FilePlans::Title).string_len(500).not_null())
                    .col(
                        ColumnDef::new(FilePlans::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(FilePlans::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePlans::Table, FilePlans::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("file_plans_organization_year_key")
                    .table(FilePlans::Table)
                    .col(FilePlans::OrganizationId)
                    .col(FilePlans::Year)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FilePlanHeadings::Table)
                    .col(pk(FilePlanHeadings::Id))
                    .col(
                        ColumnDef::new(FilePlanHeadings::PlanId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanHeadings::ParentId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanHeadings::Ordinal)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanHeadings::Title)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanHeadings::Abbreviation)
                            .string_len(20)
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePlanHeadings::Table, FilePlanHeadings::PlanId)
                            .to(FilePlans::Table, FilePlans::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePlanHeadings::Table, FilePlanHeadings::ParentId)
                            .to(FilePlanHeadings::Table, FilePlanHeadings::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FilePlanItems::Table)
                    .col(pk(FilePlanItems::Id))
                    .col(
                        ColumnDef::new(FilePlanItems::PlanId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanItems::HeadingId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanItems::Notation)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanItems::Title)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanItems::Retention)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FilePlanItems::Creator)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(FilePlanItems::Note).string_len(500).null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePlanItems::Table, FilePlanItems::PlanId)
                            .to(FilePlans::Table, FilePlans::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePlanItems::Table, FilePlanItems::HeadingId)
                            .to(FilePlanHeadings::Table, FilePlanHeadings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePlanItems::Table, FilePlanItems::Retention)
                            .to(RetentionClasses::Table, RetentionClasses::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("file_plan_items_plan_notation_key")
                    .table(FilePlanItems::Table)
                    .col(FilePlanItems::PlanId)
                    .col(FilePlanItems::Notation)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WorkFiles::Table)
                    .col(pk(WorkFiles::Id))
                    .col(
                        ColumnDef::new(WorkFiles::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WorkFiles::PlanItemId).big_integer().null())
                    .col(ColumnDef::new(WorkFiles::Uuid).string_len(36).not_null())
                    .col(
                        ColumnDef::new(WorkFiles::FileCode)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WorkFiles::Year).integer().not_null())
                    .col(
                        ColumnDef::new(WorkFiles::Notation)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WorkFiles::Title).string_len(500).not_null())
                    .col(
                        ColumnDef::new(WorkFiles::Retention)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WorkFiles::Rights).string_len(30).not_null())
                    .col(
                        ColumnDef::new(WorkFiles::Creator)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WorkFiles::Language)
                            .string_len(50)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WorkFiles::Description)
                            .string_len(500)
                            .null(),
                    )
                    .col(ColumnDef::new(WorkFiles::Secrecy).string_len(20).not_null())
                    .col(ColumnDef::new(WorkFiles::State).string_len(20).not_null())
                    .col(ColumnDef::new(WorkFiles::Version).integer().not_null())
                    .col(ColumnDef::new(WorkFiles::StartDate).date().not_null())
                    .col(ColumnDef::new(WorkFiles::EndDate).date().null())
                    .col(ColumnDef::new(WorkFiles::HandOverDue).date().null())
                    .col(ColumnDef::new(WorkFiles::DocTotal).integer().not_null())
                    .col(ColumnDef::new(WorkFiles::PageTotal).integer().not_null())
                    .col(
                        ColumnDef::new(WorkFiles::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(WorkFiles::CreatedAt))
                    .col(
                        ColumnDef::new(WorkFiles::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WorkFiles::HandedOverAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(WorkFiles::ReceivedBy).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkFiles::Table, WorkFiles::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkFiles::Table, WorkFiles::PlanItemId)
                            .to(FilePlanItems::Table, FilePlanItems::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkFiles::Table, WorkFiles::Retention)
                            .to(RetentionClasses::Table, RetentionClasses::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("work_files_organization_code_key")
                    .table(WorkFiles::Table)
                    .col(WorkFiles::OrganizationId)
                    .col(WorkFiles::FileCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("work_files_organization_state_idx")
                    .table(WorkFiles::Table)
                    .col(WorkFiles::OrganizationId)
                    .col(WorkFiles::State)
                    .col(WorkFiles::HandOverDue)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FileMemberships::Table)
                    .col(
                        ColumnDef::new(FileMemberships::WorkFileId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FileMemberships::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FileMemberships::Ordinal)
                            .integer()
                            .not_null(),
                    )
                    .col(timestamp(FileMemberships::LinkedAt))
                    .col(
                        ColumnDef::new(FileMemberships::LinkedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(FileMemberships::WorkFileId)
                            .col(FileMemberships::DocumentId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FileMemberships::Table, FileMemberships::WorkFileId)
                            .to(WorkFiles::Table, WorkFiles::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FileMemberships::Table, FileMemberships::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("file_memberships_document_idx")
                    .table(FileMemberships::Table)
                    .col(FileMemberships::DocumentId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FileMemberships::Table.into_iden(),
            WorkFiles::Table.into_iden(),
            FilePlanItems::Table.into_iden(),
            FilePlanHeadings::Table.into_iden(),
            FilePlans::Table.into_iden(),
            RetentionClasses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A 64-bit auto-incrementing primary key (sea-query writes `integer` on SQLite, as AUTOINCREMENT needs).
fn pk(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// A non-null timestamp with time zone; SQLite stores it as RFC 3339 text.
fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RetentionClasses {
    Table,
    Code,
    Label,
    Years,
    SortOrder,
}

#[derive(DeriveIden)]
enum FilePlans {
    Table,
    Id,
    OrganizationId,
    Year,
    Title,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FilePlanHeadings {
    Table,
    Id,
    PlanId,
    ParentId,
    Ordinal,
    Title,
    Abbreviation,
}

#[derive(DeriveIden)]
enum FilePlanItems {
    Table,
    Id,
    PlanId,
    HeadingId,
    Notation,
    Title,
    Retention,
    Creator,
    Note,
}

#[derive(DeriveIden)]
enum WorkFiles {
    Table,
    Id,
    OrganizationId,
    PlanItemId,
    Uuid,
    FileCode,
    Year,
    Notation,
    Title,
    Retention,
    Rights,
    Creator,
    Language,
    Description,
    Secrecy,
    State,
    Version,
    StartDate,
    EndDate,
    HandOverDue,
    DocTotal,
    PageTotal,
    CreatedBy,
    CreatedAt,
    ClosedAt,
    HandedOverAt,
    ReceivedBy,
}

#[derive(DeriveIden)]
enum FileMemberships {
    Table,
    WorkFileId,
    DocumentId,
    Ordinal,
    LinkedAt,
    LinkedBy,
}
