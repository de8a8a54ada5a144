//! Reading certificates and PKCS#12 files into plain summaries.
//!
//! The rest of the system (the signer registry, the CLI, the web UI) needs to show who a key
//! belongs to and until when it is valid without naming OpenSSL types, so this module turns an
//! X.509 certificate (RFC 5280) into owned strings and `time` values.

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::nid::Nid;
use openssl::pkcs12::{ParsedPkcs12_2, Pkcs12};
use openssl::pkey::{Id, PKeyRef, Public};
use openssl::x509::{X509NameRef, X509Ref};
use time::OffsetDateTime;

use crate::Error;

/// What a person needs to know about a certificate: whose it is, who issued it, and when it is
/// valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// The subject as an RFC 4514 string, most specific attribute first
    /// (`CN=…,title=…,O=…,C=VN`), in UTF-8.
    pub subject: String,
    /// The issuer, formatted like `subject`.
    pub issuer: String,
    /// The serial number in upper-case hexadecimal, without a prefix.
    pub serial_hex: String,
    /// The start of the validity period (RFC 5280 §4.1.2.5).
    pub not_before: OffsetDateTime,
    /// The end of the validity period, inclusive (RFC 5280 §4.1.2.5).
    pub not_after: OffsetDateTime,
    /// The subject public key's algorithm and size: `RSA-2048`, `EC-P256`, `EC-P384`, `Ed25519`.
    pub key_algorithm: String,
}

/// Opens a PKCS#12 file (RFC 7292) with `password` and summarizes its end-entity certificate.
///
/// # Errors
///
/// [`Error::InvalidPkcs12`] when the bytes are not PKCS#12, [`Error::WrongPassword`] when the
/// password does not open it, [`Error::Pkcs12WithoutCertificate`] when it holds no certificate.
pub fn load_pkcs12_summary(p12_der: &[u8], password: &str) -> Result<CertificateSummary, Error> {
    let parsed = open_pkcs12(p12_der, password)?;
    let Some(certificate) = parsed.cert else {
        return Err(Error::Pkcs12WithoutCertificate);
    };
    summarize(&certificate)
}

/// Opens a PKCS#12 file (RFC 7292), telling a wrong password from a file that is not PKCS#12.
///
/// # Errors
///
/// [`Error::InvalidPkcs12`] when the bytes are not PKCS#12, [`Error::WrongPassword`] when the
/// password does not open it.
pub(crate) fn open_pkcs12(p12_der: &[u8], password: &str) -> Result<ParsedPkcs12_2, Error> {
    let pkcs12 = match Pkcs12::from_der(p12_der) {
        Ok(pkcs12) => pkcs12,
        Err(source) => return Err(Error::InvalidPkcs12 { source }),
    };
    // OpenSSL takes the password as a C string, and the Rust binding panics on an interior NUL.
    // Such a password can never be the right one.
    if password.contains('\0') {
        return Err(Error::WrongPassword);
    }
    match pkcs12.parse2(password) {
        Ok(parsed) => Ok(parsed),
        Err(source) if is_mac_failure(&source) => Err(Error::WrongPassword),
        Err(source) => Err(Error::InvalidPkcs12 { source }),
    }
}

/// Summarizes one certificate.
pub(crate) fn summarize(certificate: &X509Ref) -> Result<CertificateSummary, Error> {
    let public_key = certificate.public_key()?;
    Ok(CertificateSummary {
        subject: rfc4514(certificate.subject_name())?,
        issuer: rfc4514(certificate.issuer_name())?,
        serial_hex: certificate
            .serial_number()
            .to_bn()?
            .to_hex_str()?
            .to_string(),
        not_before: to_offset_date_time(certificate.not_before())?,
        not_after: to_offset_date_time(certificate.not_after())?,
        key_algorithm: key_algorithm(&public_key)?,
    })
}

/// OpenSSL's `ERR_LIB_PKCS12` (`err.h`).
const ERR_LIB_PKCS12: i32 = 35;

/// OpenSSL's `PKCS12_R_MAC_VERIFY_FAILURE` (`pkcs12err.h`).
const PKCS12_R_MAC_VERIFY_FAILURE: i32 = 113;

