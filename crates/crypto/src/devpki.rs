//! The development PKI committed in `certs-dev/`, and the generator that regenerates it.
//!
//! Tests, the demo and the local test services (TSA, OCSP responder, CRL server) need a complete
//! certificate hierarchy that never expires during the life of the project, and that nobody could
//! mistake for a real one.
//! Every subject therefore says "DEV ONLY", the validity is set by the caller (not by a clock),
//! and `app` refuses this material unless `danger_allow_dev_certificates` is set.
//!
//! The hierarchy is a root CA, one intermediate CA (both RSA), and end entities issued by the
//! intermediate: the demo leader and the agency seal (RSA-2048 and P-256 each), a TSA, an OCSP
//! responder, a revoked and an expired signer.
//! Profiles follow RFC 5280 §4.2; the TSA profile follows RFC 3161 §2.3, the OCSP responder
//! profile RFC 6960 §4.2.2.2.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time, Asn1Type};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, PKeyRef, Private};
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, CrlNumber, ExtendedKeyUsage, KeyUsage,
    SubjectKeyIdentifier,
};
use openssl::x509::{
    X509, X509Builder, X509CrlBuilder, X509Extension, X509Name, X509NameBuilder, X509Ref,
    X509RevokedBuilder,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::Error;

/// The OCSP responder URL written into every end-entity certificate's AIA extension.
///
/// It points at a test service on loopback; nothing listens there in production.
pub const DEV_OCSP_URL: &str = "http://127.0.0.1:8788/ocsp";

/// The CRL distribution point of every end-entity certificate, served by a test service on
/// loopback from `intermediate.crl` (converted to DER, RFC 5280 §4.2.1.13).
pub const DEV_INTERMEDIATE_CRL_URL: &str = "http://127.0.0.1:8788/crl/intermediate.crl";

/// The CRL distribution point of the intermediate CA, served from `root-ca.crl`.
pub const DEV_ROOT_CRL_URL: &str = "http://127.0.0.1:8788/crl/root-ca.crl";

/// What the generator needs to know: the validity of every certificate and the PKCS#12 password.
///
/// There is deliberately no `Default`: the committed set uses [`DevPkiOptions::standard`], and
/// tests choose their own dates.
#[derive(Clone, PartialEq, Eq)]
pub struct DevPkiOptions {
    /// The start of validity of every certificate, and the thisUpdate of the CRLs.
    pub not_before: OffsetDateTime,
    /// The end of validity of every certificate except `expired-rsa`, and the CRLs' nextUpdate.
    pub not_after: OffsetDateTime,
    /// The password protecting every PKCS#12 file.
    pub p12_password: String,
}

/// What [`generate_dev_pki`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevPkiSummary {
    /// Every file written, in the order written, `README.md` last.
    pub files: Vec<PathBuf>,
    /// The start of validity used.
    pub not_before: OffsetDateTime,
    /// The end of validity used.
    pub not_after: OffsetDateTime,
}

impl DevPkiOptions {
    /// The options of the committed `certs-dev/`: valid 2024-01-01 to 2049-12-31, password
    /// `vanthu-dev`.
    ///
    /// The end stays within 2049 so every time is a UTCTime (RFC 5280 §4.1.2.5), which the
    /// oldest validators read.
    pub fn standard() -> Self {
        DevPkiOptions {
            not_before: datetime!(2024-01-01 00:00:00 UTC),
            not_after: datetime!(2049-12-31 23:59:59 UTC),
            p12_password: "vanthu-dev".to_string(),
        }
    }
}

impl fmt::Debug for DevPkiOptions {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("DevPkiOptions")
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("p12_password", &"<redacted>")
            .finish()
    }
}

/// Generates the whole development PKI into `out_dir` (created if missing), overwriting files of
/// the same names, and writes `README.md` from [`readme_text`].
///
/// Keys are fresh on every call, so every call produces different certificates.
///
/// # Errors
///
/// [`Error::InvalidValidityPeriod`] when the period spans one day or less or leaves the years
/// 1950 to 9999, [`Error::UnusablePassword`] for a password with a NUL character,
/// [`Error::Io`] when a file cannot be written.
pub fn generate_dev_pki(out_dir: &Path, options: &DevPkiOptions) -> Result<DevPkiSummary, Error> {
    let outputs = build_outputs(options)?;
    if let Err(source) = fs::create_dir_all(out_dir) {
        return Err(Error::Io {
            path: out_dir.to_path_buf(),
            source,
        });
    }
    let mut files = Vec::with_capacity(outputs.len() + 1);
    for output in &outputs {
        let path = out_dir.join(&output.file_name);
        write_atomically(&path, &output.contents, output.secret)?;
        files.push(path);
    }
    let readme = out_dir.join("README.md");
    write_atomically(&readme, readme_text(options).as_bytes(), false)?;
    files.push(readme);
    tracing::info!(
        out_dir = %out_dir.display(),
        files = files.len(),
        "development PKI generated"
    );
    Ok(DevPkiSummary {
        files,
        not_before: options.not_before,
        not_after: options.not_after,
    })
}

