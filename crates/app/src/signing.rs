//! Signing files with a key the caller names: the use case behind `vanthu sign`, which needs no
//! database. It loads the key (PKCS#12 file or PKCS#11 token), lays out the visible appearance, and
//! hands the rest to the `pades` engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crypto::{Certificate, SignaturePreference, Signer};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::Error;

/// How long a TSA or OCSP request may take.
const SERVICE_TIMEOUT: Duration = Duration::from_secs(20);

/// The hash to sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashChoice {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// The signing preference for a hash and, for RSA keys, PSS.
pub fn preference(hash: HashChoice, rsa_pss: bool) -> SignaturePreference {
    let hash = match hash {
        HashChoice::Sha256 => crypto::HashAlgorithm::Sha256,
        HashChoice::Sha384 => crypto::HashAlgorithm::Sha384,
        HashChoice::Sha512 => crypto::HashAlgorithm::Sha512,
    };
    SignaturePreference { hash, rsa_pss }
}

/// Where the private key is.
#[derive(Debug)]
pub enum KeySource {
    /// A PKCS#12 file and its password.
    Pkcs12 {
        /// The file.
        path: PathBuf,
        /// Its password.
        password: SecretString,
    },
    /// A key on a PKCS#11 token (USB token, HSM).
    Pkcs11 {
        /// The vendor's PKCS#11 module (`.so`).
        module: PathBuf,
        /// The token's label.
        token: String,
        /// The key's label.
        key_label: String,
        /// The user PIN.
        pin: SecretString,
        /// Intermediate certificates (PEM) when the token holds only the signer's.
        chain: Option<PathBuf>,
    },
}

/// A visible signature box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// The page, from 1.
    pub page: usize,
    /// Left edge in points.
    pub x: f32,
    /// Bottom edge in points.
    pub y: f32,
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
}

/// What to sign, with what, and how.
#[derive(Debug)]
pub struct SignFileRequest {
    /// The PDF to sign (never overwritten).
    pub input: PathBuf,
    /// Where to write the signed PDF.
    pub output: PathBuf,
    /// The key.
    pub key: KeySource,
    /// `b-b`, `b-t`, `b-lt` or `b-lta`.
    pub level: String,
    /// The TSA, for B-T and above.
    pub tsa_url: Option<String>,
    /// An OCSP responder overriding the certificates' own, for B-LT and above.
    pub ocsp_url: Option<String>,
    /// The field to sign: an existing empty one, or the name of a new one.
    pub field: Option<String>,
    /// A visible box; invisible when absent.
    pub visible: Option<Placement>,
    /// The signature image (PNG) shown in the box.
    pub image: Option<PathBuf>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// Trust roots (PEM files) the certificate must chain to.
    pub trust: Vec<PathBuf>,
    /// The password of an encrypted input PDF.
    pub document_password: Option<SecretString>,
    /// CRLs (PEM or DER files) for the intermediate CAs, for B-LT and above when their distribution
    /// points cannot be reached.
    pub crl_files: Vec<PathBuf>,
    /// The hash and, for RSA, PSS.
    pub preference: SignaturePreference,
}

/// What was signed.
#[derive(Debug)]
pub struct SignOutcome {
    /// The signer's subject.
    pub signer: String,
    /// The level reached.
    pub level: String,
    /// The size of the signed file.
    pub bytes: usize,
}

