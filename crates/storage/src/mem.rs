//! An in-memory blob store for tests, with the same semantics as the filesystem one.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::blob_id::BlobId;
use crate::error::Error;
use crate::store::BlobStore;

/// Blobs held in a map in memory, for tests; nothing is durable.
#[derive(Debug, Default)]
pub struct MemBlobStore {
    // Invariant: each value hashed to its key when it was inserted.
    blobs: Mutex<HashMap<BlobId, Vec<u8>>>,
}

impl MemBlobStore {
    fn blobs(&self) -> MutexGuard<'_, HashMap<BlobId, Vec<u8>>> {
        // Every critical section is a single map operation, so a panic elsewhere while the lock
        // was held cannot have left the map half-updated.
        self.blobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Flips one bit of a stored blob, to exercise the fixity check.
    #[cfg(test)]
    pub(crate) fn flip_bit(&self, id: &BlobId) {
        if let Some(byte) = self.blobs().get_mut(id).and_then(|bytes| bytes.first_mut()) {
            *byte ^= 1;
        }
    }
}

impl BlobStore for MemBlobStore {
    fn put(&self, bytes: &[u8]) -> Result<BlobId, Error> {
        let id = BlobId::of(bytes);
        self.blobs()
            .entry(id.clone())
            .or_insert_with(|| bytes.to_vec());
        Ok(id)
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>, Error> {
        let Some(bytes) = self.blobs().get(id).cloned() else {
            return Err(Error::NotFound { id: id.clone() });
        };
        if BlobId::of(&bytes) != *id {
            return Err(Error::Corrupt { id: id.clone() });
        }
        Ok(bytes)
    }

    fn contains(&self, id: &BlobId) -> Result<bool, Error> {
        Ok(self.blobs().contains_key(id))
    }

    fn ids(&self) -> Result<Vec<BlobId>, Error> {
        let mut ids: Vec<BlobId> = self.blobs().keys().cloned().collect();
        ids.sort();
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::suite;

    #[test]
    fn passes_the_shared_suite() {
        let store = MemBlobStore::default();
        suite(&store, &|id| store.flip_bit(id));
    }
}
