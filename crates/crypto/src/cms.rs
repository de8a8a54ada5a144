//! CMS signatures (RFC 5652) built the way PAdES baseline signatures need them (ETSI EN 319 142-1
//! and EN 319 122-1): detached `SignedData` over the PDF's byte ranges, with exactly three signed
//! attributes (content-type, message-digest, signing-certificate-v2) and no signing-time.
//!
//! OpenSSL's CMS API always adds a signing-time attribute (ORACLES.md), so the structure is built
//! here with the RustCrypto `cms`/`der` types, and OpenSSL (or a token, or a remote service) only
//! makes the raw signature over the DER of the signed attributes.
//!
//! The signing flow, in the caller's hands:
//! 1. `md = digest(hash, byte_ranges)`;
//! 2. `attrs = signed_attributes(&md, hash, certificate)`: the DER `SET OF Attribute` (tag `0x31`),
//!    which is exactly what RFC 5652 §5.4 says is signed;
//! 3. `signature = signer.sign(&attrs)`;
//! 4. `cms = assemble_signed_data(&attrs, &signature, algorithm, certificate, chain)`, which embeds
//!    the same bytes with the `[0] IMPLICIT` tag (`0xA0`) in `SignerInfo.signedAttrs`.
//!
//! Every DER this module writes is canonical, and every CMS it changes is first checked to decode
//! and re-encode to the very same bytes, so that no signed byte can move.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_TIME,
};
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_MGF_1, ID_RSASSA_PSS,
    RSA_ENCRYPTION,
};
use der::asn1::{Null, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::hash::{check_digest_length, hash_oid};
use crate::software::{KeyKind, signing_key_kind};
use crate::{Certificate, Error, HashAlgorithm, SignatureAlgorithm, digest, verify_signature};

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A): the unsigned attribute holding the
/// time-stamp token over the signature value.
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Builds the signed attributes of a PAdES baseline signature and returns the DER of the
/// `SET OF Attribute`: the bytes the key signs (RFC 5652 §5.4, tag `0x31`).
///
/// The set holds, in DER order: content-type `id-data`, message-digest `message_digest`, and
/// signing-certificate-v2 (RFC 5035) with the `hash` of the signer's certificate and its
/// issuer and serial. The ESSCertIDv2 `hashAlgorithm` is omitted for SHA-256, its DEFAULT, and
/// written otherwise. There is deliberately no signing-time attribute (EN 319 142-1 §5.4.2.1:
/// the time goes into the signature dictionary's `/M`).
///
/// # Errors
/// [`Error::DigestLength`] when `message_digest` does not fit `hash`; [`Error::InvalidCms`] when
/// the certificate cannot be represented (not DER).
pub fn signed_attributes(
    message_digest: &[u8],
    hash: HashAlgorithm,
    signer: &Certificate,
) -> Result<Vec<u8>, Error> {
    check_digest_length(hash, message_digest)?;
    let certificate = decode_certificate(signer)?;
    let tbs = &certificate.tbs_certificate;
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: match hash {
                HashAlgorithm::Sha256 => None,
                HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => Some(AlgorithmIdentifierOwned {
                    oid: hash_oid(hash),
                    parameters: None,
                }),
            },
            cert_hash: OctetString::new(digest(hash, [signer.as_der()])).map_err(cms_error)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let attributes = vec![
        attribute(ID_CONTENT_TYPE, &ID_DATA)?,
        attribute(
            ID_MESSAGE_DIGEST,
            &OctetString::new(message_digest).map_err(cms_error)?,
        )?,
        attribute(ID_AA_SIGNING_CERTIFICATE_V_2, &signing_certificate)?,
    ];
    let set = Attributes::try_from(attributes).map_err(cms_error)?;
    let der = set.to_der().map_err(cms_error)?;
    if !set_elements_are_sorted(&der)? {
        return Err(invalid_cms("the signed attributes are not in DER order"));
    }
    Ok(der)
}

