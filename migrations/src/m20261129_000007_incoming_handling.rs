//! Handling incoming documents after registration (Decree 30/2020, Điều 23–24): the holiday
//! calendar that working-day deadlines are counted on, the leader's assignments (chủ trì, phối
//! hợp, để biết) with their deadlines, the handlers' progress notes, and one row of handling facts
//! per document (to whom it was presented, why it was returned, how it was closed).
//!
//! The holidays are data, seeded here for 2025–2027 and kept by the administrator afterwards: the
//! lunar holidays (Tết Nguyên đán, Giỗ Tổ Hùng Vương) move every year, and the Government decides
//! each year which days adjoin them (Bộ luật Lao động 2019, Điều 112), so nothing computes them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// Creates `holidays`, `assignments`, `progress_notes` and `incoming_handling`.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// Vietnam's public holidays on working days, 2025–2027: (date, name, kind). `lunar` rows are the
/// solar dates of lunar-calendar holidays as announced; `observed` rows are days off in
/// compensation or adjoining a holiday, as decided for that year.
const HOLIDAYS: &[(&str, &str, &str)] = &[
    ("2025-01-01", "Tết Dương lịch", "solar"),
    ("2025-01-27", "Tết Nguyên đán Ất Tỵ", "lunar"),
    ("2025-01-28", "Tết Nguyên đán Ất Tỵ", "lunar"),
    ("2025-01-29", "Tết Nguyên đán Ất Tỵ", "lunar"),
    ("2025-01-30", "Tết Nguyên đán Ất Tỵ", "lunar"),
    ("2025-01-31", "Tết Nguyên đán Ất Tỵ", "lunar"),
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "lunar"),
    (
        "2025-04-30",
        "Ngày Giải phóng miền Nam, thống nhất đất nước",
        "solar",
    ),
    ("2025-05-01", "Ngày Quốc tế lao động", "solar"),
    ("2025-09-01", "Quốc khánh (ngày liền kề)", "observed"),
    ("2025-09-02", "Quốc khánh", "solar"),
    ("2026-01-01", "Tết Dương lịch", "solar"),
    ("2026-02-16", "Tết Nguyên đán Bính Ngọ", "lunar"),
    ("2026-02-17", "Tết Nguyên đán Bính Ngọ", "lunar"),
    ("2026-02-18", "Tết Nguyên đán Bính Ngọ", "lunar"),
    ("2026-02-19", "Tết Nguyên đán Bính Ngọ", "lunar"),
    ("2026-02-20", "Tết Nguyên đán Bính Ngọ", "lunar"),
    ("2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)", "observed"),
    (
        "2026-04-30",
        "Ngày Giải phóng miền Nam, thống nhất đất nước",
        "solar",
    ),
    ("2026-05-01", "Ngày Quốc tế lao động", "solar"),
    ("2026-09-01", "Quốc khánh (ngày liền kề)", "observed"),
    ("2026-09-02", "Quốc khánh", "solar"),
    ("2027-01-01", "Tết Dương lịch", "solar"),
    ("2027-02-04", "Tết Nguyên đán Đinh Mùi", "lunar"),
    ("2027-02-05", "Tết Nguyên đán Đinh Mùi", "lunar"),
    ("2027-02-08", "Tết Nguyên đán Đinh Mùi", "lunar"),
    ("2027-02-09", "Tết Nguyên đán Đinh Mùi", "lunar"),
    ("2027-02-10", "Tết Nguyên đán Đinh Mùi", "lunar"),
    ("2027-04-16", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "lunar"),
    (
        "2027-04-30",
        "Ngày Giải phóng miền Nam, thống nhất đất nước",
        "solar",
    ),
    ("2027-05-03", "Ngày Quốc tế lao động (nghỉ bù)", "observed"),
    ("2027-09-02", "Quốc khánh", "solar"),
    ("2027-09-03", "Quốc khánh (ngày liền kề)", "observed"),
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
                    .table(Holidays::Table)
                    .col(
                        ColumnDef::new(Holidays::Date)
                            .date()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Holidays::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Holidays::Kind).string_len(20).not_null())
                    .to_owned(),
            )
            .await?;
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        let mut insert = Query::insert()
            .into_table(Holidays::Table)
            .columns([Holidays::Date, Holidays::Name, Holidays::Kind])
            .to_owned();
        for (date, name, kind) in HOLIDAYS {
            // A bound text parameter is not a date to PostgreSQL; a typed literal is. SQLite keeps
            // dates as ISO 8601 text, which is what the bound value is.
            let date: SimpleExpr = if postgres {
                Expr::cust(format!("DATE '{date}'"))
            } else {
                Expr::val(*date).into()
            };
            insert.values_panic([date, Expr::val(*name).into(), Expr::val(*kind).into()]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(pk(Assignments::Id))
                    .col(
                        ColumnDef::new(Assignments::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Assignments::Level).string_len(10).not_null())
                    .col(
                        ColumnDef::new(Assignments::AssigneeId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Assignments::Role).string_len(20).not_null())
                    .col(ColumnDef::new(Assignments::DirectiveNote).text().null())
                    .col(ColumnDef::new(Assignments::Deadline).date().null())
                    .col(
                        ColumnDef::new(Assignments::AssignedBy)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(Assignments::AssignedAt))
                    .col(
                        ColumnDef::new(Assignments::CompletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Assignments::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Assignments::ReplyDocumentId)
                            .big_integer()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::AssigneeId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::AssignedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::ReplyDocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("assignments_document_idx")
                    .table(Assignments::Table)
                    .col(Assignments::DocumentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("assignments_assignee_idx")
                    .table(Assignments::Table)
                    .col(Assignments::AssigneeId)
                    .col(Assignments::CompletedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProgressNotes::Table)
                    .col(pk(ProgressNotes::Id))
                    .col(
                        ColumnDef::new(ProgressNotes::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgressNotes::AuthorId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ProgressNotes::Note).text().not_null())
                    .col(timestamp(ProgressNotes::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProgressNotes::Table, ProgressNotes::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProgressNotes::Table, ProgressNotes::AuthorId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("progress_notes_document_idx")
                    .table(ProgressNotes::Table)
                    .col(ProgressNotes::DocumentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IncomingHandling::Table)
                    .col(
                        ColumnDef::new(IncomingHandling::DocumentId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(IncomingHandling::PresentedTo)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IncomingHandling::PresentedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(IncomingHandling::Deadline).date().null())
                    .col(ColumnDef::new(IncomingHandling::ReturnReason).text().null())
                    .col(
                        ColumnDef::new(IncomingHandling::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IncomingHandling::ReplyNumberSymbol)
                            .string_len(50)
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncomingHandling::Table, IncomingHandling::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncomingHandling::Table, IncomingHandling::PresentedTo)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("incoming_handling_deadline_idx")
                    .table(IncomingHandling::Table)
                    .col(IncomingHandling::Deadline)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IncomingHandling::Table.into_iden(),
            ProgressNotes::Table.into_iden(),
            Assignments::Table.into_iden(),
            Holidays::Table.into_iden(),
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
enum Holidays {
    Table,
    Date,
    Name,
    Kind,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    DocumentId,
    Level,
    AssigneeId,
    Role,
    DirectiveNote,
    Deadline,
    AssignedBy,
    AssignedAt,
    CompletedAt,
    RevokedAt,
    ReplyDocumentId,
}

#[derive(DeriveIden)]
enum ProgressNotes {
    Table,
    Id,
    DocumentId,
    AuthorId,
    Note,
    At,
}

#[derive(DeriveIden)]
enum IncomingHandling {
    Table,
    DocumentId,
    PresentedTo,
    PresentedAt,
    Deadline,
    ReturnReason,
    ClosedAt,
    ReplyNumberSymbol,
}
