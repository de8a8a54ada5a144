//! Incremental signing primitives: form fields, signature placeholders, text-field filling and
//! reading back the signatures a file holds.
//!
//! Every operation appends one incremental revision (ISO 32000-2 §7.5.6) and leaves the
//! original bytes a verbatim prefix of its output, so earlier signatures stay valid.
//! Signing is split in two steps so that the CMS structure (built by the `crypto` crate, possibly
//! on another machine) is computed over the final bytes: [`prepare_signature`] writes the
//! signature dictionary with its final `/ByteRange` and a zero-filled `/Contents`, and
//! [`PreparedSignature::embed`] writes the CMS into that hole and nothing else.
//!
//! The signature dictionary follows ISO 32000-2 §12.8.1 and ETSI EN 319 142-1 §5 (PAdES
//! baseline): `/Filter /Adobe.PPKLite`, `/SubFilter /ETSI.CAdES.detached`, the signing time
//! in `/M` rather than in the CMS; document timestamps are `/Type /DocTimeStamp` with
//! `/SubFilter /ETSI.RFC3161` (§5.4).

use std::collections::HashSet;
use std::fmt;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use time::OffsetDateTime;

use crate::appearance::{self, Appearance, AppearanceItem, FontFace, Rgb};
use crate::error::Error;
use crate::form::{self, Field, FormChanges};
use crate::limits::Limits;
use crate::load;
use crate::revision::{self, Revision};

/// The most bytes that may be reserved for a CMS signature; real ones with timestamps and
/// long chains stay under 64 KiB.
pub const MAX_CONTENTS_CAPACITY: usize = 1024 * 1024;

/// The longest text a text field may be filled with, in characters.
const MAX_FIELD_TEXT: usize = 1000;

/// The kind of form field to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A signature field (`/FT /Sig`), empty until signed.
    Signature,
    /// A single-line text field (`/FT /Tx`), read-only for viewers; filled with
    /// [`fill_text_field`].
    Text,
}

/// A form field to create: its name, kind and place.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// The field's name (`/T`): non-empty, without `.`; Vietnamese is fine.
    pub name: String,
    /// What the field holds.
    pub kind: FieldKind,
    /// The page its widget sits on, 1-based.
    pub page: usize,
    /// The widget's rectangle `[x1, y1, x2, y2]` in points, origin at the page's bottom left;
    /// `None` makes the field invisible (`/Rect [0 0 0 0]`).
    pub rect: Option<[f32; 4]>,
}

/// Creates empty form fields in one incremental revision.
///
/// Each field is a widget annotation merged with its field dictionary, added to its page's
/// `/Annots` and to the catalog's `/AcroForm` `/Fields`; the form's `/SigFlags` becomes 3 when a
/// signature field is among them. Creating every field up front, before the first signature,
/// keeps later signatures from being seen as adding fields after signing (which pyHanko flags).
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted) for the input;
/// [`Error::InvalidRequest`] for an empty list, a bad name or rectangle;
/// [`Error::FieldExists`] for a name already in the form or given twice;
/// [`Error::NoSuchPage`]; [`Error::Unsignable`] for a file that cannot be updated
/// incrementally.
pub fn add_fields(bytes: &[u8], fields: &[FieldSpec], limits: &Limits) -> Result<Vec<u8>, Error> {
    load::guarded(|| add_fields_inner(bytes, None, fields, limits))
}

/// [`add_fields`] for an encrypted file opened with `password`; the new objects are encrypted
/// with the file's key.
///
/// # Errors
///
/// As [`add_fields`], and [`Error::WrongPassword`].
pub fn add_fields_with_password(
    bytes: &[u8],
    password: &str,
    fields: &[FieldSpec],
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    load::guarded(|| add_fields_inner(bytes, Some(password), fields, limits))
}

fn add_fields_inner(
    bytes: &[u8],
    password: Option<&str>,
    fields: &[FieldSpec],
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    if fields.is_empty() {
        return Err(Error::InvalidRequest {
            reason: "no fields to add",
        });
    }
    let mut revision = Revision::open(bytes, password, limits)?;
    let mut taken = form::fields(revision.document()).names;
    let mut new_fields = Vec::new();
    let mut changes = FormChanges::default();
    for spec in fields {
        form::check_new_name(&spec.name, &taken)?;
        taken.insert(spec.name.clone());
        let page = form::page(revision.document(), spec.page)?;
        let rect = form::rectangle(spec.rect)?;
        let appearance = match spec.rect {
            Some(_) => {
                let (width, height) = form::size(rect);
                Some(form::empty_appearance(&mut revision, width, height)?)
            }
            None => None,
        };
        let field = new_field(spec, page, rect, appearance);
        let id = revision.add(field)?;
        form::add_annotations(&mut revision, page, &[id])?;
        new_fields.push(id);
        match spec.kind {
            FieldKind::Signature => changes.signatures = true,
            FieldKind::Text => changes.text = true,
        }
    }
    form::update_form(&mut revision, &new_fields, changes)?;
    Ok(revision.finish()?.bytes)
}

/// A field dictionary merged with its widget annotation (ISO 32000-2 §12.7.4, §12.5.6.19).
///
/// An invisible widget gets no `/AP`: PDF/A-2 and -3 (ISO 19005-2 §6.3.3) exempt annotations
/// with a zero-area `/Rect`, and pyHanko counts an appearance as form filling, which would lift
/// a document timestamp above the `LTA_UPDATES` level.
fn new_field(
    spec: &FieldSpec,
    page: ObjectId,
    rect: [f32; 4],
    appearance: Option<ObjectId>,
) -> Dictionary {
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("T", form::text_string(&spec.name));
    field.set("Rect", form::rect_object(rect));
    field.set("P", Object::Reference(page));
    if let Some(appearance) = appearance {
        field.set("AP", form::appearance_dictionary(appearance));
    }
    match spec.kind {
        FieldKind::Signature => {
            field.set("FT", Object::Name(b"Sig".to_vec()));
            field.set("F", form::FLAG_PRINT_LOCKED);
        }
        FieldKind::Text => {
            field.set("FT", Object::Name(b"Tx".to_vec()));
            field.set("F", form::FLAG_PRINT);
            // ReadOnly (ISO 32000-2 Table 227): the value is written by this crate, not typed.
            field.set("Ff", 1);
            field.set(
                "DA",
                Object::String(b"/Helv 0 Tf 0 g".to_vec(), StringFormat::Literal),
            );
        }
    }
    field
}

/// Which signature field a signature goes into.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTarget<'a> {
    /// An empty signature field that already exists, by its fully qualified name; only its
    /// `/V` (and `/AP` when an appearance is given) change.
    Existing(&'a str),
    /// A signature field created in the same revision; its `kind` must be
    /// [`FieldKind::Signature`].
    New(FieldSpec),
}

/// What is being signed into the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// A PAdES signature: `/Type /Sig`, `/SubFilter /ETSI.CAdES.detached`, with `/M`.
    Signature,
    /// A PAdES document timestamp: `/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`; no `/M`,
    /// `/Name`, `/Reason` or `/Location` (the token carries the time).
    DocTimeStamp,
}

/// Everything [`prepare_signature`] needs besides the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureRequest<'a> {
    /// The field that receives the signature.
    pub field: FieldTarget<'a>,
    /// A signature or a document timestamp.
    pub kind: SignatureKind,
    /// Written as `/M` (PAdES puts no signing-time attribute in the CMS); ignored for a document
    /// timestamp.
    pub signing_time: Option<OffsetDateTime>,
    /// `/Name`: the signer's name.
    pub name: Option<&'a str>,
    /// `/Reason`.
    pub reason: Option<&'a str>,
    /// `/Location`.
    pub location: Option<&'a str>,
    /// What the widget shows; `None` leaves an existing field's appearance as it is, and gives
    /// a new visible field an empty one (a new invisible field has none). A new field needs a
    /// rectangle to take an appearance.
    pub appearance: Option<&'a Appearance>,
    /// The bytes reserved for the CMS structure (written as twice as many hex digits), at most
    /// [`MAX_CONTENTS_CAPACITY`].
    pub contents_capacity: usize,
}

