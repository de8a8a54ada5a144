//! Running a [`SearchQuery`]: hits with snippets, the total, and facet counts, over the
//! documents that match the query, scope included.
//!
//! Facets (on request) visit every match and make the total exact, in one pass with the top hits.
//! Without them, the total is counted exactly only up to [`SearchQuery::total_up_to`], and the
//! top hits by relevance come from a MaxScore search (Turtle and Flood, 1995) with block-max
//! bounds (Ding and Suel, 2011): every scoring clause (text clause or optional boost) has a BM25
//! upper bound ([`query::Built`]), tightened per segment and per block of 128 postings from the
//! block-max information tantivy stores with each posting list ([`term_blocks`]). Once the tenth
//! best score so far exceeds what a document could reach without some boosts, only the documents
//! matching one of the others are scored; when it exceeds what a document could reach without one
//! particular boost, only those matching all such boosts are visited (a leapfrog intersection);
//! and whole blocks whose bounds stay below it are passed over. Boosts on the subject weigh most,
//! so the search soon jumps from subject match to subject match, and of those, from the blocks
//! holding short subjects to the next. The hits are exactly those of an exhaustive search: same
//! scores, same order (ties by document id).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, EnableScoring, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocId, DocSet, InvertedIndexReader, Order, Score, Searcher, SegmentOrdinal,
    SegmentReader,
};

use tantivy::{SeekDangerResult, TERMINATED, TantivyDocument, Term};

use crate::query::{
    self, Built, MAX_RESULT_WINDOW, Optional, ParsedText, ScopeShortcuts, SearchQuery, Sort,
};
use crate::schema::{DATE_DAYS, Fields, ID, ISSUER, TYPE_CODE};
use crate::snippet::{Highlighter, opening};
use crate::{Error, SearchIndex};

/// The most values a facet lists (the most frequent first).
const MAX_FACET_VALUES: usize = 100;

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    /// How many documents match (in scope, filters included), not only those on this page; a
    /// lower bound when [`SearchResults::total_relation`] is [`TotalRelation::AtLeast`].
    pub total: u64,
    /// Whether [`SearchResults::total`] is exact.
    pub total_relation: TotalRelation,
    /// The requested page of hits, in the requested order.
    pub hits: Vec<SearchHit>,
    /// Counts per metadata value over all matching documents, when asked for.
    pub facets: Option<Facets>,
}

/// How a total relates to the true number of matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TotalRelation {
    /// The total is the number of matches.
    #[default]
    Exact,
    /// More documents match than were counted: the total is a lower bound.
    AtLeast,
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
        let Some(window) = window.filter(|window| *window <= MAX_RESULT_WINDOW) else {
            return Err(Error::InvalidQuery {
                reason: "page beyond the result window",
            });
        };
        let parsed = ParsedText::parse(&query.text)?;
        let searcher = self.searcher();
        let fields = self.fields();
        let shortcuts = scope_shortcuts(&searcher, fields, query)?;
        let built = query::build(query, &parsed, fields, &shortcuts, &searcher)?;
        let (top, total, total_relation, facets) = if query.facets {
            let (top, total, facets) = exhaustive(&searcher, &*built.query, query)?;
            (top, total, TotalRelation::Exact, Some(facets))
        } else {
            let top = match query.sort {
                _ if query.limit == 0 => Vec::new(),
                Sort::Relevance if built.scored => {
                    let top = top_by_score(&searcher, self.block_max_cache(), &built, window)?;
                    top.into_iter().skip(query.offset).collect()
                }
                Sort::Relevance | Sort::DateDesc | Sort::DateAsc => {
                    page(&searcher, &*built.query, query, Count)?.0
                }
            };
            let (total, relation) = count(&searcher, &*built.query, query.total_up_to)?;
            (top, total, relation, None)
        };
        let highlighter = Highlighter::new(&parsed);
        let hits = top
            .into_iter()
            .map(|(score, address)| hit(&searcher, fields, &highlighter, score, address))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(SearchResults {
            total,
            total_relation,
            hits,
            facets,
        })
    }
}

