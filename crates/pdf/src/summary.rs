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
    /// The PDF/A part and conformance level that the catalog's XMP metadata claims
    /// (`pdfaid:part`, `pdfaid:conformance`), such as `PDF/A-2B`: a claim, not a validation.
    pub pdfa_claim: Option<String>,
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
        pdfa_claim: pdfa_claim(document),
    }
}

/// The most XMP metadata read when looking for a PDF/A claim.
const MAX_XMP_BYTES: usize = 1024 * 1024;

/// The PDF/A identification of the catalog's `/Metadata` stream (ISO 19005-1 §6.7.11 and later
/// parts). PDF/A forbids filters on that stream, so a filtered one is not read (nor decompressed).
fn pdfa_claim(document: &Document) -> Option<String> {
    let metadata = document
        .catalog()
        .ok()?
        .get_deref(b"Metadata", document)
        .ok()?
        .as_stream()
        .ok()?;
    if metadata.dict.has(b"Filter") {
        return None;
    }
    let content = metadata
        .content
        .get(..metadata.content.len().min(MAX_XMP_BYTES))?;
    parse_pdfa_claim(&String::from_utf8_lossy(content))
}

/// `PDF/A-{part}{conformance}` from XMP text, when it names a part (1 to 4).
fn parse_pdfa_claim(xmp: &str) -> Option<String> {
    let part = xmp_value(xmp, "pdfaid:part")?;
    if !matches!(part.as_str(), "1" | "2" | "3" | "4") {
        return None;
    }
    let conformance = xmp_value(xmp, "pdfaid:conformance")
        .map(|level| level.to_ascii_uppercase())
        .filter(|level| matches!(level.as_str(), "A" | "B" | "U" | "E" | "F"))
        .unwrap_or_default();
    Some(format!("PDF/A-{part}{conformance}"))
}

/// The value of an XMP property written as an attribute (`name="v"`) or an element
/// (`<name>v</name>`).
fn xmp_value(xmp: &str, name: &str) -> Option<String> {
    let start = xmp.find(name)? + name.len();
    let rest = xmp.get(start..)?.trim_start();
    let value = if let Some(rest) = rest.strip_prefix('=') {
        let rest = rest.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = rest.get(1..)?;
        rest.get(..rest.find(quote)?)?
    } else {
        let rest = rest.strip_prefix('>')?;
        rest.get(..rest.find('<')?)?
    };
    let value = value.trim();
    (!value.is_empty() && value.len() <= 8).then(|| value.to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfa_claims_are_read_from_attributes_and_elements() {
        let attributes = r#"<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="b"/>"#;
        assert_eq!(parse_pdfa_claim(attributes).as_deref(), Some("PDF/A-2B"));
        let elements = "<pdfaid:part>1</pdfaid:part>\n<pdfaid:conformance>A</pdfaid:conformance>";
        assert_eq!(parse_pdfa_claim(elements).as_deref(), Some("PDF/A-1A"));
        assert_eq!(
            parse_pdfa_claim("<pdfaid:part>4</pdfaid:part>").as_deref(),
            Some("PDF/A-4")
        );
        assert_eq!(parse_pdfa_claim("<pdfaid:part>9</pdfaid:part>"), None);
        assert_eq!(parse_pdfa_claim("<dc:title>no claim</dc:title>"), None);
    }
}
