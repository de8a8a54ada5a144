//! Full-text search of the registered documents, through the `search` crate's index.
//!
//! The index is derived data: the database is the truth. It is opened at start (a stale index, or
//! one of another version, is recreated and rebuilt from the database), updated after each commit
//! that changes a document, and rebuilt in full by [`App::reindex`] (`vanthu reindex`). The one
//! writer lives here behind a mutex; every index call runs off the async executor.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use domain::levels::Secrecy;
use domain::register::RegisterKind;
use time::Date;

use crate::{Actor, App, Error, Permission, blocking};

pub use search::{Facets, SearchHit, SearchResults, TotalRelation};

/// The longest page of hits one search returns.
pub const MAX_SEARCH_LIMIT: usize = 100;

/// How far a search counts its matches exactly; beyond, the total is "at least this many"
/// ([`TotalRelation::AtLeast`]), which lets the index rank the top hits without visiting every
/// match (BENCHMARKS.md, search).
pub const SEARCH_TOTAL_UP_TO: u64 = search::DEFAULT_TOTAL_UP_TO;

/// What a search asks, besides who asks (the scope always comes from the actor).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// Words and `"quoted phrases"`, with or without diacritics; empty for every document.
    pub text: String,
    /// The metadata filters.
    pub filters: SearchFilters,
    /// Hits per page (1 to [`MAX_SEARCH_LIMIT`]).
    pub limit: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Whether to count the matches per type and issuer (which visits every match).
    pub facets: bool,
}

/// What a search is narrowed to, besides the actor's organisation and clearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchFilters {
    /// Only this document type code (`KH`, `BC`, …).
    pub type_code: Option<String>,
    /// Only documents issued on or after this date.
    pub date_from: Option<Date>,
    /// Only documents issued on or before this date.
    pub date_to: Option<Date>,
}

impl SearchFilters {
    /// Builds the filters from text as typed (`YYYY-MM-DD` dates; an empty value is no filter).
    ///
    /// # Errors
    /// `Validation` naming each bad field (`from`, `to`), and `to` before `from`.
    pub fn parse(
        type_code: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<SearchFilters, Error> {
        let mut issues = Vec::new();
        let mut date = |field: &'static str, text: Option<&str>| match present(text)
            .map(|text| crate::export::parse_date(field, text))
        {
            Some(Ok(date)) => Some(date),
            Some(Err(Error::Validation { issues: found })) => {
                issues.extend(found);
                None
            }
            Some(Err(_)) | None => None,
        };
        let date_from = date("from", from);
        let date_to = date("to", to);
        if let (Some(from), Some(to)) = (date_from, date_to)
            && to < from
        {
            issues.push(crate::FieldIssue {
                field: "to",
                message: format!("{to} is before {from}"),
            });
        }
        if !issues.is_empty() {
            return Err(Error::Validation { issues });
        }
        Ok(SearchFilters {
            type_code: present(type_code).map(str::to_owned),
            date_from,
            date_to,
        })
    }
}

/// The trimmed text, `None` when absent or empty.
fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// The index and its one writer.
pub(crate) struct Search {
    dir: PathBuf,
    /// The index searches read; replaced as a whole by a rebuild.
    index: RwLock<Arc<search::SearchIndex>>,
    /// The single writer; `None` only while a rebuild replaces it (or after a failed one).
    writer: Mutex<Option<search::IndexWriter>>,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn unavailable(source: search::Error) -> Error {
    Error::Unavailable {
        what: "search index",
        source: source.into(),
    }
}

fn poisoned() -> Error {
    Error::Internal {
        reason: "the search index lock is poisoned".to_owned(),
    }
}

impl Search {
    /// Opens the index in `dir`; a stale one (another version, or no version file) is recreated
    /// empty. Returns whether it must be rebuilt from the database.
    pub(crate) fn open(dir: &Path) -> Result<(Search, bool), Error> {
        let (index, rebuild) = match search::SearchIndex::open_or_create(dir) {
            Ok(index) => {
                // An empty index (a deleted or new directory) is filled from the database, which
                // costs nothing when the database holds no document either.
                let empty = index.num_docs() == 0;
                (index, empty)
            }
            Err(error @ search::Error::Stale { .. }) => {
                tracing::warn!(%error, "the search index is stale: recreating and rebuilding it");
                (
                    search::SearchIndex::recreate(dir).map_err(unavailable)?,
                    true,
                )
            }
            Err(error) => return Err(unavailable(error)),
        };
        // Another process (`vanthu serve` while an operator runs a command) may hold the one
        // writer: this one then only reads, and neither updates nor rebuilds the index.
        let (writer, rebuild) = match index.writer() {
            Ok(writer) => (Some(writer), rebuild),
            Err(search::Error::WriterBusy) => {
                tracing::info!("another process writes the search index: opened read-only");
                (None, false)
            }
            Err(error) => return Err(unavailable(error)),
        };
        Ok((
            Search {
                dir: dir.to_owned(),
                index: RwLock::new(Arc::new(index)),
                writer: Mutex::new(writer),
            },
            rebuild,
        ))
    }