/// Appends one revision holding a signature dictionary whose `/ByteRange` is final and whose
/// `/Contents` is a zero-filled placeholder of `request.contents_capacity` bytes.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted) for the input;
/// [`Error::NoSuchField`], [`Error::WrongFieldKind`] or [`Error::AlreadySigned`] for an
/// existing field; [`Error::FieldExists`], [`Error::NoSuchPage`] or
/// [`Error::InvalidRequest`] for a new one; appearance errors from rendering;
/// [`Error::Unsignable`] for a file that cannot be updated incrementally.
pub fn prepare_signature(
    bytes: &[u8],
    request: &SignatureRequest<'_>,
    limits: &Limits,
) -> Result<PreparedSignature, Error> {
    load::guarded(|| prepare_inner(bytes, None, request, limits))
}

/// [`prepare_signature`] for an encrypted file opened with `password`; the new objects are
/// encrypted with the file's key, except `/Contents`, which stays in clear (ISO 32000-2
/// §7.6.1).
///
/// # Errors
///
/// As [`prepare_signature`], and [`Error::WrongPassword`].
pub fn prepare_signature_with_password(
    bytes: &[u8],
    password: &str,
    request: &SignatureRequest<'_>,
    limits: &Limits,
) -> Result<PreparedSignature, Error> {
    load::guarded(|| prepare_inner(bytes, Some(password), request, limits))
}

fn prepare_inner(
    bytes: &[u8],
    password: Option<&str>,
    request: &SignatureRequest<'_>,
    limits: &Limits,
) -> Result<PreparedSignature, Error> {
    if request.contents_capacity == 0 || request.contents_capacity > MAX_CONTENTS_CAPACITY {
        return Err(Error::InvalidRequest {
            reason: "the room reserved for the signature must be between 1 byte and 1 MiB",
        });
    }
    let dictionary = signature_dictionary(request)?;
    let mut revision = Revision::open(bytes, password, limits)?;
    match &request.field {
        FieldTarget::Existing(name) => {
            let field = form::find(revision.document(), name)?;
            if field.field_type.as_deref() != Some(b"Sig".as_slice()) {
                return Err(Error::WrongFieldKind {
                    expected: "signature",
                });
            }
            if revision
                .document()
                .get_dictionary(field.id)
                .is_ok_and(|dictionary| dictionary.has(b"V"))
            {
                return Err(Error::AlreadySigned);
            }
            let signature = revision.add_signature(dictionary, request.contents_capacity)?;
            sign_existing_field(&mut revision, &field, signature, request.appearance)?;
            form::update_form(
                &mut revision,
                &[],
                FormChanges {
                    signatures: true,
                    text: false,
                },
            )?;
        }
        FieldTarget::New(spec) => {
            if spec.kind != FieldKind::Signature {
                return Err(Error::WrongFieldKind {
                    expected: "signature",
                });
            }
            let taken = form::fields(revision.document()).names;
            form::check_new_name(&spec.name, &taken)?;
            let page = form::page(revision.document(), spec.page)?;
            let rect = form::rectangle(spec.rect)?;
            let appearance = match (request.appearance, spec.rect) {
                (Some(_), None) => {
                    return Err(Error::InvalidRequest {
                        reason: "a visible appearance needs a field rectangle",
                    });
                }
                (Some(appearance), Some(_)) => Some(render(&mut revision, appearance)?),
                (None, Some(_)) => {
                    let (width, height) = form::size(rect);
                    Some(form::empty_appearance(&mut revision, width, height)?)
                }
                (None, None) => None,
            };
            let signature = revision.add_signature(dictionary, request.contents_capacity)?;
            let mut field = new_field(spec, page, rect, appearance);
            field.set("V", Object::Reference(signature));
            let id = revision.add(field)?;
            form::add_annotations(&mut revision, page, &[id])?;
            form::update_form(
                &mut revision,
                &[id],
                FormChanges {
                    signatures: true,
                    text: false,
                },
            )?;
        }
    }
    let written = revision.finish()?;
    let (start, end) = written.contents.ok_or(Error::Corrupt {
        reason: "an object cannot be written",
    })?;
    Ok(PreparedSignature {
        bytes: written.bytes,
        start,
        end,
    })
}

/// Sets `/V` of an existing signature field and, given an appearance, the `/AP` of its first
/// widget; nothing else of the field changes.
fn sign_existing_field(
    revision: &mut Revision<'_>,
    field: &Field,
    signature: ObjectId,
    appearance: Option<&Appearance>,
) -> Result<(), Error> {
    let mut dictionary = revision.dictionary(field.id)?;
    dictionary.set("V", Object::Reference(signature));
    if let Some(appearance) = appearance {
        let stream = render(revision, appearance)?;
        let widget = field.widgets.first().copied().unwrap_or(field.id);
        if widget == field.id {
            dictionary.set("AP", form::appearance_dictionary(stream));
        } else {
            let mut widget_dictionary = revision.dictionary(widget)?;
            widget_dictionary.set("AP", form::appearance_dictionary(stream));
            revision.set(widget, widget_dictionary);
        }
    }
    revision.set(field.id, dictionary);
    Ok(())
}

/// Renders `appearance` as a new form XObject of the revision.
fn render(revision: &mut Revision<'_>, appearance: &Appearance) -> Result<ObjectId, Error> {
    appearance::render_appearance(revision.document_mut(), appearance)
}

/// The signature dictionary without `/ByteRange` and `/Contents`, which the writer adds.
fn signature_dictionary(request: &SignatureRequest<'_>) -> Result<Dictionary, Error> {
    let mut dictionary = Dictionary::new();
    match request.kind {
        SignatureKind::Signature => {
            dictionary.set("Type", Object::Name(b"Sig".to_vec()));
            dictionary.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
            dictionary.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
            if let Some(time) = request.signing_time {
                dictionary.set(
                    "M",
                    Object::String(pdf_date(time)?.into_bytes(), StringFormat::Literal),
                );
            }
            for (key, value) in [
                ("Name", request.name),
                ("Reason", request.reason),
                ("Location", request.location),
            ] {
                if let Some(value) = value {
                    dictionary.set(key, form::text_string(value));
                }
            }
        }
        SignatureKind::DocTimeStamp => {
            dictionary.set("Type", Object::Name(b"DocTimeStamp".to_vec()));
            dictionary.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
            dictionary.set("SubFilter", Object::Name(b"ETSI.RFC3161".to_vec()));
        }
    }
    Ok(dictionary)
}

/// A PDF date string (ISO 32000-2 §7.9.4) such as `D:20250301093000+07'00'`, in the time's own
/// offset.
fn pdf_date(time: OffsetDateTime) -> Result<String, Error> {
    if !(0..=9999).contains(&time.year()) {
        return Err(Error::InvalidRequest {
            reason: "the signing time is outside the years 0 to 9999",
        });
    }
    let offset = time.offset();
    let sign = if offset.is_negative() { '-' } else { '+' };
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{:02}'{:02}'",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second(),
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs(),
    ))
}

/// A file with a signature placeholder: final `/ByteRange`, zero-filled `/Contents`.
///
/// Keep it between the two signing phases with [`PreparedSignature::into_bytes`] and
/// [`PreparedSignature::from_bytes`].
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedSignature {
    bytes: Vec<u8>,
    /// The offset of the `<` that opens the `/Contents` hex string.
    start: usize,
    /// The offset just after its `>`.
    end: usize,
}

// The bytes are a user's document: only the geometry is shown.
impl fmt::Debug for PreparedSignature {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PreparedSignature")
            .field("len", &self.bytes.len())
            .field("byte_range", &self.byte_range())
            .field("capacity", &self.capacity())
            .finish()
    }
}

