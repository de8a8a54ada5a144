//! Saved searches: a user's named full-text query with its filters, to run again later.
//!
//! A saved search belongs to one user and only that user sees it; its name is unique per user.
//! It stores what was asked (the text and the filters as a small JSON object), never results or
//! a scope: running it applies the user's scope and clearance of the moment.

use sea_orm_migration::prelude::*;

/// Creates `saved_searches`.
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
                    .table(SavedSearches::Table)
                    .col(pk(SavedSearches::Id))
                    .col(
                        ColumnDef::new(SavedSearches::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SavedSearches::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SavedSearches::QueryText).text().not_null())
                    .col(ColumnDef::new(SavedSearches::Filters).text().not_null())
                    .col(timestamp(SavedSearches::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SavedSearches::Table, SavedSearches::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("saved_searches_user_name_key")
                    .table(SavedSearches::Table)
                    .col(SavedSearches::UserId)
                    .col(SavedSearches::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SavedSearches::Table).to_owned())
            .await
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

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SavedSearches {
    Table,
    Id,
    UserId,
    Name,
    QueryText,
    Filters,
    CreatedAt,
}
