//! Reading and verifying CMS signatures (RFC 5652) that anyone made: our signing engine, pyHanko,
//! Adobe, OpenSSL, Java tools.
//!
//! The structure is walked with the lenient reader of [`crate::ber`], so that
//! - the signature is checked over the signed attributes exactly as found in the file (RFC 5652
//!   §5.4: the `[0] IMPLICIT` tag becomes the `SET OF` tag `0x31`, nothing is re-encoded);
//! - BER from other tools (indefinite lengths, constructed strings, unsorted or duplicated
//!   certificate sets) is read rather than refused.
//!
//! Weak or unknown algorithms are [`Error::WeakAlgorithm`], which a validator reports as a
//! cryptographic constraints failure rather than as a malformed signature. Nothing here decides
//! trust: the chain and the revocation status are [`crate::validate_chain`],
//! [`crate::ocsp_evidence`] and [`crate::crl_evidence`].

use std::borrow::Cow;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_224, ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512,
    ID_EC_PUBLIC_KEY, ID_MGF_1, ID_RSASSA_PSS, ID_SHA_1, ID_SHA_256, MD_2_WITH_RSA_ENCRYPTION,
    MD_5_WITH_RSA_ENCRYPTION, RSA_ENCRYPTION, SHA_1_WITH_RSA_ENCRYPTION,
    SHA_224_WITH_RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION, SHA_384_WITH_RSA_ENCRYPTION,
    SHA_512_WITH_RSA_ENCRYPTION,
};
use der::asn1::OctetString;
use der::{Any, Encode, Sequence};
use openssl::bn::BigNum;
use openssl::x509::{X509Name, X509NameRef, X509Ref};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;

use crate::ber::{self, Element, Malformed, tag};
use crate::cms::{
    ID_AA_SIGNATURE_TIME_STAMP_TOKEN, IssuerSerial, RsaPssParameters, SigningCertificateV2,
    invalid_cms,
};
use crate::hash::{accepted_hash, algorithm_name, openssl_digest_for_oid};
use crate::signer::{Scheme, verify_with_key};
use crate::software::{KeyKind, signing_key_kind};
use crate::{Certificate, Error, HashAlgorithm, SignatureAlgorithm, digest};

/// `ecdsa-with-SHA1` (RFC 5758 §3.2), which the OID database lacks.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// A CMS `SignedData` with one SignerInfo, read but not yet trusted.
#[derive(Clone, Debug)]
pub struct CmsSignature {
    content_type: ObjectIdentifier,
    content: Option<Vec<u8>>,
    certificates: Vec<Certificate>,
    signer: Option<usize>,
    digest: HashAlgorithm,
    scheme: Scheme,
    /// The signed attributes as found, with the `SET OF` tag: the bytes the signature covers.
    signed_attributes: Option<Vec<u8>>,
    message_digest: Option<Vec<u8>>,
    signing_certificate_matches: Option<bool>,
    signing_time: bool,
    signature: Vec<u8>,
    timestamps: Vec<Vec<u8>>,
}

