//! Incremental updates: the original file bytes, verbatim, followed by one appended revision
//! (ISO 32000-2 §7.5.6).
//!
//! lopdf's `IncrementalDocument` writes such a revision, but it encrypts a signature's strings
//! with no way to reserve a fixed-width `/ByteRange`, and it copies the previous trailer whole,
//! keys of an old cross-reference stream included.
//! This module therefore writes the revision itself, with lopdf's object serialiser
//! ([`Writer::write_object`]) and its encryption ([`encryption::encrypt_object`]): the changed
//! objects, the new ones, at most one signature dictionary with its placeholders, then a
//! cross-reference section of the same kind as the file's newest one (a table or a stream,
//! §7.5.4 and §7.5.8) whose trailer carries `/Prev`.

use std::collections::BTreeSet;

use lopdf::encryption::{self, EncryptionState};
use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, Writer};

use crate::error::Error;
use crate::limits::Limits;
use crate::load;

/// The highest object number a revision may use. ISO 32000-2 Annex C suggests 8,388,607 as an
/// implementation limit; this bound only keeps the arithmetic far from `u32::MAX`.
const MAX_OBJECT_NUMBER: u32 = 1 << 30;

/// The room kept for the four `/ByteRange` numbers: `0 a b c]` with three ten-digit offsets
/// (enough for any `u32`), padded with blanks once the numbers are known.
const BYTE_RANGE_WIDTH: usize = 2 + 3 * 11 + 1;

/// A document being changed in one incremental revision.
pub(crate) struct Revision<'a> {
    original: &'a [u8],
    document: Document,
    /// Objects numbered from here on are new in this revision.
    first_new_id: u32,
    /// Existing objects that this revision rewrites.
    modified: BTreeSet<ObjectId>,
    /// The offset of the newest cross-reference section, for `/Prev`.
    prev_xref: usize,
    xref_stream: bool,
    /// The file's encryption and its `/Encrypt` dictionary, when it was opened with a password.
    encryption: Option<(EncryptionState, ObjectId)>,
    signature: Option<SignatureSlot>,
}

/// A signature dictionary whose `/ByteRange` and `/Contents` are written as placeholders.
struct SignatureSlot {
    id: ObjectId,
    dictionary: Dictionary,
    capacity: usize,
}

/// The bytes of an updated file and, when it holds a signature placeholder, the position of the
/// `/Contents` hex string: from its `<` to just after its `>`.
pub(crate) struct Written {
    pub(crate) bytes: Vec<u8>,
    pub(crate) contents: Option<(usize, usize)>,
}

