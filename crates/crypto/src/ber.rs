//! A lenient, bounded reader for BER (X.690 §8), for signatures and tokens that other tools made.
//!
//! The `der` crate reads DER only, and re-encodes what it decodes (sorting every `SET OF`), so it
//! can neither read a CMS written with indefinite lengths or constructed strings, nor give back the
//! exact bytes a signer signed. This reader walks the encoding as it is and hands out sub-slices
//! of the input: `raw` is an element exactly as found in the file. Leaves are then decoded with
//! `der`, after [`normalize`] when they are BER.
//!
//! It never panics and never allocates while walking; nesting is limited to [`MAX_DEPTH`], so that
//! hostile input costs at most `MAX_DEPTH` passes over its bytes.

use std::borrow::Cow;

/// The deepest nesting read; CMS needs about a dozen levels.
pub(crate) const MAX_DEPTH: usize = 40;

/// Why the bytes are not BER, in plain words (callers wrap it into their own error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub &'static str);

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Universal tags used by the callers.
pub(crate) mod tag {
    /// `INTEGER`.
    pub(crate) const INTEGER: u8 = 0x02;
    /// `OCTET STRING`, primitive.
    pub(crate) const OCTET_STRING: u8 = 0x04;
    /// `OBJECT IDENTIFIER`.
    pub(crate) const OID: u8 = 0x06;
    /// `SEQUENCE` (constructed).
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// `SET` (constructed).
    pub(crate) const SET: u8 = 0x31;
    /// `[0]`, constructed.
    pub(crate) const CONTEXT_0: u8 = 0xA0;
    /// `[1]`, constructed.
    pub(crate) const CONTEXT_1: u8 = 0xA1;
    /// `[0]`, primitive.
    pub(crate) const CONTEXT_0_PRIMITIVE: u8 = 0x80;
}

/// One element: its identifier octet and where its bytes lie in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    /// The identifier octet (class, constructed bit, tag number below 31).
    pub(crate) tag: u8,
    /// The whole encoding as found: identifier, length, contents and, for an indefinite length,
    /// the end-of-contents octets.
    pub(crate) raw: &'a [u8],
    /// The contents octets, without any end-of-contents.
    pub(crate) contents: &'a [u8],
}

impl<'a> Element<'a> {
    /// Whether the element is constructed (holds other elements).
    pub(crate) fn is_constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// The elements the contents hold, in order; an error item ends the iteration.
    pub(crate) fn children(&self) -> Children<'a> {
        Children {
            rest: if self.is_constructed() {
                self.contents
            } else {
                &[]
            },
            failed: false,
        }
    }

    /// The children as a vector, or the first error.
    pub(crate) fn child_vec(&self) -> Result<Vec<Element<'a>>, Malformed> {
        self.children().collect()
    }

    /// The octets of a string element, joining the segments of a constructed (BER) one.
    pub(crate) fn octets(&self) -> Result<Cow<'a, [u8]>, Malformed> {
        if !self.is_constructed() {
            return Ok(Cow::Borrowed(self.contents));
        }
        let mut joined = Vec::with_capacity(self.contents.len());
        join_segments(self, &mut joined, 0)?;
        Ok(Cow::Owned(joined))
    }

    /// Checks the identifier octet.
    pub(crate) fn expect(self, tag: u8, what: &'static str) -> Result<Element<'a>, Malformed> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(Malformed(what))
        }
    }
}

/// The elements inside a constructed element.
pub(crate) struct Children<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Element<'a>, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        match read_element(self.rest, 0) {
            Ok((element, rest)) => {
                self.rest = rest;
                Some(Ok(element))
            }
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }
}

/// Reads exactly one element; only zero bytes may follow (the padding of a PDF's `/Contents`).
pub(crate) fn parse_padded(input: &[u8]) -> Result<Element<'_>, Malformed> {
    let (element, rest) = read_element(input, 0)?;
    if rest.iter().any(|byte| *byte != 0) {
        return Err(Malformed("bytes follow the encoding"));
    }
    Ok(element)
}

