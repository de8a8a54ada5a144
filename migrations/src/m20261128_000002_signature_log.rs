//! The signature log and the signed checkpoints of the audit chain.
//!
//! `signature_log` holds one row per signature (or document timestamp) that Vanthu made or checked:
//! who signed, with which certificate, when, at which PAdES level, and the conclusion of the check
//! with its reasons. Certificates are kept as base64 DER text so that an export or a later audit
//! needs nothing but the row. Rows are only ever inserted.
//!
//! `audit_checkpoints` holds detached CMS signatures, by the agency's key, over a (sequence number,
//! hash) of the audit chain: an attacker who can rewrite the database can recompute the hash
//! chain and rewind `audit_head`, but cannot forge a checkpoint, so a chain cut below a checkpoint
//! is detected. There is deliberately no foreign key from a checkpoint to `audit_events`: the
//! checkpoint must survive the deletion it is there to reveal.

use sea_orm_migration::prelude::*;

/// Creates `signature_log` and `audit_checkpoints`.
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
                    .table(SignatureLog::Table)
                    .col(
                        ColumnDef::new(SignatureLog::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SignatureLog::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignatureLog::DocumentId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SignatureLog::BlobSha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SignatureLog::Field).text().not_null())
                    .col(
                        ColumnDef::new(SignatureLog::IsDocumentTimestamp)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SignatureLog::SignerSubject).text().null())
                    .col(ColumnDef::new(SignatureLog::SignerIssuer).text().null())
                    .col(
                        ColumnDef::new(SignatureLog::SignerSerial)
                            .string_len(128)
                            .null(),
                    )
                    .col(ColumnDef::new(SignatureLog::Certificate).text().null())
                    .col(ColumnDef::new(SignatureLog::Chain).text().null())
                    .col(optional_timestamp(SignatureLog::SigningTime))
                    .col(optional_timestamp(SignatureLog::TimestampTime))
                    .col(
                        ColumnDef::new(SignatureLog::Algorithm)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(SignatureLog::Level).string_len(10).null())
                    .col(ColumnDef::new(SignatureLog::Revocation).text().null())
                    .col(
                        ColumnDef::new(SignatureLog::Conclusion)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SignatureLog::Reasons).text().not_null())
                    .col(
                        ColumnDef::new(SignatureLog::CheckedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignatureLog::CheckedBy)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignatureLog::Origin)
                            .string_len(10)
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignatureLog::Table, SignatureLog::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignatureLog::Table, SignatureLog::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("signature_log_organization_checked_at_idx")
                    .table(SignatureLog::Table)
                    .col(SignatureLog::OrganizationId)
                    .col(SignatureLog::CheckedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("signature_log_signer_serial_idx")
                    .table(SignatureLog::Table)
                    .col(SignatureLog::SignerSerial)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("signature_log_document_idx")
                    .table(SignatureLog::Table)
                    .col(SignatureLog::DocumentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoints::Table)
                    .col(
                        ColumnDef::new(AuditCheckpoints::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditCheckpoints::Seq)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditCheckpoints::Hash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditCheckpoints::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditCheckpoints::Signature)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditCheckpoints::SignerSubject)
                            .text()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_checkpoints_seq_idx")
                    .table(AuditCheckpoints::Table)
                    .col(AuditCheckpoints::Seq)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditCheckpoints::Table.into_iden(),
            SignatureLog::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A nullable timestamp with time zone; SQLite stores it as RFC 3339 text.
fn optional_timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
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
enum SignatureLog {
    Table,
    Id,
    OrganizationId,
    DocumentId,
    BlobSha256,
    Field,
    IsDocumentTimestamp,
    SignerSubject,
    SignerIssuer,
    SignerSerial,
    Certificate,
    Chain,
    SigningTime,
    TimestampTime,
    Algorithm,
    Level,
    Revocation,
    Conclusion,
    Reasons,
    CheckedAt,
    CheckedBy,
    Origin,
}

#[derive(DeriveIden)]
enum AuditCheckpoints {
    Table,
    Id,
    Seq,
    Hash,
    At,
    Signature,
    SignerSubject,
}
