//! What a search asks, the query syntax, and the tantivy query built from it.
//!
//! Syntax: words and `"quoted phrases"`, all required; the text may be empty (every document in
//! scope that passes the filters). A word that is several syllables once split (`06/KH-UBND`,
//! `e-mail`) counts as a phrase. Matching is diacritic-insensitive: each syllable is looked up by
//! its folded key. A syllable typed with diacritics also adds a boost on its exact key, so that
//! `bàn` ranks documents saying "bàn" above those saying "bán" or "ban"; one typed without says
//! nothing about diacritics and adds no boost.
//!
//! The scope (organisation, secrecy clearance, the restriction to some documents of some
//! registers) and the filters are required clauses of the same
//! query, never a filter applied afterwards: whatever does not match them is invisible to the hits,
//! the total and the facets alike.
//!
//! [`build`] also returns an upper bound of each scoring part's BM25 score ([`Built`]): the search
//! uses them to skip documents that cannot reach the top hits (MaxScore pruning, module `search`).

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::Score;
use tantivy::Term;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery,
    EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::Error;
use crate::analysis::{MAX_KEY_BYTES, Syllables, exact_key, fold_key, has_diacritics, normalize};
use crate::schema::{Fields, days_since_epoch, keyword};
use crate::tokenizer::bigram;

/// The longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1024;
/// The most syllables a query may hold, all clauses together.
pub const MAX_QUERY_SYLLABLES: usize = 64;
/// The deepest result a search may page to (`offset + limit`).
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// The usual bound of an exact total ([`SearchQuery::total_up_to`]): beyond it a search reports
/// "at least 10,000", as Elasticsearch's `track_total_hits` does by default.
pub const DEFAULT_TOTAL_UP_TO: u64 = 10_000;

/// The highest secrecy level (top secret).
const MAX_SECRECY: u8 = 3;

/// Boosts: the subject is worth more than the body; an exact-diacritic syllable adds to the folded
/// match; adjacent words of an unquoted query add their bigram.
const SUBJECT_BOOST: f32 = 2.0;
const EXACT_BOOST: f32 = 2.0;
const PROXIMITY_BOOST: f32 = 0.5;

/// A search: the text, who is asking, the filters, the order and the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words and `"quoted phrases"`; empty means every document in scope that passes the filters.
    pub text: String,
    /// Whose documents may be seen.
    pub scope: Scope,
    /// Metadata filters, all required.
    pub filters: Filters,
    /// The order of the hits.
    pub sort: Sort,
    /// How many hits to return (0 for counts and facets only).
    pub limit: usize,
    /// How many hits to skip.
    pub offset: usize,
    /// Count the matches exactly only up to this many (`None`: always exactly). Beyond it the
    /// total is this bound and [`crate::TotalRelation::AtLeast`], and the top hits need not visit
    /// every match.
    pub total_up_to: Option<u64>,
    /// Compute the facet counts (they visit every match, and make the total exact).
    pub facets: bool,
}

/// The part of the index a user may see, decided by the application from the user's rights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Only this organisation's documents.
    pub organization_id: i64,
    /// Only documents whose secrecy level is at most this (0 normal … 3 top secret).
    pub clearance: u8,
    /// For a user who reads only some documents of some registers (an officer sees the incoming
    /// documents assigned to them): `None` for no such restriction.
    pub restricted: Option<Restriction>,
}

/// A restriction of [`Scope`]: a document of one of `registers` is seen only when its id is one
/// of `allowed_ids`; the documents of other registers (or of none) are not affected. An empty
/// `allowed_ids` hides every document of those registers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restriction {
    /// The register codes restricted (e.g. `incoming`, `secret_incoming`).
    pub registers: Vec<String>,
    /// The ids of the documents of those registers that may be seen.
    pub allowed_ids: Vec<i64>,
}

/// Metadata filters; each one set must match exactly (after NFC).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// The document type's code.
    pub type_code: Option<String>,
    /// The issuer, as indexed.
    pub issuer: Option<String>,
    /// The register.
    pub register: Option<String>,
    /// The processing state.
    pub status: Option<String>,
    /// The signer, as indexed.
    pub signer: Option<String>,
    /// The first date included.
    pub date_from: Option<time::Date>,
    /// The last date included.
    pub date_to: Option<time::Date>,
}

