//! The interactive form (ISO 32000-2 §12.7): finding fields by name, creating field widgets,
//! and registering them with the page and the `/AcroForm` dictionary.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use crate::error::Error;
use crate::revision::Revision;

/// How deep a field hierarchy may nest before the rest of it is ignored; real forms nest a
/// handful of levels.
const MAX_FIELD_DEPTH: usize = 64;

/// Widget annotation flags (ISO 32000-2 §12.5.3): Print.
pub(crate) const FLAG_PRINT: i64 = 4;
/// Print and Locked, for signature widgets.
pub(crate) const FLAG_PRINT_LOCKED: i64 = 4 | 128;

/// A terminal field of the form: one that has no child fields, only widgets.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The field dictionary.
    pub(crate) id: ObjectId,
    /// The fully qualified name: the partial names from the root, joined by `.`.
    pub(crate) name: String,
    /// `/FT`, inherited from an ancestor when the field has none.
    pub(crate) field_type: Option<Vec<u8>>,
    /// The widget annotations: the field itself when the two are merged, else its `/Kids`.
    pub(crate) widgets: Vec<ObjectId>,
}

/// What the walk over the form found.
pub(crate) struct Fields {
    /// Every terminal field reached through an indirect reference, in form order.
    pub(crate) terminal: Vec<Field>,
    /// The fully qualified names of every field, terminal or not.
    pub(crate) names: HashSet<String>,
    /// Every non-terminal field (one with child fields) and its fully qualified name.
    pub(crate) parents: Vec<(ObjectId, String)>,
}

/// A field still to visit: its id, its parent's qualified name, the `/FT` it inherits, and its
/// depth.
type Pending = (ObjectId, Option<String>, Option<Vec<u8>>, usize);

/// Walks the catalog's `/AcroForm` `/Fields` tree (ISO 32000-2 §12.7.4).
///
/// Each referenced object is visited at most once, so a cyclic hierarchy terminates.
pub(crate) fn fields(document: &Document) -> Fields {
    let mut found = Fields {
        terminal: Vec::new(),
        names: HashSet::new(),
        parents: Vec::new(),
    };
    let Some(roots) = document
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get_deref(b"AcroForm", document).ok())
        .and_then(|form| form.as_dict().ok())
        .and_then(|form| form.get_deref(b"Fields", document).ok())
        .and_then(|fields| fields.as_array().ok())
    else {
        return found;
    };
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<Pending> = Vec::new();
    for root in roots.iter().rev() {
        if let Object::Reference(id) = root {
            stack.push((*id, None, None, 0));
        }
    }
    while let Some((id, parent, inherited_type, depth)) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Ok(field) = document.get_dictionary(id) else {
            continue;
        };
        let name = match (field.get(b"T").ok().map(text), parent) {
            (Some(partial), Some(parent)) => format!("{parent}.{partial}"),
            (Some(partial), None) => partial,
            (None, Some(parent)) => parent,
            (None, None) => String::new(),
        };
        let field_type = field
            .get(b"FT")
            .and_then(Object::as_name)
            .ok()
            .map(<[u8]>::to_vec)
            .or(inherited_type);
        let kids: Vec<ObjectId> = field
            .get_deref(b"Kids", document)
            .and_then(Object::as_array)
            .map(|kids| {
                kids.iter()
                    .filter_map(|kid| kid.as_reference().ok())
                    .collect()
            })
            .unwrap_or_default();
        let child_fields: Vec<ObjectId> = kids
            .iter()
            .copied()
            .filter(|kid| document.get_dictionary(*kid).is_ok_and(|kid| kid.has(b"T")))
            .collect();
        found.names.insert(name.clone());
        if !child_fields.is_empty() {
            found.parents.push((id, name.clone()));
            if depth < MAX_FIELD_DEPTH {
                for kid in child_fields.into_iter().rev() {
                    stack.push((kid, Some(name.clone()), field_type.clone(), depth + 1));
                }
            }
            continue;
        }
        let widgets = if kids.is_empty() { vec![id] } else { kids };
        found.terminal.push(Field {
            id,
            name,
            field_type,
            widgets,
        });
    }
    found
}

/// The terminal field named `name`, or [`Error::NoSuchField`].
pub(crate) fn find(document: &Document, name: &str) -> Result<Field, Error> {
    fields(document)
        .terminal
        .into_iter()
        .find(|field| field.name == name)
        .ok_or(Error::NoSuchField)
}

/// Decodes a PDF text string (ISO 32000-2 §7.9.2), replacing what does not decode.
pub(crate) fn text(object: &Object) -> String {
    lopdf::decode_text_string(object).unwrap_or_else(|_| {
        object
            .as_str()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default()
    })
}

