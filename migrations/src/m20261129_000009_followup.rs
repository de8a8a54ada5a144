//! Recalls at the receiving organisation: one row per incoming document whose sender recalled it.
//!
//! The incoming state is one text column, so it cannot remember where a document was when the
//! recall arrived; refusing the recall (edXML 16) must return it there (DOMAIN.md §7(b)). This
//! table keeps that previous state, the sender's reason, and the receiver's answer.

use sea_orm_migration::prelude::*;

/// Creates `incoming_recalls`.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

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
                    .table(IncomingRecalls::Table)
                    .col(
                        ColumnDef::new(IncomingRecalls::DocumentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(IncomingRecalls::PreviousState)
                            .string_len(30)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IncomingRecalls::Reason).text().null())
                    .col(
                        ColumnDef::new(IncomingRecalls::RequestedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IncomingRecalls::Answer)
                            .string_len(10)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IncomingRecalls::AnsweredBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IncomingRecalls::AnsweredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncomingRecalls::Table, IncomingRecalls::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncomingRecalls::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IncomingRecalls {
    Table,
    DocumentId,
    PreviousState,
    Reason,
    RequestedAt,
    Answer,
    AnsweredBy,
    AnsweredAt,
}