    fn index(&self) -> Result<Arc<search::SearchIndex>, Error> {
        Ok(Arc::clone(&*self.index.read().map_err(|_| poisoned())?))
    }

    /// Adds or replaces one document and commits.
    fn upsert(&self, document: &search::IndexedDocument) -> Result<(), Error> {
        let mut guard = self.writer.lock().map_err(|_| poisoned())?;
        let writer = guard.as_mut().ok_or_else(|| Error::Internal {
            reason: "this process does not write the search index".to_owned(),
        })?;
        writer.upsert(document).map_err(unavailable)?;
        writer.commit().map_err(unavailable)
    }

    /// Deletes the index files, recreates the index and fills it with `documents`.
    fn rebuild(&self, documents: &[search::IndexedDocument]) -> Result<(), Error> {
        let mut guard = self.writer.lock().map_err(|_| poisoned())?;
        // Without a writer of its own, this process checks that no other one writes the index
        // (a running server) before deleting its files.
        let old = match guard.take() {
            Some(old) => old,
            None => self.index()?.writer().map_err(unavailable)?,
        };
        // The old writer releases its lock before the files go.
        if let Err(error) = old.finish() {
            tracing::warn!(%error, "the old search index writer failed to finish");
        }
        let index = search::SearchIndex::recreate(&self.dir).map_err(unavailable)?;
        let mut writer = index.writer().map_err(unavailable)?;
        for document in documents {
            writer.upsert(document).map_err(unavailable)?;
        }
        writer.commit().map_err(unavailable)?;
        *self.index.write().map_err(|_| poisoned())? = Arc::new(index);
        *guard = Some(writer);
        Ok(())
    }
}

/// The index's number for a secrecy level (0 = normal … 3 = top secret).
pub(crate) fn secrecy_level(secrecy: Secrecy) -> u8 {
    match secrecy {
        Secrecy::Normal => 0,
        Secrecy::Confidential => 1,
        Secrecy::Secret => 2,
        Secrecy::TopSecret => 3,
    }
}

/// The indexed form of a stored incoming document with its extracted text (empty when none was
/// stored).
///
/// A recalled document ("deleted, metadata kept", Decree 30/2020 Điều 18.4) keeps its register
/// metadata in the index, so that an archivist still finds it by number, issuer or subject (and
/// sees that it was recalled), but not its body: the withdrawn content is no longer searchable,
/// nor shown in snippets.
fn indexed(document: &db::documents::IncomingDocument, text: String) -> search::IndexedDocument {
    let text = if document.state == domain::incoming::IncomingState::Recalled {
        String::new()
    } else {
        text
    };
    search::IndexedDocument {
        id: document.id.get(),
        organization_id: document.organization_id.get(),
        secrecy_level: secrecy_level(document.secrecy),
        number_symbol: document.number_symbol.clone(),
        type_code: document.type_code.clone(),
        issuer: document.issuer_name.clone(),
        subject: document.subject.clone(),
        text,
        register: Some(
            RegisterKind::for_incoming(document.secrecy)
                .code()
                .to_owned(),
        ),
        status: Some(document.state.code().to_owned()),
        signer: None,
        date: document.issued_date,
    }
}

impl App {
    /// The actor of `vanthu search`: the built-in `system` actor ([`App::system_actor`]) cleared
    /// for every secrecy level of its organisation. The operator who runs it on the server already
    /// holds the database credentials, so this grants nothing new.
    ///
    /// # Errors
    /// As [`App::system_actor`].
    pub async fn system_search_actor(&self, organization: Option<&str>) -> Result<Actor, Error> {
        let mut actor = self.system_actor(organization).await?;
        actor.clearance = Secrecy::TopSecret;
        Ok(actor)
    }

    /// Brings the index up to date with a committed document. A failure is logged, not returned:
    /// the document is registered, and `vanthu reindex` repairs the index.
    pub(crate) async fn index_document(&self, id: domain::ids::DocumentId) {
        let document = match db::documents::find_incoming(&self.db, id).await {
            Ok(Some(document)) => document,
            Ok(None) => return self.index_outgoing(id).await,
            Err(error) => {
                tracing::warn!(%error, document_id = %id, "cannot read the document to index it");
                return;
            }
        };
        let text = match db::document_texts::get(&self.db, id).await {
            Ok(text) => text.map(|text| text.text).unwrap_or_default(),
            Err(error) => {
                tracing::warn!(%error, document_id = %id, "cannot read the document's text to index it");
                return;
            }
        };
        let text = crate::ocr::text_for_index(text, self.ocr_for_index(id).await.as_ref());
        self.upsert_indexed(indexed(&document, text)).await;
    }