/// Wraps a signature into a detached CMS `ContentInfo(SignedData)`, ready for a PDF's `/Contents`.
///
/// `signed_attributes_der` must be the bytes [`signed_attributes`] returned and the signer
/// signed, unchanged; they go into `SignerInfo.signedAttrs` with the `[0]` tag, byte for byte.
/// The SignerInfo names the signer by issuer and serial (version 1); the certificates are the
/// signer's and `chain` (duplicates removed). The signature algorithm is `rsaEncryption` for
/// PKCS#1 v1.5, `id-RSASSA-PSS` with full parameters for PSS, `ecdsa-with-SHA*` for ECDSA.
///
/// # Errors
/// [`Error::InvalidCms`] when the attributes are not canonical DER or lack a message digest of the
/// right length; [`Error::SignatureMismatch`] when `algorithm` does not fit the certificate's key
/// or `signature` does not verify over the attributes with it.
pub fn assemble_signed_data(
    signed_attributes_der: &[u8],
    signature: &[u8],
    algorithm: SignatureAlgorithm,
    signer: &Certificate,
    chain: &[Certificate],
) -> Result<Vec<u8>, Error> {
    let signed_attrs = Attributes::from_der(signed_attributes_der).map_err(cms_error)?;
    if signed_attrs.to_der().map_err(cms_error)? != signed_attributes_der {
        return Err(invalid_cms(
            "the signed attributes are not in canonical DER form",
        ));
    }
    check_message_digest(&signed_attrs, algorithm.hash())?;
    check_algorithm_fits_key(signer, algorithm)?;
    if !verify_signature(signer, algorithm, signed_attributes_der, signature)? {
        return Err(Error::SignatureMismatch);
    }

    let signer_certificate = decode_certificate(signer)?;
    let mut certificates: Vec<CertificateChoices> = Vec::new();
    let mut seen: Vec<&[u8]> = Vec::new();
    for certificate in std::iter::once(signer).chain(chain) {
        if seen.contains(&certificate.as_der()) {
            continue;
        }
        seen.push(certificate.as_der());
        certificates.push(CertificateChoices::Certificate(decode_certificate(
            certificate,
        )?));
    }

    let digest_algorithm = AlgorithmIdentifierOwned {
        oid: hash_oid(algorithm.hash()),
        parameters: None,
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer_certificate.tbs_certificate.issuer.clone(),
            serial_number: signer_certificate.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_algorithm.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signature_algorithm_identifier(algorithm)?,
        signature: OctetString::new(signature).map_err(cms_error)?,
        unsigned_attrs: None,
    };
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_algorithm]).map_err(cms_error)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(certificates).map_err(cms_error)?,
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(cms_error)?),
    };
    encode_signed_data(&signed_data)
}

/// The signature value of the one SignerInfo of a CMS signature: what a signature timestamp
/// covers (EN 319 122-1 §5.3).
///
/// # Errors
/// [`Error::InvalidCms`] when the bytes are not a `ContentInfo(SignedData)` with exactly one
/// SignerInfo.
pub fn signature_value(cms_der: &[u8]) -> Result<Vec<u8>, Error> {
    let signed_data = decode_signed_data(cms_der)?;
    let signer_info = single_signer_info(&signed_data)?;
    Ok(signer_info.signature.as_bytes().to_vec())
}

/// Adds a time-stamp token over the signature value as the unsigned attribute
/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A), which makes a B-B signature B-T.
///
/// Only the unsigned attributes change: the CMS is first checked to re-encode to the same bytes,
/// so the signed attributes and the signature stay byte-identical.
///
/// # Errors
/// [`Error::InvalidCms`] when `cms_der` is not a canonical single-signer `SignedData`, or
/// `token_der` is not a `ContentInfo(SignedData)`.
pub fn add_signature_timestamp(cms_der: &[u8], token_der: &[u8]) -> Result<Vec<u8>, Error> {
    let signed_data = decode_signed_data(cms_der)?;
    if encode_signed_data(&signed_data)? != cms_der {
        return Err(invalid_cms(
            "the signature is not in canonical DER form, so it cannot be extended safely",
        ));
    }
    let token = Any::from_der(token_der)
        .map_err(|error| invalid_cms(&format!("the time-stamp token is malformed ({error})")))?;
    let token_info = ContentInfo::from_der(token_der)
        .map_err(|error| invalid_cms(&format!("the time-stamp token is malformed ({error})")))?;
    if token_info.content_type != ID_SIGNED_DATA {
        return Err(invalid_cms("the time-stamp token is not a SignedData"));
    }

    single_signer_info(&signed_data)?;
    let SignedData {
        version,
        digest_algorithms,
        encap_content_info,
        certificates,
        crls,
        signer_infos,
    } = signed_data;
    let mut signer_infos = signer_infos.0.into_vec();
    let Some(mut signer_info) = signer_infos.pop() else {
        return Err(invalid_cms("the signature has no SignerInfo"));
    };
    let timestamp = Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![token]).map_err(cms_error)?,
    };
    let mut unsigned = match signer_info.unsigned_attrs.take() {
        Some(existing) => existing.into_vec(),
        None => Vec::new(),
    };
    unsigned.push(timestamp);
    signer_info.unsigned_attrs = Some(Attributes::try_from(unsigned).map_err(cms_error)?);
    let signed_data = SignedData {
        version,
        digest_algorithms,
        encap_content_info,
        certificates,
        crls,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(cms_error)?),
    };
    encode_signed_data(&signed_data)
}

