//! The number and symbol of a document, "Số: 06/KH-UBND".
//!
//! Decree 30/2020, Phụ lục I §II.3 sets the format: an Arabic number, zero-padded below 10, then
//! "/" and the symbol, whose groups (type, issuer, unit) are joined by "-" without spaces. For a
//! công văn the symbol is the issuer and the drafting unit or field, `12/UBND-VX`. Legal normative
//! documents (outside Decree 30) also carry the year, `01/2025/QĐ-UBND`. The number and symbol is
//! unique within its register and year (Điều 15), and is used to detect duplicate incoming
//! documents (Phụ lục VI §III.1.h), so parsing it from imported text must be exact.

use std::fmt;

use crate::document_type::DocumentType;
use crate::error::ParseError;
use crate::organization::Abbreviation;

/// The most characters a symbol may have.
///
/// Phụ lục VI Phần II §I gives CodeNotation as S30; we allow 64 so that any pair of 20-character
/// abbreviations fits, and leave the 30-character check to the edXML exporter.
const SYMBOL_MAX_CHARS: usize = 64;

/// A document number within its register and year: 1 or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentNumber(u32);

impl DocumentNumber {
    /// Wraps a number, which must be at least 1 because numbering starts at 01 (Điều 15.1).
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `number` is 0.
    pub fn new(number: u32) -> Result<DocumentNumber, ParseError> {
        if number == 0 {
            return Err(ParseError::new(
                "document number",
                "0",
                "must be at least 1",
            ));
        }
        Ok(DocumentNumber(number))
    }

    /// Parses ASCII digits, with or without leading zeros ("6", "06").
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the text is not all digits, is 0 or exceeds `u32`.
    pub fn parse(input: &str) -> Result<DocumentNumber, ParseError> {
        let digits = input.trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "document number",
                input,
                "must be a decimal number",
            ));
        }
        match digits.parse::<u32>() {
            Ok(0) => Err(ParseError::new(
                "document number",
                input,
                "must be at least 1",
            )),
            Ok(number) => Ok(DocumentNumber(number)),
            Err(_) => Err(ParseError::new("document number", input, "is too large")),
        }
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for DocumentNumber {
    /// Writes the number zero-padded to two digits, as Phụ lục I §II.3.a requires: 6 is "06".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// The symbol (ký hiệu) after the number, for example "KH-UBND", "UBND-VX" or "QĐ-UBND".
///
/// It is one or more groups of Unicode letters or digits joined by single hyphens, with no spaces,
/// at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(String);

impl Symbol {
    /// Parses a symbol, ignoring surrounding whitespace.
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the text is empty, too long, has an empty group (a leading,
    /// trailing or doubled hyphen) or a character that is not a letter, digit or hyphen.
    pub fn parse(input: &str) -> Result<Symbol, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::new("symbol", input, "must not be empty"));
        }
        if trimmed.chars().count() > SYMBOL_MAX_CHARS {
            return Err(ParseError::new(
                "symbol",
                input,
                "must be at most 64 characters",
            ));
        }
        if !trimmed.chars().all(|c| c == '-' || c.is_alphanumeric()) {
            return Err(ParseError::new(
                "symbol",
                input,
                "may contain only letters, digits and '-'",
            ));
        }
        if trimmed.split('-').any(str::is_empty) {
            return Err(ParseError::new(
                "symbol",
                input,
                "must not have an empty group between hyphens",
            ));
        }
        Ok(Symbol(trimmed.to_owned()))
    }

    /// Builds the symbol of a document the organisation issues (Phụ lục I §II.3).
    ///
    /// A type with an abbreviation gives `{TYPE}-{ISSUER}`, for example "KH-UBND"; `unit` is then
    /// ignored. Công văn and thư công have no type abbreviation and give `{ISSUER}-{UNIT}`, for
    /// example "UBND-VX", or just `{ISSUER}` when `unit` is `None`.
    pub fn for_document(
        doc_type: &DocumentType,
        issuer: &Abbreviation,
        unit: Option<&Abbreviation>,
    ) -> Symbol {
        // Invariant: abbreviations are non-empty letters and digits of at most 20 characters, so
        // two of them joined by one hyphen are a valid symbol of at most 41 characters.
        let text = match (doc_type.abbreviation(), unit) {
            (Some(type_abbreviation), _) => format!("{type_abbreviation}-{issuer}"),
            (None, Some(unit)) => format!("{issuer}-{unit}"),
            (None, None) => issuer.as_str().to_owned(),
        };
        Symbol(text)
    }

    /// The symbol as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A full number and symbol, "06/KH-UBND", or "01/2025/QĐ-UBND" for a legal normative document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumberAndSymbol {
    /// The number within the register and year.
    pub number: DocumentNumber,
    /// The year written between number and symbol, as legal normative documents do; `None` for
    /// administrative documents. Display writes it as is, so it should have four digits.
    pub year: Option<i32>,
    /// The symbol.
    pub symbol: Symbol,
}

