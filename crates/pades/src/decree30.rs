//! The Decree 30 flow for an outgoing document (Decree 30/2020 Điều 13–14, Phụ lục I §II.7–8):
//! the draft gets every field up front; the competent person signs; the clerk writes the number and
//! date; the clerk applies the agency's signature.
//!
//! Why the fields are created up front: pyHanko (and Adobe) treat a signature field *created* after a
//! signature as a modification that may be illegal, whereas *filling* a field that already existed is
//! the allowed FORM_FILLING class. So `prepare_draft` creates the two signature fields (leader, agency)
//! and two text fields (number and symbol, date line) in one revision before anyone signs; the leader's
//! signature is an approval signature (not a certification), which leaves form filling and later
//! signatures allowed. The number is therefore written as a text field value with its own appearance
//! stream, never as a change to the page content (see ARCHITECTURE.md, "Numbering a signed document").

use pdf::appearance::{Appearance, AppearanceItem, FontFace, Rgb};
use time::OffsetDateTime;

use crate::Error;

/// The leader's (competent person's) signature field.
pub const LEADER_FIELD: &str = "ky_so_lanh_dao";
/// The agency's signature field (the electronic seal).
pub const AGENCY_FIELD: &str = "ky_so_co_quan";
/// The text field that receives "Số: 06/KH-UBND".
pub const NUMBER_FIELD: &str = "so_ky_hieu";
/// The text field that receives the date line.
pub const DATE_FIELD: &str = "ngay_thang";

/// The font size of the number and the date line (Decree 30 Phụ lục I: 13–14 pt).
const FIELD_FONT_SIZE: f32 = 13.0;
/// The font size of the stamp on separate attachments (Phụ lục I Phần II: Times New Roman 10 pt).
const STAMP_FONT_SIZE: f32 = 10.0;

/// Where the draft's fields go (PDF points, origin bottom-left, `[x1 y1 x2 y2]`).
#[derive(Clone, Debug, PartialEq)]
pub struct DraftLayout {
    /// The page of the signature block (1-based).
    pub signature_page: usize,
    /// The signature box between the title line and the signer's name (box 7c).
    pub signature_box: [f32; 4],
    /// The page of the number and date (usually 1).
    pub header_page: usize,
    /// The "Số: …" box (box 3).
    pub number_box: [f32; 4],
    /// The date line box (box 4).
    pub date_box: [f32; 4],
}

/// Creates every field the flow will fill, in one revision, before anyone signs.
///
/// # Errors
/// `Error::Pdf` when the document cannot be read or changed.
pub fn prepare_draft(
    document: &[u8],
    layout: &DraftLayout,
    limits: &pdf::Limits,
) -> Result<Vec<u8>, Error> {
    let field = |name: &str, kind, page, rect| pdf::FieldSpec {
        name: name.to_owned(),
        kind,
        page,
        rect: Some(rect),
    };
    let fields = [
        field(
            NUMBER_FIELD,
            pdf::FieldKind::Text,
            layout.header_page,
            layout.number_box,
        ),
        field(
            DATE_FIELD,
            pdf::FieldKind::Text,
            layout.header_page,
            layout.date_box,
        ),
        field(
            LEADER_FIELD,
            pdf::FieldKind::Signature,
            layout.signature_page,
            layout.signature_box,
        ),
        // The agency's widget shares the box: its seal is drawn over the left third of the
        // signature image, as Phụ lục I §II.8 shows.
        field(
            AGENCY_FIELD,
            pdf::FieldKind::Signature,
            layout.signature_page,
            layout.signature_box,
        ),
    ];
    Ok(pdf::add_fields(document, &fields, limits)?)
}

/// Writes the number and symbol and the date line into their pre-created fields (the clerk's step
/// between the two signatures, Điều 14).
///
/// # Errors
/// `Error::Pdf` when a field is missing or the document cannot be changed.
pub fn write_number(
    document: &[u8],
    number_and_symbol: &domain::number::NumberAndSymbol,
    date_line: &str,
    limits: &pdf::Limits,
) -> Result<Vec<u8>, Error> {
    let numbered = pdf::fill_text_field(
        document,
        NUMBER_FIELD,
        &format!("Số: {number_and_symbol}"),
        FIELD_FONT_SIZE,
        limits,
    )?;
    Ok(pdf::fill_text_field(
        &numbered,
        DATE_FIELD,
        date_line,
        FIELD_FONT_SIZE,
        limits,
    )?)
}

/// The leader's look: the blue signature image, centred in the box, keeping its proportions.
pub fn leader_appearance(signature_png: &[u8], width: f32, height: f32) -> Appearance {
    let (image_width, image_height) = fit(png_size(signature_png), width, height);
    Appearance {
        width,
        height,
        items: vec![AppearanceItem::Image {
            png: signature_png.to_vec(),
            x: (width - image_width) / 2.0,
            y: (height - image_height) / 2.0,
            width: image_width,
            height: image_height,
        }],
    }
}