/// `SigningCertificateV2` (RFC 5035 §3).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub(crate) certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub(crate) policies: Option<Vec<Any>>,
}

/// `ESSCertIDv2` (RFC 5035 §4); `hashAlgorithm` is `DEFAULT {algorithm id-sha256}`, so it is
/// absent for SHA-256 as DER requires.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub(crate) hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub(crate) cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub(crate) issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial` (RFC 5035 §4): the issuer as `GeneralNames` and the serial number.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub(crate) issuer: Vec<GeneralName>,
    pub(crate) serial_number: SerialNumber,
}

/// `RSASSA-PSS-params` (RFC 4055 §3.1). Every field has a DEFAULT (SHA-1, MGF1 with SHA-1, a
/// 20-byte salt, trailer 1); we write the first three and never the trailer.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct RsaPssParameters {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) hash_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) trailer_field: Option<u32>,
}

/// One attribute with one value.
fn attribute(
    oid: ObjectIdentifier,
    value: &(impl der::Tagged + der::EncodeValue),
) -> Result<Attribute, Error> {
    let value = Any::encode_from(value).map_err(cms_error)?;
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(cms_error)?,
    })
}

/// The `signatureAlgorithm` of the SignerInfo.
fn signature_algorithm_identifier(
    algorithm: SignatureAlgorithm,
) -> Result<AlgorithmIdentifierOwned, Error> {
    let identifier = match algorithm {
        // RFC 3370 §3.2: rsaEncryption with NULL parameters, whatever the hash; the most widely
        // accepted choice in CMS.
        SignatureAlgorithm::RsaPkcs1v15(_) => AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::from(Null)),
        },
        SignatureAlgorithm::RsaPss(hash) => {
            // RFC 4055 §3.1, with the hash identifiers written as OpenSSL writes them (NULL
            // parameters), and RFC 4056: MGF1 with the same hash, a salt as long as the hash.
            let hash_identifier = AlgorithmIdentifierOwned {
                oid: hash_oid(hash),
                parameters: Some(Any::from(Null)),
            };
            let parameters = RsaPssParameters {
                hash_algorithm: Some(hash_identifier.clone()),
                mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
                    oid: ID_MGF_1,
                    parameters: Some(Any::encode_from(&hash_identifier).map_err(cms_error)?),
                }),
                salt_length: Some(u32::try_from(hash.output_len()).map_err(|_| {
                    invalid_cms("the salt length of RSASSA-PSS does not fit an INTEGER")
                })?),
                trailer_field: None,
            };
            AlgorithmIdentifierOwned {
                oid: ID_RSASSA_PSS,
                parameters: Some(Any::encode_from(&parameters).map_err(cms_error)?),
            }
        }
        // RFC 5758 §3.2: no parameters.
        SignatureAlgorithm::Ecdsa(hash) => AlgorithmIdentifierOwned {
            oid: match hash {
                HashAlgorithm::Sha256 => ECDSA_WITH_SHA_256,
                HashAlgorithm::Sha384 => ECDSA_WITH_SHA_384,
                HashAlgorithm::Sha512 => ECDSA_WITH_SHA_512,
            },
            parameters: None,
        },
    };
    Ok(identifier)
}

