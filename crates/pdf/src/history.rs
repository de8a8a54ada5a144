//! The revisions of a file: where the original body and each incremental update (ISO 32000-2
//! §7.5.6) end.
//!
//! A revision ends with `startxref`, the offset of its cross-reference section, and `%%EOF`
//! (§7.5.5). The marker alone proves nothing, since a stream may hold those bytes; a marker
//! counts only when the offset before it is a link of the chain of cross-reference sections that
//! the file's last `startxref` starts (each section names its predecessor with `/Prev`), and that
//! section lies inside the revision the marker ends, after the previous revision's end.

use std::collections::HashSet;

/// The file's end-of-file marker (ISO 32000-2 §7.5.5).
const EOF_MARKER: &[u8] = b"%%EOF";

/// The keyword before the offset of the newest cross-reference section.
const STARTXREF: &[u8] = b"startxref";

/// How many digits an offset may have; 15 digits cover any file this system accepts.
const MAX_DIGITS: usize = 15;

/// How far past a cross-reference stream's start its dictionary may reach: the `/Prev` key is
/// looked for only before its `stream` keyword and within this many bytes.
const XREF_STREAM_DICTIONARY_WINDOW: usize = 64 * 1024;

/// The offsets just after each revision's `%%EOF` marker and the end-of-line after it (CR, LF or
/// CR LF), in file order; the last is the end of the newest revision.
///
/// This is the length of the file as it stood after each revision, the value a signature's
/// `/ByteRange` ends at (its third number plus its fourth) when the signer wrote the
/// end-of-line, as Vanthu, pyHanko and Acrobat do. A revision written without one (lopdf ends a
/// file with a bare `%%EOF`) whose successor starts with an end-of-line is given with that
/// end-of-line; the bytes alone cannot tell whose it is. A marker inside a stream, or one
/// that ends a linearized file's first-page section, is not a revision end. A file without a
/// readable `startxref` before any marker gives an empty list. Scanning costs a few passes over
/// the file at most, whatever its content.
pub fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let candidates: Vec<Candidate> = memchr::memmem::find_iter(bytes, EOF_MARKER)
        .filter_map(|marker| candidate(bytes, marker))
        .collect();
    let Some(last) = candidates.last() else {
        return Vec::new();
    };
    let chain = xref_chain(bytes, last.startxref, candidates.len());
    let mut ends = Vec::new();
    let mut previous_end = 0;
    let mut used = HashSet::new();
    for candidate in &candidates {
        let inside = previous_end <= candidate.startxref && candidate.startxref < candidate.marker;
        if inside && chain.contains(&candidate.startxref) && used.insert(candidate.startxref) {
            ends.push(candidate.end);
            previous_end = candidate.end;
        }
    }
    ends
}

/// An `%%EOF` marker preceded by `startxref` and an offset.
struct Candidate {
    /// Where the marker starts.
    marker: usize,
    /// The offset `startxref` names.
    startxref: usize,
    /// Just after the marker and its end-of-line.
    end: usize,
}

/// The marker at `marker` as a candidate revision end, when `startxref N` precedes it.
fn candidate(bytes: &[u8], marker: usize) -> Option<Candidate> {
    let before = bytes.get(..marker)?;
    let before = trim_end_white(before);
    let digits = before
        .iter()
        .rev()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    let (head, number) = before.split_at(before.len() - digits);
    let startxref = parse_number(number)?;
    let head_trimmed = trim_end_white(head);
    if head_trimmed.len() == head.len() || !head_trimmed.ends_with(STARTXREF) {
        return None;
    }
    let mut end = marker + EOF_MARKER.len();
    match bytes.get(end) {
        Some(b'\r') => {
            end += 1;
            if bytes.get(end) == Some(&b'\n') {
                end += 1;
            }
        }
        Some(b'\n') => end += 1,
        _ => {}
    }
    Some(Candidate {
        marker,
        startxref,
        end,
    })
}