/// The agency's look: the red seal, as tall as the box, overlapping the left third of where the
/// leader's signature image sits (the image of `leader_appearance` for the same box).
pub fn agency_appearance(
    signature_png: &[u8],
    seal_png: &[u8],
    width: f32,
    height: f32,
) -> Appearance {
    let (signature_width, _) = fit(png_size(signature_png), width, height);
    let signature_left = (width - signature_width) / 2.0;
    let (seal_width, seal_height) = fit(png_size(seal_png), width / 2.0, height);
    // The seal's right edge lies one third into the signature image.
    let x = (signature_left + signature_width / 3.0 - seal_width).max(0.0);
    Appearance {
        width,
        height,
        items: vec![AppearanceItem::Image {
            png: seal_png.to_vec(),
            x,
            y: (height - seal_height) / 2.0,
            width: seal_width,
            height: seal_height,
        }],
    }
}

/// The agency's stamp on an attachment in a separate file: the number and symbol and the signing
/// time (ISO 8601, Vietnam time), Times-metric 10 pt, black, at the top right of page 1.
///
/// Returns the appearance and its box on an A4 page (`[x1 y1 x2 y2]`).
///
/// # Errors
/// Never fails for a valid time; `Error::Crypto` is not involved. Returns the text width computed
/// from the embedded font.
pub fn attachment_stamp(
    number_and_symbol: &str,
    signing_time: OffsetDateTime,
    page_width: f32,
    page_height: f32,
) -> (Appearance, [f32; 4]) {
    let local = signing_time.to_offset(domain::calendar::VIETNAM_OFFSET);
    let time_text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    );
    let lines = [format!("Số: {number_and_symbol}"), time_text];
    let width = lines
        .iter()
        .map(|line| pdf::appearance::text_width(FontFace::Serif, STAMP_FONT_SIZE, line))
        .fold(0.0_f32, f32::max)
        + 8.0;
    let line_height = STAMP_FONT_SIZE * 1.3;
    let height = line_height * lines.len() as f32 + 6.0;
    let items = lines
        .iter()
        .enumerate()
        .map(|(index, line)| AppearanceItem::Text {
            x: 4.0,
            y: height - 3.0 - line_height * (index as f32 + 1.0) + 3.0,
            size: STAMP_FONT_SIZE,
            font: FontFace::Serif,
            color: Rgb(0.0, 0.0, 0.0),
            text: line.clone(),
        })
        .collect();
    let margin = 20.0;
    let rect = [
        page_width - margin - width,
        page_height - margin - height,
        page_width - margin,
        page_height - margin,
    ];
    (
        Appearance {
            width,
            height,
            items,
        },
        rect,
    )
}

/// Width and height of a PNG from its IHDR chunk (PNG §11.2.2); `(1, 1)` when unreadable, so that a
/// bad image is reported by the renderer rather than here.
fn png_size(png: &[u8]) -> (f32, f32) {
    let read = |range: std::ops::Range<usize>| {
        png.get(range)
            .and_then(|bytes| <[u8; 4]>::try_from(bytes).ok())
            .map(u32::from_be_bytes)
    };
    match (read(16..20), read(20..24)) {
        (Some(width), Some(height)) if width > 0 && height > 0 => (width as f32, height as f32),
        _ => (1.0, 1.0),
    }
}

/// Scales `(width, height)` to fit inside the box, keeping proportions.
fn fit((width, height): (f32, f32), box_width: f32, box_height: f32) -> (f32, f32) {
    let scale = (box_width / width).min(box_height / height);
    (width * scale, height * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_fit_their_box_and_the_seal_covers_the_left_third() {
        assert_eq!(fit((200.0, 100.0), 100.0, 100.0), (100.0, 50.0));
        assert_eq!(fit((100.0, 200.0), 100.0, 100.0), (50.0, 100.0));
        let mut png = vec![0u8; 24];
        png[16..20].copy_from_slice(&300u32.to_be_bytes());
        png[20..24].copy_from_slice(&100u32.to_be_bytes());
        let mut seal = vec![0u8; 24];
        seal[16..20].copy_from_slice(&100u32.to_be_bytes());
        seal[20..24].copy_from_slice(&100u32.to_be_bytes());
        let agency = agency_appearance(&png, &seal, 240.0, 80.0);
        let AppearanceItem::Image { x, width, .. } = &agency.items[0] else {
            panic!("an image")
        };
        // Signature: 240 × 80, left 0; the seal (80 wide) ends at 80 = one third of 240.
        assert!((x + width - 80.0).abs() < 0.01, "{x} + {width}");
    }
}
