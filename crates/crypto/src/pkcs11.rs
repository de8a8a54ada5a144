//! Keys on PKCS#11 tokens (USB tokens, smart cards, HSMs; SoftHSM2 in tests) behind the
//! [`Signer`] trait, through the `cryptoki` crate.
//!
//! [`Pkcs11Signer::open`] loads the vendor's module, finds the token by its label, logs in with the
//! user PIN, finds the private key by `CKA_LABEL` and its certificate by the key's `CKA_ID` (or the
//! same label), and checks that key and certificate agree and are strong enough (RSA of at least
//! 2048 bits; ECDSA on P-256, P-384 or P-521). Tokens usually hold only the signer's certificate,
//! so the intermediates come from the configuration.
//!
//! Mechanisms (PKCS#11 v3.0 §2.1 RSA, §2.3 ECDSA), in order of preference:
//!
//! | scheme            | preferred                              | when the token lacks it                    |
//! |-------------------|----------------------------------------|--------------------------------------------|
//! | RSASSA-PKCS1-v1_5 | `CKM_SHA256_RSA_PKCS` on the message   | `CKM_RSA_PKCS` on a DigestInfo hashed here |
//! | RSASSA-PSS        | `CKM_SHA256_RSA_PKCS_PSS` on the message | `CKM_RSA_PKCS_PSS` on a digest hashed here |
//! | ECDSA             | `CKM_ECDSA` on a digest hashed here    | `CKM_ECDSA_SHA256` on the message          |
//!
//! (SHA-384 and SHA-512 alike.) PSS uses MGF1 with the same hash and a salt as long as the hash.
//! ECDSA is hashed here first because many tokens offer only the raw `CKM_ECDSA`; the token
//! answers `r || s`, which becomes the DER `Ecdsa-Sig-Value` CMS needs (RFC 5753 §7.2).
//!
//! PKCS#11 wants `C_Initialize` once per process and keeps login state per application and token,
//! not per session (PKCS#11 v3.0 §5.4, §5.6). A process-wide registry therefore shares one
//! initialised context per module between signers, finalises it when the last signer on it
//! closes, and remembers a salted digest of the PIN that logged each token in: a second signer on
//! a token that is already logged in would otherwise be let in with any PIN.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CryptokiError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Slot, TokenInfo};
use cryptoki::types::{AuthPin, Ulong};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::Id;

use crate::certificate::key_algorithm;
use crate::{Certificate, Error, HashAlgorithm, SignatureAlgorithm, SignaturePreference, Signer};

/// Where a key lives on a PKCS#11 token, how to unlock it, and how it should sign.
#[derive(Clone)]
pub struct Pkcs11Config<'a> {
    /// The token vendor's PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`).
    pub module: &'a Path,
    /// The token's label, as `pkcs11-tool --list-slots` shows it (trailing blanks ignored).
    pub token_label: &'a str,
    /// The private key's `CKA_LABEL`.
    pub key_label: &'a str,
    /// The user PIN; empty for a token with its own PIN pad. Never logged; only a salted digest
    /// is kept, while the token stays logged in.
    pub pin: &'a str,
    /// The intermediate certificates to send with signatures, since tokens usually hold only the
    /// signer's own.
    pub chain: Vec<Certificate>,
    /// The hash, and PSS or PKCS#1 v1.5 for RSA keys.
    pub preference: SignaturePreference,
}

impl std::fmt::Debug for Pkcs11Config<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Config")
            .field("module", &self.module)
            .field("token_label", &self.token_label)
            .field("key_label", &self.key_label)
            .field("pin", &"<redacted>")
            .field("chain", &self.chain)
            .field("preference", &self.preference)
            .finish()
    }
}

/// A private key on a PKCS#11 token, logged in and ready to sign.
///
/// One session serves every signature, behind a mutex: a token signs one thing at a time anyway.
/// Dropping the signer closes the session (which logs the token out once no other signer uses it)
/// and finalises the module once no signer uses it.
pub struct Pkcs11Signer {
    /// The module path as the registry knows it (canonical where possible).
    module: PathBuf,
    token_label: String,
    key_label: String,
    slot: Slot,
    /// `None` only while the signer is being dropped.
    session: Mutex<Option<Session>>,
    key: ObjectHandle,
    method: Method,
    /// The curve, for ECDSA keys: it fixes the length of the token's `r || s`.
    curve: Option<Curve>,
    certificate: Certificate,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
}

impl Pkcs11Signer {
    /// Opens the token and finds the key and its certificate.
    ///
    /// # Errors
    /// - [`Error::Pkcs11Module`]: the module cannot be loaded or initialised;
    /// - [`Error::TokenNotFound`]: no token with this label (the error lists those present);
    /// - [`Error::WrongPin`], [`Error::PinLocked`];
    /// - [`Error::KeyNotFound`], [`Error::CertificateNotFound`];
    /// - [`Error::KeyMismatch`]: the certificate on the token is not the key's;
    /// - [`Error::WeakKey`]: an RSA key under 2048 bits, another curve, another key type;
    /// - [`Error::TokenUnsupported`]: no mechanism for the preferred scheme, a key that may not
    ///   sign or asks for the PIN before every signature;
    /// - [`Error::Token`], [`Error::TokenRemoved`]: the token failed.
    pub fn open(config: Pkcs11Config<'_>) -> Result<Pkcs11Signer, Error> {
        let path =
            std::fs::canonicalize(config.module).unwrap_or_else(|_| config.module.to_path_buf());
        let mut modules = registry();
        let mut fresh = None;
        let module = match modules.iter_mut().find(|module| module.path == path) {
            Some(module) => module,
            None => fresh.insert(LoadedModule::load(config.module, &path)?),
        };
        let opened = open_on(module, &config);
        if opened.is_ok() {
            module.signers = module.signers.saturating_add(1);
        }
        if let Some(loaded) = fresh {
            if loaded.signers > 0 {
                modules.push(loaded);
            } else {
                loaded.finish();
            }
        }
        drop(modules);
        let opened = opened?;
        tracing::debug!(
            module = %config.module.display(),
            token = config.token_label,
            key = config.key_label,
            algorithm = ?opened.algorithm,
            "PKCS#11 key opened"
        );
        Ok(Pkcs11Signer {
            module: path,
            token_label: config.token_label.to_string(),
            key_label: config.key_label.to_string(),
            slot: opened.slot,
            session: Mutex::new(Some(opened.session)),
            key: opened.key,
            method: opened.method,
            curve: opened.curve,
            certificate: opened.certificate,
            chain: config.chain,
            algorithm: opened.algorithm,
        })
    }
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let hash = self.algorithm.hash();
        let (mechanism, data): (Mechanism<'_>, Cow<'_, [u8]>) = match (self.algorithm, self.method)
        {
            (SignatureAlgorithm::RsaPkcs1v15(_), Method::TokenHashes) => {
                (rsa_pkcs1_mechanism(hash), Cow::Borrowed(message))
            }
            (SignatureAlgorithm::RsaPkcs1v15(_), Method::DigestFirst) => (
                Mechanism::RsaPkcs,
                Cow::Owned(digest_info(hash, &digest(hash, message)?)),
            ),
            (SignatureAlgorithm::RsaPss(_), Method::TokenHashes) => {
                (rsa_pss_hashing_mechanism(hash)?, Cow::Borrowed(message))
            }
            (SignatureAlgorithm::RsaPss(_), Method::DigestFirst) => (
                Mechanism::RsaPkcsPss(pss_params(hash)?),
                Cow::Owned(digest(hash, message)?),
            ),
            (SignatureAlgorithm::Ecdsa(_), Method::TokenHashes) => {
                (ecdsa_hashing_mechanism(hash), Cow::Borrowed(message))
            }
            (SignatureAlgorithm::Ecdsa(_), Method::DigestFirst) => {
                (Mechanism::Ecdsa, Cow::Owned(digest(hash, message)?))
            }
        };
        let signature = {
            let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(session) = session.as_ref() else {
                return Err(Error::TokenRemoved);
            };
            session
                .sign(&mechanism, self.key, &data)
                .map_err(|source| token_error("signing", source))?
        };
        match (self.algorithm, self.curve) {
            (SignatureAlgorithm::Ecdsa(_), Some(curve)) => {
                ecdsa_signature_to_der(&signature, curve.field_len())
            }
            (SignatureAlgorithm::Ecdsa(_), None) => Err(Error::MalformedTokenAnswer {
                what: "ECDSA signature",
            }),
            _ => Ok(signature),
        }
    }
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The PIN is not kept here, so there is nothing to redact.
        f.debug_struct("Pkcs11Signer")
            .field("module", &self.module)
            .field("token_label", &self.token_label)
            .field("key_label", &self.key_label)
            .field("algorithm", &self.algorithm)
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

