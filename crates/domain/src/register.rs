//! The registers (sổ) in which documents are numbered.
//!
//! Decree 30/2020 numbers documents in series that restart every calendar year: outgoing documents
//! (Điều 15.1), secret documents in their own series (Điều 15.2), incoming documents by time of
//! receipt (Điều 22.2), copies in one shared series (Phụ lục I Phần II §II.1.c) and advisory
//! bodies that use the agency's seal in theirs (Phụ lục I §II.3.a).
//!
//! Numbers start at 1 on 1 January and end on 31 December, where the year is the calendar year in
//! Vietnam time (`calendar::register_year`), not UTC. A number is unique within
//! (organisation, register kind, year); the database enforces that with a unique constraint.

use crate::error::{ParseError, parse_code};
use crate::levels::Secrecy;

/// Whether a document enters or leaves the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Văn bản đến: received from outside.
    Incoming,
    /// Văn bản đi: issued by the organisation.
    Outgoing,
}

impl Direction {
    /// Both directions.
    pub const ALL: [Direction; 2] = [Direction::Incoming, Direction::Outgoing];

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }

    /// Parses a code produced by [`Direction::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the direction codes.
    pub fn parse(code: &str) -> Result<Direction, ParseError> {
        parse_code("direction", &Direction::ALL, Direction::code, code)
    }

    /// The Vietnamese name of the direction.
    pub fn label_vi(self) -> &'static str {
        match self {
            Direction::Incoming => "Văn bản đến",
            Direction::Outgoing => "Văn bản đi",
        }
    }
}

/// A kind of register, each with its own yearly number series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegisterKind {
    /// Sổ văn bản đến (Phụ lục IV §VI).
    Incoming,
    /// Sổ văn bản đi (Phụ lục IV §I).
    Outgoing,
    /// Sổ văn bản mật đến (Điều 22.4).
    SecretIncoming,
    /// Sổ văn bản mật đi (Điều 15.2, 16.3).
    SecretOutgoing,
    /// Sổ bản sao: copies (sao y, sao lục, trích sao) made by the organisation.
    Copies,
    /// Sổ văn bản tổ tư vấn: documents of advisory bodies (Hội đồng, Ban, Tổ).
    AdvisoryBody,
}

impl RegisterKind {
    /// Every register kind.
    pub const ALL: [RegisterKind; 6] = [
        RegisterKind::Incoming,
        RegisterKind::Outgoing,
        RegisterKind::SecretIncoming,
        RegisterKind::SecretOutgoing,
        RegisterKind::Copies,
        RegisterKind::AdvisoryBody,
    ];

    /// The register for an incoming document of the given secrecy.
    pub fn for_incoming(secrecy: Secrecy) -> RegisterKind {
        if secrecy.is_secret() {
            RegisterKind::SecretIncoming
        } else {
            RegisterKind::Incoming
        }
    }

    /// The register for an outgoing document of the given secrecy.
    pub fn for_outgoing(secrecy: Secrecy) -> RegisterKind {
        if secrecy.is_secret() {
            RegisterKind::SecretOutgoing
        } else {
            RegisterKind::Outgoing
        }
    }

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            RegisterKind::Incoming => "incoming",
            RegisterKind::Outgoing => "outgoing",
            RegisterKind::SecretIncoming => "secret_incoming",
            RegisterKind::SecretOutgoing => "secret_outgoing",
            RegisterKind::Copies => "copies",
            RegisterKind::AdvisoryBody => "advisory_body",
        }
    }

    /// Parses a code produced by [`RegisterKind::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the register codes.
    pub fn parse(code: &str) -> Result<RegisterKind, ParseError> {
        parse_code(
            "register kind",
            &RegisterKind::ALL,
            RegisterKind::code,
            code,
        )
    }

    /// The Vietnamese name of the register.
    pub fn label_vi(self) -> &'static str {
        match self {
            RegisterKind::Incoming => "Sổ văn bản đến",
            RegisterKind::Outgoing => "Sổ văn bản đi",
            RegisterKind::SecretIncoming => "Sổ văn bản mật đến",
            RegisterKind::SecretOutgoing => "Sổ văn bản mật đi",
            RegisterKind::Copies => "Sổ bản sao",
            RegisterKind::AdvisoryBody => "Sổ văn bản tổ tư vấn",
        }
    }

    /// Whether the register holds secret documents.
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            RegisterKind::SecretIncoming | RegisterKind::SecretOutgoing
        )
    }

    /// Whether the register numbers incoming or outgoing documents.
    ///
    /// Copies and advisory-body documents are issued by the organisation, so they are outgoing.
    pub fn direction(self) -> Direction {
        match self {
            RegisterKind::Incoming | RegisterKind::SecretIncoming => Direction::Incoming,
            RegisterKind::Outgoing
            | RegisterKind::SecretOutgoing
            | RegisterKind::Copies
            | RegisterKind::AdvisoryBody => Direction::Outgoing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: RegisterKind, code: &str, label: &str, secret: bool, direction: Direction) {
        assert_eq!(kind.code(), code);
        assert_eq!(RegisterKind::parse(code), Ok(kind));
        assert_eq!(kind.label_vi(), label);
        assert_eq!(kind.is_secret(), secret);
        assert_eq!(kind.direction(), direction);
    }

    #[test]
    fn register_kinds() {
        use Direction::{Incoming, Outgoing};
        check(
            RegisterKind::Incoming,
            "incoming",
            "Sổ văn bản đến",
            false,
            Incoming,
        );
        check(
            RegisterKind::Outgoing,
            "outgoing",
            "Sổ văn bản đi",
            false,
            Outgoing,
        );
        check(
            RegisterKind::SecretIncoming,
            "secret_incoming",
            "Sổ văn bản mật đến",
            true,
            Incoming,
        );
        check(
            RegisterKind::SecretOutgoing,
            "secret_outgoing",
            "Sổ văn bản mật đi",
            true,
            Outgoing,
        );
        check(
            RegisterKind::Copies,
            "copies",
            "Sổ bản sao",
            false,
            Outgoing,
        );
        check(
            RegisterKind::AdvisoryBody,
            "advisory_body",
            "Sổ văn bản tổ tư vấn",
            false,
            Outgoing,
        );
        assert_eq!(
            RegisterKind::parse("Incoming").unwrap_err().kind(),
            "register kind"
        );
    }

    #[test]
    fn directions() {
        let check = |direction: Direction, code: &str, label: &str| {
            assert_eq!(direction.code(), code);
            assert_eq!(Direction::parse(code), Ok(direction));
            assert_eq!(direction.label_vi(), label);
        };
        check(Direction::Incoming, "incoming", "Văn bản đến");
        check(Direction::Outgoing, "outgoing", "Văn bản đi");
        assert_eq!(Direction::parse("in").unwrap_err().kind(), "direction");
    }

    #[test]
    fn secret_documents_go_to_secret_registers() {
        let check = |secrecy: Secrecy, incoming: RegisterKind, outgoing: RegisterKind| {
            assert_eq!(RegisterKind::for_incoming(secrecy), incoming);
            assert_eq!(RegisterKind::for_outgoing(secrecy), outgoing);
        };
        use RegisterKind::{Incoming, Outgoing, SecretIncoming, SecretOutgoing};
        check(Secrecy::Normal, Incoming, Outgoing);
        check(Secrecy::Confidential, SecretIncoming, SecretOutgoing);
        check(Secrecy::Secret, SecretIncoming, SecretOutgoing);
        check(Secrecy::TopSecret, SecretIncoming, SecretOutgoing);
    }
}