impl NumberAndSymbol {
    /// Parses "06/KH-UBND" or "01/2025/QĐ-UBND".
    ///
    /// Surrounding whitespace and a leading "Số:" or "Số " (as printed on the document) are
    /// ignored, and so is whitespace around each "/". The year must be four digits.
    ///
    /// # Errors
    /// Returns a [`ParseError`] naming the offending part: the whole text when it has the wrong
    /// number of "/", otherwise the number, year or symbol that is invalid.
    pub fn parse(input: &str) -> Result<NumberAndSymbol, ParseError> {
        let mut text = input.trim();
        if let Some(rest) = text.strip_prefix("Số") {
            if let Some(rest) = rest.strip_prefix(':') {
                text = rest.trim_start();
            } else if rest.starts_with(char::is_whitespace) {
                text = rest.trim_start();
            }
        }
        let parts: Vec<&str> = text.split('/').collect();
        let (number, year, symbol) = match parts.as_slice() {
            [number, symbol] => (*number, None, *symbol),
            [number, year, symbol] => (*number, Some(parse_year(year)?), *symbol),
            _ => {
                return Err(ParseError::new(
                    "number and symbol",
                    input,
                    "must look like 06/KH-UBND or 01/2025/QĐ-UBND",
                ));
            }
        };
        Ok(NumberAndSymbol {
            number: DocumentNumber::parse(number)?,
            year,
            symbol: Symbol::parse(symbol)?,
        })
    }
}

impl fmt::Display for NumberAndSymbol {
    /// Writes the form of Phụ lục I §II.3 without the "Số:" label, for example "06/KH-UBND".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(year) => write!(f, "{}/{}/{}", self.number, year, self.symbol),
            None => write!(f, "{}/{}", self.number, self.symbol),
        }
    }
}

