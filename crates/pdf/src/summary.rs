//! What a loaded PDF is made of, reduced to plain values.
//!
//! The summary is computed once, while the document is loaded under the parser guard, so that
//! reading it later can never reach lopdf code on attacker-controlled structures.

use std::collections::HashSet;

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Facts about a loaded PDF that intake and signing decisions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSummary {
    /// The version in the file header, such as `1.7`.
    pub version: String,
    /// The number of pages reachable from the page tree.
    pub page_count: usize,
    /// The number of indirect objects loaded, object-stream members included.
    pub object_count: usize,
    /// Whether the file was encrypted; only a load with a password can yield `true`.
    pub encrypted: bool,
    /// The number of signature fields (`/FT /Sig`) in the interactive form, signed or not.
    pub signature_field_count: usize,
    /// Whether the newest revision uses a cross-reference stream rather than a table
    /// (ISO 32000-2 §7.5.8); an incremental update must use the same kind.
    pub has_xref_stream: bool,
    /// Whether lenient loading had to repair or rebuild the cross-reference data, so that other
    /// readers may see different objects than this one did.
    pub xref_repaired: bool,
}

/// Summarises `document`, whose pages were already counted under the page limit.
pub(crate) fn summarize(document: &Document, page_count: usize) -> PdfSummary {
    PdfSummary {
        version: document.version.clone(),
        page_count,
        object_count: document.objects.len(),
        encrypted: document.was_encrypted(),
        signature_field_count: signature_field_count(document),
        has_xref_stream: matches!(
            document.reference_table.cross_reference_type,
            XrefType::CrossReferenceStream
        ),
        xref_repaired: document.xref_recovery.is_some(),
    }
}

/// How deep a field hierarchy may nest before the rest of it is ignored.
///
/// Real forms nest a handful of levels; the bound keeps a hostile hierarchy from costing more
/// than one visit per object.
const MAX_FIELD_DEPTH: usize = 64;

/// Counts the terminal fields of type `/Sig` in the catalog's `/AcroForm` (ISO 32000-2 §12.7.4).
///
/// A field is terminal when none of its `/Kids` is itself a field (has a `/T`); the kids of a
/// terminal field are its widget annotations.
/// `/FT` is inheritable, so a parent's type applies to kids that lack their own.
fn signature_field_count(document: &Document) -> usize {
    let Some(fields) = document
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get_deref(b"AcroForm", document).ok())
        .and_then(|form| form.as_dict().ok())
        .and_then(|form| form.get_deref(b"Fields", document).ok())
        .and_then(|fields| fields.as_array().ok())
    else {
        return 0;
    };

    // Invariant: every referenced field is visited at most once, so cycles terminate.
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<(&Dictionary, Option<&[u8]>, usize)> = Vec::new();
    push_fields(document, fields, None, 0, &mut seen, &mut stack);

    let mut count = 0;
    while let Some((field, inherited_type, depth)) = stack.pop() {
        let field_type = field
            .get(b"FT")
            .and_then(Object::as_name)
            .ok()
            .or(inherited_type);
        let kids = field
            .get_deref(b"Kids", document)
            .and_then(Object::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let has_child_fields = kids
            .iter()
            .filter_map(|kid| resolve_dictionary(document, kid))
            .any(|kid| kid.has(b"T"));
        if has_child_fields && depth < MAX_FIELD_DEPTH {
            push_fields(document, kids, field_type, depth + 1, &mut seen, &mut stack);
        } else if field_type == Some(b"Sig".as_slice()) {
            count += 1;
        }
    }
    count
}

/// Pushes the field dictionaries among `objects` that have not been seen yet.
fn push_fields<'a>(
    document: &'a Document,
    objects: &'a [Object],
    inherited_type: Option<&'a [u8]>,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    stack: &mut Vec<(&'a Dictionary, Option<&'a [u8]>, usize)>,
) {
    for object in objects {
        if let Object::Reference(id) = object
            && !seen.insert(*id)
        {
            continue;
        }
        if let Some(field) = resolve_dictionary(document, object) {
            stack.push((field, inherited_type, depth));
        }
    }
}

/// The dictionary `object` is or refers to, if any.
fn resolve_dictionary<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match object {
        Object::Dictionary(dictionary) => Some(dictionary),
        Object::Reference(id) => document.get_dictionary(*id).ok(),
        _ => None,
    }
}