impl Drop for Pkcs11Signer {
    fn drop(&mut self) {
        let mut modules = registry();
        // The session closes first, under the registry lock: the login bookkeeping must follow the
        // token's own state, and C_Finalize must not run while a session is open.
        let session = self
            .session
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(session);
        let Some(position) = modules.iter().position(|module| module.path == self.module) else {
            return;
        };
        let last = match modules.get_mut(position) {
            Some(module) => {
                module.end_session(self.slot);
                module.signers = module.signers.saturating_sub(1);
                module.signers == 0
            }
            None => false,
        };
        if last {
            modules.swap_remove(position).finish();
        }
    }
}

/// The PKCS#11 modules this process has loaded, by canonical path.
static MODULES: Mutex<Vec<LoadedModule>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<LoadedModule>> {
    // A panic elsewhere while the lock was held leaves counters that are still consistent
    // (every change is a single step), so poisoning is ignored.
    MODULES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One loaded, initialised module and the signers using it.
struct LoadedModule {
    path: PathBuf,
    context: Pkcs11,
    /// Whether this registry called `C_Initialize`, and so must call `C_Finalize`; false when
    /// other code in the process had initialised the module already.
    initialized_here: bool,
    /// Open signers on this module.
    signers: usize,
    /// Tokens logged in through this registry.
    logins: Vec<Login>,
}

/// A token logged in, with a salted SHA-256 of the PIN that did it.
struct Login {
    slot: Slot,
    salt: [u8; 16],
    pin_digest: Vec<u8>,
    /// Open sessions on the token (the token stays logged in while any is open).
    sessions: usize,
}

impl LoadedModule {
    fn load(configured: &Path, path: &Path) -> Result<LoadedModule, Error> {
        let module_error = |source| Error::Pkcs11Module {
            module: configured.to_path_buf(),
            source,
        };
        let context = Pkcs11::new(path).map_err(module_error)?;
        let initialized_here =
            match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
                Ok(()) => true,
                Err(CryptokiError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => false,
                Err(source) => return Err(module_error(source)),
            };
        Ok(LoadedModule {
            path: path.to_path_buf(),
            context,
            initialized_here,
            signers: 0,
            logins: Vec::new(),
        })
    }

    /// Finalises the module if this registry initialised it.
    fn finish(self) {
        if self.initialized_here
            && let Err(error) = self.context.finalize()
        {
            tracing::warn!(module = %self.path.display(), %error, "PKCS#11 C_Finalize failed");
        }
    }

    /// Logs `session` in, or checks `pin` against the PIN that logged the token in already.
    fn log_in(
        &mut self,
        session: &Session,
        slot: Slot,
        token: &TokenInfo,
        pin: &str,
    ) -> Result<(), Error> {
        if let Some(login) = self.logins.iter_mut().find(|login| login.slot == slot) {
            let offered = pin_digest(&login.salt, pin)?;
            let same = offered.len() == login.pin_digest.len()
                && openssl::memcmp::eq(&offered, &login.pin_digest);
            if !same {
                return Err(Error::WrongPin);
            }
            login.sessions = login.sessions.saturating_add(1);
            return Ok(());
        }
        if token.login_required() {
            if token.user_pin_locked() {
                return Err(Error::PinLocked);
            }
            let result = if pin.is_empty() && token.protected_authentication_path() {
                session.login(UserType::User, None)
            } else {
                session.login(UserType::User, Some(&AuthPin::from(pin)))
            };
            match result {
                // Logged in by code outside this registry: the PIN cannot be checked.
                Ok(()) | Err(CryptokiError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(error) => return Err(login_error(error)),
            }
        }
        let mut salt = [0u8; 16];
        openssl::rand::rand_bytes(&mut salt)?;
        self.logins.push(Login {
            slot,
            salt,
            pin_digest: pin_digest(&salt, pin)?,
            sessions: 1,
        });
        Ok(())
    }

    /// Counts one session on `slot` closed.
    fn end_session(&mut self, slot: Slot) {
        for login in self.logins.iter_mut().filter(|login| login.slot == slot) {
            login.sessions = login.sessions.saturating_sub(1);
        }
        self.logins.retain(|login| login.sessions > 0);
    }
}

fn pin_digest(salt: &[u8], pin: &str) -> Result<Vec<u8>, Error> {
    let mut hasher = openssl::hash::Hasher::new(MessageDigest::sha256())?;
    hasher.update(salt)?;
    hasher.update(pin.as_bytes())?;
    Ok(hasher.finish()?.to_vec())
}

/// What [`open_on`] found.
struct Opened {
    slot: Slot,
    session: Session,
    key: ObjectHandle,
    method: Method,
    curve: Option<Curve>,
    certificate: Certificate,
    algorithm: SignatureAlgorithm,
}

/// Finds the token, logs in and finds the key; on failure nothing stays open or counted.
fn open_on(module: &mut LoadedModule, config: &Pkcs11Config<'_>) -> Result<Opened, Error> {
    let (slot, token) = find_token(&module.context, config.token_label)?;
    let session = module
        .context
        .open_ro_session(slot)
        .map_err(|source| token_error("opening a session", source))?;
    module.log_in(&session, slot, &token, config.pin)?;
    match find_key(&module.context, slot, &session, config) {
        Ok(found) => Ok(Opened {
            slot,
            session,
            key: found.key,
            method: found.method,
            curve: found.curve,
            certificate: found.certificate,
            algorithm: found.algorithm,
        }),
        Err(error) => {
            drop(session);
            module.end_session(slot);
            Err(error)
        }
    }
}

fn find_token(context: &Pkcs11, label: &str) -> Result<(Slot, TokenInfo), Error> {
    let wanted = label.trim_end_matches(' ');
    let slots = context
        .get_slots_with_token()
        .map_err(|source| token_error("listing tokens", source))?;
    let mut available = Vec::new();
    for slot in slots {
        // A token pulled out between the two calls is simply not there.
        let Ok(token) = context.get_token_info(slot) else {
            continue;
        };
        if token.label() == wanted {
            return Ok((slot, token));
        }
        available.push(token.label().to_string());
    }
    Err(Error::TokenNotFound {
        label: label.to_string(),
        available,
    })
}

/// The private key's attributes that matter here; absent ones stay `None`.
#[derive(Default)]
struct KeyAttributes {
    key_type: Option<KeyType>,
    id: Vec<u8>,
    sign: Option<bool>,
    always_authenticate: Option<bool>,
    modulus: Option<Vec<u8>>,
    ec_params: Option<Vec<u8>>,
}

/// What [`find_key`] found.
struct FoundKey {
    key: ObjectHandle,
    method: Method,
    curve: Option<Curve>,
    certificate: Certificate,
    algorithm: SignatureAlgorithm,
}

fn find_key(
    context: &Pkcs11,
    slot: Slot,
    session: &Session,
    config: &Pkcs11Config<'_>,
) -> Result<FoundKey, Error> {
    let label = config.key_label;
    let keys = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(|source| token_error("searching for the key", source))?;
    let Some(&key) = keys.first() else {
        return Err(Error::KeyNotFound {
            label: label.to_string(),
        });
    };
    let attributes = key_attributes(session, key)?;
    if attributes.sign == Some(false) {
        return Err(Error::TokenUnsupported {
            reason: format!("the key {label:?} is not allowed to sign (CKA_SIGN is false)"),
        });
    }
    if attributes.always_authenticate == Some(true) {
        return Err(Error::TokenUnsupported {
            reason: format!(
                "the key {label:?} asks for the PIN before every signature \
                 (CKA_ALWAYS_AUTHENTICATE), which is not supported"
            ),
        });
    }
    let certificates = find_certificates(session, &attributes.id, label)?;
    let mut first_error = None;
    let mut matching = None;
    for certificate in certificates {
        match check_pair(&attributes, &certificate, config.preference) {
            Ok(pair) => {
                matching = Some((certificate, pair));
                break;
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let Some((certificate, (algorithm, curve))) = matching else {
        return Err(first_error.unwrap_or_else(|| Error::CertificateNotFound {
            label: label.to_string(),
        }));
    };
    let mechanisms = context
        .get_mechanism_list(slot)
        .map_err(|source| token_error("listing mechanisms", source))?;
    let method = choose_method(algorithm, &mechanisms)?;
    Ok(FoundKey {
        key,
        method,
        curve,
        certificate,
        algorithm,
    })
}

fn key_attributes(session: &Session, key: ObjectHandle) -> Result<KeyAttributes, Error> {
    let values = session
        .get_attributes(
            key,
            &[
                AttributeType::KeyType,
                AttributeType::Id,
                AttributeType::Sign,
                AttributeType::AlwaysAuthenticate,
                AttributeType::Modulus,
                AttributeType::EcParams,
            ],
        )
        .map_err(|source| token_error("reading the key", source))?;
    let mut attributes = KeyAttributes::default();
    for value in values {
        match value {
            Attribute::KeyType(key_type) => attributes.key_type = Some(key_type),
            Attribute::Id(id) => attributes.id = id,
            Attribute::Sign(sign) => attributes.sign = Some(sign),
            Attribute::AlwaysAuthenticate(always) => attributes.always_authenticate = Some(always),
            Attribute::Modulus(modulus) => attributes.modulus = Some(modulus),
            Attribute::EcParams(params) => attributes.ec_params = Some(params),
            _ => {}
        }
    }
    Ok(attributes)
}

/// The X.509 certificates with the key's `CKA_ID`, or failing that with its label.
fn find_certificates(session: &Session, id: &[u8], label: &str) -> Result<Vec<Certificate>, Error> {
    let mut templates = Vec::new();
    if !id.is_empty() {
        templates.push(Attribute::Id(id.to_vec()));
    }
    templates.push(Attribute::Label(label.as_bytes().to_vec()));
    for selector in templates {
        let handles = session
            .find_objects(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                selector,
            ])
            .map_err(|source| token_error("searching for the certificate", source))?;
        let mut certificates = Vec::new();
        for handle in handles {
            let values = session
                .get_attributes(handle, &[AttributeType::Value])
                .map_err(|source| token_error("reading the certificate", source))?;
            for value in values {
                // A certificate object that does not parse is someone else's problem: skip it.
                if let Attribute::Value(der) = value
                    && let Ok(certificate) = Certificate::from_der(&der)
                {
                    certificates.push(certificate);
                }
            }
        }
        if !certificates.is_empty() {
            return Ok(certificates);
        }
    }
    Ok(Vec::new())
}

/// Checks that `certificate` carries the token key's public key and that the key is strong
/// enough, and picks the scheme.
fn check_pair(
    attributes: &KeyAttributes,
    certificate: &Certificate,
    preference: SignaturePreference,
) -> Result<(SignatureAlgorithm, Option<Curve>), Error> {
    let public_key = certificate.to_openssl()?.public_key()?;
    let certificate_type = match public_key.id() {
        Id::RSA => Some(KeyType::RSA),
        Id::EC => Some(KeyType::EC),
        _ => None,
    };
    let Some(certificate_type) = certificate_type else {
        return Err(Error::WeakKey {
            description: format!(
                "{}: only RSA and ECDSA keys can sign",
                key_algorithm(&public_key)?
            ),
        });
    };
    if attributes
        .key_type
        .is_some_and(|key_type| key_type != certificate_type)
    {
        return Err(Error::KeyMismatch);
    }
    let hash = preference.hash;
    if certificate_type == KeyType::RSA {
        let rsa = public_key.rsa()?;
        if let Some(modulus) = &attributes.modulus
            && BigNum::from_slice(modulus)?.ucmp(rsa.n()) != Ordering::Equal
        {
            return Err(Error::KeyMismatch);
        }
        if rsa.n().num_bits() < 2048 {
            return Err(Error::WeakKey {
                description: format!(
                    "{}: at least 2048 bits required",
                    key_algorithm(&public_key)?
                ),
            });
        }
        let algorithm = if preference.rsa_pss {
            SignatureAlgorithm::RsaPss(hash)
        } else {
            SignatureAlgorithm::RsaPkcs1v15(hash)
        };
        return Ok((algorithm, None));
    }
    let curve = public_key
        .ec_key()?
        .group()
        .curve_name()
        .and_then(Curve::from_nid);
    let Some(curve) = curve else {
        return Err(Error::WeakKey {
            description: format!(
                "{}: ECDSA needs P-256, P-384 or P-521",
                key_algorithm(&public_key)?
            ),
        });
    };
    if let Some(params) = &attributes.ec_params
        && Curve::from_ec_params(params) != Some(curve)
    {
        return Err(Error::KeyMismatch);
    }
    Ok((SignatureAlgorithm::Ecdsa(hash), Some(curve)))
}

/// The NIST curves accepted for ECDSA (TT 15/2025: at least 256 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    fn from_nid(nid: Nid) -> Option<Curve> {
        match nid {
            Nid::X9_62_PRIME256V1 => Some(Curve::P256),
            Nid::SECP384R1 => Some(Curve::P384),
            Nid::SECP521R1 => Some(Curve::P521),
            _ => None,
        }
    }

    /// Reads `CKA_EC_PARAMS`, the DER of ANSI X9.62 `ECParameters`; only the `namedCurve` choice
    /// of the three curves is recognised.
    fn from_ec_params(params: &[u8]) -> Option<Curve> {
        // 1.2.840.10045.3.1.7, 1.3.132.0.34, 1.3.132.0.35 (RFC 5480 §2.1.1.1).
        const P256: &[u8] = &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        const P384: &[u8] = &[0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22];
        const P521: &[u8] = &[0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23];
        match params {
            P256 => Some(Curve::P256),
            P384 => Some(Curve::P384),
            P521 => Some(Curve::P521),
            _ => None,
        }
    }

    /// The length of `r` and of `s` in the token's raw signature (PKCS#11 v3.0 §2.3.1).
    fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// Who hashes the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// The token hashes the message (`CKM_SHA256_RSA_PKCS`, `…_RSA_PKCS_PSS`, `CKM_ECDSA_SHA256`).
    TokenHashes,
    /// This crate hashes and the token signs the digest (`CKM_RSA_PKCS` on a DigestInfo,
    /// `CKM_RSA_PKCS_PSS`, `CKM_ECDSA`).
    DigestFirst,
}

/// Picks how to sign from the mechanisms the token offers.
fn choose_method(
    algorithm: SignatureAlgorithm,
    mechanisms: &[MechanismType],
) -> Result<Method, Error> {
    let (hashing, raw, preferred) = match algorithm {
        SignatureAlgorithm::RsaPkcs1v15(hash) => (
            rsa_pkcs1_mechanism(hash).mechanism_type(),
            MechanismType::RSA_PKCS,
            Method::TokenHashes,
        ),
        SignatureAlgorithm::RsaPss(hash) => (
            match hash {
                HashAlgorithm::Sha256 => MechanismType::SHA256_RSA_PKCS_PSS,
                HashAlgorithm::Sha384 => MechanismType::SHA384_RSA_PKCS_PSS,
                HashAlgorithm::Sha512 => MechanismType::SHA512_RSA_PKCS_PSS,
            },
            MechanismType::RSA_PKCS_PSS,
            Method::TokenHashes,
        ),
        SignatureAlgorithm::Ecdsa(hash) => (
            ecdsa_hashing_mechanism(hash).mechanism_type(),
            MechanismType::ECDSA,
            Method::DigestFirst,
        ),
    };
    let offers_hashing = mechanisms.contains(&hashing);
    let offers_raw = mechanisms.contains(&raw);
    match (preferred, offers_hashing, offers_raw) {
        (Method::TokenHashes, true, _) | (Method::DigestFirst, true, false) => {
            Ok(Method::TokenHashes)
        }
        (_, _, true) => Ok(Method::DigestFirst),
        (_, false, false) => Err(Error::TokenUnsupported {
            reason: format!("the token offers neither {hashing} nor {raw} for {algorithm:?}"),
        }),
    }
}

fn rsa_pkcs1_mechanism(hash: HashAlgorithm) -> Mechanism<'static> {
    match hash {
        HashAlgorithm::Sha256 => Mechanism::Sha256RsaPkcs,
        HashAlgorithm::Sha384 => Mechanism::Sha384RsaPkcs,
        HashAlgorithm::Sha512 => Mechanism::Sha512RsaPkcs,
    }
}

fn rsa_pss_hashing_mechanism(hash: HashAlgorithm) -> Result<Mechanism<'static>, Error> {
    let params = pss_params(hash)?;
    Ok(match hash {
        HashAlgorithm::Sha256 => Mechanism::Sha256RsaPkcsPss(params),
        HashAlgorithm::Sha384 => Mechanism::Sha384RsaPkcsPss(params),
        HashAlgorithm::Sha512 => Mechanism::Sha512RsaPkcsPss(params),
    })
}