/// Reads a DER or BER `ContentInfo(SignedData)` with exactly one SignerInfo; zero bytes after it
/// (the padding of a PDF's `/Contents`) are ignored.
///
/// The signer is identified among the embedded certificates by issuer and serial number or by
/// subject key identifier. Digest and signature algorithms are resolved here, so that a weak one
/// is refused before anything else.
///
/// # Errors
/// [`Error::WeakAlgorithm`] for MD5, SHA-1 or SHA-224 digests or signatures, or an algorithm
/// other than RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA with SHA-2; [`Error::InvalidCms`] for
/// anything malformed, another content than SignedData, or not exactly one SignerInfo.
pub fn parse_cms(der: &[u8]) -> Result<CmsSignature, Error> {
    let content_info = ber::parse_padded(der)
        .and_then(|element| element.expect(tag::SEQUENCE, "not a ContentInfo"))
        .map_err(malformed)?;
    let [content_type, explicit] = content_info.child_vec().map_err(malformed)?[..] else {
        return Err(invalid_cms("a ContentInfo has two fields"));
    };
    if oid(&content_type)? != ID_SIGNED_DATA {
        return Err(invalid_cms("the content is not a SignedData"));
    }
    let explicit = explicit
        .expect(tag::CONTEXT_0, "the ContentInfo has no [0] content")
        .map_err(malformed)?;
    let [signed_data] = explicit.child_vec().map_err(malformed)?[..] else {
        return Err(invalid_cms(
            "the ContentInfo's [0] must hold one SignedData",
        ));
    };
    let signed_data = signed_data
        .expect(tag::SEQUENCE, "the SignedData is not a SEQUENCE")
        .map_err(malformed)?;
    let fields = signed_data.child_vec().map_err(malformed)?;
    let [version, digest_algorithms, encapsulated, rest @ ..] = fields.as_slice() else {
        return Err(invalid_cms("the SignedData lacks fields"));
    };
    version
        .expect(tag::INTEGER, "the SignedData version is not an INTEGER")
        .and_then(|_| digest_algorithms.expect(tag::SET, "digestAlgorithms is not a SET"))
        .map_err(malformed)?;
    let (content_type, content) = encapsulated_content(encapsulated)?;

    let mut certificates = Vec::new();
    let mut signer_infos = None;
    for field in rest {
        match field.tag {
            tag::CONTEXT_0 if signer_infos.is_none() => {
                for choice in field.children() {
                    let choice = choice.map_err(malformed)?;
                    // Only X.509 certificates; attribute and other certificates are skipped.
                    if choice.tag == tag::SEQUENCE {
                        certificates
                            .push(Certificate::from_der(choice.raw).map_err(|_| {
                                invalid_cms("an embedded certificate is malformed")
                            })?);
                    }
                }
            }
            // CRLs are the DSS's business in PAdES; they are not read here.
            tag::CONTEXT_1 if signer_infos.is_none() => {}
            tag::SET if signer_infos.is_none() => signer_infos = Some(*field),
            _ => return Err(invalid_cms("unexpected field in the SignedData")),
        }
    }
    let Some(signer_infos) = signer_infos else {
        return Err(invalid_cms("the SignedData has no signerInfos"));
    };
    let [signer_info] = signer_infos.child_vec().map_err(malformed)?[..] else {
        return Err(invalid_cms(
            "the signature must have exactly one SignerInfo",
        ));
    };
    let signer_info = read_signer_info(&signer_info)?;

    let signer = find_signer(&certificates, &signer_info.sid)?;
    let signing_certificate_matches = match signer.and_then(|index| certificates.get(index)) {
        Some(certificate) => signing_certificate_matches(&signer_info.signed, certificate)?,
        None => has_signing_certificate(&signer_info.signed).then_some(false),
    };
    let message_digest = match find_attribute(&signer_info.signed, ID_MESSAGE_DIGEST)? {
        Some(attribute) => {
            let [value] = attribute.values[..] else {
                return Err(invalid_cms("the message-digest attribute needs one value"));
            };
            if value.tag & !0x20 != tag::OCTET_STRING {
                return Err(invalid_cms("the message digest is not an OCTET STRING"));
            }
            Some(value.octets().map_err(malformed)?.into_owned())
        }
        None => None,
    };
    if signer_info.signed_raw.is_some() && message_digest.is_none() {
        return Err(invalid_cms("the signed attributes lack the message digest"));
    }
    // RFC 5652 §11.1: the content-type attribute names the encapsulated content type.
    if let Some(attribute) = find_attribute(&signer_info.signed, ID_CONTENT_TYPE)? {
        let [value] = attribute.values[..] else {
            return Err(invalid_cms("the content-type attribute needs one value"));
        };
        if oid(&value)? != content_type {
            return Err(invalid_cms(
                "the content-type attribute differs from the encapsulated content type",
            ));
        }
    }
    let timestamps = signer_info
        .unsigned
        .iter()
        .filter(|attribute| attribute.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .flat_map(|attribute| attribute.values.iter())
        .map(|value| value.raw.to_vec())
        .collect();
    Ok(CmsSignature {
        content_type,
        content,
        certificates,
        signer,
        digest: signer_info.digest,
        scheme: signer_info.scheme,
        signed_attributes: signer_info.signed_raw.map(|raw| {
            let mut bytes = raw.to_vec();
            if let Some(first) = bytes.first_mut() {
                *first = tag::SET;
            }
            bytes
        }),
        message_digest,
        signing_certificate_matches,
        signing_time: signer_info
            .signed
            .iter()
            .any(|attribute| attribute.oid == ID_SIGNING_TIME),
        signature: signer_info.signature,
        timestamps,
    })
}

impl CmsSignature {
    /// The digest algorithm of the SignerInfo: the hash of the message-digest attribute.
    pub fn digest_algorithm(&self) -> HashAlgorithm {
        self.digest
    }

    /// The signature scheme, with the hash it signs with (named by the signature algorithm
    /// identifier where it names one, the digest algorithm otherwise, as pyHanko does).
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.scheme.algorithm()
    }

    /// Every X.509 certificate embedded in the SignedData, in the order found.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The embedded certificate the SignerInfo names (issuer and serial, or subject key
    /// identifier); `None` when it is not embedded.
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        self.signer.and_then(|index| self.certificates.get(index))
    }

    /// The message-digest signed attribute; `None` only when there are no signed attributes.
    pub fn message_digest(&self) -> Option<&[u8]> {
        self.message_digest.as_deref()
    }

    /// Whether the signing-certificate-v2 attribute (RFC 5035), or failing that the older
    /// signing-certificate attribute (RFC 2634, SHA-1), names the signer's certificate: its hash,
    /// and its issuer and serial when given. `None` when neither attribute is present; `Some(false)`
    /// as well when the attribute is malformed or the signer's certificate is not embedded.
    pub fn signing_certificate_v2_matches(&self) -> Option<bool> {
        self.signing_certificate_matches
    }

    /// Whether the signed attributes include signing-time (which PAdES baseline forbids, and which
    /// `openssl cms` always writes).
    pub fn has_signing_time_attribute(&self) -> bool {
        self.signing_time
    }

    /// The signature value.
    pub fn signature_value(&self) -> &[u8] {
        &self.signature
    }

    /// The first signature time-stamp token (unsigned attribute `id-aa-signatureTimeStampToken`),
    /// its DER exactly as embedded.
    pub fn signature_timestamp(&self) -> Option<&[u8]> {
        self.timestamps.first().map(Vec::as_slice)
    }

    /// Every signature time-stamp token, in the order found.
    pub fn signature_timestamps(&self) -> &[Vec<u8>] {
        &self.timestamps
    }

    /// The encapsulated content type (`id-data` for a PDF signature, `id-ct-TSTInfo` for a
    /// time-stamp token).
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The encapsulated content; `None` for a detached signature, as PAdES requires.
    pub fn encapsulated_content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// Checks the signature over the signed attributes, as found in the file, with the signer
    /// certificate's key. Whether the message digest matches the signed data is the caller's
    /// comparison of [`CmsSignature::message_digest`] with its own digest.
    ///
    /// # Errors
    /// [`Error::InvalidCms`] when the signer's certificate is not embedded or there are no signed
    /// attributes (the signature then covers the content itself); [`Error::WeakAlgorithm`] for a
    /// key too weak (RSA under 2048 bits) or of another type; `Ok(false)` for a signature that
    /// does not verify or a scheme that does not fit the key.
    pub fn verify_signature(&self) -> Result<bool, Error> {
        let Some(attributes) = &self.signed_attributes else {
            return Err(invalid_cms(
                "the signature has no signed attributes, so it covers the content directly",
            ));
        };
        self.verify_over([attributes.as_slice()])
    }

    /// Checks an encapsulating signature (a time-stamp token): the message digest against the
    /// content, then the signature; or, without signed attributes, the signature over the content.
    ///
    /// # Errors
    /// As [`CmsSignature::verify_signature`]; `Ok(false)` when there is no content.
    pub(crate) fn verify_encapsulated(&self) -> Result<bool, Error> {
        let Some(content) = &self.content else {
            return Ok(false);
        };
        match &self.signed_attributes {
            Some(attributes) => {
                let computed = digest(self.digest, [content.as_slice()]);
                if self.message_digest.as_deref() != Some(computed.as_slice()) {
                    return Ok(false);
                }
                self.verify_over([attributes.as_slice()])
            }
            None => self.verify_over([content.as_slice()]),
        }
    }

    fn verify_over<'a>(&self, message: impl IntoIterator<Item = &'a [u8]>) -> Result<bool, Error> {
        let Some(certificate) = self.signer_certificate() else {
            return Err(invalid_cms(
                "the signer's certificate is not in the signature",
            ));
        };
        let public_key = certificate.to_openssl()?.public_key()?;
        let kind = match signing_key_kind(&public_key) {
            Ok(kind) => kind,
            Err(Error::WeakKey { description }) => {
                return Err(Error::WeakAlgorithm { description });
            }
            Err(other) => return Err(other),
        };
        let fits = matches!(
            (kind, self.scheme),
            (KeyKind::Rsa, Scheme::Pkcs1v15(_) | Scheme::Pss { .. })
                | (KeyKind::RsaPssOnly, Scheme::Pss { .. })
                | (KeyKind::Ec, Scheme::Ecdsa(_))
        );
        if !fits {
            return Ok(false);
        }
        verify_with_key(&public_key, self.scheme, message, &self.signature)
    }
}

