//! Outgoing documents (văn bản đi): their workflow details, recipients, review steps, and the
//! deliveries to recipients with the history of their edXML status codes.
//!
//! - `outgoing_details`: one row per outgoing document: the designated signer, the number of
//!   copies, the register and number once numbered, and the PDF revisions the workflow produced
//!   (the signed one is kept because the numbered file is derived from it and the stored number).
//! - `outgoing_recipients`: the recipients chosen at drafting, an organisation of this deployment
//!   (by id) or an external one (by name and electronic id).
//! - `review_steps`: every review, approval, signature and refusal, with its comment.
//! - `deliveries` and `delivery_statuses`: one delivery per recipient at issue, with the latest
//!   status code (`01`…`16`, QĐ 28/2018) on the row and every status in the history.

use sea_orm_migration::prelude::*;

/// Creates the outgoing tables.
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
                    .table(OutgoingDetails::Table)
                    .col(
                        ColumnDef::new(OutgoingDetails::DocumentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(OutgoingDetails::SignerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(OutgoingDetails::Copies).integer().not_null())
                    .col(
                        ColumnDef::new(OutgoingDetails::RegisterId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(OutgoingDetails::Number).big_integer().null())
                    .col(
                        ColumnDef::new(OutgoingDetails::SignedSha256)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutgoingDetails::NumberedSha256)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutgoingDetails::PendingSignature)
                            .text()
                            .null(),
                    )
                    .col(optional_timestamp(OutgoingDetails::IssuedAt))
                    .col(
                        ColumnDef::new(OutgoingDetails::ReplacedBy)
                            .big_integer()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutgoingDetails::Table, OutgoingDetails::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutgoingDetails::Table, OutgoingDetails::SignerId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutgoingDetails::Table, OutgoingDetails::RegisterId)
                            .to(Registers::Table, Registers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Two documents can never hold the same number of one register.
        manager
            .create_index(
                Index::create()
                    .name("outgoing_details_register_number_idx")
                    .table(OutgoingDetails::Table)
                    .col(OutgoingDetails::RegisterId)
                    .col(OutgoingDetails::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutgoingRecipients::Table)
                    .col(pk(OutgoingRecipients::Id))
                    .col(
                        ColumnDef::new(OutgoingRecipients::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutgoingRecipients::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutgoingRecipients::OrganizationId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutgoingRecipients::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutgoingRecipients::ElectronicId)
                            .string_len(35)
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutgoingRecipients::Table, OutgoingRecipients::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OutgoingRecipients::Table,
                                OutgoingRecipients::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outgoing_recipients_document_idx")
                    .table(OutgoingRecipients::Table)
                    .col(OutgoingRecipients::DocumentId)
                    .col(OutgoingRecipients::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewSteps::Table)
                    .col(pk(ReviewSteps::Id))
                    .col(
                        ColumnDef::new(ReviewSteps::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReviewSteps::Step).string_len(30).not_null())
                    .col(
                        ColumnDef::new(ReviewSteps::ActorId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReviewSteps::Decision)
                            .string_len(30)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReviewSteps::Comment).text().null())
                    .col(timestamp(ReviewSteps::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewSteps::Table, ReviewSteps::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewSteps::Table, ReviewSteps::ActorId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("review_steps_document_idx")
                    .table(ReviewSteps::Table)
                    .col(ReviewSteps::DocumentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .col(pk(Deliveries::Id))
                    .col(
                        ColumnDef::new(Deliveries::OutgoingDocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::RecipientOrganizationId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::RecipientName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::RecipientEId)
                            .string_len(35)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::Channel)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::IncomingDocumentId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::StatusCode)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::StatusDescription)
                            .text()
                            .not_null(),
                    )
                    .col(timestamp(Deliveries::StatusAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deliveries::Table, Deliveries::OutgoingDocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deliveries::Table, Deliveries::RecipientOrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deliveries::Table, Deliveries::IncomingDocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("deliveries_outgoing_idx")
                    .table(Deliveries::Table)
                    .col(Deliveries::OutgoingDocumentId)
                    .to_owned(),
            )
            .await?;
        // An incoming document arrives by at most one delivery.
        manager
            .create_index(
                Index::create()
                    .name("deliveries_incoming_idx")
                    .table(Deliveries::Table)
                    .col(Deliveries::IncomingDocumentId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeliveryStatuses::Table)
                    .col(pk(DeliveryStatuses::Id))
                    .col(
                        ColumnDef::new(DeliveryStatuses::DeliveryId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeliveryStatuses::StatusCode)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeliveryStatuses::Description)
                            .text()
                            .not_null(),
                    )
                    .col(timestamp(DeliveryStatuses::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeliveryStatuses::Table, DeliveryStatuses::DeliveryId)
                            .to(Deliveries::Table, Deliveries::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("delivery_statuses_delivery_idx")
                    .table(DeliveryStatuses::Table)
                    .col(DeliveryStatuses::DeliveryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DeliveryStatuses::Table.into_iden(),
            Deliveries::Table.into_iden(),
            ReviewSteps::Table.into_iden(),
            OutgoingRecipients::Table.into_iden(),
            OutgoingDetails::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A big-integer auto-increment primary key.
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

/// A nullable timestamp with time zone.
fn optional_timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Registers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutgoingDetails {
    Table,
    DocumentId,
    SignerId,
    Copies,
    RegisterId,
    Number,
    SignedSha256,
    NumberedSha256,
    PendingSignature,
    IssuedAt,
    ReplacedBy,
}

#[derive(DeriveIden)]
enum OutgoingRecipients {
    Table,
    Id,
    DocumentId,
    Position,
    OrganizationId,
    Name,
    ElectronicId,
}

#[derive(DeriveIden)]
enum ReviewSteps {
    Table,
    Id,
    DocumentId,
    Step,
    ActorId,
    Decision,
    Comment,
    At,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    OutgoingDocumentId,
    RecipientOrganizationId,
    RecipientName,
    RecipientEId,
    Channel,
    IncomingDocumentId,
    StatusCode,
    StatusDescription,
    StatusAt,
}

#[derive(DeriveIden)]
enum DeliveryStatuses {
    Table,
    Id,
    DeliveryId,
    StatusCode,
    Description,
    At,
}