impl PreparedSignature {
    /// The bytes the signature covers: the two `/ByteRange` slices, in order; their
    /// concatenation is what the CMS message digest is computed over.
    pub fn signed_bytes(&self) -> impl Iterator<Item = &[u8]> {
        [self.bytes.get(..self.start), self.bytes.get(self.end..)]
            .into_iter()
            .flatten()
    }

    /// The `/ByteRange` written in the file: `[0, start, end, len - end]`, where `start..end` is
    /// the `/Contents` hex string with its angle brackets.
    pub fn byte_range(&self) -> [usize; 4] {
        [
            0,
            self.start,
            self.end,
            self.bytes.len().saturating_sub(self.end),
        ]
    }

    /// The most bytes of CMS structure the placeholder holds.
    pub fn capacity(&self) -> usize {
        self.end.saturating_sub(self.start).saturating_sub(2) / 2
    }

    /// The whole prepared file, for storage between the two phases.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The whole prepared file, for storage between the two phases.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Finds the placeholder again in a file that [`prepare_signature`] wrote.
    ///
    /// # Errors
    ///
    /// [`Error::NotPrepared`] unless the file's last `/ByteRange` is `[0 a b c]` with `b + c`
    /// the file's length and `a..b` a hex string of zeros.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        let at = revision::find_last(&bytes, b"/ByteRange").ok_or(Error::NotPrepared)?;
        let rest = bytes.get(at + b"/ByteRange".len()..).unwrap_or_default();
        let [zero, start, end, after] = parse_byte_range(rest).ok_or(Error::NotPrepared)?;
        let hole = bytes.get(start..end).ok_or(Error::NotPrepared)?;
        let valid = zero == 0
            && end.checked_add(after) == Some(bytes.len())
            && hole.len() >= 4
            && hole.len() % 2 == 0
            && hole.first() == Some(&b'<')
            && hole.last() == Some(&b'>')
            && hole
                .get(1..hole.len() - 1)
                .is_some_and(|digits| digits.iter().all(|digit| *digit == b'0'));
        if !valid {
            return Err(Error::NotPrepared);
        }
        Ok(Self { bytes, start, end })
    }

    /// Writes `cms_der` into the placeholder, zero-padded, and returns the signed file.
    ///
    /// # Errors
    ///
    /// [`Error::SignatureTooLarge`] when `cms_der` is longer than [`Self::capacity`];
    /// [`Error::InvalidRequest`] when it is empty.
    pub fn embed(self, cms_der: &[u8]) -> Result<Vec<u8>, Error> {
        let capacity = self.capacity();
        if cms_der.len() > capacity {
            return Err(Error::SignatureTooLarge {
                needed: cms_der.len(),
                capacity,
            });
        }
        if cms_der.is_empty() {
            return Err(Error::InvalidRequest {
                reason: "the signature is empty",
            });
        }
        let mut bytes = self.bytes;
        let digits = bytes
            .get_mut(self.start + 1..self.end - 1)
            .ok_or(Error::NotPrepared)?;
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for (pair, byte) in digits.chunks_exact_mut(2).zip(cms_der) {
            if let [high, low] = pair {
                *high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
                *low = HEX.get(usize::from(byte & 0x0F)).copied().unwrap_or(b'0');
            }
        }
        Ok(bytes)
    }
}

/// Parses `[a b c d]` of non-negative integers after optional white space.
fn parse_byte_range(bytes: &[u8]) -> Option<[usize; 4]> {
    let mut rest = skip_white(bytes).strip_prefix(b"[")?;
    let mut numbers = [0_usize; 4];
    for number in &mut numbers {
        rest = skip_white(rest);
        let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
        if digits == 0 || digits > 15 {
            return None;
        }
        let (text, tail) = rest.split_at(digits);
        *number = std::str::from_utf8(text).ok()?.parse().ok()?;
        rest = tail;
    }
    skip_white(rest).strip_prefix(b"]").map(|_| numbers)
}

fn skip_white(bytes: &[u8]) -> &[u8] {
    let white = bytes
        .iter()
        .take_while(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0'))
        .count();
    bytes.get(white..).unwrap_or_default()
}

/// Fills the text field named `name` with `value` in one incremental revision: the field's `/V`
/// and a new `/AP /N` appearance stream that shows the value in embedded Liberation Serif at
/// `size` points (shrunk to fit the field's width).
///
/// Only the field (merged with its widget, or its widgets) and the new appearance objects are
/// written, which pyHanko's difference analysis accepts as form filling after a signature.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted) for the input;
/// [`Error::NoSuchField`]; [`Error::WrongFieldKind`] for a field that is not a text field;
/// [`Error::InvalidRequest`] for a size that is not a positive number or an overlong value;
/// appearance errors (such as [`Error::UnsupportedCharacter`]) from rendering.
pub fn fill_text_field(
    bytes: &[u8],
    name: &str,
    value: &str,
    size: f32,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    load::guarded(|| fill_inner(bytes, None, name, value, size, limits))
}

/// [`fill_text_field`] for an encrypted file opened with `password`.
///
/// # Errors
///
/// As [`fill_text_field`], and [`Error::WrongPassword`].
pub fn fill_text_field_with_password(
    bytes: &[u8],
    password: &str,
    name: &str,
    value: &str,
    size: f32,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    load::guarded(|| fill_inner(bytes, Some(password), name, value, size, limits))
}

fn fill_inner(
    bytes: &[u8],
    password: Option<&str>,
    name: &str,
    value: &str,
    size: f32,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    if !(size.is_finite() && size > 0.0 && size <= 200.0) {
        return Err(Error::InvalidRequest {
            reason: "the font size must be a positive number of points up to 200",
        });
    }
    if value.chars().count() > MAX_FIELD_TEXT {
        return Err(Error::InvalidRequest {
            reason: "the field text is longer than 1000 characters",
        });
    }
    let mut revision = Revision::open(bytes, password, limits)?;
    let field = form::find(revision.document(), name)?;
    if field.field_type.as_deref() != Some(b"Tx".as_slice()) {
        return Err(Error::WrongFieldKind { expected: "text" });
    }
    let mut field_dictionary = revision.dictionary(field.id)?;
    field_dictionary.set("V", form::text_string(value));
    for widget in &field.widgets {
        let mut widget_dictionary = if *widget == field.id {
            field_dictionary.clone()
        } else {
            revision.dictionary(*widget)?
        };
        let rect = form::widget_rect(&widget_dictionary).unwrap_or([0.0; 4]);
        let (width, height) = form::size(rect);
        let stream = render(&mut revision, &text_appearance(width, height, size, value))?;
        widget_dictionary.set("AP", form::appearance_dictionary(stream));
        if *widget == field.id {
            field_dictionary = widget_dictionary;
        } else {
            revision.set(*widget, widget_dictionary);
        }
    }
    revision.set(field.id, field_dictionary);
    Ok(revision.finish()?.bytes)
}

/// One line of text, left-aligned with a 2-point margin and centred vertically, shrunk to fit
/// the width.
fn text_appearance(width: f32, height: f32, size: f32, value: &str) -> Appearance {
    const MARGIN: f32 = 2.0;
    let natural = appearance::text_width(FontFace::Serif, size, value);
    let room = (width - 2.0 * MARGIN).max(1.0);
    let size = if natural > room {
        size * room / natural
    } else {
        size
    };
    // Liberation Serif's descender is about 0.22 em: centre the em box, then lift the baseline.
    let baseline = ((height - size) / 2.0).max(0.0) + 0.22 * size;
    let items = if value.is_empty() {
        Vec::new()
    } else {
        vec![AppearanceItem::Text {
            x: MARGIN,
            y: baseline,
            size,
            font: FontFace::Serif,
            color: Rgb(0.0, 0.0, 0.0),
            text: value.to_owned(),
        }]
    };
    Appearance {
        width,
        height,
        items,
    }
}

/// A signature found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedSignature {
    /// The signature field's fully qualified name.
    pub field_name: String,
    /// `/SubFilter`, such as `ETSI.CAdES.detached` or `ETSI.RFC3161`.
    pub sub_filter: String,
    /// `/ByteRange`.
    pub byte_range: [usize; 4],
    /// `/Contents`: the CMS structure (DER), with the zero padding after it removed.
    pub contents: Vec<u8>,
    /// Whether it is a document timestamp (`/Type /DocTimeStamp` or `/SubFilter
    /// /ETSI.RFC3161`).
    pub is_doc_timestamp: bool,
    /// `/M`, the claimed signing time, as the PDF date string it is written as.
    pub signing_time: Option<String>,
    /// Whether the `/ByteRange` has the only shape a sound signature has: it starts at 0, its
    /// gap is exactly this dictionary's `/Contents` hex string (brackets included), and it ends
    /// within the file at an `%%EOF` (the end of the revision that added the signature).
    /// A validator must reject a signature where this is `false`.
    pub byte_range_valid: bool,
    /// For a certification signature, its DocMDP permission level `/P` (1, 2 or 3); `None` for an
    /// approval signature.
    pub docmdp_permission: Option<u8>,
}