/// The `README.md` written next to the generated files: the DEV ONLY warning, what each file is
/// for, the password, the dates and the command that regenerates them.
pub fn readme_text(options: &DevPkiOptions) -> String {
    let not_before = readme_date(options.not_before);
    let not_after = readme_date(options.not_after);
    let expired_until = options
        .not_before
        .checked_add(Duration::DAY)
        .map_or_else(|| "one day later".to_string(), readme_date);
    let password = &options.p12_password;

    let mut entity_rows = String::new();
    for entity in &END_ENTITIES {
        let name = entity.name;
        entity_rows.push_str(&format!(
            "| `{name}.pem`, `{name}.key.pem`, `{name}.p12` | {} | {} |\n",
            entity.key.label(),
            entity.purpose
        ));
    }

    format!(
        r#"# certs-dev: the Vanthu development PKI (DEV ONLY)

**Everything in this folder is for development and tests only.**
The private keys are committed and public, so anyone can sign anything with them.
Never trust these certificates in production, never import the root into a real trust store, and never use them to sign a real document.
Every subject contains "DEV ONLY", and the server refuses this material unless `danger_allow_dev_certificates` is set.

## Regenerating

```sh
cargo run -p cli --bin vanthu -- dev-certs
# equivalently, with an installed binary:
vanthu dev-certs --out certs-dev
```

Regeneration creates new keys and serial numbers, so every file changes; commit the whole folder at once.
The generator is `crypto::devpki::generate_dev_pki`, called with `crypto::devpki::DevPkiOptions::standard()`.
This README is written by the same function; do not edit it by hand.

## Validity and passwords

- Every certificate is valid from {not_before} to {not_after}, except `expired-rsa`.
- `expired-rsa` is valid from {not_before} to {expired_until} only.
- Both CRLs have thisUpdate {not_before} and nextUpdate {not_after}.
- Every `.p12` file is protected with the password `{password}`.
- The `.key.pem` files are unencrypted PKCS#8.
- The `.p12` files use the OpenSSL 3 defaults (AES-256-CBC, PBKDF2, HMAC-SHA-256 MAC); tools that only read the legacy RC2/3DES format need `openssl pkcs12 -legacy` to convert them.
- Tests verify at a fixed time inside the validity period, so expiry never breaks CI.

## Hierarchy

```
Vanthu DEV ONLY Root CA (RSA-3072, self-signed)
└── Vanthu DEV ONLY Intermediate CA (RSA-2048, pathlen 0)
    ├── leader-rsa, leader-p256     Nguyễn Văn An (DEV ONLY), Chủ tịch
    ├── seal-rsa, seal-p256         UBND phường Ngô Quyền (DEV ONLY)
    ├── tsa                         Vanthu DEV ONLY TSA
    ├── ocsp                        Vanthu DEV ONLY OCSP Responder
    ├── revoked-rsa                 listed in intermediate.crl
    └── expired-rsa                 expired one day after issue
```

## Files

| files | key | purpose |
|---|---|---|
| `root-ca.pem`, `root-ca.key.pem` | RSA-3072 | The trust anchor: basicConstraints CA, keyCertSign and cRLSign. |
| `intermediate-ca.pem`, `intermediate-ca.key.pem` | RSA-2048 | Issues every end-entity certificate and `intermediate.crl`; pathlen 0. |
| `chain.pem` | | The intermediate, then the root, for `-untrusted`/`-CAfile` style options. |
| `root-ca.crl` | | The root's CRL (PEM), revoking nothing, so that the intermediate's status can be checked. |
| `intermediate.crl` | | The intermediate's CRL (PEM), revoking `revoked-rsa`. |
{entity_rows}
Each `.p12` holds the key, the certificate and the chain (intermediate and root), with the friendly name `Vanthu DEV ONLY NAME`.
Signer certificates carry keyUsage digitalSignature and nonRepudiation (critical), and extendedKeyUsage emailProtection and documentSigning (RFC 9336).
The TSA certificate carries a critical extendedKeyUsage of timeStamping only (RFC 3161 §2.3).
The OCSP responder certificate carries extendedKeyUsage OCSPSigning and id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).

## Revocation URLs

Every end-entity certificate names the OCSP responder `{ocsp}` and the CRL distribution point `{crl}`.
The intermediate names the CRL distribution point `{root_crl}`.
These are placeholders for test services on loopback started by the tests themselves; nothing listens there otherwise, and CRLs must be served there in DER form.

## Checking by hand

```sh
openssl verify -CAfile certs-dev/root-ca.pem -untrusted certs-dev/intermediate-ca.pem certs-dev/leader-rsa.pem
openssl pkcs12 -info -noout -in certs-dev/leader-rsa.p12 -passin pass:{password}
openssl x509 -noout -subject -nameopt utf8 -in certs-dev/leader-rsa.pem
openssl crl -noout -text -in certs-dev/intermediate.crl
```
"#,
        ocsp = DEV_OCSP_URL,
        crl = DEV_INTERMEDIATE_CRL_URL,
        root_crl = DEV_ROOT_CRL_URL,
    )
}

/// The organization of the demo agency, a ward People's Committee.
const AGENCY: &str = "UBND phường Ngô Quyền (DEV ONLY)";

/// The organization of the infrastructure certificates (CAs, TSA, OCSP responder).
const VANTHU_DEV: &str = "Vanthu DEV ONLY";

/// id-kp-documentSigning, RFC 9336 §3.1.
const OID_DOCUMENT_SIGNING: &str = "1.3.6.1.5.5.7.3.36";

/// id-pe-authorityInfoAccess, RFC 5280 §4.2.2.1.
const OID_AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";

/// id-ad-ocsp, RFC 5280 §4.2.2.1.
const OID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";

/// id-ce-cRLDistributionPoints, RFC 5280 §4.2.1.13.
const OID_CRL_DISTRIBUTION_POINTS: &str = "2.5.29.31";

/// id-pkix-ocsp-nocheck, RFC 6960 §4.2.2.2.1.
const OID_OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";

/// The end entities, in the order their files are written and listed.
const END_ENTITIES: [EndEntity; 8] = [
    EndEntity {
        name: "leader-rsa",
        role: Role::Signer,
        key: KeyKind::Rsa2048,
        common_name: "Nguyễn Văn An (DEV ONLY)",
        lifetime: Lifetime::Full,
        purpose: "The demo leader's personal signing certificate (Chủ tịch).",
    },
    EndEntity {
        name: "leader-p256",
        role: Role::Signer,
        key: KeyKind::P256,
        common_name: "Nguyễn Văn An (DEV ONLY)",
        lifetime: Lifetime::Full,
        purpose: "The same leader with an ECDSA key.",
    },
    EndEntity {
        name: "seal-rsa",
        role: Role::Seal,
        key: KeyKind::Rsa2048,
        common_name: AGENCY,
        lifetime: Lifetime::Full,
        purpose: "The agency seal certificate, for the agency's signature after the leader's.",
    },
    EndEntity {
        name: "seal-p256",
        role: Role::Seal,
        key: KeyKind::P256,
        common_name: AGENCY,
        lifetime: Lifetime::Full,
        purpose: "The agency seal with an ECDSA key.",
    },
    EndEntity {
        name: "tsa",
        role: Role::TimeStamping,
        key: KeyKind::Rsa2048,
        common_name: "Vanthu DEV ONLY TSA",
        lifetime: Lifetime::Full,
        purpose: "The test time-stamping authority (`openssl ts`), critical EKU timeStamping.",
    },
    EndEntity {
        name: "ocsp",
        role: Role::OcspResponder,
        key: KeyKind::Rsa2048,
        common_name: "Vanthu DEV ONLY OCSP Responder",
        lifetime: Lifetime::Full,
        purpose: "The test OCSP responder (`openssl ocsp`), delegated by the intermediate.",
    },
    EndEntity {
        name: "revoked-rsa",
        role: Role::Signer,
        key: KeyKind::Rsa2048,
        common_name: "Nguyễn Văn An (DEV ONLY, revoked)",
        lifetime: Lifetime::Full,
        purpose: "A signer revoked by `intermediate.crl` since the start of validity.",
    },
    EndEntity {
        name: "expired-rsa",
        role: Role::Signer,
        key: KeyKind::Rsa2048,
        common_name: "Nguyễn Văn An (DEV ONLY, expired)",
        lifetime: Lifetime::OneDay,
        purpose: "A signer whose validity ended one day after it began.",
    },
];

/// The name of the one end entity that `intermediate.crl` revokes.
const REVOKED_NAME: &str = "revoked-rsa";