/// The offsets of the cross-reference sections linked by `/Prev` from the one at `start`, at
/// most `max_links + 1` of them. Each step searches only the section's own bytes, and all
/// steps together scan at most twice the file.
fn xref_chain(bytes: &[u8], start: usize, max_links: usize) -> HashSet<usize> {
    let mut chain = HashSet::new();
    let mut budget = bytes.len().saturating_mul(2);
    let mut next = Some(start);
    while let Some(offset) = next {
        if !chain.insert(offset) || chain.len() > max_links.saturating_add(1) {
            break;
        }
        next = previous_section(bytes, offset, &mut budget);
    }
    chain
}

/// The `/Prev` of the cross-reference section at `offset`: a table's trailer dictionary, or a
/// cross-reference stream's dictionary.
fn previous_section(bytes: &[u8], offset: usize, budget: &mut usize) -> Option<usize> {
    let section = bytes.get(offset..)?;
    let section = section.get(section.len() - trim_start_white(section).len()..)?;
    let dictionary = if section.starts_with(b"xref") {
        // The trailer follows the table; the section ends at its `startxref`.
        let end = search(section, STARTXREF, section.len(), budget)?;
        let table = section.get(..end)?;
        let trailer = search(table, b"trailer", table.len(), budget)?;
        table.get(trailer..)?
    } else {
        let window = section.len().min(XREF_STREAM_DICTIONARY_WINDOW);
        let end = search(section, b"stream", window, budget)?;
        section.get(..end)?
    };
    let prev = search(dictionary, b"/Prev", dictionary.len(), budget)?;
    let value = dictionary.get(prev + b"/Prev".len()..)?;
    // `/Prev` must be the whole name, not the start of a longer one.
    let value = match value.first() {
        Some(byte) if is_white(*byte) => trim_start_white(value),
        _ => return None,
    };
    let digits = value
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    parse_number(value.get(..digits)?)
}

/// The first occurrence of `needle` within the first `window` bytes of `haystack`, charging the
/// bytes searched to `budget`.
fn search(haystack: &[u8], needle: &[u8], window: usize, budget: &mut usize) -> Option<usize> {
    let region = haystack.get(..window.min(haystack.len()))?;
    let found = memchr::memmem::find(region, needle);
    let searched = found.map_or(region.len(), |at| at + needle.len());
    *budget = budget.checked_sub(searched)?;
    found
}

fn parse_number(digits: &[u8]) -> Option<usize> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// White space (ISO 32000-2 §7.2.3).
pub(crate) fn is_white(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0')
}

fn trim_end_white(bytes: &[u8]) -> &[u8] {
    let keep = bytes
        .iter()
        .rposition(|byte| !is_white(*byte))
        .map_or(0, |last| last + 1);
    bytes.get(..keep).unwrap_or_default()
}

fn trim_start_white(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|byte| is_white(**byte)).count();
    bytes.get(skip..).unwrap_or_default()
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own outputs; the crate-level denial guards input"
)]
mod tests {
    use lopdf::content::{Content, Operation};
    use lopdf::{Object, Stream, dictionary};
    use proptest::prelude::*;

    use super::*;
    use crate::fixtures::{classic_pdf, fake_cms, limits, modern_pdf};
    use crate::{
        DssContents, FieldKind, FieldSpec, FieldTarget, SignatureKind, SignatureRequest,
        append_dss, prepare_signature, signatures,
    };

    fn sign_new(bytes: &[u8], name: &str) -> Vec<u8> {
        let request = SignatureRequest {
            field: FieldTarget::New(FieldSpec {
                name: name.to_owned(),
                kind: FieldKind::Signature,
                page: 1,
                rect: None,
            }),
            kind: SignatureKind::Signature,
            signing_time: None,
            name: None,
            reason: None,
            location: None,
            appearance: None,
            contents_capacity: 4096,
        };
        prepare_signature(bytes, &request, &limits())
            .unwrap()
            .embed(&fake_cms(500, 7))
            .unwrap()
    }