/// Reads exactly one element, with nothing after it.
pub(crate) fn parse_exact(input: &[u8]) -> Result<Element<'_>, Malformed> {
    let (element, rest) = read_element(input, 0)?;
    if !rest.is_empty() {
        return Err(Malformed("bytes follow the encoding"));
    }
    Ok(element)
}

/// Reads the element at the start of `input` and returns it with what follows.
fn read_element(input: &[u8], depth: usize) -> Result<(Element<'_>, &[u8]), Malformed> {
    if depth > MAX_DEPTH {
        return Err(Malformed("the encoding is nested too deeply"));
    }
    let (&tag, after_tag) = input
        .split_first()
        .ok_or(Malformed("the encoding ends early"))?;
    if tag & 0x1F == 0x1F {
        return Err(Malformed("a tag number above 30 is not used here"));
    }
    let (&first, mut after_length) = after_tag
        .split_first()
        .ok_or(Malformed("the encoding ends early"))?;
    let length = match first {
        0x80 => None,
        0xFF => return Err(Malformed("reserved length octet")),
        short if short < 0x80 => Some(usize::from(short)),
        long => {
            let count = usize::from(long & 0x7F);
            let (octets, rest) = after_length
                .split_at_checked(count)
                .ok_or(Malformed("the encoding ends early"))?;
            after_length = rest;
            let mut length: usize = 0;
            for octet in octets {
                length = length
                    .checked_mul(256)
                    .and_then(|shifted| shifted.checked_add(usize::from(*octet)))
                    .ok_or(Malformed("a length too large"))?;
            }
            Some(length)
        }
    };
    let header_len = input.len() - after_length.len();
    match length {
        Some(length) => {
            let contents = after_length
                .get(..length)
                .ok_or(Malformed("a length beyond the end of the data"))?;
            let total = header_len + length;
            let raw = input
                .get(..total)
                .ok_or(Malformed("the encoding ends early"))?;
            let rest = input
                .get(total..)
                .ok_or(Malformed("the encoding ends early"))?;
            Ok((Element { tag, raw, contents }, rest))
        }
        None => {
            if tag & 0x20 == 0 {
                return Err(Malformed("an indefinite length on a primitive element"));
            }
            let mut rest = after_length;
            loop {
                if let Some(after_end) = rest.strip_prefix(&[0, 0]) {
                    let contents_len = after_length.len() - rest.len();
                    let contents = after_length
                        .get(..contents_len)
                        .ok_or(Malformed("the encoding ends early"))?;
                    let raw = input
                        .get(..header_len + contents_len + 2)
                        .ok_or(Malformed("the encoding ends early"))?;
                    return Ok((Element { tag, raw, contents }, after_end));
                }
                let (_, next) = read_element(rest, depth + 1)?;
                rest = next;
            }
        }
    }
}

fn join_segments(element: &Element<'_>, out: &mut Vec<u8>, depth: usize) -> Result<(), Malformed> {
    if depth > MAX_DEPTH {
        return Err(Malformed("the encoding is nested too deeply"));
    }
    for child in element.children() {
        let child = child?;
        if child.is_constructed() {
            join_segments(&child, out, depth + 1)?;
        } else {
            out.extend_from_slice(child.contents);
        }
    }
    Ok(())
}

/// Re-encodes a BER element as `der` can read it: definite, minimal lengths; constructed
/// strings joined into primitive ones; BOOLEAN true as `FF`. `SET OF` order is left alone (`der`
/// sorts on decoding). Used only on leaves whose exact bytes nobody signed.
pub(crate) fn normalize(raw: &[u8]) -> Result<Vec<u8>, Malformed> {
    let element = parse_exact(raw)?;
    let mut out = Vec::with_capacity(raw.len());
    write_normalized(&element, &mut out, 0)?;
    Ok(out)
}