/// Encodes a PDF text string (ISO 32000-2 §7.9.2): printable ASCII as it is (PDFDocEncoding
/// agrees with ASCII there), anything else, Vietnamese included, as UTF-16BE with a byte order
/// mark.
pub(crate) fn text_string(text: &str) -> Object {
    if text.bytes().all(|byte| (0x20..0x7f).contains(&byte)) {
        return Object::String(text.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// The pages in page-tree order; lopdf visits at most one kid per loaded object, and loading
/// already bounded the page count.
pub(crate) fn pages(document: &Document) -> Vec<ObjectId> {
    document.page_iter().collect()
}

/// The page numbered `page` (1-based), or [`Error::NoSuchPage`].
pub(crate) fn page(document: &Document, page: usize) -> Result<ObjectId, Error> {
    let pages = pages(document);
    page.checked_sub(1)
        .and_then(|index| pages.get(index).copied())
        .ok_or(Error::NoSuchPage {
            page,
            page_count: pages.len(),
        })
}

/// Checks a new field's partial name: not empty, no `.` (ISO 32000-2 §12.7.4.2), and not the
/// name of an existing field or one added in the same revision.
pub(crate) fn check_new_name(name: &str, taken: &HashSet<String>) -> Result<(), Error> {
    if name.is_empty() || name.contains('.') || name.chars().any(char::is_control) {
        return Err(Error::InvalidRequest {
            reason: "a field name must be non-empty, without periods or control characters",
        });
    }
    if taken.contains(name) {
        return Err(Error::FieldExists);
    }
    Ok(())
}

/// A rectangle in default user space, normalised to lower-left and upper-right corners;
/// `None` is the zero rectangle of an invisible field.
pub(crate) fn rectangle(rect: Option<[f32; 4]>) -> Result<[f32; 4], Error> {
    let Some([x1, y1, x2, y2]) = rect else {
        return Ok([0.0; 4]);
    };
    if ![x1, y1, x2, y2]
        .iter()
        .all(|value| value.is_finite() && value.abs() <= 14_400.0)
    {
        return Err(Error::InvalidRequest {
            reason: "a field rectangle must be finite numbers within the page",
        });
    }
    Ok([x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)])
}

pub(crate) fn rect_object(rect: [f32; 4]) -> Object {
    Object::Array(rect.iter().map(|value| number(*value)).collect())
}

/// A whole number as an integer, anything else as a real.
pub(crate) fn number(value: f32) -> Object {
    if value.fract() == 0.0 && value.abs() < 1e9 {
        // Exact: a whole f32 below 1e9 fits an i64.
        Object::Integer(value as i64)
    } else {
        Object::Real(value)
    }
}

/// Width and height of a normalised rectangle.
pub(crate) fn size(rect: [f32; 4]) -> (f32, f32) {
    let [x1, y1, x2, y2] = rect;
    (x2 - x1, y2 - y1)
}

/// The `/Rect` of a widget, normalised, or `None` when it has none that reads as four numbers.
pub(crate) fn widget_rect(widget: &Dictionary) -> Option<[f32; 4]> {
    let values = widget.get(b"Rect").and_then(Object::as_array).ok()?;
    let mut rect = [0.0_f32; 4];
    if values.len() != 4 {
        return None;
    }
    for (slot, value) in rect.iter_mut().zip(values) {
        *slot = value.as_float().ok()?;
    }
    rectangle(Some(rect)).ok()
}

/// Adds an empty form XObject of the given size: the `/AP /N` of a widget with nothing to show
/// (PDF/A wants an appearance on every widget, even an invisible one).
pub(crate) fn empty_appearance(
    revision: &mut Revision<'_>,
    width: f32,
    height: f32,
) -> Result<ObjectId, Error> {
    let mut dictionary = Dictionary::new();
    dictionary.set("Type", Object::Name(b"XObject".to_vec()));
    dictionary.set("Subtype", Object::Name(b"Form".to_vec()));
    dictionary.set(
        "BBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            number(width),
            number(height),
        ]),
    );
    dictionary.set("Resources", Object::Dictionary(Dictionary::new()));
    revision.add(lopdf::Stream::new(dictionary, Vec::new()))
}

/// An `/AP` dictionary whose normal appearance is `stream`.
pub(crate) fn appearance_dictionary(stream: ObjectId) -> Object {
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(stream));
    Object::Dictionary(ap)
}

/// Appends `value` to the array at `key` of the dictionary `holder`, which the caller writes
/// back; an indirect array is rewritten in place instead.
fn push_to_array(
    revision: &mut Revision<'_>,
    holder: &mut Dictionary,
    key: &[u8],
    values: &[Object],
) -> Result<(), Error> {
    match holder.get(key) {
        Err(_) | Ok(Object::Null) => {
            holder.set(key, Object::Array(values.to_vec()));
        }
        Ok(Object::Array(array)) => {
            let mut array = array.clone();
            array.extend_from_slice(values);
            holder.set(key, Object::Array(array));
        }
        Ok(Object::Reference(id)) => {
            let id = *id;
            let mut array = revision
                .document()
                .get_object(id)
                .and_then(Object::as_array)
                .cloned()
                .map_err(|_| Error::Corrupt {
                    reason: "an array in the form or page is not an array",
                })?;
            array.extend_from_slice(values);
            revision.set(id, Object::Array(array));
        }
        Ok(_) => {
            return Err(Error::Corrupt {
                reason: "an array in the form or page is not an array",
            });
        }
    }
    Ok(())
}