/// The order of the hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (BM25 with the subject and exact-diacritic boosts).
    #[default]
    Relevance,
    /// Newest first; documents without a date last.
    DateDesc,
    /// Oldest first; documents without a date last.
    DateAsc,
}

/// One required part of the query text: a single syllable, or a phrase of several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Clause {
    /// The folded keys, in order.
    pub(crate) folded: Vec<String>,
    /// The exact keys of the syllables typed with diacritics.
    pub(crate) exact: Vec<String>,
    /// Quoted (or a multi-syllable word): the syllables must be adjacent.
    pub(crate) phrase: bool,
}

/// The query text, analysed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ParsedText {
    pub(crate) clauses: Vec<Clause>,
}

impl ParsedText {
    /// Parses the query text.
    pub(crate) fn parse(text: &str) -> Result<ParsedText, Error> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(Error::InvalidQuery {
                reason: "query text too long",
            });
        }
        let text = normalize(text);
        let mut clauses: Vec<Clause> = Vec::new();
        for (index, part) in text.split('"').enumerate() {
            let quoted = index % 2 == 1;
            if quoted {
                clauses.extend(clause(part, true));
            } else {
                clauses.extend(
                    part.split_whitespace()
                        .filter_map(|word| clause(word, false)),
                );
            }
        }
        let mut seen = BTreeSet::new();
        clauses.retain(|clause| seen.insert((clause.folded.clone(), clause.exact.clone())));
        let syllables: usize = clauses.iter().map(|clause| clause.folded.len()).sum();
        if syllables > MAX_QUERY_SYLLABLES {
            return Err(Error::InvalidQuery {
                reason: "too many words in the query",
            });
        }
        Ok(ParsedText { clauses })
    }
}

fn clause(text: &str, quoted: bool) -> Option<Clause> {
    let mut folded = Vec::new();
    let mut exact = Vec::new();
    let mut key = String::new();
    for (start, end) in Syllables::new(text) {
        let syllable = text.get(start..end).unwrap_or_default();
        fold_key(syllable, &mut key);
        if key.len() > MAX_KEY_BYTES {
            // Never indexed, so it could never match: dropped rather than failing the whole query.
            continue;
        }
        folded.push(key.clone());
        exact_key(syllable, &mut key);
        if has_diacritics(&key) {
            exact.push(key.clone());
        }
    }
    if folded.is_empty() {
        return None;
    }
    let phrase = quoted || folded.len() > 1;
    Some(Clause {
        folded,
        exact,
        phrase,
    })
}

/// The tantivy query of a search, with what the top-hits search needs to prune.
pub(crate) struct Built {
    /// The whole query: scope, filters, text clauses (required) and ranking boosts (optional).
    pub(crate) query: Box<dyn Query>,
    /// The required part alone (scope, filters, text clauses): [`Built::query`] scores a document
    /// as this part's score plus those of the optional boosts it matches, in their order.
    pub(crate) required: Box<dyn Query>,
    /// Whether the score comes from text clauses, so that [`Built::texts`] and
    /// [`Built::optionals`] describe it (false for an empty text, which scores every match the
    /// same).
    pub(crate) scored: bool,
    /// The text clauses, each with an upper bound of its BM25 score: the required part's score is
    /// their sum (the scope and filter clauses score 0).
    pub(crate) texts: Vec<Optional>,
    /// The optional boosts, each with an upper bound of what it adds to a score.
    pub(crate) optionals: Vec<Optional>,
}

/// One scoring clause (a ranking boost, boosted, or a text clause), and an upper bound of its
/// score.
pub(crate) struct Optional {
    pub(crate) query: Box<dyn Query>,
    pub(crate) bound: Score,
    /// The terms its BM25 weight is computed from (one field): a term query's single term, or a
    /// phrase's terms. The search tightens [`Optional::bound`] per segment from their block-max
    /// information.
    pub(crate) terms: Vec<Term>,
}

