//! The index schema, its version, and turning an [`IndexedDocument`] into a tantivy document.
//!
//! Searchable text goes into three fields built from the same values (subject, number and symbol,
//! issuer, signer, body), each value indexed separately so that tantivy's position gap keeps a
//! phrase from spanning two of them:
//! - `all_folded`: folded syllables with positions (every word clause must match here);
//! - `all_bigram`: folded syllable bigrams with positions (phrases);
//! - `all_exact`: exact syllables, frequencies only (the boost that ranks exact-diacritic matches
//!   first; phrase correctness comes from the folded fields, so it needs no positions).
//!
//! `subject_folded` and `subject_exact` repeat the subject alone for its ranking boost; keywords (`type_code`,
//! `issuer`, …) are raw strings for filters and facets; scope fields (`organization_id`,
//! `secrecy`) are indexed so that the scope is part of every query.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::IndexedDocument;
use crate::analysis::normalize;
use crate::tokenizer;

/// The version of the schema and of the analysis chain. Bump it whenever a field, an analyzer or
/// a key function changes: an index written by another version is reported stale and rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// The fields of the schema, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) organization_id: Field,
    pub(crate) secrecy: Field,
    pub(crate) date_days: Field,
    pub(crate) type_code: Field,
    pub(crate) issuer: Field,
    pub(crate) register: Field,
    pub(crate) status: Field,
    pub(crate) signer: Field,
    pub(crate) subject_folded: Field,
    pub(crate) subject_exact: Field,
    pub(crate) all_folded: Field,
    pub(crate) all_bigram: Field,
    pub(crate) all_exact: Field,
    pub(crate) body: Field,
}

/// The fast-field names the facet collector reads.
pub(crate) const ID: &str = "id";
pub(crate) const TYPE_CODE: &str = "type_code";
pub(crate) const ISSUER: &str = "issuer";
pub(crate) const DATE_DAYS: &str = "date_days";

impl Fields {
    /// Builds the schema and its fields.
    pub(crate) fn build() -> (Schema, Fields) {
        let text = |analyzer: &str, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(record),
            )
        };
        let mut builder = Schema::builder();
        let fields = Fields {
            id: builder.add_i64_field(ID, INDEXED | STORED | FAST),
            organization_id: builder.add_i64_field("organization_id", INDEXED | FAST),
            secrecy: builder.add_u64_field("secrecy", INDEXED | FAST),
            date_days: builder.add_i64_field(DATE_DAYS, INDEXED | FAST),
            type_code: builder.add_text_field(TYPE_CODE, STRING | FAST),
            issuer: builder.add_text_field(ISSUER, STRING | FAST),
            register: builder.add_text_field("register", STRING),
            status: builder.add_text_field("status", STRING),
            signer: builder.add_text_field("signer", STRING),
            subject_folded: builder.add_text_field(
                "subject_folded",
                text(tokenizer::FOLDED, IndexRecordOption::WithFreqsAndPositions) | STORED,
            ),
            subject_exact: builder.add_text_field(
                "subject_exact",
                text(tokenizer::EXACT, IndexRecordOption::WithFreqsAndPositions),
            ),
            all_folded: builder.add_text_field(
                "all_folded",
                text(tokenizer::FOLDED, IndexRecordOption::WithFreqsAndPositions),
            ),
            all_bigram: builder.add_text_field(
                "all_bigram",
                text(tokenizer::BIGRAM, IndexRecordOption::WithFreqsAndPositions),
            ),
            all_exact: builder.add_text_field(
                "all_exact",
                text(tokenizer::EXACT, IndexRecordOption::WithFreqs),
            ),
            body: builder.add_text_field("body", STORED),
        };
        (builder.build(), fields)
    }

    /// The tantivy document for one indexed document; every string is NFC first.
    pub(crate) fn document(&self, source: &IndexedDocument) -> TantivyDocument {
        let mut document = TantivyDocument::default();
        document.add_i64(self.id, source.id);
        document.add_i64(self.organization_id, source.organization_id);
        document.add_u64(self.secrecy, u64::from(source.secrecy_level));
        if let Some(date) = source.date {
            document.add_i64(self.date_days, days_since_epoch(date));
        }
        let keywords = [
            (self.type_code, &source.type_code),
            (self.issuer, &source.issuer),
            (self.register, &source.register),
            (self.status, &source.status),
            (self.signer, &source.signer),
        ];
        for (field, value) in keywords {
            if let Some(value) = value {
                document.add_text(field, keyword(value));
            }
        }
        let body = normalize(&source.text);
        let searchable = [
            source.subject.as_deref(),
            source.number_symbol.as_deref(),
            source.issuer.as_deref(),
            source.signer.as_deref(),
            Some(body.as_ref()),
        ];
        for value in searchable.into_iter().flatten() {
            let value = normalize(value);
            for field in [self.all_folded, self.all_bigram, self.all_exact] {
                document.add_text(field, value.as_ref());
            }
        }
        if let Some(subject) = &source.subject {
            let subject = normalize(subject);
            document.add_text(self.subject_folded, subject.as_ref());
            document.add_text(self.subject_exact, subject.as_ref());
        }
        document.add_text(self.body, body.as_ref());
        document
    }
}

/// A keyword as filters compare it: NFC, surrounding whitespace trimmed.
pub(crate) fn keyword(value: &str) -> String {
    normalize(value.trim()).into_owned()
}

/// The date as days since 1970-01-01, the unit of the `date_days` field.
pub(crate) fn days_since_epoch(date: time::Date) -> i64 {
    /// The Julian day number of 1970-01-01.
    const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}
