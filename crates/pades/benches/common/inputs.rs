//! The benchmarks' input PDFs (BENCHMARKS.md), shared by `sign.rs` and `validate.rs` through
//! `#[path = "common/inputs.rs"] mod inputs;`: a minimal PDF writer (classic cross-reference
//! table, uncompressed streams, offsets computed as the objects are written) and the two inputs
//! it makes, a 100 KB text file and a 5 MB image file. `pades`' own tests include it too, for a
//! small text PDF to sign.

use std::path::Path;

/// One input file and its bytes.
pub(crate) struct Input {
    pub(crate) name: &'static str,
    pub(crate) bytes: Vec<u8>,
}

impl Input {
    /// Writes `bytes` to `dir/name`, so that other tools (pyHanko, qpdf) read the very same file.
    pub(crate) fn write(dir: &Path, name: &'static str, bytes: &[u8]) -> std::io::Result<Input> {
        std::fs::write(dir.join(name), bytes)?;
        Ok(Input {
            name,
            bytes: bytes.to_vec(),
        })
    }

    /// Both benchmark inputs, written to `dir`: `text-100k.pdf` and `image-5m.pdf`.
    pub(crate) fn standard(dir: &Path) -> std::io::Result<Vec<Input>> {
        Ok(vec![
            Input::write(dir, "text-100k.pdf", &text_pdf(20, 60))?,
            Input::write(dir, "image-5m.pdf", &image_pdf(2500, 2000))?,
        ])
    }

    /// The file name without `.pdf`.
    pub(crate) fn stem(&self) -> &str {
        self.name.trim_end_matches(".pdf")
    }

    /// The name and the size, for a table row.
    pub(crate) fn label(&self) -> String {
        format!("{} ({} bytes)", self.name, self.bytes.len())
    }
}

/// A PDF being written object by object; object `n` is the `n`-th added.
pub(crate) struct PdfWriter {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl PdfWriter {
    pub(crate) fn new() -> PdfWriter {
        PdfWriter {
            // The comment's high bytes mark the file as binary (ISO 32000-2 §7.5.2).
            out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            offsets: Vec::new(),
        }
    }

    /// Writes the next object, a dictionary or anything else written as `body`.
    pub(crate) fn object(&mut self, body: &str) -> usize {
        self.offsets.push(self.out.len());
        let number = self.offsets.len();
        self.out
            .extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
        number
    }

    /// Writes the next object as a stream with `dictionary`'s entries and an exact `/Length`.
    pub(crate) fn stream(&mut self, dictionary: &str, data: &[u8]) -> usize {
        self.offsets.push(self.out.len());
        let number = self.offsets.len();
        self.out.extend_from_slice(
            format!(
                "{number} 0 obj\n<< {dictionary} /Length {} >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        number
    }

    /// Writes the cross-reference table and the trailer, with object 1 as the catalog.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let xref = self.out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        let id = "<0123456789ABCDEF0123456789ABCDEF>";
        table.push_str(&format!(
            "trailer\n<< /Size {} /Root 1 0 R /ID [{id} {id}] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        ));
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}

/// `pages` A4 pages of `lines` lines of Helvetica text each, in uncompressed content streams
/// (20 × 60 gives about 100 KB).
pub(crate) fn text_pdf(pages: usize, lines: usize) -> Vec<u8> {
    let mut writer = PdfWriter::new();
    // Objects 1 to 3 are the catalog, the page tree and the font; pages follow in pairs.
    let kids: Vec<String> = (0..pages)
        .map(|page| format!("{} 0 R", 4 + 2 * page + 1))
        .collect();
    writer.object("<< /Type /Catalog /Pages 2 0 R >>");
    writer.object(&format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 3 0 R >> >> >>",
        kids.join(" ")
    ));
    writer.object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    for page in 1..=pages {
        let mut content = String::from("BT /F1 9 Tf 12 TL 50 800 Td\n");
        for line in 1..=lines {
            content.push_str(&format!(
                "(Page {page:03} line {line:03}: the quick brown fox jumps over the lazy dog \
                 near the river bank.) '\n"
            ));
        }
        content.push_str("ET\n");
        let contents = writer.stream("", content.as_bytes());
        writer.object(&format!(
            "<< /Type /Page /Parent 2 0 R /Contents {contents} 0 R >>"
        ));
    }
    writer.finish()
}

/// One A4 page showing a `width` × `height` 8-bit grey image of pseudo-random, incompressible
/// bytes, stored unfiltered (2500 × 2000 gives about 5 MB).
pub(crate) fn image_pdf(width: usize, height: usize) -> Vec<u8> {
    let mut writer = PdfWriter::new();
    writer.object("<< /Type /Catalog /Pages 2 0 R >>");
    writer.object("<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>");
    writer.object(
        "<< /Type /Page /Parent 2 0 R /Contents 4 0 R \
         /Resources << /XObject << /Im1 5 0 R >> >> >>",
    );
    writer.stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q");
    writer.stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /DeviceGray /BitsPerComponent 8"
        ),
        &noise(width * height),
    );
    writer.finish()
}

/// `len` bytes of xorshift64* output: fixed, so every run signs the same file.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}