fn ecdsa_hashing_mechanism(hash: HashAlgorithm) -> Mechanism<'static> {
    match hash {
        HashAlgorithm::Sha256 => Mechanism::EcdsaSha256,
        HashAlgorithm::Sha384 => Mechanism::EcdsaSha384,
        HashAlgorithm::Sha512 => Mechanism::EcdsaSha512,
    }
}

/// PSS with MGF1 over the same hash and a salt as long as the hash (RFC 8017 §9.1, ETSI TS 119
/// 312 §6.2.2), as [`SignatureAlgorithm::RsaPss`] promises.
fn pss_params(hash: HashAlgorithm) -> Result<PkcsPssParams, Error> {
    let s_len = Ulong::try_from(hash.output_len()).map_err(|source| Error::TokenUnsupported {
        reason: format!("the PSS salt length does not fit the module's CK_ULONG: {source}"),
    })?;
    Ok(PkcsPssParams {
        hash_alg: hash_mechanism(hash),
        mgf: mgf1(hash),
        s_len,
    })
}

fn hash_mechanism(hash: HashAlgorithm) -> MechanismType {
    match hash {
        HashAlgorithm::Sha256 => MechanismType::SHA256,
        HashAlgorithm::Sha384 => MechanismType::SHA384,
        HashAlgorithm::Sha512 => MechanismType::SHA512,
    }
}