/// One page of hits in the query's order, collected with `extra` in the same pass over every
/// match. Ties are broken by document id, so that the order never depends on where a document
/// happens to sit in the index (a rebuild gives identical results).
fn page<C: Collector>(
    searcher: &Searcher,
    tantivy_query: &dyn Query,
    query: &SearchQuery,
    extra: C,
) -> Result<(Page, C::Fruit), Error> {
    let by_id = (SortByStaticFastValue::<i64>::for_field(ID), Order::Asc);
    let page = TopDocs::with_limit(query.limit).and_offset(query.offset);
    match query.sort {
        Sort::Relevance => {
            let by_score = (SortBySimilarityScore, Order::Desc);
            let (top, fruit) =
                searcher.search(tantivy_query, &(page.order_by((by_score, by_id)), extra))?;
            let top = top
                .into_iter()
                .map(|((score, _), address)| (score, address));
            Ok((top.collect(), fruit))
        }
        Sort::DateDesc | Sort::DateAsc => {
            let order = match query.sort {
                Sort::DateAsc => Order::Asc,
                Sort::Relevance | Sort::DateDesc => Order::Desc,
            };
            let by_date = (SortByStaticFastValue::<i64>::for_field(DATE_DAYS), order);
            let (top, fruit) =
                searcher.search(tantivy_query, &(page.order_by((by_date, by_id)), extra))?;
            let top = top.into_iter().map(|(_, address)| (0.0, address));
            Ok((top.collect(), fruit))
        }
    }
}

/// One pass over every match: the page, the exact total and the facets.
fn exhaustive(
    searcher: &Searcher,
    tantivy_query: &dyn Query,
    query: &SearchQuery,
) -> Result<(Page, u64, Facets), Error> {
    if query.limit == 0 {
        let (total, facets) = searcher.search(tantivy_query, &(Count, FacetCollector))?;
        return Ok((Vec::new(), total as u64, facets));
    }
    let (top, (total, facets)) = page(searcher, tantivy_query, query, (Count, FacetCollector))?;
    Ok((top, total as u64, facets))
}

/// Counts the matches, exactly up to `up_to` (all of them when `None`).
fn count(
    searcher: &Searcher,
    query: &dyn Query,
    up_to: Option<u64>,
) -> Result<(u64, TotalRelation), Error> {
    let Some(up_to) = up_to else {
        return Ok((searcher.search(query, &Count)? as u64, TotalRelation::Exact));
    };
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut total: u64 = 0;
    for reader in searcher.segment_readers() {
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                total += 1;
                if total > up_to {
                    return Ok((up_to, TotalRelation::AtLeast));
                }
            }
            doc = scorer.advance();
        }
    }
    Ok((total, TotalRelation::Exact))
}

/// One page of hits: each one's score (0 when sorted by date) and address.
type Page = Vec<(Score, DocAddress)>;

/// A candidate hit; the greatest is the worst (the lowest score, then the highest id), so that
/// a max-heap of them keeps the worst of the best on top.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    score: Score,
    id: i64,
    address: DocAddress,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Candidate) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.id.cmp(&other.id))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Candidate) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Candidate) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// The best `k` documents by score, then id: the first `k` of an exhaustive search, found with