impl<'a> Revision<'a> {
    /// Parses `original` within `limits` (with `password` when given) and checks that an
    /// incremental update of it can be written that every reader resolves as lopdf did.
    pub(crate) fn open(
        original: &'a [u8],
        password: Option<&str>,
        limits: &Limits,
    ) -> Result<Self, Error> {
        let loaded = match password {
            Some(password) => load::load_untrusted_with_password(original, password, limits)?,
            None => load::load_untrusted(original, limits)?,
        };
        let mut document = loaded.into_document();
        // `/Prev` must name the section that `startxref` names, and other readers must find the
        // same objects there; neither holds once lopdf had to repair the file.
        if document.xref_recovery.is_some() || document.xref_start == 0 {
            return Err(Error::Unsignable {
                reason: "its cross-reference data is damaged",
            });
        }
        // pyHanko refuses hybrid-reference files in its strict mode (ISO 32000-2 §7.5.8.4 keeps
        // them for PDF 1.4 readers only), so a signature on one could never validate there.
        if contains(original, b"/XRefStm") {
            return Err(Error::Unsignable {
                reason: "it is a hybrid-reference file",
            });
        }
        if document
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .is_err()
        {
            return Err(Error::Corrupt {
                reason: "no document catalog",
            });
        }
        let encryption = match &document.encryption_state {
            Some(state) => match state.encrypt_object_id() {
                Some(id) => Some((state.clone(), id)),
                None => {
                    return Err(Error::Unsignable {
                        reason: "its encryption dictionary is not an indirect object",
                    });
                }
            },
            None => None,
        };
        let declared_size = document
            .trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|size| u32::try_from(size).ok())
            .unwrap_or(0);
        let highest = document.max_id.max(declared_size.saturating_sub(1));
        if highest >= MAX_OBJECT_NUMBER {
            return Err(Error::Unsignable {
                reason: "its object numbers are exhausted",
            });
        }
        // New objects, including those that appearance rendering adds with `add_object`, are
        // numbered after every number the file uses or declares.
        document.max_id = highest;
        let xref_stream = matches!(
            document.reference_table.cross_reference_type,
            XrefType::CrossReferenceStream
        );
        Ok(Self {
            original,
            prev_xref: document.xref_start,
            document,
            first_new_id: highest.saturating_add(1),
            modified: BTreeSet::new(),
            xref_stream,
            encryption,
            signature: None,
        })
    }

    /// The document as it stands with this revision's changes.
    pub(crate) fn document(&self) -> &Document {
        &self.document
    }

    /// The document, for code that only adds objects (appearance rendering); changes to
    /// existing objects must go through [`Revision::set`].
    pub(crate) fn document_mut(&mut self) -> &mut Document {
        &mut self.document
    }

    /// The catalog's object id.
    pub(crate) fn catalog_id(&self) -> Result<ObjectId, Error> {
        self.document
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|_| Error::Corrupt {
                reason: "no document catalog",
            })
    }

    /// A clone of the dictionary with id `id`.
    pub(crate) fn dictionary(&self, id: ObjectId) -> Result<Dictionary, Error> {
        self.document
            .get_dictionary(id)
            .cloned()
            .map_err(|_| Error::Corrupt {
                reason: "a referenced dictionary is missing",
            })
    }

    /// Adds a new object and returns its id.
    pub(crate) fn add(&mut self, object: impl Into<Object>) -> Result<ObjectId, Error> {
        self.document
            .try_add_object(object)
            .map_err(|_| Error::Unsignable {
                reason: "its object numbers are exhausted",
            })
    }

    /// Replaces object `id`, existing or new, and writes it in this revision.
    pub(crate) fn set(&mut self, id: ObjectId, object: impl Into<Object>) {
        if id.0 < self.first_new_id {
            self.modified.insert(id);
        }
        self.document.objects.insert(id, object.into());
    }

    /// Reserves the id of the revision's signature dictionary, which is written with
    /// `dictionary`'s entries, a `/ByteRange` and a `/Contents` of `capacity` zero bytes.
    pub(crate) fn add_signature(
        &mut self,
        dictionary: Dictionary,
        capacity: usize,
    ) -> Result<ObjectId, Error> {
        let id = self
            .document
            .try_new_object_id()
            .map_err(|_| Error::Unsignable {
                reason: "its object numbers are exhausted",
            })?;
        self.signature = Some(SignatureSlot {
            id,
            dictionary,
            capacity,
        });
        Ok(id)
    }

    /// Writes the original bytes and the appended revision, and fills in the `/ByteRange` of
    /// the signature dictionary, if any.
    pub(crate) fn finish(mut self) -> Result<Written, Error> {
        let mut out = Vec::with_capacity(self.original.len().saturating_add(64 * 1024));
        out.extend_from_slice(self.original);
        if !matches!(self.original.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let mut entries: Vec<(ObjectId, usize)> = Vec::new();
        let encryption = self.encryption.as_ref().map(|(state, _)| state);

        for id in &self.modified {
            let object = self.document.objects.get(id).ok_or(Error::Corrupt {
                reason: "a changed object is missing",
            })?;
            entries.push((*id, out.len()));
            write_indirect(&mut out, *id, object, encryption)?;
        }
        let new_objects = self
            .document
            .objects
            .range((self.first_new_id, 0)..)
            .map(|(id, object)| (*id, object));
        for (id, object) in new_objects {
            entries.push((id, out.len()));
            write_indirect(&mut out, id, object, encryption)?;
        }
        let mut placeholder = None;
        if let Some(slot) = &self.signature {
            entries.push((slot.id, out.len()));
            placeholder = Some(write_signature(&mut out, slot, encryption)?);
        }

        let xref_offset = out.len();
        let mut trailer = Dictionary::new();
        for key in [b"Root".as_slice(), b"Info", b"ID"] {
            if let Ok(value) = self.document.trailer.get(key) {
                trailer.set(key, value.clone());
            }
        }
        if let Some((_, encrypt_id)) = &self.encryption {
            trailer.set("Encrypt", Object::Reference(*encrypt_id));
        }
        trailer.set("Prev", usize_object(self.prev_xref)?);
        if self.xref_stream {
            let stream_id = self
                .document
                .try_new_object_id()
                .map_err(|_| Error::Unsignable {
                    reason: "its object numbers are exhausted",
                })?;
            entries.push((stream_id, xref_offset));
            trailer.set("Size", i64::from(stream_id.0) + 1);
            let stream = xref_stream(trailer, &mut entries)?;
            write_indirect(&mut out, stream_id, &Object::Stream(stream), None)?;
        } else {
            trailer.set("Size", i64::from(self.document.max_id) + 1);
            write_xref_table(&mut out, &mut entries);
            out.extend_from_slice(b"trailer\n");
            write_body(&mut out, &Object::Dictionary(trailer))?;
            out.push(b'\n');
        }
        out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());

        let contents = match placeholder {
            Some((byte_range_at, start, end)) => {
                patch_byte_range(&mut out, byte_range_at, start, end)?;
                Some((start, end))
            }
            None => None,
        };
        Ok(Written {
            bytes: out,
            contents,
        })
    }
}