fn write_normalized(
    element: &Element<'_>,
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<(), Malformed> {
    if depth > MAX_DEPTH {
        return Err(Malformed("the encoding is nested too deeply"));
    }
    let universal = element.tag & 0xC0 == 0;
    let number = element.tag & 0x1F;
    // OCTET STRING and the character string types (X.690 §8.21, §8.7).
    let is_string = universal && matches!(number, 4 | 12 | 18..=22 | 25..=30);
    if element.is_constructed() && !is_string {
        let mut contents = Vec::with_capacity(element.contents.len());
        for child in element.children() {
            write_normalized(&child?, &mut contents, depth + 1)?;
        }
        write_header(out, element.tag, contents.len());
        out.extend_from_slice(&contents);
    } else if element.is_constructed() {
        let octets = element.octets()?;
        write_header(out, element.tag & !0x20, octets.len());
        out.extend_from_slice(&octets);
    } else if element.tag == 0x01 && element.contents.len() == 1 {
        let value = if element.contents == [0] { 0x00 } else { 0xFF };
        out.extend_from_slice(&[0x01, 0x01, value]);
    } else {
        write_header(out, element.tag, element.contents.len());
        out.extend_from_slice(element.contents);
    }
    Ok(())
}

/// Writes an identifier and a minimal definite length.
pub(crate) fn write_header(out: &mut Vec<u8>, tag: u8, length: usize) {
    out.push(tag);
    if length < 0x80 {
        // Fits in seven bits, so the cast cannot truncate.
        out.push(length as u8);
        return;
    }
    let bytes = length.to_be_bytes();
    let significant: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(|byte| *byte == 0)
        .collect();
    // At most `size_of::<usize>()` bytes, far below 127.
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(&significant);
}

/// Decodes a leaf with `der`, normalizing it first when it is BER.
pub(crate) fn decode_lenient<T>(raw: &[u8]) -> Result<T, der::Error>
where
    T: for<'b> der::Decode<'b>,
{
    match T::from_der(raw) {
        Ok(value) => Ok(value),
        Err(error) => match normalize(raw) {
            Ok(normalized) if normalized != raw => T::from_der(&normalized),
            _ => Err(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite_lengths_give_the_same_tree() {
        // SEQUENCE { INTEGER 5, OCTET STRING "ab" }
        let der = [0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b'];
        // The same with an indefinite length, a long-form length and a constructed string.
        let ber = [
            0x30, 0x80, 0x02, 0x81, 0x01, 0x05, 0x24, 0x80, 0x04, 0x01, b'a', 0x04, 0x01, b'b',
            0x00, 0x00, 0x00, 0x00,
        ];
        let element = parse_exact(&ber).unwrap();
        assert_eq!(element.raw, &ber[..]);
        let children = element.child_vec().unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].contents, [5]);
        assert_eq!(children[1].octets().unwrap().as_ref(), b"ab");
        assert_eq!(normalize(&ber).unwrap(), der);
        assert_eq!(normalize(&der).unwrap(), der);
        let decoded: der::asn1::OctetString = decode_lenient(children[1].raw).unwrap();
        assert_eq!(decoded.as_bytes(), b"ab");
    }

    #[test]
    fn padding_is_allowed_only_where_asked() {
        let padded = [0x04, 0x01, 0x07, 0x00, 0x00];
        assert_eq!(parse_padded(&padded).unwrap().contents, [7]);
        assert!(parse_exact(&padded).is_err());
        assert!(parse_padded(&[0x04, 0x01, 0x07, 0x01]).is_err());
    }

    #[test]
    fn long_lengths_are_written_minimally() {
        let mut out = Vec::new();
        write_header(&mut out, 0x04, 300);
        assert_eq!(out, [0x04, 0x82, 0x01, 0x2C]);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x02],
            &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
            &[0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x80, 0x02, 0x01, 0x05],
            &[0x1F, 0x01, 0x00],
            &[0x30, 0xFF],
        ] {
            assert!(parse_exact(bad).is_err(), "{bad:?}");
        }
        // Deep nesting of indefinite lengths stops at the limit.
        let mut deep = Vec::new();
        for _ in 0..1000 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..1000 {
            deep.extend_from_slice(&[0x00, 0x00]);
        }
        assert!(parse_exact(&deep).is_err());
        // A child list that fails part-way reports the failure.
        let element = parse_exact(&[0x30, 0x03, 0x02, 0x05, 0x00]).unwrap();
        assert!(element.child_vec().is_err());
    }
}
