//! Visible signature appearances: the description (`Appearance`) that the signing engine lays out, and
//! its rendering into a PDF form XObject with embedded font subsets and images.
//!
//! Decree 30/2020/NĐ-CP (Phụ lục I) shows a leader's signature as a blue handwritten-signature
//! image, the agency's as a red seal image overlapping it, and the number, symbol and signing time
//! of an attachment as Times New Roman text. `render_appearance` (crate-internal, called by the
//! signing operations) draws such a description into one form XObject: items in order, each in
//! its own `q … Q`; text in a subset of Liberation Serif (metric-compatible with Times New Roman)
//! embedded as a Type0 font with a ToUnicode CMap, so that text extraction returns exactly the
//! characters given; PNG images with their transparency as a soft mask. Layout is the caller's:
//! [`text_width`] measures a line exactly as it is drawn.
//!
//! Text is drawn character by character, without shaping or kerning, and must be in NFC (the
//! composed form, in which every Vietnamese letter with its marks is one code point). A character
//! that Liberation Serif lacks, a control character or a combining mark is refused with
//! [`Error::UnsupportedCharacter`] rather than drawn as an empty box or a stray accent.

pub(crate) mod font;
mod image;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::Error;

/// A colour in DeviceRGB, each channel in 0.0..=1.0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

/// The embedded typefaces (Liberation Serif, metric-compatible with Times New Roman, which Decree 30
/// names; it covers Vietnamese).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontFace {
    /// Liberation Serif Regular.
    Serif,
    /// Liberation Serif Bold.
    SerifBold,
}

/// One element of an appearance, in the appearance's own coordinates (points, origin bottom-left).
#[derive(Clone, Debug, PartialEq)]
pub enum AppearanceItem {
    /// A line of text; `text` is any Unicode (NFC) string.
    Text {
        /// Left of the baseline.
        x: f32,
        /// The baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// The typeface.
        font: FontFace,
        /// Fill colour.
        color: Rgb,
        /// The text.
        text: String,
    },
    /// A PNG image (transparency kept), scaled into the box.
    Image {
        /// The PNG file's bytes.
        png: Vec<u8>,
        /// Left.
        x: f32,
        /// Bottom.
        y: f32,
        /// Width.
        width: f32,
        /// Height.
        height: f32,
    },
}

/// What a signature widget shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Appearance {
    /// Width of the box in points.
    pub width: f32,
    /// Height of the box in points.
    pub height: f32,
    /// Drawn in order (later items over earlier ones: the seal over the signature image).
    pub items: Vec<AppearanceItem>,
}

/// The width of `text` set in `font` at `size` points, in points: the sum of the glyphs' advance
/// widths, without kerning, which is exactly how the signing operations draw it. Use it to centre
/// or fit lines. A character the font lacks counts as the width of its `.notdef` glyph (rendering
/// such text fails with [`Error::UnsupportedCharacter`]).
pub fn text_width(font: FontFace, size: f32, text: &str) -> f32 {
    font::text_width(font, size, text)
}

/// The largest coordinate or dimension accepted, in points: 200 inches, the largest page that
/// PDF 32000-1 (Annex C) allows.
const MAX_POINTS: f32 = 14_400.0;

