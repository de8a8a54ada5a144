//! Running a [`SearchQuery`]: hits with snippets, the exact total, and facet counts, all from one
//! pass over the documents that match the query, scope included.

use std::collections::HashMap;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::schema::Value;
use tantivy::{DocAddress, DocId, Order, Score, Searcher, SegmentOrdinal, SegmentReader};
use tantivy::{TantivyDocument, Term};

use crate::query::{self, MAX_RESULT_WINDOW, ParsedText, ScopeShortcuts, SearchQuery, Sort};
use crate::schema::{DATE_DAYS, Fields, ID, ISSUER, TYPE_CODE};
use crate::snippet::{Highlighter, opening};
use crate::{Error, SearchIndex};

/// The most values a facet lists (the most frequent first).
const MAX_FACET_VALUES: usize = 100;

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    /// How many documents match (in scope, filters included), not only those on this page.
    pub total: u64,
    /// The requested page of hits, in the requested order.
    pub hits: Vec<SearchHit>,
    /// Counts per metadata value over all matching documents.
    pub facets: Facets,
}

/// One matching document.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    /// The document's id.
    pub id: i64,
    /// The relevance score (0 when sorted by date).
    pub score: f32,
    /// HTML-safe text around the best matches, each match in `<mark>…</mark>`; the opening of the
    /// body (or the subject) when the match is in the metadata only.
    pub snippet: String,
}

/// Counts of matching documents per value, most frequent first (ties by value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    /// Per document type code.
    pub type_code: Vec<(String, u64)>,
    /// Per issuer.
    pub issuer: Vec<(String, u64)>,
}

impl SearchIndex {
    /// Runs a search.
    ///
    /// # Errors
    /// [`Error::InvalidQuery`] for a text that is too long, a page beyond
    /// [`query::MAX_RESULT_WINDOW`] or a clearance above 3; [`Error::Backend`] from the engine.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, Error> {
        let window = query.offset.checked_add(query.limit);
        if window.is_none_or(|window| window > MAX_RESULT_WINDOW) {
            return Err(Error::InvalidQuery {
                reason: "page beyond the result window",
            });
        }
        let parsed = ParsedText::parse(&query.text)?;
        let searcher = self.searcher();
        let fields = self.fields();
        let shortcuts = scope_shortcuts(&searcher, fields, query)?;
        let tantivy_query = query::build(query, &parsed, fields, &shortcuts)?;
        let facets = FacetCollector;
        let (top, total, facets): (Vec<(Score, DocAddress)>, usize, Facets) = if query.limit == 0 {
            let (total, facets) = searcher.search(&*tantivy_query, &(Count, facets))?;
            (Vec::new(), total, facets)
        } else {
            // Ties are broken by document id, so that the order never depends on where a
            // document happens to sit in the index (a rebuild gives identical results).
            let by_id = (SortByStaticFastValue::<i64>::for_field(ID), Order::Asc);
            let page = TopDocs::with_limit(query.limit).and_offset(query.offset);
            let (top, total, facets) = match query.sort {
                Sort::Relevance => {
                    let by_score = (SortBySimilarityScore, Order::Desc);
                    let (top, total, facets) = searcher.search(
                        &*tantivy_query,
                        &(page.order_by((by_score, by_id)), Count, facets),
                    )?;
                    let top = top
                        .into_iter()
                        .map(|((score, _), address)| (score, address));
                    (top.collect(), total, facets)
                }
                Sort::DateDesc | Sort::DateAsc => {
                    let order = match query.sort {
                        Sort::DateAsc => Order::Asc,
                        Sort::Relevance | Sort::DateDesc => Order::Desc,
                    };
                    let by_date = (SortByStaticFastValue::<i64>::for_field(DATE_DAYS), order);
                    let (top, total, facets) = searcher.search(
                        &*tantivy_query,
                        &(page.order_by((by_date, by_id)), Count, facets),
                    )?;
                    let top = top.into_iter().map(|(_, address)| (0.0, address));
                    (top.collect(), total, facets)
                }
            };
            (top, total, facets)
        };
        let highlighter = Highlighter::new(&parsed);
        let hits = top
            .into_iter()
            .map(|(score, address)| hit(&searcher, fields, &highlighter, score, address))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(SearchResults {
            total: total as u64,
            hits,
            facets,
        })
    }
}

/// Finds the scope clauses that would match every document of this snapshot.
fn scope_shortcuts(
    searcher: &Searcher,
    fields: &Fields,
    query: &SearchQuery,
) -> Result<ScopeShortcuts, Error> {
    let all: u64 = searcher
        .segment_readers()
        .iter()
        .map(|segment| u64::from(segment.max_doc()))
        .sum();
    let organization = Term::from_field_i64(fields.organization_id, query.scope.organization_id);
    let mut above_clearance = 0;
    for level in query.scope.clearance.saturating_add(1)..=3 {
        above_clearance +=
            searcher.doc_freq(&Term::from_field_u64(fields.secrecy, u64::from(level)))?;
    }
    Ok(ScopeShortcuts {
        organization: searcher.doc_freq(&organization)? == all,
        secrecy: query.scope.clearance <= 3 && above_clearance == 0,
    })
}

fn hit(
    searcher: &Searcher,
    fields: &Fields,
    highlighter: &Highlighter,
    score: Score,
    address: DocAddress,
) -> Result<SearchHit, Error> {
    let document: TantivyDocument = searcher.doc(address)?;
    let text = |field| {
        document
            .get_first(field)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
    };
    let id = document
        .get_first(fields.id)
        .and_then(|value| value.as_i64())
        .unwrap_or_default();
    let body = text(fields.body);
    let subject = text(fields.subject_folded);
    let snippet = highlighter
        .snippet(body)
        .or_else(|| highlighter.snippet(subject))
        .unwrap_or_else(|| {
            if body.trim().is_empty() {
                opening(subject)
            } else {
                opening(body)
            }
        });
    Ok(SearchHit { id, score, snippet })
}

/// Counts matching documents per type code and per issuer, from their fast-field ordinals.
struct FacetCollector;

struct FacetSegmentCollector {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let mut columns = Vec::new();
        for name in [TYPE_CODE, ISSUER] {
            let column = segment.fast_fields().str(name)?;
            columns.push(column.map(|column| {
                let counts = vec![0; column.dictionary().num_terms()];
                (column, counts)
            }));
        }
        Ok(FacetSegmentCollector { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<HashMap<String, u64>>>) -> tantivy::Result<Facets> {
        let mut merged = [HashMap::new(), HashMap::new()];
        for segment in segments {
            for (total, counts) in merged.iter_mut().zip(segment) {
                for (value, count) in counts {
                    *total.entry(value).or_insert(0) += count;
                }
            }
        }
        let [type_code, issuer] = merged.map(|counts| {
            let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
            counts.sort_by(|left, right| right.1.cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
            counts.truncate(MAX_FACET_VALUES);
            counts
        });
        Ok(Facets { type_code, issuer })
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            if let Some(ord) = column.ords().first(doc)
                && let Some(count) = counts.get_mut(ord as usize)
            {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Vec<HashMap<String, u64>> {
        self.columns
            .into_iter()
            .map(|column| {
                let mut values = HashMap::new();
                let Some((column, counts)) = column else {
                    return values;
                };
                let mut value = String::new();
                for (ord, count) in counts.into_iter().enumerate() {
                    if count > 0 && column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                        values.insert(value.clone(), count);
                    }
                }
                values
            })
            .collect()
    }
}