/// Writes `N G obj`, the object (encrypted when the file is), and `endobj`.
fn write_indirect(
    out: &mut Vec<u8>,
    id: ObjectId,
    object: &Object,
    encryption: Option<&EncryptionState>,
) -> Result<(), Error> {
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    match encryption {
        Some(state) => {
            let mut encrypted = object.clone();
            encrypt(state, id, &mut encrypted)?;
            write_body(out, &encrypted)?;
        }
        None => write_body(out, object)?,
    }
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

fn encrypt(state: &EncryptionState, id: ObjectId, object: &mut Object) -> Result<(), Error> {
    encryption::encrypt_object(state, id, object).map_err(|_| Error::Corrupt {
        reason: "new objects cannot be encrypted with the file's key",
    })
}

fn write_body(out: &mut Vec<u8>, object: &Object) -> Result<(), Error> {
    Writer::write_object(out, object).map_err(|_| Error::Corrupt {
        reason: "an object cannot be written",
    })
}

/// Writes the signature dictionary with blank `/ByteRange` room and a zero-filled `/Contents`
/// (ISO 32000-2 §12.8.1), and returns where the `/ByteRange` room starts and where the
/// `/Contents` hex string starts and ends.
///
/// `/Contents` is written in clear even in an encrypted file (ISO 32000-2 §7.6.1), which lopdf's
/// `encrypt_object` also honours for a dictionary of `/Type /Sig` or `/DocTimeStamp`.
fn write_signature(
    out: &mut Vec<u8>,
    slot: &SignatureSlot,
    encryption: Option<&EncryptionState>,
) -> Result<(usize, usize, usize), Error> {
    let mut dictionary = Object::Dictionary(slot.dictionary.clone());
    if let Some(state) = encryption {
        encrypt(state, slot.id, &mut dictionary)?;
    }
    let mut body = Vec::new();
    write_body(&mut body, &dictionary)?;
    let Some(open) = body.strip_suffix(b">>") else {
        return Err(Error::Corrupt {
            reason: "an object cannot be written",
        });
    };
    out.extend_from_slice(format!("{} {} obj\n", slot.id.0, slot.id.1).as_bytes());
    out.extend_from_slice(open);
    out.extend_from_slice(b"/ByteRange [");
    let byte_range_at = out.len();
    out.extend_from_slice(b"0 0 0 0]");
    out.resize(byte_range_at + BYTE_RANGE_WIDTH, b' ');
    out.extend_from_slice(b"/Contents ");
    let start = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * slot.capacity, b'0');
    out.push(b'>');
    let end = out.len();
    out.extend_from_slice(b">>\nendobj\n");
    Ok((byte_range_at, start, end))
}

