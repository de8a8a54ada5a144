//! The one schema history of Vanthu, for SQLite and PostgreSQL alike.
//!
//! Every migration is written with sea-query's schema builder, never raw SQL, so the same statements run
//! unchanged on both backends; the story tests run them on a fresh database of each kind. SQLite cannot
//! alter a column in place, so a later change to a column creates a new table and copies the rows.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_foundation;
mod m20261128_000002_signature_log;
mod m20261128_000003_document_texts;
mod m20261129_000004_work_files;
mod m20261129_000005_saved_searches;
mod m20261129_000006_outgoing;
mod m20261129_000007_incoming_handling;
mod m20261129_000008_ocr;
mod m20261129_000009_followup;

/// Applies the migrations in order; `db::Db::migrate` is its only caller outside tests.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_foundation::Migration),
            Box::new(m20261128_000002_signature_log::Migration),
            Box::new(m20261128_000003_document_texts::Migration),
            Box::new(m20261129_000004_work_files::Migration),
            Box::new(m20261129_000005_saved_searches::Migration),
            Box::new(m20261129_000006_outgoing::Migration),
            Box::new(m20261129_000007_incoming_handling::Migration),
            Box::new(m20261129_000008_ocr::Migration),
            Box::new(m20261129_000009_followup::Migration),
        ]
    }
}
