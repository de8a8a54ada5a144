//! Errors of the blob store, in the caller's terms.

use crate::blob_id::BlobId;

/// Why a blob could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No blob with this id is stored.
    #[error("blob {id} not found")]
    NotFound {
        /// The id that was looked up.
        id: BlobId,
    },
    /// The stored bytes no longer hash to the blob's id: the copy is damaged.
    #[error("blob {id} is corrupt: its content no longer matches its id")]
    Corrupt {
        /// The id of the damaged blob.
        id: BlobId,
    },
    /// A string that is not a blob id (64 lowercase hexadecimal digits).
    #[error("invalid blob id {value:?}")]
    InvalidId {
        /// The rejected string, cut to its first 100 characters.
        value: String,
    },
    /// The filesystem failed; `context` says which step.
    #[error("blob storage i/o failed while {context}")]
    Io {
        /// The step that failed, such as "writing a temporary file".
        context: &'static str,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
}
