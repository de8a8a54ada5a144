//! The OCR derivative of each document that needs one: its own table, never a rewrite of the
//! stored original nor of its extracted text layer (`document_texts` keeps one row per document,
//! keyed by the document, so it cannot hold a second text of another kind).
//!
//! One row per document: the queue state (`pending`, `running`, `done`, `failed`), the recognised
//! text once done, and the provenance (engine and version, language, pages, timings, the error of
//! a failed run), so that a re-OCR campaign can find what an older engine produced.

use sea_orm_migration::prelude::*;

/// Creates `document_ocr`.
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
                    .table(DocumentOcr::Table)
                    .col(
                        ColumnDef::new(DocumentOcr::DocumentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DocumentOcr::Status)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DocumentOcr::Text).text().not_null())
                    .col(
                        ColumnDef::new(DocumentOcr::Engine)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DocumentOcr::Pages).integer().not_null())
                    .col(ColumnDef::new(DocumentOcr::Attempts).integer().not_null())
                    .col(ColumnDef::new(DocumentOcr::Error).string_len(500).null())
                    .col(
                        ColumnDef::new(DocumentOcr::RequestedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentOcr::StartedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(DocumentOcr::FinishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentOcr::Table, DocumentOcr::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker takes the oldest pending document first.
        manager
            .create_index(
                Index::create()
                    .name("idx_document_ocr_status_requested")
                    .table(DocumentOcr::Table)
                    .col(DocumentOcr::Status)
                    .col(DocumentOcr::RequestedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DocumentOcr::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DocumentOcr {
    Table,
    DocumentId,
    Status,
    Text,
    Engine,
    Pages,
    Attempts,
    Error,
    RequestedAt,
    StartedAt,
    FinishedAt,
}
