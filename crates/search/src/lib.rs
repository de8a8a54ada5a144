//! Full-text search over the registered documents, for archivists and clerks typing Vietnamese
//! with or without diacritics (the only crate that names tantivy).
//!
//! - [`SearchIndex`]: in memory or in a directory, versioned by [`SCHEMA_VERSION`] (an index of
//!   another version is [`Error::Stale`] and must be rebuilt, never read).
//! - [`IndexWriter`]: the one writer; [`IndexWriter::upsert`] an [`IndexedDocument`],
//!   [`IndexWriter::delete`], [`IndexWriter::commit`].
//! - [`SearchIndex::search`]: a [`SearchQuery`] (text, [`Scope`], [`Filters`], [`Sort`], page,
//!   how far to count, whether to compute facets) to [`SearchResults`] (total and
//!   [`TotalRelation`], hits with HTML-safe highlighted snippets, [`Facets`] on request).
//!
//! The index is derived data: the database and the extracted texts are the truth, and the
//! application rebuilds the index from them. The scope (organisation and secrecy clearance) is part
//! of every query, so nothing outside it reaches hits, totals, facets or snippets.
//!
//! Vietnamese analysis (module `analysis`): NFC, syllables, folded keys (no tones or shape marks,
//! `đ` → `d`) for matching, exact keys for ranking exact-diacritic matches first, and folded
//! syllable bigrams so that phrases of common syllables stay fast.

mod analysis;
mod document;
mod error;
mod index;
mod query;
mod schema;
mod search;
mod snippet;
mod tokenizer;
mod writer;

pub use crate::document::IndexedDocument;
pub use crate::error::Error;
pub use crate::index::SearchIndex;
pub use crate::query::{
    DEFAULT_TOTAL_UP_TO, Filters, MAX_QUERY_BYTES, MAX_QUERY_SYLLABLES, MAX_RESULT_WINDOW,
    Restriction, Scope, SearchQuery, Sort,
};
pub use crate::schema::SCHEMA_VERSION;
pub use crate::search::{Facets, SearchHit, SearchResults, TotalRelation};
pub use crate::writer::{IndexWriter, WriterOptions};

#[cfg(test)]
mod tests;