/// Signs `request.input` into `request.output`.
///
/// # Errors
/// `Error::Validation` for bad arguments (same input and output, unreadable files, bad level);
/// `Error::Signing` with a precise code for refused certificates, wrong passwords, unusable PDFs and
/// unreachable services.
pub fn sign_file(request: &SignFileRequest, now: OffsetDateTime) -> Result<SignOutcome, Error> {
    if same_file(&request.input, &request.output) {
        return Err(Error::invalid(
            "output",
            "the output must not be the input: signing never overwrites its input",
        ));
    }
    let level = pades::Level::parse(&request.level)
        .map_err(|error| Error::invalid("level", error.to_string()))?;
    let document = read(&request.input, "input")?;
    let mut roots = Vec::new();
    for path in &request.trust {
        roots.extend(Certificate::from_pem_bundle(&read(path, "trust")?).map_err(signing_error)?);
    }
    if roots.is_empty() {
        return Err(Error::invalid(
            "trust",
            "no trust root: pass the PEM of the root the certificate must chain to",
        ));
    }
    let signer = load_signer(&request.key, request.preference)?;
    let appearance = match (&request.visible, &request.image) {
        (Some(placement), Some(image)) => Some(pades::decree30::leader_appearance(
            &read(image, "image")?,
            placement.width,
            placement.height,
        )),
        _ => None,
    };
    let field_name = request
        .field
        .clone()
        .unwrap_or_else(|| "Signature1".to_owned());
    let limits = pdf::Limits::untrusted_upload();
    let document_password = request
        .document_password
        .as_ref()
        .map(|password| password.expose_secret());
    let existing = match document_password {
        Some(password) => pdf::signature_fields_with_password(&document, password, &limits),
        None => pdf::signature_fields(&document, &limits),
    }
    .map_err(signing_error)?;
    let field = if existing.iter().any(|name| name == &field_name) {
        pdf::FieldTarget::Existing(&field_name)
    } else {
        pdf::FieldTarget::New(pdf::FieldSpec {
            name: field_name.clone(),
            kind: pdf::FieldKind::Signature,
            page: request.visible.map_or(1, |placement| placement.page),
            rect: request.visible.map(|placement| {
                [
                    placement.x,
                    placement.y,
                    placement.x + placement.width,
                    placement.y + placement.height,
                ]
            }),
        })
    };
    let crls = request
        .crl_files
        .iter()
        .map(|path| read(path, "crl"))
        .collect::<Result<Vec<_>, _>>()?;
    let transport = pades::HttpTransport::new(SERVICE_TIMEOUT);
    let options = pades::SignOptions {
        level,
        field,
        appearance: appearance.as_ref(),
        signing_time: now,
        name: None,
        reason: request.reason.as_deref(),
        location: request.location.as_deref(),
        trust_roots: &roots,
        timestamp: request
            .tsa_url
            .as_deref()
            .map(|url| pades::TimestampOptions {
                url,
                hash: request.preference.hash,
            }),
        ocsp_url: request.ocsp_url.as_deref(),
        crls: &crls,
        transport: &transport,
        document_password,
        limits: &limits,
    };
    let signed = pades::sign(&document, signer.as_ref(), &options).map_err(signing_error)?;
    write_new(&request.output, &signed)?;
    let signer_name = signer
        .certificate()
        .summary()
        .map(|summary| summary.subject)
        .unwrap_or_default();
    Ok(SignOutcome {
        signer: signer_name,
        level: level.to_string(),
        bytes: signed.len(),
    })
}

/// Opens the key named by `source`.
///
/// # Errors
/// `Error::Signing` for a wrong password or PIN, a missing token or key, or a weak key.
pub fn load_signer(
    source: &KeySource,
    preference: SignaturePreference,
) -> Result<Arc<dyn Signer>, Error> {
    match source {
        KeySource::Pkcs12 { path, password } => {
            let der = read(path, "p12")?;
            let signer =
                crypto::SoftwareSigner::from_pkcs12(&der, password.expose_secret(), preference)
                    .map_err(signing_error)?;
            Ok(Arc::new(signer))
        }
        KeySource::Pkcs11 {
            module,
            token,
            key_label,
            pin,
            chain,
        } => {
            let chain = match chain {
                Some(path) => {
                    Certificate::from_pem_bundle(&read(path, "chain")?).map_err(signing_error)?
                }
                None => Vec::new(),
            };
            let signer = crypto::Pkcs11Signer::open(crypto::Pkcs11Config {
                module,
                token_label: token,
                key_label,
                pin: pin.expose_secret(),
                preference,
                chain,
            })
            .map_err(signing_error)?;
            Ok(Arc::new(signer))
        }
    }
}

fn read(path: &Path, field: &'static str) -> Result<Vec<u8>, Error> {
    std::fs::read(path)
        .map_err(|error| Error::invalid(field, format!("cannot read {}: {error}", path.display())))
}

/// Writes through a temporary file and a rename, so that a crash never leaves half a PDF.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = directory.join(format!(
        ".{}.partial",
        path.file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let written =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        Error::invalid(
            "output",
            format!("cannot write {}: {error}", path.display()),
        )
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Maps an engine error to `Error::Signing` with a stable code.
pub(crate) fn signing_error(error: impl Into<pades::Error>) -> Error {
    let error = error.into();
    let code = match &error {
        pades::Error::Pdf(pdf_error) => match Error::from(pdf_error.clone()) {
            Error::NotPdf { code, .. } => code,
            Error::TooLarge { .. } => "request.too_large",
            _ => "document.cannot_sign",
        },
        pades::Error::Crypto(crypto_error) => crypto_code(crypto_error),
        pades::Error::Service(_) => "signing.service_unavailable",
        pades::Error::TimestampAuthorityRequired { .. } => "signing.tsa_required",
        pades::Error::RevocationUnavailable { .. } => "signing.revocation_unavailable",
        pades::Error::UnknownLevel { .. } => "request.invalid",
        pades::Error::CorruptPending { .. } => "signing.corrupt_pending",
        pades::Error::SignatureMismatch => "signing.signature_mismatch",
    };
    Error::Signing {
        code,
        message: error.to_string(),
    }
}

fn crypto_code(error: &crypto::Error) -> &'static str {
    match error {
        crypto::Error::WrongPassword => "key.wrong_password",
        crypto::Error::CertificateRefused { .. } => "signing.certificate_refused",
        crypto::Error::WeakKey { .. } => "signing.weak_key",
        crypto::Error::InvalidPkcs12 { .. } | crypto::Error::Pkcs12WithoutCertificate => {
            "key.invalid"
        }
        crypto::Error::InvalidCertificate { .. } | crypto::Error::NoCertificate => {
            "certificate.invalid"
        }
        _ => "signing.failed",
    }
}