/// Refuses a scheme the certificate's key cannot produce (an ECDSA signature for an RSA key…).
fn check_algorithm_fits_key(
    signer: &Certificate,
    algorithm: SignatureAlgorithm,
) -> Result<(), Error> {
    let public_key = signer.to_openssl()?.public_key()?;
    let fits = matches!(
        (signing_key_kind(&public_key)?, algorithm),
        (
            KeyKind::Rsa,
            SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_)
        ) | (KeyKind::RsaPssOnly, SignatureAlgorithm::RsaPss(_))
            | (KeyKind::Ec, SignatureAlgorithm::Ecdsa(_))
    );
    if fits {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}

/// Checks the signed attributes hold a content type and a message digest of `hash`'s length,
/// and no signing time.
fn check_message_digest(attributes: &Attributes, hash: HashAlgorithm) -> Result<(), Error> {
    if attributes
        .iter()
        .any(|attribute| attribute.oid == ID_SIGNING_TIME)
    {
        return Err(invalid_cms(
            "PAdES baseline signatures must not carry a signing-time attribute",
        ));
    }
    if !attributes
        .iter()
        .any(|attribute| attribute.oid == ID_CONTENT_TYPE)
    {
        return Err(invalid_cms("the signed attributes lack the content type"));
    }
    let digest = attributes
        .iter()
        .find(|attribute| attribute.oid == ID_MESSAGE_DIGEST)
        .and_then(|attribute| attribute.values.iter().next())
        .ok_or_else(|| invalid_cms("the signed attributes lack the message digest"))?;
    let digest = digest.decode_as::<OctetString>().map_err(cms_error)?;
    check_digest_length(hash, digest.as_bytes())
}

/// Decodes our certificate with the RustCrypto types, refusing one whose re-encoding would differ
/// from its bytes (a BER certificate): the embedded certificate must hash to the value in
/// signing-certificate-v2.
pub(crate) fn decode_certificate(
    certificate: &Certificate,
) -> Result<x509_cert::Certificate, Error> {
    let decoded = x509_cert::Certificate::from_der(certificate.as_der()).map_err(|error| {
        invalid_cms(&format!(
            "the certificate cannot be decoded as DER ({error})"
        ))
    })?;
    if decoded.to_der().map_err(cms_error)? != certificate.as_der() {
        return Err(invalid_cms(
            "the certificate is not in canonical DER form and cannot be embedded unchanged",
        ));
    }
    Ok(decoded)
}

/// Decodes a `ContentInfo` that must hold a `SignedData`.
pub(crate) fn decode_signed_data(cms_der: &[u8]) -> Result<SignedData, Error> {
    let content_info = ContentInfo::from_der(cms_der).map_err(cms_error)?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(invalid_cms("the content is not a SignedData"));
    }
    content_info
        .content
        .decode_as::<SignedData>()
        .map_err(cms_error)
}

/// Encodes a `ContentInfo(SignedData)`.
fn encode_signed_data(signed_data: &SignedData) -> Result<Vec<u8>, Error> {
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(signed_data).map_err(cms_error)?,
    }
    .to_der()
    .map_err(cms_error)
}

/// The one SignerInfo of a PAdES signature.
fn single_signer_info(signed_data: &SignedData) -> Result<&SignerInfo, Error> {
    let mut signer_infos = signed_data.signer_infos.0.iter();
    match (signer_infos.next(), signer_infos.next()) {
        (Some(signer_info), None) => Ok(signer_info),
        (None, _) => Err(invalid_cms("the signature has no SignerInfo")),
        (Some(_), Some(_)) => Err(invalid_cms(
            "the signature has more than one SignerInfo, which PAdES does not allow",
        )),
    }
}

/// Whether the elements of a DER `SET OF` appear in ascending order of their encodings
/// (X.690 §11.6), checked on the bytes themselves rather than through `der`'s ordering traits.
fn set_elements_are_sorted(set_der: &[u8]) -> Result<bool, Error> {
    let set = Any::from_der(set_der).map_err(cms_error)?;
    let mut reader = der::SliceReader::new(set.value()).map_err(cms_error)?;
    let mut previous: Option<Vec<u8>> = None;
    while !der::Reader::is_finished(&reader) {
        let element = Any::decode(&mut reader).map_err(cms_error)?;
        let encoded = element.to_der().map_err(cms_error)?;
        if previous
            .as_ref()
            .is_some_and(|previous| previous.as_slice() >= encoded.as_slice())
        {
            return Ok(false);
        }
        previous = Some(encoded);
    }
    Ok(true)
}

