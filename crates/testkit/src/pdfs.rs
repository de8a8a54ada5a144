//! Small, valid PDFs built in memory for tests.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A one-page PDF showing `text` (ASCII, Helvetica).
pub fn minimal_pdf(text: &str) -> Vec<u8> {
    pdf_with_pages(&[text])
}

/// A PDF with one page per entry of `texts`.
pub fn pdf_with_pages(texts: &[&str]) -> Vec<u8> {
    let mut document = Document::with_version("1.7");
    let pages_id = document.new_object_id();
    let font_id = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for text in texts {
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 14.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal(*text)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = document.add_object(Stream::new(
            dictionary! {},
            content.encode().unwrap_or_default(),
        ));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::from(page_id));
    }
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
        }),
    );
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).unwrap_or_default();
    bytes
}

/// Appends an incremental revision that replaces the content of page 1, the way an attacker would
/// change a signed document (lopdf's own incremental writer, not Vanthu's).
pub fn append_page_content_change(bytes: &[u8], text: &str) -> anyhow::Result<Vec<u8>> {
    let previous = Document::load_mem(bytes)?;
    let page_id = *previous
        .get_pages()
        .get(&1)
        .ok_or_else(|| anyhow::anyhow!("no page 1"))?;
    let mut incremental = lopdf::IncrementalDocument::create_from(bytes.to_vec(), previous);
    incremental.opt_clone_object_to_new_document(page_id)?;
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 400.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = incremental
        .new_document
        .add_object(Stream::new(dictionary! {}, content.encode()?));
    let page = incremental
        .new_document
        .get_object_mut(page_id)?
        .as_dict_mut()?;
    page.set("Contents", content_id);
    let mut out = Vec::new();
    incremental.save_to(&mut out)?;
    Ok(out)
}