/// A SignerInfo's fields, read.
struct SignerInfoParts<'a> {
    sid: SignerId<'a>,
    digest: HashAlgorithm,
    signed_raw: Option<&'a [u8]>,
    signed: Vec<RawAttribute<'a>>,
    scheme: Scheme,
    signature: Vec<u8>,
    unsigned: Vec<RawAttribute<'a>>,
}

/// How a SignerInfo names its signer (RFC 5652 §5.3).
enum SignerId<'a> {
    /// The issuer's name (DER or BER of a `Name`) and the serial (INTEGER contents).
    IssuerAndSerial { issuer: &'a [u8], serial: &'a [u8] },
    /// The subject key identifier.
    KeyId(Cow<'a, [u8]>),
}

/// An attribute with its values as found.
struct RawAttribute<'a> {
    oid: ObjectIdentifier,
    values: Vec<Element<'a>>,
}

fn read_signer_info<'a>(signer_info: &Element<'a>) -> Result<SignerInfoParts<'a>, Error> {
    let signer_info = signer_info
        .expect(tag::SEQUENCE, "the SignerInfo is not a SEQUENCE")
        .map_err(malformed)?;
    let mut fields = signer_info.child_vec().map_err(malformed)?.into_iter();
    let mut next = |what: &str| {
        fields
            .next()
            .ok_or_else(|| invalid_cms(&format!("the SignerInfo lacks {what}")))
    };
    next("its version")?
        .expect(tag::INTEGER, "the SignerInfo version is not an INTEGER")
        .map_err(malformed)?;
    let sid = signer_id(&next("the signer identifier")?)?;
    let digest_identifier = algorithm_identifier(&next("the digest algorithm")?)?;
    let digest = digest_algorithm(&digest_identifier.oid)?;
    let mut field = next("the signature algorithm")?;
    let (signed_raw, signed) = if field.tag == tag::CONTEXT_0 {
        let attributes = attributes(&field)?;
        let raw = field.raw;
        field = next("the signature algorithm")?;
        (Some(raw), attributes)
    } else {
        (None, Vec::new())
    };
    let scheme = signature_scheme(&algorithm_identifier(&field)?, digest)?;
    let signature = next("the signature")?;
    if signature.tag & !0x20 != tag::OCTET_STRING {
        return Err(invalid_cms("the signature is not an OCTET STRING"));
    }
    let signature = signature.octets().map_err(malformed)?.into_owned();
    let unsigned = match fields.next() {
        Some(field) if field.tag == tag::CONTEXT_1 => attributes(&field)?,
        Some(_) => return Err(invalid_cms("unexpected field in the SignerInfo")),
        None => Vec::new(),
    };
    if fields.next().is_some() {
        return Err(invalid_cms("unexpected field in the SignerInfo"));
    }
    Ok(SignerInfoParts {
        sid,
        digest,
        signed_raw,
        signed,
        scheme,
        signature,
        unsigned,
    })
}

/// `encapContentInfo`: the content type and, when present, the content octets.
fn encapsulated_content(
    element: &Element<'_>,
) -> Result<(ObjectIdentifier, Option<Vec<u8>>), Error> {
    let element = element
        .expect(tag::SEQUENCE, "encapContentInfo is not a SEQUENCE")
        .map_err(malformed)?;
    match element.child_vec().map_err(malformed)?[..] {
        [content_type] => Ok((oid(&content_type)?, None)),
        [content_type, explicit] => {
            let explicit = explicit
                .expect(tag::CONTEXT_0, "eContent is not tagged [0]")
                .map_err(malformed)?;
            let [octets] = explicit.child_vec().map_err(malformed)?[..] else {
                return Err(invalid_cms("eContent must hold one OCTET STRING"));
            };
            if octets.tag & !0x20 != tag::OCTET_STRING {
                return Err(invalid_cms("eContent is not an OCTET STRING"));
            }
            let content = octets.octets().map_err(malformed)?.into_owned();
            Ok((oid(&content_type)?, Some(content)))
        }
        _ => Err(invalid_cms("encapContentInfo has too many fields")),
    }
}

fn signer_id<'a>(element: &Element<'a>) -> Result<SignerId<'a>, Error> {
    match element.tag {
        tag::SEQUENCE => {
            let [issuer, serial] = element.child_vec().map_err(malformed)?[..] else {
                return Err(invalid_cms("issuerAndSerialNumber has two fields"));
            };
            issuer
                .expect(tag::SEQUENCE, "the signer's issuer is not a Name")
                .and_then(|_| serial.expect(tag::INTEGER, "the signer's serial is not an INTEGER"))
                .map_err(malformed)?;
            Ok(SignerId::IssuerAndSerial {
                issuer: issuer.raw,
                serial: serial.contents,
            })
        }
        tag::CONTEXT_0_PRIMITIVE | tag::CONTEXT_0 => {
            Ok(SignerId::KeyId(element.octets().map_err(malformed)?))
        }
        _ => Err(invalid_cms(
            "the signer identifier is neither issuer and serial nor a key identifier",
        )),
    }
}