/// Renders `appearance` into `document` as a form XObject (`/BBox [0 0 width height]`, its own
/// `/Resources`) and returns the form's object id, ready to be an annotation's `/AP /N`.
///
/// Every object it adds is new (fonts are subset afresh for each appearance), so the form can be
/// written in an incremental update. Input is checked before anything is added: unusable
/// geometry gives [`Error::Appearance`], undrawable text [`Error::UnsupportedCharacter`], and a
/// bad or oversized PNG [`Error::InvalidImage`] or [`Error::ImageTooLarge`].
pub(crate) fn render_appearance(
    document: &mut Document,
    appearance: &Appearance,
) -> Result<ObjectId, Error> {
    let width = dimension(appearance.width, "the box width is not a positive size")?;
    let height = dimension(appearance.height, "the box height is not a positive size")?;

    // First everything that can fail on the caller's input; nothing is written to the document.
    let mut subsets: Vec<font::FontSubset> = Vec::new();
    let mut images: Vec<(&[u8], image::DecodedImage)> = Vec::new();
    let mut content = Vec::new();
    for item in &appearance.items {
        match item {
            AppearanceItem::Text {
                x,
                y,
                size,
                font,
                color,
                text,
            } => {
                let x = coordinate(*x)?;
                let y = coordinate(*y)?;
                let size = dimension(*size, "a font size is not a positive size")?;
                let [red, green, blue] = colour(*color)?;
                if text.is_empty() {
                    continue;
                }
                let index = match subsets.iter().position(|subset| subset.font() == *font) {
                    Some(index) => index,
                    None => {
                        subsets.push(font::FontSubset::new(*font));
                        subsets.len() - 1
                    }
                };
                let glyphs = subsets
                    .get_mut(index)
                    .ok_or(Error::Appearance {
                        reason: "font bookkeeping failed",
                    })?
                    .encode(text)?;
                content.extend_from_slice(
                    format!(
                        "q BT /F{} {} Tf {} {} {} rg {} {} Td <",
                        index + 1,
                        number::format(size),
                        number::format(red),
                        number::format(green),
                        number::format(blue),
                        number::format(x),
                        number::format(y),
                    )
                    .as_bytes(),
                );
                for byte in glyphs {
                    content.extend_from_slice(format!("{byte:02X}").as_bytes());
                }
                content.extend_from_slice(b"> Tj ET Q\n");
            }
            AppearanceItem::Image {
                png,
                x,
                y,
                width,
                height,
            } => {
                let x = coordinate(*x)?;
                let y = coordinate(*y)?;
                let image_width = dimension(*width, "an image width is not a positive size")?;
                let image_height = dimension(*height, "an image height is not a positive size")?;
                // The same PNG twice (a seal on several places) is embedded once.
                let index = match images
                    .iter()
                    .position(|(bytes, _)| *bytes == png.as_slice())
                {
                    Some(index) => index,
                    None => {
                        images.push((png.as_slice(), image::decode(png)?));
                        images.len() - 1
                    }
                };
                content.extend_from_slice(
                    format!(
                        "q {} 0 0 {} {} {} cm /Im{} Do Q\n",
                        number::format(image_width),
                        number::format(image_height),
                        number::format(x),
                        number::format(y),
                        index + 1,
                    )
                    .as_bytes(),
                );
            }
        }
    }

    let mut fonts = Dictionary::new();
    for (index, subset) in subsets.iter().enumerate() {
        let id = subset.embed(document)?;
        fonts.set(format!("F{}", index + 1), Object::Reference(id));
    }
    let mut xobjects = Dictionary::new();
    for (index, (_, decoded)) in images.into_iter().enumerate() {
        let id = image::embed(document, decoded)?;
        xobjects.set(format!("Im{}", index + 1), Object::Reference(id));
    }
    let mut resources = Dictionary::new();
    if !fonts.is_empty() {
        resources.set("Font", Object::Dictionary(fonts));
    }
    if !xobjects.is_empty() {
        resources.set("XObject", Object::Dictionary(xobjects));
    }
    let form = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Form".to_vec())),
        ("FormType", Object::Integer(1)),
        (
            "BBox",
            Object::Array(vec![
                Object::Integer(0),
                Object::Integer(0),
                Object::Real(width),
                Object::Real(height),
            ]),
        ),
        ("Resources", Object::Dictionary(resources)),
    ]);
    add_object(document, compressed_stream(form, content)?)
}

/// A positive, finite size of at most [`MAX_POINTS`].
fn dimension(value: f32, reason: &'static str) -> Result<f32, Error> {
    if value.is_finite() && value > 0.0 && value <= MAX_POINTS {
        Ok(value)
    } else {
        Err(Error::Appearance { reason })
    }
}

/// A finite coordinate within ±[`MAX_POINTS`].
fn coordinate(value: f32) -> Result<f32, Error> {
    if value.is_finite() && value.abs() <= MAX_POINTS {
        Ok(value)
    } else {
        Err(Error::Appearance {
            reason: "a position is not a finite number of points on the page",
        })
    }
}

/// The colour's channels, clamped into 0.0..=1.0; NaN is refused.
fn colour(color: Rgb) -> Result<[f32; 3], Error> {
    let Rgb(red, green, blue) = color;
    if [red, green, blue].iter().any(|channel| channel.is_nan()) {
        return Err(Error::Appearance {
            reason: "a colour channel is not a number",
        });
    }
    Ok([red, green, blue].map(|channel| channel.clamp(0.0, 1.0)))
}

/// Adds an object to the document, with an error instead of lopdf's panic when object numbers
/// run out.
fn add_object(document: &mut Document, object: impl Into<Object>) -> Result<ObjectId, Error> {
    document
        .try_add_object(object)
        .map_err(|_| Error::Unsignable {
            reason: "its object numbers are exhausted",
        })
}

