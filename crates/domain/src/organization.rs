//! The issuing organisation: its electronic ID, name, abbreviation and place name.
//!
//! Every number, symbol, date line and edXML envelope the system produces names the organisation,
//! and since the 2025 reorganisation of local government these values change by decision, so they
//! are configuration data (DOMAIN.md §0), parsed once here. The electronic ID is the agency code of
//! QĐ 20/2020/QĐ-TTg (amended by QĐ 09/2025/QĐ-TTg), which QCVN 102:2016 (Sửa đổi 1:2022) uses as
//! `OrganId` in edXML.

use std::fmt;

use crate::error::ParseError;

/// The most characters an abbreviation may have.
const ABBREVIATION_MAX_CHARS: usize = 20;

/// An agency electronic ID of QĐ 20/2020/QĐ-TTg, written `LLL.LL.LL.XNN`.
///
/// That is three digits, two digits and two digits, each followed by a dot, then one upper-case
/// letter from A to K and two digits, for example `000.00.00.H02` or `001.03.08.H30`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ElectronicId(String);

impl ElectronicId {
    /// Parses an electronic ID, ignoring surrounding whitespace.
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the trimmed text does not have the `LLL.LL.LL.XNN` shape.
    pub fn parse(input: &str) -> Result<ElectronicId, ParseError> {
        let trimmed = input.trim();
        let bytes = trimmed.as_bytes();
        // Byte positions are safe: a string of 13 bytes that passes these checks is pure ASCII.
        let shape_ok = bytes.len() == 13
            && bytes.iter().enumerate().all(|(i, &b)| match i {
                3 | 6 | 9 => b == b'.',
                10 => (b'A'..=b'K').contains(&b),
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(ParseError::new(
                "electronic id",
                input,
                "must look like 000.00.00.H02 (LLL.LL.LL.XNN with X from A to K)",
            ));
        }
        Ok(ElectronicId(trimmed.to_owned()))
    }

    /// The ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ElectronicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An abbreviation of an agency, unit, field or document type, for example "UBND", "VX", "QĐ".
///
/// It has 1 to 20 characters, each a Unicode letter or digit, so Vietnamese letters such as "Đ"
/// are allowed but spaces, dots and hyphens are not: hyphens separate the groups of a symbol
/// (Decree 30/2020, Phụ lục I §II.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Abbreviation(String);

impl Abbreviation {
    /// Parses an abbreviation, ignoring surrounding whitespace.
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the trimmed text is empty, longer than 20 characters or
    /// contains anything but letters and digits.
    pub fn parse(input: &str) -> Result<Abbreviation, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::new("abbreviation", input, "must not be empty"));
        }
        if trimmed.chars().count() > ABBREVIATION_MAX_CHARS {
            return Err(ParseError::new(
                "abbreviation",
                input,
                "must be at most 20 characters",
            ));
        }
        if !trimmed.chars().all(char::is_alphanumeric) {
            return Err(ParseError::new(
                "abbreviation",
                input,
                "may contain only letters and digits",
            ));
        }
        Ok(Abbreviation(trimmed.to_owned()))
    }

    /// The abbreviation as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Abbreviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity of the organisation that runs the system, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationProfile {
    /// The QĐ 20/2020 agency code, used as `OrganId` in edXML and in file codes.
    pub electronic_id: ElectronicId,
    /// The full name, for example "Ủy ban nhân dân phường Ngô Quyền".
    pub name: String,
    /// The abbreviation used in symbols, for example "UBND".
    pub abbreviation: Abbreviation,
    /// The place written in the date line, for example "Phường Ngô Quyền" (Phụ lục I §II.4.a).
    pub place_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_electronic_id(input: &str, expected: Option<&str>) {
        match (ElectronicId::parse(input), expected) {
            (Ok(id), Some(text)) => {
                assert_eq!(id.as_str(), text);
                assert_eq!(id.to_string(), text);
            }
            (Err(error), None) => {
                assert_eq!(error.kind(), "electronic id");
                assert_eq!(error.value(), input);
            }
            (actual, expected) => panic!("{input:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn electronic_ids() {
        check_electronic_id("000.00.00.H02", Some("000.00.00.H02"));
        check_electronic_id("001.03.08.H30", Some("001.03.08.H30"));
        check_electronic_id("000.00.04.H40", Some("000.00.04.H40"));
        check_electronic_id("000.00.00.A00", Some("000.00.00.A00"));
        check_electronic_id(" 000.00.00.K99\n", Some("000.00.00.K99"));
        check_electronic_id("000.00.00.L02", None);
        check_electronic_id("000.00.00.h02", None);
        check_electronic_id("000.00.00.H2", None);
        check_electronic_id("000.00.00.H002", None);
        check_electronic_id("00.000.00.H02", None);
        check_electronic_id("000-00-00-H02", None);
        check_electronic_id("000.00.0a.H02", None);
        check_electronic_id("000.00.00.Đ02", None);
        check_electronic_id("", None);
    }

    fn check_abbreviation(input: &str, expected: Result<&str, &str>) {
        match (Abbreviation::parse(input), expected) {
            (Ok(abbreviation), Ok(text)) => {
                assert_eq!(abbreviation.as_str(), text);
                assert_eq!(abbreviation.to_string(), text);
            }
            (Err(error), Err(reason)) => {
                assert_eq!((error.kind(), error.reason()), ("abbreviation", reason));
            }
            (actual, expected) => panic!("{input:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn abbreviations() {
        let alphabet = "may contain only letters and digits";
        check_abbreviation("UBND", Ok("UBND"));
        check_abbreviation("VX", Ok("VX"));
        check_abbreviation("QĐ", Ok("QĐ"));
        check_abbreviation("TTr", Ok("TTr"));
        check_abbreviation(" HĐND ", Ok("HĐND"));
        check_abbreviation("BCĐ135", Ok("BCĐ135"));
        check_abbreviation(&"A".repeat(20), Ok(&"A".repeat(20)));
        check_abbreviation(&"Đ".repeat(21), Err("must be at most 20 characters"));
        check_abbreviation("", Err("must not be empty"));
        check_abbreviation("UB ND", Err(alphabet));
        check_abbreviation("KH-UBND", Err(alphabet));
        check_abbreviation("U.B", Err(alphabet));
        // A decomposed "Đ" does not exist, but a decomposed "Ó" (O + U+0301) is not a letter run.
        check_abbreviation("O\u{301}", Err(alphabet));
    }
}