/// MaxScore pruning (module documentation). Segments share one heap, so that a later segment
/// starts with the threshold the earlier ones reached.
///
/// A document's score is computed as [`Built::query`] computes it, so that both agree to the bit:
/// the required part's score, plus the optional boosts it matches summed in their order.
fn top_by_score(
    searcher: &Searcher,
    cache: &BlockMaxCache,
    built: &Built,
    k: usize,
) -> Result<Page, Error> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let required = built.required.weight(scoring)?;
    let mut weights: Vec<Box<dyn Weight>> = Vec::with_capacity(built.optionals.len());
    for optional in &built.optionals {
        weights.push(optional.query.weight(scoring)?);
    }
    let mut best: BinaryHeap<Candidate> = BinaryHeap::with_capacity(k + 1);
    'segments: for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let ordinal = ordinal as SegmentOrdinal;
        // Each optional clause's bound in this segment (block-max information), and the clauses
        // by bound, least first: a prefix of them is what a document may lack.
        let mut bounds: Vec<Score> = Vec::with_capacity(built.optionals.len());
        let mut blocks: Vec<Option<BlockBounds>> = Vec::with_capacity(built.optionals.len());
        for optional in &built.optionals {
            let (bound, per_block) = segment_limits(searcher, reader, cache, optional)?;
            bounds.push(bound);
            blocks.push(per_block);
        }
        // The required part: its text clauses (the scope and filters score 0), likewise.
        let mut required_bound: Score = 0.0;
        let mut text_constant: Score = 0.0;
        let mut text_blocks: Vec<BlockBounds> = Vec::with_capacity(built.texts.len());
        for text in &built.texts {
            let (bound, per_block) = segment_limits(searcher, reader, cache, text)?;
            required_bound += bound;
            match per_block {
                Some(per_block) => text_blocks.push(per_block),
                None => text_constant += bound,
            }
        }
        let optional_total: Score = bounds.iter().sum();
        let mut by_bound: Vec<usize> = (0..bounds.len()).collect();
        by_bound.sort_by(|left, right| {
            let bound = |index: &usize| bounds.get(*index).copied().unwrap_or(0.0);
            bound(left).total_cmp(&bound(right))
        });
        let sorted: Vec<Score> = by_bound
            .iter()
            .filter_map(|index| bounds.get(*index).copied())
            .collect();
        let plan_now = |best: &BinaryHeap<Candidate>| -> Plan {
            match essentials(best, k, required_bound, &sorted) {
                // Back from positions in `sorted` to the optional clauses' own indices, and the
                // clauses that a document must match to reach the threshold.
                Plan::Essential(positions, _) => Plan::Essential(
                    positions
                        .into_iter()
                        .filter_map(|position| by_bound.get(position).copied())
                        .collect(),
                    musts(best, required_bound, &bounds),
                ),
                other => other,
            }
        };
        let mut plan = plan_now(&best);
        if plan == Plan::Done {
            // No document of this segment can enter the top k.
            continue;
        }
        let ids = reader.fast_fields().i64(ID)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|alive| alive.is_alive(doc));
        let mut required = required.scorer(reader, 1.0)?;
        let mut optionals: Vec<Cursor> = Vec::with_capacity(weights.len());
        for weight in &weights {
            optionals.push(Cursor::new(weight.scorer(reader, 1.0)?));
        }
        // Jumping from match to match of the essential clauses pays when they are much rarer
        // than the matches of the required part.
        let required_cost = u64::from(required.size_hint());
        let cheap = |plan: &Plan, optionals: &[Cursor]| {
            let Plan::Essential(essential, must) = plan else {
                return false;
            };
            let size = |index: &usize| {
                optionals
                    .get(*index)
                    .map_or(0, |cursor| u64::from(cursor.scorer.size_hint()))
            };
            let cost: u64 = if must.is_empty() {
                essential.iter().map(size).sum()
            } else {
                must.iter().map(size).min().unwrap_or(0)
            };
            cost < required_cost
        };
        let offer_at = |best: &mut BinaryHeap<Candidate>,
                        required: &mut Box<dyn Scorer>,
                        optionals: &mut [Cursor],
                        doc: DocId| {
            let mut boosts = 0.0;
            for cursor in optionals.iter_mut() {
                if cursor.matches(doc) {
                    boosts += cursor.scorer.score();
                }
            }
            let candidate = Candidate {
                score: required.score() + boosts,
                id: ids.first(doc).unwrap_or_default(),
                address: DocAddress::new(ordinal, doc),
            };
            offer(best, k, candidate)
        };
        // Every match of the required part, until the essential clauses are rare enough.
        let mut doc = required.doc();
        let mut jumping = cheap(&plan, &optionals);
        while !jumping && doc != TERMINATED {
            // Blocks of the text clauses' postings whose bounds cannot reach the worst score kept
            // are passed over.
            if !text_blocks.is_empty()
                && let Some(worst) = best.peek().filter(|_| best.len() >= k)
            {
                let mut reachable = text_constant + optional_total;
                let mut until = TERMINATED;
                for per_block in &mut text_blocks {
                    let (limit, end) = per_block.at(doc);
                    reachable += limit;
                    until = until.min(end.saturating_add(1));
                }
                if reachable < worst.score {
                    doc = if until == TERMINATED {
                        TERMINATED
                    } else {
                        required.seek(until.max(doc + 1))
                    };
                    continue;
                }
            }
            if is_alive(doc) && offer_at(&mut best, &mut required, &mut optionals, doc) {
                plan = plan_now(&best);
                if plan == Plan::Done {
                    continue 'segments;
                }
                jumping = cheap(&plan, &optionals);
            }
            doc = required.advance();
            if jumping {
                break;
            }
        }
        // Then only the matches of the essential clauses (or, when some clauses must match for a
        // document to reach the threshold, the matches of all of those), each checked against the
        // required part alone (`seek_danger`: a phrase is verified at that document only).
        let mut position = doc;
        let mut limits: Vec<Score> = Vec::with_capacity(optionals.len());
        while jumping && position != TERMINATED {
            let Plan::Essential(essential, must) = &plan else {
                break;
            };
            let target = if must.is_empty() {
                let mut target = TERMINATED;
                for index in essential {
                    if let Some(cursor) = optionals.get_mut(*index) {
                        target = target.min(cursor.position(position));
                    }
                }
                target
            } else {
                all_of(&mut optionals, must, position)
            };
            if target == TERMINATED {
                break;
            }
            // What the target can reach at most: the clauses known to match it, as they score
            // there, nothing for those known not to, and every other part at its bound. Below the
            // worst score kept, it is passed over without checking the required part.
            if let Some(worst) = best.peek().filter(|_| best.len() >= k) {
                // First from the bounds alone, which hold to the end of each block: below the
                // worst score kept, every document up to the first end is passed over.
                let mut reachable = text_constant;
                let mut until = TERMINATED;
                for per_block in &mut text_blocks {
                    let (limit, end) = per_block.at(target);
                    reachable += limit;
                    until = until.min(end.saturating_add(1));
                }
                limits.clear();
                for (index, bound) in bounds.iter().enumerate() {
                    let limit = match blocks.get_mut(index) {
                        Some(Some(per_block)) => {
                            let (limit, end) = per_block.at(target);
                            until = until.min(end.saturating_add(1));
                            limit
                        }
                        _ => *bound,
                    };
                    reachable += limit;
                    limits.push(limit);
                }
                if reachable < worst.score {
                    position = until.max(target + 1);
                    continue;
                }
                // Then nothing for the clauses known not to match the target, and those standing
                // on it as they score there (scoring costs more: only while it may still prune).
                for (cursor, limit) in optionals.iter().zip(&limits) {
                    if cursor.next > target {
                        reachable -= limit;
                    }
                }
                let mut pruned = reachable < worst.score;
                for (cursor, limit) in optionals.iter_mut().zip(&limits) {
                    if pruned {
                        break;
                    }
                    if cursor.valid && cursor.next == target {
                        reachable = reachable - limit + cursor.scorer.score();
                        pruned = reachable < worst.score;
                    }
                }
                if pruned {
                    position = target + 1;
                    continue;
                }
            }
            match required.seek_danger(target) {
                SeekDangerResult::SeekLowerBound(bound) => {
                    position = bound.max(target + 1);
                    continue;
                }
                SeekDangerResult::Found => position = target + 1,
            }
            if is_alive(target) && offer_at(&mut best, &mut required, &mut optionals, target) {
                plan = plan_now(&best);
                if plan == Plan::Done {
                    continue 'segments;
                }
            }
        }
    }
    let mut top = best.into_vec();
    top.sort();
    Ok(top
        .into_iter()
        .map(|candidate| (candidate.score, candidate.address))
        .collect())
}