/// Parses the four-digit year of a legal normative document number.
fn parse_year(input: &str) -> Result<i32, ParseError> {
    let digits = input.trim();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::new("year", input, "must be four digits"));
    }
    match digits.parse::<i32>() {
        Ok(year) => Ok(year),
        Err(_) => Err(ParseError::new("year", input, "must be four digits")),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn abbreviation(text: &str) -> Abbreviation {
        Abbreviation::parse(text).unwrap()
    }

    #[test]
    fn document_numbers_display_zero_padded_below_ten() {
        let check = |number: u32, expected: &str| {
            let parsed = DocumentNumber::new(number).unwrap();
            assert_eq!(parsed.get(), number);
            assert_eq!(parsed.to_string(), expected);
            assert_eq!(DocumentNumber::parse(expected), Ok(parsed));
        };
        check(1, "01");
        check(6, "06");
        check(9, "09");
        check(10, "10");
        check(12, "12");
        check(100, "100");
        check(u32::MAX, "4294967295");
        assert_eq!(
            DocumentNumber::new(0).unwrap_err().to_string(),
            r#"invalid document number "0": must be at least 1"#
        );
    }

    #[test]
    fn document_number_parsing() {
        let check = |input: &str, expected: Result<u32, &str>| {
            let actual = DocumentNumber::parse(input)
                .map(DocumentNumber::get)
                .map_err(|error| error.reason());
            assert_eq!(actual, expected, "{input:?}");
        };
        check("6", Ok(6));
        check("06", Ok(6));
        check("006", Ok(6));
        check("0", Err("must be at least 1"));
        check("00", Err("must be at least 1"));
        check("", Err("must be a decimal number"));
        check("+6", Err("must be a decimal number"));
        check("-6", Err("must be a decimal number"));
        check("6a", Err("must be a decimal number"));
        check("٦", Err("must be a decimal number"));
        check("4294967296", Err("is too large"));
    }

    #[test]
    fn symbol_parsing() {
        let check = |input: &str, expected: Result<&str, &str>| {
            let actual = Symbol::parse(input);
            let actual = actual.as_ref().map(Symbol::as_str).map_err(|e| e.reason());
            assert_eq!(actual, expected, "{input:?}");
        };
        let alphabet = "may contain only letters, digits and '-'";
        let empty_group = "must not have an empty group between hyphens";
        check("KH-UBND", Ok("KH-UBND"));
        check("UBND-VX", Ok("UBND-VX"));
        check("QĐ-UBND", Ok("QĐ-UBND"));
        check("QĐ-BNV", Ok("QĐ-BNV"));
        check("UBND", Ok("UBND"));
        check(" TTr-UBND ", Ok("TTr-UBND"));
        check("BC-BCĐ135-UBND", Ok("BC-BCĐ135-UBND"));
        check("", Err("must not be empty"));
        check("KH UBND", Err(alphabet));
        check("KH - UBND", Err(alphabet));
        check("KH/UBND", Err(alphabet));
        check("KH_UBND", Err(alphabet));
        check("-UBND", Err(empty_group));
        check("KH-", Err(empty_group));
        check("KH--UBND", Err(empty_group));
        check("-", Err(empty_group));
        check(&"A".repeat(64), Ok(&"A".repeat(64)));
        check(&"A".repeat(65), Err("must be at most 64 characters"));
    }

    #[test]
    fn symbols_for_documents() {
        let check = |type_code: &str, unit: Option<&str>, expected: &str| {
            let doc_type = DocumentType::from_code(type_code).unwrap();
            let unit = unit.map(abbreviation);
            let symbol = Symbol::for_document(doc_type, &abbreviation("UBND"), unit.as_ref());
            assert_eq!(symbol.as_str(), expected);
            assert_eq!(Symbol::parse(expected), Ok(symbol));
        };
        check("KH", None, "KH-UBND");
        check("KH", Some("VX"), "KH-UBND");
        check("QD", None, "QĐ-UBND");
        check("TTR", Some("VP"), "TTr-UBND");
        check("CV", Some("VX"), "UBND-VX");
        check("CV", None, "UBND");
        check("THU_CONG", Some("VP"), "UBND-VP");
    }

    #[test]
    fn longest_generated_symbol_is_valid() {
        let long = abbreviation(&"Đ".repeat(20));
        let cong_van = DocumentType::from_code("CV").unwrap();
        let symbol = Symbol::for_document(cong_van, &long, Some(&long));
        assert_eq!(Symbol::parse(symbol.as_str()), Ok(symbol));
    }

    /// Parses `input` and compares a one-line rendering: the display form and the parts, or the
    /// error message, which names the kind, the offending value and the reason.
    fn check(input: &str, expected: &str) {
        let actual = match NumberAndSymbol::parse(input) {
            Ok(v) => format!("{v} = {} {:?} {}", v.number.get(), v.year, v.symbol),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expected, "{input:?}");
    }

    #[test]
    fn number_and_symbol_parsing() {
        check("06/KH-UBND", "06/KH-UBND = 6 None KH-UBND");
        check("6/KH-UBND", "06/KH-UBND = 6 None KH-UBND");
        check("15/QĐ-BNV", "15/QĐ-BNV = 15 None QĐ-BNV");
        check("12/UBND-VX", "12/UBND-VX = 12 None UBND-VX");
        check("100/BC-UBND", "100/BC-UBND = 100 None BC-UBND");
        check("Số: 06/KH-UBND", "06/KH-UBND = 6 None KH-UBND");
        check("Số:06/KH-UBND", "06/KH-UBND = 6 None KH-UBND");
        check("  Số 05/BNV-VP \n", "05/BNV-VP = 5 None BNV-VP");
        check("06 / KH-UBND", "06/KH-UBND = 6 None KH-UBND");
        check("01/2025/QĐ-UBND", "01/2025/QĐ-UBND = 1 Some(2025) QĐ-UBND");
        check(
            "Số: 12/2024/NQ-HĐND",
            "12/2024/NQ-HĐND = 12 Some(2024) NQ-HĐND",
        );
    }

    #[test]
    fn number_and_symbol_errors_name_the_offending_part() {
        let shape = "must look like 06/KH-UBND or 01/2025/QĐ-UBND";
        check(
            "",
            &format!(r#"error: invalid number and symbol "": {shape}"#),
        );
        check(
            "KH-UBND",
            &format!(r#"error: invalid number and symbol "KH-UBND": {shape}"#),
        );
        check(
            "1/2/3/KH",
            &format!(r#"error: invalid number and symbol "1/2/3/KH": {shape}"#),
        );
        check(
            "00/KH-UBND",
            r#"error: invalid document number "00": must be at least 1"#,
        );
        check(
            "a6/KH-UBND",
            r#"error: invalid document number "a6": must be a decimal number"#,
        );
        check("06/", r#"error: invalid symbol "": must not be empty"#);
        check(
            "06/KH UBND",
            r#"error: invalid symbol "KH UBND": may contain only letters, digits and '-'"#,
        );
        check(
            "01/25/QĐ-UBND",
            r#"error: invalid year "25": must be four digits"#,
        );
        check(
            "01/20x5/QĐ-UBND",
            r#"error: invalid year "20x5": must be four digits"#,
        );
        check(
            "Sốx06/KH",
            r#"error: invalid document number "Sốx06": must be a decimal number"#,
        );
        check(
            "số: 06/KH",
            r#"error: invalid document number "số: 06": must be a decimal number"#,
        );
    }

    fn arbitrary_symbol() -> impl Strategy<Value = Symbol> {
        proptest::collection::vec("[A-Za-zĐđƯưÔôăâê0-9]{1,8}", 1..=4)
            .prop_map(|groups| Symbol::parse(&groups.join("-")).unwrap())
    }

    fn arbitrary_number_and_symbol() -> impl Strategy<Value = NumberAndSymbol> {
        (
            1..=u32::MAX,
            proptest::option::of(1000..=9999i32),
            arbitrary_symbol(),
        )
            .prop_map(|(number, year, symbol)| NumberAndSymbol {
                number: DocumentNumber::new(number).unwrap(),
                year,
                symbol,
            })
    }

    proptest! {
        #[test]
        fn parse_display_round_trip(value in arbitrary_number_and_symbol()) {
            let shown = value.to_string();
            prop_assert_eq!(NumberAndSymbol::parse(&shown), Ok(value.clone()));
            prop_assert_eq!(NumberAndSymbol::parse(&format!("Số: {shown}")), Ok(value));
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,40}") {
            let _ = NumberAndSymbol::parse(&input);
        }
    }
}
