//! Bounded loading of untrusted PDF bytes.
//!
//! Loading runs in three steps, cheapest first: the framing checks (size, `%PDF-` header,
//! `%%EOF` marker) reject most non-PDFs without parsing; lopdf then parses under the
//! decompression limit; finally the object and page counts are checked against [`Limits`].
//! lopdf offers no object-count limit, so that count is taken after parsing; the file-size and
//! decompression limits bound the memory a hostile file can make parsing use before it.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};

use lopdf::{DecompressError, Document, LoadOptions, ParseError};

use crate::error::Error;
use crate::limits::Limits;
use crate::summary::{self, PdfSummary};

/// A PDF parsed under [`Limits`], ready for inspection.
///
/// Its only constructors are [`load_untrusted`] and [`load_untrusted_with_password`], so every
/// value has passed the limits and is not locked by encryption.
pub struct LoadedPdf {
    /// Read by the signing operations (`sign.rs`); lopdf types stay private to this crate.
    document: Document,
    summary: PdfSummary,
}

impl LoadedPdf {
    /// Facts about the document: version, page and object counts, encryption, signature fields.
    pub fn summary(&self) -> PdfSummary {
        self.summary.clone()
    }

    /// The parsed document, for the operations in this crate that read or update it.
    pub(crate) fn into_document(self) -> Document {
        self.document
    }
}

// The document itself is left out: its objects are user content, which must not reach logs.
impl fmt::Debug for LoadedPdf {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("LoadedPdf")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// Parses attacker-controlled `bytes` as a PDF within `limits`.
///
/// Encrypted files are refused, even those that open with an empty user password (restrictions
/// only); pass the password, possibly `""`, to [`load_untrusted_with_password`] to open one.
///
/// # Errors
///
/// [`Error::TooLarge`], [`Error::NotPdf`] and [`Error::Truncated`] before any parsing;
/// [`Error::Corrupt`] or [`Error::DecompressionLimit`] when parsing fails;
/// [`Error::Encrypted`] for an encrypted file; [`Error::TooManyObjects`] and
/// [`Error::TooManyPages`] when the parsed document exceeds `limits`.
pub fn load_untrusted(bytes: &[u8], limits: &Limits) -> Result<LoadedPdf, Error> {
    load(bytes, None, limits)
}

/// Parses attacker-controlled `bytes` as a PDF within `limits`, decrypting it with `password`.
///
/// A file that is not encrypted loads as with [`load_untrusted`]; the password is then unused.
///
/// # Errors
///
/// As [`load_untrusted`], except that an encrypted file the password does not open gives
/// [`Error::WrongPassword`].
pub fn load_untrusted_with_password(
    bytes: &[u8],
    password: &str,
    limits: &Limits,
) -> Result<LoadedPdf, Error> {
    load(bytes, Some(password), limits)
}

/// Parses `bytes` as with [`load_untrusted`] and returns only the summary.
///
/// # Errors
///
/// As [`load_untrusted`].
pub fn inspect_untrusted(bytes: &[u8], limits: &Limits) -> Result<PdfSummary, Error> {
    load_untrusted(bytes, limits).map(|pdf| pdf.summary)
}

/// How far into the file the `%PDF-` header may start. ISO 32000-2 §7.5.2 puts it first, and
/// readers tolerate a little leading junk; 1024 bytes is the usual allowance.
const HEADER_WINDOW: usize = 1024;

/// How much trailing whitespace or junk may follow the last `%%EOF` marker (ISO 32000-2
/// §7.5.5), plus the marker itself.
const TRAILER_WINDOW: usize = 1024 + EOF_MARKER.len();

const HEADER_MARKER: &[u8] = b"%PDF-";
const EOF_MARKER: &[u8] = b"%%EOF";

fn load(bytes: &[u8], password: Option<&str>, limits: &Limits) -> Result<LoadedPdf, Error> {
    check_framing(bytes, limits)?;
    let options = LoadOptions {
        password: password.map(str::to_owned),
        // A limit beyond the address space is no limit, which the platform then enforces.
        max_decompressed_size: Some(
            usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX),
        ),
        ..LoadOptions::default()
    };
    guarded(|| {
        let document = match Document::load_mem_with_options(bytes, options) {
            Ok(document) => document,
            Err(error) => return Err(translate(&error, limits)),
        };
        let page_count = check_loaded(&document, password.is_some(), limits)?;
        let summary = summary::summarize(&document, page_count);
        Ok(LoadedPdf { document, summary })
    })
}