fn mgf1(hash: HashAlgorithm) -> PkcsMgfType {
    match hash {
        HashAlgorithm::Sha256 => PkcsMgfType::MGF1_SHA256,
        HashAlgorithm::Sha384 => PkcsMgfType::MGF1_SHA384,
        HashAlgorithm::Sha512 => PkcsMgfType::MGF1_SHA512,
    }
}

fn digest(hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
    let algorithm = match hash {
        HashAlgorithm::Sha256 => MessageDigest::sha256(),
        HashAlgorithm::Sha384 => MessageDigest::sha384(),
        HashAlgorithm::Sha512 => MessageDigest::sha512(),
    };
    Ok(openssl::hash::hash(algorithm, message)?.to_vec())
}

/// The DER `DigestInfo` that RSASSA-PKCS1-v1_5 signs (RFC 8017 §9.2, note 1 gives these prefixes).
fn digest_info(hash: HashAlgorithm, digest: &[u8]) -> Vec<u8> {
    let prefix: &[u8] = match hash {
        HashAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    };
    let mut info = Vec::with_capacity(prefix.len() + digest.len());
    info.extend_from_slice(prefix);
    info.extend_from_slice(digest);
    info
}

/// Turns a token's raw ECDSA signature, `r || s` each `field_len` bytes big-endian (PKCS#11 v3.0
/// §2.3.1), into the DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` that CMS carries
/// (RFC 5753 §7.2, RFC 3279 §2.2.3).
fn ecdsa_signature_to_der(raw: &[u8], field_len: usize) -> Result<Vec<u8>, Error> {
    let malformed = || Error::MalformedTokenAnswer {
        what: "ECDSA signature",
    };
    if Some(raw.len()) != field_len.checked_mul(2) {
        return Err(malformed());
    }
    let (r, s) = raw.split_at_checked(field_len).ok_or_else(malformed)?;
    let r = der_positive_integer(r).ok_or_else(malformed)?;
    let s = der_positive_integer(s).ok_or_else(malformed)?;
    let content_len = r.len().checked_add(s.len()).ok_or_else(malformed)?;
    let mut der = Vec::with_capacity(content_len.saturating_add(4));
    der.push(0x30);
    push_der_length(&mut der, content_len).ok_or_else(malformed)?;
    der.extend_from_slice(&r);
    der.extend_from_slice(&s);
    Ok(der)
}

