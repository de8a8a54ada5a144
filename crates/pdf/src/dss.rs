//! The document security store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): the
//! certificates, OCSP responses and CRLs that let a signature be validated long after signing
//! (PAdES B-LT), appended in an incremental revision.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::error::Error;
use crate::limits::Limits;
use crate::load;
use crate::revision::Revision;
use crate::sign::{EmbeddedSignature, signatures_in};

/// Validation data to add to the document security store, each item DER-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DssContents {
    /// Certificates (X.509, RFC 5280).
    pub certificates: Vec<Vec<u8>>,
    /// OCSP responses (the whole `OCSPResponse`, RFC 6960).
    pub ocsp_responses: Vec<Vec<u8>>,
    /// Certificate revocation lists (RFC 5280).
    pub crls: Vec<Vec<u8>>,
}

/// Appends a revision whose catalog `/DSS` holds `dss` in addition to whatever an existing
/// store held; items already stored (byte for byte, in an unfiltered stream) are not added
/// twice.
///
/// Each item is its own stream, listed in the `/Certs`, `/OCSPs` and `/CRLs` arrays; no `/VRI`
/// is written (ETSI EN 319 142-1 makes it optional). When everything is already stored, the
/// input is returned unchanged.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted) for the input;
/// [`Error::Corrupt`] when an existing store is not a dictionary of arrays;
/// [`Error::Unsignable`] for a file that cannot be updated incrementally.
pub fn append_dss(bytes: &[u8], dss: &DssContents, limits: &Limits) -> Result<Vec<u8>, Error> {
    load::guarded(|| append_inner(bytes, None, dss, limits))
}

/// [`append_dss`] for an encrypted file opened with `password`; the new streams are encrypted
/// with the file's key.
///
/// # Errors
///
/// As [`append_dss`], and [`Error::WrongPassword`].
pub fn append_dss_with_password(
    bytes: &[u8],
    password: &str,
    dss: &DssContents,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    load::guarded(|| append_inner(bytes, Some(password), dss, limits))
}

/// The validation data in the file's document security store, as the newest revision leaves
/// it: the decoded content of each stream its `/Certs`, `/OCSPs` and `/CRLs` list, in order.
///
/// A file without a store gives empty lists. An entry that is not a reference to a stream, or
/// whose filters cannot be decoded, is skipped: such an item cannot help a validation, and the
/// validator still needs the others. `/VRI` is not read; the items it lists are in the store's
/// arrays as well (ETSI EN 319 142-1 §5.4.2.2). Decoding is bounded by
/// [`Limits::max_decompressed_bytes`] for all items together.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted);
/// [`Error::Corrupt`] when the store or one of its arrays is not what its key says;
/// [`Error::DecompressionLimit`] when the items decode to more than the limit.
pub fn dss(bytes: &[u8], limits: &Limits) -> Result<DssContents, Error> {
    load::guarded(|| {
        let document = load::load_untrusted(bytes, limits)?.into_document();
        read_store(&document, limits)
    })
}

/// [`dss`] for an encrypted file opened with `password`.
///
/// # Errors
///
/// As [`dss`], and [`Error::WrongPassword`].
pub fn dss_with_password(
    bytes: &[u8],
    password: &str,
    limits: &Limits,
) -> Result<DssContents, Error> {
    load::guarded(|| {
        let document = load::load_untrusted_with_password(bytes, password, limits)?.into_document();
        read_store(&document, limits)
    })
}

/// [`signatures`](crate::signatures) and [`dss`] from one load of the file, the two things a
/// validator reads first. Loading is most of the cost of either: a signed file's `/Contents` is
/// tens of kilobytes of hexadecimal that lopdf parses byte by byte (BENCHMARKS.md).
///
/// The store is a result of its own, as [`dss`] would give it, so that a damaged store still
/// leaves the signatures to check.
///
/// # Errors
///
/// The errors of [`load_untrusted`](crate::load_untrusted).
pub fn signatures_and_dss(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Vec<EmbeddedSignature>, Result<DssContents, Error>), Error> {
    load::guarded(|| {
        let document = load::load_untrusted(bytes, limits)?.into_document();
        Ok(read_both(bytes, &document, limits))
    })
}

/// [`signatures_and_dss`] for an encrypted file opened with `password`.
///
/// # Errors
///
/// As [`signatures_and_dss`], and [`Error::WrongPassword`].
pub fn signatures_and_dss_with_password(
    bytes: &[u8],
    password: &str,
    limits: &Limits,
) -> Result<(Vec<EmbeddedSignature>, Result<DssContents, Error>), Error> {
    load::guarded(|| {
        let document = load::load_untrusted_with_password(bytes, password, limits)?.into_document();
        Ok(read_both(bytes, &document, limits))
    })
}