/// The fully qualified names of the file's signature fields, signed or not, in form order.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted).
pub fn signature_fields(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, Error> {
    load::guarded(|| {
        let document = load::load_untrusted(bytes, limits)?.into_document();
        Ok(signature_field_names(&document))
    })
}

/// [`signature_fields`] for an encrypted file opened with `password`.
///
/// # Errors
///
/// The errors of [`load_untrusted_with_password`](crate::load_untrusted_with_password).
pub fn signature_fields_with_password(
    bytes: &[u8],
    password: &str,
    limits: &Limits,
) -> Result<Vec<String>, Error> {
    load::guarded(|| {
        let document = load::load_untrusted_with_password(bytes, password, limits)?.into_document();
        Ok(signature_field_names(&document))
    })
}

fn signature_field_names(document: &lopdf::Document) -> Vec<String> {
    {
        form::fields(document)
            .terminal
            .into_iter()
            .filter(|field| field.field_type.as_deref() == Some(b"Sig".as_slice()))
            .map(|field| field.name)
            .collect()
    }
}

/// Lists the signatures in the file: every terminal signature field with a value, in the order
/// their revisions were appended.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted).
pub fn signatures(bytes: &[u8], limits: &Limits) -> Result<Vec<EmbeddedSignature>, Error> {
    load::guarded(|| {
        let document = load::load_untrusted(bytes, limits)?.into_document();
        Ok(signatures_in(bytes, &document))
    })
}

/// [`signatures`] for an encrypted file opened with `password`.
///
/// # Errors
///
/// As [`signatures`], and [`Error::WrongPassword`].
pub fn signatures_with_password(
    bytes: &[u8],
    password: &str,
    limits: &Limits,
) -> Result<Vec<EmbeddedSignature>, Error> {
    load::guarded(|| {
        let document = load::load_untrusted_with_password(bytes, password, limits)?.into_document();
        Ok(signatures_in(bytes, &document))
    })
}

pub(crate) fn signatures_in(bytes: &[u8], document: &Document) -> Vec<EmbeddedSignature> {
    let mut found: Vec<EmbeddedSignature> = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    for field in form::fields(document).terminal {
        if field.field_type.as_deref() != Some(b"Sig".as_slice()) {
            continue;
        }
        let Ok(field_dictionary) = document.get_dictionary(field.id) else {
            continue;
        };
        let signature = match field_dictionary.get(b"V") {
            Ok(Object::Reference(id)) => {
                if !seen.insert(*id) {
                    continue;
                }
                document.get_dictionary(*id).ok()
            }
            Ok(Object::Dictionary(dictionary)) => Some(dictionary),
            _ => None,
        };
        if let Some(signature) = signature {
            let mut embedded = read_signature(bytes, field.name, signature);
            embedded.docmdp_permission = docmdp_permission(document, signature);
            found.push(embedded);
        }
    }
    found.sort_by_key(|signature| signature.byte_range[1]);
    found
}

fn read_signature(bytes: &[u8], field_name: String, signature: &Dictionary) -> EmbeddedSignature {
    let name = |key: &[u8]| {
        signature
            .get(key)
            .and_then(Object::as_name)
            .ok()
            .map(|name| String::from_utf8_lossy(name).into_owned())
    };
    let sub_filter = name(b"SubFilter").unwrap_or_default();
    let is_doc_timestamp =
        name(b"Type").as_deref() == Some("DocTimeStamp") || sub_filter == "ETSI.RFC3161";
    let raw_contents = signature
        .get(b"Contents")
        .and_then(Object::as_str)
        .unwrap_or_default();
    let byte_range = signature
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .ok()
        .and_then(|values| {
            let numbers: Vec<usize> = values
                .iter()
                .filter_map(|value| value.as_i64().ok())
                .filter_map(|value| usize::try_from(value).ok())
                .collect();
            <[usize; 4]>::try_from(numbers).ok()
        });
    let byte_range_valid =
        byte_range.is_some_and(|range| range_is_sound(bytes, range, raw_contents));
    EmbeddedSignature {
        field_name,
        sub_filter,
        byte_range: byte_range.unwrap_or_default(),
        contents: trim_der(raw_contents).to_vec(),
        is_doc_timestamp,
        signing_time: signature.get(b"M").ok().map(form::text),
        byte_range_valid,
        docmdp_permission: None,
    }
}

/// The `/P` of a certification signature's DocMDP transform (ISO 32000-2 §12.8.2.2): 1 no changes,
/// 2 form filling and signing, 3 also annotations. `None` for an approval signature.
fn docmdp_permission(document: &Document, signature: &Dictionary) -> Option<u8> {
    fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
        match object {
            Object::Reference(id) => document.get_object(*id).ok(),
            other => Some(other),
        }
    }
    let resolve = |object| resolve(document, object);
    let references = resolve(signature.get(b"Reference").ok()?)?
        .as_array()
        .ok()?;
    references
        .iter()
        .filter_map(|reference| resolve(reference)?.as_dict().ok())
        .find_map(|reference| {
            let method = reference
                .get(b"TransformMethod")
                .and_then(Object::as_name)
                .ok()?;
            if method != b"DocMDP" {
                return None;
            }
            let permission = reference
                .get(b"TransformParams")
                .ok()
                .and_then(|params| resolve(params)?.as_dict().ok())
                .and_then(|params| params.get(b"P").and_then(Object::as_i64).ok())
                .unwrap_or(2);
            u8::try_from(permission.clamp(1, 3)).ok()
        })
}

/// Whether `[0 a b c]` leaves out exactly the hex string of `contents` and ends at an `%%EOF`.
fn range_is_sound(bytes: &[u8], [zero, start, end, after]: [usize; 4], contents: &[u8]) -> bool {
    let Some(revision_end) = end.checked_add(after) else {
        return false;
    };
    if zero != 0 || start >= end || revision_end > bytes.len() {
        return false;
    }
    let Some(revision) = bytes.get(..revision_end) else {
        return false;
    };
    let trimmed = revision
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .and_then(|last| revision.get(..=last))
        .unwrap_or_default();
    if !trimmed.ends_with(b"%%EOF") {
        return false;
    }
    bytes
        .get(start..end)
        .and_then(|hole| hole.strip_prefix(b"<"))
        .and_then(|hole| hole.strip_suffix(b">"))
        .and_then(decode_hex)
        .is_some_and(|decoded| decoded == contents)
}

/// Decodes hex digits, ignoring white space (ISO 32000-2 §7.3.4.3); an odd final digit counts
/// as followed by 0.
fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    let mut nibbles = Vec::with_capacity(digits.len());
    for digit in digits {
        match digit {
            b'0'..=b'9' => nibbles.push(digit - b'0'),
            b'a'..=b'f' => nibbles.push(digit - b'a' + 10),
            b'A'..=b'F' => nibbles.push(digit - b'A' + 10),
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0' => {}
            _ => return None,
        }
    }
    Some(
        nibbles
            .chunks(2)
            .map(|pair| match pair {
                [high, low] => (high << 4) | low,
                [high] => high << 4,
                _ => 0,
            })
            .collect(),
    )
}

