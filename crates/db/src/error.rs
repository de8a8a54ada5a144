//! The one error type of the persistence layer, in the caller's terms.
//!
//! sea-orm errors are translated here, at the edge: `app` never matches on them.

use sea_orm::{DbErr, SqlErr};

/// What went wrong while reading or writing the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A uniqueness constraint refused the write (a duplicate username, number, session…).
    #[error("conflict on unique constraint")]
    Conflict {
        /// The database's message, which names the constraint; for logs only.
        detail: String,
    },
    /// A stored value does not parse as its domain type: the row was changed outside Vanthu.
    #[error("corrupt {column} value in the database: {value:?}")]
    CorruptRow {
        /// The column holding the value.
        column: &'static str,
        /// The offending stored value.
        value: String,
    },
    /// The configuration cannot be used.
    #[error("invalid database configuration: {reason}")]
    Config {
        /// Why.
        reason: &'static str,
    },
    /// The database failed or is unreachable.
    #[error("database error")]
    Backend(#[source] DbErr),
}

impl Error {
    pub(crate) fn backend(error: DbErr) -> Error {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => Error::Conflict { detail },
            _ => Error::Backend(error),
        }
    }

    pub(crate) fn corrupt(column: &'static str, value: impl Into<String>) -> Error {
        Error::CorruptRow {
            column,
            value: value.into(),
        }
    }
}
