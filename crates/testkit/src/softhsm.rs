//! A real PKCS#11 token for tests: SoftHSM2, loaded with a certs-dev key and its certificate by the
//! real `softhsm2-util` and `pkcs11-tool` (OpenSC).
//!
//! # Where tokens live
//!
//! SoftHSM reads its configuration from the file named by `SOFTHSM2_CONF` when `C_Initialize` runs,
//! in every process that loads the module: the tools run here and the test process itself (a
//! `cryptoki` signer). Setting an environment variable inside a running test process is `unsafe`
//! (and the workspace forbids unsafe code), so [`Token`] follows whatever the environment says:
//!
//! - `SOFTHSM2_CONF` set (`tests/run` exports `target/softhsm/softhsm2.conf` under the workspace
//!   root): that file is used; when it does not exist yet it is written, with the token directory
//!   `tokens/` beside it.
//! - unset: SoftHSM's own default, `/etc/softhsm/softhsm2.conf` (tokens under
//!   `/var/lib/softhsm/tokens`, writable by root and the `softhsm` group).
//!
//! Tests in several processes share that directory; each [`Token`] has a label of its own and is
//! deleted when dropped. Create the token before the process initialises the module (opens a
//! PKCS#11 signer), since SoftHSM lists tokens once per `C_Initialize`.
//!
//! SoftHSM 2.6 signs with `CKM_SHA256_RSA_PKCS` (and the other hash-and-sign RSA mechanisms, PSS
//! included) but has no `CKM_ECDSA_SHA256`: for EC keys, hash in software and sign with
//! `CKM_ECDSA`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::oracles::{OracleOutput, certs_dev, run};

/// Where Debian and others put the SoftHSM2 PKCS#11 module.
const MODULE_CANDIDATES: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// SoftHSM's default configuration file, used when `SOFTHSM2_CONF` is unset.
const DEFAULT_CONF: &str = "/etc/softhsm/softhsm2.conf";

/// The PKCS#11 object id of the key, its public key and its certificate (`CKA_ID`, hex).
pub const KEY_ID: &str = "01";

/// An initialised SoftHSM2 token holding one certs-dev private key, its public key and its
/// certificate, all with the label [`Token::key_label`] and id [`KEY_ID`]; deleted on drop.
#[derive(Debug)]
pub struct Token {
    /// The PKCS#11 module, `libsofthsm2.so`.
    pub module: PathBuf,
    /// The token label (unique per token, at most 32 characters).
    pub label: String,
    /// The user PIN.
    pub pin: String,
    /// The security officer PIN.
    pub so_pin: String,
    /// The label of the key objects: the certs-dev name, such as `leader-rsa`.
    pub key_label: String,
    /// The certificate in the token, in PEM (`certs-dev/NAME.pem`).
    pub certificate: PathBuf,
    /// The SoftHSM configuration file in effect.
    pub conf: PathBuf,
}