/// One end-entity certificate to issue.
struct EndEntity {
    /// The file stem of its files.
    name: &'static str,
    role: Role,
    key: KeyKind,
    common_name: &'static str,
    lifetime: Lifetime,
    /// One sentence for the README.
    purpose: &'static str,
}

/// The certificate profiles; each decides the subject attributes and the extensions.
#[derive(Clone, Copy)]
enum Role {
    /// A natural person who signs documents.
    Signer,
    /// The agency itself (an organization "seal" in eIDAS terms).
    Seal,
    /// A time-stamping authority, RFC 3161.
    TimeStamping,
    /// A delegated OCSP responder, RFC 6960.
    OcspResponder,
}

#[derive(Clone, Copy)]
enum KeyKind {
    Rsa3072,
    Rsa2048,
    P256,
}

#[derive(Clone, Copy)]
enum Lifetime {
    /// The options' whole validity period.
    Full,
    /// One day from the options' not_before, long over at any realistic test time.
    OneDay,
}

/// A CA certificate with its key, able to issue certificates and CRLs.
struct Authority {
    certificate: X509,
    key: PKey<Private>,
}

/// One file to write.
struct Output {
    file_name: String,
    contents: Vec<u8>,
    /// Private keys get mode 0600 on Unix.
    secret: bool,
}

/// The validity period in OpenSSL's terms.
struct Validity {
    not_before: Asn1Time,
    not_after: Asn1Time,
    /// The end of `Lifetime::OneDay`.
    one_day_after: Asn1Time,
}