/// Whether parsing failed on the integrity MAC (RFC 7292 §5).
///
/// `PKCS12_parse` checks the MAC before decrypting anything, and the MAC key derives from the
/// password, so a MAC failure means a wrong password.
/// Codes are compared rather than reason strings, which depend on loaded error strings.
fn is_mac_failure(errors: &openssl::error::ErrorStack) -> bool {
    errors.errors().iter().any(|error| {
        error.library_code() == ERR_LIB_PKCS12 && error.reason_code() == PKCS12_R_MAC_VERIFY_FAILURE
    })
}

/// Formats a distinguished name as RFC 4514 §2 does: the last RDN first, `,` between RDNs,
/// special characters escaped.
///
/// Multi-valued RDNs are written as separate RDNs, which our certificates never use.
fn rfc4514(name: &X509NameRef) -> Result<String, Error> {
    let mut parts = Vec::new();
    for entry in name.entries() {
        let object = entry.object();
        let key = match object.nid().short_name() {
            Ok(short_name) if object.nid() != Nid::UNDEF => short_name.to_string(),
            // `Display` falls back to the dotted form when OpenSSL knows no name.
            _ => object.to_string(),
        };
        let value = entry.data().to_string()?;
        parts.push(format!("{key}={}", escape_rfc4514_value(&value)));
    }
    parts.reverse();
    Ok(parts.join(","))
}

/// Escapes an attribute value as RFC 4514 §2.4 requires.
fn escape_rfc4514_value(value: &str) -> String {
    let last = value.chars().count().saturating_sub(1);
    let mut escaped = String::with_capacity(value.len());
    for (position, character) in value.chars().enumerate() {
        match character {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                escaped.push('\\');
                escaped.push(character);
            }
            '#' if position == 0 => escaped.push_str("\\#"),
            ' ' if position == 0 || position == last => escaped.push_str("\\ "),
            '\0' => escaped.push_str("\\00"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// Converts an ASN.1 UTCTime or GeneralizedTime to an `OffsetDateTime` in UTC.
pub(crate) fn to_offset_date_time(asn1_time: &Asn1TimeRef) -> Result<OffsetDateTime, Error> {
    let epoch = Asn1Time::from_unix(0)?;
    let difference = epoch.diff(asn1_time)?;
    let seconds = i64::from(difference.days) * 86_400 + i64::from(difference.secs);
    match OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(date_time) => Ok(date_time),
        // X.509 times stop at the year 9999, which `time` represents, so this is unreachable
        // for any certificate OpenSSL accepted.
        Err(_) => Err(Error::Backend(openssl::error::ErrorStack::get())),
    }
}

/// Names the key algorithm and size the way our UI and audit trail show it.
pub(crate) fn key_algorithm(public_key: &PKeyRef<Public>) -> Result<String, Error> {
    let id = public_key.id();
    if id == Id::RSA || id == Id::RSA_PSS {
        return Ok(format!("RSA-{}", public_key.bits()));
    }
    if id == Id::EC {
        let curve = public_key.ec_key()?.group().curve_name();
        return Ok(match curve {
            Some(Nid::X9_62_PRIME256V1) => "EC-P256".to_string(),
            Some(Nid::SECP384R1) => "EC-P384".to_string(),
            Some(Nid::SECP521R1) => "EC-P521".to_string(),
            Some(other) => format!("EC-{}", other.short_name().unwrap_or("unknown")),
            None => "EC-explicit".to_string(),
        });
    }
    if id == Id::ED25519 {
        return Ok("Ed25519".to_string());
    }
    if id == Id::ED448 {
        return Ok("Ed448".to_string());
    }
    Ok(format!("unknown-{}-{}", id.as_raw(), public_key.bits()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_rfc4514_specials() {
        let check = |input: &str, expected: &str| {
            assert_eq!(escape_rfc4514_value(input), expected, "input {input:?}");
        };
        check("Nguyễn Văn An", "Nguyễn Văn An");
        check("a,b+c", "a\\,b\\+c");
        check("#x", "\\#x");
        check(" x ", "\\ x\\ ");
        check("x#", "x#");
        check("", "");
    }

    #[test]
    fn garbage_is_not_pkcs12() {
        let error = load_pkcs12_summary(b"not a pkcs12 file", "x").unwrap_err();
        assert!(matches!(error, Error::InvalidPkcs12 { .. }), "{error:?}");
        let error = load_pkcs12_summary(&[], "x").unwrap_err();
        assert!(matches!(error, Error::InvalidPkcs12 { .. }), "{error:?}");
    }
}
