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
}
