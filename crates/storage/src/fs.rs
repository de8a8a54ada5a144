//! The production blob store: one file per blob under a root directory.
//!
//! Layout, which is an on-disk format and must stay readable:
//!
//! ```text
//! root/
//!   tmp/                 blobs being written; leftovers are from crashed writes
//!   ab/cd/abcd…(64 hex)  a blob, fanned out by the first two bytes of its id
//! ```
//!
//! Crash safety: a blob is written to a temporary file in `root/tmp/`, flushed to disk with
//! `fsync`, then renamed into place, and finally the directory holding it is flushed too.
//! Rename within one filesystem is atomic, so after a crash a blob's path holds either nothing or
//! the complete, synced bytes, never a torn write; the directory flush makes the new name itself
//! survive the crash, so a successful [`BlobStore::put`] is durable before the caller commits a
//! database row that names the blob.
//! A crash can at worst leave a stray file in `root/tmp/`, which any time no writer is running
//! may delete.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::blob_id::BlobId;
use crate::error::Error;
use crate::store::BlobStore;

/// Blobs stored as files under a root directory, written crash-safely and re-hashed on read.
#[derive(Debug)]
pub struct FsBlobStore {
    // Invariant: `root` and `root/tmp` exist; both are on the same filesystem, so moving a file
    // from one to the other is an atomic rename.
    root: PathBuf,
}

/// The directory under the root where blobs are written before they are moved into place.
const TMP_DIR: &str = "tmp";

impl FsBlobStore {
    /// Opens the store rooted at `root`, creating the directory and its `tmp/` if need be.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directories cannot be created.
    pub fn open(root: &Path) -> Result<Self, Error> {
        fs::create_dir_all(root.join(TMP_DIR))
            .map_err(io_error("creating the store directories"))?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    fn path_of(&self, id: &BlobId) -> PathBuf {
        self.fan_out_dir(id).join(id.as_str())
    }

    /// `root/ab/cd` for an id starting `abcd`: two levels of 256 directories keep each directory
    /// small even with millions of blobs.
    fn fan_out_dir(&self, id: &BlobId) -> PathBuf {
        let hex = id.as_str();
        // Ids are 64 ASCII hex digits, so these ranges exist and fall on character boundaries.
        let first = hex.get(0..2).unwrap_or_default();
        let second = hex.get(2..4).unwrap_or_default();
        self.root.join(first).join(second)
    }

    /// Creates the fan-out directories of `id`, making their new names durable.
    fn ensure_fan_out_dir(&self, id: &BlobId) -> Result<PathBuf, Error> {
        let dir = self.fan_out_dir(id);
        if dir.is_dir() {
            return Ok(dir);
        }
        fs::create_dir_all(&dir).map_err(io_error("creating a blob directory"))?;
        // A new directory's name lives in its parent, so the parents are flushed too.
        if let Some(parent) = dir.parent() {
            sync_dir(parent).map_err(io_error("syncing a blob directory"))?;
        }
        sync_dir(&self.root).map_err(io_error("syncing the store directory"))?;
        Ok(dir)
    }
}

impl BlobStore for FsBlobStore {
    fn put(&self, bytes: &[u8]) -> Result<BlobId, Error> {
        let id = BlobId::of(bytes);
        let path = self.path_of(&id);
        match fs::metadata(&path) {
            // Same name and length: the bytes are already stored, and are left untouched. A
            // length mismatch is damage (say a partial restore), which the write below repairs.
            Ok(metadata) if u64::try_from(bytes.len()).is_ok_and(|len| len == metadata.len()) => {
                return Ok(id);
            }
            Ok(_) => {
                tracing::warn!(blob_id = %id, "replacing a stored blob of the wrong length");
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error("checking for an existing blob")(error)),
        }

        let dir = self.ensure_fan_out_dir(&id)?;
        let mut file = NamedTempFile::new_in(self.root.join(TMP_DIR))
            .map_err(io_error("creating a temporary file"))?;
        file.write_all(bytes)
            .map_err(io_error("writing a temporary file"))?;
        file.as_file()
            .sync_all()
            .map_err(io_error("syncing a temporary file"))?;
        // Concurrent puts of the same bytes each rename their own complete copy over the name;
        // readers see one whole copy or another, all identical.
        file.persist(&path)
            .map_err(|error| io_error("moving a blob into place")(error.error))?;
        sync_dir(&dir).map_err(io_error("syncing a blob directory"))?;
        Ok(id)
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>, Error> {
        let bytes = match fs::read(self.path_of(id)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(Error::NotFound { id: id.clone() });
            }
            Err(error) => return Err(io_error("reading a blob")(error)),
        };
        if BlobId::of(&bytes) != *id {
            tracing::error!(blob_id = %id, "stored blob failed its fixity check");
            return Err(Error::Corrupt { id: id.clone() });
        }
        Ok(bytes)
    }

    fn contains(&self, id: &BlobId) -> Result<bool, Error> {
        self.path_of(id)
            .try_exists()
            .map_err(io_error("checking for a blob"))
    }

