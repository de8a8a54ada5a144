//! Saved searches and the CSV export of a result list.
//!
//! A saved search is a user's named query text and filters. It belongs to that user alone: every
//! use case reaches it through the actor's own user id, so another user's saved search is simply
//! not found. It stores what was asked, never a scope or results: running it is an ordinary
//! [`App::search`] as the actor of the moment, with the organisation and clearance the actor has
//! then (a user whose clearance was lowered no longer sees the secret hits the search once found).
//!
//! The CSV export writes one page of a search's hits (the same scope, the same order) with the
//! documents' register metadata, incoming and issued outgoing documents alike (a last column tells
//! them apart; an outgoing document's issuer is its organisation), through the CSV writer of the audit exports (`crate::export`):
//! UTF-8 with a byte-order mark, RFC 4180, cells that a spreadsheet would run as formulas defused.
//! Each export is audited with the query, the page and the file's SHA-256.

use domain::audit::AuditAction;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::audit::AuditRecord;
use crate::export::{Export, ExportFormat};
use crate::fulltext::{SearchFilters, SearchRequest, SearchResults};
use crate::{Actor, App, Error, OperationId, Permission};

/// The longest name of a saved search, in characters.
pub const MAX_SAVED_SEARCH_NAME: usize = 200;

/// The most hits one CSV export holds; larger lists are exported page by page (`offset`).
pub const MAX_SEARCH_EXPORT_ROWS: usize = 1_000;

/// The column headers of a search export.
const EXPORT_HEADERS: [&str; 9] = [
    "Mã văn bản",
    "Số, ký hiệu",
    "Ngày văn bản",
    "Loại văn bản",
    "Cơ quan ban hành",
    "Trích yếu",
    "Điểm phù hợp",
    "Đoạn trích",
    "Văn bản đến/đi",
];

/// The register metadata of one exported hit, read back from the database.
struct ExportedDocument {
    number_symbol: Option<String>,
    issued_date: Option<time::Date>,
    type_code: Option<String>,
    issuer: Option<String>,
    subject: Option<String>,
    /// "Đến" (incoming) or "Đi" (outgoing).
    direction: &'static str,
}

/// A user's saved search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSearch {
    /// Its id.
    pub id: i64,
    /// Its name, unique for its owner (NFC, trimmed).
    pub name: String,
    /// The query text.
    pub text: String,
    /// The filters.
    pub filters: SearchFilters,
    /// When it was saved.
    pub created_at: OffsetDateTime,
}

