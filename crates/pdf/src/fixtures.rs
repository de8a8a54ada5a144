//! Test fixtures shared by the signing tests: small PDFs built with lopdf, and the external
//! checkers (qpdf, pdftotext) run on outputs.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use lopdf::content::{Content, Operation};
use lopdf::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter};
use lopdf::xref::XrefType;
use lopdf::{
    Document, EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary,
};

use crate::Limits;

pub(crate) fn limits() -> Limits {
    Limits::untrusted_upload()
}

/// A document with one page per entry of `texts`, each showing its text in Helvetica.
pub(crate) fn document(texts: &[&str]) -> Document {
    let mut doc = Document::with_version("1.7");
    doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for text in texts {
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 12.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal(*text)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = i64::try_from(kids.len()).unwrap();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"fedcba9876543210".to_vec()),
        ]),
    );
    doc
}

/// A PDF with a classic cross-reference table.
pub(crate) fn classic_pdf(texts: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    document(texts).save_to(&mut bytes).unwrap();
    bytes
}

/// A PDF with object streams and a cross-reference stream.
pub(crate) fn modern_pdf(texts: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    document(texts).save_modern(&mut bytes).unwrap();
    bytes
}

/// A one-page PDF encrypted with RC4-128 (`aes == false`) or AES-256, user password `user`.
pub(crate) fn encrypted_pdf(aes: bool) -> Vec<u8> {
    let mut doc = document(&["secret"]);
    let state = if aes {
        let crypt_filter: Arc<dyn CryptFilter> = Arc::new(Aes256CryptFilter);
        EncryptionState::try_from(EncryptionVersion::V5 {
            encrypt_metadata: true,
            crypt_filters: BTreeMap::from([(b"StdCF".to_vec(), crypt_filter)]),
            file_encryption_key: &[7; 32],
            stream_filter: b"StdCF".to_vec(),
            string_filter: b"StdCF".to_vec(),
            owner_password: "owner",
            user_password: "user",
            permissions: Permissions::all(),
        })
        .unwrap()
    } else {
        EncryptionState::try_from(EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: "user",
            key_length: 128,
            permissions: Permissions::all(),
        })
        .unwrap()
    };
    doc.encrypt(&state).unwrap();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// Bytes shaped like a DER SEQUENCE of `len` bytes in all, with pseudo-random content that ends
/// in a non-zero byte.
pub(crate) fn fake_cms(len: usize, seed: u32) -> Vec<u8> {
    assert!(len >= 4 && len - 4 <= usize::from(u16::MAX));
    let [high, low] = u16::try_from(len - 4).unwrap().to_be_bytes();
    let mut cms = vec![0x30, 0x82, high, low];
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    while cms.len() < len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [byte, ..] = state.to_be_bytes();
        cms.push(byte);
    }
    if let Some(last) = cms.last_mut() {
        *last |= 1;
    }
    cms
}

/// Runs `qpdf --check` on `bytes` and fails the test unless qpdf finds no error or warning.
#[track_caller]
pub(crate) fn qpdf_check(bytes: &[u8], password: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checked.pdf");
    std::fs::write(&path, bytes).unwrap();
    let mut command = Command::new("qpdf");
    if let Some(password) = password {
        command.arg(format!("--password={password}"));
    }
    let output = command
        .arg("--check")
        .arg(&path)
        .output()
        .expect("qpdf runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("No syntax or stream encoding errors"),
        "qpdf --check failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

/// The text `pdftotext` extracts from `bytes`.
pub(crate) fn pdftotext(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("text.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout).unwrap()
}
