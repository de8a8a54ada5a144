//! The one parse error of the crate.
//!
//! Every `parse` constructor in `domain` turns untrusted text (form input, imported registers,
//! edXML headers, database columns) into a typed value or this error, following "parse, don't
//! validate" (STYLE.md §4). One shared type keeps the mapping to HTTP and CLI messages in one place.

/// How many characters of the offending value the message shows.
const SHOWN_CHARS: usize = 64;

/// A string that could not be parsed into a domain value.
///
/// The message reads `invalid {kind} {value:?}: {reason}`, with the value cut to 64 characters so
/// that a hostile input cannot flood a log line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {} {:?}: {}", .kind, shown(.value), .reason)]
pub struct ParseError {
    kind: &'static str,
    value: String,
    reason: &'static str,
}

impl ParseError {
    /// Creates an error for `value`, which was meant to be a `kind` (for example "username").
    pub fn new(kind: &'static str, value: &str, reason: &'static str) -> ParseError {
        ParseError {
            kind,
            value: value.to_owned(),
            reason,
        }
    }

    /// What was being parsed, for example `"symbol"`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The offending value, in full.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why the value was rejected, for example `"must not be empty"`.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Finds the value of a fieldless enum whose stable code is exactly `code`.
///
/// Codes are machine identifiers stored in the database, so matching is exact: no trimming and no
/// case folding.
pub(crate) fn parse_code<T: Copy>(
    kind: &'static str,
    all: &[T],
    code_of: fn(T) -> &'static str,
    code: &str,
) -> Result<T, ParseError> {
    match all.iter().copied().find(|value| code_of(*value) == code) {
        Some(value) => Ok(value),
        None => Err(ParseError::new(kind, code, "unknown code")),
    }
}

/// The value as shown in the message: at most [`SHOWN_CHARS`] characters, then an ellipsis.
fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_CHARS) {
        // Invariant: `cut` comes from `char_indices`, so it is a character boundary.
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str, expected: &str) {
        let error = ParseError::new("symbol", value, "must not be empty");
        assert_eq!(error.to_string(), expected);
        assert_eq!(error.value(), value);
    }

    #[test]
    fn message_names_kind_value_and_reason() {
        check("", r#"invalid symbol "": must not be empty"#);
        check("QĐ UBND", r#"invalid symbol "QĐ UBND": must not be empty"#);
        check("a\"b", r#"invalid symbol "a\"b": must not be empty"#);
    }

    #[test]
    fn long_values_are_cut_to_64_characters_in_the_message() {
        let exactly = "đ".repeat(64);
        check(
            &exactly,
            &format!("invalid symbol {exactly:?}: must not be empty"),
        );
        let long = "đ".repeat(65);
        let error = ParseError::new("symbol", &long, "too long");
        assert_eq!(
            error.to_string(),
            format!("invalid symbol \"{exactly}…\": too long")
        );
        assert_eq!(error.value(), long);
        assert_eq!(error.kind(), "symbol");
        assert_eq!(error.reason(), "too long");
    }
}