/// The index of the certificate `id` names.
fn find_signer(certificates: &[Certificate], id: &SignerId<'_>) -> Result<Option<usize>, Error> {
    let issuer = match id {
        SignerId::IssuerAndSerial { issuer, .. } => Some(
            X509Name::from_der(issuer)
                .map_err(|_| invalid_cms("the signer's issuer name is malformed"))?,
        ),
        SignerId::KeyId(_) => None,
    };
    for (index, certificate) in certificates.iter().enumerate() {
        let certificate = certificate.to_openssl()?;
        let matches = match (id, &issuer) {
            (SignerId::IssuerAndSerial { serial, .. }, Some(issuer)) => {
                names_equal(certificate.issuer_name(), issuer)
                    && serial_equals(&certificate, serial)?
            }
            (SignerId::KeyId(key_id), _) => certificate
                .subject_key_id()
                .is_some_and(|found| found.as_slice() == key_id.as_ref()),
            (SignerId::IssuerAndSerial { .. }, None) => false,
        };
        if matches {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// Whether two names are the same (OpenSSL's canonical comparison: case and spacing of strings
/// do not matter, as RFC 5280 §7.1 asks).
pub(crate) fn names_equal(left: &X509NameRef, right: &X509NameRef) -> bool {
    matches!(left.try_cmp(right), Ok(std::cmp::Ordering::Equal))
}

/// Whether the certificate's serial number is the INTEGER whose contents octets are `contents`
/// (two's complement, so that the negative serials some old CAs issued compare right).
pub(crate) fn serial_equals(certificate: &X509Ref, contents: &[u8]) -> Result<bool, Error> {
    let Some(first) = contents.first() else {
        return Ok(false);
    };
    let theirs = if first & 0x80 == 0 {
        BigNum::from_slice(contents)?
    } else {
        // Negate the two's complement: invert, add one.
        let inverted: Vec<u8> = contents.iter().map(|byte| !byte).collect();
        let mut magnitude = BigNum::from_slice(&inverted)?;
        magnitude.add_word(1)?;
        magnitude.set_negative(true);
        magnitude
    };
    let ours = certificate.serial_number().to_bn()?;
    Ok(ours == theirs)
}

/// The attributes of a `[0]` or `[1]` attribute set.
fn attributes<'a>(set: &Element<'a>) -> Result<Vec<RawAttribute<'a>>, Error> {
    let mut attributes = Vec::new();
    for attribute in set.children() {
        let attribute = attribute
            .and_then(|attribute| attribute.expect(tag::SEQUENCE, "an attribute is not a SEQUENCE"))
            .map_err(malformed)?;
        let [attribute_type, values] = attribute.child_vec().map_err(malformed)?[..] else {
            return Err(invalid_cms("an attribute has two fields"));
        };
        let values = values
            .expect(tag::SET, "attribute values are not a SET")
            .and_then(|values| values.child_vec())
            .map_err(malformed)?;
        attributes.push(RawAttribute {
            oid: oid(&attribute_type)?,
            values,
        });
    }
    Ok(attributes)
}

/// The one attribute of type `oid`, refusing duplicates (RFC 5652 §11).
fn find_attribute<'b, 'a>(
    attributes: &'b [RawAttribute<'a>],
    oid: ObjectIdentifier,
) -> Result<Option<&'b RawAttribute<'a>>, Error> {
    let mut found = attributes.iter().filter(|attribute| attribute.oid == oid);
    match (found.next(), found.next()) {
        (first, None) => Ok(first),
        (Some(_), Some(_)) | (None, Some(_)) => Err(invalid_cms(&format!(
            "the attribute {} appears twice",
            algorithm_name(&oid)
        ))),
    }
}

fn has_signing_certificate(attributes: &[RawAttribute<'_>]) -> bool {
    attributes.iter().any(|attribute| {
        attribute.oid == ID_AA_SIGNING_CERTIFICATE_V_2 || attribute.oid == ID_AA_SIGNING_CERTIFICATE
    })
}

/// `SigningCertificate` (RFC 2634 §5.4): the ESSCertIDs, SHA-1 hashes.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV1 {
    certs: Vec<EssCertIdV1>,
    #[asn1(optional = "true")]
    policies: Option<Vec<Any>>,
}