    fn ids(&self) -> Result<Vec<BlobId>, Error> {
        let mut ids = Vec::new();
        // Only names that fit the layout are blobs: `tmp/` and anything else is skipped.
        for first in sub_dirs(&self.root)? {
            for second in sub_dirs(&first)? {
                let prefix = format!(
                    "{}{}",
                    file_name_of(&first).unwrap_or_default(),
                    file_name_of(&second).unwrap_or_default()
                );
                for entry in fs::read_dir(&second).map_err(io_error("listing blobs"))? {
                    let entry = entry.map_err(io_error("listing blobs"))?;
                    let is_file = entry
                        .file_type()
                        .map_err(io_error("listing blobs"))?
                        .is_file();
                    let name = entry.file_name();
                    let Some(name) = name.to_str() else { continue };
                    if let (true, Ok(id)) = (is_file, BlobId::parse(name))
                        && id.as_str().starts_with(&prefix)
                    {
                        ids.push(id);
                    }
                }
            }
        }
        ids.sort();
        Ok(ids)
    }
}

/// The subdirectories of `dir` whose names are two lowercase hex digits (a fan-out level).
fn sub_dirs(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error("listing blob directories"))? {
        let entry = entry.map_err(io_error("listing blob directories"))?;
        let is_dir = entry
            .file_type()
            .map_err(io_error("listing blob directories"))?
            .is_dir();
        let fan_out = file_name_of(&entry.path()).is_some_and(|name| {
            name.len() == 2
                && name
                    .bytes()
                    .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
        });
        if is_dir && fan_out {
            dirs.push(entry.path());
        }
    }
    Ok(dirs)
}

/// The last component of `path`, when it is valid UTF-8.
fn file_name_of(path: &Path) -> Option<String> {
    path.file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned)
}

/// Wraps an I/O failure with the step it interrupted.
fn io_error(context: &'static str) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// Flushes a directory's entries to disk, so that names created or renamed in it survive a crash.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Directories cannot be opened for flushing here; the platform orders metadata itself.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;

    use super::*;
    use crate::tests::suite;

    fn flip_first_bit(path: &Path) {
        let mut bytes = fs::read(path).unwrap();
        bytes[0] ^= 1;
        fs::write(path, bytes).unwrap();
    }

    #[test]
    fn passes_the_shared_suite() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        suite(&store, &|id| flip_first_bit(&store.path_of(id)));
    }

    #[test]
    fn stores_a_blob_at_its_fanned_out_path() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let id = store.put(b"abc").unwrap();
        // SHA-256("abc") starts ba78.
        let expected = root.path().join("ba").join("78").join(id.as_str());
        assert_eq!(fs::read(expected).unwrap(), b"abc");
    }

    #[test]
    fn open_creates_missing_directories_and_keeps_existing_blobs() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("deep").join("blobs");
        let id = FsBlobStore::open(&root).unwrap().put(b"kept").unwrap();
        let reopened = FsBlobStore::open(&root).unwrap();
        assert_eq!(reopened.get(&id).unwrap(), b"kept");
    }

    #[test]
    fn leaves_no_temporary_files_behind() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        store.put(b"one").unwrap();
        store.put(b"one").unwrap();
        store.put(b"two").unwrap();
        let leftovers: Vec<_> = fs::read_dir(root.path().join(TMP_DIR)).unwrap().collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn ids_skip_temporary_files_and_stray_names() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let id = store.put(b"listed").unwrap();
        let stray = BlobId::of(b"in tmp");
        fs::write(root.path().join(TMP_DIR).join(stray.as_str()), b"in tmp").unwrap();
        fs::write(root.path().join("README"), b"not a blob").unwrap();
        fs::write(store.fan_out_dir(&id).join("notes.txt"), b"not a blob").unwrap();
        assert_eq!(store.ids().unwrap(), vec![id]);
    }

    #[test]
    fn put_leaves_an_existing_blob_untouched() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let id = store.put(b"original").unwrap();
        let path = store.path_of(&id);
        // Corruption that keeps the length is invisible to put; only get detects it.
        flip_first_bit(&path);
        let flipped = fs::read(&path).unwrap();
        store.put(b"original").unwrap();
        assert_eq!(fs::read(&path).unwrap(), flipped);
    }

    #[test]
    fn put_repairs_a_stored_blob_of_the_wrong_length() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let id = store.put(b"will be torn").unwrap();
        OpenOptions::new()
            .write(true)
            .open(store.path_of(&id))
            .unwrap()
            .set_len(4)
            .unwrap();
        assert!(matches!(store.get(&id), Err(Error::Corrupt { .. })));
        assert_eq!(store.put(b"will be torn").unwrap(), id);
        assert_eq!(store.get(&id).unwrap(), b"will be torn");
    }

    #[test]
    fn concurrent_puts_of_the_same_bytes_all_succeed() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let bytes = vec![42_u8; 256 * 1024];
        let ids: Vec<BlobId> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| store.put(&bytes).unwrap()))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        assert!(ids.iter().all(|id| *id == BlobId::of(&bytes)));
        assert_eq!(store.get(&ids[0]).unwrap(), bytes);
        let leftovers: Vec<_> = fs::read_dir(root.path().join(TMP_DIR)).unwrap().collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn reports_io_failures_with_their_step() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("not-a-directory");
        fs::write(&file, b"").unwrap();
        match FsBlobStore::open(&file) {
            Err(error @ Error::Io { .. }) => assert_eq!(
                error.to_string(),
                "blob storage i/o failed while creating the store directories"
            ),
            other => panic!("{other:?}"),
        }
    }
}