/// Builds the tantivy query: scope and filters as zero-scoring required clauses, every text clause
/// required, and the ranking boosts optional; `stats` (the searcher) gives the score bounds.
pub(crate) fn build(
    query: &SearchQuery,
    parsed: &ParsedText,
    fields: &Fields,
    skip: &ScopeShortcuts,
    stats: &dyn Bm25StatisticsProvider,
) -> Result<Built, Error> {
    if query.scope.clearance > MAX_SECRECY {
        return Err(Error::InvalidQuery {
            reason: "clearance above 3",
        });
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let filter = |query: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
        (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
    };
    if !skip.organization {
        clauses.push(filter(term_query(Term::from_field_i64(
            fields.organization_id,
            query.scope.organization_id,
        ))));
    }
    if let Some(restriction) = &query.scope.restricted {
        clauses.extend(restriction_clause(restriction, fields).map(filter));
    }
    if !skip.secrecy {
        // Every document has exactly one level, so "at most the clearance" is "none of the
        // levels above it": excluding the few documents above it costs a seek in a short posting
        // list per match, where a set of the allowed levels would first build a bitset of nearly
        // every document of each segment.
        for level in query.scope.clearance.saturating_add(1)..=MAX_SECRECY {
            clauses.push((
                Occur::MustNot,
                term_query(Term::from_field_u64(fields.secrecy, u64::from(level))),
            ));
        }
    }
    let keywords = [
        (fields.type_code, &query.filters.type_code),
        (fields.issuer, &query.filters.issuer),
        (fields.register, &query.filters.register),
        (fields.status, &query.filters.status),
        (fields.signer, &query.filters.signer),
    ];
    for (field, value) in keywords {
        if let Some(value) = value {
            clauses.push(filter(term_query(Term::from_field_text(
                field,
                &keyword(value),
            ))));
        }
    }
    if query.filters.date_from.is_some() || query.filters.date_to.is_some() {
        let bound = |date: Option<time::Date>| {
            date.map_or(Bound::Unbounded, |date| {
                Bound::Included(Term::from_field_i64(
                    fields.date_days,
                    days_since_epoch(date),
                ))
            })
        };
        clauses.push(filter(Box::new(RangeQuery::new(
            bound(query.filters.date_from),
            bound(query.filters.date_to),
        ))));
    }
    let mut texts = Vec::new();
    let mut scoring: Vec<Scoring> = Vec::new();
    for clause in &parsed.clauses {
        let text = text_clause(clause, fields);
        texts.push(Optional {
            query: text.query.box_clone(),
            bound: bound(stats, &text.terms, 1.0)?,
            terms: text.terms,
        });
        clauses.push((Occur::Must, text.query));
        scoring.extend(boosts(clause, fields));
    }
    scoring.extend(proximity_boosts(parsed, fields));
    let scored = !parsed.clauses.is_empty();
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    let required: Vec<(Occur, Box<dyn Query>)> = clauses
        .iter()
        .map(|(occur, query)| (*occur, query.box_clone()))
        .collect();
    let mut optionals = Vec::new();
    for boost in scoring {
        let boosted: Box<dyn Query> = Box::new(BoostQuery::new(boost.query, boost.boost));
        optionals.push(Optional {
            query: boosted.box_clone(),
            bound: bound(stats, &boost.terms, boost.boost)?,
            terms: boost.terms,
        });
        clauses.push((Occur::Should, boosted));
    }
    Ok(Built {
        query: Box::new(BooleanQuery::new(clauses)),
        required: Box::new(BooleanQuery::new(required)),
        scored,
        texts,
        optionals,
    })
}

/// Scope clauses that the current snapshot makes redundant, found by the caller from document
/// frequencies: when every document of the index (deleted ones included) belongs to the
/// organisation, or none is above the clearance, the clause would match everything and only cost
/// time. Skipping it never widens what is seen.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ScopeShortcuts {
    pub(crate) organization: bool,
    pub(crate) secrecy: bool,
}

