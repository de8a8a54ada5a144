//! The PAdES baseline levels (ETSI EN 319 142-1 §6).

use std::fmt;

/// How much a signature carries for long-term validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// B-B: the CMS signature with the signing certificate reference.
    BB,
    /// B-T: plus a signature timestamp from a trusted TSA (proof of existence).
    BT,
    /// B-LT: plus the certificates and revocation data in the document's DSS.
    BLT,
    /// B-LTA: plus a document timestamp over everything, renewable later.
    BLTA,
}

impl Level {
    /// Parses `b-b`, `b-t`, `b-lt` or `b-lta` (any case).
    ///
    /// # Errors
    /// `Error::UnknownLevel` for anything else.
    pub fn parse(text: &str) -> Result<Level, crate::Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "b-b" | "bb" => Ok(Level::BB),
            "b-t" | "bt" => Ok(Level::BT),
            "b-lt" | "blt" => Ok(Level::BLT),
            "b-lta" | "blta" => Ok(Level::BLTA),
            _ => Err(crate::Error::UnknownLevel {
                value: text.chars().take(32).collect(),
            }),
        }
    }

    /// Whether this level needs a time-stamping authority.
    pub fn needs_timestamp(self) -> bool {
        self >= Level::BT
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLT => "B-LT",
            Level::BLTA => "B-LTA",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::parse("B-LTA").unwrap(), Level::BLTA);
        assert_eq!(Level::parse("b-t").unwrap().to_string(), "B-T");
        assert!(Level::parse("b-x").is_err());
        assert!(Level::BB < Level::BT && Level::BLT < Level::BLTA);
        assert!(!Level::BB.needs_timestamp() && Level::BLT.needs_timestamp());
    }
}