/// Writes the final `/ByteRange`: everything but the `/Contents` hex string, `<` and `>`
/// included (ISO 32000-2 §12.8.1).
fn patch_byte_range(
    out: &mut [u8],
    byte_range_at: usize,
    start: usize,
    end: usize,
) -> Result<(), Error> {
    let after = out.len().saturating_sub(end);
    let mut numbers = format!("0 {start} {end} {after}]").into_bytes();
    if numbers.len() > BYTE_RANGE_WIDTH {
        return Err(Error::Unsignable {
            reason: "the file is too large for a byte range",
        });
    }
    numbers.resize(BYTE_RANGE_WIDTH, b' ');
    let room = out
        .get_mut(byte_range_at..byte_range_at + BYTE_RANGE_WIDTH)
        .ok_or(Error::Corrupt {
            reason: "an object cannot be written",
        })?;
    room.copy_from_slice(&numbers);
    Ok(())
}

/// Writes a cross-reference table for `entries` (ISO 32000-2 §7.5.4): the free head of the
/// free list, then one subsection per run of consecutive object numbers.
fn write_xref_table(out: &mut Vec<u8>, entries: &mut [(ObjectId, usize)]) {
    entries.sort_unstable_by_key(|(id, _)| id.0);
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    for run in runs(entries) {
        let Some(((first, _), _)) = run.first() else {
            continue;
        };
        out.extend_from_slice(format!("{} {}\n", first, run.len()).as_bytes());
        for ((_, generation), offset) in run {
            out.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes());
        }
    }
}

/// A cross-reference stream for `entries` (ISO 32000-2 §7.5.8), uncompressed, with the trailer
/// entries in its dictionary.
fn xref_stream(
    mut dictionary: Dictionary,
    entries: &mut [(ObjectId, usize)],
) -> Result<Stream, Error> {
    entries.sort_unstable_by_key(|(id, _)| id.0);
    let largest = entries.iter().map(|(_, offset)| *offset).max().unwrap_or(0);
    let width: usize = if u32::try_from(largest).is_ok() { 4 } else { 8 };
    let mut index = Vec::new();
    let mut data = Vec::new();
    for run in runs(entries) {
        let Some(((first, _), _)) = run.first() else {
            continue;
        };
        index.push(Object::Integer(i64::from(*first)));
        index.push(usize_object(run.len())?);
        for ((_, generation), offset) in run {
            data.push(1);
            let offset = u64::try_from(*offset).unwrap_or(u64::MAX).to_be_bytes();
            data.extend_from_slice(offset.get(8 - width..).unwrap_or(&offset));
            data.extend_from_slice(&generation.to_be_bytes());
        }
    }
    dictionary.set("Type", Object::Name(b"XRef".to_vec()));
    dictionary.set(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            usize_object(width)?,
            Object::Integer(2),
        ]),
    );
    dictionary.set("Index", Object::Array(index));
    Ok(Stream::new(dictionary, data))
}

/// `entries`, sorted by object number, split into runs of consecutive numbers.
fn runs(entries: &[(ObjectId, usize)]) -> impl Iterator<Item = &[(ObjectId, usize)]> {
    entries.chunk_by(|(a, _), (b, _)| a.0.checked_add(1) == Some(b.0))
}

fn usize_object(value: usize) -> Result<Object, Error> {
    i64::try_from(value)
        .map(Object::Integer)
        .map_err(|_| Error::Unsignable {
            reason: "the file is too large",
        })
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

/// The offset of the last occurrence of `needle` in `haystack`; `None` for an empty needle.
///
/// memchr's vectorised search keeps a scan through a large file well above hashing speed; a
/// byte-by-byte scan cost about as much as the SHA-256 of the file (BENCHMARKS.md).
pub(crate) fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::rfind(haystack, needle)
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own outputs; the crate-level denial guards input"
)]
mod tests {
    use lopdf::dictionary;

    use super::*;
    use crate::fixtures::{classic_pdf, limits, modern_pdf, qpdf_check};