impl KeyKind {
    fn generate(self) -> Result<PKey<Private>, ErrorStack> {
        match self {
            KeyKind::Rsa3072 => PKey::from_rsa(Rsa::generate(3072)?),
            KeyKind::Rsa2048 => PKey::from_rsa(Rsa::generate(2048)?),
            KeyKind::P256 => {
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
                PKey::from_ec_key(EcKey::generate(&group)?)
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            KeyKind::Rsa3072 => "RSA-3072",
            KeyKind::Rsa2048 => "RSA-2048",
            KeyKind::P256 => "EC-P256",
        }
    }
}

/// Builds every file in memory, so that nothing is written when any step fails.
fn build_outputs(options: &DevPkiOptions) -> Result<Vec<Output>, Error> {
    let validity = validity(options)?;
    if options.p12_password.contains('\0') {
        return Err(Error::UnusablePassword);
    }

    let root = issue_root(&validity)?;
    let intermediate = issue_intermediate(&root, &validity)?;
    let mut chain = Stack::new()?;
    chain.push(intermediate.certificate.clone())?;
    chain.push(root.certificate.clone())?;

    let mut outputs = Vec::new();
    push_authority(&mut outputs, "root-ca", &root)?;
    push_authority(&mut outputs, "intermediate-ca", &intermediate)?;
    let mut chain_pem = intermediate.certificate.to_pem()?;
    chain_pem.extend(root.certificate.to_pem()?);
    outputs.push(Output {
        file_name: "chain.pem".to_string(),
        contents: chain_pem,
        secret: false,
    });

    let mut revoked_serial = None;
    for entity in &END_ENTITIES {
        let key = entity.key.generate()?;
        let certificate = issue_end_entity(entity, &key, &intermediate, &validity)?;
        if entity.name == REVOKED_NAME {
            revoked_serial = Some(certificate.serial_number().to_owned()?);
        }
        let mut pkcs12 = Pkcs12::builder();
        pkcs12
            .name(&format!("Vanthu DEV ONLY {}", entity.name))
            .pkey(&key)
            .cert(&certificate)
            .ca(chain_copy(&chain)?);
        let pkcs12 = pkcs12.build2(&options.p12_password)?;
        push_pair(&mut outputs, entity.name, &certificate, &key)?;
        outputs.push(Output {
            file_name: format!("{}.p12", entity.name),
            contents: pkcs12.to_der()?,
            secret: true,
        });
    }

    let root_crl = issue_crl(&root, &validity, None)?;
    outputs.push(Output {
        file_name: "root-ca.crl".to_string(),
        contents: root_crl,
        secret: false,
    });
    let intermediate_crl = issue_crl(&intermediate, &validity, revoked_serial.as_ref())?;
    outputs.push(Output {
        file_name: "intermediate.crl".to_string(),
        contents: intermediate_crl,
        secret: false,
    });
    Ok(outputs)
}

/// Checks the options' period and converts it to ASN.1 times.
fn validity(options: &DevPkiOptions) -> Result<Validity, Error> {
    let invalid = || Error::InvalidValidityPeriod {
        not_before: options.not_before,
        not_after: options.not_after,
    };
    let one_day_after = options
        .not_before
        .checked_add(Duration::DAY)
        .ok_or_else(invalid)?;
    if options.not_after <= one_day_after {
        return Err(invalid());
    }
    let to_asn1 = |date_time: OffsetDateTime| -> Result<Asn1Time, Error> {
        let utc = date_time
            .checked_to_offset(UtcOffset::UTC)
            .ok_or_else(invalid)?;
        if !(1950..=9999).contains(&utc.year()) {
            return Err(invalid());
        }
        // `ASN1_TIME_set_string_X509` picks UTCTime up to 2049 and GeneralizedTime after,
        // as RFC 5280 §4.1.2.5 requires.
        let text = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        Ok(Asn1Time::from_str_x509(&text)?)
    };
    Ok(Validity {
        not_before: to_asn1(options.not_before)?,
        not_after: to_asn1(options.not_after)?,
        one_day_after: to_asn1(one_day_after)?,
    })
}

fn issue_root(validity: &Validity) -> Result<Authority, Error> {
    let key = KeyKind::Rsa3072.generate()?;
    let subject = name(&[
        (Nid::COUNTRYNAME, "VN"),
        (Nid::ORGANIZATIONNAME, VANTHU_DEV),
        (Nid::COMMONNAME, "Vanthu DEV ONLY Root CA"),
    ])?;
    let mut builder = certificate_builder(&subject, &key, validity)?;
    builder.set_issuer_name(&subject)?;
    let subject_key_id = SubjectKeyIdentifier::new().build(&builder.x509v3_context(None, None))?;
    builder.append_extension(BasicConstraints::new().critical().ca().build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
    )?;
    builder.append_extension(subject_key_id)?;
    builder.sign(&key, MessageDigest::sha256())?;
    Ok(Authority {
        certificate: builder.build(),
        key,
    })
}

fn issue_intermediate(root: &Authority, validity: &Validity) -> Result<Authority, Error> {
    let key = KeyKind::Rsa2048.generate()?;
    let subject = name(&[
        (Nid::COUNTRYNAME, "VN"),
        (Nid::ORGANIZATIONNAME, VANTHU_DEV),
        (Nid::COMMONNAME, "Vanthu DEV ONLY Intermediate CA"),
    ])?;
    let mut builder = certificate_builder(&subject, &key, validity)?;
    builder.set_issuer_name(root.certificate.subject_name())?;
    let key_ids = key_identifiers(&builder, &root.certificate)?;
    builder.append_extension(BasicConstraints::new().critical().ca().pathlen(0).build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
    )?;
    for extension in key_ids {
        builder.append_extension(extension)?;
    }
    builder.append_extension(crl_distribution_point(DEV_ROOT_CRL_URL)?)?;
    builder.sign(&root.key, MessageDigest::sha256())?;
    Ok(Authority {
        certificate: builder.build(),
        key,
    })
}

fn issue_end_entity(
    entity: &EndEntity,
    key: &PKeyRef<Private>,
    issuer: &Authority,
    validity: &Validity,
) -> Result<X509, Error> {
    let organization = match entity.role {
        Role::Signer | Role::Seal => AGENCY,
        Role::TimeStamping | Role::OcspResponder => VANTHU_DEV,
    };
    let mut attributes = vec![
        (Nid::COUNTRYNAME, "VN"),
        (Nid::ORGANIZATIONNAME, organization),
    ];
    if let Role::Signer = entity.role {
        attributes.push((Nid::TITLE, "Chủ tịch"));
    }
    attributes.push((Nid::COMMONNAME, entity.common_name));
    let subject = name(&attributes)?;

    let mut builder = certificate_builder(&subject, key, validity)?;
    if let Lifetime::OneDay = entity.lifetime {
        builder.set_not_after(&validity.one_day_after)?;
    }
    builder.set_issuer_name(issuer.certificate.subject_name())?;
    let key_ids = key_identifiers(&builder, &issuer.certificate)?;
    builder.append_extension(BasicConstraints::new().critical().build()?)?;
    for extension in key_ids {
        builder.append_extension(extension)?;
    }
    for extension in role_extensions(entity.role)? {
        builder.append_extension(extension)?;
    }
    builder.append_extension(ocsp_access(DEV_OCSP_URL)?)?;
    builder.append_extension(crl_distribution_point(DEV_INTERMEDIATE_CRL_URL)?)?;
    builder.sign(&issuer.key, MessageDigest::sha256())?;
    Ok(builder.build())
}

/// The keyUsage and extendedKeyUsage of each profile, plus the OCSP no-check marker.
fn role_extensions(role: Role) -> Result<Vec<X509Extension>, Error> {
    let signing_key_usage = || {
        KeyUsage::new()
            .critical()
            .digital_signature()
            .non_repudiation()
            .build()
    };
    Ok(match role {
        // emailProtection makes `openssl cms -verify` (purpose smimesign) accept the signer;
        // documentSigning is the purpose RFC 9336 defines for this use.
        Role::Signer | Role::Seal => vec![
            signing_key_usage()?,
            ExtendedKeyUsage::new()
                .email_protection()
                .other(OID_DOCUMENT_SIGNING)
                .build()?,
        ],
        // RFC 3161 §2.3: the TSA certificate has exactly one critical EKU, id-kp-timeStamping.
        Role::TimeStamping => vec![
            signing_key_usage()?,
            ExtendedKeyUsage::new().critical().time_stamping().build()?,
        ],
        // RFC 6960 §4.2.2.2: a delegated responder carries id-kp-OCSPSigning, and
        // §4.2.2.2.1 lets it carry id-pkix-ocsp-nocheck (value NULL) so that clients do not
        // check the responder's own revocation status.
        Role::OcspResponder => vec![
            KeyUsage::new().critical().digital_signature().build()?,
            ExtendedKeyUsage::new().other("OCSPSigning").build()?,
            raw_extension(OID_OCSP_NOCHECK, &der_tlv(0x05, &[]))?,
        ],
    })
}

/// A builder with the parts common to every certificate: v3, a random serial, subject, key and
/// validity.
fn certificate_builder(
    subject: &X509Name,
    key: &PKeyRef<Private>,
    validity: &Validity,
) -> Result<X509Builder, Error> {
    let mut builder = X509::builder()?;
    // The value 2 means X.509 v3 (RFC 5280 §4.1.2.1).
    builder.set_version(2)?;
    let serial = random_serial()?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(subject)?;
    builder.set_pubkey(key)?;
    builder.set_not_before(&validity.not_before)?;
    builder.set_not_after(&validity.not_after)?;
    Ok(builder)
}

/// The subject and authority key identifiers (RFC 5280 §4.2.1.1 and §4.2.1.2).
///
/// They must be built while `builder` already holds the subject key.
fn key_identifiers(builder: &X509Builder, issuer: &X509Ref) -> Result<Vec<X509Extension>, Error> {
    let subject_context = builder.x509v3_context(None, None);
    let subject_key_id = SubjectKeyIdentifier::new().build(&subject_context)?;
    let issuer_context = builder.x509v3_context(Some(issuer), None);
    // `keyid(true)` fails rather than silently omitting the identifier if the issuer has no SKI.
    let authority_key_id = AuthorityKeyIdentifier::new()
        .keyid(true)
        .build(&issuer_context)?;
    Ok(vec![subject_key_id, authority_key_id])
}

/// A random positive serial of 127 bits with the top bit set, so 126 bits are random: well over
/// the 64 bits CA/Browser Forum rules ask for and under the 20 octets of RFC 5280 §4.1.2.2.
fn random_serial() -> Result<Asn1Integer, ErrorStack> {
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::ONE, false)?;
    serial.to_asn1_integer()
}

/// A distinguished name; the country is a PrintableString as RFC 5280 Appendix A requires, every
/// other attribute a UTF8String (RFC 5280 §4.1.2.4) so Vietnamese diacritics survive.
fn name(attributes: &[(Nid, &str)]) -> Result<X509Name, ErrorStack> {
    let mut builder = X509NameBuilder::new()?;
    for &(nid, value) in attributes {
        let string_type = if nid == Nid::COUNTRYNAME {
            Asn1Type::PRINTABLESTRING
        } else {
            Asn1Type::UTF8STRING
        };
        builder.append_entry_by_nid_with_type(nid, value, string_type)?;
    }
    Ok(builder.build())
}

/// Authority information access with one OCSP location (RFC 5280 §4.2.2.1):
/// `SEQUENCE { SEQUENCE { id-ad-ocsp, [6] IA5String } }`.
fn ocsp_access(url: &str) -> Result<X509Extension, Error> {
    let method = Asn1Object::from_str(OID_AD_OCSP)?;
    let mut description = der_tlv(0x06, method.as_slice());
    description.extend(der_tlv(0x86, url.as_bytes()));
    let value = der_tlv(0x30, &der_tlv(0x30, &description));
    raw_extension(OID_AUTHORITY_INFO_ACCESS, &value)
}

