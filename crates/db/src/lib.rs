//! Persistence on SQLite and PostgreSQL through sea-orm.
//!
//! `db` stores and indexes; it enforces no business rule beyond what the schema guarantees (unique
//! numbers, one register per year). The `app` crate decides what may be written and controls
//! transactions through [`Db`] and [`Tx`] without naming sea-orm: every query function takes
//! `&impl Conn`, which both implement.
//!
//! Write transactions are serialised: [`Db::begin_write`] first locks the single row of the audit
//! chain head. On PostgreSQL that is a row lock held until commit; on SQLite the same `UPDATE` takes
//! the database write lock before any read, so a transaction never reads a snapshot that a concurrent
//! writer has already outdated. One lock, taken first, also keeps the audit chain linear and rules out
//! lock-order deadlocks between registers and the chain.

mod config;
#[expect(
    unreachable_pub,
    reason = "entity code is written as sea-orm-cli generates it, all `pub`"
)]
mod entities;
mod error;

pub mod audit;
pub mod deliveries;
pub mod document_texts;
pub mod documents;
pub mod handling;
pub mod ocr;
pub mod organizations;
pub mod outgoing;
pub mod recalls;
pub mod registers;
pub mod saved_searches;
pub mod sessions;
pub mod signature_log;
pub mod users;
pub mod work_files;

use std::time::Duration;

use migrations::MigratorTrait;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    TransactionTrait,
};
use secrecy::ExposeSecret;

pub use crate::config::Config;
pub use crate::error::Error;

/// The database engine behind a [`Db`], chosen by the URL scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (the default, one machine).
    Sqlite,
    /// A PostgreSQL server (production and scale-out).
    Postgres,
}

impl Backend {
    /// A short lowercase name for logs and test output.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A connection pool to the database.
#[derive(Clone, Debug)]
pub struct Db {
    connection: DatabaseConnection,
    backend: Backend,
}

/// A write transaction, holding the writer lock until it is committed or dropped.
///
/// Dropping a `Tx` without committing rolls it back, so an early `return Err(..)` loses nothing
/// and consumes no register number.
#[derive(Debug)]
pub struct Tx {
    transaction: DatabaseTransaction,
}

/// Something queries can run on: the pool ([`Db`]) or a transaction ([`Tx`]).
///
/// The trait is sealed: only this crate implements it, so the sea-orm connection type stays an
/// implementation detail.
pub trait Conn: sealed::Sealed + Send + Sync {
    #[doc(hidden)]
    type Connection: ConnectionTrait;
    #[doc(hidden)]
    fn connection(&self) -> &Self::Connection;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Db {}
    impl Sealed for super::Tx {}
}

impl Conn for Db {
    type Connection = DatabaseConnection;
    fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }
}

impl Conn for Tx {
    type Connection = DatabaseTransaction;
    fn connection(&self) -> &DatabaseTransaction {
        &self.transaction
    }
}

impl Db {
    /// Opens a pool to the database named by `config.url` (`sqlite://PATH?mode=rwc` or
    /// `postgres://…`).
    ///
    /// # Errors
    /// `Error::Config` for an unknown URL scheme, `Error::Backend` when the database is unreachable.
    pub async fn connect(config: &Config) -> Result<Db, Error> {
        let url = config.url.expose_secret();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::Config {
                reason: "database url must start with sqlite: or postgres:",
            });
        };
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(config.max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        if backend == Backend::Sqlite {
            // WAL lets readers proceed while one writer commits; NORMAL synchronous is durable
            // across application crashes in WAL mode. The busy timeout is long because writers
            // queue on the database lock (see the crate docs) instead of failing.
            options.map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(60))
            });
        }
        let connection = Database::connect(options).await.map_err(Error::backend)?;
        Ok(Db {
            connection,
            backend,
        })
    }

    /// Brings the schema up to date; running it again is a no-op.
    ///
    /// # Errors
    /// `Error::Backend` when a migration fails.
    pub async fn migrate(&self) -> Result<(), Error> {
        migrations::Migrator::up(&self.connection, None)
            .await
            .map_err(Error::backend)
    }

    /// The engine behind this pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// `Error::Backend` when it does not.
    pub async fn ping(&self) -> Result<(), Error> {
        self.connection.ping().await.map_err(Error::backend)
    }

    /// Starts a write transaction and takes the writer lock (see the crate docs).
    ///
    /// # Errors
    /// `Error::Backend` when the transaction cannot start.
    pub async fn begin_write(&self) -> Result<Tx, Error> {
        let transaction = self.connection.begin().await.map_err(Error::backend)?;
        audit::lock_head(&transaction).await?;
        Ok(Tx { transaction })
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) {
        if let Err(error) = self.connection.close().await {
            tracing::warn!(%error, "closing the database pool failed");
        }
    }
}

impl Tx {
    /// Commits the transaction and releases the writer lock.
    ///
    /// # Errors
    /// `Error::Backend` when the commit fails; nothing of the transaction is then stored.
    pub async fn commit(self) -> Result<(), Error> {
        self.transaction.commit().await.map_err(Error::backend)
    }

    /// Rolls the transaction back explicitly (dropping it does the same).
    ///
    /// # Errors
    /// `Error::Backend` when the rollback fails.
    pub async fn rollback(self) -> Result<(), Error> {
        self.transaction.rollback().await.map_err(Error::backend)
    }
}
