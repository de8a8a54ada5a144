//! Opening, creating and versioning the index.
//!
//! The index is derived data. A version file beside tantivy's files records [`SCHEMA_VERSION`];
//! it is written only after the index itself, so a crash in between leaves an index without a
//! version, which is reported stale like any other mismatch. The caller (the application's reindex)
//! then calls [`SearchIndex::recreate`] and rebuilds from the database: a stale index is never
//! read.

use std::fs;
use std::path::Path;

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use crate::schema::{Fields, SCHEMA_VERSION};
use crate::search::BlockMaxCache;
use crate::writer::{IndexWriter, WriterOptions};
use crate::{Error, tokenizer};

/// The file holding the schema version, in the index directory.
const VERSION_FILE: &str = "vanthu-search.version";
const VERSION_PREFIX: &str = "vanthu-search schema ";

/// A search index: in memory (tests) or in a directory of its own.
///
/// Searches may run from many threads at once; writes go through the one [`IndexWriter`] that
/// [`SearchIndex::writer`] hands out (a second one fails with [`Error::WriterBusy`]).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Block-max bounds read by earlier searches (per segment and term).
    block_max_cache: BlockMaxCache,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("num_docs", &self.num_docs())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// An empty index in memory.
    ///
    /// # Errors
    /// [`Error::Backend`] when tantivy cannot set it up.
    pub fn create_in_ram() -> Result<SearchIndex, Error> {
        let (schema, fields) = Fields::build();
        SearchIndex::from_index(Index::create_in_ram(schema), fields)
    }

    /// Opens the index in `dir`, or creates an empty one when the directory is missing or empty.
    ///
    /// # Errors
    /// [`Error::Stale`] when the directory holds an index of another version (or one without a
    /// version file); [`Error::Io`] or [`Error::Backend`] when it cannot be read.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, Error> {
        fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let version_path = dir.join(VERSION_FILE);
        let found = match fs::read_to_string(&version_path) {
            Ok(text) => Some(parse_version(&text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(Error::io(&version_path)(error)),
        };
        let is_empty = fs::read_dir(dir).map_err(Error::io(dir))?.next().is_none();
        if is_empty {
            return SearchIndex::create(dir);
        }
        match found {
            Some(Some(version)) if version == SCHEMA_VERSION => {}
            found => {
                return Err(Error::Stale {
                    path: dir.to_owned(),
                    found: found.flatten(),
                    expected: SCHEMA_VERSION,
                });
            }
        }
        let index = Index::open_in_dir(dir)?;
        let (schema, fields) = Fields::build();
        if index.schema() != schema {
            return Err(Error::Stale {
                path: dir.to_owned(),
                found: Some(SCHEMA_VERSION),
                expected: SCHEMA_VERSION,
            });
        }
        SearchIndex::from_index(index, fields)
    }

    /// Deletes the index files in `dir` (tantivy's and the version file, nothing else) and
    /// creates an empty index there: the first step of a rebuild.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be removed; [`Error::Backend`] from tantivy.
    pub fn recreate(dir: &Path) -> Result<SearchIndex, Error> {
        fs::create_dir_all(dir).map_err(Error::io(dir))?;
        for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
            let path = entry.map_err(Error::io(dir))?.path();
            if is_index_file(&path) {
                fs::remove_file(&path).map_err(Error::io(&path))?;
            }
        }
        SearchIndex::create(dir)
    }

    /// The index's writer with [`WriterOptions::default`].
    ///
    /// # Errors
    /// [`Error::WriterBusy`] while another writer is alive.
    pub fn writer(&self) -> Result<IndexWriter, Error> {
        self.writer_with(WriterOptions::default())
    }

    /// The index's writer with explicit threads and memory.
    ///
    /// # Errors
    /// [`Error::WriterBusy`] while another writer is alive; [`Error::Backend`] for options tantivy
    /// refuses (under 15 MB per thread).
    pub fn writer_with(&self, options: WriterOptions) -> Result<IndexWriter, Error> {
        let writer = self
            .index
            .writer_with_num_threads(options.threads.max(1), options.memory_bytes)?;
        Ok(IndexWriter::new(writer, self.reader.clone(), self.fields))
    }

    /// The number of documents the current snapshot holds.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Makes the last commit (from any writer, even another process) visible to searches. The
    /// writer of this index reloads by itself on commit.
    ///
    /// # Errors
    /// [`Error::Backend`] when the new snapshot cannot be opened.
    pub fn reload(&self) -> Result<(), Error> {
        self.reader.reload()?;
        Ok(())
    }

    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    pub(crate) fn block_max_cache(&self) -> &BlockMaxCache {
        &self.block_max_cache
    }

    fn create(dir: &Path) -> Result<SearchIndex, Error> {
        let (schema, fields) = Fields::build();
        let index = Index::create_in_dir(dir, schema)?;
        write_version(dir)?;
        SearchIndex::from_index(index, fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<SearchIndex, Error> {
        tokenizer::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            block_max_cache: BlockMaxCache::default(),
        })
    }
}

fn parse_version(text: &str) -> Option<u32> {
    text.trim().strip_prefix(VERSION_PREFIX)?.parse().ok()
}

fn write_version(dir: &Path) -> Result<(), Error> {
    let path = dir.join(VERSION_FILE);
    let temporary = dir.join(format!("{VERSION_FILE}.tmp"));
    fs::write(&temporary, format!("{VERSION_PREFIX}{SCHEMA_VERSION}\n"))
        .map_err(Error::io(&temporary))?;
    fs::rename(&temporary, &path).map_err(Error::io(&path))
}

/// Whether a file belongs to the index: tantivy's meta files, lock files and segment files (a
/// segment id is 32 hexadecimal digits), and our version file.
fn is_index_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    if name.starts_with(VERSION_FILE)
        || matches!(name, "meta.json" | ".managed.json")
        || name.starts_with(".tantivy-")
    {
        return true;
    }
    name.split_once('.').is_some_and(|(stem, _)| {
        stem.len() == 32 && stem.bytes().all(|byte| byte.is_ascii_hexdigit())
    })
}