    /// Adds or replaces one indexed document; a failure is logged, not returned.
    pub(crate) async fn upsert_indexed(&self, document: search::IndexedDocument) {
        let id = document.id;
        let search = Arc::clone(&self.search);
        let result = blocking(move || search.upsert(&document)).await;
        if let Err(error) = result.and_then(|inner| inner) {
            tracing::warn!(%error, document_id = id, "the search index was not updated; run `vanthu reindex`");
        }
    }

    /// Rebuilds the whole index from the database (every organisation); returns how many
    /// documents it holds.
    ///
    /// # Errors
    /// `Unavailable` when the database or the index directory fails.
    pub async fn reindex(&self) -> Result<u64, Error> {
        // The stored texts, not extracted again: a rebuild reads only the database.
        let mut texts: std::collections::HashMap<i64, String> = db::document_texts::list(&self.db)
            .await?
            .into_iter()
            .map(|text| (text.document_id.get(), text.text))
            .collect();
        self.overlay_ocr_texts(&mut texts).await?;
        let mut documents = Vec::new();
        for organization in db::organizations::list(&self.db).await? {
            let rows =
                db::documents::list_incoming(&self.db, organization.id, Secrecy::TopSecret).await?;
            documents.extend(rows.iter().map(|document| {
                let text = texts.remove(&document.id.get()).unwrap_or_default();
                indexed(document, text)
            }));
        }
        documents.extend(self.outgoing_for_reindex(&mut texts).await?);
        let count = documents.len() as u64;
        let search = Arc::clone(&self.search);
        blocking(move || search.rebuild(&documents)).await??;
        tracing::info!(documents = count, "search index rebuilt");
        Ok(count)
    }

    /// Searches the documents of the actor's organisation that the actor is cleared to see; the
    /// scope comes from the actor, never from the request.
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents; `Validation` for a query that is too long,
    /// a bad page or an inverted date range; `Unavailable` when the index fails.
    pub async fn search(
        &self,
        actor: &Actor,
        request: &SearchRequest,
    ) -> Result<SearchResults, Error> {
        actor.require(Permission::ListIncoming)?;
        self.search_in_scope(actor, request, MAX_SEARCH_LIMIT).await
    }

    /// The restriction of a search's scope for an actor who reads no register: the incoming
    /// registers' documents only when assigned to the actor ([`App::readable_incoming`]);
    /// `None` for one who reads the whole register.
    async fn incoming_restriction(
        &self,
        actor: &Actor,
    ) -> Result<Option<search::Restriction>, Error> {
        if crate::handling::reads_the_register(actor) {
            return Ok(None);
        }
        let allowed_ids = db::handling::documents_assigned_to(&self.db, actor.user_id)
            .await?
            .into_iter()
            .map(|id| id.get())
            .collect();
        Ok(Some(search::Restriction {
            registers: [RegisterKind::Incoming, RegisterKind::SecretIncoming]
                .into_iter()
                .map(|register| register.code().to_owned())
                .collect(),
            allowed_ids,
        }))
    }

    /// [`App::search`] without the permission check and with any page size up to the result
    /// window (the CSV export's pages); the scope still comes from the actor.
    ///
    /// An officer who reads no register sees only the incoming documents assigned to them, as
    /// everywhere else ([`App::reads_incoming`]): the scope then carries a
    /// [`search::Restriction`] of the incoming registers to those ids, a required clause of the
    /// query like the organisation's, so that the other incoming documents stay out of the hits,
    /// the totals, the facets and the snippets alike.
    pub(crate) async fn search_in_scope(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        max_limit: usize,
    ) -> Result<SearchResults, Error> {
        let (limit, offset, filters) = (request.limit, request.offset, request.filters.clone());
        if limit == 0 || limit > max_limit {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {max_limit}"),
            ));
        }
        if let (Some(from), Some(to)) = (filters.date_from, filters.date_to)
            && from > to
        {
            return Err(Error::invalid("from", "the range starts after it ends"));
        }
        let query = search::SearchQuery {
            text: request.text.clone(),
            scope: search::Scope {
                organization_id: actor.organization_id.get(),
                clearance: secrecy_level(actor.clearance),
                restricted: self.incoming_restriction(actor).await?,
            },
            filters: search::Filters {
                type_code: filters.type_code,
                date_from: filters.date_from,
                date_to: filters.date_to,
                ..search::Filters::default()
            },
            sort: search::Sort::Relevance,
            limit,
            offset,
            total_up_to: Some(SEARCH_TOTAL_UP_TO),
            facets: request.facets,
        };
        let index = self.search.index()?;
        blocking(move || index.search(&query))
            .await?
            .map_err(|error| match error {
                search::Error::InvalidQuery { reason } => Error::invalid("q", reason),
                other => unavailable(other),
            })
    }
}
