//! PNG images of signature appearances (the blue handwritten signature, the red seal) decoded
//! under size limits and written as image XObjects, with an `/SMask` when they are transparent.
//!
//! The PNGs come from users, so decoding is bounded: at most [`MAX_SIDE`] pixels a side and
//! [`MAX_DECODED_BYTES`] once decoded, checked from the header before any pixel is inflated, and
//! the decoder's own allocation limit set to the same budget. Every PNG colour type is accepted:
//! palette and low bit depths are expanded and 16-bit samples stripped to 8 bits, and `tRNS`
//! transparency becomes an alpha channel, so the result is always 8-bit grey or RGB, with or
//! without alpha. Gamma and colour profiles are ignored (sRGB is assumed).

use std::io::Cursor;

use lopdf::{Dictionary, Document, Object, ObjectId};
use png::{ColorType, Decoder, Limits, Transformations};

use super::{add_object, compressed_stream};
use crate::Error;

/// The largest width or height accepted, in pixels.
pub(super) const MAX_SIDE: u32 = 4096;
/// The largest decoded size accepted (4096 × 4096 RGBA), in bytes.
pub(super) const MAX_DECODED_BYTES: usize = 64 * 1024 * 1024;

/// A decoded PNG: 8-bit samples, colour and alpha split as PDF wants them.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct DecodedImage {
    width: u32,
    height: u32,
    /// Whether `colour` has three samples a pixel (RGB) or one (grey).
    rgb: bool,
    colour: Vec<u8>,
    /// One sample a pixel; `None` when the image has no alpha or is fully opaque.
    alpha: Option<Vec<u8>>,
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidImage { reason }
}

/// Decodes a PNG file under the limits above.
pub(super) fn decode(png_bytes: &[u8]) -> Result<DecodedImage, Error> {
    let mut decoder = Decoder::new_with_limits(
        Cursor::new(png_bytes),
        Limits {
            bytes: MAX_DECODED_BYTES,
        },
    );
    decoder.set_transformations(Transformations::normalize_to_color8());
    let header = decoder
        .read_header_info()
        .map_err(|_| invalid("bad png header"))?;
    let (width, height) = (header.width, header.height);
    if width == 0 || height == 0 {
        return Err(invalid("the image is empty"));
    }
    // Four bytes a pixel bounds every output colour type after the transformations.
    let worst_case = u64::from(width) * u64::from(height) * 4;
    if width > MAX_SIDE || height > MAX_SIDE || worst_case > MAX_DECODED_BYTES as u64 {
        return Err(Error::ImageTooLarge { width, height });
    }
    let mut reader = decoder
        .read_info()
        .map_err(|_| invalid("bad png metadata"))?;
    let size = reader
        .output_buffer_size()
        .filter(|&size| size <= MAX_DECODED_BYTES)
        .ok_or(Error::ImageTooLarge { width, height })?;
    let mut buffer = vec![0; size];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|_| invalid("truncated or corrupt png data"))?;
    if frame.width != width || frame.height != height {
        return Err(invalid("unexpected frame size"));
    }
    buffer.truncate(frame.buffer_size());
    let (rgb, has_alpha) = match frame.color_type {
        ColorType::Grayscale => (false, false),
        ColorType::GrayscaleAlpha => (false, true),
        ColorType::Rgb => (true, false),
        ColorType::Rgba => (true, true),
        ColorType::Indexed => return Err(invalid("palette was not expanded")),
    };
    if frame.bit_depth != png::BitDepth::Eight {
        return Err(invalid("samples were not converted to 8 bits"));
    }
    let colour_samples = if rgb { 3 } else { 1 };
    let pixel_bytes = colour_samples + usize::from(has_alpha);
    let line_bytes = frame.line_size;
    let row_pixels = usize::try_from(width).map_err(|_| Error::ImageTooLarge { width, height })?;
    if line_bytes < row_pixels * pixel_bytes {
        return Err(invalid("unexpected row size"));
    }
    if !has_alpha {
        let colour = if line_bytes == row_pixels * pixel_bytes {
            buffer
        } else {
            buffer
                .chunks_exact(line_bytes)
                .flat_map(|row| row.iter().take(row_pixels * pixel_bytes).copied())
                .collect()
        };
        return Ok(DecodedImage {
            width,
            height,
            rgb,
            colour,
            alpha: None,
        });
    }
    let pixel_count = row_pixels * usize::try_from(height).unwrap_or(0);
    let mut colour = Vec::with_capacity(pixel_count * colour_samples);
    let mut alpha = Vec::with_capacity(pixel_count);
    for row in buffer.chunks_exact(line_bytes) {
        for pixel in row.chunks_exact(pixel_bytes).take(row_pixels) {
            if let Some((&opacity, samples)) = pixel.split_last() {
                colour.extend_from_slice(samples);
                alpha.push(opacity);
            }
        }
    }
    let opaque = alpha.iter().all(|&opacity| opacity == u8::MAX);
    Ok(DecodedImage {
        width,
        height,
        rgb,
        colour,
        alpha: (!opaque).then_some(alpha),
    })
}