fn read_both(
    bytes: &[u8],
    document: &Document,
    limits: &Limits,
) -> (Vec<EmbeddedSignature>, Result<DssContents, Error>) {
    // A panic while reading the store fails the store alone, as it would in `dss`.
    let store = load::guarded(|| read_store(document, limits));
    (signatures_in(bytes, document), store)
}

fn read_store(document: &Document, limits: &Limits) -> Result<DssContents, Error> {
    let catalog = document.catalog().map_err(|_| Error::Corrupt {
        reason: "no document catalog",
    })?;
    let store = match catalog.get(b"DSS") {
        Err(_) | Ok(Object::Null) => return Ok(DssContents::default()),
        Ok(Object::Dictionary(store)) => store,
        Ok(Object::Reference(id)) => document.get_dictionary(*id).map_err(|_| not_a_store())?,
        Ok(_) => return Err(not_a_store()),
    };
    let limit = usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX);
    let mut budget = limit;
    let mut contents = DssContents::default();
    for (key, items) in [
        (b"Certs".as_slice(), &mut contents.certificates),
        (b"OCSPs", &mut contents.ocsp_responses),
        (b"CRLs", &mut contents.crls),
    ] {
        let array = match store.get(key) {
            Err(_) | Ok(Object::Null) => continue,
            Ok(Object::Array(array)) => array,
            Ok(Object::Reference(id)) => document
                .get_object(*id)
                .and_then(Object::as_array)
                .map_err(|_| not_a_store())?,
            Ok(_) => return Err(not_a_store()),
        };
        for entry in array {
            let Some(stream) = entry
                .as_reference()
                .ok()
                .and_then(|id| document.objects.get(&id))
                .and_then(|object| object.as_stream().ok())
            else {
                continue;
            };
            match stream.get_plain_content_with_limit(budget) {
                Ok(item) => {
                    budget = budget.saturating_sub(item.len());
                    items.push(item);
                }
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                })) => {
                    return Err(Error::DecompressionLimit {
                        limit: limits.max_decompressed_bytes,
                    });
                }
                Err(_) => {}
            }
        }
    }
    Ok(contents)
}

/// Where the store's dictionary lives.
enum Location {
    /// No store yet.
    Absent,
    /// Directly in the catalog.
    Catalog,
    /// An indirect object.
    Object(ObjectId),
}

fn append_inner(
    bytes: &[u8],
    password: Option<&str>,
    dss: &DssContents,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let mut revision = Revision::open(bytes, password, limits)?;
    let catalog_id = revision.catalog_id()?;
    let mut catalog = revision.dictionary(catalog_id)?;
    let (mut store, location) = match catalog.get(b"DSS") {
        Err(_) | Ok(Object::Null) => (Dictionary::new(), Location::Absent),
        Ok(Object::Dictionary(store)) => (store.clone(), Location::Catalog),
        Ok(Object::Reference(id)) => (revision.dictionary(*id)?, Location::Object(*id)),
        Ok(_) => return Err(not_a_store()),
    };
    let mut added = false;
    for (key, items) in [
        (b"Certs".as_slice(), &dss.certificates),
        (b"OCSPs", &dss.ocsp_responses),
        (b"CRLs", &dss.crls),
    ] {
        added |= merge(&mut revision, &mut store, key, items)?;
    }
    if !added {
        return Ok(bytes.to_vec());
    }
    match location {
        Location::Absent => {
            let id = revision.add(store)?;
            catalog.set("DSS", Object::Reference(id));
            revision.set(catalog_id, catalog);
        }
        Location::Catalog => {
            catalog.set("DSS", store);
            revision.set(catalog_id, catalog);
        }
        Location::Object(id) => revision.set(id, store),
    }
    Ok(revision.finish()?.bytes)
}

fn not_a_store() -> Error {
    Error::Corrupt {
        reason: "the document security store is malformed",
    }
}