/// An optional clause's scorer, moved only forward, by `seek_danger` where that avoids work (a
/// phrase checked at one document instead of searched for).
struct Cursor {
    scorer: Box<dyn Scorer>,
    /// The lowest document the scorer can still match.
    next: DocId,
    /// Whether the scorer stands on `next` (after a `seek_danger` that missed, it stands nowhere
    /// in particular and only `seek_danger` may move it).
    valid: bool,
}

impl Cursor {
    fn new(scorer: Box<dyn Scorer>) -> Cursor {
        let next = scorer.doc();
        Cursor {
            scorer,
            next,
            valid: true,
        }
    }

    /// Whether the clause matches `doc`; it then stands on it. `doc` never decreases from one
    /// call to the next.
    fn matches(&mut self, doc: DocId) -> bool {
        if self.next > doc {
            return false;
        }
        if self.valid && self.next == doc {
            return true;
        }
        match self.scorer.seek_danger(doc) {
            SeekDangerResult::Found => {
                (self.next, self.valid) = (doc, true);
                true
            }
            SeekDangerResult::SeekLowerBound(bound) => {
                (self.next, self.valid) = (bound, false);
                false
            }
        }
    }

    /// The clause's first match at or after `from`, standing on it.
    fn position(&mut self, from: DocId) -> DocId {
        if self.valid && self.next >= from {
            return self.next;
        }
        if self.valid {
            self.next = self.scorer.seek(from);
            return self.next;
        }
        let mut target = from.max(self.next);
        while target != TERMINATED {
            match self.scorer.seek_danger(target) {
                SeekDangerResult::Found => {
                    (self.next, self.valid) = (target, true);
                    return target;
                }
                SeekDangerResult::SeekLowerBound(bound) => target = bound.max(target + 1),
            }
        }
        self.next = TERMINATED;
        TERMINATED
    }
}