/// `ESSCertID` (RFC 2634 §5.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV1 {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// Compares the first ESSCertID(v2) of the signed attributes with `certificate`; v2 wins when both
/// are present.
fn signing_certificate_matches(
    attributes: &[RawAttribute<'_>],
    certificate: &Certificate,
) -> Result<Option<bool>, Error> {
    let (attribute, v2) = match find_attribute(attributes, ID_AA_SIGNING_CERTIFICATE_V_2)? {
        Some(attribute) => (attribute, true),
        None => match find_attribute(attributes, ID_AA_SIGNING_CERTIFICATE)? {
            Some(attribute) => (attribute, false),
            None => return Ok(None),
        },
    };
    let [value] = attribute.values[..] else {
        return Ok(Some(false));
    };
    let id = if v2 {
        ber::decode_lenient::<SigningCertificateV2>(value.raw)
            .ok()
            .and_then(|attribute| attribute.certs.into_iter().next())
            .map(|id| {
                let oid = id
                    .hash_algorithm
                    .map_or(ID_SHA_256, |algorithm| algorithm.oid);
                (oid, id.cert_hash, id.issuer_serial)
            })
    } else {
        ber::decode_lenient::<SigningCertificateV1>(value.raw)
            .ok()
            .and_then(|attribute| attribute.certs.into_iter().next())
            .map(|id| (ID_SHA_1, id.cert_hash, id.issuer_serial))
    };
    let Some((hash_oid, cert_hash, issuer_serial)) = id else {
        return Ok(Some(false));
    };
    let Some(hash) = openssl_digest_for_oid(&hash_oid) else {
        return Ok(Some(false));
    };
    if openssl::hash::hash(hash, certificate.as_der())?.as_ref() != cert_hash.as_bytes() {
        return Ok(Some(false));
    }
    let Some(issuer_serial) = issuer_serial else {
        return Ok(Some(true));
    };
    let x509 = certificate.to_openssl()?;
    if !serial_equals(&x509, issuer_serial.serial_number.as_bytes())? {
        return Ok(Some(false));
    }
    for name in &issuer_serial.issuer {
        if let GeneralName::DirectoryName(name) = name {
            let Ok(der) = name.to_der() else { continue };
            if let Ok(name) = X509Name::from_der(&der)
                && names_equal(x509.issuer_name(), &name)
            {
                return Ok(Some(true));
            }
        }
    }
    Ok(Some(false))
}

/// What a signature algorithm identifier names.
enum Named {
    Rsa(Option<HashAlgorithm>),
    Ecdsa(Option<HashAlgorithm>),
    Pss,
    Weak,
    Unknown,
}

fn classify(oid: &ObjectIdentifier) -> Named {
    match *oid {
        RSA_ENCRYPTION => Named::Rsa(None),
        SHA_256_WITH_RSA_ENCRYPTION => Named::Rsa(Some(HashAlgorithm::Sha256)),
        SHA_384_WITH_RSA_ENCRYPTION => Named::Rsa(Some(HashAlgorithm::Sha384)),
        SHA_512_WITH_RSA_ENCRYPTION => Named::Rsa(Some(HashAlgorithm::Sha512)),
        ID_EC_PUBLIC_KEY => Named::Ecdsa(None),
        ECDSA_WITH_SHA_256 => Named::Ecdsa(Some(HashAlgorithm::Sha256)),
        ECDSA_WITH_SHA_384 => Named::Ecdsa(Some(HashAlgorithm::Sha384)),
        ECDSA_WITH_SHA_512 => Named::Ecdsa(Some(HashAlgorithm::Sha512)),
        ID_RSASSA_PSS => Named::Pss,
        SHA_1_WITH_RSA_ENCRYPTION
        | MD_5_WITH_RSA_ENCRYPTION
        | MD_2_WITH_RSA_ENCRYPTION
        | SHA_224_WITH_RSA_ENCRYPTION
        | ECDSA_WITH_SHA_1
        | ECDSA_WITH_SHA_224 => Named::Weak,
        _ => Named::Unknown,
    }
}

/// The digest algorithm; some signers write a signature algorithm here (sha256WithRSAEncryption),
/// whose hash is meant.
fn digest_algorithm(oid: &ObjectIdentifier) -> Result<HashAlgorithm, Error> {
    match classify(oid) {
        Named::Rsa(Some(hash)) | Named::Ecdsa(Some(hash)) => Ok(hash),
        Named::Weak => Err(weak(oid, "the digest algorithm")),
        _ => accepted_hash(oid, "the digest algorithm"),
    }
}

fn signature_scheme(
    identifier: &AlgorithmIdentifierOwned,
    digest: HashAlgorithm,
) -> Result<Scheme, Error> {
    match classify(&identifier.oid) {
        Named::Rsa(hash) => Ok(Scheme::Pkcs1v15(hash.unwrap_or(digest))),
        Named::Ecdsa(hash) => Ok(Scheme::Ecdsa(hash.unwrap_or(digest))),
        Named::Pss => pss_scheme(identifier.parameters.as_ref()),
        Named::Weak => Err(weak(&identifier.oid, "the signature algorithm")),
        Named::Unknown => Err(Error::WeakAlgorithm {
            description: format!(
                "the signature algorithm {} is not supported (RSA or ECDSA required)",
                algorithm_name(&identifier.oid)
            ),
        }),
    }
}

/// RSASSA-PSS parameters (RFC 4055 §3.1), defaults included (which mean SHA-1).
fn pss_scheme(parameters: Option<&Any>) -> Result<Scheme, Error> {
    let parameters = match parameters {
        Some(parameters) => parameters
            .decode_as::<RsaPssParameters>()
            .map_err(|_| invalid_cms("the RSASSA-PSS parameters are malformed"))?,
        None => RsaPssParameters {
            hash_algorithm: None,
            mask_gen_algorithm: None,
            salt_length: None,
            trailer_field: None,
        },
    };
    let hash_oid = parameters
        .hash_algorithm
        .as_ref()
        .map_or(ID_SHA_1, |algorithm| algorithm.oid);
    let hash = accepted_hash(&hash_oid, "the RSASSA-PSS hash")?;
    let mgf1 = match &parameters.mask_gen_algorithm {
        None => accepted_hash(&ID_SHA_1, "the MGF1 hash")?,
        Some(mask) if mask.oid == ID_MGF_1 => {
            let inner = mask
                .parameters
                .as_ref()
                .ok_or_else(|| invalid_cms("MGF1 names no hash"))?
                .decode_as::<AlgorithmIdentifierOwned>()
                .map_err(|_| invalid_cms("the MGF1 parameters are malformed"))?;
            accepted_hash(&inner.oid, "the MGF1 hash")?
        }
        Some(mask) => return Err(weak(&mask.oid, "the mask generation function")),
    };
    if parameters.trailer_field.is_some_and(|trailer| trailer != 1) {
        return Err(invalid_cms("the RSASSA-PSS trailer field must be 1"));
    }
    Ok(Scheme::Pss {
        hash,
        mgf1,
        salt_len: parameters.salt_length.unwrap_or(20),
    })
}

fn weak(oid: &ObjectIdentifier, role: &str) -> Error {
    Error::WeakAlgorithm {
        description: format!(
            "{role} {} is not accepted (SHA-256 or stronger required)",
            algorithm_name(oid)
        ),
    }
}

fn algorithm_identifier(element: &Element<'_>) -> Result<AlgorithmIdentifierOwned, Error> {
    ber::decode_lenient::<AlgorithmIdentifierOwned>(element.raw)
        .map_err(|error| invalid_cms(&format!("a malformed algorithm identifier ({error})")))
}

fn oid(element: &Element<'_>) -> Result<ObjectIdentifier, Error> {
    if element.tag != tag::OID {
        return Err(invalid_cms("an OBJECT IDENTIFIER was expected"));
    }
    ObjectIdentifier::from_bytes(element.contents)
        .map_err(|_| invalid_cms("a malformed OBJECT IDENTIFIER"))
}

fn malformed(error: Malformed) -> Error {
    invalid_cms(&format!("malformed encoding: {error}"))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;
    use crate::test_support::certs_dev;
    use crate::{
        SignaturePreference, Signer, SoftwareSigner, add_signature_timestamp, assemble_signed_data,
        signed_attributes,
    };

    fn signer(p12: &str, hash: HashAlgorithm, rsa_pss: bool) -> SoftwareSigner {
        let der = std::fs::read(certs_dev(p12)).unwrap();
        SoftwareSigner::from_pkcs12(&der, "vanthu-dev", SignaturePreference { hash, rsa_pss })
            .unwrap()
    }

    /// A detached CMS made by our own signing code.
    fn ours(signer: &SoftwareSigner, content: &[u8]) -> Vec<u8> {
        let hash = signer.algorithm().hash();
        let attributes =
            signed_attributes(&digest(hash, [content]), hash, signer.certificate()).unwrap();
        let signature = signer.sign(&attributes).unwrap();
        assemble_signed_data(
            &attributes,
            &signature,
            signer.algorithm(),
            signer.certificate(),
            signer.chain(),
        )
        .unwrap()
    }

    /// A detached CMS made by `openssl cms -sign` (with signing-time and more attributes).
    fn by_openssl(name: &str, content: &[u8], extra: &[&str]) -> Vec<u8> {
        let folder = tempfile::tempdir().unwrap();
        let data = folder.path().join("data.bin");
        let out = folder.path().join("sig.der");
        std::fs::write(&data, content).unwrap();
        let output = Command::new("openssl")
            .args([
                "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
            ])
            .arg("-in")
            .arg(&data)
            .arg("-signer")
            .arg(certs_dev(&format!("{name}.pem")))
            .arg("-inkey")
            .arg(certs_dev(&format!("{name}.key.pem")))
            .arg("-certfile")
            .arg(certs_dev("chain.pem"))
            .arg("-out")
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "openssl cms -sign: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(out).unwrap()
    }

    /// Checks what a validator checks: the digest over the content, then the signature.
    fn verifies(cms: &CmsSignature, content: &[u8]) -> bool {
        let computed = digest(cms.digest_algorithm(), [content]);
        cms.message_digest() == Some(computed.as_slice()) && cms.verify_signature().unwrap()
    }

    const CONTENT: &[u8] = b"%PDF-1.7 the byte ranges of a document";

    #[test]
    fn our_own_signatures_parse_and_verify_with_every_scheme() {
        for (p12, hash, pss, expected) in [
            (
                "leader-rsa.p12",
                HashAlgorithm::Sha256,
                false,
                SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
            ),
            (
                "leader-rsa.p12",
                HashAlgorithm::Sha512,
                true,
                SignatureAlgorithm::RsaPss(HashAlgorithm::Sha512),
            ),
            (
                "leader-p256.p12",
                HashAlgorithm::Sha256,
                false,
                SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
            ),
            (
                "seal-p256.p12",
                HashAlgorithm::Sha384,
                false,
                SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384),
            ),
        ] {
            let signer = signer(p12, hash, pss);
            let der = ours(&signer, CONTENT);
            let cms = parse_cms(&der).unwrap();
            assert_eq!(cms.digest_algorithm(), hash);
            assert_eq!(cms.signature_algorithm(), expected);
            assert_eq!(cms.signer_certificate(), Some(signer.certificate()));
            assert_eq!(cms.certificates().len(), 3);
            assert_eq!(cms.signing_certificate_v2_matches(), Some(true));
            assert!(!cms.has_signing_time_attribute());
            assert_eq!(cms.signature_timestamp(), None);
            assert_eq!(cms.encapsulated_content(), None);
            assert_eq!(cms.content_type(), const_oid::db::rfc5911::ID_DATA);
            assert_eq!(cms.signature_value(), crate::signature_value(&der).unwrap());
            assert!(verifies(&cms, CONTENT), "{p12}");
            // PDF padding after the CMS does no harm.
            let mut padded = der.clone();
            padded.extend([0; 100]);
            assert!(verifies(&parse_cms(&padded).unwrap(), CONTENT));
        }
    }

    #[test]
    fn p521_signatures_verify() {
        use openssl::ec::{EcGroup, EcKey};
        use openssl::nid::Nid;
        use openssl::pkey::PKey;
        use openssl::x509::{X509, X509NameBuilder};

        let key = PKey::from_ec_key(
            EcKey::generate(&EcGroup::from_curve_name(Nid::SECP521R1).unwrap()).unwrap(),
        )
        .unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "P-521 signer").unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_issuer_name(&name).unwrap();
        builder.set_pubkey(&key).unwrap();
        let not_before = openssl::asn1::Asn1Time::from_str("20240101000000Z").unwrap();
        let not_after = openssl::asn1::Asn1Time::from_str("20300101000000Z").unwrap();
        builder.set_not_before(&not_before).unwrap();
        builder.set_not_after(&not_after).unwrap();
        builder
            .sign(&key, openssl::hash::MessageDigest::sha512())
            .unwrap();
        let signer = SoftwareSigner::from_pem(
            &key.private_key_to_pem_pkcs8().unwrap(),
            &builder.build().to_pem().unwrap(),
            SignaturePreference {
                hash: HashAlgorithm::Sha512,
                rsa_pss: false,
            },
        )
        .unwrap();
        let cms = parse_cms(&ours(&signer, CONTENT)).unwrap();
        assert_eq!(
            cms.signature_algorithm(),
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha512)
        );
        assert!(verifies(&cms, CONTENT));
    }

    #[test]
    fn a_changed_document_or_signature_is_detected() {
        let signer = signer("leader-rsa.p12", HashAlgorithm::Sha256, false);
        let der = ours(&signer, CONTENT);
        let cms = parse_cms(&der).unwrap();
        // One flipped byte in the signed data: the message digest no longer matches.
        let mut changed = CONTENT.to_vec();
        changed[3] ^= 1;
        assert!(!verifies(&cms, &changed));
        assert!(cms.verify_signature().unwrap());
        // One flipped byte in the signature value.
        let position = der
            .windows(cms.signature_value().len())
            .position(|window| window == cms.signature_value())
            .unwrap();
        let mut tampered = der.clone();
        tampered[position + 17] ^= 0x40;
        let cms = parse_cms(&tampered).unwrap();
        assert!(!cms.verify_signature().unwrap());
        // One flipped byte inside the signed attributes (the message digest itself).
        let mut tampered = der.clone();
        let md = digest(HashAlgorithm::Sha256, [CONTENT]);
        let position = der.windows(32).position(|window| window == md).unwrap();
        tampered[position] ^= 1;
        let cms = parse_cms(&tampered).unwrap();
        assert!(!cms.verify_signature().unwrap());
    }

    #[test]
    fn openssl_cms_signatures_parse_and_verify() {
        for name in ["leader-rsa", "leader-p256", "seal-rsa"] {
            let der = by_openssl(name, CONTENT, &[]);
            let cms = parse_cms(&der).unwrap();
            assert!(cms.has_signing_time_attribute());
            assert_eq!(cms.digest_algorithm(), HashAlgorithm::Sha256);
            assert!(
                cms.signer_certificate()
                    .unwrap()
                    .summary()
                    .unwrap()
                    .subject
                    .contains("DEV ONLY")
            );
            assert!(verifies(&cms, CONTENT), "{name}");
            assert_eq!(cms.signing_certificate_v2_matches(), None);
        }
        // RSASSA-PSS with OpenSSL's own parameters, and the signer named by key identifier.
        let der = by_openssl(
            "leader-rsa",
            CONTENT,
            &[
                "-keyopt",
                "rsa_padding_mode:pss",
                "-keyopt",
                "rsa_pss_saltlen:max",
                "-keyid",
            ],
        );
        let cms = parse_cms(&der).unwrap();
        assert_eq!(
            cms.signature_algorithm(),
            SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256)
        );
        assert!(cms.signer_certificate().is_some());
        assert!(verifies(&cms, CONTENT));
        // An ESS signing-certificate-v2 attribute written by OpenSSL.
        let der = by_openssl("seal-p256", CONTENT, &["-cades"]);
        let cms = parse_cms(&der).unwrap();
        assert_eq!(cms.signing_certificate_v2_matches(), Some(true));
        assert!(verifies(&cms, CONTENT));
    }

    /// A detached CMS made by pyHanko's `SimpleSigner` (asn1crypto's encoder), from the oracles
    /// virtual environment that `tests/run` creates (`$VANTHU_ORACLES_VENV` overrides it).
    fn by_pyhanko(name: &str, hash: &str, prefer_pss: bool, content: &[u8]) -> Vec<u8> {
        let venv = match std::env::var_os("VANTHU_ORACLES_VENV") {
            Some(venv) if !venv.is_empty() => PathBuf::from(venv),
            _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/oracles-venv"),
        };
        let python = venv.join("bin/python");
        assert!(
            python.is_file(),
            "pyHanko's Python is not at {}: run tests/run, which creates it",
            python.display()
        );
        let folder = tempfile::tempdir().unwrap();
        let data = folder.path().join("data.bin");
        let out = folder.path().join("sig.der");
        std::fs::write(&data, content).unwrap();
        let script = format!(
            "import asyncio, sys\n\
             from pyhanko.sign import signers\n\
             d = sys.argv[1]\n\
             signer = signers.SimpleSigner.load(d + '/{name}.key.pem', d + '/{name}.pem', \
             ca_chain_files=(d + '/chain.pem',), prefer_pss={pss})\n\
             data = open(sys.argv[2], 'rb').read()\n\
             signed = asyncio.run(signer.async_sign_general_data(data, '{hash}', detached=True))\n\
             open(sys.argv[3], 'wb').write(signed.dump())\n",
            pss = if prefer_pss { "True" } else { "False" },
        );
        let output = Command::new(python)
            .arg("-c")
            .arg(script)
            .arg(certs_dev(""))
            .arg(&data)
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pyHanko: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(out).unwrap()
    }

    #[test]
    fn pyhanko_signatures_parse_and_verify() {
        for (name, hash, pss, expected) in [
            (
                "leader-rsa",
                "sha256",
                false,
                SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
            ),
            (
                "leader-rsa",
                "sha384",
                true,
                SignatureAlgorithm::RsaPss(HashAlgorithm::Sha384),
            ),
            (
                "seal-p256",
                "sha512",
                false,
                SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha512),
            ),
        ] {
            let der = by_pyhanko(name, hash, pss, CONTENT);
            let cms = parse_cms(&der).unwrap();
            assert_eq!(cms.signature_algorithm(), expected, "{name} {hash}");
            assert_eq!(cms.signing_certificate_v2_matches(), Some(true), "{name}");
            assert!(verifies(&cms, CONTENT), "{name} {hash}");
            let mut changed = CONTENT.to_vec();
            changed[0] ^= 1;
            assert!(!verifies(&cms, &changed));
        }
    }

    #[test]
    fn ber_with_indefinite_lengths_is_read_and_the_signed_bytes_kept() {
        // `openssl cms -stream` writes indefinite-length BER.
        let folder = tempfile::tempdir().unwrap();
        let data = folder.path().join("data.bin");
        std::fs::write(&data, CONTENT).unwrap();
        let out = folder.path().join("sig.ber");
        let output = Command::new("openssl")
            .args([
                "cms", "-sign", "-binary", "-stream", "-outform", "DER", "-md", "sha256",
            ])
            .arg("-in")
            .arg(&data)
            .arg("-signer")
            .arg(certs_dev("leader-rsa.pem"))
            .arg("-inkey")
            .arg(certs_dev("leader-rsa.key.pem"))
            .arg("-out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let ber = std::fs::read(out).unwrap();
        assert_eq!(&ber[..2], [0x30, 0x80], "indefinite length expected");
        let cms = parse_cms(&ber).unwrap();
        assert!(verifies(&cms, CONTENT));

        // Signed attributes in non-DER order, signed as they stand: verified over the bytes as
        // found (re-encoding would sort them and break the signature).
        let signer = signer("leader-rsa.p12", HashAlgorithm::Sha256, false);
        let sorted = signed_attributes(
            &digest(HashAlgorithm::Sha256, [CONTENT]),
            HashAlgorithm::Sha256,
            signer.certificate(),
        )
        .unwrap();
        let set = ber::parse_exact(&sorted).unwrap();
        let mut reversed_contents = Vec::new();
        for attribute in set.child_vec().unwrap().iter().rev() {
            reversed_contents.extend_from_slice(attribute.raw);
        }
        let mut unsorted = Vec::new();
        ber::write_header(&mut unsorted, tag::SET, reversed_contents.len());
        unsorted.extend_from_slice(&reversed_contents);
        let signature = signer.sign(&unsorted).unwrap();
        // Build with the sorted set, then splice the unsorted one and its signature in.
        let good = assemble_signed_data(
            &sorted,
            &signer.sign(&sorted).unwrap(),
            signer.algorithm(),
            signer.certificate(),
            &[],
        )
        .unwrap();
        let mut spliced = replace(&good, &sorted[1..], &unsorted[1..]);
        spliced = replace(&spliced, &signer.sign(&sorted).unwrap(), &signature);
        let cms = parse_cms(&spliced).unwrap();
        assert!(verifies(&cms, CONTENT));
    }

    /// Replaces the one occurrence of `from` (same length as `to`).
    fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        assert_eq!(from.len(), to.len());
        let position = haystack
            .windows(from.len())
            .position(|window| window == from)
            .unwrap();
        let mut out = haystack.to_vec();
        out[position..position + to.len()].copy_from_slice(to);
        out
    }

    #[test]
    fn a_signing_certificate_for_another_certificate_is_a_mismatch() {
        let leader = signer("leader-rsa.p12", HashAlgorithm::Sha256, false);
        let seal = signer("seal-rsa.p12", HashAlgorithm::Sha256, false);
        // The leader signs attributes that name the seal's certificate.
        let attributes = signed_attributes(
            &digest(HashAlgorithm::Sha256, [CONTENT]),
            HashAlgorithm::Sha256,
            seal.certificate(),
        )
        .unwrap();
        let signature = leader.sign(&attributes).unwrap();
        let der = assemble_signed_data(
            &attributes,
            &signature,
            leader.algorithm(),
            leader.certificate(),
            &[],
        )
        .unwrap();
        let cms = parse_cms(&der).unwrap();
        assert_eq!(cms.signing_certificate_v2_matches(), Some(false));
        assert!(verifies(&cms, CONTENT));
    }

    #[test]
    fn the_old_signing_certificate_attribute_is_accepted() {
        // Time-stamp tokens from `openssl ts` carry it (tsp.rs); here an attribute made by hand,
        // without issuerSerial.
        let certificate =
            Certificate::from_pem_bundle(&std::fs::read(certs_dev("leader-rsa.pem")).unwrap())
                .unwrap()
                .remove(0);
        let sha1 = openssl::hash::hash(openssl::hash::MessageDigest::sha1(), certificate.as_der())
            .unwrap();
        let v1 = SigningCertificateV1 {
            certs: vec![EssCertIdV1 {
                cert_hash: OctetString::new(sha1.to_vec()).unwrap(),
                issuer_serial: None,
            }],
            policies: None,
        }
        .to_der()
        .unwrap();
        let mut attribute = Vec::new();
        let oid_der = ID_AA_SIGNING_CERTIFICATE.to_der().unwrap();
        let mut values = Vec::new();
        ber::write_header(&mut values, tag::SET, v1.len());
        values.extend_from_slice(&v1);
        ber::write_header(&mut attribute, tag::SEQUENCE, oid_der.len() + values.len());
        attribute.extend_from_slice(&oid_der);
        attribute.extend_from_slice(&values);
        let element = ber::parse_exact(&attribute).unwrap();
        let parsed = attributes_of(&[element]);
        assert_eq!(
            signing_certificate_matches(&parsed, &certificate).unwrap(),
            Some(true)
        );
        let other =
            Certificate::from_pem_bundle(&std::fs::read(certs_dev("seal-rsa.pem")).unwrap())
                .unwrap()
                .remove(0);
        assert_eq!(
            signing_certificate_matches(&parsed, &other).unwrap(),
            Some(false)
        );
        assert_eq!(signing_certificate_matches(&[], &other).unwrap(), None);
    }

    fn attributes_of<'a>(elements: &[Element<'a>]) -> Vec<RawAttribute<'a>> {
        elements
            .iter()
            .map(|element| {
                let [attribute_type, values] = element.child_vec().unwrap()[..] else {
                    panic!()
                };
                RawAttribute {
                    oid: oid(&attribute_type).unwrap(),
                    values: values.child_vec().unwrap(),
                }
            })
            .collect()
    }

    #[test]
    fn weak_digests_and_signatures_are_refused_as_weak() {
        let der = by_openssl("leader-rsa", CONTENT, &["-md", "sha1"]);
        let error = parse_cms(&der).unwrap_err();
        assert!(matches!(error, Error::WeakAlgorithm { .. }), "{error}");
        assert!(error.to_string().contains("sha1"), "{error}");
        assert!(matches!(
            digest_algorithm(&SHA_1_WITH_RSA_ENCRYPTION),
            Err(Error::WeakAlgorithm { .. })
        ));
        assert_eq!(
            digest_algorithm(&SHA_256_WITH_RSA_ENCRYPTION).unwrap(),
            HashAlgorithm::Sha256
        );
        let md5 = const_oid::db::rfc5912::ID_MD_5;
        assert!(matches!(
            digest_algorithm(&md5),
            Err(Error::WeakAlgorithm { .. })
        ));
        let ed25519 = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc8410::ID_ED_25519,
            parameters: None,
        };
        let error = signature_scheme(&ed25519, HashAlgorithm::Sha256).unwrap_err();
        assert!(matches!(error, Error::WeakAlgorithm { .. }), "{error}");
        // RSASSA-PSS with every parameter at its default is SHA-1.
        let error = pss_scheme(None).unwrap_err();
        assert!(matches!(error, Error::WeakAlgorithm { .. }), "{error}");
        // An RSA-1024 signer: the CMS parses, the verification refuses the key.
        let folder = tempfile::tempdir().unwrap();
        let (key, certificate) = (folder.path().join("k.pem"), folder.path().join("c.pem"));
        let output = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:1024",
                "-nodes",
                "-subj",
                "/CN=Small",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&certificate)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let data = folder.path().join("data.bin");
        let out = folder.path().join("sig.der");
        std::fs::write(&data, CONTENT).unwrap();
        let output = Command::new("openssl")
            .args([
                "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
            ])
            .arg("-in")
            .arg(&data)
            .arg("-signer")
            .arg(&certificate)
            .arg("-inkey")
            .arg(&key)
            .arg("-out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let cms = parse_cms(&std::fs::read(out).unwrap()).unwrap();
        let error = cms.verify_signature().unwrap_err();
        assert!(matches!(error, Error::WeakAlgorithm { .. }), "{error}");
        assert!(error.to_string().contains("RSA-1024"), "{error}");
    }

    #[test]
    fn other_tags_and_garbage_are_errors_not_panics() {
        let signer = signer("leader-p256.p12", HashAlgorithm::Sha256, false);
        let der = ours(&signer, CONTENT);
        for length in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
            assert!(parse_cms(&der[..length]).is_err(), "{length}");
        }
        for position in 0..der.len() {
            let mut changed = der.clone();
            changed[position] ^= 0xA5;
            // Anything may come back but a panic.
            if let Ok(cms) = parse_cms(&changed) {
                let _ = cms.verify_signature();
            }
        }
        let mut trailing = der.clone();
        trailing.push(1);
        assert!(parse_cms(&trailing).is_err());
        assert!(parse_cms(b"garbage").is_err());
        // A time-stamp token is a CMS with content; a stamped signature keeps its token.
        let token = by_openssl("tsa", CONTENT, &["-nodetach"]);
        let token_cms = parse_cms(&token).unwrap();
        assert_eq!(token_cms.encapsulated_content(), Some(CONTENT));
        assert!(token_cms.verify_encapsulated().unwrap());
        let stamped = add_signature_timestamp(&der, &token).unwrap();
        let cms = parse_cms(&stamped).unwrap();
        assert_eq!(cms.signature_timestamp(), Some(token.as_slice()));
        assert!(verifies(&cms, CONTENT));
    }
}