/// Writes the image (and its soft mask) into `document` and returns the image XObject's id.
///
/// The samples are Flate-compressed without a PNG predictor: for line art such as signatures
/// and seals, plain Flate came out 25–50 % smaller than the Sub, Up or Paeth predictors.
pub(super) fn embed(document: &mut Document, image: DecodedImage) -> Result<ObjectId, Error> {
    let colour_space: &[u8] = if image.rgb {
        b"DeviceRGB"
    } else {
        b"DeviceGray"
    };
    let mut dictionary = image_dictionary(image.width, image.height, colour_space);
    if let Some(alpha) = image.alpha {
        let mask_dictionary = image_dictionary(image.width, image.height, b"DeviceGray");
        let mask = add_object(document, compressed_stream(mask_dictionary, alpha)?)?;
        dictionary.set("SMask", Object::Reference(mask));
    }
    add_object(document, compressed_stream(dictionary, image.colour)?)
}

fn image_dictionary(width: u32, height: u32, colour_space: &[u8]) -> Dictionary {
    Dictionary::from_iter(vec![
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Image".to_vec())),
        ("Width", Object::Integer(i64::from(width))),
        ("Height", Object::Integer(i64::from(height))),
        ("ColorSpace", Object::Name(colour_space.to_vec())),
        ("BitsPerComponent", Object::Integer(8)),
    ])
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index their own fixtures and fail loudly; the crate-level denial guards input"
)]
mod tests {
    use super::*;

    const SIGNATURE: &[u8] = include_bytes!("../../test_data/signature-blue.png");
    const SEAL: &[u8] = include_bytes!("../../test_data/seal-red.png");

    /// CRC-32 (ISO 3309, as PNG uses), bit by bit: test data only.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = u32::MAX;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
        out
    }

    /// A PNG whose header claims `width`×`height` RGBA pixels, followed by a tiny IDAT.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &header));
        // zlib stream of a few zero bytes.
        png.extend(chunk(
            b"IDAT",
            &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
        ));
        png.extend(chunk(b"IEND", &[]));
        png
    }

    fn encode(
        width: u32,
        height: u32,
        colour: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(colour);
        encoder.set_depth(depth);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn demo_assets_decode_with_alpha() {
        let signature = decode(SIGNATURE).unwrap();
        assert_eq!(
            (signature.width, signature.height, signature.rgb),
            (360, 150, true)
        );
        assert_eq!(signature.colour.len(), 360 * 150 * 3);
        assert_eq!(signature.alpha.as_ref().unwrap().len(), 360 * 150);
        // The seal is a palette PNG whose transparency is a tRNS chunk.
        let seal = decode(SEAL).unwrap();
        assert_eq!((seal.width, seal.height, seal.rgb), (300, 300, true));
        let alpha = seal.alpha.unwrap();
        assert_eq!(alpha.first(), Some(&0));
        // The centre of the star is opaque red.
        let centre = 150 * 300 + 150;
        assert!(alpha[centre] > 200);
        assert!(seal.colour[centre * 3] > 150 && seal.colour[centre * 3 + 1] < 80);
    }

    #[test]
    fn sixteen_bit_grey_is_stripped_to_eight_and_opaque_alpha_dropped() {
        // 2×1 grey+alpha, 16 bits: samples 0xFFFF/0xFFFF and 0x0000/0xFFFF.
        let png = encode(
            2,
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Sixteen,
            &[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF],
        );
        let image = decode(&png).unwrap();
        assert_eq!(
            image,
            DecodedImage {
                width: 2,
                height: 1,
                rgb: false,
                colour: vec![255, 0],
                alpha: None
            }
        );
    }

    #[test]
    fn one_bit_grey_is_expanded() {
        let png = encode(
            3,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            &[0b1010_0000],
        );
        let image = decode(&png).unwrap();
        assert_eq!(image.colour, vec![255, 0, 255]);
    }

    #[test]
    fn hostile_pngs_are_errors() {
        assert!(matches!(decode(b""), Err(Error::InvalidImage { .. })));
        assert!(matches!(
            decode(b"not a png at all"),
            Err(Error::InvalidImage { .. })
        ));
        for cut in [8, 20, 33, 60, 200, SEAL.len() / 2, SEAL.len() - 13] {
            assert!(
                matches!(decode(&SEAL[..cut]), Err(Error::InvalidImage { .. })),
                "cut at {cut}"
            );
        }
        assert_eq!(
            decode(&png_claiming(100_000, 100_000)),
            Err(Error::ImageTooLarge {
                width: 100_000,
                height: 100_000
            })
        );
        assert_eq!(
            decode(&png_claiming(5000, 1)),
            Err(Error::ImageTooLarge {
                width: 5000,
                height: 1
            })
        );
        // Within the limits but with far too little data: corrupt, not a panic.
        assert!(matches!(
            decode(&png_claiming(4096, 4096)),
            Err(Error::InvalidImage { .. })
        ));
        assert!(matches!(
            decode(&png_claiming(0, 10)),
            Err(Error::InvalidImage { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let mut bytes = SEAL[..33].to_vec();
            bytes.extend(tail);
            let _ = decode(&bytes);
        }

        #[test]
        fn corrupted_seal_never_panics(position in 0..SEAL.len(), value in proptest::num::u8::ANY) {
            let mut bytes = SEAL.to_vec();
            bytes[position] = value;
            let _ = decode(&bytes);
        }
    }
}
