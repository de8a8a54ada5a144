//! Content-addressed blob storage: PDFs and other immutable files, named by their SHA-256.
//!
//! A blob's id is the digest of its bytes, so writing the same bytes twice stores them once, and
//! every read re-hashes the bytes to prove they are still the ones that were written (fixity,
//! after tantivy's footer checksums).
//! Blobs are written before the database row that refers to them is committed, so a crash can
//! leave an orphan blob to collect, never a row pointing at nothing (STYLE.md §9).
//!
//! [`BlobStore`] is the seam; [`FsBlobStore`] is the production implementation and
//! [`MemBlobStore`] the in-memory one for tests.
//! Both pass the same test suite.

mod blob_id;
mod error;
mod fs;
mod mem;
mod store;

pub use crate::blob_id::BlobId;
pub use crate::error::Error;
pub use crate::fs::FsBlobStore;
pub use crate::mem::MemBlobStore;
pub use crate::store::BlobStore;

#[cfg(test)]
mod tests;
