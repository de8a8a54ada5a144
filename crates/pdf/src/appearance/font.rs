//! The embedded Liberation Serif fonts: advance widths for layout, and per-appearance subsets
//! written as Type0 / CIDFontType2 fonts (Identity-H, ToUnicode) so that text extracts exactly.
//!
//! Glyphs are looked up one character at a time through the font's cmap, without shaping or
//! kerning. Vietnamese needs neither once its letters are precomposed (NFC): every letter with
//! its tone mark has its own code point and glyph in Liberation Serif. Combining marks are refused
//! rather than drawn as unpositioned accents.
//!
//! A subset is built with typst's `subsetter`, which renumbers the kept glyphs 1, 2, 3… in the
//! order they were first used (glyph 0, `.notdef`, is always kept). The content stream addresses
//! glyphs by these new numbers, and since the subset's CIDs equal its glyph ids, the CIDFont uses
//! `/CIDToGIDMap /Identity`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object, ObjectId};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::{FontFace, add_object, compressed_stream, number};
use crate::Error;

static SERIF_REGULAR: &[u8] = include_bytes!("../../fonts/LiberationSerif-Regular.ttf");
static SERIF_BOLD: &[u8] = include_bytes!("../../fonts/LiberationSerif-Bold.ttf");

/// The font file of a face.
fn font_data(font: FontFace) -> &'static [u8] {
    match font {
        FontFace::Serif => SERIF_REGULAR,
        FontFace::SerifBold => SERIF_BOLD,
    }
}

/// The face's PostScript name (the `/BaseFont` after the subset tag).
fn postscript_name(font: FontFace) -> &'static str {
    match font {
        FontFace::Serif => "LiberationSerif",
        FontFace::SerifBold => "LiberationSerif-Bold",
    }
}

/// The parsed face; `None` only if the bundled file were unreadable, which the tests rule out.
pub(crate) fn face(font: FontFace) -> Option<&'static Face<'static>> {
    static REGULAR: OnceLock<Option<Face<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<Face<'static>>> = OnceLock::new();
    let cell = match font {
        FontFace::Serif => &REGULAR,
        FontFace::SerifBold => &BOLD,
    };
    cell.get_or_init(|| Face::parse(font_data(font), 0).ok())
        .as_ref()
}

/// The advance of `text` in points: the sum of the glyphs' advances, without kerning, exactly as
/// [`render_appearance`](super::render_appearance) draws it. A character the font lacks counts
/// as `.notdef`.
pub(super) fn text_width(font: FontFace, size: f32, text: &str) -> f32 {
    let Some(face) = face(font) else {
        return 0.0;
    };
    let units: u32 = text
        .chars()
        .map(|character| {
            let glyph = face.glyph_index(character).unwrap_or(GlyphId(0));
            u32::from(face.glyph_hor_advance(glyph).unwrap_or(0))
        })
        .sum();
    // Exact for any realistic line: `u32 as f32` loses nothing below 2^24 font units.
    let units = units as f32;
    units * size / f32::from(face.units_per_em())
}

/// Whether a character is refused even when the font maps it: control characters have no ink,
/// and combining marks (U+0300–U+036F, the ones Vietnamese NFD text uses) would be drawn after
/// their base letter instead of over it.
fn refused(character: char) -> bool {
    character.is_control() || ('\u{0300}'..='\u{036F}').contains(&character)
}

/// The glyphs of one face used in one appearance, renumbered for the subset.
#[derive(Debug)]
pub(crate) struct FontSubset {
    font: FontFace,
    remapper: GlyphRemapper,
    /// New glyph id → (original glyph id, the first character drawn with it).
    glyphs: BTreeMap<u16, (u16, char)>,
}

impl FontSubset {
    /// An empty subset of `font`.
    pub(crate) fn new(font: FontFace) -> Self {
        Self {
            font,
            remapper: GlyphRemapper::new(),
            glyphs: BTreeMap::new(),
        }
    }

    /// The face this subset is of.
    pub(super) fn font(&self) -> FontFace {
        self.font
    }

