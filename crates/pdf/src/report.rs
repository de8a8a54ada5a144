//! Printable reports: the registers (sổ đăng ký văn bản đi / đến) as ruled tables on A4
//! landscape, and forms such as the routing slip (phiếu giải quyết văn bản đến) on A4 portrait.
//!
//! Decree 30/2020 requires the registers kept in the system to be printable with all their
//! columns, then signed and bound (Điều 16.2.b, 22.3.b). The text is Vietnamese, so it is set in
//! the same embedded Liberation Serif subsets as the signature appearances (`appearance::font`):
//! Type0 fonts with a ToUnicode CMap, so that `pdftotext` returns exactly the characters given.
//! One subset per face serves the whole document. A row that does not fit the rest of a page
//! starts a new page, which repeats the column headers; a row taller than a page is cut at the
//! page's foot rather than lost or overflowing. Characters the font cannot draw (a control
//! character, a combining mark, a script it lacks) are printed as `?` instead of failing the
//! whole register.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::Error;
use crate::appearance::font::{FontSubset, face};
use crate::appearance::{FontFace, text_width};

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The header, e.g. "Số, ký hiệu".
    pub header: String,
    /// The column's share of the table width (any positive weight).
    pub weight: f32,
}

/// A register or list printed as a ruled table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableReport {
    /// Lines at the top left, e.g. the organisation's name.
    pub heading: Vec<String>,
    /// The title, centred and bold, e.g. "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN".
    pub title: String,
    /// Centred under the title, e.g. "Năm 2026".
    pub subtitle: Option<String>,
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The rows: one text per column (missing cells are blank, extra ones ignored).
    pub rows: Vec<Vec<String>>,
    /// A4 landscape when true, portrait otherwise.
    pub landscape: bool,
}

/// A form printed as titled, ruled blocks of lines, on A4 portrait.
#[derive(Clone, Debug, PartialEq)]
pub struct FormReport {
    /// Lines at the top left, e.g. the organisation's name.
    pub heading: Vec<String>,
    /// The title, centred and bold.
    pub title: String,
    /// Lines centred under the title.
    pub subtitle: Vec<String>,
    /// The blocks, top to bottom.
    pub blocks: Vec<FormBlock>,
}

/// One block of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct FormBlock {
    /// The block's title, bold.
    pub title: String,
    /// Its lines (each wrapped to the block's width).
    pub lines: Vec<String>,
}

const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
const MARGIN: f32 = 36.0;
const BODY_SIZE: f32 = 9.0;
const HEADER_SIZE: f32 = 9.0;
const TITLE_SIZE: f32 = 14.0;
const LINE: f32 = 11.0;
const PADDING: f32 = 3.0;
const FOOTER: f32 = 20.0;
/// The least height of a form block, in points.
const FORM_BLOCK_MIN: f32 = 110.0;
/// Rows beyond this are refused: about 50,000 pages is more than any register of a year.
const MAX_ROWS: usize = 200_000;

/// Renders `report` as a PDF.
///
/// # Errors
/// [`Error::InvalidRequest`] for a table without columns, with a weight that is not a positive
/// number, or with more than 200,000 rows; [`Error::Appearance`] when a font cannot be embedded.
pub fn render_table(report: &TableReport) -> Result<Vec<u8>, Error> {
    if report.columns.is_empty()
        || report
            .columns
            .iter()
            .any(|column| !(column.weight.is_finite() && column.weight > 0.0))
    {
        return Err(Error::InvalidRequest {
            reason: "a table needs columns with positive weights",
        });
    }
    if report.rows.len() > MAX_ROWS {
        return Err(Error::InvalidRequest {
            reason: "the table has too many rows",
        });
    }
    let (page_width, page_height) = if report.landscape {
        (A4_LONG, A4_SHORT)
    } else {
        (A4_SHORT, A4_LONG)
    };
    let table_width = page_width - 2.0 * MARGIN;
    let widths = column_widths(&report.columns, table_width);

    let headers: Vec<Vec<String>> = report
        .columns
        .iter()
        .zip(&widths)
        .map(|(column, width)| {
            wrap(
                FontFace::SerifBold,
                HEADER_SIZE,
                &column.header,
                width - 2.0 * PADDING,
            )
        })
        .collect();
    let header_height = row_height(&headers);
    let rows: Vec<Vec<Vec<String>>> = report
        .rows
        .iter()
        .map(|row| {
            widths
                .iter()
                .enumerate()
                .map(|(index, width)| {
                    let text = row.get(index).map(String::as_str).unwrap_or("");
                    wrap(FontFace::Serif, BODY_SIZE, text, width - 2.0 * PADDING)
                })
                .collect()
        })
        .collect();

    let mut writer = Writer::new(page_width, page_height);
    let top = page_height - MARGIN;
    let bottom = MARGIN + FOOTER;
    let mut y = writer.title_block(
        &report.heading,
        &report.title,
        report.subtitle.as_slice(),
        top,
    )?;
    y = writer.table_row(
        &headers,
        &widths,
        y,
        header_height,
        FontFace::SerifBold,
        true,
    )?;
    for row in &rows {
        let height = row_height(row);
        if y - height < bottom && y < top - header_height - 1.0 {
            writer.new_page();
            y = writer.table_row(
                &headers,
                &widths,
                top,
                header_height,
                FontFace::SerifBold,
                true,
            )?;
        }
        // A row taller than a whole page is cut at the foot of the page.
        let height = height.min(y - bottom);
        y = writer.table_row(row, &widths, y, height, FontFace::Serif, false)?;
    }
    writer.finish()
}

