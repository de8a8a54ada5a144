//! The document as the index sees it: plain metadata and the extracted text.

/// One document to index. The index is derived data: the application builds this from the
/// database and the extracted text, and can rebuild the whole index from them at any time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexedDocument {
    /// The document's database id; unique in the index (an upsert replaces the previous version).
    pub id: i64,
    /// The owning organisation; searches only ever see their own organisation's documents.
    pub organization_id: i64,
    /// 0 normal, 1 confidential, 2 secret, 3 top secret; a search sees levels up to its clearance.
    pub secrecy_level: u8,
    /// The number and symbol (số ký hiệu), e.g. `06/KH-UBND`.
    pub number_symbol: Option<String>,
    /// The document type's code (a facet and a filter).
    pub type_code: Option<String>,
    /// The issuing body's name (searchable, a facet and a filter).
    pub issuer: Option<String>,
    /// The subject line (trích yếu), ranked above the body.
    pub subject: Option<String>,
    /// The extracted body text (text layer or OCR).
    pub text: String,
    /// The register's name or code (a filter).
    pub register: Option<String>,
    /// The processing state's code (a filter).
    pub status: Option<String>,
    /// The signer's name (searchable and a filter).
    pub signer: Option<String>,
    /// The document's date (filters and date sorting).
    pub date: Option<time::Date>,
}