/// The first document at or after `from` that every clause of `must` matches (a leapfrog
/// intersection, each clause moved by seeks), every one of them standing on it; `TERMINATED` when
/// none is left.
fn all_of(optionals: &mut [Cursor], must: &[usize], from: DocId) -> DocId {
    let mut target = from;
    'candidates: loop {
        for index in must {
            let Some(cursor) = optionals.get_mut(*index) else {
                continue;
            };
            let at = cursor.position(target);
            if at == TERMINATED {
                return TERMINATED;
            }
            if at > target {
                target = at;
                continue 'candidates;
            }
        }
        return target;
    }
}

/// Adds a candidate if it belongs among the best `k`; returns whether the threshold may have
/// moved (the heap is full and changed).
fn offer(best: &mut BinaryHeap<Candidate>, k: usize, candidate: Candidate) -> bool {
    if best.len() < k {
        best.push(candidate);
        return best.len() == k;
    }
    match best.peek() {
        Some(worst) if candidate < *worst => {
            best.pop();
            best.push(candidate);
            true
        }
        _ => false,
    }
}

/// Which matches may still enter the top `k`.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// Any match: every one is scored.
    All,
    /// Only those matching one of the first optional clauses (indices into the bounds), and all
    /// of the second ones (clauses without which the threshold is out of reach; often none).
    Essential(Vec<usize>, Vec<usize>),
    /// None: the search is over.
    Done,
}

/// What the worst score kept lets through: until the heap is full, any match; then the matches of
/// all but the longest prefix of optional clauses (`bounds` ascending) whose bounds, with the
/// required part's, stay below that score. A document matching only those cannot beat it, nor tie
/// it (the bounds are strict, and a tie keeps the lower id, already kept).
fn essentials(best: &BinaryHeap<Candidate>, k: usize, required: Score, bounds: &[Score]) -> Plan {
    let threshold = match best.peek() {
        Some(worst) if best.len() >= k => worst.score,
        _ => return Plan::All,
    };
    if required >= threshold {
        return Plan::All;
    }
    let mut reachable = required;
    let mut prefix = 0;
    for bound in bounds {
        if reachable + bound >= threshold {
            break;
        }
        reachable += bound;
        prefix += 1;
    }
    if prefix == bounds.len() {
        return Plan::Done;
    }
    Plan::Essential((prefix..bounds.len()).collect(), Vec::new())
}

/// The optional clauses (indices into `bounds`, the highest bound first) that a document must
/// match to reach the worst score kept: without one of them, the required part's bound and every
/// other clause's bound stay below it.
fn musts(best: &BinaryHeap<Candidate>, required: Score, bounds: &[Score]) -> Vec<usize> {
    let Some(worst) = best.peek() else {
        return Vec::new();
    };
    let mut must: Vec<usize> = (0..bounds.len())
        .filter(|index| {
            let others: Score = bounds
                .iter()
                .enumerate()
                .filter(|(other, _)| other != index)
                .map(|(_, bound)| *bound)
                .sum();
            required + others < worst.score
        })
        .collect();
    must.sort_by(|left, right| {
        let bound = |index: &usize| bounds.get(*index).copied().unwrap_or(0.0);
        bound(right).total_cmp(&bound(left))
    });
    must
}