impl App {
    /// Saves the actor's search under `name`, and audits it.
    ///
    /// # Errors
    /// `Forbidden` for a role that cannot search; `Validation` for an empty or too long name or a
    /// query that is too long; `Conflict` when the actor already has a saved search of that name.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn save_search(
        &self,
        actor: &Actor,
        name: &str,
        text: &str,
        filters: &SearchFilters,
        operation: &OperationId,
    ) -> Result<SavedSearch, Error> {
        actor.require(Permission::ListIncoming)?;
        if actor.user_id.get() <= 0 {
            // The built-in system actor has no account to own a saved search.
            return Err(Error::invalid(
                "user",
                "saved searches belong to a user account",
            ));
        }
        let name = saved_search_name(name)?;
        if text.len() > search::MAX_QUERY_BYTES {
            return Err(Error::invalid(
                "q",
                format!("longer than {} bytes", search::MAX_QUERY_BYTES),
            ));
        }
        let text: String = text.nfc().collect();
        let stored = stored_filters(filters);
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let id = db::saved_searches::insert(&tx, actor.user_id, &name, &text, &stored, now).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::SearchSaved,
                target: &format!("saved_search:{id}"),
                details: serde_json::json!({ "name": name, "q": text, "filters": stored }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(SavedSearch {
            id,
            name,
            text,
            filters: filters.clone(),
            created_at: now,
        })
    }

    /// The actor's own saved searches, by name.
    ///
    /// # Errors
    /// `Forbidden` for a role that cannot search; `Integrity` for a stored filter that no longer
    /// parses.
    pub async fn saved_searches(&self, actor: &Actor) -> Result<Vec<SavedSearch>, Error> {
        actor.require(Permission::ListIncoming)?;
        db::saved_searches::list(&self.db, actor.user_id)
            .await?
            .into_iter()
            .map(saved_from)
            .collect()
    }

    /// Runs the actor's saved search `name` as an ordinary search by the actor now (the actor's
    /// present scope and clearance), with this page.
    ///
    /// # Errors
    /// `NotFound` when the actor has no saved search of that name (another user's included); as
    /// [`App::search`].
    pub async fn run_saved_search(
        &self,
        actor: &Actor,
        name: &str,
        limit: usize,
        offset: usize,
        facets: bool,
    ) -> Result<(SavedSearch, SearchResults), Error> {
        let saved = self.saved_search(actor, name).await?;
        let request = SearchRequest {
            text: saved.text.clone(),
            filters: saved.filters.clone(),
            limit,
            offset,
            facets,
        };
        let results = self.search(actor, &request).await?;
        Ok((saved, results))
    }

    /// The actor's saved search `name`.
    ///
    /// # Errors
    /// `NotFound` when the actor has none of that name; `Forbidden` for a role that cannot search.
    pub async fn saved_search(&self, actor: &Actor, name: &str) -> Result<SavedSearch, Error> {
        actor.require(Permission::ListIncoming)?;
        let name: String = name.trim().nfc().collect();
        let saved = db::saved_searches::find(&self.db, actor.user_id, &name)
            .await?
            .ok_or(Error::NotFound {
                what: "saved search",
            })?;
        saved_from(saved)
    }

    /// Deletes the actor's saved search `name`, and audits it.
    ///
    /// # Errors
    /// `NotFound` when the actor has none of that name; `Forbidden` for a role that cannot search.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn delete_saved_search(
        &self,
        actor: &Actor,
        name: &str,
        operation: &OperationId,
    ) -> Result<(), Error> {
        actor.require(Permission::ListIncoming)?;
        let name: String = name.trim().nfc().collect();
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let Some(saved) = db::saved_searches::find(&tx, actor.user_id, &name).await? else {
            return Err(Error::NotFound {
                what: "saved search",
            });
        };
        db::saved_searches::delete(&tx, actor.user_id, &name).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::SearchDeleted,
                target: &format!("saved_search:{}", saved.id),
                details: serde_json::json!({ "name": name }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Exports one page of a search's hits as CSV (at most [`MAX_SEARCH_EXPORT_ROWS`]), with the
    /// documents' metadata, and audits the export. The scope is the actor's, as for the search.
    ///
    /// # Errors
    /// As [`App::search`], with `limit` allowed up to [`MAX_SEARCH_EXPORT_ROWS`].
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn export_search(
        &self,
        actor: &Actor,
        request: &SearchRequest,
        operation: &OperationId,
    ) -> Result<Export, Error> {
        actor.require(Permission::ListIncoming)?;
        let request = SearchRequest {
            facets: false,
            ..request.clone()
        };
        let results = self
            .search_in_scope(actor, &request, MAX_SEARCH_EXPORT_ROWS)
            .await?;
        let mut rows = Vec::with_capacity(results.hits.len());
        for hit in &results.hits {
            let id = domain::ids::DocumentId(hit.id);
            // The index is derived data and may lag: the database decides what the actor sees.
            let Some(document) = self.exported_document(actor, id).await? else {
                continue;
            };
            let text = |value: Option<String>| value.unwrap_or_default();
            rows.push(vec![
                id.get().to_string(),
                text(document.number_symbol),
                document
                    .issued_date
                    .map(|date| date.to_string())
                    .unwrap_or_default(),
                text(document.type_code),
                text(document.issuer),
                text(document.subject),
                format!("{:.3}", hit.score),
                plain_snippet(&hit.snippet),
                document.direction.to_owned(),
            ]);
        }
        let count = rows.len();
        let bytes = crate::export::csv(&EXPORT_HEADERS, rows);
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let now = self.clock.now();
        let date = now.to_offset(domain::calendar::VIETNAM_OFFSET).date();
        let export = Export {
            file_name: format!("vanthu-search-{date}.csv"),
            content_type: ExportFormat::Csv.content_type(),
            bytes,
            sha256,
        };
        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::SearchExported,
                target: &format!("organization:{}", actor.organization_id),
                details: serde_json::json!({
                    "q": request.text,
                    "filters": stored_filters(&request.filters),
                    "limit": request.limit,
                    "offset": request.offset,
                    "rows": count,
                    "total": results.total,
                    "file_name": export.file_name,
                    "sha256": export.sha256,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(export)
    }
}

impl App {
    /// The metadata of a search hit as the database has it now, when the actor may see it: an
    /// incoming document the actor reads ([`App::reads_incoming`]: an officer only those assigned
    /// to them), or an outgoing one the organisation issued (its issuer is the organisation), of
    /// the actor's organisation and within the actor's clearance.
    async fn exported_document(
        &self,
        actor: &Actor,
        id: domain::ids::DocumentId,
    ) -> Result<Option<ExportedDocument>, Error> {
        if let Some(document) = db::documents::find_incoming(&self.db, id).await? {
            // The one rule of who reads an incoming document: an officer only those assigned.
            let readable = self
                .reads_incoming(actor, id, document.organization_id, document.secrecy)
                .await?;
            return Ok(readable.then_some(ExportedDocument {
                number_symbol: document.number_symbol,
                issued_date: document.issued_date,
                type_code: document.type_code,
                issuer: document.issuer_name,
                subject: document.subject,
                direction: "Đến",
            }));
        }
        let Some(document) = db::outgoing::find(&self.db, id).await? else {
            return Ok(None);
        };
        if !actor.can_see(document.organization_id, document.secrecy)
            || !crate::fulltext_outgoing::is_promulgated(document.state)
        {
            return Ok(None);
        }
        let issuer = db::organizations::find(&self.db, document.organization_id)
            .await?
            .map(|organization| organization.profile.name);
        Ok(Some(ExportedDocument {
            number_symbol: document.number_symbol,
            issued_date: document.issued_date,
            type_code: document.type_code,
            issuer,
            subject: document.subject,
            direction: "Đi",
        }))
    }
}

/// A saved search's name: trimmed, NFC, 1 to [`MAX_SAVED_SEARCH_NAME`] characters without
/// control characters.
fn saved_search_name(name: &str) -> Result<String, Error> {
    let name: String = name.trim().nfc().collect();
    if name.is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    if name.chars().count() > MAX_SAVED_SEARCH_NAME {
        return Err(Error::invalid(
            "name",
            format!("longer than {MAX_SAVED_SEARCH_NAME} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "contains a control character"));
    }
    Ok(name)
}

fn stored_filters(filters: &SearchFilters) -> db::saved_searches::SavedFiltersV1 {
    db::saved_searches::SavedFiltersV1 {
        type_code: filters.type_code.clone(),
        from: filters.date_from.map(|date| date.to_string()),
        to: filters.date_to.map(|date| date.to_string()),
    }
}

fn saved_from(saved: db::saved_searches::SavedSearch) -> Result<SavedSearch, Error> {
    let stored = &saved.filters;
    let filters = SearchFilters::parse(
        stored.type_code.as_deref(),
        stored.from.as_deref(),
        stored.to.as_deref(),
    )
    .map_err(|_| Error::Integrity {
        detail: format!("saved search {} has filters that do not parse", saved.id),
    })?;
    Ok(SavedSearch {
        id: saved.id,
        name: saved.name,
        text: saved.query_text,
        filters,
        created_at: saved.created_at,
    })
}

/// A snippet as plain text: the `<mark>` tags dropped and the HTML escapes of the search crate
/// undone.
fn plain_snippet(snippet: &str) -> String {
    snippet
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(
            plain_snippet("a &lt;<mark>b</mark>&gt; &amp;lt; &quot;c&#39;"),
            "a <b> &lt; \"c'"
        );
    }

    #[test]
    fn names_are_trimmed_nfc_and_bounded() {
        assert_eq!(
            saved_search_name("  Ke\u{302}\u{301} hoạch ").unwrap(),
            "Kế hoạch"
        );
        assert!(saved_search_name("   ").is_err());
        assert!(saved_search_name("a\u{7}").is_err());
        assert!(saved_search_name(&"a".repeat(MAX_SAVED_SEARCH_NAME + 1)).is_err());
    }
}