/// CRL distribution points with one full-name URI (RFC 5280 §4.2.1.13):
/// `SEQUENCE { DistributionPoint { [0] { [0] GeneralNames { [6] IA5String } } } }`.
fn crl_distribution_point(url: &str) -> Result<X509Extension, Error> {
    let full_name = der_tlv(0xA0, &der_tlv(0x86, url.as_bytes()));
    let distribution_point_name = der_tlv(0xA0, &full_name);
    let value = der_tlv(0x30, &der_tlv(0x30, &distribution_point_name));
    raw_extension(OID_CRL_DISTRIBUTION_POINTS, &value)
}

/// A non-critical extension from its OID and DER value, for extensions that rust-openssl has no
/// builder for.
fn raw_extension(oid: &str, value: &[u8]) -> Result<X509Extension, Error> {
    let oid = Asn1Object::from_str(oid)?;
    let value = Asn1OctetString::new_from_bytes(value)?;
    Ok(X509Extension::new_from_der(&oid, false, &value)?)
}

/// One DER tag-length-value with a single-byte tag (X.690 §8.1).
fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut encoded = vec![tag];
    match u8::try_from(content.len()) {
        Ok(short) if short < 0x80 => encoded.push(short),
        _ => {
            let length = content.len().to_be_bytes();
            let significant: Vec<u8> = length
                .iter()
                .copied()
                .skip_while(|&byte| byte == 0)
                .collect();
            // At most size_of::<usize>() bytes, so the count fits the low seven bits.
            encoded.push(0x80 | significant.len() as u8);
            encoded.extend(significant);
        }
    }
    encoded.extend_from_slice(content);
    encoded
}

/// A v2 CRL (RFC 5280 §5) from `authority`, valid over the whole period, in PEM.
///
/// The revocation date is the start of validity, so the certificate counts as revoked at any
/// time a test might pick.
fn issue_crl(
    authority: &Authority,
    validity: &Validity,
    revoked_serial: Option<&Asn1Integer>,
) -> Result<Vec<u8>, Error> {
    let mut builder = X509CrlBuilder::new()?;
    builder.set_issuer_name(authority.certificate.subject_name())?;
    builder.set_last_update(&validity.not_before)?;
    builder.set_next_update(&validity.not_after)?;
    // RFC 5280 §5.2.1 and §5.2.3: conforming CRL issuers include AKI and the CRL number.
    let certificate_builder = X509::builder()?;
    let context = certificate_builder.x509v3_context(Some(&authority.certificate), None);
    builder.append_extension(AuthorityKeyIdentifier::new().keyid(true).build(&context)?)?;
    builder.append_extension(CrlNumber::new(BigNum::from_u32(1)?)?.build()?)?;
    if let Some(serial) = revoked_serial {
        let mut revoked = X509RevokedBuilder::new()?;
        revoked.set_serial_number(serial)?;
        revoked.set_revocation_date(&validity.not_before)?;
        builder.add_revoked(revoked.build())?;
    }
    builder.sign(&authority.key, MessageDigest::sha256())?;
    Ok(builder.build()?.to_pem()?)
}

fn push_authority(
    outputs: &mut Vec<Output>,
    stem: &str,
    authority: &Authority,
) -> Result<(), Error> {
    push_pair(outputs, stem, &authority.certificate, &authority.key)
}

fn push_pair(
    outputs: &mut Vec<Output>,
    stem: &str,
    certificate: &X509Ref,
    key: &PKeyRef<Private>,
) -> Result<(), Error> {
    outputs.push(Output {
        file_name: format!("{stem}.pem"),
        contents: certificate.to_pem()?,
        secret: false,
    });
    outputs.push(Output {
        file_name: format!("{stem}.key.pem"),
        contents: key.private_key_to_pem_pkcs8()?,
        secret: true,
    });
    Ok(())
}

/// A fresh stack holding the same certificates, because `Pkcs12Builder::ca` takes ownership.
fn chain_copy(chain: &Stack<X509>) -> Result<Stack<X509>, ErrorStack> {
    let mut copy = Stack::new()?;
    for certificate in chain {
        copy.push(certificate.to_owned())?;
    }
    Ok(copy)
}

/// Writes `contents` to a temporary file next to `path`, syncs it, then renames it over `path`,
/// so a reader never sees half a file.
fn write_atomically(path: &Path, contents: &[u8], secret: bool) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut temporary_name = path.as_os_str().to_owned();
    temporary_name.push(".tmp");
    let temporary = PathBuf::from(temporary_name);
    // A leftover temporary file from an interrupted run would keep its old mode, so start anew.
    match fs::remove_file(&temporary) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
            return Err(io_error(source));
        }
        _ => {}
    }
    let mut open_options = fs::OpenOptions::new();
    open_options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        open_options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = open_options.open(&temporary).map_err(io_error)?;
    file.write_all(contents).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    drop(file);
    fs::rename(&temporary, path).map_err(io_error)
}

