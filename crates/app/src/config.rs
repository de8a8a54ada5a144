//! The application configuration, composed of each adapter's section.
//!
//! Plain data with serde: only the binaries load it (a TOML file, then `VANTHU__SECTION__KEY`
//! environment overrides). Knobs that matter in production have no `Default`, and everything that
//! weakens security is named `danger_*` and refused when `security.production` is set.

use std::path::PathBuf;

use serde::Deserialize;

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The database.
    pub database: db::Config,
    /// Where blobs are stored.
    pub storage: StorageConfig,
    /// Limits on uploaded files.
    pub uploads: UploadConfig,
    /// Login sessions.
    pub sessions: SessionConfig,
    /// Production safeguards.
    pub security: SecurityConfig,
    /// Checking the signatures of received and stored documents.
    pub validation: ValidationConfig,
    /// The full-text index.
    pub search: SearchConfig,
    /// Keys the server holds to sign outgoing documents (optional section).
    #[serde(default)]
    pub signing: SigningConfig,
}

/// Keys held by the server for signing outgoing documents: the demo's PKCS#12 files, one per
/// signer and one per agency seal; a deployment with USB tokens or remote signing leaves it empty.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// The keys, each for one user (personal signature) or one organisation (agency seal).
    #[serde(default)]
    pub keys: Vec<SigningKeyConfig>,
    /// The timestamp authority; signatures are PAdES B-T with it, B-B without.
    #[serde(default)]
    pub tsa_url: Option<String>,
    /// An OCSP responder overriding the certificates' own; with a TSA the agency seal is B-LT.
    #[serde(default)]
    pub ocsp_url: Option<String>,
    /// CRL files (PEM or DER) for B-LT when distribution points cannot be reached.
    #[serde(default)]
    pub crl_files: Vec<PathBuf>,
}

/// One PKCS#12 key held by the server.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningKeyConfig {
    /// The user whose personal key this is (a leader), by username.
    #[serde(default)]
    pub username: Option<String>,
    /// The organisation whose seal this is, by electronic id.
    #[serde(default)]
    pub organization: Option<String>,
    /// The PKCS#12 file.
    pub p12: PathBuf,
    /// Its password.
    pub password: secrecy::SecretString,
    /// The signature or seal image (PNG) drawn in the signature box.
    #[serde(default)]
    pub image: Option<PathBuf>,
}

/// The full-text search index: derived data, rebuilt from the database when missing or stale.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// The index directory (created when missing; only index files in it are ever removed).
    pub index_dir: PathBuf,
}

/// Blob storage.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// The directory of the content-addressed blob store.
    pub root: PathBuf,
}

/// Limits on uploads.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadConfig {
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
}

/// Login sessions.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// How long a session lasts after login, in minutes.
    pub ttl_minutes: u32,
}

/// Production safeguards.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// This deployment holds real records: demo data and dev certificates are refused.
    pub production: bool,
    /// Seed the demo organisation, users (with a known password) and documents.
    pub danger_allow_demo_data: bool,
    /// Accept the certs-dev PKI, whose private keys are public, for signing and trust.
    pub danger_allow_dev_certificates: bool,
}

/// Checking signatures (PAdES validation of incoming and stored documents).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationConfig {
    /// PEM files holding the trust anchors: the national root CA and the official-use CA
    /// (certs-dev/root-ca.pem in development). Read once at start; an unreadable file stops the
    /// start. At least one is required in production.
    pub trust_roots: Vec<PathBuf>,
    /// Whether re-validating a stored document may ask the certificates' OCSP responders over the
    /// network when the document carries no revocation data. Intake always validates offline.
    pub online_revocation: bool,
    /// How long one OCSP request may take, in seconds.
    pub timeout_seconds: u64,
}

impl Config {
    /// Every problem that makes this configuration unusable, in plain words (empty when usable).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.uploads.max_bytes == 0 {
            problems.push("uploads.max_bytes must be greater than 0".to_owned());
        }
        if self.sessions.ttl_minutes == 0 {
            problems.push("sessions.ttl_minutes must be greater than 0".to_owned());
        }
        if self.database.max_connections == 0 {
            problems.push("database.max_connections must be greater than 0".to_owned());
        }
        if self.security.production && self.security.danger_allow_demo_data {
            problems.push(
                "security.danger_allow_demo_data is refused when security.production is set"
                    .to_owned(),
            );
        }
        if self.security.production && self.security.danger_allow_dev_certificates {
            problems.push(
                "security.danger_allow_dev_certificates is refused when security.production is set"
                    .to_owned(),
            );
        }
        if self.security.production && self.validation.trust_roots.is_empty() {
            problems.push(
                "validation.trust_roots must name at least one PEM file when security.production is set"
                    .to_owned(),
            );
        }
        if self.validation.timeout_seconds == 0 {
            problems.push("validation.timeout_seconds must be greater than 0".to_owned());
        }
        problems
    }

    /// The warnings to print at every start while a `danger_*` knob is on.
    pub fn danger_warnings(&self) -> Vec<&'static str> {
        let mut warnings = Vec::new();
        if self.security.danger_allow_demo_data {
            warnings.push("DEMO MODE: demo users with a known password are enabled; never use this for real records");
        }
        if self.security.danger_allow_dev_certificates {
            warnings.push(
                "DEV CERTIFICATES: the certs-dev PKI is accepted; its private keys are public",
            );
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_is_usable() {
        let text = include_str!("../config.example.toml");
        let config: Config = toml::from_str(text).unwrap();
        assert_eq!(config.problems(), Vec::<String>::new());
        assert!(config.security.production);
    }

    #[test]
    fn production_refuses_every_danger_knob_at_once() {
        let text = include_str!("../config.example.toml")
            .replace(
                "danger_allow_demo_data = false",
                "danger_allow_demo_data = true",
            )
            .replace(
                "danger_allow_dev_certificates = false",
                "danger_allow_dev_certificates = true",
            );
        let config: Config = toml::from_str(&text).unwrap();
        let problems = config.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = format!(
            "{}\n[extra]\nkey = 1\n",
            include_str!("../config.example.toml")
        );
        assert!(toml::from_str::<Config>(&text).is_err());
    }
}