/// A stream with `content`, Flate-compressed when that makes it smaller.
fn compressed_stream(dictionary: Dictionary, content: Vec<u8>) -> Result<Stream, Error> {
    let mut stream = Stream::new(dictionary, content);
    stream.compress().map_err(|_| Error::Appearance {
        reason: "a stream could not be compressed",
    })?;
    Ok(stream)
}

/// Numbers as PDF writes them: no exponent, at most three decimals in content streams.
mod number {
    /// `value` (finite, checked by the caller) with at most three decimals and no trailing
    /// zeros, as content-stream syntax wants (`12`, `0.5`, `-3.125`).
    pub(super) fn format(value: f32) -> String {
        let text = format!("{value:.3}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" || text.is_empty() {
            String::from("0")
        } else {
            text.to_owned()
        }
    }

    /// `value` rounded to two decimals, for metrics in font dictionaries.
    pub(super) fn round(value: f32) -> f32 {
        (value * 100.0).round() / 100.0
    }
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own fixtures and fail loudly; the crate-level denial guards input"
)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use lopdf::dictionary;

    use super::*;

    const SIGNATURE: &[u8] = include_bytes!("../test_data/signature-blue.png");
    const SEAL: &[u8] = include_bytes!("../test_data/seal-red.png");
    const LINE: &str = "Số: 06/KH-UBND · Ký ngày 2024-01-10T09:30:00+07:00 · Nguyễn Văn An · ĐẾN";

