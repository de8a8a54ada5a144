//! The behaviour every [`BlobStore`] shares, checked once and run against each implementation
//! (after tantivy's `directory/tests.rs`).

use crate::blob_id::BlobId;
use crate::error::Error;
use crate::store::BlobStore;

/// Runs every shared check against `store`, which must start empty; `flip_bit` damages the
/// stored copy of a blob in place.
pub(crate) fn suite(store: &dyn BlobStore, flip_bit: &dyn Fn(&BlobId)) {
    starts_with_no_ids(store);
    round_trip(store);
    put_is_idempotent(store);
    missing_blob_is_not_found(store);
    empty_blob(store);
    large_blob(store);
    damage_is_detected_on_read(store, flip_bit);
    ids_lists_every_stored_blob_in_order(store);
}

fn starts_with_no_ids(store: &dyn BlobStore) {
    assert!(store.ids().unwrap().is_empty());
}

fn ids_lists_every_stored_blob_in_order(store: &dyn BlobStore) {
    let ids = store.ids().unwrap();
    let expected = [
        BlobId::of(b"%PDF-1.7 round trip"),
        BlobId::of(b"twice"),
        BlobId::of(b""),
        BlobId::of(b"signed original"),
    ];
    for id in &expected {
        assert!(ids.contains(id), "{id} not listed");
    }
    // Damaged blobs are still listed; the large blob is there too.
    assert_eq!(ids.len(), expected.len() + 1);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

fn round_trip(store: &dyn BlobStore) {
    let bytes = b"%PDF-1.7 round trip";
    let id = store.put(bytes).unwrap();
    assert_eq!(id, BlobId::of(bytes));
    assert!(store.contains(&id).unwrap());
    assert_eq!(store.get(&id).unwrap(), bytes);
}

fn put_is_idempotent(store: &dyn BlobStore) {
    let first = store.put(b"twice").unwrap();
    let second = store.put(b"twice").unwrap();
    assert_eq!(first, second);
    assert_eq!(store.get(&first).unwrap(), b"twice");
}

fn missing_blob_is_not_found(store: &dyn BlobStore) {
    let id = BlobId::of(b"never stored");
    assert!(!store.contains(&id).unwrap());
    match store.get(&id) {
        Err(Error::NotFound { id: missing }) => assert_eq!(missing, id),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

fn empty_blob(store: &dyn BlobStore) {
    let id = store.put(b"").unwrap();
    assert_eq!(id, BlobId::of(b""));
    assert!(store.get(&id).unwrap().is_empty());
}

fn large_blob(store: &dyn BlobStore) {
    let bytes: Vec<u8> = (0..5 * 1024 * 1024_u32)
        .map(|i| (i.wrapping_mul(31) >> 3).to_le_bytes()[0])
        .collect();
    let id = store.put(&bytes).unwrap();
    assert!(store.get(&id).unwrap() == bytes, "5 MiB blob changed");
}

fn damage_is_detected_on_read(store: &dyn BlobStore, flip_bit: &dyn Fn(&BlobId)) {
    let id = store.put(b"signed original").unwrap();
    flip_bit(&id);
    match store.get(&id) {
        Err(Error::Corrupt { id: damaged }) => assert_eq!(damaged, id),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // The damaged copy is still there; it is reported, not hidden.
    assert!(store.contains(&id).unwrap());
}
