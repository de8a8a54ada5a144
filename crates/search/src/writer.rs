//! The index's one writer: upserts, deletes and commits.

use tantivy::{IndexReader, TantivyDocument, Term};

use crate::schema::Fields;
use crate::{Error, IndexedDocument};

/// How many indexing threads and how much memory the writer uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriterOptions {
    /// Indexing threads (at least one).
    pub threads: usize,
    /// Memory for all threads together, in bytes; at least 15 MB per thread.
    pub memory_bytes: usize,
}

impl Default for WriterOptions {
    /// Two threads and 128 MB: a ward's server indexes a document at a time, and a reindex of a
    /// few hundred thousand documents still flushes rarely.
    fn default() -> WriterOptions {
        WriterOptions {
            threads: 2,
            memory_bytes: 128 << 20,
        }
    }
}

/// The single writer of a [`crate::SearchIndex`]. Changes become visible to searches at
/// [`IndexWriter::commit`], all together.
pub struct IndexWriter {
    writer: tantivy::IndexWriter<TantivyDocument>,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for IndexWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexWriter").finish_non_exhaustive()
    }
}

impl IndexWriter {
    pub(crate) fn new(
        writer: tantivy::IndexWriter<TantivyDocument>,
        reader: IndexReader,
        fields: Fields,
    ) -> IndexWriter {
        IndexWriter {
            writer,
            reader,
            fields,
        }
    }

    /// Adds the document, replacing any earlier version with the same id.
    ///
    /// # Errors
    /// [`Error::InvalidDocument`] for a secrecy level above 3; [`Error::Backend`] when the
    /// indexing threads have failed.
    pub fn upsert(&mut self, document: &IndexedDocument) -> Result<(), Error> {
        if document.secrecy_level > 3 {
            return Err(Error::InvalidDocument {
                id: document.id,
                reason: "secrecy level above 3",
            });
        }
        self.delete(document.id);
        self.writer.add_document(self.fields.document(document))?;
        Ok(())
    }

    /// Removes the document with this id, if any.
    pub fn delete(&mut self, document_id: i64) {
        self.writer
            .delete_term(Term::from_field_i64(self.fields.id, document_id));
    }

    /// Removes every document (the start of a full rebuild in place).
    ///
    /// # Errors
    /// [`Error::Backend`] from tantivy.
    pub fn delete_all(&mut self) -> Result<(), Error> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes every change since the last commit durable and visible to searches.
    ///
    /// # Errors
    /// [`Error::Backend`] when writing fails; the changes are then lost and must be replayed.
    pub fn commit(&mut self) -> Result<(), Error> {
        self.writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Waits for background merges to end and releases the writer (and its lock).
    ///
    /// # Errors
    /// [`Error::Backend`] when a merge failed.
    pub fn finish(self) -> Result<(), Error> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}