    /// Adds the glyphs of `text` and returns them as the two-byte, big-endian subset glyph ids
    /// that an Identity-H string holds.
    pub(crate) fn encode(&mut self, text: &str) -> Result<Vec<u8>, Error> {
        let face = face(self.font).ok_or(Error::Appearance {
            reason: "the embedded font is unreadable",
        })?;
        let mut encoded = Vec::with_capacity(text.len() * 2);
        for character in text.chars() {
            let original = face
                .glyph_index(character)
                .filter(|glyph| glyph.0 != 0 && !refused(character))
                .ok_or(Error::UnsupportedCharacter { character })?;
            let new = self.remapper.remap(original.0);
            self.glyphs.entry(new).or_insert((original.0, character));
            encoded.extend_from_slice(&new.to_be_bytes());
        }
        Ok(encoded)
    }

    /// Writes the subset font program and its dictionaries into `document` and returns the id of
    /// the Type0 font dictionary.
    pub(crate) fn embed(&self, document: &mut Document) -> Result<ObjectId, Error> {
        let face = face(self.font).ok_or(Error::Appearance {
            reason: "the embedded font is unreadable",
        })?;
        let program = subsetter::subset(font_data(self.font), 0, &self.remapper).map_err(|_| {
            Error::Appearance {
                reason: "the embedded font could not be subset",
            }
        })?;
        let base_font = format!("{}+{}", self.tag(), postscript_name(self.font));
        let scale = 1000.0 / f32::from(face.units_per_em());
        let scaled = |units: i16| Object::Real(number::round(f32::from(units) * scale));

        let program_length = i64::try_from(program.len()).map_err(|_| Error::Appearance {
            reason: "the font subset is too large",
        })?;
        let mut file_dictionary = Dictionary::new();
        file_dictionary.set("Length1", program_length);
        let font_file = add_object(document, compressed_stream(file_dictionary, program)?)?;

        let bbox = face.global_bounding_box();
        let bold = self.font == FontFace::SerifBold;
        let descriptor = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"FontDescriptor".to_vec())),
            ("FontName", Object::Name(base_font.clone().into_bytes())),
            // Serif (2) and Symbolic (4): the glyphs go beyond the Adobe standard Latin set.
            ("Flags", Object::Integer(6)),
            (
                "FontBBox",
                Object::Array(vec![
                    scaled(bbox.x_min),
                    scaled(bbox.y_min),
                    scaled(bbox.x_max),
                    scaled(bbox.y_max),
                ]),
            ),
            ("ItalicAngle", Object::Integer(0)),
            ("Ascent", scaled(face.ascender())),
            ("Descent", scaled(face.descender())),
            (
                "CapHeight",
                scaled(face.capital_height().unwrap_or(face.ascender())),
            ),
            // No stem widths in a TrueType font; the customary estimates for regular and bold.
            ("StemV", Object::Integer(if bold { 140 } else { 80 })),
            ("FontFile2", Object::Reference(font_file)),
        ]);
        let descriptor = add_object(document, descriptor)?;

        let cid_font = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
            ("BaseFont", Object::Name(base_font.clone().into_bytes())),
            (
                "CIDSystemInfo",
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("Registry", Object::string_literal("Adobe")),
                    ("Ordering", Object::string_literal("Identity")),
                    ("Supplement", Object::Integer(0)),
                ])),
            ),
            ("FontDescriptor", Object::Reference(descriptor)),
            ("DW", Object::Integer(1000)),
            ("W", Object::Array(self.widths(face, scale))),
            ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
        ]);
        let cid_font = add_object(document, cid_font)?;

        let to_unicode = add_object(
            document,
            compressed_stream(Dictionary::new(), self.to_unicode().into_bytes())?,
        )?;

        let type0 = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type0".to_vec())),
            ("BaseFont", Object::Name(base_font.into_bytes())),
            ("Encoding", Object::Name(b"Identity-H".to_vec())),
            (
                "DescendantFonts",
                Object::Array(vec![Object::Reference(cid_font)]),
            ),
            ("ToUnicode", Object::Reference(to_unicode)),
        ]);
        add_object(document, type0)
    }

    /// The `/W` array: one run `first [w1 w2 …]` per range of consecutive subset glyph ids, in
    /// thousandths of an em.
    fn widths(&self, face: &Face<'_>, scale: f32) -> Vec<Object> {
        let mut array = Vec::new();
        let mut run: Vec<Object> = Vec::new();
        let mut run_start = 0u16;
        let mut previous: Option<u16> = None;
        for (&new, &(original, _)) in &self.glyphs {
            if previous.is_none_or(|previous| previous.checked_add(1) != Some(new)) {
                if !run.is_empty() {
                    array.push(Object::Integer(i64::from(run_start)));
                    array.push(Object::Array(std::mem::take(&mut run)));
                }
                run_start = new;
            }
            let advance = face.glyph_hor_advance(GlyphId(original)).unwrap_or(0);
            run.push(Object::Real(number::round(f32::from(advance) * scale)));
            previous = Some(new);
        }
        if !run.is_empty() {
            array.push(Object::Integer(i64::from(run_start)));
            array.push(Object::Array(run));
        }
        array
    }

    /// The ToUnicode CMap: each subset glyph id to the character it was first drawn for.
    fn to_unicode(&self) -> String {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n\
             12 dict begin\n\
             begincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n\
             /CMapType 2 def\n\
             1 begincodespacerange\n\
             <0000> <FFFF>\n\
             endcodespacerange\n",
        );
        let entries: Vec<(u16, char)> = self
            .glyphs
            .iter()
            .map(|(&new, &(_, character))| (new, character))
            .collect();
        // A bfchar block holds at most 100 entries (PDF 32000-1 §9.10.3, after Adobe TN 5014).
        for block in entries.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", block.len());
            for &(glyph, character) in block {
                let _ = write!(cmap, "<{glyph:04X}> <");
                let mut utf16 = [0u16; 2];
                for unit in character.encode_utf16(&mut utf16) {
                    let _ = write!(cmap, "{unit:04X}");
                }
                cmap.push_str(">\n");
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str(
            "endcmap\n\
             CMapName currentdict /CMap defineresource pop\n\
             end\n\
             end\n",
        );
        cmap
    }

    /// The six-letter subset tag (PDF 32000-1 §9.6.4), derived from the face and its glyphs so
    /// that the output is deterministic: FNV-1a over the glyph ids, spelled in base 26.
    fn tag(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let face_byte = match self.font {
            FontFace::Serif => 1u8,
            FontFace::SerifBold => 2u8,
        };
        let bytes = std::iter::once(face_byte).chain(
            self.glyphs
                .values()
                .flat_map(|&(original, _)| original.to_be_bytes()),
        );
        for byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        (0..6)
            .map(|_| {
                let letter = b'A' + u8::try_from(hash % 26).unwrap_or(0);
                hash /= 26;
                char::from(letter)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_parse_and_map_vietnamese() {
        for font in [FontFace::Serif, FontFace::SerifBold] {
            let face = face(font).unwrap();
            for character in "ẮẰẲẴẶắằẳẵặỐỒỔỖỘốồổỗộỨỪỬỮỰứừửữựĐđƠơƯư".chars()
            {
                assert!(
                    face.glyph_index(character).is_some_and(|g| g.0 != 0),
                    "{character}"
                );
            }
        }
    }

    #[test]
    fn encode_renumbers_glyphs_in_order_of_first_use() {
        let mut subset = FontSubset::new(FontFace::Serif);
        assert_eq!(subset.encode("aba").unwrap(), vec![0, 1, 0, 2, 0, 1]);
        assert_eq!(subset.encode("c").unwrap(), vec![0, 3]);
        assert_eq!(subset.glyphs.len(), 3);
    }

    #[test]
    fn refuses_characters_it_cannot_draw() {
        for character in ['中', '\n', '\u{0301}', '\u{0000}'] {
            let mut subset = FontSubset::new(FontFace::Serif);
            assert_eq!(
                subset.encode(&format!("a{character}")),
                Err(Error::UnsupportedCharacter { character })
            );
        }
    }

    #[test]
    fn to_unicode_maps_each_glyph_to_its_character() {
        let mut subset = FontSubset::new(FontFace::Serif);
        subset.encode("Số đ").unwrap();
        let cmap = subset.to_unicode();
        assert!(cmap.contains("4 beginbfchar"), "{cmap}");
        assert!(cmap.contains("<0001> <0053>"), "{cmap}");
        assert!(cmap.contains("<0002> <1ED1>"), "{cmap}");
        assert!(cmap.contains("<0004> <0111>"), "{cmap}");
    }

    #[test]
    fn tag_is_six_capitals_and_depends_on_the_glyphs() {
        let mut first = FontSubset::new(FontFace::Serif);
        first.encode("abc").unwrap();
        let mut second = FontSubset::new(FontFace::Serif);
        second.encode("abd").unwrap();
        assert_eq!(first.tag().len(), 6);
        assert!(first.tag().chars().all(|c| c.is_ascii_uppercase()));
        assert_ne!(first.tag(), second.tag());
    }
}