/// Renders `report` as a PDF on A4 portrait.
///
/// # Errors
/// [`Error::Appearance`] when a font cannot be embedded.
pub fn render_form(report: &FormReport) -> Result<Vec<u8>, Error> {
    let mut writer = Writer::new(A4_SHORT, A4_LONG);
    let top = A4_LONG - MARGIN;
    let bottom = MARGIN + FOOTER;
    let width = A4_SHORT - 2.0 * MARGIN;
    let mut y = writer.title_block(&report.heading, &report.title, &report.subtitle, top)?;
    for block in &report.blocks {
        let mut lines = vec![(FontFace::SerifBold, block.title.clone())];
        for line in &block.lines {
            lines.extend(
                wrap(
                    FontFace::Serif,
                    BODY_SIZE + 2.0,
                    line,
                    width - 4.0 * PADDING,
                )
                .into_iter()
                .map(|text| (FontFace::Serif, text)),
            );
        }
        let line_height = LINE + 2.0;
        // Room below the typed lines for a handwritten note and signature, as on paper.
        let height = (lines.len() as f32 * line_height + 2.0 * PADDING + 4.0).max(FORM_BLOCK_MIN);
        if y - height < bottom && y < top - 1.0 {
            writer.new_page();
            y = top;
        }
        let height = height.min(y - bottom);
        writer.rectangle(MARGIN, y - height, width, height);
        let mut baseline = y - PADDING - line_height + 2.0;
        for (font, text) in &lines {
            if baseline < y - height + PADDING {
                break;
            }
            writer.text(
                *font,
                BODY_SIZE + 2.0,
                MARGIN + 2.0 * PADDING,
                baseline,
                text,
            )?;
            baseline -= line_height;
        }
        y -= height + 10.0;
    }
    writer.finish()
}