pub(crate) fn invalid_cms(reason: &str) -> Error {
    Error::InvalidCms {
        reason: reason.to_owned(),
    }
}

fn cms_error(error: der::Error) -> Error {
    Error::InvalidCms {
        reason: format!("malformed DER ({error})"),
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;
    use crate::{SignaturePreference, Signer, SoftwareSigner};

    fn certs_dev_path(name: &str) -> String {
        format!("{}/../../certs-dev/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn signer(p12: &str, preference: SignaturePreference) -> SoftwareSigner {
        let der = std::fs::read(certs_dev_path(p12)).unwrap();
        SoftwareSigner::from_pkcs12(&der, "vanthu-dev", preference).unwrap()
    }

    fn chain() -> Vec<Certificate> {
        Certificate::from_pem_bundle(&std::fs::read(certs_dev_path("chain.pem")).unwrap()).unwrap()
    }

    /// Signs `content` the PAdES way and returns the CMS and the signed attributes.
    fn sign_detached(signer: &SoftwareSigner, content: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let hash = signer.algorithm().hash();
        let attributes =
            signed_attributes(&digest(hash, [content]), hash, signer.certificate()).unwrap();
        let signature = signer.sign(&attributes).unwrap();
        let cms = assemble_signed_data(
            &attributes,
            &signature,
            signer.algorithm(),
            signer.certificate(),
            &chain(),
        )
        .unwrap();
        (cms, attributes)
    }

    fn openssl(arguments: &[&str]) -> std::process::Output {
        Command::new("openssl").args(arguments).output().unwrap()
    }

    /// `openssl cms -verify` against the dev root, and the printed structure.
    fn openssl_verify(cms: &[u8], content: &[u8]) -> String {
        let folder = tempfile::tempdir().unwrap();
        let signature = folder.path().join("sig.der");
        let data = folder.path().join("data.bin");
        std::fs::write(&signature, cms).unwrap();
        std::fs::write(&data, content).unwrap();
        let root = certs_dev_path("root-ca.pem");
        let verified = openssl(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            signature.to_str().unwrap(),
            "-content",
            data.to_str().unwrap(),
            "-CAfile",
            &root,
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ]);
        let stderr = String::from_utf8_lossy(&verified.stderr).into_owned();
        assert!(verified.status.success(), "openssl cms -verify: {stderr}");
        assert!(stderr.contains("Verification successful"), "{stderr}");
        let printed = openssl(&[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            signature.to_str().unwrap(),
        ]);
        assert!(printed.status.success());
        String::from_utf8(printed.stdout).unwrap()
    }

    fn preference(hash: HashAlgorithm, rsa_pss: bool) -> SignaturePreference {
        SignaturePreference { hash, rsa_pss }
    }

    #[test]
    fn openssl_verifies_rsa_pkcs1_rsa_pss_and_ecdsa_signatures_without_signing_time() {
        let content = b"%PDF-1.7 the byte ranges of a document".repeat(100);
        for (p12, preference, algorithm_name) in [
            (
                "leader-rsa.p12",
                preference(HashAlgorithm::Sha256, false),
                "rsaEncryption",
            ),
            (
                "leader-rsa.p12",
                preference(HashAlgorithm::Sha256, true),
                "rsassaPss",
            ),
            (
                "leader-rsa.p12",
                preference(HashAlgorithm::Sha512, true),
                "rsassaPss",
            ),
            (
                "leader-p256.p12",
                preference(HashAlgorithm::Sha256, false),
                "ecdsa-with-SHA256",
            ),
            (
                "seal-p256.p12",
                preference(HashAlgorithm::Sha384, false),
                "ecdsa-with-SHA384",
            ),
        ] {
            let signer = signer(p12, preference);
            let (cms, _) = sign_detached(&signer, &content);
            let printed = openssl_verify(&cms, &content);
            assert!(printed.contains(algorithm_name), "{p12}: {printed}");
            assert!(!printed.contains("signingTime"), "{printed}");
            assert!(!printed.contains("1.2.840.113549.1.9.5"), "{printed}");
            assert!(printed.contains("contentType"), "{printed}");
            assert!(printed.contains("messageDigest"), "{printed}");
            assert!(
                printed.contains("id-smime-aa-signingCertificateV2"),
                "{printed}"
            );
            assert!(printed.contains("eContent: <ABSENT>"), "{printed}");
            // Flip one byte of the content: the signature must no longer verify.
            let mut tampered = content.clone();
            tampered[10] ^= 1;
            let folder = tempfile::tempdir().unwrap();
            std::fs::write(folder.path().join("sig.der"), &cms).unwrap();
            std::fs::write(folder.path().join("data.bin"), &tampered).unwrap();
            let output = openssl(&[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                folder.path().join("sig.der").to_str().unwrap(),
                "-content",
                folder.path().join("data.bin").to_str().unwrap(),
                "-CAfile",
                &certs_dev_path("root-ca.pem"),
                "-purpose",
                "any",
            ]);
            assert!(!output.status.success());
        }
    }

    #[test]
    fn signed_attributes_are_exactly_the_three_in_der_order_and_embedded_byte_for_byte() {
        let signer = signer("leader-rsa.p12", SignaturePreference::sha256());
        let (cms, attributes) = sign_detached(&signer, b"content");
        assert_eq!(attributes[0], 0x31, "signed as a SET OF");
        assert!(set_elements_are_sorted(&attributes).unwrap());
        let decoded = Attributes::from_der(&attributes).unwrap();
        let oids: Vec<ObjectIdentifier> = decoded.iter().map(|attribute| attribute.oid).collect();
        assert_eq!(
            oids,
            [
                ID_CONTENT_TYPE,
                ID_MESSAGE_DIGEST,
                ID_AA_SIGNING_CERTIFICATE_V_2
            ]
        );
        // Embedded as [0] IMPLICIT: the same bytes after the first.
        let mut embedded = attributes.clone();
        embedded[0] = 0xA0;
        assert!(
            cms.windows(embedded.len())
                .any(|window| window == embedded.as_slice()),
            "the CMS must embed the signed bytes with the [0] tag"
        );
        let signed_data = decode_signed_data(&cms).unwrap();
        let signer_info = single_signer_info(&signed_data).unwrap();
        assert_eq!(
            signer_info.signed_attrs.as_ref().unwrap().to_der().unwrap(),
            attributes
        );
        assert_eq!(signer_info.version, CmsVersion::V1);
        assert_eq!(signed_data.version, CmsVersion::V1);
        assert!(signed_data.encap_content_info.econtent.is_none());
        assert_eq!(signed_data.certificates.as_ref().unwrap().0.len(), 3);
        assert!(signed_data.crls.is_none());
        assert_eq!(
            signature_value(&cms).unwrap(),
            signer_info.signature.as_bytes()
        );
    }

    #[test]
    fn signing_certificate_v2_names_the_certificate_by_hash_issuer_and_serial() {
        let certificate = signer("leader-p256.p12", SignaturePreference::sha256())
            .certificate()
            .clone();
        let x509 = decode_certificate(&certificate).unwrap();
        for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let attributes =
                signed_attributes(&vec![7; hash.output_len()], hash, &certificate).unwrap();
            let decoded = Attributes::from_der(&attributes).unwrap();
            let value = decoded
                .iter()
                .find(|attribute| attribute.oid == ID_AA_SIGNING_CERTIFICATE_V_2)
                .unwrap()
                .values
                .get(0)
                .unwrap();
            let signing_certificate = value.decode_as::<SigningCertificateV2>().unwrap();
            let id = &signing_certificate.certs[0];
            assert_eq!(
                id.cert_hash.as_bytes(),
                digest(hash, [certificate.as_der()])
            );
            match hash {
                HashAlgorithm::Sha256 => assert!(id.hash_algorithm.is_none()),
                _ => assert_eq!(id.hash_algorithm.as_ref().unwrap().oid, hash_oid(hash)),
            }
            let issuer_serial = id.issuer_serial.as_ref().unwrap();
            assert_eq!(
                issuer_serial.issuer,
                [GeneralName::DirectoryName(
                    x509.tbs_certificate.issuer.clone()
                )]
            );
            assert_eq!(
                issuer_serial.serial_number,
                x509.tbs_certificate.serial_number
            );
        }
    }

    #[test]
    fn pss_parameters_are_written_in_full() {
        let identifier =
            signature_algorithm_identifier(SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256))
                .unwrap();
        // The encoding OpenSSL writes for RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
        let expected = [
            "3041",
            "06092a864886f70d01010a",
            "3034",
            "a00f300d06096086480165030402010500",
            "a11c301a06092a864886f70d010108300d06096086480165030402010500",
            "a203020120",
        ]
        .concat();
        let hex: String = identifier
            .to_der()
            .unwrap()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn wrong_inputs_are_refused_with_clear_errors() {
        let rsa = signer("leader-rsa.p12", SignaturePreference::sha256());
        let ec = signer("leader-p256.p12", SignaturePreference::sha256());
        let error =
            signed_attributes(&[0; 20], HashAlgorithm::Sha256, rsa.certificate()).unwrap_err();
        assert!(matches!(error, Error::DigestLength { .. }), "{error}");

        let attributes =
            signed_attributes(&[1; 32], HashAlgorithm::Sha256, rsa.certificate()).unwrap();
        let signature = rsa.sign(&attributes).unwrap();
        // A signature over other bytes, or by another key, does not verify.
        let error = assemble_signed_data(
            &attributes,
            &rsa.sign(b"other").unwrap(),
            rsa.algorithm(),
            rsa.certificate(),
            &[],
        )
        .unwrap_err();
        assert!(matches!(error, Error::SignatureMismatch), "{error}");
        let error = assemble_signed_data(
            &attributes,
            &signature,
            ec.algorithm(),
            rsa.certificate(),
            &[],
        )
        .unwrap_err();
        assert!(matches!(error, Error::SignatureMismatch), "{error}");
        // Attributes in another order than DER's are refused rather than silently re-sorted.
        let decoded = Attributes::from_der(&attributes).unwrap();
        let mut reordered = Vec::new();
        for attribute in decoded.iter().rev() {
            reordered.extend(attribute.to_der().unwrap());
        }
        let mut unsorted = vec![0x31, 0x82];
        unsorted.extend(u16::try_from(reordered.len()).unwrap().to_be_bytes());
        unsorted.extend(reordered);
        let error = assemble_signed_data(
            &unsorted,
            &signature,
            rsa.algorithm(),
            rsa.certificate(),
            &[],
        )
        .unwrap_err();
        assert!(matches!(error, Error::InvalidCms { .. }), "{error}");
        // Garbage is an error, never a panic.
        assert!(signature_value(b"garbage").is_err());
        assert!(add_signature_timestamp(b"garbage", b"garbage").is_err());
        let (cms, _) = sign_detached(&rsa, b"x");
        assert!(add_signature_timestamp(&cms, b"\x30\x00").is_err());
    }

    #[test]
    fn a_signature_timestamp_is_added_as_an_unsigned_attribute_and_nothing_else_moves() {
        let signer = signer("leader-rsa.p12", SignaturePreference::sha256());
        let content = b"content";
        let (cms, attributes) = sign_detached(&signer, content);
        // Any SignedData stands in for the token here; tsp.rs tests the real thing.
        let (token, _) = sign_detached(&signer, b"token");
        let stamped = add_signature_timestamp(&cms, &token).unwrap();
        assert_eq!(
            signature_value(&stamped).unwrap(),
            signature_value(&cms).unwrap()
        );
        let mut embedded = attributes.clone();
        embedded[0] = 0xA0;
        assert!(
            stamped
                .windows(embedded.len())
                .any(|window| window == embedded.as_slice())
        );
        let signed_data = decode_signed_data(&stamped).unwrap();
        let unsigned = single_signer_info(&signed_data)
            .unwrap()
            .unsigned_attrs
            .clone()
            .unwrap();
        let attribute = unsigned.get(0).unwrap();
        assert_eq!(attribute.oid, ID_AA_SIGNATURE_TIME_STAMP_TOKEN);
        assert_eq!(attribute.values.get(0).unwrap().to_der().unwrap(), token);
        let printed = openssl_verify(&stamped, content);
        assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");
    }
}
