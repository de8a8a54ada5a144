//! The seam between the application and wherever blobs live.

use std::fmt;

use crate::blob_id::BlobId;
use crate::error::Error;

/// A store of immutable blobs, each named by the SHA-256 of its bytes.
///
/// The methods are synchronous on purpose: storing means hashing megabytes and waiting for
/// `fsync`, which is blocking work that async callers must move off the runtime anyway
/// (`tokio::task::spawn_blocking`, STYLE.md §7).
/// A synchronous trait also stays object-safe without boxing futures, so the application can
/// hold an `Arc<dyn BlobStore>`, and it keeps this crate free of an async runtime.
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Stores `bytes` and returns their id.
    ///
    /// Idempotent: storing bytes that are already present returns the same id and leaves the
    /// stored copy as it is. When this returns, the blob is durable.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the bytes cannot be written durably.
    fn put(&self, bytes: &[u8]) -> Result<BlobId, Error>;

    /// Reads the blob named `id`, after checking that its bytes still hash to `id`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when no such blob is stored, [`Error::Corrupt`] when the stored
    /// bytes fail the check, and [`Error::Io`] when they cannot be read.
    fn get(&self, id: &BlobId) -> Result<Vec<u8>, Error>;

    /// Whether a blob named `id` is stored; its bytes are not checked.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the store cannot tell.
    fn contains(&self, id: &BlobId) -> Result<bool, Error>;

    /// The ids of every stored blob, in ascending order; their bytes are not checked.
    ///
    /// Blobs still being written are not listed. Used by the fixity audit to find blobs that no
    /// record refers to.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the store cannot be listed.
    fn ids(&self) -> Result<Vec<BlobId>, Error>;
}
