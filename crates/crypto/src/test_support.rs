//! Test support shared by this crate's test modules: the committed dev PKI of `certs-dev/`.

use std::path::{Path, PathBuf};

use crate::Certificate;

/// The path of a file of the dev PKI.
pub(crate) fn certs_dev(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../certs-dev")
        .join(name)
}

/// The bytes of a file of the dev PKI.
pub(crate) fn certs_dev_bytes(name: &str) -> Vec<u8> {
    std::fs::read(certs_dev(name)).unwrap()
}

/// Every certificate of a PEM file of the dev PKI.
pub(crate) fn certificates(name: &str) -> Vec<Certificate> {
    Certificate::from_pem_bundle(&certs_dev_bytes(name)).unwrap()
}

/// The first certificate of a PEM file of the dev PKI.
pub(crate) fn certificate(name: &str) -> Certificate {
    certificates(name).remove(0)
}