/// The columns' widths: shares of `table_width` by weight, except that a column whose header
/// would wrap is widened to hold it on one line (taken from the others, by weight) while the
/// headers fit side by side at all.
fn column_widths(columns: &[Column], table_width: f32) -> Vec<f32> {
    let needed: Vec<f32> = columns
        .iter()
        .map(|column| {
            let header = drawable(FontFace::SerifBold, &column.header);
            text_width(FontFace::SerifBold, HEADER_SIZE, &header) + 2.0 * PADDING + 1.0
        })
        .collect();
    let mut fixed = vec![false; columns.len()];
    if needed.iter().sum::<f32>() <= table_width {
        // Each pass fixes at least one more column, so `columns.len()` passes suffice.
        for _ in 0..columns.len() {
            let fixed_width: f32 = needed
                .iter()
                .zip(&fixed)
                .filter(|(_, is_fixed)| **is_fixed)
                .map(|(width, _)| *width)
                .sum();
            let free_weight: f32 = columns
                .iter()
                .zip(&fixed)
                .filter(|(_, is_fixed)| !**is_fixed)
                .map(|(column, _)| column.weight)
                .sum();
            let mut changed = false;
            for ((column, need), is_fixed) in columns.iter().zip(&needed).zip(fixed.iter_mut()) {
                let share =
                    (table_width - fixed_width) * column.weight / free_weight.max(f32::EPSILON);
                if !*is_fixed && share < *need {
                    *is_fixed = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    let fixed_width: f32 = needed
        .iter()
        .zip(&fixed)
        .filter(|(_, is_fixed)| **is_fixed)
        .map(|(width, _)| *width)
        .sum();
    let free_weight: f32 = columns
        .iter()
        .zip(&fixed)
        .filter(|(_, is_fixed)| !**is_fixed)
        .map(|(column, _)| column.weight)
        .sum();
    columns
        .iter()
        .zip(&needed)
        .zip(&fixed)
        .map(|((column, need), is_fixed)| {
            if *is_fixed {
                *need
            } else {
                (table_width - fixed_width) * column.weight / free_weight.max(f32::EPSILON)
            }
        })
        .collect()
}

/// The lines of `text` wrapped to `width` points: paragraphs at line breaks, words kept whole
/// unless a word alone is wider than the column.
fn wrap(font: FontFace, size: f32, text: &str, width: f32) -> Vec<String> {
    let text = drawable(font, text);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(font, size, &candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the column is broken between characters.
            for character in word.chars() {
                let mut next = line.clone();
                next.push(character);
                if !line.is_empty() && text_width(font, size, &next) > width {
                    lines.push(std::mem::take(&mut line));
                    line.push(character);
                } else {
                    line = next;
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
    }
    // An empty cell is one blank line.
    if lines.iter().all(String::is_empty) {
        return vec![String::new()];
    }
    lines
}

/// `text` with every character the font cannot draw replaced by `?` (line breaks kept, tabs
/// as spaces).
fn drawable(font: FontFace, text: &str) -> String {
    let Some(face) = face(font) else {
        return String::new();
    };
    text.chars()
        .map(|character| match character {
            '\n' => '\n',
            '\t' | '\r' => ' ',
            c if c.is_control() || ('\u{0300}'..='\u{036F}').contains(&c) => '?',
            c if c == ' ' || face.glyph_index(c).is_some_and(|glyph| glyph.0 != 0) => c,
            _ => '?',
        })
        .collect()
}

fn row_height(cells: &[Vec<String>]) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * LINE + 2.0 * PADDING
}

/// Builds the pages of one document, with one font subset per face for all of them.
struct Writer {
    width: f32,
    height: f32,
    document: Document,
    pages: Vec<Vec<u8>>,
    regular: FontSubset,
    bold: FontSubset,
}

impl Writer {
    fn new(width: f32, height: f32) -> Writer {
        Writer {
            width,
            height,
            document: Document::with_version("1.7"),
            pages: vec![Vec::new()],
            regular: FontSubset::new(FontFace::Serif),
            bold: FontSubset::new(FontFace::SerifBold),
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
    }

    fn content(&mut self) -> &mut Vec<u8> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        // Invariant: `pages` is not empty (pushed just above), so `last` indexes it.
        match self.pages.get_mut(last) {
            Some(page) => page,
            None => unreachable_page(),
        }
    }

    /// Draws `text` (already drawable) with its baseline starting at (`x`, `y`).
    fn text(&mut self, font: FontFace, size: f32, x: f32, y: f32, text: &str) -> Result<(), Error> {
        if text.is_empty() {
            return Ok(());
        }
        let text = drawable(font, text);
        let (name, subset) = match font {
            FontFace::Serif => ("F1", &mut self.regular),
            FontFace::SerifBold => ("F2", &mut self.bold),
        };
        let glyphs = subset.encode(&text)?;
        let mut operation = format!(
            "BT /{name} {} Tf {} {} Td <",
            number(size),
            number(x),
            number(y)
        );
        for byte in glyphs {
            operation.push_str(&format!("{byte:02X}"));
        }
        operation.push_str("> Tj ET\n");
        self.content().extend_from_slice(operation.as_bytes());
        Ok(())
    }

    fn centred(&mut self, font: FontFace, size: f32, y: f32, text: &str) -> Result<(), Error> {
        let text = drawable(font, text);
        let x = ((self.width - text_width(font, size, &text)) / 2.0).max(MARGIN);
        self.text(font, size, x, y, &text)
    }

    fn rectangle(&mut self, x: f32, y: f32, width: f32, height: f32) {
        let operation = format!(
            "{} {} {} {} re S\n",
            number(x),
            number(y),
            number(width),
            number(height)
        );
        self.content().extend_from_slice(operation.as_bytes());
    }

    /// The heading lines, the title and the subtitle from `top` down; returns the next free y.
    fn title_block(
        &mut self,
        heading: &[String],
        title: &str,
        subtitle: &[String],
        top: f32,
    ) -> Result<f32, Error> {
        let mut y = top - LINE;
        for line in heading {
            self.text(FontFace::SerifBold, BODY_SIZE + 1.0, MARGIN, y, line)?;
            y -= LINE + 1.0;
        }
        y -= 8.0;
        self.centred(FontFace::SerifBold, TITLE_SIZE, y, title)?;
        y -= TITLE_SIZE + 4.0;
        for line in subtitle {
            self.centred(FontFace::Serif, BODY_SIZE + 2.0, y, line)?;
            y -= LINE + 2.0;
        }
        Ok(y - 6.0)
    }

    /// One ruled row of cells with its top at `y`; returns the y of its bottom.
    fn table_row(
        &mut self,
        cells: &[Vec<String>],
        widths: &[f32],
        y: f32,
        height: f32,
        font: FontFace,
        centre: bool,
    ) -> Result<f32, Error> {
        let mut x = MARGIN;
        for (index, width) in widths.iter().enumerate() {
            self.rectangle(x, y - height, *width, height);
            if let Some(lines) = cells.get(index) {
                let mut baseline = y - PADDING - BODY_SIZE;
                for line in lines {
                    if baseline < y - height + PADDING - 1.0 {
                        break;
                    }
                    let left = if centre {
                        x + ((width - text_width(font, HEADER_SIZE, line)) / 2.0).max(PADDING)
                    } else {
                        x + PADDING
                    };
                    self.text(font, BODY_SIZE, left, baseline, line)?;
                    baseline -= LINE;
                }
            }
            x += width;
        }
        Ok(y - height)
    }

    /// Numbers the pages, embeds the fonts and writes the file.
    fn finish(mut self) -> Result<Vec<u8>, Error> {
        let count = self.pages.len();
        let footers: Vec<(f32, String)> = (1..=count)
            .map(|page| {
                let text = format!("Trang {page}/{count}");
                let x = (self.width - text_width(FontFace::Serif, BODY_SIZE, &text)) / 2.0;
                (x, text)
            })
            .collect();
        let mut contents = std::mem::take(&mut self.pages);
        for (content, (x, text)) in contents.iter_mut().zip(&footers) {
            let glyphs = self.regular.encode(text)?;
            let mut operation = format!(
                "BT /F1 {} Tf {} {} Td <",
                number(BODY_SIZE),
                number(*x),
                number(MARGIN)
            );
            for byte in glyphs {
                operation.push_str(&format!("{byte:02X}"));
            }
            operation.push_str("> Tj ET\n");
            content.extend_from_slice(operation.as_bytes());
        }

        let document = &mut self.document;
        let regular = self.regular.embed(document)?;
        let bold = self.bold.embed(document)?;
        let fonts = Dictionary::from_iter(vec![
            ("F1", Object::Reference(regular)),
            ("F2", Object::Reference(bold)),
        ]);
        let resources = add(
            document,
            Object::Dictionary(Dictionary::from_iter(vec![(
                "Font",
                Object::Dictionary(fonts),
            )])),
        )?;
        let pages_id = document.new_object_id();
        let mut kids = Vec::with_capacity(contents.len());
        for content in contents {
            let prefix = b"0.5 w 0 0 0 RG 0 0 0 rg\n".to_vec();
            let mut stream = Stream::new(Dictionary::new(), [prefix, content].concat());
            stream.compress().map_err(|_| Error::Appearance {
                reason: "a stream could not be compressed",
            })?;
            let content_id = add(document, Object::Stream(stream))?;
            let page = Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Page".to_vec())),
                ("Parent", Object::Reference(pages_id)),
                (
                    "MediaBox",
                    Object::Array(vec![
                        Object::Integer(0),
                        Object::Integer(0),
                        Object::Real(self.width),
                        Object::Real(self.height),
                    ]),
                ),
                ("Resources", Object::Reference(resources)),
                ("Contents", Object::Reference(content_id)),
            ]);
            kids.push(Object::Reference(add(document, Object::Dictionary(page))?));
        }
        let count = i64::try_from(kids.len()).map_err(|_| Error::InvalidRequest {
            reason: "the table has too many rows",
        })?;
        document.objects.insert(
            pages_id,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(kids)),
                ("Count", Object::Integer(count)),
            ])),
        );
        let catalog = add(
            document,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Catalog".to_vec())),
                ("Pages", Object::Reference(pages_id)),
            ])),
        )?;
        document.trailer.set("Root", Object::Reference(catalog));
        let mut bytes = Vec::new();
        document
            .save_to(&mut bytes)
            .map_err(|_| Error::Appearance {
                reason: "the report could not be written",
            })?;
        Ok(bytes)
    }
}