/// An optional clause's bounds in one segment: the whole segment's, and per block of postings
/// where known.
fn segment_limits(
    searcher: &Searcher,
    reader: &SegmentReader,
    cache: &BlockMaxCache,
    optional: &Optional,
) -> Result<(Score, Option<BlockBounds>), Error> {
    // A phrase occurs in a document at most as often as each of its terms, in the same field, so
    // any term's factors bound it: those of the rarest term in the segment, the cheapest to read.
    let mut rarest: Option<(&Term, u32)> = None;
    for term in &optional.terms {
        let inverted = reader.inverted_index(term.field())?;
        let Some(info) = inverted.get_term_info(term).map_err(backend)? else {
            return Ok((0.0, None));
        };
        if rarest.is_none_or(|(_, frequency)| info.doc_freq < frequency) {
            rarest = Some((term, info.doc_freq));
        }
    }
    let Some((term, _)) = rarest else {
        return Ok((optional.bound, None));
    };
    let Some((blocks, ratio)) = term_blocks(searcher, reader, cache, term)? else {
        return Ok((optional.bound, None));
    };
    let factor = |segment_factor: Score| (segment_factor / ratio).min(1.0);
    let bound = scaled(optional.bound, factor(blocks.largest));
    let per_block = BlockBounds {
        bounds: blocks
            .factors
            .iter()
            .map(|segment_factor| scaled(optional.bound, factor(*segment_factor)).min(bound))
            .collect(),
        ends: blocks.ends.clone(),
        position: 0,
    };
    Ok((bound, Some(per_block)))
}

/// A clause's global bound (`idf · (1 + k1) · boost`, the limit as the term frequency grows, with
/// a margin for rounding) for documents whose term-frequency factor is at most `factor`.
fn scaled(bound: Score, factor: Score) -> Score {
    if factor >= 1.0 {
        return bound;
    }
    (bound * factor.max(0.0) * 1.001 + 1e-4).min(bound)
}

/// An optional clause's bound in each block of one of its terms' postings in a segment.
struct BlockBounds {
    /// The last document of each block.
    ends: Arc<[DocId]>,
    /// The clause's bound in each block.
    bounds: Vec<Score>,
    /// The block of the last document asked about (documents are asked about in order).
    position: usize,
}

impl BlockBounds {
    /// The bound at `doc` (never below the last document asked about), and the last document it
    /// holds for; 0 up to the end when the term occurs no more.
    fn at(&mut self, doc: DocId) -> (Score, DocId) {
        while self.ends.get(self.position).is_some_and(|end| *end < doc) {
            self.position += 1;
        }
        match (self.ends.get(self.position), self.bounds.get(self.position)) {
            (Some(end), Some(bound)) => (*bound, *end),
            _ => (0.0, TERMINATED),
        }
    }
}

/// The block-max information of a term's postings in a segment, under the segment's own average
/// length: it never changes for a segment (deletions only hide documents).
pub(crate) struct TermBlocks {
    /// The last document of each block.
    ends: Arc<[DocId]>,
    /// The largest term-frequency factor in each block, at most 1.
    factors: Vec<Score>,
    /// The largest of them.
    largest: Score,
}

/// The [`TermBlocks`] read so far, per segment and term, shared by the searches of an index.
#[derive(Default)]
pub(crate) struct BlockMaxCache {
    entries: Mutex<CacheEntries>,
}

#[derive(Default)]
struct CacheEntries {
    blocks: HashMap<(SegmentId, Term), CachedBlocks>,
    /// The blocks held, all entries together.
    held: usize,
}

/// A term's block-max information in a segment, `None` when it has none worth keeping.
type CachedBlocks = Option<Arc<TermBlocks>>;

/// The most blocks the cache keeps, all entries together (8 bytes each: 32 MB); past it, it
/// starts over. A word in nearly every document of a 400,000-document segment has 3,125.
const BLOCK_MAX_CACHE_BLOCKS: usize = 4 << 20;

/// Posting lists shorter than this are not read for bounds: the global bound costs nothing and
/// such rare terms prune little.
const BLOCK_MAX_MIN_DOCS: u32 = 128;