impl Token {
    /// Creates a token holding the certs-dev key and certificate `name` (`leader-rsa`,
    /// `leader-p256`, `seal-rsa`, `seal-p256`, `revoked-rsa`, `expired-rsa`, …).
    pub fn with_dev_key(name: &str) -> anyhow::Result<Token> {
        let certs = certs_dev();
        let key_pem = certs.join(format!("{name}.key.pem"));
        let certificate = certs.join(format!("{name}.pem"));
        if !key_pem.is_file() || !certificate.is_file() {
            bail!("certs-dev has no key and certificate named {name:?}");
        }
        let module = module_path()?;
        let conf = configuration()?;
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let label = format!("vanthu-{}", suffix.get(..12).unwrap_or(&suffix));
        let token = Token {
            module,
            label,
            pin: "1234".to_owned(),
            so_pin: "12345678".to_owned(),
            key_label: name.to_owned(),
            certificate,
            conf,
        };
        let init = run(
            Command::new("softhsm2-util").args([
                "--init-token",
                "--free",
                "--label",
                &token.label,
                "--so-pin",
                &token.so_pin,
                "--pin",
                &token.pin,
            ]),
            "softhsm2-util (softhsm2)",
        )?;
        if !init.success {
            bail!(
                "softhsm2-util --init-token failed with the configuration {} (a writable token \
                 directory is needed; tests/run exports SOFTHSM2_CONF for one under target/):\n\
                 {init}",
                token.conf.display()
            );
        }
        let dir = tempfile::Builder::new()
            .prefix("vanthu-softhsm-")
            .tempdir()?;
        let key_der = dir.path().join("key.der");
        let public_der = dir.path().join("public.der");
        let certificate_der = dir.path().join("certificate.der");
        openssl_convert(
            &["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"],
            &key_pem,
            &key_der,
        )?;
        openssl_convert(
            &["pkey", "-pubout", "-outform", "DER"],
            &key_pem,
            &public_der,
        )?;
        openssl_convert(
            &["x509", "-outform", "DER"],
            &token.certificate,
            &certificate_der,
        )?;
        for (file, kind) in [
            (&key_der, "privkey"),
            (&public_der, "pubkey"),
            (&certificate_der, "cert"),
        ] {
            let written = token.pkcs11_tool(&[
                "--write-object".as_ref(),
                file.as_os_str(),
                "--type".as_ref(),
                kind.as_ref(),
                "--id".as_ref(),
                KEY_ID.as_ref(),
                "--label".as_ref(),
                name.as_ref(),
            ])?;
            if !written.success {
                bail!("pkcs11-tool --write-object --type {kind} failed:\n{written}");
            }
        }
        Ok(token)
    }

    /// Runs `pkcs11-tool --module MODULE --token-label LABEL --login --pin PIN ARGS`.
    pub fn pkcs11_tool<S: AsRef<std::ffi::OsStr>>(
        &self,
        args: &[S],
    ) -> anyhow::Result<OracleOutput> {
        run(
            Command::new("pkcs11-tool")
                .arg("--module")
                .arg(&self.module)
                .args(["--token-label", &self.label, "--login", "--pin", &self.pin])
                .args(args),
            "pkcs11-tool (opensc)",
        )
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        // Best effort: a token left behind only costs a directory under the token store.
        let _ = run(
            Command::new("softhsm2-util").args(["--delete-token", "--token", &self.label]),
            "softhsm2-util (softhsm2)",
        );
    }
}

/// The SoftHSM2 PKCS#11 module on this machine.
pub fn module_path() -> anyhow::Result<PathBuf> {
    MODULE_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .with_context(|| {
            format!(
                "libsofthsm2.so not found in {MODULE_CANDIDATES:?}: install the softhsm2 package \
                 (tests/run does)"
            )
        })
}

/// The configuration in effect (see the module documentation), written when `SOFTHSM2_CONF` names
/// a file that does not exist yet.
fn configuration() -> anyhow::Result<PathBuf> {
    let Some(conf) = std::env::var_os("SOFTHSM2_CONF").filter(|conf| !conf.is_empty()) else {
        return Ok(PathBuf::from(DEFAULT_CONF));
    };
    let conf = PathBuf::from(conf);
    if !conf.exists() {
        let dir = conf
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let tokens = std::path::absolute(dir.join("tokens"))?;
        std::fs::create_dir_all(&tokens)?;
        let text = format!(
            "# Written by testkit::softhsm for the Vanthu tests.\n\
             directories.tokendir = {}\n\
             objectstore.backend = file\n\
             log.level = ERROR\n\
             slots.removable = false\n",
            tokens.display()
        );
        // Written whole under a temporary name, then renamed, as tests in other processes may do
        // the same at the same moment.
        let partial = dir.join(format!(".softhsm2.conf.{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &conf)?;
    }
    Ok(conf)
}

fn openssl_convert(args: &[&str], input: &Path, output: &Path) -> anyhow::Result<()> {
    let result = run(
        Command::new("openssl")
            .args(args)
            .arg("-in")
            .arg(input)
            .arg("-out")
            .arg(output),
        "openssl",
    )?;
    if !result.success {
        bail!("openssl {args:?} -in {} failed:\n{result}", input.display());
    }
    Ok(())
}