    /// Where the appearance sits on the A4 test page, in points.
    const ORIGIN: (f32, f32) = (40.0, 500.0);
    const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);

    /// The Decree 30 arrangement: the seal over the left third of the signature, text below.
    fn decree30_appearance() -> Appearance {
        let width = text_width(FontFace::Serif, 10.0, LINE) + 20.0;
        Appearance {
            width,
            height: 200.0,
            items: vec![
                AppearanceItem::Image {
                    png: SIGNATURE.to_vec(),
                    x: 60.0,
                    y: 60.0,
                    width: 240.0,
                    height: 100.0,
                },
                AppearanceItem::Image {
                    png: SEAL.to_vec(),
                    x: 20.0,
                    y: 40.0,
                    width: 120.0,
                    height: 120.0,
                },
                AppearanceItem::Text {
                    x: 10.0,
                    y: 20.0,
                    size: 10.0,
                    font: FontFace::Serif,
                    color: BLACK,
                    text: LINE.to_owned(),
                },
                AppearanceItem::Text {
                    x: 10.0,
                    y: 6.0,
                    size: 8.0,
                    font: FontFace::SerifBold,
                    color: Rgb(0.8, 0.0, 0.0),
                    text: "CHỦ TỊCH".to_owned(),
                },
            ],
        }
    }

    /// A one-page A4 document.
    fn one_page_document() -> (Document, ObjectId) {
        let mut document = Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        document.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
            }),
        );
        let catalog_id = document.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        });
        document.trailer.set("Root", catalog_id);
        (document, page_id)
    }

    /// Renders `appearance` onto the test page (a `Do` in the page content, so that poppler draws
    /// it) and saves the file in `directory`; returns its path and the bytes the appearance added.
    fn render_on_page(directory: &Path, appearance: &Appearance) -> (std::path::PathBuf, usize) {
        let (mut document, page_id) = one_page_document();
        let mut before = Vec::new();
        document.clone().save_to(&mut before).unwrap();
        let form = render_appearance(&mut document, appearance).unwrap();
        let placement = format!("q 1 0 0 1 {} {} cm /Sig Do Q\n", ORIGIN.0, ORIGIN.1);
        let content = document.add_object(Stream::new(dictionary! {}, placement.into_bytes()));
        let page = document
            .get_object_mut(page_id)
            .unwrap()
            .as_dict_mut()
            .unwrap();
        page.set("Contents", content);
        page.set(
            "Resources",
            dictionary! { "XObject" => dictionary! { "Sig" => form } },
        );
        let path = directory.join("appearance.pdf");
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        (path, bytes.len() - before.len())
    }

    fn run(program: &str, arguments: &[&str]) -> String {
        let output = Command::new(program).args(arguments).output().unwrap();
        assert!(
            output.status.success(),
            "{program} {arguments:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// A 72-dpi rendering of the A4 test page (one pixel a point).
    struct Rendering {
        pixels: Vec<u8>,
        line_size: usize,
        samples: usize,
    }

    impl Rendering {
        fn open(png_path: &Path) -> Self {
            let file = std::io::BufReader::new(std::fs::File::open(png_path).unwrap());
            let mut decoder = png::Decoder::new(file);
            decoder.set_transformations(png::Transformations::normalize_to_color8());
            let mut reader = decoder.read_info().unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            let frame = reader.next_frame(&mut pixels).unwrap();
            assert_eq!((frame.width, frame.height), (595, 842));
            Self {
                pixels,
                line_size: frame.line_size,
                samples: frame.color_type.samples(),
            }
        }

        /// RGB at the appearance point (x, y).
        fn at(&self, x: f32, y: f32) -> [u8; 3] {
            let column = (ORIGIN.0 + x) as usize;
            let row = 842 - (ORIGIN.1 + y) as usize;
            let start = row * self.line_size + column * self.samples;
            [
                self.pixels[start],
                self.pixels[start + 1],
                self.pixels[start + 2],
            ]
        }
    }

    #[test]
    fn vietnamese_text_and_transparent_images_survive_poppler_and_qpdf() {
        let directory = tempfile::tempdir().unwrap();
        let (path, added) = render_on_page(directory.path(), &decree30_appearance());
        let path_text = path.to_str().unwrap();
        // The appearance stays small: about 14 KB for the two font subsets and 50 KB for the
        // two demo images with their masks.
        assert!(added < 80_000, "{added} bytes");

        let text = run("pdftotext", &["-enc", "UTF-8", path_text, "-"]);
        assert!(text.contains(LINE), "{text:?}");
        assert!(text.contains("CHỦ TỊCH"), "{text:?}");

        let fonts = run("pdffonts", &[path_text]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert_eq!(rows.len(), 2, "{fonts}");
        for row in rows {
            let columns: Vec<&str> = row.split_whitespace().collect();
            assert!(
                columns[0].len() > 7 && columns[0].as_bytes()[6] == b'+',
                "{fonts}"
            );
            assert!(
                columns[0].ends_with("+LiberationSerif")
                    || columns[0].ends_with("+LiberationSerif-Bold")
            );
            // name, type (CID TrueType), encoding (Identity-H), emb, sub, uni, object, generation.
            assert_eq!(&columns[1..4], ["CID", "TrueType", "Identity-H"], "{fonts}");
            assert_eq!(&columns[4..7], ["yes", "yes", "yes"], "{fonts}");
        }

        let check = Command::new("qpdf")
            .args(["--check", path_text])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&check.stdout);
        assert!(check.status.success(), "{report}");
        assert!(
            report.contains("No syntax or stream encoding errors found"),
            "{report}"
        );
        assert!(!report.to_lowercase().contains("warning"), "{report}");

        let prefix = directory.path().join("page");
        run(
            "pdftoppm",
            &[
                "-r",
                "72",
                "-png",
                "-singlefile",
                path_text,
                prefix.to_str().unwrap(),
            ],
        );
        let rendered = Rendering::open(&directory.path().join("page.png"));
        // The centre of the seal (its star) is red.
        let [red, green, blue] = rendered.at(80.0, 100.0);
        assert!(
            red > 150 && green < 100 && blue < 100,
            "seal centre {red} {green} {blue}"
        );
        // The seal image's top-left corner is transparent, and not covered by the signature:
        // white shows through.
        assert_eq!(rendered.at(22.0, 158.0), [255, 255, 255]);
        // Likewise the signature image's top-right corner.
        assert_eq!(rendered.at(298.0, 158.0), [255, 255, 255]);
        // Somewhere in the signature there is blue ink.
        let blue_ink = (60..300).any(|x| {
            (60..160).any(|y| {
                let [red, green, blue] = rendered.at(x as f32, y as f32);
                blue > 120 && red < 90 && green < 110
            })
        });
        assert!(blue_ink);
    }

    #[test]
    fn form_xobject_has_bbox_resources_and_compressed_content() {
        let (mut document, _) = one_page_document();
        let appearance = decree30_appearance();
        let form_id = render_appearance(&mut document, &appearance).unwrap();
        let form = document.get_object(form_id).unwrap().as_stream().unwrap();
        assert_eq!(
            form.dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"Form"
        );
        assert_eq!(
            form.dict.get(b"BBox").unwrap().as_array().unwrap()[3],
            Object::Real(200.0)
        );
        assert_eq!(
            form.dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"FlateDecode"
        );
        let content = String::from_utf8(form.decompressed_content().unwrap()).unwrap();
        assert!(
            content.starts_with(
                "q 240 0 0 100 60 60 cm /Im1 Do Q\nq 120 0 0 120 20 40 cm /Im2 Do Q\n"
            ),
            "{content}"
        );
        assert!(
            content.contains("q BT /F1 10 Tf 0 0 0 rg 10 20 Td <0001"),
            "{content}"
        );
        assert!(
            content.contains("q BT /F2 8 Tf 0.8 0 0 rg 10 6 Td <"),
            "{content}"
        );
        let resources = form.dict.get(b"Resources").unwrap().as_dict().unwrap();
        let images = resources.get(b"XObject").unwrap().as_dict().unwrap();
        let signature = document
            .get_object(images.get(b"Im1").unwrap().as_reference().unwrap())
            .unwrap()
            .as_stream()
            .unwrap();
        assert_eq!(
            signature
                .dict
                .get(b"ColorSpace")
                .unwrap()
                .as_name()
                .unwrap(),
            b"DeviceRGB"
        );
        assert!(signature.dict.get(b"SMask").is_ok());
    }

    #[test]
    fn the_same_png_twice_is_embedded_once() {
        let (mut document, _) = one_page_document();
        let image = |x| AppearanceItem::Image {
            png: SEAL.to_vec(),
            x,
            y: 0.0,
            width: 50.0,
            height: 50.0,
        };
        let before = document.objects.len();
        render_appearance(
            &mut document,
            &Appearance {
                width: 100.0,
                height: 50.0,
                items: vec![image(0.0), image(50.0)],
            },
        )
        .unwrap();
        // The image, its soft mask and the form.
        assert_eq!(document.objects.len() - before, 3);
    }

    #[test]
    fn text_width_grows_with_text_and_size() {
        let short = text_width(FontFace::Serif, 12.0, "Số");
        assert!(short > 0.0);
        assert!(text_width(FontFace::Serif, 12.0, "Số: 06/KH-UBND") > short);
        assert!((text_width(FontFace::Serif, 24.0, "Số") - 2.0 * short).abs() < 1e-3);
        assert!(
            text_width(FontFace::SerifBold, 12.0, "m") > text_width(FontFace::Serif, 12.0, "m")
        );
        assert_eq!(text_width(FontFace::Serif, 12.0, ""), 0.0);
        // Times New Roman metrics: "S" is 556/1000 em, "ố" (an "o") 500/1000.
        assert!((short - 12.672).abs() < 0.01, "{short}");
    }

    #[test]
    fn bad_input_is_refused_before_anything_is_written() {
        let text = |text: &str, size: f32| AppearanceItem::Text {
            x: 0.0,
            y: 0.0,
            size,
            font: FontFace::Serif,
            color: BLACK,
            text: text.to_owned(),
        };
        let cases = [
            (
                vec![text("Chữ Hán 中", 10.0)],
                Error::UnsupportedCharacter { character: '中' },
            ),
            // NFD: "ệ" as "e" + U+0323 + U+0302.
            (
                vec![text("Nguye\u{0302}\u{0303}n", 10.0)],
                Error::UnsupportedCharacter {
                    character: '\u{0302}',
                },
            ),
            (
                vec![text("a", f32::NAN)],
                Error::Appearance {
                    reason: "a font size is not a positive size",
                },
            ),
            (
                vec![
                    text("fine", 10.0),
                    AppearanceItem::Image {
                        png: SEAL[..100].to_vec(),
                        x: 0.0,
                        y: 0.0,
                        width: 1.0,
                        height: 1.0,
                    },
                ],
                Error::InvalidImage { reason: "any" },
            ),
        ];
        for (items, expected) in cases {
            let (mut document, _) = one_page_document();
            let before = document.objects.len();
            let appearance = Appearance {
                width: 100.0,
                height: 50.0,
                items,
            };
            let error = render_appearance(&mut document, &appearance).unwrap_err();
            assert_eq!(
                std::mem::discriminant(&error),
                std::mem::discriminant(&expected),
                "{error:?}"
            );
            if !matches!(expected, Error::InvalidImage { .. }) {
                assert_eq!(error, expected);
            }
            assert_eq!(document.objects.len(), before);
        }
        let (mut document, _) = one_page_document();
        for (width, height) in [(0.0, 10.0), (10.0, f32::INFINITY), (-1.0, 5.0), (1e9, 5.0)] {
            let appearance = Appearance {
                width,
                height,
                items: Vec::new(),
            };
            assert!(matches!(
                render_appearance(&mut document, &appearance),
                Err(Error::Appearance { .. })
            ));
        }
    }

    #[test]
    fn numbers_are_written_without_exponents() {
        assert_eq!(number::format(12.0), "12");
        assert_eq!(number::format(0.5), "0.5");
        assert_eq!(number::format(-3.125), "-3.125");
        assert_eq!(number::format(-0.0001), "0");
        assert_eq!(number::format(14_400.0), "14400");
        assert_eq!(number::format(1e-7), "0");
    }
}
