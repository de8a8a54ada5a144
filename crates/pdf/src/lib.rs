//! The PDF adapter: the only crate that names lopdf (STYLE.md §1).
//!
//! PDFs reach this system from uploads, so every byte of them is attacker-controlled.
//! The single entry point for such bytes is [`load_untrusted`], which checks the file's framing
//! cheaply, parses it with lopdf under explicit [`Limits`], and refuses anything it cannot read
//! safely with an [`Error`] rather than a panic.
//! lopdf types never cross this crate's public API, so the parser can change without touching
//! its callers.

// Attacker-controlled bytes must always produce an `Err`, never a panic (STYLE.md §2 and §5,
// after kanidm's `libs/crypto`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod appearance;
mod changes;
mod dss;
mod error;
#[cfg(test)]
mod fixtures;
mod form;
mod history;
mod limits;
mod load;
pub mod report;
mod revision;
mod sign;
mod summary;

pub use crate::changes::{Change, ChangeKind, changes_after, changes_after_with_password};
pub use crate::dss::{
    DssContents, append_dss, append_dss_with_password, dss, dss_with_password, signatures_and_dss,
    signatures_and_dss_with_password,
};
pub use crate::error::Error;
pub use crate::history::revision_ends;
pub use crate::limits::Limits;
pub use crate::load::{LoadedPdf, inspect_untrusted, load_untrusted, load_untrusted_with_password};
pub use crate::sign::{
    EmbeddedSignature, FieldKind, FieldSpec, FieldTarget, MAX_CONTENTS_CAPACITY, PreparedSignature,
    SignatureKind, SignatureRequest, add_fields, add_fields_with_password, fill_text_field,
    fill_text_field_with_password, prepare_signature, prepare_signature_with_password,
    signature_fields, signature_fields_with_password, signatures, signatures_with_password,
};
pub use crate::summary::PdfSummary;
