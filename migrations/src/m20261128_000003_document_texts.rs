//! The text extracted from each document's PDF, stored so that the search index can be rebuilt
//! without extracting again: one row per document, written in the intake transaction.

use sea_orm_migration::prelude::*;

/// Creates `document_texts`.
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
                    .table(DocumentTexts::Table)
                    .col(
                        ColumnDef::new(DocumentTexts::DocumentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DocumentTexts::Text).text().not_null())
                    .col(
                        ColumnDef::new(DocumentTexts::Method)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DocumentTexts::NeedsOcr).boolean().not_null())
                    .col(
                        ColumnDef::new(DocumentTexts::ExtractedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentTexts::Table, DocumentTexts::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DocumentTexts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DocumentTexts {
    Table,
    DocumentId,
    Text,
    Method,
    NeedsOcr,
    ExtractedAt,
}