/// The CMS structure at the start of `contents`, cut at the length its outer DER header gives
/// (X.690 §8.1.3), which removes the placeholder's zero padding exactly.
///
/// An indefinite-length (BER) structure is returned whole, since its end-of-contents octets
/// are zeros themselves; contents that are not a SEQUENCE lose only their trailing zeros.
fn trim_der(contents: &[u8]) -> &[u8] {
    let strip_zeros = || {
        let end = contents
            .iter()
            .rposition(|byte| *byte != 0)
            .map_or(0, |last| last + 1);
        contents.get(..end).unwrap_or_default()
    };
    let Some((&0x30, rest)) = contents.split_first() else {
        return strip_zeros();
    };
    let Some((&first, rest)) = rest.split_first() else {
        return contents;
    };
    let (length, header) = match first {
        0x80 => return contents,
        short if short < 0x80 => (usize::from(short), 2),
        long => {
            let count = usize::from(long & 0x7F);
            let Some(octets) = rest.get(..count).filter(|_| count <= 8) else {
                return contents;
            };
            let length = octets
                .iter()
                .fold(0_u64, |length, octet| (length << 8) | u64::from(*octet));
            let Ok(length) = usize::try_from(length) else {
                return contents;
            };
            (length, 2 + count)
        }
    };
    header
        .checked_add(length)
        .and_then(|total| contents.get(..total))
        .unwrap_or(contents)
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own outputs and fail loudly; the crate-level denial guards input"
)]
mod tests {
    use std::sync::LazyLock;

    use lopdf::Document;
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::fixtures::{
        classic_pdf, encrypted_pdf, fake_cms, limits, modern_pdf, pdftotext, qpdf_check,
    };

    const CAPACITY: usize = 8192;

    fn field(name: &str, kind: FieldKind, rect: Option<[f32; 4]>) -> FieldSpec {
        FieldSpec {
            name: name.to_owned(),
            kind,
            page: 1,
            rect,
        }
    }

    fn request(target: FieldTarget<'_>) -> SignatureRequest<'_> {
        SignatureRequest {
            field: target,
            kind: SignatureKind::Signature,
            signing_time: Some(datetime!(2025-03-01 09:30:00 +07:00)),
            name: Some("Nguyễn Văn An"),
            reason: Some("Phê duyệt"),
            location: Some("Hanoi"),
            appearance: None,
            contents_capacity: CAPACITY,
        }
    }

    fn new_invisible(name: &str) -> FieldTarget<'static> {
        FieldTarget::New(field(name, FieldKind::Signature, None))
    }

    fn sign(bytes: &[u8], request: &SignatureRequest<'_>, cms: &[u8]) -> Vec<u8> {
        prepare_signature(bytes, request, &limits())
            .unwrap()
            .embed(cms)
            .unwrap()
    }

    /// The checks every signed output must pass: the input is a verbatim prefix, the byte
    /// range leaves out exactly the `/Contents` hex string, and qpdf finds nothing wrong.
    #[track_caller]
    fn check_prepared(input: &[u8], prepared: &PreparedSignature) {
        let bytes = prepared.to_bytes();
        assert_eq!(&bytes[..input.len()], input, "the input is not a prefix");
        let [zero, start, end, after] = prepared.byte_range();
        assert_eq!(zero, 0);
        assert!(start > input.len(), "the hole is inside the original bytes");
        assert_eq!(end + after, bytes.len());
        assert_eq!(bytes[start], b'<');
        assert_eq!(bytes[end - 1], b'>');
        assert!(bytes[start + 1..end - 1].iter().all(|digit| *digit == b'0'));
        assert_eq!(end - start - 2, 2 * prepared.capacity());
        assert!(bytes[..start].ends_with(b"/Contents "));
        let written = format!("/ByteRange [0 {start} {end} {after}]");
        assert!(
            String::from_utf8_lossy(&bytes[input.len()..]).contains(&written),
            "{written} is not in the file"
        );
        let signed: Vec<u8> = prepared.signed_bytes().flatten().copied().collect();
        assert_eq!(signed.len(), bytes.len() - (end - start));
        assert_eq!(&signed[..start], &bytes[..start]);
        assert_eq!(&signed[start..], &bytes[end..]);
        qpdf_check(&bytes, None);
    }

    #[test]
    fn signs_a_classic_file_into_a_new_invisible_field() {
        let input = classic_pdf(&["Quyết định"]);
        let prepared =
            prepare_signature(&input, &request(new_invisible("Sig1")), &limits()).unwrap();
        check_prepared(&input, &prepared);
        let tail = prepared.to_bytes()[input.len()..].to_vec();
        assert!(
            tail.windows(6).any(|window| window == b"\nxref\n"),
            "no xref table"
        );
        assert!(!tail.windows(9).any(|window| window == b"/Type/XRef"));

        let cms = fake_cms(3000, 1);
        let signed = prepared.embed(&cms).unwrap();
        qpdf_check(&signed, None);
        let found = signatures(&signed, &limits()).unwrap();
        assert_eq!(found.len(), 1);
        let signature = &found[0];
        assert_eq!(signature.field_name, "Sig1");
        assert_eq!(signature.sub_filter, "ETSI.CAdES.detached");
        assert_eq!(signature.contents, cms);
        assert!(!signature.is_doc_timestamp);
        assert!(signature.byte_range_valid);
        assert_eq!(
            signature.signing_time.as_deref(),
            Some("D:20250301093000+07'00'")
        );
        let summary = crate::inspect_untrusted(&signed, &limits()).unwrap();
        assert_eq!(summary.signature_field_count, 1);
        assert!(!summary.has_xref_stream);
    }

    #[test]
    fn signs_a_file_with_object_and_cross_reference_streams() {
        let input = modern_pdf(&["one", "two"]);
        let mut request = request(FieldTarget::New(FieldSpec {
            page: 2,
            ..field("Sig1", FieldKind::Signature, None)
        }));
        request.signing_time = Some(datetime!(2025-03-01 02:30:00 UTC));
        let prepared = prepare_signature(&input, &request, &limits()).unwrap();
        check_prepared(&input, &prepared);
        let tail = prepared.to_bytes()[input.len()..].to_vec();
        assert!(tail.windows(10).any(|window| window == b"/Type/XRef"));
        assert!(!tail.windows(6).any(|window| window == b"\nxref\n"));

        let cms = fake_cms(5000, 2);
        let signed = prepared.embed(&cms).unwrap();
        qpdf_check(&signed, None);
        let summary = crate::inspect_untrusted(&signed, &limits()).unwrap();
        assert!(summary.has_xref_stream);
        assert!(!summary.xref_repaired);
        let found = signatures(&signed, &limits()).unwrap();
        assert_eq!(found[0].contents, cms);
        assert_eq!(
            found[0].signing_time.as_deref(),
            Some("D:20250301023000+00'00'")
        );
        // The widget sits on page 2.
        let document = Document::load_mem(&signed).unwrap();
        let page_two = document.page_iter().nth(1).unwrap();
        let annots = document
            .get_dictionary(page_two)
            .unwrap()
            .get(b"Annots")
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(annots.len(), 1);
    }