/// The DER INTEGER of a big-endian unsigned number: leading zeros dropped, one zero byte added
/// when the high bit is set (X.690 §8.3.2). `None` for zero, which no ECDSA signature contains.
fn der_positive_integer(big_endian: &[u8]) -> Option<Vec<u8>> {
    let first = big_endian.iter().position(|&byte| byte != 0)?;
    let magnitude = big_endian.get(first..)?;
    let needs_zero = magnitude.first().is_some_and(|&byte| byte & 0x80 != 0);
    let len = magnitude.len().checked_add(usize::from(needs_zero))?;
    let mut integer = Vec::with_capacity(len.saturating_add(4));
    integer.push(0x02);
    push_der_length(&mut integer, len)?;
    if needs_zero {
        integer.push(0x00);
    }
    integer.extend_from_slice(magnitude);
    Some(integer)
}

/// Appends a DER definite length (X.690 §8.1.3): short form below 128, else long form.
/// Lengths from 64 KiB up never occur here and give `None`.
fn push_der_length(out: &mut Vec<u8>, len: usize) -> Option<()> {
    if let Ok(short) = u8::try_from(len) {
        if short < 0x80 {
            out.push(short);
        } else {
            out.extend_from_slice(&[0x81, short]);
        }
        return Some(());
    }
    let long = u16::try_from(len).ok()?;
    out.push(0x82);
    out.extend_from_slice(&long.to_be_bytes());
    Some(())
}

/// Names a login failure in the caller's terms.
fn login_error(error: CryptokiError) -> Error {
    match error {
        // PIN_LEN_RANGE is meant for setting a PIN, but some tokens answer it for a PIN of the
        // wrong length at login.
        CryptokiError::Pkcs11(
            RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange,
            _,
        ) => Error::WrongPin,
        CryptokiError::Pkcs11(RvError::PinLocked, _) => Error::PinLocked,
        error => token_error("logging in", error),
    }
}