/// The required clause of a [`Restriction`]: every document except those of a restricted
/// register whose id is not allowed. `None` when no register is restricted (nothing to exclude).
fn restriction_clause(restriction: &Restriction, fields: &Fields) -> Option<Box<dyn Query>> {
    if restriction.registers.is_empty() {
        return None;
    }
    let registers: Box<dyn Query> =
        Box::new(TermSetQuery::new(restriction.registers.iter().map(
            |register| Term::from_field_text(fields.register, &keyword(register)),
        )));
    let allowed: Box<dyn Query> = if restriction.allowed_ids.is_empty() {
        Box::new(EmptyQuery)
    } else {
        Box::new(TermSetQuery::new(
            restriction
                .allowed_ids
                .iter()
                .map(|id| Term::from_field_i64(fields.id, *id)),
        ))
    };
    let hidden: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, registers),
        (Occur::MustNot, allowed),
    ]));
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery)),
        (Occur::MustNot, hidden),
    ])))
}

/// A scoring query with the terms its BM25 weight is computed from, and its boost.
struct Scoring {
    query: Box<dyn Query>,
    terms: Vec<Term>,
    boost: Score,
}

/// An upper bound of the BM25 score of a term or phrase query over `terms`, times `boost`: the
/// weight tantivy gives it (`idf · (1 + k1)`, the idfs summed for a phrase) is the limit of its
/// score as the frequency grows. A little is added for the rounding of sums of scores.
fn bound(stats: &dyn Bm25StatisticsProvider, terms: &[Term], boost: Score) -> Result<Score, Error> {
    if terms.is_empty() {
        return Ok(0.0);
    }
    let weight = Bm25Weight::for_terms(stats, terms)?.boost_by(boost);
    Ok(weight.max_score() * 1.001 + 1e-4)
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// The required part of one clause: a folded term, a bigram term, or a phrase of bigrams.
fn text_clause(clause: &Clause, fields: &Fields) -> Scoring {
    let scoring = |query: Box<dyn Query>, terms: Vec<Term>| Scoring {
        query,
        terms,
        boost: 1.0,
    };
    match clause.folded.as_slice() {
        [single] => {
            let term = Term::from_field_text(fields.all_folded, single);
            scoring(term_query(term.clone()), vec![term])
        }
        keys => {
            let bigrams = bigram_cover(keys, fields.all_bigram);
            let terms = bigrams.iter().map(|(_, term)| term.clone()).collect();
            match bigrams.as_slice() {
                [(_, single)] => scoring(term_query(single.clone()), terms),
                [] => scoring(Box::new(EmptyQuery), terms),
                _ => scoring(Box::new(PhraseQuery::new_with_offset(bigrams)), terms),
            }
        }
    }
}

/// The fewest bigrams that pin down every syllable of a phrase of two or more syllables, with
/// their offsets: those starting at 0, 2, 4, … and the last one. `a b c d` needs `a_b`@0 and
/// `c_d`@2 only (a match puts `a b` at p and `c d` at p + 2, so the four are adjacent), a third
/// fewer postings to intersect than every overlapping pair.
fn bigram_cover(keys: &[String], field: Field) -> Vec<(usize, Term)> {
    let mut pair = String::new();
    let mut starts: Vec<usize> = (0..keys.len().saturating_sub(1)).step_by(2).collect();
    let last = keys.len().saturating_sub(2);
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
        .into_iter()
        .filter_map(|start| {
            let (first, second) = (keys.get(start)?, keys.get(start + 1)?);
            bigram(first, second, &mut pair);
            Some((start, Term::from_field_text(field, &pair)))
        })
        .collect()
}

/// The optional boosts of one clause: the same match in the subject, and its exact keys. When
/// every syllable of the clause was typed with diacritics, the subject boost asks for them too, so
/// that a subject matching only once folded ("bản" for `bán`) cannot outrank an exact match.
fn boosts(clause: &Clause, fields: &Fields) -> Vec<Scoring> {
    let mut boosts = Vec::new();
    let (field, keys) = if clause.exact.len() == clause.folded.len() {
        (fields.subject_exact, &clause.exact)
    } else {
        (fields.subject_folded, &clause.folded)
    };
    let terms: Vec<Term> = keys
        .iter()
        .map(|key| Term::from_field_text(field, key))
        .collect();
    let subject: Box<dyn Query> = match terms.as_slice() {
        [single] => term_query(single.clone()),
        terms => Box::new(PhraseQuery::new(terms.to_vec())),
    };
    boosts.push(Scoring {
        query: subject,
        terms,
        boost: SUBJECT_BOOST,
    });
    for exact in &clause.exact {
        let term = Term::from_field_text(fields.all_exact, exact);
        boosts.push(Scoring {
            query: term_query(term.clone()),
            terms: vec![term],
            boost: EXACT_BOOST,
        });
    }
    boosts
}

/// Adjacent single-syllable clauses of an unquoted query: documents where they stand together
/// ("cai cach" typed as two words) rank above those where they are apart.
fn proximity_boosts(parsed: &ParsedText, fields: &Fields) -> Vec<Scoring> {
    let mut boosts = Vec::new();
    let mut pair = String::new();
    for window in parsed.clauses.windows(2) {
        if let [first, second] = window
            && let ([first_key], [second_key]) = (first.folded.as_slice(), second.folded.as_slice())
            && !first.phrase
            && !second.phrase
        {
            bigram(first_key, second_key, &mut pair);
            let term = Term::from_field_text(fields.all_bigram, &pair);
            boosts.push(Scoring {
                query: term_query(term.clone()),
                terms: vec![term],
                boost: PROXIMITY_BOOST,
            });
        }
    }
    boosts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[(&[&str], bool)]) {
        let parsed = ParsedText::parse(text).unwrap();
        let actual: Vec<(Vec<&str>, bool)> = parsed
            .clauses
            .iter()
            .map(|clause| {
                (
                    clause.folded.iter().map(String::as_str).collect(),
                    clause.phrase,
                )
            })
            .collect();
        let expected: Vec<(Vec<&str>, bool)> = expected
            .iter()
            .map(|(keys, phrase)| (keys.to_vec(), *phrase))
            .collect();
        assert_eq!(actual, expected, "parsing {text:?}");
    }

    #[test]
    fn words_and_phrases() {
        check("cải cách", &[(&["cai"], false), (&["cach"], false)]);
        check(
            "\"cải cách hành chính\" năm",
            &[(&["cai", "cach", "hanh", "chinh"], true), (&["nam"], false)],
        );
        check("06/KH-UBND", &[(&["06", "kh", "ubnd"], true)]);
        check("\"unclosed phrase", &[(&["unclosed", "phrase"], true)]);
        check("  \"\" ,;  ", &[]);
        check("Đảng đảng DANG", &[(&["dang"], false), (&["dang"], false)]);
    }

    #[test]
    fn bigram_covers() {
        let field = Fields::build().1.all_bigram;
        let cover = |phrase: &str| -> Vec<(usize, String)> {
            let keys: Vec<String> = phrase.split(' ').map(str::to_owned).collect();
            bigram_cover(&keys, field)
                .into_iter()
                .map(|(offset, term)| (offset, term.value().as_str().unwrap().to_owned()))
                .collect()
        };
        let pairs = |expected: &[(usize, &str)]| -> Vec<(usize, String)> {
            expected
                .iter()
                .map(|(o, t)| (*o, (*t).to_owned()))
                .collect()
        };
        assert_eq!(cover("a b"), pairs(&[(0, "a_b")]));
        assert_eq!(cover("a b c"), pairs(&[(0, "a_b"), (1, "b_c")]));
        assert_eq!(cover("a b c d"), pairs(&[(0, "a_b"), (2, "c_d")]));
        assert_eq!(
            cover("a b c d e"),
            pairs(&[(0, "a_b"), (2, "c_d"), (3, "d_e")])
        );
    }

    #[test]
    fn exact_keys_only_for_syllables_typed_with_diacritics() {
        let parsed = ParsedText::parse("cải cach").unwrap();
        assert_eq!(parsed.clauses[0].exact, ["cai\u{309}"]);
        assert!(parsed.clauses[1].exact.is_empty());
    }

    #[test]
    fn limits() {
        let many: Vec<String> = (0..=MAX_QUERY_SYLLABLES).map(|n| n.to_string()).collect();
        assert!(ParsedText::parse(&many.join(" ")).is_err());
        assert!(ParsedText::parse(&many[1..].join(" ")).is_ok());
        assert!(ParsedText::parse(&"a".repeat(MAX_QUERY_BYTES + 1)).is_err());
    }
}