/// Adds a stream for each item of `items` not already in the store's `key` array, and says
/// whether any was added. An indirect array is rewritten in place, as pyHanko's difference
/// analysis expects.
fn merge(
    revision: &mut Revision<'_>,
    store: &mut Dictionary,
    key: &[u8],
    items: &[Vec<u8>],
) -> Result<bool, Error> {
    let (mut array, array_id) = match store.get(key) {
        Err(_) | Ok(Object::Null) => (Vec::new(), None),
        Ok(Object::Array(array)) => (array.clone(), None),
        Ok(Object::Reference(id)) => {
            let array = revision
                .document()
                .get_object(*id)
                .and_then(Object::as_array)
                .map_err(|_| not_a_store())?
                .clone();
            (array, Some(*id))
        }
        Ok(_) => return Err(not_a_store()),
    };
    let mut known: Vec<Vec<u8>> = array
        .iter()
        .filter_map(|entry| entry.as_reference().ok())
        .filter_map(|id| revision.document().get_object(id).ok())
        .filter_map(|object| object.as_stream().ok())
        .filter(|stream| !stream.dict.has(b"Filter"))
        .map(|stream| stream.content.clone())
        .collect();
    let mut added = false;
    for item in items {
        if item.is_empty() || known.contains(item) {
            continue;
        }
        let id = revision.add(Stream::new(Dictionary::new(), item.clone()))?;
        array.push(Object::Reference(id));
        known.push(item.clone());
        added = true;
    }
    if added {
        match array_id {
            Some(id) => revision.set(id, Object::Array(array)),
            None => store.set(key, Object::Array(array)),
        }
    }
    Ok(added)
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own outputs; the crate-level denial guards input"
)]
mod tests {
    use lopdf::{Document, dictionary};

    use super::*;
    use crate::fixtures::{classic_pdf, encrypted_pdf, fake_cms, limits, modern_pdf, qpdf_check};