/// Cheap checks on the raw bytes, before the parser sees them.
fn check_framing(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_file_bytes {
        return Err(Error::TooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    let head = bytes.get(..HEADER_WINDOW).unwrap_or(bytes);
    if !contains(head, HEADER_MARKER) {
        return Err(Error::NotPdf);
    }
    let tail = bytes
        .get(bytes.len().saturating_sub(TRAILER_WINDOW)..)
        .unwrap_or(bytes);
    if !contains(tail, EOF_MARKER) {
        return Err(Error::Truncated);
    }
    Ok(())
}

/// Checks a parsed document against encryption policy and `limits`, and returns its page count.
fn check_loaded(document: &Document, has_password: bool, limits: &Limits) -> Result<usize, Error> {
    // lopdf leaves `/Encrypt` in the trailer, and loads no objects, when no password it tried
    // opened the file.
    if document.trailer.has(b"Encrypt") {
        if has_password {
            return Err(Error::WrongPassword);
        }
        return Err(Error::Encrypted);
    }
    // lopdf opens a file whose user password is empty without being asked; the policy is to
    // refuse every encrypted file unless the caller chose to supply a password.
    if document.was_encrypted() && !has_password {
        return Err(Error::Encrypted);
    }
    let object_count = document.objects.len();
    if object_count > limits.max_objects {
        return Err(Error::TooManyObjects {
            count: object_count,
            limit: limits.max_objects,
        });
    }
    // lopdf's page iterator visits at most one kid per loaded object, so this stays bounded
    // even for a cyclic page tree.
    let page_count = document
        .page_iter()
        .take(limits.max_pages.saturating_add(1))
        .count();
    if page_count > limits.max_pages {
        return Err(Error::TooManyPages {
            limit: limits.max_pages,
        });
    }
    Ok(page_count)
}

/// Runs `parse`, turning a panic inside it into [`Error::Corrupt`].
///
/// lopdf is a large parser that does not promise to be panic-free, and its input here is
/// attacker-controlled: one crafted upload must not take down a worker thread or poison state
/// shared with other requests.
/// This is defence in depth behind the explicit limits, and it works only while the build
/// unwinds on panic (the workspace must never set `panic = "abort"`).
/// `AssertUnwindSafe` is sound because `parse` mutates nothing outside itself: a panic drops the
/// half-built document, and the caller's bytes are only borrowed.
pub(crate) fn guarded<T>(parse: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    match panic::catch_unwind(AssertUnwindSafe(parse)) {
        Ok(result) => result,
        Err(_) => Err(Error::Corrupt {
            reason: "parser failure",
        }),
    }
}

/// Maps a lopdf failure onto this crate's terms, with a fixed reason that quotes no content.
fn translate(error: &lopdf::Error, limits: &Limits) -> Error {
    let reason = match error {
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
            return Error::DecompressionLimit {
                limit: limits.max_decompressed_bytes,
            };
        }
        lopdf::Error::InvalidPassword => return Error::WrongPassword,
        lopdf::Error::Decompress(DecompressError::TooManyFilters { .. }) => {
            "too many stream filters"
        }
        lopdf::Error::Decompress(_) => "undecodable stream",
        lopdf::Error::Parse(ParseError::InvalidFileHeader) => "invalid file header",
        lopdf::Error::Parse(ParseError::EndOfInput) => "unexpected end of file",
        lopdf::Error::Parse(ParseError::InvalidTrailer) => "invalid trailer",
        lopdf::Error::Parse(ParseError::InvalidXref)
        | lopdf::Error::Xref(_)
        | lopdf::Error::MissingXrefEntry
        | lopdf::Error::InvalidOffset(_) => "invalid cross-reference data",
        lopdf::Error::Parse(ParseError::InvalidContentStream) => "invalid content stream",
        lopdf::Error::InvalidObjectStream(_) => "invalid object stream",
        lopdf::Error::InvalidStream(_) => "invalid stream",
        lopdf::Error::Decryption(_) => "undecryptable content",
        lopdf::Error::UnsupportedSecurityHandler(_) => "unsupported security handler",
        lopdf::Error::ReferenceCycle(_)
        | lopdf::Error::ReferenceLimit
        | lopdf::Error::RecursionLimit => "reference cycle or excessive nesting",
        lopdf::Error::ObjectIdOverflow => "object number out of range",
        _ => "malformed structure",
    };
    Error::Corrupt { reason }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
#[expect(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests index their own fixtures and fail loudly; the crate-level denial guards input"
)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, LazyLock};

    use lopdf::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter};
    use lopdf::{
        Dictionary, EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary,
    };
    use proptest::prelude::*;

    use super::*;

    const MIB: usize = 1024 * 1024;

    // Test builders: small documents made with lopdf, or by hand where lopdf's writer would
    // tidy the hostile part away.

    /// A document with one page per entry of `texts` (shared with the signing tests).
    fn document(texts: &[&str]) -> Document {
        crate::fixtures::document(texts)
    }

    fn save(doc: &mut Document) -> Vec<u8> {
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    /// A one-page PDF with a classic cross-reference table.
    fn classic_pdf(text: &str) -> Vec<u8> {
        save(&mut document(&[text]))
    }

    /// A one-page PDF with object streams and a cross-reference stream.
    fn modern_pdf(text: &str) -> Vec<u8> {
        let mut bytes = Vec::new();
        document(&[text]).save_modern(&mut bytes).unwrap();
        bytes
    }

    fn encrypted_rc4_pdf(owner_password: &str, user_password: &str) -> Vec<u8> {
        let mut doc = document(&["secret"]);
        let state = EncryptionState::try_from(EncryptionVersion::V2 {
            document: &doc,
            owner_password,
            user_password,
            key_length: 128,
            permissions: Permissions::all(),
        })
        .unwrap();
        doc.encrypt(&state).unwrap();
        save(&mut doc)
    }

    fn encrypted_aes256_pdf(user_password: &str) -> Vec<u8> {
        let mut doc = document(&["secret"]);
        let crypt_filter: Arc<dyn CryptFilter> = Arc::new(Aes256CryptFilter);
        let state = EncryptionState::try_from(EncryptionVersion::V5 {
            encrypt_metadata: true,
            crypt_filters: BTreeMap::from([(b"StdCF".to_vec(), crypt_filter)]),
            file_encryption_key: &[7; 32],
            stream_filter: b"StdCF".to_vec(),
            string_filter: b"StdCF".to_vec(),
            owner_password: "owner",
            user_password,
            permissions: Permissions::all(),
        })
        .unwrap();
        doc.encrypt(&state).unwrap();
        save(&mut doc)
    }

    /// A PDF written by hand with a classic cross-reference table: `objects[i]` is the body of
    /// object `i + 1`, and object 1 must be the catalog.
    fn handmade_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (index, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref_offset = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n", objects.len() + 1).as_bytes());
        pdf.extend_from_slice(b"0000000000 65535 f \n");
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_offset}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    /// A stream object body whose FlateDecode data inflates to `inflated` zero bytes.
    fn zero_bomb_stream(dict: &str, inflated: usize) -> Vec<u8> {
        let mut stream = Stream::new(Dictionary::new(), vec![0; inflated]);
        stream.compress().unwrap();
        let mut body = format!(
            "<< {dict} /Filter /FlateDecode /Length {} >>\nstream\n",
            stream.content.len()
        )
        .into_bytes();
        body.extend_from_slice(&stream.content);
        body.extend_from_slice(b"\nendstream");
        body
    }

    fn empty_catalog_and_pages() -> Vec<Vec<u8>> {
        vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
        ]
    }

    /// A PDF whose object stream (decoded eagerly while loading) inflates to `inflated` bytes.
    fn object_stream_bomb_pdf(inflated: usize) -> Vec<u8> {
        let mut objects = empty_catalog_and_pages();
        objects.push(zero_bomb_stream("/Type /ObjStm /N 1 /First 4", inflated));
        handmade_pdf(&objects)
    }

    /// A one-page PDF whose page content stream inflates to `inflated` bytes.
    fn content_stream_bomb_pdf(inflated: usize) -> Vec<u8> {
        handmade_pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            zero_bomb_stream("", inflated),
        ])
    }

    /// A one-page PDF whose form has two signature fields, one of them inheriting `/FT /Sig`
    /// from a parent field, and one text field.
    fn signature_fields_pdf() -> Vec<u8> {
        let mut doc = document(&["to be signed"]);
        let page_id = doc.page_iter().next().unwrap();
        let widget = |name: &str, field_type: Option<&str>| {
            let mut field = dictionary! {
                "Type" => "Annot",
                "Subtype" => "Widget",
                "T" => Object::string_literal(name),
                "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
                "P" => page_id,
            };
            if let Some(field_type) = field_type {
                field.set("FT", field_type);
            }
            field
        };
        let signer = doc.add_object(widget("Signer", Some("Sig")));
        let text = doc.add_object(widget("Number", Some("Tx")));
        let agency = doc.add_object(widget("Agency", None));
        let parent = doc.add_object(dictionary! {
            "T" => Object::string_literal("Approval"),
            "FT" => "Sig",
            "Kids" => vec![agency.into()],
        });
        let catalog_id = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
        let form = dictionary! {
            "Fields" => vec![signer.into(), text.into(), parent.into(), signer.into()],
            "SigFlags" => 3,
        };
        doc.get_dictionary_mut(catalog_id)
            .unwrap()
            .set("AcroForm", form);
        save(&mut doc)
    }

    fn limits() -> Limits {
        Limits::untrusted_upload()
    }

    #[track_caller]
    fn check_err(bytes: &[u8], limits: &Limits, expected: Error) {
        match load_untrusted(bytes, limits) {
            Ok(pdf) => panic!("expected {expected:?}, loaded {pdf:?}"),
            Err(error) => assert_eq!(error, expected),
        }
    }

    fn corrupt(reason: &'static str) -> Error {
        Error::Corrupt { reason }
    }

    #[test]
    fn loads_a_one_page_pdf_with_an_xref_table() {
        let summary = inspect_untrusted(&classic_pdf("Xin chào"), &limits()).unwrap();
        assert_eq!(
            summary,
            PdfSummary {
                version: "1.7".to_owned(),
                page_count: 1,
                object_count: 6,
                encrypted: false,
                signature_field_count: 0,
                has_xref_stream: false,
                xref_repaired: false,
                pdfa_claim: None,
            }
        );
    }

    #[test]
    fn loads_object_streams_and_an_xref_stream() {
        let bytes = modern_pdf("hello");
        assert!(contains(&bytes, b"/ObjStm"), "lopdf wrote no object stream");
        let summary = inspect_untrusted(&bytes, &limits()).unwrap();
        assert_eq!(summary.page_count, 1);
        assert!(summary.has_xref_stream);
        assert!(!summary.xref_repaired);
    }

    #[test]
    fn counts_pages() {
        let bytes = save(&mut document(&["one", "two", "three"]));
        assert_eq!(inspect_untrusted(&bytes, &limits()).unwrap().page_count, 3);
    }

    #[test]
    fn counts_signature_fields_including_inherited_ones() {
        let summary = inspect_untrusted(&signature_fields_pdf(), &limits()).unwrap();
        assert_eq!(summary.signature_field_count, 2);
    }

    #[test]
    fn refuses_a_file_over_the_size_limit_before_parsing() {
        let bytes = classic_pdf("hello");
        let size = u64::try_from(bytes.len()).unwrap();
        let limits = Limits {
            max_file_bytes: size - 1,
            ..limits()
        };
        check_err(
            &bytes,
            &limits,
            Error::TooLarge {
                size,
                limit: size - 1,
            },
        );
        let limits = Limits {
            max_file_bytes: size,
            ..limits
        };
        assert!(load_untrusted(&bytes, &limits).is_ok());
    }

    #[test]
    fn refuses_bytes_without_a_pdf_header() {
        check_err(b"", &limits(), Error::NotPdf);
        let random: Vec<u8> = (0..4096_u32)
            .map(|i| u8::try_from(i.wrapping_mul(2_654_435_761) >> 24).unwrap())
            .collect();
        check_err(&random, &limits(), Error::NotPdf);
        let mut late_header = vec![b' '; HEADER_WINDOW];
        late_header.extend_from_slice(&classic_pdf("hello"));
        check_err(&late_header, &limits(), Error::NotPdf);
    }

    #[test]
    fn tolerates_a_little_junk_around_the_file() {
        let mut bytes = b"junk\r\n".to_vec();
        bytes.extend_from_slice(&classic_pdf("hello"));
        bytes.extend_from_slice(&[b'\n'; 1000]);
        assert_eq!(inspect_untrusted(&bytes, &limits()).unwrap().page_count, 1);
    }

    #[test]
    fn refuses_a_file_without_an_end_marker_as_truncated() {
        let bytes = classic_pdf("hello");
        check_err(&bytes[..bytes.len() / 2], &limits(), Error::Truncated);
        check_err(b"%PDF-1.7\n", &limits(), Error::Truncated);
        let mut trailing_junk = bytes.clone();
        trailing_junk.extend_from_slice(&[b'x'; 2000]);
        check_err(&trailing_junk, &limits(), Error::Truncated);
    }

    #[test]
    fn refuses_a_garbage_body_as_corrupt() {
        check_err(
            b"%PDF-1.7\n%%EOF\n",
            &limits(),
            corrupt("invalid cross-reference data"),
        );
        let mut garbage = b"%PDF-1.7\n".to_vec();
        garbage.extend((0..2000_u32).map(|i| b"<<[(/ 0 R obj>>]"[(i % 16) as usize]));
        garbage.extend_from_slice(b"\n%%EOF\n");
        assert!(matches!(
            load_untrusted(&garbage, &limits()),
            Err(Error::Corrupt { .. })
        ));
    }

    #[test]
    fn refuses_an_encrypted_file_without_a_password() {
        check_err(
            &encrypted_rc4_pdf("owner", "user"),
            &limits(),
            Error::Encrypted,
        );
        check_err(&encrypted_aes256_pdf("user"), &limits(), Error::Encrypted);
    }

    #[test]
    fn refuses_an_encrypted_file_with_an_empty_user_password_unless_asked() {
        let bytes = encrypted_rc4_pdf("owner", "");
        check_err(&bytes, &limits(), Error::Encrypted);
        let pdf = load_untrusted_with_password(&bytes, "", &limits()).unwrap();
        assert!(pdf.summary().encrypted);
    }

    #[test]
    fn opens_an_encrypted_file_with_its_password() {
        for bytes in [
            encrypted_rc4_pdf("owner", "user"),
            encrypted_aes256_pdf("user"),
        ] {
            let summary = load_untrusted_with_password(&bytes, "user", &limits())
                .unwrap()
                .summary();
            assert!(summary.encrypted);
            assert_eq!(summary.page_count, 1);
        }
    }

    #[test]
    fn refuses_a_wrong_password() {
        for bytes in [
            encrypted_rc4_pdf("owner", "user"),
            encrypted_aes256_pdf("user"),
        ] {
            let result = load_untrusted_with_password(&bytes, "guess", &limits());
            assert_eq!(result.unwrap_err(), Error::WrongPassword);
        }
    }

    #[test]
    fn a_password_for_a_plain_file_is_unused() {
        let pdf = load_untrusted_with_password(&classic_pdf("hello"), "user", &limits()).unwrap();
        assert!(!pdf.summary().encrypted);
    }

    #[test]
    fn refuses_more_objects_than_the_limit() {
        let limits = Limits {
            max_objects: 5,
            ..limits()
        };
        check_err(
            &classic_pdf("hello"),
            &limits,
            Error::TooManyObjects { count: 6, limit: 5 },
        );
    }

    #[test]
    fn refuses_more_pages_than_the_limit() {
        let bytes = save(&mut document(&["one", "two", "three"]));
        let limits = Limits {
            max_pages: 2,
            ..limits()
        };
        check_err(&bytes, &limits, Error::TooManyPages { limit: 2 });
        let limits = Limits {
            max_pages: 3,
            ..limits
        };
        assert!(load_untrusted(&bytes, &limits).is_ok());
    }

    #[test]
    fn refuses_an_object_stream_decompression_bomb() {
        let bytes = object_stream_bomb_pdf(8 * MIB);
        assert!(bytes.len() < 64 * 1024, "the bomb is {} bytes", bytes.len());
        let limit = u64::try_from(MIB).unwrap();
        let limits = Limits {
            max_decompressed_bytes: limit,
            ..limits()
        };
        check_err(&bytes, &limits, Error::DecompressionLimit { limit });
    }

    /// Loading decodes no page content, so a content-stream bomb loads; whatever decodes page
    /// content later must bound it itself (lopdf's `get_page_content_with_limit`).
    #[test]
    fn loading_leaves_content_streams_compressed() {
        let limits = Limits {
            max_decompressed_bytes: u64::try_from(MIB).unwrap(),
            ..limits()
        };
        let summary = inspect_untrusted(&content_stream_bomb_pdf(8 * MIB), &limits).unwrap();
        assert_eq!(summary.page_count, 1);
    }

    #[test]
    fn survives_deeply_nested_arrays() {
        let mut catalog = b"<< /Type /Catalog /Pages 2 0 R /Deep ".to_vec();
        catalog.extend(std::iter::repeat_n(b'[', 100_000));
        catalog.extend(std::iter::repeat_n(b']', 100_000));
        catalog.extend_from_slice(b" >>");
        let mut objects = empty_catalog_and_pages();
        objects[0] = catalog;
        // Whatever lopdf makes of it, it must return rather than overflow the stack.
        let _ = load_untrusted(&handmade_pdf(&objects), &limits());
    }

    #[test]
    fn turns_a_parser_panic_into_corrupt() {
        let result: Result<(), Error> = guarded(|| panic!("hostile input"));
        assert_eq!(result, Err(corrupt("parser failure")));
    }

    #[test]
    fn debug_output_shows_no_document_content() {
        let pdf = load_untrusted(&classic_pdf("confidential"), &limits()).unwrap();
        let debug = format!("{pdf:?}");
        assert!(debug.contains("page_count: 1"), "{debug}");
        assert!(!debug.contains("confidential"), "{debug}");
    }

    #[test]
    fn error_messages_are_plain_lowercase() {
        let errors = [
            Error::NotPdf,
            Error::TooLarge { size: 2, limit: 1 },
            Error::Truncated,
            corrupt("parser failure"),
            Error::Encrypted,
            Error::WrongPassword,
            Error::TooManyObjects { count: 2, limit: 1 },
            Error::TooManyPages { limit: 1 },
            Error::DecompressionLimit { limit: 1 },
        ];
        for error in errors {
            let message = error.to_string();
            assert!(message.contains("pdf"), "{message}");
            assert_eq!(message, message.to_lowercase());
            assert!(!message.ends_with('.'), "{message}");
        }
    }

    #[test]
    fn loaded_documents_cross_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LoadedPdf>();
    }

    static VALID_PDFS: LazyLock<[Vec<u8>; 2]> =
        LazyLock::new(|| [classic_pdf("mutate me"), modern_pdf("mutate me")]);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Byte flips and truncations of valid files never make lopdf panic: a panic would
        /// surface as the guard's "parser failure" (STYLE.md §10.3).
        #[test]
        fn mutated_files_are_refused_without_panicking(
            modern in any::<bool>(),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            keep in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
            reframe in any::<bool>(),
        ) {
            let mut bytes = VALID_PDFS[usize::from(modern)].clone();
            for (index, byte) in flips {
                let position = index.index(bytes.len());
                bytes[position] = byte;
            }
            if truncate {
                bytes.truncate(keep.index(bytes.len()));
            }
            // Restoring the end marker gets the damaged body past the framing checks and into
            // the parser.
            if reframe {
                bytes.extend_from_slice(b"\n%%EOF\n");
            }
            let result = load_untrusted(&bytes, &limits());
            prop_assert_ne!(result.err(), Some(corrupt("parser failure")));
        }
    }
}