/// Adds widget annotations to a page's `/Annots`.
pub(crate) fn add_annotations(
    revision: &mut Revision<'_>,
    page: ObjectId,
    widgets: &[ObjectId],
) -> Result<(), Error> {
    let mut page_dictionary = revision.dictionary(page)?;
    let references: Vec<Object> = widgets.iter().map(|id| Object::Reference(*id)).collect();
    let before = page_dictionary.clone();
    push_to_array(revision, &mut page_dictionary, b"Annots", &references)?;
    if page_dictionary != before {
        revision.set(page, page_dictionary);
    }
    Ok(())
}

/// What to change in the `/AcroForm` dictionary besides its `/Fields`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FormChanges {
    /// Set `/SigFlags` to SignaturesExist | AppendOnly (ISO 32000-2 §12.7.3, Table 225).
    pub(crate) signatures: bool,
    /// Give the form a default appearance and a `/Helv` resource for text fields.
    pub(crate) text: bool,
}

/// Registers `new_fields` in the catalog's `/AcroForm` (creating it as an indirect object when
/// there is none) and applies `changes`; writes nothing when nothing changes.
pub(crate) fn update_form(
    revision: &mut Revision<'_>,
    new_fields: &[ObjectId],
    changes: FormChanges,
) -> Result<(), Error> {
    let catalog_id = revision.catalog_id()?;
    let catalog = revision.dictionary(catalog_id)?;
    let (mut form, location) = match catalog.get(b"AcroForm") {
        Err(_) | Ok(Object::Null) => (Dictionary::new(), None),
        Ok(Object::Reference(id)) => (revision.dictionary(*id)?, Some(*id)),
        Ok(Object::Dictionary(form)) => (form.clone(), Some(catalog_id)),
        Ok(_) => {
            return Err(Error::Corrupt {
                reason: "the interactive form is not a dictionary",
            });
        }
    };
    let before = form.clone();
    if !new_fields.is_empty() || !form.has(b"Fields") {
        let references: Vec<Object> = new_fields.iter().map(|id| Object::Reference(*id)).collect();
        push_to_array(revision, &mut form, b"Fields", &references)?;
    }
    if changes.signatures {
        let flags = form.get(b"SigFlags").and_then(Object::as_i64).unwrap_or(0);
        if flags & 3 != 3 {
            form.set("SigFlags", flags | 3);
        }
    }
    if changes.text {
        if !form.has(b"DA") {
            form.set(
                "DA",
                Object::String(b"/Helv 0 Tf 0 g".to_vec(), StringFormat::Literal),
            );
        }
        add_helvetica(revision, &mut form)?;
    }
    if form == before {
        return Ok(());
    }
    match location {
        None => {
            let form_id = revision.add(form)?;
            let mut catalog = catalog;
            catalog.set("AcroForm", Object::Reference(form_id));
            revision.set(catalog_id, catalog);
        }
        Some(id) if id == catalog_id => {
            let mut catalog = catalog;
            catalog.set("AcroForm", form);
            revision.set(catalog_id, catalog);
        }
        Some(id) => revision.set(id, form),
    }
    Ok(())
}

/// Makes sure the form's `/DR` has a `/Helv` font, which the default appearance `/DA` of text
/// fields names (ISO 32000-2 §12.7.4.3).
fn add_helvetica(revision: &mut Revision<'_>, form: &mut Dictionary) -> Result<(), Error> {
    let mut resources = match form.get(b"DR") {
        Err(_) => Dictionary::new(),
        Ok(Object::Dictionary(resources)) => resources.clone(),
        // An indirect or odd /DR is left alone: a reader finds /Helv or falls back.
        Ok(_) => return Ok(()),
    };
    let mut fonts = match resources.get(b"Font") {
        Err(_) => Dictionary::new(),
        Ok(Object::Dictionary(fonts)) => fonts.clone(),
        Ok(_) => return Ok(()),
    };
    if fonts.has(b"Helv") {
        return Ok(());
    }
    let mut helvetica = Dictionary::new();
    helvetica.set("Type", Object::Name(b"Font".to_vec()));
    helvetica.set("Subtype", Object::Name(b"Type1".to_vec()));
    helvetica.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    helvetica.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let font_id = revision.add(helvetica)?;
    fonts.set("Helv", Object::Reference(font_id));
    resources.set("Font", fonts);
    form.set("DR", resources);
    Ok(())
}
