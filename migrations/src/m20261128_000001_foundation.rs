//! The foundation schema: organisations, users and roles, sessions, registers, documents with their
//! incoming registration, and the hash-chained audit trail.
//!
//! Invariants the schema itself enforces (the application relies on them, it does not re-check them):
//! - one register per (organisation, kind, year), and one arrival number per (register, number);
//! - audit events are keyed by their sequence number, so the chain cannot fork;
//! - `audit_head` holds exactly one row (id 1), created here, which every write transaction locks first.

use sea_orm_migration::prelude::*;

/// Creates the foundation tables.
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
                    .table(Organizations::Table)
                    .col(pk(Organizations::Id))
                    .col(
                        ColumnDef::new(Organizations::ElectronicId)
                            .string_len(35)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Organizations::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organizations::Abbreviation)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organizations::PlaceName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(timestamp(Organizations::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk(Users::Id))
                    .col(
                        ColumnDef::new(Users::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Users::Username)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::FullName).string_len(100).not_null())
                    .col(ColumnDef::new(Users::Position).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Users::PasswordHash)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::Clearance).string_len(20).not_null())
                    .col(ColumnDef::new(Users::Active).boolean().not_null())
                    .col(timestamp(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserRoles::Table)
                    .col(ColumnDef::new(UserRoles::UserId).big_integer().not_null())
                    .col(ColumnDef::new(UserRoles::Role).string_len(20).not_null())
                    .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::Role))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserRoles::Table, UserRoles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk(Sessions::Id))
                    .col(
                        ColumnDef::new(Sessions::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                    .col(timestamp(Sessions::CreatedAt))
                    .col(timestamp(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Registers::Table)
                    .col(pk(Registers::Id))
                    .col(
                        ColumnDef::new(Registers::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Registers::Kind).string_len(20).not_null())
                    .col(ColumnDef::new(Registers::Year).integer().not_null())
                    .col(
                        ColumnDef::new(Registers::LastNumber)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Registers::Table, Registers::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("registers_organization_kind_year_key")
                    .table(Registers::Table)
                    .col(Registers::OrganizationId)
                    .col(Registers::Kind)
                    .col(Registers::Year)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk(Documents::Id))
                    .col(
                        ColumnDef::new(Documents::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Documents::Direction)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Documents::State).string_len(30).not_null())
                    .col(ColumnDef::new(Documents::Version).integer().not_null())
                    .col(ColumnDef::new(Documents::TypeCode).string_len(20).null())
                    .col(
                        ColumnDef::new(Documents::NumberSymbol)
                            .string_len(50)
                            .null(),
                    )
                    .col(ColumnDef::new(Documents::IssuerName).string_len(200).null())
                    .col(ColumnDef::new(Documents::IssuedDate).date().null())
                    .col(ColumnDef::new(Documents::Subject).string_len(500).null())
                    .col(ColumnDef::new(Documents::Urgency).string_len(20).not_null())
                    .col(ColumnDef::new(Documents::Secrecy).string_len(20).not_null())
                    .col(
                        ColumnDef::new(Documents::BlobSha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Documents::FileName)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Documents::FileSize).big_integer().not_null())
                    .col(ColumnDef::new(Documents::PageCount).integer().not_null())
                    .col(
                        ColumnDef::new(Documents::CreatedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(Documents::CreatedAt))
                    .col(timestamp(Documents::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("documents_organization_sha256_idx")
                    .table(Documents::Table)
                    .col(Documents::OrganizationId)
                    .col(Documents::BlobSha256)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IncomingRegistrations::Table)
                    .col(
                        ColumnDef::new(IncomingRegistrations::DocumentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(IncomingRegistrations::RegisterId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IncomingRegistrations::ArrivalNumber)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(IncomingRegistrations::ArrivedAt))
                    .col(
                        ColumnDef::new(IncomingRegistrations::Channel)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IncomingRegistrations::ReceivedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                IncomingRegistrations::Table,
                                IncomingRegistrations::DocumentId,
                            )
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                IncomingRegistrations::Table,
                                IncomingRegistrations::RegisterId,
                            )
                            .to(Registers::Table, Registers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("incoming_registrations_register_number_key")
                    .table(IncomingRegistrations::Table)
                    .col(IncomingRegistrations::RegisterId)
                    .col(IncomingRegistrations::ArrivalNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(
                        ColumnDef::new(AuditEvents::Seq)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(timestamp(AuditEvents::At))
                    .col(
                        ColumnDef::new(AuditEvents::OrganizationId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(AuditEvents::Actor).string_len(64).not_null())
                    .col(
                        ColumnDef::new(AuditEvents::Action)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditEvents::Target)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditEvents::Details).text().not_null())
                    .col(
                        ColumnDef::new(AuditEvents::OperationId)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AuditEvents::PrevHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditEvents::Hash).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(
                        ColumnDef::new(AuditHead::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuditHead::Seq).big_integer().not_null())
                    .col(ColumnDef::new(AuditHead::Hash).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditHead::Table)
                    .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                    .values_panic([1.into(), 0i64.into(), "0".repeat(64).into()])
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditHead::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            IncomingRegistrations::Table.into_iden(),
            Documents::Table.into_iden(),
            Registers::Table.into_iden(),
            Sessions::Table.into_iden(),
            UserRoles::Table.into_iden(),
            Users::Table.into_iden(),
            Organizations::Table.into_iden(),
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
    ElectronicId,
    Name,
    Abbreviation,
    PlaceName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrganizationId,
    Username,
    FullName,
    Position,
    PasswordHash,
    Clearance,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Registers {
    Table,
    Id,
    OrganizationId,
    Kind,
    Year,
    LastNumber,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    OrganizationId,
    Direction,
    State,
    Version,
    TypeCode,
    NumberSymbol,
    IssuerName,
    IssuedDate,
    Subject,
    Urgency,
    Secrecy,
    BlobSha256,
    FileName,
    FileSize,
    PageCount,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IncomingRegistrations {
    Table,
    DocumentId,
    RegisterId,
    ArrivalNumber,
    ArrivedAt,
    Channel,
    ReceivedBy,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    At,
    OrganizationId,
    Actor,
    Action,
    Target,
    Details,
    OperationId,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}