    #[test]
    fn writes_the_signature_dictionary_of_pades() {
        let input = classic_pdf(&["x"]);
        let signed = sign(&input, &request(new_invisible("Sig1")), &fake_cms(100, 3));
        let document = Document::load_mem(&signed).unwrap();
        let catalog = document.catalog().unwrap();
        let form = catalog
            .get_deref(b"AcroForm", &document)
            .unwrap()
            .as_dict()
            .unwrap();
        assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
        let fields = form.get(b"Fields").unwrap().as_array().unwrap();
        let field = document
            .get_dictionary(fields[0].as_reference().unwrap())
            .unwrap();
        assert_eq!(field.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
        assert_eq!(field.get(b"F").unwrap().as_i64().unwrap(), 132);
        let rect: Vec<f32> = field
            .get(b"Rect")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_float().unwrap())
            .collect();
        assert_eq!(rect, [0.0; 4]);
        assert!(field.get(b"P").unwrap().as_reference().is_ok());
        assert!(!field.has(b"AP"), "an invisible widget has no appearance");
        let signature = document
            .get_dictionary(field.get(b"V").unwrap().as_reference().unwrap())
            .unwrap();
        assert_eq!(signature.get(b"Type").unwrap().as_name().unwrap(), b"Sig");
        assert_eq!(
            signature.get(b"Filter").unwrap().as_name().unwrap(),
            b"Adobe.PPKLite"
        );
        assert_eq!(
            lopdf::decode_text_string(signature.get(b"Name").unwrap()).unwrap(),
            "Nguyễn Văn An"
        );
        assert!(
            signature
                .get(b"Reason")
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with(b"\xFE\xFF"),
            "non-ASCII text is UTF-16BE with a byte order mark"
        );
        assert_eq!(
            signature.get(b"Location").unwrap().as_str().unwrap(),
            b"Hanoi"
        );
    }