    /// The decoded items of the store's `key` array.
    fn stored(bytes: &[u8], key: &[u8], password: Option<&str>) -> Vec<Vec<u8>> {
        let options = lopdf::LoadOptions {
            password: password.map(str::to_owned),
            ..lopdf::LoadOptions::default()
        };
        let document = Document::load_mem_with_options(bytes, options).unwrap();
        let catalog = document.catalog().unwrap();
        let Ok(store) = catalog.get_deref(b"DSS", &document) else {
            return Vec::new();
        };
        let Ok(array) = store.as_dict().unwrap().get_deref(key, &document) else {
            return Vec::new();
        };
        array
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                let stream = document
                    .get_object(entry.as_reference().unwrap())
                    .unwrap()
                    .as_stream()
                    .unwrap();
                stream.content.clone()
            })
            .collect()
    }

    fn contents(certificates: &[&[u8]], ocsp: &[&[u8]], crls: &[&[u8]]) -> DssContents {
        let owned = |items: &[&[u8]]| items.iter().map(|item| item.to_vec()).collect();
        DssContents {
            certificates: owned(certificates),
            ocsp_responses: owned(ocsp),
            crls: owned(crls),
        }
    }

    #[test]
    fn appends_and_merges_the_store() {
        for input in [classic_pdf(&["x"]), modern_pdf(&["x"])] {
            let first = append_dss(
                &input,
                &contents(&[b"cert A", b"cert B"], &[b"ocsp A"], &[]),
                &limits(),
            )
            .unwrap();
            assert_eq!(&first[..input.len()], input.as_slice());
            qpdf_check(&first, None);
            let second = append_dss(
                &first,
                &contents(&[b"cert B", b"cert C"], &[b"ocsp B"], &[b"crl A"]),
                &limits(),
            )
            .unwrap();
            assert_eq!(&second[..first.len()], first.as_slice());
            qpdf_check(&second, None);
            assert_eq!(
                stored(&second, b"Certs", None),
                [b"cert A".to_vec(), b"cert B".to_vec(), b"cert C".to_vec()]
            );
            assert_eq!(
                stored(&second, b"OCSPs", None),
                [b"ocsp A".to_vec(), b"ocsp B".to_vec()]
            );
            assert_eq!(stored(&second, b"CRLs", None), [b"crl A".to_vec()]);
            // Nothing new: no revision at all.
            let third = append_dss(&second, &contents(&[b"cert A"], &[], &[]), &limits()).unwrap();
            assert_eq!(third, second);
        }
    }

    #[test]
    fn merges_a_store_held_in_the_catalog_with_indirect_arrays() {
        let mut document = crate::fixtures::document(&["x"]);
        let cert = document.add_object(Stream::new(dictionary! {}, b"cert A".to_vec()));
        let certs = document.add_object(vec![Object::Reference(cert)]);
        let catalog_id = document
            .trailer
            .get(b"Root")
            .unwrap()
            .as_reference()
            .unwrap();
        document
            .get_dictionary_mut(catalog_id)
            .unwrap()
            .set("DSS", dictionary! { "Certs" => certs });
        let mut input = Vec::new();
        document.save_to(&mut input).unwrap();
        let updated = append_dss(
            &input,
            &contents(&[b"cert B"], &[b"ocsp A"], &[]),
            &limits(),
        )
        .unwrap();
        qpdf_check(&updated, None);
        assert_eq!(
            stored(&updated, b"Certs", None),
            [b"cert A".to_vec(), b"cert B".to_vec()]
        );
        assert_eq!(stored(&updated, b"OCSPs", None), [b"ocsp A".to_vec()]);
        // The indirect /Certs array was rewritten in place.
        let reloaded = Document::load_mem(&updated).unwrap();
        let store = reloaded
            .catalog()
            .unwrap()
            .get(b"DSS")
            .unwrap()
            .as_dict()
            .unwrap();
        assert_eq!(store.get(b"Certs").unwrap().as_reference().unwrap(), certs);
    }

    #[test]
    fn encrypts_the_store_of_an_encrypted_file() {
        let input = encrypted_pdf(true);
        assert_eq!(
            append_dss(&input, &contents(&[b"cert A"], &[], &[]), &limits()).unwrap_err(),
            Error::Encrypted
        );
        let updated = append_dss_with_password(
            &input,
            "user",
            &contents(&[b"plain certificate bytes"], &[], &[]),
            &limits(),
        )
        .unwrap();
        qpdf_check(&updated, Some("user"));
        assert!(
            !updated
                .windows(23)
                .any(|window| window == b"plain certificate bytes"),
            "the stream went out in clear"
        );
        assert_eq!(
            stored(&updated, b"Certs", Some("user")),
            [b"plain certificate bytes".to_vec()]
        );
    }

    #[test]
    fn refuses_a_malformed_store() {
        let mut document = crate::fixtures::document(&["x"]);
        let catalog_id = document
            .trailer
            .get(b"Root")
            .unwrap()
            .as_reference()
            .unwrap();
        document
            .get_dictionary_mut(catalog_id)
            .unwrap()
            .set("DSS", dictionary! { "Certs" => 5 });
        let mut input = Vec::new();
        document.save_to(&mut input).unwrap();
        assert!(matches!(
            append_dss(&input, &contents(&[b"cert"], &[], &[]), &limits()),
            Err(Error::Corrupt { .. })
        ));
        // Reading both: the store's error stays the store's.
        let (signatures, store) = signatures_and_dss(&input, &limits()).unwrap();
        assert!(signatures.is_empty());
        assert_eq!(store, dss(&input, &limits()));
        assert!(store.is_err());
    }

    #[test]
    fn signatures_and_dss_read_in_one_load_what_each_reads_alone() {
        let request = crate::SignatureRequest {
            field: crate::FieldTarget::New(crate::FieldSpec {
                name: "Sig".to_owned(),
                kind: crate::FieldKind::Signature,
                page: 1,
                rect: None,
            }),
            kind: crate::SignatureKind::Signature,
            signing_time: None,
            name: None,
            reason: None,
            location: None,
            appearance: None,
            contents_capacity: 4096,
        };
        for input in [classic_pdf(&["x"]), modern_pdf(&["x"])] {
            let signed = crate::prepare_signature(&input, &request, &limits())
                .unwrap()
                .embed(&fake_cms(500, 7))
                .unwrap();
            let stored = append_dss(
                &signed,
                &contents(&[b"cert A"], &[b"ocsp A"], &[b"crl A"]),
                &limits(),
            )
            .unwrap();
            for bytes in [&input, &signed, &stored] {
                let (signatures, store) = signatures_and_dss(bytes, &limits()).unwrap();
                assert_eq!(signatures, crate::signatures(bytes, &limits()).unwrap());
                assert_eq!(store, dss(bytes, &limits()));
            }
            let (signatures, store) = signatures_and_dss(&stored, &limits()).unwrap();
            assert_eq!(signatures.len(), 1);
            assert_eq!(
                store.unwrap(),
                contents(&[b"cert A"], &[b"ocsp A"], &[b"crl A"])
            );
        }
        let encrypted = encrypted_pdf(true);
        assert_eq!(
            signatures_and_dss(&encrypted, &limits()).unwrap_err(),
            Error::Encrypted
        );
        let (signatures, store) =
            signatures_and_dss_with_password(&encrypted, "user", &limits()).unwrap();
        assert!(signatures.is_empty());
        assert_eq!(store.unwrap(), DssContents::default());
        assert_eq!(
            signatures_and_dss(b"not a pdf", &limits()).unwrap_err(),
            crate::dss(b"not a pdf", &limits()).unwrap_err()
        );
    }
}