/// A date for the README, in RFC 3339 UTC form.
fn readme_date(date_time: OffsetDateTime) -> String {
    match date_time.checked_to_offset(UtcOffset::UTC) {
        Some(utc) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        ),
        None => date_time.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::OnceLock;

    use openssl::ssl::SslFiletype;
    use openssl::stack::StackRef;
    use openssl::x509::store::{X509Lookup, X509StoreBuilder};
    use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
    use openssl::x509::{
        CrlStatus, X509Crl, X509ExtendedKeyUsage, X509KeyUsage, X509StoreContext, X509VerifyResult,
    };

    use super::*;

    /// A time inside the standard validity, so these tests never expire.
    const INSIDE_VALIDITY: OffsetDateTime = datetime!(2025-06-01 00:00:00 UTC);

    /// One generation shared by every test, read back from disk; key generation costs about a
    /// second.
    struct Fixture {
        summary: DevPkiSummary,
        files: BTreeMap<String, Vec<u8>>,
        #[cfg(unix)]
        modes: BTreeMap<String, u32>,
    }

    fn fixture() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let out_dir = dir.path().join("certs-dev");
            let summary = generate_dev_pki(&out_dir, &DevPkiOptions::standard()).unwrap();
            let mut files = BTreeMap::new();
            #[cfg(unix)]
            let mut modes = BTreeMap::new();
            for entry in fs::read_dir(&out_dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_str().unwrap().to_string();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                    modes.insert(name.clone(), mode);
                }
                files.insert(name, fs::read(&path).unwrap());
            }
            Fixture {
                summary,
                files,
                #[cfg(unix)]
                modes,
            }
        })
    }

    fn file(name: &str) -> &'static [u8] {
        fixture()
            .files
            .get(name)
            .unwrap_or_else(|| panic!("{name} was not written"))
    }

    fn certificate(stem: &str) -> X509 {
        X509::from_pem(file(&format!("{stem}.pem"))).unwrap()
    }

    fn root() -> X509 {
        certificate("root-ca")
    }

    fn intermediate() -> X509 {
        certificate("intermediate-ca")
    }

    /// Verifies `leaf` against the dev root with the intermediate as untrusted chain, at `at`,
    /// optionally checking both CRLs.
    fn verify(leaf: &X509, at: OffsetDateTime, with_crls: bool) -> X509VerifyResult {
        let mut param = X509VerifyParam::new().unwrap();
        param.set_time(at.unix_timestamp());
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(root()).unwrap();
        let crl_dir = tempfile::tempdir().unwrap();
        if with_crls {
            param
                .set_flags(X509VerifyFlags::CRL_CHECK | X509VerifyFlags::CRL_CHECK_ALL)
                .unwrap();
            let lookup = store.add_lookup(X509Lookup::file()).unwrap();
            for name in ["root-ca.crl", "intermediate.crl"] {
                let path = crl_dir.path().join(name);
                fs::write(&path, file(name)).unwrap();
                lookup.load_crl_file(&path, SslFiletype::PEM).unwrap();
            }
        }
        store.set_param(&param).unwrap();
        let store = store.build();
        let mut untrusted = Stack::new().unwrap();
        untrusted.push(intermediate()).unwrap();
        let mut context = X509StoreContext::new().unwrap();
        context
            .init(&store, leaf, &untrusted, |context| {
                context.verify_cert()?;
                Ok(context.error())
            })
            .unwrap()
    }

    fn end_entity(name: &str) -> &'static EndEntity {
        END_ENTITIES
            .iter()
            .find(|entity| entity.name == name)
            .unwrap()
    }

    #[test]
    fn writes_every_documented_file() {
        let fixture = fixture();
        let mut expected = vec![
            "root-ca.pem",
            "root-ca.key.pem",
            "intermediate-ca.pem",
            "intermediate-ca.key.pem",
            "chain.pem",
            "root-ca.crl",
            "intermediate.crl",
            "README.md",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
        for entity in &END_ENTITIES {
            for suffix in [".pem", ".key.pem", ".p12"] {
                expected.push(format!("{}{suffix}", entity.name));
            }
        }
        expected.sort();
        let mut written: Vec<String> = fixture
            .summary
            .files
            .iter()
            .map(|path| path.file_name().unwrap().to_str().unwrap().to_string())
            .collect();
        written.sort();
        assert_eq!(written, expected);
        let on_disk: Vec<String> = fixture.files.keys().cloned().collect();
        assert_eq!(on_disk, expected, "no temporary files are left behind");

        let readme = readme_text(&DevPkiOptions::standard());
        assert_eq!(file("README.md"), readme.as_bytes());
        for name in expected.iter().filter(|name| *name != "README.md") {
            assert!(
                readme.contains(name.as_str()),
                "README.md does not mention {name}"
            );
        }
        assert_eq!(
            fixture.summary.not_before,
            DevPkiOptions::standard().not_before
        );
        assert_eq!(
            fixture.summary.not_after,
            DevPkiOptions::standard().not_after
        );
    }

    #[cfg(unix)]
    #[test]
    fn private_keys_are_owner_only() {
        for (name, mode) in &fixture().modes {
            let secret = name.ends_with(".key.pem") || name.ends_with(".p12");
            if secret {
                assert_eq!(*mode, 0o600, "{name}");
            }
        }
    }

    #[test]
    fn end_entities_verify_inside_validity() {
        for entity in &END_ENTITIES {
            let at = match entity.lifetime {
                Lifetime::Full => INSIDE_VALIDITY,
                Lifetime::OneDay => datetime!(2024-01-01 12:00:00 UTC),
            };
            let result = verify(&certificate(entity.name), at, false);
            assert_eq!(result, X509VerifyResult::OK, "{}: {result}", entity.name);
        }
    }

    #[test]
    fn expired_certificate_fails_after_its_day() {
        let result = verify(&certificate("expired-rsa"), INSIDE_VALIDITY, false);
        assert_eq!(
            result.as_raw(),
            openssl_sys_codes::CERT_HAS_EXPIRED,
            "{result}"
        );
        let result = verify(
            &certificate("leader-rsa"),
            datetime!(2050-01-01 00:00:00 UTC),
            false,
        );
        assert_eq!(
            result.as_raw(),
            openssl_sys_codes::CERT_HAS_EXPIRED,
            "{result}"
        );
    }

    #[test]
    fn crls_revoke_exactly_revoked_rsa() {
        let result = verify(&certificate("revoked-rsa"), INSIDE_VALIDITY, true);
        assert_eq!(result.as_raw(), openssl_sys_codes::CERT_REVOKED, "{result}");
        for name in [
            "leader-rsa",
            "leader-p256",
            "seal-rsa",
            "seal-p256",
            "tsa",
            "ocsp",
        ] {
            let result = verify(&certificate(name), INSIDE_VALIDITY, true);
            assert_eq!(result, X509VerifyResult::OK, "{name}: {result}");
        }

        let crl = X509Crl::from_pem(file("intermediate.crl")).unwrap();
        assert!(crl.verify(&intermediate().public_key().unwrap()).unwrap());
        assert!(!crl.verify(&root().public_key().unwrap()).unwrap());
        assert_eq!(
            crl.issuer_name().to_der().unwrap(),
            intermediate().subject_name().to_der().unwrap()
        );
        let revoked = certificate("revoked-rsa");
        assert!(matches!(
            crl.get_by_serial(revoked.serial_number()),
            CrlStatus::Revoked(_)
        ));
        assert!(matches!(
            crl.get_by_serial(certificate("leader-rsa").serial_number()),
            CrlStatus::NotRevoked
        ));
        assert_eq!(crl.get_revoked().map(StackRef::len), Some(1));
        let standard = DevPkiOptions::standard();
        assert_eq!(to_time(crl.last_update()), standard.not_before);
        assert_eq!(to_time(crl.next_update().unwrap()), standard.not_after);

        let root_crl = X509Crl::from_pem(file("root-ca.crl")).unwrap();
        assert!(root_crl.verify(&root().public_key().unwrap()).unwrap());
        assert!(
            root_crl
                .get_revoked()
                .is_none_or(|revoked| revoked.is_empty())
        );
    }

    #[test]
    fn tsa_has_only_critical_time_stamping() {
        let tsa = certificate("tsa");
        assert_eq!(
            tsa.extended_key_usage(),
            Some(X509ExtendedKeyUsage::TIMESTAMP)
        );
        let text = String::from_utf8(tsa.to_text().unwrap()).unwrap();
        assert!(
            text.contains("X509v3 Extended Key Usage: critical\n                Time Stamping\n"),
            "{text}"
        );
        assert!(
            tsa.key_usage()
                .unwrap()
                .contains(X509KeyUsage::DIGITAL_SIGNATURE)
        );
    }

    #[test]
    fn ocsp_responder_is_delegated_and_not_checked() {
        let ocsp = certificate("ocsp");
        assert_eq!(
            ocsp.extended_key_usage(),
            Some(X509ExtendedKeyUsage::OCSP_SIGN)
        );
        let text = String::from_utf8(ocsp.to_text().unwrap()).unwrap();
        assert!(text.contains("OCSP No Check"), "{text}");
    }

    #[test]
    fn signers_can_sign_documents() {
        for name in [
            "leader-rsa",
            "leader-p256",
            "seal-rsa",
            "seal-p256",
            "revoked-rsa",
        ] {
            let signer = certificate(name);
            assert_eq!(
                signer.key_usage(),
                Some(X509KeyUsage::DIGITAL_SIGNATURE | X509KeyUsage::NON_REPUDIATION),
                "{name}"
            );
            let extended = signer.extended_key_usage().unwrap();
            assert!(extended.contains(X509ExtendedKeyUsage::SMIME), "{name}");
            let text = String::from_utf8(signer.to_text().unwrap()).unwrap();
            assert!(text.contains("Key Usage: critical"), "{name}");
            assert!(
                text.contains(OID_DOCUMENT_SIGNING) || text.contains("Document Signing"),
                "{name}: {text}"
            );
            assert!(text.contains("CA:FALSE"), "{name}");
        }
    }

    #[test]
    fn authorities_have_ca_profiles() {
        let root = root();
        let intermediate = intermediate();
        assert_eq!(
            root.key_usage(),
            Some(X509KeyUsage::KEY_CERT_SIGN | X509KeyUsage::CRL_SIGN)
        );
        assert_eq!(intermediate.key_usage(), root.key_usage());
        assert!(root.verify(&root.public_key().unwrap()).unwrap());
        assert!(intermediate.verify(&root.public_key().unwrap()).unwrap());
        let root_text = String::from_utf8(root.to_text().unwrap()).unwrap();
        assert!(root_text.contains("Basic Constraints: critical\n                CA:TRUE\n"));
        let text = String::from_utf8(intermediate.to_text().unwrap()).unwrap();
        assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
        assert_eq!(
            intermediate.authority_key_id().unwrap().as_slice(),
            root.subject_key_id().unwrap().as_slice()
        );
        let points = intermediate.crl_distribution_points().unwrap();
        let uris: Vec<&str> = points
            .iter()
            .flat_map(|point| point.distpoint().unwrap().fullname().unwrap())
            .filter_map(|name| name.uri())
            .collect();
        assert_eq!(uris, [DEV_ROOT_CRL_URL]);

        let chain = X509::stack_from_pem(file("chain.pem")).unwrap();
        let chain_der: Vec<Vec<u8>> = chain.iter().map(|cert| cert.to_der().unwrap()).collect();
        assert_eq!(
            chain_der,
            [intermediate.to_der().unwrap(), root.to_der().unwrap()]
        );
    }

    #[test]
    fn end_entities_carry_identifiers_and_revocation_urls() {
        let issuer_key_id = intermediate().subject_key_id().unwrap().as_slice().to_vec();
        let mut serials = Vec::new();
        for entity in &END_ENTITIES {
            let cert = certificate(entity.name);
            let responders = cert.ocsp_responders().unwrap();
            let responders: Vec<&str> = responders.iter().map(|url| &**url).collect();
            assert_eq!(responders, [DEV_OCSP_URL], "{}", entity.name);
            let points = cert.crl_distribution_points().unwrap();
            let uris: Vec<&str> = points
                .iter()
                .flat_map(|point| point.distpoint().unwrap().fullname().unwrap())
                .filter_map(|name| name.uri())
                .collect();
            assert_eq!(uris, [DEV_INTERMEDIATE_CRL_URL], "{}", entity.name);
            assert!(cert.subject_key_id().is_some(), "{}", entity.name);
            assert_eq!(cert.authority_key_id().unwrap().as_slice(), issuer_key_id);
            let serial = cert.serial_number().to_bn().unwrap();
            assert!(!serial.is_negative());
            assert!(serial.num_bits() >= 64, "{}: {serial}", entity.name);
            serials.push(serial.to_hex_str().unwrap().to_string());

            let key =
                PKey::private_key_from_pem(file(&format!("{}.key.pem", entity.name))).unwrap();
            assert!(
                cert.public_key().unwrap().public_eq(&key),
                "{}",
                entity.name
            );
        }
        serials.sort();
        serials.dedup();
        assert_eq!(serials.len(), END_ENTITIES.len(), "serials are unique");
    }

    #[test]
    fn subjects_say_dev_only_in_utf8() {
        let mut names = vec!["root-ca", "intermediate-ca"];
        names.extend(END_ENTITIES.iter().map(|entity| entity.name));
        for name in names {
            let cert = certificate(name);
            let common_name = cert
                .subject_name()
                .entries_by_nid(Nid::COMMONNAME)
                .next()
                .unwrap()
                .data()
                .to_string()
                .unwrap();
            assert!(common_name.contains("DEV ONLY"), "{name}: {common_name}");
        }

        let leader = certificate("leader-rsa");
        let common_name = leader
            .subject_name()
            .entries_by_nid(Nid::COMMONNAME)
            .next()
            .unwrap()
            .data()
            .to_string()
            .unwrap();
        // Precomposed (NFC) code points, as Vietnamese text is normally exchanged.
        assert_eq!(common_name, "Nguy\u{1EC5}n V\u{103}n An (DEV ONLY)");
        assert_eq!(common_name, end_entity("leader-rsa").common_name);
        // The value is a UTF8String (tag 0x0C) in the DER, not a BMPString or T61String.
        let mut utf8_string = vec![0x0C, u8::try_from(common_name.len()).unwrap()];
        utf8_string.extend(common_name.as_bytes());
        let der = leader.to_der().unwrap();
        assert!(
            der.windows(utf8_string.len())
                .any(|window| window == utf8_string)
        );
    }

    #[test]
    fn standard_times_are_utc_time() {
        // UTCTime (tag 0x17) "491231235959Z": no GeneralizedTime before 2050 (RFC 5280 §4.1.2.5).
        let mut not_after = vec![0x17, 0x0D];
        not_after.extend(b"491231235959Z");
        let mut not_before = vec![0x17, 0x0D];
        not_before.extend(b"240101000000Z");
        for name in ["root-ca", "intermediate-ca", "leader-rsa"] {
            let der = certificate(name).to_der().unwrap();
            assert!(der.windows(15).any(|window| window == not_before), "{name}");
            assert!(der.windows(15).any(|window| window == not_after), "{name}");
        }
    }

    #[test]
    fn pkcs12_opens_with_the_password() {
        let password = &DevPkiOptions::standard().p12_password;
        let summary = load_pkcs12_summary_for("leader-rsa", password);
        assert_eq!(
            summary.subject,
            "CN=Nguyễn Văn An (DEV ONLY),title=Chủ tịch,O=UBND phường Ngô Quyền (DEV ONLY),C=VN"
        );
        assert_eq!(
            summary.issuer,
            "CN=Vanthu DEV ONLY Intermediate CA,O=Vanthu DEV ONLY,C=VN"
        );
        assert_eq!(summary.key_algorithm, "RSA-2048");
        assert_eq!(summary.not_before, datetime!(2024-01-01 00:00:00 UTC));
        assert_eq!(summary.not_after, datetime!(2049-12-31 23:59:59 UTC));
        let serial = certificate("leader-rsa").serial_number().to_bn().unwrap();
        assert_eq!(summary.serial_hex, serial.to_hex_str().unwrap().to_string());

        let summary = load_pkcs12_summary_for("leader-p256", password);
        assert_eq!(summary.key_algorithm, "EC-P256");
        let summary = load_pkcs12_summary_for("seal-p256", password);
        assert_eq!(
            summary.subject,
            "CN=UBND phường Ngô Quyền (DEV ONLY),O=UBND phường Ngô Quyền (DEV ONLY),C=VN"
        );
        let summary = load_pkcs12_summary_for("expired-rsa", password);
        assert_eq!(summary.not_after, datetime!(2024-01-02 00:00:00 UTC));

        for entity in &END_ENTITIES {
            let pkcs12 = Pkcs12::from_der(file(&format!("{}.p12", entity.name))).unwrap();
            let parsed = pkcs12.parse2(password).unwrap();
            let cert = parsed.cert.unwrap();
            assert!(cert.public_key().unwrap().public_eq(&parsed.pkey.unwrap()));
            assert_eq!(
                cert.to_der().unwrap(),
                certificate(entity.name).to_der().unwrap()
            );
            let friendly_name = format!("Vanthu DEV ONLY {}", entity.name);
            assert_eq!(cert.alias(), Some(friendly_name.as_bytes()));
            let chain: Vec<Vec<u8>> = parsed
                .ca
                .unwrap()
                .iter()
                .map(|c| c.to_der().unwrap())
                .collect();
            assert_eq!(chain.len(), 2, "{}", entity.name);
            assert!(chain.contains(&intermediate().to_der().unwrap()));
            assert!(chain.contains(&root().to_der().unwrap()));
        }
    }

    fn load_pkcs12_summary_for(name: &str, password: &str) -> crate::CertificateSummary {
        crate::load_pkcs12_summary(file(&format!("{name}.p12")), password).unwrap()
    }

    #[test]
    fn pkcs12_with_a_wrong_password_fails_cleanly() {
        let p12 = file("leader-rsa.p12");
        for password in ["", "vanthu-dev ", "VANTHU-DEV", "vanthu\0dev"] {
            let error = crate::load_pkcs12_summary(p12, password).unwrap_err();
            assert!(
                matches!(error, Error::WrongPassword),
                "{password:?}: {error:?}"
            );
        }
        let truncated = p12.get(..p12.len() / 2).unwrap();
        let error = crate::load_pkcs12_summary(truncated, "vanthu-dev").unwrap_err();
        assert!(matches!(error, Error::InvalidPkcs12 { .. }), "{error:?}");
        let error = crate::load_pkcs12_summary(file("leader-rsa.pem"), "vanthu-dev").unwrap_err();
        assert!(matches!(error, Error::InvalidPkcs12 { .. }), "{error:?}");
    }

    #[test]
    fn rejects_unusable_options_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("never");
        let standard = DevPkiOptions::standard();
        let check = |options: DevPkiOptions| {
            let error = generate_dev_pki(&out_dir, &options).unwrap_err();
            assert!(!out_dir.exists(), "nothing is written on {error:?}");
            error
        };

        let one_day = DevPkiOptions {
            not_after: standard.not_before + Duration::DAY,
            ..standard.clone()
        };
        assert!(matches!(
            check(one_day),
            Error::InvalidValidityPeriod { .. }
        ));
        let reversed = DevPkiOptions {
            not_before: standard.not_after,
            not_after: standard.not_before,
            ..standard.clone()
        };
        assert!(matches!(
            check(reversed),
            Error::InvalidValidityPeriod { .. }
        ));
        let too_early = DevPkiOptions {
            not_before: datetime!(1949-12-31 00:00:00 UTC),
            ..standard.clone()
        };
        assert!(matches!(
            check(too_early),
            Error::InvalidValidityPeriod { .. }
        ));
        let nul_password = DevPkiOptions {
            p12_password: "vanthu\0dev".to_string(),
            ..standard
        };
        assert!(matches!(check(nul_password), Error::UnusablePassword));
    }

    #[test]
    fn readme_gives_password_dates_and_command() {
        let readme = readme_text(&DevPkiOptions::standard());
        for needle in [
            "DEV ONLY",
            "Never trust these certificates in production",
            "`vanthu-dev`",
            "2024-01-01T00:00:00Z",
            "2049-12-31T23:59:59Z",
            "2024-01-02T00:00:00Z",
            "cargo run -p cli --bin vanthu -- dev-certs",
            "vanthu dev-certs --out certs-dev",
            DEV_OCSP_URL,
            DEV_INTERMEDIATE_CRL_URL,
            "loopback",
        ] {
            assert!(readme.contains(needle), "README lacks {needle:?}");
        }
    }

    #[test]
    fn debug_redacts_the_password() {
        let debug = format!("{:?}", DevPkiOptions::standard());
        assert!(!debug.contains("vanthu-dev"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn der_lengths_use_the_long_form_past_127() {
        let check = |length: usize, header: &[u8]| {
            let encoded = der_tlv(0x04, &vec![0; length]);
            assert_eq!(encoded.get(..header.len()), Some(header), "length {length}");
            assert_eq!(encoded.len(), header.len() + length);
        };
        check(0, &[0x04, 0x00]);
        check(127, &[0x04, 0x7F]);
        check(128, &[0x04, 0x81, 0x80]);
        check(300, &[0x04, 0x82, 0x01, 0x2C]);
    }

    fn to_time(asn1_time: &openssl::asn1::Asn1TimeRef) -> OffsetDateTime {
        let epoch = Asn1Time::from_unix(0).unwrap();
        let difference = epoch.diff(asn1_time).unwrap();
        OffsetDateTime::from_unix_timestamp(
            i64::from(difference.days) * 86_400 + i64::from(difference.secs),
        )
        .unwrap()
    }

    /// OpenSSL's X509_V_ERR_* codes (x509_vfy.h); stable ABI values.
    mod openssl_sys_codes {
        pub(super) const CERT_HAS_EXPIRED: i32 = 10;
        pub(super) const CERT_REVOKED: i32 = 23;
    }
}