/// The largest BM25 term-frequency factor, `tf / (tf + k1 · (1 − b + b · length / average))`, that
/// the documents of each block of the term's postings in the segment reach under the segment's own
/// average length, and the ratio `r` that turns them into bounds under the index-wide average the
/// searcher scores with (divide by it); `None` when unknown (no frequencies or lengths).
///
/// Each full block of a posting list records the (length, frequency) pair of its document with the
/// largest factor under the segment's own average length (tantivy's block-max information); the
/// last, partial block is read whole. Under that same average, the factor of that pair is the
/// block's largest exactly. The index-wide average `a` differs from the segment's `a_s`: for any
/// length, the normalisation `k1 · (1 − b + b · length / a)` is at least `r = min(1, a_s / a)`
/// times the segment's, so a factor under `a` is at most the segment's divided by `r`.
fn term_blocks(
    searcher: &Searcher,
    reader: &SegmentReader,
    cache: &BlockMaxCache,
    term: &Term,
) -> Result<Option<(Arc<TermBlocks>, Score)>, Error> {
    let field = term.field();
    let has_freqs = searcher
        .schema()
        .get_field_entry(field)
        .field_type()
        .get_index_record_option()
        .is_some_and(|option| option.has_freq());
    if !has_freqs {
        return Ok(None);
    }
    let inverted = reader.inverted_index(field)?;
    let Some(fieldnorms) = reader.fieldnorms_readers().get_field(field)? else {
        return Ok(None);
    };
    let documents = fieldnorms.num_docs();
    let total_documents = searcher.total_num_docs()?;
    let total_tokens = searcher.total_num_tokens(field)?;
    let segment_tokens = inverted.total_num_tokens();
    if documents == 0 || total_documents == 0 || total_tokens == 0 || segment_tokens == 0 {
        return Ok(None);
    }
    // Computed as tantivy computes them (f32 divisions).
    let average = total_tokens as Score / total_documents as Score;
    let segment_average = segment_tokens as Score / documents as Score;
    let ratio = (segment_average / average).min(1.0);
    if ratio.is_nan() || ratio <= 0.0 {
        return Ok(None);
    }
    let key = (reader.segment_id(), term.clone());
    let cached = cache
        .entries
        .lock()
        .ok()
        .and_then(|entries| entries.blocks.get(&key).cloned());
    let blocks = match cached {
        Some(blocks) => blocks,
        None => {
            let blocks = read_term_blocks(&inverted, fieldnorms, term, documents, segment_average)?
                .map(Arc::new);
            if let Ok(mut entries) = cache.entries.lock() {
                let size = blocks
                    .as_ref()
                    .map_or(1, |blocks| blocks.factors.len().max(1));
                if entries.held + size > BLOCK_MAX_CACHE_BLOCKS {
                    entries.blocks.clear();
                    entries.held = 0;
                }
                entries.held += size;
                entries.blocks.insert(key, blocks.clone());
            }
            blocks
        }
    };
    Ok(blocks.map(|blocks| (blocks, ratio)))
}

/// Reads the block-max information of a term in a segment ([`term_blocks`]).
fn read_term_blocks(
    inverted: &InvertedIndexReader,
    fieldnorms: FieldNormReader,
    term: &Term,
    documents: u32,
    segment_average: Score,
) -> Result<Option<TermBlocks>, Error> {
    let Some(info) = inverted.get_term_info(term).map_err(backend)? else {
        return Ok(None);
    };
    if info.doc_freq < BLOCK_MAX_MIN_DOCS {
        return Ok(None);
    }
    let weight = Bm25Weight::for_one_term_without_explain(
        u64::from(info.doc_freq),
        u64::from(documents),
        segment_average,
    );
    let most = weight.max_score();
    if most.is_nan() || most <= 0.0 {
        return Ok(None);
    }
    let mut postings = inverted
        .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
        .map_err(backend)?;
    let blocks = (info.doc_freq as usize).div_ceil(128);
    let (mut ends, mut factors) = (Vec::with_capacity(blocks), Vec::with_capacity(blocks));
    let mut largest: Score = 0.0;
    while let Some(last) = postings.docs().last().copied() {
        let block = postings.block_max_score(&fieldnorms, &weight);
        if block.is_nan() || block <= 0.0 {
            // A block without the information (a term indexed without frequencies).
            return Ok(None);
        }
        let factor = (block / most).min(1.0);
        largest = largest.max(factor);
        ends.push(last);
        factors.push(factor);
        postings.advance();
    }
    Ok(Some(TermBlocks {
        ends: ends.into(),
        factors,
        largest,
    }))
}

fn backend(error: std::io::Error) -> Error {
    Error::from(tantivy::TantivyError::from(error))
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