/// Never reached: see the invariant in `Writer::content`.
#[expect(clippy::panic, reason = "guarded by the invariant in Writer::content")]
fn unreachable_page() -> ! {
    panic!("a report always has a page")
}

fn add(document: &mut Document, object: Object) -> Result<ObjectId, Error> {
    document
        .try_add_object(object)
        .map_err(|_| Error::Appearance {
            reason: "the report's object numbers are exhausted",
        })
}

/// A number as content streams write it: at most two decimals, no exponent.
fn number(value: f32) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "" | "-0" => "0".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_breaks_long_ones() {
        let lines = wrap(
            FontFace::Serif,
            9.0,
            "Kế hoạch cải cách hành chính năm 2024",
            60.0,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.join(" "), "Kế hoạch cải cách hành chính năm 2024");
        let long = wrap(FontFace::Serif, 9.0, &"x".repeat(100), 30.0);
        assert!(long.len() > 3);
        assert_eq!(long.concat(), "x".repeat(100));
        assert_eq!(wrap(FontFace::Serif, 9.0, "", 30.0), vec![String::new()]);
        assert_eq!(wrap(FontFace::Serif, 9.0, "a\nb", 300.0), vec!["a", "b"]);
    }

    #[test]
    fn headers_get_one_line_when_the_table_is_wide_enough() {
        let columns: Vec<Column> = ["Ngày đến", "Ngày tháng văn bản", "Tên loại và trích yếu"]
            .iter()
            .map(|header| Column {
                header: (*header).to_owned(),
                weight: 1.0,
            })
            .collect();
        let widths = column_widths(&columns, 300.0);
        assert!(
            (widths.iter().sum::<f32>() - 300.0).abs() < 0.01,
            "{widths:?}"
        );
        for (column, width) in columns.iter().zip(&widths) {
            let lines = wrap(
                FontFace::SerifBold,
                HEADER_SIZE,
                &column.header,
                width - 2.0 * PADDING,
            );
            assert_eq!(lines.len(), 1, "{lines:?} in {width}");
        }
    }

    #[test]
    fn undrawable_characters_become_question_marks() {
        assert_eq!(drawable(FontFace::Serif, "Số 中\u{0}e\u{301}"), "Số ??e?");
    }

    #[test]
    fn a_table_without_columns_is_refused() {
        let report = TableReport {
            heading: Vec::new(),
            title: "T".to_owned(),
            subtitle: None,
            columns: Vec::new(),
            rows: Vec::new(),
            landscape: true,
        };
        assert!(matches!(
            render_table(&report),
            Err(Error::InvalidRequest { .. })
        ));
    }

    #[test]
    fn long_tables_break_into_pages() {
        let report = TableReport {
            heading: vec!["ỦY BAN NHÂN DÂN PHƯỜNG".to_owned()],
            title: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN".to_owned(),
            subtitle: Some("Năm 2026".to_owned()),
            columns: vec![
                Column {
                    header: "Số đến".to_owned(),
                    weight: 1.0,
                },
                Column {
                    header: "Tên loại và trích yếu".to_owned(),
                    weight: 4.0,
                },
            ],
            rows: (1..=120)
                .map(|n| vec![n.to_string(), format!("Công văn số {n} về việc thử nghiệm")])
                .collect(),
            landscape: true,
        };
        let bytes = render_table(&report).unwrap();
        let loaded = Document::load_mem(&bytes).unwrap();
        assert!(
            loaded.get_pages().len() >= 3,
            "{}",
            loaded.get_pages().len()
        );
    }
}