/// Wraps a token failure, naming a removed token as such.
fn token_error(operation: &'static str, source: CryptokiError) -> Error {
    match source {
        CryptokiError::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionClosed
            | RvError::SessionHandleInvalid,
            _,
        ) => Error::TokenRemoved,
        source => Error::Token { operation, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::certs_dev_bytes as certs_dev;

    use cryptoki::context::Function;
    use openssl::ecdsa::EcdsaSig;

    #[test]
    fn ecdsa_conversion_matches_openssl_on_edge_cases() {
        let check = |r: &[u8], s: &[u8]| {
            assert_eq!(r.len(), s.len());
            let raw = [r, s].concat();
            let ours = ecdsa_signature_to_der(&raw, r.len()).unwrap();
            let expected = EcdsaSig::from_private_components(
                BigNum::from_slice(r).unwrap(),
                BigNum::from_slice(s).unwrap(),
            )
            .unwrap()
            .to_der()
            .unwrap();
            assert_eq!(ours, expected, "r {r:02x?} s {s:02x?}");
            let parsed = EcdsaSig::from_der(&ours).unwrap();
            assert_eq!(parsed.r().to_vec(), BigNum::from_slice(r).unwrap().to_vec());
        };
        for len in [32, 48, 66] {
            let high = vec![0xff; len];
            let low = {
                let mut value = vec![0x00; len];
                *value.last_mut().unwrap() = 0x01;
                value
            };
            let just_below_high_bit = {
                let mut value = vec![0x7f; len];
                value[0] = 0x7f;
                value
            };
            let leading_zero_then_high_bit = {
                let mut value = vec![0x55; len];
                value[0] = 0x00;
                value[1] = 0x80;
                value
            };
            let two_leading_zeros = {
                let mut value = vec![0x01; len];
                value[0] = 0x00;
                value[1] = 0x00;
                value
            };
            let cases = [
                &high,
                &low,
                &just_below_high_bit,
                &leading_zero_then_high_bit,
                &two_leading_zeros,
            ];
            for r in cases {
                for s in cases {
                    check(r, s);
                }
            }
            for _ in 0..64 {
                let mut r = vec![0u8; len];
                let mut s = vec![0u8; len];
                openssl::rand::rand_bytes(&mut r).unwrap();
                openssl::rand::rand_bytes(&mut s).unwrap();
                r[0] |= 0x01; // never zero
                s[0] |= 0x01;
                check(&r, &s);
            }
        }
    }

    #[test]
    fn ecdsa_conversion_uses_long_form_lengths_for_p521() {
        let der = ecdsa_signature_to_der(&[0xff; 132], 66).unwrap();
        // Each INTEGER: 02 43 00 ff×66 (69 bytes); the SEQUENCE holds 138 bytes.
        assert_eq!(&der[..3], &[0x30, 0x81, 138]);
        assert_eq!(&der[3..6], &[0x02, 0x43, 0x00]);
        assert_eq!(der.len(), 3 + 138);
        // A small P-256 signature stays in short form.
        let mut raw = [0u8; 64];
        raw[31] = 1;
        raw[63] = 2;
        assert_eq!(
            ecdsa_signature_to_der(&raw, 32).unwrap(),
            [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]
        );
    }

    #[test]
    fn malformed_ecdsa_answers_are_errors() {
        let malformed = |raw: &[u8], field_len| {
            matches!(
                ecdsa_signature_to_der(raw, field_len),
                Err(Error::MalformedTokenAnswer { .. })
            )
        };
        assert!(malformed(&[], 32));
        assert!(malformed(&[1; 63], 32));
        assert!(malformed(&[1; 65], 32));
        assert!(malformed(&[1; 64], 48));
        let mut zero_r = [1u8; 64];
        zero_r[..32].fill(0);
        assert!(malformed(&zero_r, 32));
        let mut zero_s = [1u8; 64];
        zero_s[32..].fill(0);
        assert!(malformed(&zero_s, 32));
        assert!(malformed(&[1; 8], usize::MAX));
    }

    #[test]
    fn der_lengths_use_the_shortest_form() {
        let encode = |len| {
            let mut out = Vec::new();
            push_der_length(&mut out, len).map(|()| out)
        };
        assert_eq!(encode(0), Some(vec![0x00]));
        assert_eq!(encode(127), Some(vec![0x7f]));
        assert_eq!(encode(128), Some(vec![0x81, 0x80]));
        assert_eq!(encode(255), Some(vec![0x81, 0xff]));
        assert_eq!(encode(256), Some(vec![0x82, 0x01, 0x00]));
        assert_eq!(encode(65_535), Some(vec![0x82, 0xff, 0xff]));
        assert_eq!(encode(65_536), None);
    }

    #[test]
    fn digest_info_is_what_openssl_signs() {
        use openssl::pkey::PKey;
        use openssl::rsa::Padding;
        use openssl::sign::Verifier;

        let key = PKey::private_key_from_pem(&certs_dev("leader-rsa.key.pem")).unwrap();
        let rsa = key.rsa().unwrap();
        for (hash, md) in [
            (HashAlgorithm::Sha256, MessageDigest::sha256()),
            (HashAlgorithm::Sha384, MessageDigest::sha384()),
            (HashAlgorithm::Sha512, MessageDigest::sha512()),
        ] {
            let info = digest_info(hash, &digest(hash, b"message").unwrap());
            // What CKM_RSA_PKCS does on the token: PKCS#1 v1.5 type 1 padding and the raw RSA.
            let mut signature = vec![0; rsa.size() as usize];
            let len = rsa
                .private_encrypt(&info, &mut signature, Padding::PKCS1)
                .unwrap();
            signature.truncate(len);
            let mut verifier = Verifier::new(md, &key).unwrap();
            verifier.update(b"message").unwrap();
            assert!(verifier.verify(&signature).unwrap(), "{hash:?}");
        }
    }

    #[test]
    fn ec_params_name_the_three_curves_only() {
        use openssl::ec::EcGroup;

        for (nid, curve) in [
            (Nid::X9_62_PRIME256V1, Curve::P256),
            (Nid::SECP384R1, Curve::P384),
            (Nid::SECP521R1, Curve::P521),
        ] {
            let group = EcGroup::from_curve_name(nid).unwrap();
            let oid_der = openssl::asn1::Asn1Object::from_str(nid.short_name().unwrap())
                .map(|object| object.as_slice().to_vec())
                .unwrap();
            let mut params = vec![0x06, u8::try_from(oid_der.len()).unwrap()];
            params.extend_from_slice(&oid_der);
            assert_eq!(Curve::from_ec_params(&params), Some(curve));
            assert_eq!(Curve::from_nid(nid), Some(curve));
            assert_eq!(
                usize::try_from(group.degree()).unwrap().div_ceil(8),
                curve.field_len()
            );
        }
        // secp256k1 (1.3.132.0.10), garbage, and explicit parameters are not ours.
        assert_eq!(
            Curve::from_ec_params(&[0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A]),
            None
        );
        assert_eq!(Curve::from_ec_params(&[]), None);
        assert_eq!(Curve::from_ec_params(&[0x30, 0x00]), None);
        assert_eq!(Curve::from_nid(Nid::SECP256K1), None);
    }

    #[test]
    fn methods_follow_what_the_token_offers() {
        let rsa = SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256);
        let pss = SignatureAlgorithm::RsaPss(HashAlgorithm::Sha384);
        let ecdsa = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
        let everything = [
            MechanismType::RSA_PKCS,
            MechanismType::SHA256_RSA_PKCS,
            MechanismType::RSA_PKCS_PSS,
            MechanismType::SHA384_RSA_PKCS_PSS,
            MechanismType::ECDSA,
            MechanismType::ECDSA_SHA256,
        ];
        assert_eq!(
            choose_method(rsa, &everything).unwrap(),
            Method::TokenHashes
        );
        assert_eq!(
            choose_method(pss, &everything).unwrap(),
            Method::TokenHashes
        );
        assert_eq!(
            choose_method(ecdsa, &everything).unwrap(),
            Method::DigestFirst
        );
        let raw_only = [
            MechanismType::RSA_PKCS,
            MechanismType::RSA_PKCS_PSS,
            MechanismType::ECDSA,
        ];
        assert_eq!(choose_method(rsa, &raw_only).unwrap(), Method::DigestFirst);
        assert_eq!(choose_method(pss, &raw_only).unwrap(), Method::DigestFirst);
        assert_eq!(
            choose_method(ecdsa, &[MechanismType::ECDSA_SHA256]).unwrap(),
            Method::TokenHashes
        );
        // SHA-256 PSS does not stand in for SHA-384 PSS.
        assert!(matches!(
            choose_method(pss, &[MechanismType::SHA256_RSA_PKCS_PSS]),
            Err(Error::TokenUnsupported { .. })
        ));
        assert!(matches!(
            choose_method(ecdsa, &[MechanismType::RSA_PKCS]),
            Err(Error::TokenUnsupported { .. })
        ));
    }

    #[test]
    fn token_answers_map_to_the_callers_terms() {
        let login = |rv| login_error(CryptokiError::Pkcs11(rv, Function::Login));
        assert!(matches!(login(RvError::PinIncorrect), Error::WrongPin));
        assert!(matches!(login(RvError::PinLenRange), Error::WrongPin));
        assert!(matches!(login(RvError::PinLocked), Error::PinLocked));
        assert!(matches!(
            login(RvError::TokenNotPresent),
            Error::TokenRemoved
        ));
        assert!(matches!(
            login(RvError::PinExpired),
            Error::Token {
                operation: "logging in",
                ..
            }
        ));
        let sign = |rv| token_error("signing", CryptokiError::Pkcs11(rv, Function::Sign));
        assert!(matches!(sign(RvError::DeviceRemoved), Error::TokenRemoved));
        assert!(matches!(sign(RvError::DeviceError), Error::Token { .. }));
    }

    #[test]
    fn a_module_that_is_not_a_pkcs11_library_is_a_clear_error() {
        let not_there = Path::new("/nonexistent/vanthu/libpkcs11.so");
        let manifest = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
        for module in [not_there, manifest] {
            let error = Pkcs11Signer::open(config(module, "t", "k", "1234")).unwrap_err();
            assert!(
                matches!(&error, Error::Pkcs11Module { module: reported, .. } if reported == module),
                "{error:?}"
            );
            assert!(error.to_string().contains(&module.display().to_string()));
        }
    }

    #[test]
    fn debug_output_never_shows_the_pin() {
        let config = config(Path::new("/m.so"), "token", "key", "s3cret-PIN");
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-PIN"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn the_signer_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pkcs11Signer>();
    }

    /// Set in the child process that runs the token scenarios, to the token folder.
    const CHILD_MARKER: &str = "VANTHU_PKCS11_TEST_DIR";
    const PIN: &str = "246813579";

    /// Real SoftHSM2 tokens. SoftHSM reads `SOFTHSM2_CONF` from the environment at C_Initialize,
    /// and setting the environment is `unsafe` (forbidden here) and racy between test threads, so
    /// this test builds a token in a temporary folder, then runs itself again in a child process
    /// whose environment points at it. All token scenarios run in that one child.
    #[test]
    fn softhsm_token_scenarios() {
        if let Ok(folder) = std::env::var(CHILD_MARKER) {
            token_scenarios(Path::new(&folder));
            return;
        }
        let folder = tempfile::tempdir().unwrap();
        let conf = build_token(folder.path());
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "pkcs11::tests::softhsm_token_scenarios",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("SOFTHSM2_CONF", &conf)
            .env(CHILD_MARKER, folder.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "token scenarios failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
    }

    fn softhsm_module() -> PathBuf {
        [
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib64/softhsm/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so",
        ]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .expect("SoftHSM2 is not installed (apt install softhsm2 opensc)")
    }

    fn run(program: &str, args: &[&str], conf: &Path) {
        let output = std::process::Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", conf)
            .output()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// One token `vanthu-test` holding, by label: the dev leader keys with their certificates,
    /// fresh P-384 and P-521 keys, an RSA-1024 and a secp256k1 key (both refused), and a key
    /// stored with someone else's certificate.
    fn build_token(folder: &Path) -> PathBuf {
        let tokens = folder.join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = folder.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        run(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                "vanthu-test",
                "--so-pin",
                "12345678",
                "--pin",
                PIN,
            ],
            &conf,
        );
        let certs_dev = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs-dev"));
        let path = |name: &str| folder.join(name).display().to_string();
        let openssl_run = |args: &[&str]| run("openssl", args, &conf);
        for name in ["leader-rsa", "leader-p256", "seal-rsa"] {
            let dev = |suffix: &str| {
                certs_dev
                    .join(format!("{name}{suffix}"))
                    .display()
                    .to_string()
            };
            openssl_run(&[
                "pkey",
                "-in",
                &dev(".key.pem"),
                "-outform",
                "DER",
                "-out",
                &path(&format!("{name}.key.der")),
            ]);
            openssl_run(&[
                "x509",
                "-in",
                &dev(".pem"),
                "-outform",
                "DER",
                "-out",
                &path(&format!("{name}.der")),
            ]);
        }
        for (name, algorithm, option) in [
            ("p384", "EC", "ec_paramgen_curve:P-384"),
            ("p521", "EC", "ec_paramgen_curve:P-521"),
            ("weak-rsa", "RSA", "rsa_keygen_bits:1024"),
            ("k256", "EC", "ec_paramgen_curve:secp256k1"),
        ] {
            openssl_run(&[
                "genpkey",
                "-algorithm",
                algorithm,
                "-pkeyopt",
                option,
                "-outform",
                "DER",
                "-out",
                &path(&format!("{name}.key.der")),
            ]);
            openssl_run(&[
                "req",
                "-x509",
                "-new",
                "-key",
                &path(&format!("{name}.key.der")),
                "-keyform",
                "DER",
                "-subj",
                &format!("/CN={name} test"),
                "-days",
                "1",
                "-outform",
                "DER",
                "-out",
                &path(&format!("{name}.der")),
            ]);
        }
        let module = softhsm_module().display().to_string();
        let write = |file: &str, kind: &str, id: &str, label: &str| {
            run(
                "pkcs11-tool",
                &[
                    "--module",
                    &module,
                    "--token-label",
                    "vanthu-test",
                    "--login",
                    "--pin",
                    PIN,
                    "--write-object",
                    file,
                    "--type",
                    kind,
                    "--id",
                    id,
                    "--label",
                    label,
                    "--usage-sign",
                ],
                &conf,
            );
        };
        for (label, id) in [
            ("leader-rsa", "01"),
            ("leader-p256", "02"),
            ("p384", "03"),
            ("p521", "04"),
            ("weak-rsa", "05"),
            ("k256", "06"),
        ] {
            write(&path(&format!("{label}.key.der")), "privkey", id, label);
            write(&path(&format!("{label}.der")), "cert", id, label);
        }
        // The seal's key, filed with the leader's certificate.
        write(&path("seal-rsa.key.der"), "privkey", "07", "mismatch");
        write(&path("leader-rsa.der"), "cert", "07", "mismatch");
        conf
    }

    fn verify(signer: &Pkcs11Signer, message: &[u8], signature: &[u8]) -> bool {
        use openssl::rsa::Padding;
        use openssl::sign::{RsaPssSaltlen, Verifier};

        let public_key = signer
            .certificate()
            .to_openssl()
            .unwrap()
            .public_key()
            .unwrap();
        let algorithm = signer.algorithm();
        let md = match algorithm.hash() {
            HashAlgorithm::Sha256 => MessageDigest::sha256(),
            HashAlgorithm::Sha384 => MessageDigest::sha384(),
            HashAlgorithm::Sha512 => MessageDigest::sha512(),
        };
        let mut verifier = Verifier::new(md, &public_key).unwrap();
        if let SignatureAlgorithm::RsaPss(_) = algorithm {
            verifier.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
            verifier.set_rsa_mgf1_md(md).unwrap();
            verifier
                .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
                .unwrap();
        }
        verifier.update(message).unwrap();
        verifier.verify(signature).unwrap_or(false)
    }

    fn token_scenarios(folder: &Path) {
        let module = softhsm_module();
        let open = |key: &str, pin: &str, hash, rsa_pss| {
            Pkcs11Signer::open(Pkcs11Config {
                preference: SignaturePreference { hash, rsa_pss },
                ..config(&module, "vanthu-test", key, pin)
            })
        };
        let sha256 = HashAlgorithm::Sha256;
        let message = "Quyết định số 12/QĐ-UBND".as_bytes();

        // A wrong PIN while nothing is logged in: the token itself refuses it.
        assert!(matches!(
            open("leader-rsa", "0000", sha256, false),
            Err(Error::WrongPin)
        ));

        let error =
            Pkcs11Signer::open(config(&module, "no-such-token", "leader-rsa", PIN)).unwrap_err();
        match &error {
            Error::TokenNotFound { label, available } => {
                assert_eq!(label, "no-such-token");
                assert!(
                    available.iter().any(|label| label == "vanthu-test"),
                    "{available:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(error.to_string().contains("\"vanthu-test\""), "{error}");

        // RSA PKCS#1 v1.5, hashed by the token.
        let leader_certificate = Certificate::from_pem_bundle(&certs_dev("leader-rsa.pem"))
            .unwrap()
            .remove(0);
        let chain = Certificate::from_pem_bundle(&certs_dev("chain.pem")).unwrap();
        let rsa = Pkcs11Signer::open(Pkcs11Config {
            chain: chain.clone(),
            ..config(&module, "vanthu-test", "leader-rsa", PIN)
        })
        .unwrap();
        assert_eq!(rsa.algorithm(), SignatureAlgorithm::RsaPkcs1v15(sha256));
        assert_eq!(rsa.method, Method::TokenHashes);
        assert_eq!(rsa.certificate(), &leader_certificate);
        assert_eq!(rsa.chain(), chain.as_slice());
        let signature = rsa.sign(message).unwrap();
        assert_eq!(signature.len(), 256);
        assert!(verify(&rsa, message, &signature));
        assert!(!verify(&rsa, b"another message", &signature));
        let shown = format!("{rsa:?}");
        assert!(
            shown.contains("leader-rsa") && !shown.contains(PIN),
            "{shown}"
        );

        // The token is logged in now; a second signer with a wrong PIN must still be refused.
        assert!(matches!(
            open("leader-p256", "0000", sha256, false),
            Err(Error::WrongPin)
        ));
        assert!(matches!(
            open("leader-rsa", "", sha256, true),
            Err(Error::WrongPin)
        ));

        // RSA-PSS with SHA-384 and SHA-512, hashed by the token.
        for hash in [HashAlgorithm::Sha384, HashAlgorithm::Sha512] {
            let pss = open("leader-rsa", PIN, hash, true).unwrap();
            assert_eq!(pss.algorithm(), SignatureAlgorithm::RsaPss(hash));
            let signature = pss.sign(message).unwrap();
            assert!(verify(&pss, message, &signature), "{hash:?}");
        }

        // The fallbacks for tokens without hash-and-sign mechanisms: CKM_RSA_PKCS on a DigestInfo,
        // CKM_RSA_PKCS_PSS on a digest.
        for rsa_pss in [false, true] {
            let mut fallback = open("leader-rsa", PIN, sha256, rsa_pss).unwrap();
            fallback.method = Method::DigestFirst;
            let signature = fallback.sign(message).unwrap();
            assert!(verify(&fallback, message, &signature), "PSS {rsa_pss}");
        }

        // ECDSA on the three curves: CKM_ECDSA over a digest made here. (SoftHSM 2.6 offers no
        // CKM_ECDSA_SHA256 to try the other way, like many tokens.)
        for (label, hash) in [
            ("leader-p256", HashAlgorithm::Sha256),
            ("p384", HashAlgorithm::Sha384),
            ("p521", HashAlgorithm::Sha512),
            ("leader-p256", HashAlgorithm::Sha512),
        ] {
            let ecdsa = open(label, PIN, hash, true).unwrap();
            assert_eq!(ecdsa.algorithm(), SignatureAlgorithm::Ecdsa(hash));
            assert_eq!(ecdsa.method, Method::DigestFirst);
            // Signatures vary, so several runs meet r and s with the high bit set (and now and
            // then a leading zero byte).
            for _ in 0..16 {
                let signature = ecdsa.sign(message).unwrap();
                assert!(EcdsaSig::from_der(&signature).is_ok());
                assert!(verify(&ecdsa, message, &signature), "{label} {hash:?}");
            }
        }

        // Refusals.
        assert!(matches!(
            open("no-such-key", PIN, sha256, false),
            Err(Error::KeyNotFound { label }) if label == "no-such-key"
        ));
        match open("weak-rsa", PIN, sha256, false) {
            Err(Error::WeakKey { description }) => {
                assert!(description.starts_with("RSA-1024"), "{description}")
            }
            other => panic!("{other:?}"),
        }
        match open("k256", PIN, sha256, false) {
            Err(Error::WeakKey { description }) => {
                assert!(description.starts_with("EC-secp256k1"), "{description}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            open("mismatch", PIN, sha256, false),
            Err(Error::KeyMismatch)
        ));

        // One signer shared between threads.
        let shared = std::sync::Arc::new(rsa);
        let threads: Vec<_> = (0..4)
            .map(|index| {
                let signer = std::sync::Arc::clone(&shared);
                std::thread::spawn(move || {
                    let message = format!("văn bản {index}");
                    let signature = signer.sign(message.as_bytes()).unwrap();
                    assert!(verify(&signer, message.as_bytes(), &signature));
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(shared);

        // Every signer is closed: the module is finalised, the token logged out, and opening
        // starts over (C_Initialize again, then a real login that checks the PIN).
        assert!(registry().is_empty());
        assert!(matches!(
            open("leader-rsa", "0000", sha256, false),
            Err(Error::WrongPin)
        ));
        assert!(registry().is_empty());
        let again = open("leader-p256", PIN, sha256, false).unwrap();
        assert!(verify(&again, message, &again.sign(message).unwrap()));
        assert_eq!(registry().len(), 1);
        drop(again);
        assert!(registry().is_empty());
        assert!(folder.join("tokens").exists());
    }

    fn config<'a>(
        module: &'a Path,
        token: &'a str,
        key: &'a str,
        pin: &'a str,
    ) -> Pkcs11Config<'a> {
        Pkcs11Config {
            module,
            token_label: token,
            key_label: key,
            pin,
            chain: Vec::new(),
            preference: SignaturePreference::sha256(),
        }
    }
}
