//! Errors of the PDF adapter, in the caller's terms.
//!
//! lopdf reports failures as its own `Error` with free-text payloads that may quote document
//! bytes.
//! This module's variants carry only sizes, limits and fixed reasons, so a message can be logged
//! or shown to a user without leaking document content (STYLE.md §5).

/// Why a PDF could not be loaded or inspected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes do not start with a PDF header (`%PDF-`) within their first 1024 bytes.
    #[error("not a pdf file")]
    NotPdf,
    /// The file is larger than [`Limits::max_file_bytes`](crate::Limits::max_file_bytes).
    #[error("pdf file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The size of the file, in bytes.
        size: u64,
        /// The limit it exceeded, in bytes.
        limit: u64,
    },
    /// The file has no `%%EOF` marker near its end, so it was most likely cut short.
    #[error("pdf file is truncated: no end-of-file marker")]
    Truncated,
    /// The file is not a readable PDF; `reason` is a fixed phrase that quotes no file content.
    #[error("pdf file is corrupt: {reason}")]
    Corrupt {
        /// A short, fixed description of what is wrong.
        reason: &'static str,
    },
    /// The file is encrypted and no password was supplied.
    #[error("pdf file is encrypted")]
    Encrypted,
    /// The file is encrypted and the supplied password does not open it.
    #[error("wrong password for encrypted pdf file")]
    WrongPassword,
    /// The file holds more indirect objects than
    /// [`Limits::max_objects`](crate::Limits::max_objects).
    #[error("pdf file has {count} objects, over the {limit}-object limit")]
    TooManyObjects {
        /// How many objects the file holds.
        count: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// The file has more pages than [`Limits::max_pages`](crate::Limits::max_pages).
    #[error("pdf file has more than {limit} pages")]
    TooManyPages {
        /// The limit it exceeded.
        limit: usize,
    },
    /// A stream decoded while loading would inflate past
    /// [`Limits::max_decompressed_bytes`](crate::Limits::max_decompressed_bytes), as a
    /// decompression bomb does.
    #[error("a pdf stream decompresses to more than {limit} bytes")]
    DecompressionLimit {
        /// The limit it exceeded, in bytes.
        limit: u64,
    },
    /// The file cannot take an incremental update that other readers would see as this crate
    /// does: its cross-reference data had to be repaired, it is a hybrid-reference file, or its
    /// object numbers are exhausted; `reason` is a fixed phrase.
    #[error("pdf file cannot be updated incrementally: {reason}")]
    Unsignable {
        /// A short, fixed description of what is wrong.
        reason: &'static str,
    },
    /// A request to add fields or to sign is unusable as given (an empty field name, a
    /// rectangle that is not finite, no room reserved for the signature); `reason` is a fixed
    /// phrase.
    #[error("invalid pdf signing request: {reason}")]
    InvalidRequest {
        /// A short, fixed description of what is wrong.
        reason: &'static str,
    },
    /// The named page does not exist.
    #[error("pdf file has no page {page}; it has {page_count}")]
    NoSuchPage {
        /// The 1-based page number asked for.
        page: usize,
        /// How many pages the file has.
        page_count: usize,
    },
    /// The form has no field of the given name.
    #[error("pdf form has no field of that name")]
    NoSuchField,
    /// The form already has a field of the given name.
    #[error("pdf form already has a field of that name")]
    FieldExists,
    /// The named field is of another kind than the operation needs.
    #[error("pdf form field is not a {expected} field")]
    WrongFieldKind {
        /// The kind the operation needs: `signature` or `text`.
        expected: &'static str,
    },
    /// The named signature field already holds a signature.
    #[error("pdf signature field is already signed")]
    AlreadySigned,
    /// The signature does not fit in the room reserved for it in the file.
    #[error(
        "signature of {needed} bytes does not fit the {capacity} bytes reserved in the pdf file"
    )]
    SignatureTooLarge {
        /// The size of the signature (the CMS structure), in bytes.
        needed: usize,
        /// The room reserved for it, in bytes.
        capacity: usize,
    },
    /// The bytes are not a file prepared for signing: no empty signature placeholder ends them.
    #[error("pdf file holds no signature placeholder")]
    NotPrepared,
    /// The text of a signature appearance holds a character that the embedded font cannot draw:
    /// one outside Liberation Serif (for example CJK), a control character, or a combining mark
    /// (callers pass NFC text, in which Vietnamese letters are precomposed).
    #[error(
        "the signature appearance text contains {character:?}, which the embedded font cannot draw"
    )]
    UnsupportedCharacter {
        /// The character.
        character: char,
    },
    /// An image of a signature appearance is not a PNG that can be read; `reason` is a fixed
    /// phrase.
    #[error("the signature appearance image is not a readable png: {reason}")]
    InvalidImage {
        /// A short, fixed description of what is wrong.
        reason: &'static str,
    },
    /// An image of a signature appearance is larger than 4096 pixels on a side or 64 MiB once
    /// decoded.
    #[error("the signature appearance image is {width}x{height} pixels, over the size limit")]
    ImageTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// A signature appearance cannot be rendered: its geometry is unusable (a box or size that is
    /// not a positive finite number of points) or its font could not be embedded; `reason` is a
    /// fixed phrase.
    #[error("the signature appearance cannot be rendered: {reason}")]
    Appearance {
        /// A short, fixed description of what is wrong.
        reason: &'static str,
    },
}
