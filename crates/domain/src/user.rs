//! Names that identify and describe a user.
//!
//! A username is a login identifier and also appears in the audit trail (`AuditEvent::actor`), so
//! it is restricted to a small ASCII alphabet that needs no normalisation and cannot be confused
//! with the reserved actor `"system"` by accident of case or Unicode look-alikes. A full name is
//! free Vietnamese text shown on screens and in signature blocks (Decree 30/2020, Phụ lục I §II.7).

use std::fmt;

use crate::error::ParseError;

/// The most characters a username may have.
const USERNAME_MAX_CHARS: usize = 64;

/// The most characters a full name may have; Phụ lục VI Phần II §I gives FullName as S50, and
/// we allow twice that for unusual names and titles.
const FULL_NAME_MAX_CHARS: usize = 100;

/// A login name: 1 to 64 lowercase ASCII letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// Parses a username, ignoring surrounding whitespace.
    ///
    /// Upper-case letters are rejected rather than folded, so that one account has exactly one
    /// spelling; a login form that wants to be lenient lowercases before calling this.
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the trimmed text is empty, longer than 64 characters or has a
    /// character outside the alphabet.
    pub fn parse(input: &str) -> Result<Username, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::new("username", input, "must not be empty"));
        }
        if trimmed.chars().count() > USERNAME_MAX_CHARS {
            return Err(ParseError::new(
                "username",
                input,
                "must be at most 64 characters",
            ));
        }
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        if !trimmed.chars().all(allowed) {
            return Err(ParseError::new(
                "username",
                input,
                "may contain only lowercase ASCII letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(Username(trimmed.to_owned()))
    }

    /// The username as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's full name, for example "Nguyễn Văn An": 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FullName(String);

impl FullName {
    /// Parses a full name, ignoring surrounding whitespace.
    ///
    /// The text is kept as given; Unicode normalisation (NFC) is the caller's concern.
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the trimmed text is empty, longer than 100 characters or
    /// contains a control character such as a newline.
    pub fn parse(input: &str) -> Result<FullName, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::new("full name", input, "must not be empty"));
        }
        if trimmed.chars().count() > FULL_NAME_MAX_CHARS {
            return Err(ParseError::new(
                "full name",
                input,
                "must be at most 100 characters",
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ParseError::new(
                "full name",
                input,
                "must not contain control characters",
            ));
        }
        Ok(FullName(trimmed.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_username(input: &str, expected: Result<&str, &str>) {
        let actual = Username::parse(input);
        match expected {
            Ok(name) => {
                let username = actual.unwrap();
                assert_eq!(username.as_str(), name);
                assert_eq!(username.to_string(), name);
            }
            Err(reason) => {
                let error = actual.unwrap_err();
                assert_eq!((error.kind(), error.reason()), ("username", reason));
                assert_eq!(error.value(), input);
            }
        }
    }

    #[test]
    fn usernames() {
        let alphabet = "may contain only lowercase ASCII letters, digits, '.', '_' and '-'";
        check_username("vanthu", Ok("vanthu"));
        check_username("  nguyen.van_an-2 \n", Ok("nguyen.van_an-2"));
        check_username("a", Ok("a"));
        check_username(&"a".repeat(64), Ok(&"a".repeat(64)));
        check_username(&"a".repeat(65), Err("must be at most 64 characters"));
        check_username("", Err("must not be empty"));
        check_username("   ", Err("must not be empty"));
        check_username("VanThu", Err(alphabet));
        check_username("van thu", Err(alphabet));
        check_username("vănthư", Err(alphabet));
        check_username("van@thu", Err(alphabet));
    }

    fn check_full_name(input: &str, expected: Result<&str, &str>) {
        let actual = FullName::parse(input);
        match expected {
            Ok(name) => {
                let full_name = actual.unwrap();
                assert_eq!(full_name.as_str(), name);
                assert_eq!(full_name.to_string(), name);
            }
            Err(reason) => {
                let error = actual.unwrap_err();
                assert_eq!((error.kind(), error.reason()), ("full name", reason));
            }
        }
    }

    #[test]
    fn full_names() {
        check_full_name("Nguyễn Văn An", Ok("Nguyễn Văn An"));
        check_full_name("  Trần Thị Bích Ngọc  ", Ok("Trần Thị Bích Ngọc"));
        check_full_name("Đ", Ok("Đ"));
        check_full_name(&"ữ".repeat(100), Ok(&"ữ".repeat(100)));
        check_full_name(&"ữ".repeat(101), Err("must be at most 100 characters"));
        check_full_name("", Err("must not be empty"));
        check_full_name(" \t ", Err("must not be empty"));
        check_full_name("Nguyễn\nVăn An", Err("must not contain control characters"));
        check_full_name("Nguyễn\u{7}", Err("must not contain control characters"));
    }
}