    /// Adds one new object and rewrites the catalog with a marker entry.
    fn touch(bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let mut revision = Revision::open(bytes, None, &limits())?;
        let catalog_id = revision.catalog_id()?;
        let mut catalog = revision.dictionary(catalog_id)?;
        let marker = revision.add(dictionary! { "Marker" => true })?;
        catalog.set("Marker", Object::Reference(marker));
        revision.set(catalog_id, catalog);
        Ok(revision.finish()?.bytes)
    }

    #[test]
    fn appends_a_revision_of_the_same_kind() {
        for (input, stream) in [(classic_pdf(&["x"]), false), (modern_pdf(&["x"]), true)] {
            let output = touch(&input).unwrap();
            assert_eq!(&output[..input.len()], input.as_slice());
            qpdf_check(&output, None);
            let summary = crate::inspect_untrusted(&output, &limits()).unwrap();
            assert_eq!(summary.has_xref_stream, stream);
            assert!(!summary.xref_repaired);
            let document = lopdf::Document::load_mem(&output).unwrap();
            assert_eq!(document.revision_count(), 2);
            let marker = document
                .catalog()
                .unwrap()
                .get_deref(b"Marker", &document)
                .unwrap();
            assert!(
                marker
                    .as_dict()
                    .unwrap()
                    .get(b"Marker")
                    .unwrap()
                    .as_bool()
                    .unwrap()
            );
            // A second update chains to the first.
            let again = touch(&output).unwrap();
            qpdf_check(&again, None);
            assert_eq!(
                lopdf::Document::load_mem(&again).unwrap().revision_count(),
                3
            );
        }
    }

    #[test]
    fn finds_the_last_occurrence() {
        assert_eq!(find_last(b"abcabc", b"bc"), Some(4));
        assert_eq!(find_last(b"abcabc", b"abc"), Some(3));
        assert_eq!(find_last(b"abcab", b"abc"), Some(0));
        assert_eq!(find_last(b"ab", b"abc"), None);
        assert_eq!(find_last(b"abc", b""), None);
        assert_eq!(find_last(b"", b"a"), None);
    }

    #[test]
    fn starts_on_a_new_line_after_a_file_without_one() {
        let mut input = classic_pdf(&["x"]);
        while input.last() == Some(&b'\n') {
            input.pop();
        }
        let output = touch(&input).unwrap();
        assert_eq!(&output[..input.len()], input.as_slice());
        assert_eq!(output[input.len()], b'\n');
        qpdf_check(&output, None);
    }

    /// lopdf numbers the cross-reference stream it writes after every object without counting
    /// it in `max_id`; the declared `/Size` keeps a revision from reusing that number.
    #[test]
    fn numbers_new_objects_after_the_declared_size() {
        let input = modern_pdf(&["x"]);
        let text = String::from_utf8_lossy(&input).into_owned();
        let xref_dictionary = text.rfind("/Type/XRef").unwrap();
        let xref_stream = text[..xref_dictionary].rfind(" 0 obj\n").unwrap();
        let number_start = text[..xref_stream].rfind('\n').unwrap() + 1;
        let number: u32 = text[number_start..xref_stream].parse().unwrap();
        let output = touch(&input).unwrap();
        let tail = String::from_utf8_lossy(&output[input.len()..]).into_owned();
        assert!(!tail.contains(&format!("\n{number} 0 obj")), "{tail}");
        assert!(tail.contains(&format!("\n{} 0 obj", number + 1)), "{tail}");

        // A catalog numbered past the bound leaves no room for new objects.
        let mut document = crate::fixtures::document(&["x"]);
        let catalog_id = document
            .trailer
            .get(b"Root")
            .unwrap()
            .as_reference()
            .unwrap();
        let catalog = document.objects.remove(&catalog_id).unwrap();
        let high = (MAX_OBJECT_NUMBER, 0);
        document.objects.insert(high, catalog);
        document.max_id = MAX_OBJECT_NUMBER;
        document.trailer.set("Root", Object::Reference(high));
        let mut exhausted = Vec::new();
        document.save_to(&mut exhausted).unwrap();
        assert_eq!(
            touch(&exhausted).unwrap_err(),
            Error::Unsignable {
                reason: "its object numbers are exhausted"
            }
        );
    }
}
