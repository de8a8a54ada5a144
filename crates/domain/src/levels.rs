//! Urgency (độ khẩn) and secrecy (độ mật) of a document.
//!
//! Decree 30/2020, Phụ lục I §III.2 defines both marks. Urgency drives deadlines: urgent incoming
//! documents are registered, presented and handled immediately (Điều 4.2.c, 23.1, 24.2), and the
//! edXML `Priority` field carries it as 0 to 4. Secrecy is set under the State-secrets law; secret
//! documents are kept in separate registers (Điều 15.2, 16.3, 22.4) and never exchanged
//! electronically (QĐ 28/2018), so every code path that exports or displays must ask for it.

use crate::error::{ParseError, parse_code};

/// How urgently a document must be handled, ordered from least to most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// Thường: no urgency mark.
    Normal,
    /// Khẩn.
    Urgent,
    /// Thượng khẩn.
    VeryUrgent,
    /// Hỏa tốc.
    Flash,
    /// Hỏa tốc hẹn giờ: flash, to be delivered at a stated time.
    TimedFlash,
}

impl Urgency {
    /// Every urgency, from least to most urgent.
    pub const ALL: [Urgency; 5] = [
        Urgency::Normal,
        Urgency::Urgent,
        Urgency::VeryUrgent,
        Urgency::Flash,
        Urgency::TimedFlash,
    ];

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
            Urgency::VeryUrgent => "very_urgent",
            Urgency::Flash => "flash",
            Urgency::TimedFlash => "timed_flash",
        }
    }

    /// Parses a code produced by [`Urgency::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the urgency codes.
    pub fn parse(code: &str) -> Result<Urgency, ParseError> {
        parse_code("urgency", &Urgency::ALL, Urgency::code, code)
    }

    /// The Vietnamese mark, as printed on the document.
    pub fn label_vi(self) -> &'static str {
        match self {
            Urgency::Normal => "Thường",
            Urgency::Urgent => "Khẩn",
            Urgency::VeryUrgent => "Thượng khẩn",
            Urgency::Flash => "Hỏa tốc",
            Urgency::TimedFlash => "Hỏa tốc hẹn giờ",
        }
    }

    /// The edXML `Priority` code: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
    pub fn edxml_priority(self) -> u8 {
        match self {
            Urgency::Normal => 0,
            Urgency::Urgent => 1,
            Urgency::VeryUrgent => 2,
            Urgency::Flash => 3,
            Urgency::TimedFlash => 4,
        }
    }

    /// Whether the document carries any urgency mark, and so must be handled immediately.
    pub fn is_urgent(self) -> bool {
        self != Urgency::Normal
    }
}

/// The secrecy level of a document, ordered from least to most secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Secrecy {
    /// No secrecy mark.
    Normal,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

impl Secrecy {
    /// Every level, from least to most secret.
    pub const ALL: [Secrecy; 4] = [
        Secrecy::Normal,
        Secrecy::Confidential,
        Secrecy::Secret,
        Secrecy::TopSecret,
    ];

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Secrecy::Normal => "normal",
            Secrecy::Confidential => "confidential",
            Secrecy::Secret => "secret",
            Secrecy::TopSecret => "top_secret",
        }
    }

    /// Parses a code produced by [`Secrecy::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the secrecy codes.
    pub fn parse(code: &str) -> Result<Secrecy, ParseError> {
        parse_code("secrecy", &Secrecy::ALL, Secrecy::code, code)
    }

    /// The Vietnamese label; for the three secret levels it is the mark printed on the document.
    pub fn label_vi(self) -> &'static str {
        match self {
            Secrecy::Normal => "Thường",
            Secrecy::Confidential => "Mật",
            Secrecy::Secret => "Tối mật",
            Secrecy::TopSecret => "Tuyệt mật",
        }
    }

    /// Whether the document is secret at any level, and so belongs in a secret register.
    pub fn is_secret(self) -> bool {
        self != Secrecy::Normal
    }
}

/// Whether a person cleared up to `clearance` may see a document at `level`.
pub fn cleared_for(clearance: Secrecy, level: Secrecy) -> bool {
    clearance >= level
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_urgency(urgency: Urgency, code: &str, label: &str, priority: u8) {
        assert_eq!(urgency.code(), code);
        assert_eq!(Urgency::parse(code), Ok(urgency));
        assert_eq!(urgency.label_vi(), label);
        assert_eq!(urgency.edxml_priority(), priority);
        assert_eq!(urgency.is_urgent(), priority > 0);
    }

    #[test]
    fn urgencies() {
        check_urgency(Urgency::Normal, "normal", "Thường", 0);
        check_urgency(Urgency::Urgent, "urgent", "Khẩn", 1);
        check_urgency(Urgency::VeryUrgent, "very_urgent", "Thượng khẩn", 2);
        check_urgency(Urgency::Flash, "flash", "Hỏa tốc", 3);
        check_urgency(Urgency::TimedFlash, "timed_flash", "Hỏa tốc hẹn giờ", 4);
        let mut sorted = Urgency::ALL;
        sorted.sort();
        assert_eq!(sorted, Urgency::ALL);
    }

    fn check_secrecy(secrecy: Secrecy, code: &str, label: &str, secret: bool) {
        assert_eq!(secrecy.code(), code);
        assert_eq!(Secrecy::parse(code), Ok(secrecy));
        assert_eq!(secrecy.label_vi(), label);
        assert_eq!(secrecy.is_secret(), secret);
    }

    #[test]
    fn secrecy_levels() {
        check_secrecy(Secrecy::Normal, "normal", "Thường", false);
        check_secrecy(Secrecy::Confidential, "confidential", "Mật", true);
        check_secrecy(Secrecy::Secret, "secret", "Tối mật", true);
        check_secrecy(Secrecy::TopSecret, "top_secret", "Tuyệt mật", true);
    }

    #[test]
    fn clearance_covers_its_level_and_those_below() {
        let check = |clearance: Secrecy, level: Secrecy, expected: bool| {
            assert_eq!(
                cleared_for(clearance, level),
                expected,
                "{clearance:?} {level:?}"
            );
        };
        check(Secrecy::Normal, Secrecy::Normal, true);
        check(Secrecy::Normal, Secrecy::Confidential, false);
        check(Secrecy::Confidential, Secrecy::Confidential, true);
        check(Secrecy::Confidential, Secrecy::Secret, false);
        check(Secrecy::Secret, Secrecy::Confidential, true);
        check(Secrecy::TopSecret, Secrecy::TopSecret, true);
        check(Secrecy::TopSecret, Secrecy::Normal, true);
        check(Secrecy::Secret, Secrecy::TopSecret, false);
    }

    #[test]
    fn unknown_codes_are_rejected() {
        for code in ["", "Normal", "khan", "very-urgent", "mat", "top secret"] {
            assert_eq!(Urgency::parse(code).unwrap_err().kind(), "urgency");
            assert_eq!(Secrecy::parse(code).unwrap_err().kind(), "secrecy");
        }
    }
}
