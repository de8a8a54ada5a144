//! Resource limits for parsing untrusted PDFs.
//!
//! lopdf's own defaults bound only stream decompression (256 MiB per stream); file size, object
//! count and page count are unbounded.
//! Every load in this crate therefore takes explicit [`Limits`], and there is deliberately no
//! `Default`: each caller states which budget applies (STYLE.md §6, no defaults for knobs that
//! matter in production).

use serde::{Deserialize, Serialize};

/// Upper bounds that [`load_untrusted`](crate::load_untrusted) enforces on a PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The largest file accepted, in bytes; checked before any parsing.
    pub max_file_bytes: u64,
    /// The most indirect objects a file may hold, object-stream members included.
    pub max_objects: usize,
    /// The most bytes any single stream may inflate to while the file is loaded.
    ///
    /// lopdf applies it per stream to the streams it decodes during loading: cross-reference
    /// streams and object streams.
    /// Page content and image streams are not decoded by loading at all.
    pub max_decompressed_bytes: u64,
    /// The most pages a file may have.
    pub max_pages: usize,
}

impl Limits {
    /// Limits for a document uploaded by a user: generous for real office documents and scans,
    /// small enough that one hostile file cannot exhaust a server.
    pub fn untrusted_upload() -> Self {
        Self {
            max_file_bytes: 50 * 1024 * 1024,
            max_objects: 500_000,
            max_decompressed_bytes: 200 * 1024 * 1024,
            max_pages: 10_000,
        }
    }
}