    #[test]
    fn finds_each_revision_of_an_incrementally_updated_file() {
        for original in [classic_pdf(&["x"]), modern_pdf(&["x"])] {
            assert_eq!(revision_ends(&original), [original.len()]);
            let signed = sign_new(&original, "Sig1");
            let twice = sign_new(&signed, "Sig2");
            let dss = append_dss(
                &twice,
                &DssContents {
                    certificates: vec![b"cert".to_vec()],
                    ..DssContents::default()
                },
                &limits(),
            )
            .unwrap();
            // lopdf ends the original without an end-of-line; the update starts with one,
            // which then counts as the original's.
            assert!(!original.ends_with(b"\n"));
            assert_eq!(
                revision_ends(&dss),
                [original.len() + 1, signed.len(), twice.len(), dss.len()]
            );
            // Each signature's byte range ends at the end of its revision.
            let ends: Vec<usize> = signatures(&dss, &limits())
                .unwrap()
                .iter()
                .map(|signature| signature.byte_range[2] + signature.byte_range[3])
                .collect();
            assert_eq!(ends, [signed.len(), twice.len()]);
        }
    }

    #[test]
    fn a_marker_without_an_end_of_line_still_ends_a_revision() {
        // lopdf writes no end-of-line after `%%EOF`, and pyHanko appends right after it.
        for name in ["pyhanko-signed-classic.pdf", "pyhanko-signed-modern.pdf"] {
            let path = format!("{}/test_data/{name}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(path).unwrap();
            let ends = revision_ends(&bytes);
            assert_eq!(ends.len(), 2, "{name}");
            assert_eq!(&bytes[ends[0] - 5..ends[0]], b"%%EOF");
            assert_ne!(bytes[ends[0]], b'\n');
            assert_eq!(ends[1], bytes.len());
            let signature = &signatures(&bytes, &limits()).unwrap()[0];
            assert_eq!(signature.byte_range[2] + signature.byte_range[3], ends[1]);
        }
    }

    #[test]
    fn ignores_markers_inside_streams() {
        let mut document = crate::fixtures::document(&["x"]);
        let fake = Content {
            operations: vec![Operation::new("BT", vec![]), Operation::new("ET", vec![])],
        };
        let mut content = fake.encode().unwrap();
        // A trailer look-alike that names the real first section.
        content.extend_from_slice(b"\n%startxref\n9\n%%EOF\nstartxref\n9\n%%EOF\r\n");
        let id = document.add_object(Stream::new(dictionary! {}, content));
        let page = document.page_iter().next().unwrap();
        document
            .get_dictionary_mut(page)
            .unwrap()
            .set("Contents", Object::Reference(id));
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        assert_eq!(revision_ends(&bytes), [bytes.len()]);
        let signed = sign_new(&bytes, "Sig1");
        assert_eq!(revision_ends(&signed), [bytes.len() + 1, signed.len()]);
    }

    #[test]
    fn takes_a_carriage_return_and_line_feed_with_the_marker() {
        let original = classic_pdf(&["x"]);
        let mut crlf = original.clone();
        crlf.extend_from_slice(b"\r\n");
        assert_eq!(revision_ends(&crlf), [crlf.len()]);
        let mut junk = crlf.clone();
        junk.extend_from_slice(b"  junk after the end");
        assert_eq!(revision_ends(&junk), [crlf.len()]);
    }

    #[test]
    fn gives_nothing_for_files_without_a_trailer() {
        assert!(revision_ends(b"").is_empty());
        assert!(revision_ends(b"%PDF-1.7\n%%EOF\n").is_empty());
        assert!(revision_ends(b"startxref\n%%EOF").is_empty());
        assert!(revision_ends(b"startxref 99999999999999999999 %%EOF").is_empty());
    }

    #[test]
    fn survives_a_cyclic_prev_chain() {
        let bytes = b"%PDF-1.7\nxref\ntrailer << /Prev 9 >>\nstartxref\n9\n%%EOF\n";
        assert_eq!(revision_ends(bytes), [bytes.len()]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(
            bytes in prop::collection::vec(
                prop_oneof![
                    Just(b'%'), Just(b'E'), Just(b'O'), Just(b'F'), Just(b'\n'), Just(b' '),
                    Just(b'1'), Just(b'0'), any::<u8>(),
                ],
                0..512,
            ),
            startxref in any::<bool>(),
        ) {
            let mut bytes = bytes;
            if startxref {
                bytes.extend_from_slice(b"startxref\n0\n%%EOF");
            }
            let ends = revision_ends(&bytes);
            prop_assert!(ends.windows(2).all(|pair| pair[0] < pair[1]));
            prop_assert!(ends.iter().all(|end| *end <= bytes.len()));
        }
    }
}
