//! The crate's one error type. tantivy's errors are translated here and never named by callers.

use std::path::PathBuf;

/// Why an index operation or a search failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index on disk was built by another schema or analysis version (or its version file is
    /// missing): it must be rebuilt from the database, never trusted.
    #[error(
        "the search index at {} has schema version {found:?}, expected {expected}: rebuild it",
        path.display()
    )]
    Stale {
        /// The index directory.
        path: PathBuf,
        /// The version found, none when the version file is missing.
        found: Option<u32>,
        /// [`crate::SCHEMA_VERSION`].
        expected: u32,
    },
    /// Another writer (in this process or another) holds the index's lock.
    #[error("another writer holds the search index")]
    WriterBusy,
    /// A document to index is not acceptable.
    #[error("invalid document {id}: {reason}")]
    InvalidDocument {
        /// The document's id.
        id: i64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A query is not acceptable (too long, a page beyond the window, a bad clearance).
    #[error("invalid query: {reason}")]
    InvalidQuery {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The index directory could not be read or written.
    #[error("search index i/o at {}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The index engine failed (corrupt files, a full disk, a failed merge).
    #[error("search index engine error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<tantivy::TantivyError> for Error {
    fn from(error: tantivy::TantivyError) -> Error {
        match error {
            tantivy::TantivyError::LockFailure(..) => Error::WriterBusy,
            other => Error::Backend(Box::new(other)),
        }
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