    #[test]
    fn writes_a_document_timestamp() {
        let input = modern_pdf(&["x"]);
        let request = SignatureRequest {
            kind: SignatureKind::DocTimeStamp,
            name: None,
            reason: None,
            location: None,
            ..request(new_invisible("Timestamp1"))
        };
        let prepared = prepare_signature(&input, &request, &limits()).unwrap();
        check_prepared(&input, &prepared);
        let signed = prepared.embed(&fake_cms(2000, 4)).unwrap();
        let found = signatures(&signed, &limits()).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].is_doc_timestamp);
        assert_eq!(found[0].sub_filter, "ETSI.RFC3161");
        assert_eq!(found[0].signing_time, None);
        let tail = String::from_utf8_lossy(&signed[input.len()..]).into_owned();
        assert!(tail.contains("/Type/DocTimeStamp"), "{tail}");
    }

    #[test]
    fn survives_the_two_phase_round_trip() {
        let input = classic_pdf(&["x"]);
        let prepared =
            prepare_signature(&input, &request(new_invisible("Sig1")), &limits()).unwrap();
        let byte_range = prepared.byte_range();
        let cms = fake_cms(1234, 5);
        let direct = prepared.clone().embed(&cms).unwrap();
        let stored = prepared.into_bytes();
        let restored = PreparedSignature::from_bytes(stored.clone()).unwrap();
        assert_eq!(restored.byte_range(), byte_range);
        assert_eq!(restored.capacity(), CAPACITY);
        assert_eq!(restored.embed(&cms).unwrap(), direct);

        // Signed files and plain ones hold no placeholder.
        assert_eq!(
            PreparedSignature::from_bytes(direct).unwrap_err(),
            Error::NotPrepared
        );
        assert_eq!(
            PreparedSignature::from_bytes(input).unwrap_err(),
            Error::NotPrepared
        );
        let mut grown = stored;
        grown.push(b'\n');
        assert_eq!(
            PreparedSignature::from_bytes(grown).unwrap_err(),
            Error::NotPrepared
        );
    }

    #[test]
    fn refuses_a_signature_larger_than_the_room_reserved() {
        let input = classic_pdf(&["x"]);
        let prepared =
            prepare_signature(&input, &request(new_invisible("Sig1")), &limits()).unwrap();
        assert_eq!(
            prepared
                .clone()
                .embed(&fake_cms(CAPACITY + 1, 6))
                .unwrap_err(),
            Error::SignatureTooLarge {
                needed: CAPACITY + 1,
                capacity: CAPACITY
            }
        );
        assert!(prepared.clone().embed(&fake_cms(CAPACITY, 6)).is_ok());
        assert!(matches!(
            prepared.embed(&[]),
            Err(Error::InvalidRequest { .. })
        ));
        let mut request = request(new_invisible("Sig1"));
        for capacity in [0, MAX_CONTENTS_CAPACITY + 1] {
            request.contents_capacity = capacity;
            assert!(matches!(
                prepare_signature(&input, &request, &limits()),
                Err(Error::InvalidRequest { .. })
            ));
        }
    }

    /// The Decree 30 flow: both signature fields and the number field created up front, the
    /// leader signs, the number is written, the agency signs.
    #[test]
    fn signs_twice_into_fields_created_up_front() {
        let input = classic_pdf(&["Công văn"]);
        let draft = add_fields(
            &input,
            &[
                field(
                    "Leader",
                    FieldKind::Signature,
                    Some([350.0, 100.0, 550.0, 180.0]),
                ),
                field(
                    "Agency",
                    FieldKind::Signature,
                    Some([300.0, 90.0, 420.0, 190.0]),
                ),
                field("Number", FieldKind::Text, Some([72.0, 760.0, 272.0, 780.0])),
            ],
            &limits(),
        )
        .unwrap();
        assert_eq!(&draft[..input.len()], input.as_slice());
        qpdf_check(&draft, None);
        assert_eq!(
            crate::inspect_untrusted(&draft, &limits())
                .unwrap()
                .signature_field_count,
            2
        );
        assert!(signatures(&draft, &limits()).unwrap().is_empty());

        let leader_cms = fake_cms(4000, 7);
        let prepared =
            prepare_signature(&draft, &request(FieldTarget::Existing("Leader")), &limits())
                .unwrap();
        check_prepared(&draft, &prepared);
        let first = prepared.embed(&leader_cms).unwrap();
        let first_range = signatures(&first, &limits()).unwrap()[0].byte_range;

        let numbered =
            fill_text_field(&first, "Number", "Số: 12/QĐ-UBND", 12.0, &limits()).unwrap();
        assert_eq!(&numbered[..first.len()], first.as_slice());
        qpdf_check(&numbered, None);
        assert!(pdftotext(&numbered).contains("Số: 12/QĐ-UBND"));

        let agency_cms = fake_cms(6000, 8);
        let second = sign(
            &numbered,
            &request(FieldTarget::Existing("Agency")),
            &agency_cms,
        );
        assert_eq!(&second[..numbered.len()], numbered.as_slice());
        qpdf_check(&second, None);
        let found = signatures(&second, &limits()).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].field_name, "Leader");
        assert_eq!(found[0].byte_range, first_range);
        assert_eq!(found[0].contents, leader_cms);
        assert!(found[0].byte_range_valid);
        assert_eq!(found[1].field_name, "Agency");
        assert_eq!(found[1].contents, agency_cms);
        assert!(found[1].byte_range_valid);
        assert_eq!(
            found[1].byte_range[2] + found[1].byte_range[3],
            second.len()
        );

        assert_eq!(
            signature_fields(&second, &limits()).unwrap(),
            ["Leader", "Agency"]
        );
        assert_eq!(
            signature_fields(&draft, &limits()).unwrap(),
            ["Leader", "Agency"]
        );

        // The existing fields were reused, not recreated: the form still has three.
        let document = Document::load_mem(&second).unwrap();
        let form = document
            .catalog()
            .unwrap()
            .get_deref(b"AcroForm", &document)
            .unwrap()
            .as_dict()
            .unwrap();
        assert_eq!(form.get(b"Fields").unwrap().as_array().unwrap().len(), 3);
    }

    #[test]
    fn signing_an_existing_field_changes_only_its_value() {
        let draft = add_fields(
            &modern_pdf(&["x"]),
            &[field("Leader", FieldKind::Signature, None)],
            &limits(),
        )
        .unwrap();
        let before = Document::load_mem(&draft).unwrap();
        let leader = crate::form::find(&before, "Leader").unwrap();
        let signed = sign(
            &draft,
            &request(FieldTarget::Existing("Leader")),
            &fake_cms(300, 9),
        );
        let after = Document::load_mem(&signed).unwrap();
        let mut old = before.get_dictionary(leader.id).unwrap().clone();
        let mut new = after.get_dictionary(leader.id).unwrap().clone();
        assert!(new.remove(b"V").is_some());
        old.remove(b"V");
        assert_eq!(old, new);
        // Only the field and the signature dictionary are written, plus the xref stream.
        let tail = String::from_utf8_lossy(&signed[draft.len()..]).into_owned();
        assert_eq!(tail.matches(" obj\n").count(), 3, "{tail}");
    }

    #[test]
    fn refuses_unusable_field_targets() {
        let draft = add_fields(
            &classic_pdf(&["x"]),
            &[
                field("Leader", FieldKind::Signature, None),
                field("Number", FieldKind::Text, Some([0.0, 0.0, 100.0, 20.0])),
            ],
            &limits(),
        )
        .unwrap();
        let prepare = |target| prepare_signature(&draft, &request(target), &limits());
        assert_eq!(
            prepare(FieldTarget::Existing("Nobody")).unwrap_err(),
            Error::NoSuchField
        );
        assert_eq!(
            prepare(FieldTarget::Existing("Number")).unwrap_err(),
            Error::WrongFieldKind {
                expected: "signature"
            }
        );
        assert_eq!(
            prepare(new_invisible("Leader")).unwrap_err(),
            Error::FieldExists
        );
        assert_eq!(
            prepare(FieldTarget::New(field("Text", FieldKind::Text, None))).unwrap_err(),
            Error::WrongFieldKind {
                expected: "signature"
            }
        );
        assert_eq!(
            prepare(FieldTarget::New(FieldSpec {
                page: 2,
                ..field("Other", FieldKind::Signature, None)
            }))
            .unwrap_err(),
            Error::NoSuchPage {
                page: 2,
                page_count: 1
            }
        );
        for name in ["", "a.b"] {
            assert!(matches!(
                prepare(new_invisible(name)),
                Err(Error::InvalidRequest { .. })
            ));
        }
        assert!(matches!(
            prepare(FieldTarget::New(field(
                "Sig",
                FieldKind::Signature,
                Some([f32::NAN, 0.0, 1.0, 1.0])
            ))),
            Err(Error::InvalidRequest { .. })
        ));
        let signed = sign(
            &draft,
            &request(FieldTarget::Existing("Leader")),
            &fake_cms(100, 10),
        );
        assert_eq!(
            prepare_signature(
                &signed,
                &request(FieldTarget::Existing("Leader")),
                &limits()
            )
            .unwrap_err(),
            Error::AlreadySigned
        );
        assert_eq!(
            fill_text_field(&draft, "Leader", "1", 12.0, &limits()).unwrap_err(),
            Error::WrongFieldKind { expected: "text" }
        );
        assert_eq!(
            fill_text_field(&draft, "Nobody", "1", 12.0, &limits()).unwrap_err(),
            Error::NoSuchField
        );
        assert_eq!(
            add_fields(&draft, &[field("Number", FieldKind::Text, None)], &limits()).unwrap_err(),
            Error::FieldExists
        );
        assert_eq!(
            add_fields(
                &draft,
                &[
                    field("A", FieldKind::Text, None),
                    field("A", FieldKind::Signature, None)
                ],
                &limits()
            )
            .unwrap_err(),
            Error::FieldExists
        );
        assert!(matches!(
            add_fields(&draft, &[], &limits()),
            Err(Error::InvalidRequest { .. })
        ));
    }

    #[test]
    fn fills_a_text_field_with_only_its_value_and_appearance() {
        let draft = add_fields(
            &modern_pdf(&["x"]),
            &[field(
                "Number",
                FieldKind::Text,
                Some([72.0, 760.0, 272.0, 780.0]),
            )],
            &limits(),
        )
        .unwrap();
        qpdf_check(&draft, None);
        let filled = fill_text_field(&draft, "Number", "Số 7/UBND-VP", 11.0, &limits()).unwrap();
        assert_eq!(&filled[..draft.len()], draft.as_slice());
        qpdf_check(&filled, None);
        assert!(pdftotext(&filled).contains("Số 7/UBND-VP"));
        let before = Document::load_mem(&draft).unwrap();
        let after = Document::load_mem(&filled).unwrap();
        let number = crate::form::find(&after, "Number").unwrap();
        let mut old = before.get_dictionary(number.id).unwrap().clone();
        let mut new = after.get_dictionary(number.id).unwrap().clone();
        assert_eq!(
            lopdf::decode_text_string(new.get(b"V").unwrap()).unwrap(),
            "Số 7/UBND-VP"
        );
        let old_ap = old.remove(b"AP").unwrap();
        let new_ap = new.remove(b"AP").unwrap();
        assert_ne!(old_ap, new_ap);
        new.remove(b"V");
        assert_eq!(old, new, "only /V and /AP change");
        assert!(matches!(
            fill_text_field(&draft, "Number", "1", 0.0, &limits()),
            Err(Error::InvalidRequest { .. })
        ));
    }

    #[test]
    fn renders_a_visible_signature_appearance() {
        let input = classic_pdf(&["x"]);
        let appearance = Appearance {
            width: 200.0,
            height: 80.0,
            items: vec![AppearanceItem::Text {
                x: 5.0,
                y: 40.0,
                size: 10.0,
                font: FontFace::SerifBold,
                color: Rgb(0.8, 0.0, 0.0),
                text: "Ký bởi: Nguyễn Văn An".to_owned(),
            }],
        };
        let mut request = request(FieldTarget::New(field(
            "Sig1",
            FieldKind::Signature,
            Some([350.0, 100.0, 550.0, 180.0]),
        )));
        request.appearance = Some(&appearance);
        let prepared = prepare_signature(&input, &request, &limits()).unwrap();
        check_prepared(&input, &prepared);
        let signed = prepared.embed(&fake_cms(100, 11)).unwrap();
        assert!(pdftotext(&signed).contains("Ký bởi: Nguyễn Văn An"));

        // Into an existing visible field too.
        let draft = add_fields(
            &input,
            &[field(
                "Leader",
                FieldKind::Signature,
                Some([350.0, 100.0, 550.0, 180.0]),
            )],
            &limits(),
        )
        .unwrap();
        request.field = FieldTarget::Existing("Leader");
        let prepared = prepare_signature(&draft, &request, &limits()).unwrap();
        check_prepared(&draft, &prepared);
        let signed = prepared.embed(&fake_cms(100, 12)).unwrap();
        assert!(pdftotext(&signed).contains("Ký bởi: Nguyễn Văn An"));

        request.field = new_invisible("Sig2");
        assert!(matches!(
            prepare_signature(&input, &request, &limits()),
            Err(Error::InvalidRequest { .. })
        ));
    }

    #[test]
    fn signs_encrypted_files_opened_with_their_password() {
        for aes in [false, true] {
            let input = encrypted_pdf(aes);
            let request = request(new_invisible("Sig1"));
            assert_eq!(
                prepare_signature(&input, &request, &limits()).unwrap_err(),
                Error::Encrypted
            );
            assert_eq!(
                prepare_signature_with_password(&input, "guess", &request, &limits()).unwrap_err(),
                Error::WrongPassword
            );
            let prepared =
                prepare_signature_with_password(&input, "user", &request, &limits()).unwrap();
            let bytes = prepared.to_bytes();
            assert_eq!(&bytes[..input.len()], input.as_slice());
            let cms = fake_cms(2500, 13);
            let signed = prepared.embed(&cms).unwrap();
            qpdf_check(&signed, Some("user"));
            let found = signatures_with_password(&signed, "user", &limits()).unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].field_name, "Sig1");
            assert_eq!(found[0].contents, cms);
            assert!(found[0].byte_range_valid);
            assert_eq!(
                found[0].signing_time.as_deref(),
                Some("D:20250301093000+07'00'")
            );
            // The strings of the new objects are encrypted, /Contents is not.
            let tail = &signed[input.len()..];
            assert!(!tail.windows(5).any(|window| window == b"Hanoi"));
            let options = lopdf::LoadOptions {
                password: Some("user".to_owned()),
                ..lopdf::LoadOptions::default()
            };
            let document = Document::load_mem_with_options(&signed, options).unwrap();
            let signature = crate::form::find(&document, "Sig1").unwrap();
            let value = document
                .get_dictionary(signature.id)
                .unwrap()
                .get(b"V")
                .unwrap()
                .as_reference()
                .unwrap();
            let signature = document.get_dictionary(value).unwrap();
            assert_eq!(
                signature.get(b"Location").unwrap().as_str().unwrap(),
                b"Hanoi"
            );

            let filled = add_fields_with_password(
                &signed,
                "user",
                &[field(
                    "Number",
                    FieldKind::Text,
                    Some([0.0, 0.0, 100.0, 20.0]),
                )],
                &limits(),
            )
            .unwrap();
            let filled =
                fill_text_field_with_password(&filled, "user", "Number", "Số 1", 10.0, &limits())
                    .unwrap();
            qpdf_check(&filled, Some("user"));
        }
    }

    /// Files signed by pyHanko (test_data/README.md): signing again appends, and pyHanko's
    /// signature keeps its bytes and its byte range.
    #[test]
    fn signs_files_already_signed_by_another_tool() {
        for input in [
            include_bytes!("../test_data/pyhanko-signed-classic.pdf").as_slice(),
            include_bytes!("../test_data/pyhanko-signed-modern.pdf").as_slice(),
        ] {
            let before = signatures(input, &limits()).unwrap();
            assert_eq!(before.len(), 1);
            let theirs = &before[0];
            assert_eq!(theirs.field_name, "PyHankoSig");
            assert!(theirs.byte_range_valid);
            assert_eq!(theirs.byte_range[2] + theirs.byte_range[3], input.len());
            // The zero padding is cut where the DER length says the CMS ends.
            let declared =
                usize::from(u16::from_be_bytes([theirs.contents[2], theirs.contents[3]]));
            assert_eq!(&theirs.contents[..2], &[0x30, 0x82]);
            assert_eq!(theirs.contents.len(), declared + 4);

            let prepared =
                prepare_signature(input, &request(new_invisible("Vanthu")), &limits()).unwrap();
            check_prepared(input, &prepared);
            let cms = fake_cms(3000, 15);
            let signed = prepared.embed(&cms).unwrap();
            let after = signatures(&signed, &limits()).unwrap();
            assert_eq!(after.len(), 2);
            assert_eq!(after[0], before[0]);
            assert_eq!(after[1].field_name, "Vanthu");
            assert_eq!(after[1].contents, cms);
        }
    }

    #[test]
    fn refuses_a_hybrid_reference_file() {
        let input = classic_pdf(&["x"]);
        let text = String::from_utf8_lossy(&input).into_owned();
        let hybrid = text.replacen("trailer\n<<", "trailer\n<</XRefStm 9 ", 1);
        let result = prepare_signature(hybrid.as_bytes(), &request(new_invisible("S")), &limits());
        assert!(
            matches!(result, Err(Error::Unsignable { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn refuses_a_file_with_a_repaired_cross_reference_table() {
        let mut input = classic_pdf(&["x"]);
        // Point startxref somewhere wrong; lopdf repairs the file, other readers might not.
        let at = input
            .windows(10)
            .rposition(|window| window == b"startxref\n")
            .unwrap();
        input.truncate(at);
        input.extend_from_slice(b"startxref\n17\n%%EOF\n");
        let result = prepare_signature(&input, &request(new_invisible("S")), &limits());
        assert!(
            matches!(result, Err(Error::Unsignable { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn reads_signature_contents_with_long_and_short_der_lengths() {
        assert_eq!(trim_der(&[0x30, 0x02, 1, 2, 0, 0]), &[0x30, 0x02, 1, 2]);
        assert_eq!(
            trim_der(&[0x30, 0x81, 0x01, 0, 0, 0]),
            &[0x30, 0x81, 0x01, 0]
        );
        assert_eq!(
            trim_der(&[0x30, 0x80, 1, 0, 0, 0]),
            &[0x30, 0x80, 1, 0, 0, 0]
        );
        assert_eq!(trim_der(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0]).len(), 7);
        assert_eq!(trim_der(&[0, 0, 0]), &[] as &[u8]);
        assert_eq!(trim_der(&[]), &[] as &[u8]);
    }

    #[test]
    fn flags_a_byte_range_that_leaves_out_more_than_the_contents() {
        let input = classic_pdf(&["x"]);
        let signed = sign(&input, &request(new_invisible("Sig1")), &fake_cms(64, 14));
        let text = String::from_utf8_lossy(&signed).into_owned();
        let [_, start, end, after] = signatures(&signed, &limits()).unwrap()[0].byte_range;
        let original = format!("/ByteRange [0 {start} {end} {after}]");
        let shifted = format!("/ByteRange [0 {} {} {after}]", start - 1, end);
        assert_eq!(original.len(), shifted.len());
        let tampered = text.replacen(&original, &shifted, 1);
        let found = signatures(tampered.as_bytes(), &limits()).unwrap();
        assert!(!found[0].byte_range_valid);
    }

    #[test]
    fn error_messages_are_plain_lowercase() {
        let errors = [
            Error::Unsignable { reason: "x" },
            Error::InvalidRequest { reason: "x" },
            Error::NoSuchPage {
                page: 2,
                page_count: 1,
            },
            Error::NoSuchField,
            Error::FieldExists,
            Error::WrongFieldKind { expected: "text" },
            Error::AlreadySigned,
            Error::SignatureTooLarge {
                needed: 2,
                capacity: 1,
            },
            Error::NotPrepared,
        ];
        for error in errors {
            let message = error.to_string();
            assert!(message.contains("pdf"), "{message}");
            assert_eq!(message, message.to_lowercase());
        }
    }

    static DRAFT: LazyLock<Vec<u8>> = LazyLock::new(|| {
        add_fields(
            &classic_pdf(&["mutate me"]),
            &[
                field("Leader", FieldKind::Signature, None),
                field("Number", FieldKind::Text, Some([0.0, 0.0, 100.0, 20.0])),
            ],
            &limits(),
        )
        .unwrap()
    });

    fn parser_failure() -> Error {
        Error::Corrupt {
            reason: "parser failure",
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Damaged files give errors, never panics (a panic would surface as the guard's
        /// "parser failure").
        #[test]
        fn damaged_files_never_panic(
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            keep in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut bytes = DRAFT.clone();
            for (index, byte) in flips {
                let position = index.index(bytes.len());
                bytes[position] = byte;
            }
            if truncate {
                bytes.truncate(keep.index(bytes.len()));
                bytes.extend_from_slice(b"\n%%EOF\n");
            }
            let failure = Some(parser_failure());
            let prepared = prepare_signature(
                &bytes,
                &request(FieldTarget::Existing("Leader")),
                &limits(),
            );
            prop_assert_ne!(prepared.as_ref().err(), failure.as_ref());
            prop_assert_ne!(
                add_fields(&bytes, &[field("New", FieldKind::Signature, None)], &limits()).err(),
                failure.clone()
            );
            prop_assert_ne!(
                fill_text_field(&bytes, "Number", "1", 10.0, &limits()).err(),
                failure.clone()
            );
            prop_assert_ne!(
                crate::append_dss(&bytes, &crate::DssContents {
                    certificates: vec![vec![1, 2, 3]],
                    ..crate::DssContents::default()
                }, &limits()).err(),
                failure.clone()
            );
            prop_assert_ne!(signatures(&bytes, &limits()).err(), failure.clone());
            prop_assert_ne!(PreparedSignature::from_bytes(bytes).err(), failure);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let mut framed = b"%PDF-1.7\n".to_vec();
            framed.extend_from_slice(&bytes);
            framed.extend_from_slice(b"\n%%EOF\n");
            let failure = Some(parser_failure());
            prop_assert_ne!(signatures(&framed, &limits()).err(), failure.clone());
            prop_assert_ne!(
                prepare_signature(&framed, &request(new_invisible("S")), &limits()).err(),
                failure.clone()
            );
            prop_assert_ne!(PreparedSignature::from_bytes(bytes).err(), failure);
        }
    }
}
