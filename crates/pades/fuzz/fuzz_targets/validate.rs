//! Fuzz target over the validation entry point (issue 4, "Hostile input"): any bytes given to
//! `pades::validate`, offline and under small limits, must give a report or an error, never a
//! panic, a hang or unbounded memory (libFuzzer reports the last two with `-timeout` and
//! `-rss_limit_mb`).
//!
//! Not run in CI. From `crates/pades/fuzz`, with cargo-fuzz installed (`cargo install
//! cargo-fuzz`) and either a nightly toolchain or `RUSTC_BOOTSTRAP=1` on stable, seeded with
//! the signed PDFs of the pdf crate's test data:
//!
//! ```sh
//! mkdir -p corpus/validate
//! RUSTC_BOOTSTRAP=1 cargo fuzz run validate corpus/validate ../../pdf/test_data \
//!     -- -max_total_time=60 -max_len=65536 -timeout=10
//! ```

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// The dev root, so that inputs built from dev-signed files reach the chain and revocation
/// checks.
static ROOTS: LazyLock<Vec<crypto::Certificate>> = LazyLock::new(|| {
    crypto::Certificate::from_pem_bundle(include_bytes!("../../../../certs-dev/root-ca.pem"))
        .unwrap_or_default()
});

/// Small limits: a fuzzer's inputs are small, and a large allowance only slows it down.
const LIMITS: pdf::Limits = pdf::Limits {
    max_file_bytes: 1024 * 1024,
    max_objects: 10_000,
    max_decompressed_bytes: 4 * 1024 * 1024,
    max_pages: 100,
};

fuzz_target!(|data: &[u8]| {
    // 2026-03-16T09:00:00Z: inside the dev PKI's validity, as the tests use.
    let Ok(now) = time::OffsetDateTime::from_unix_timestamp(1_773_651_600) else {
        return;
    };
    let options = pades::ValidationOptions {
        trust_roots: &ROOTS,
        revocation: pades::RevocationMode::Offline,
        now,
        password: None,
        limits: &LIMITS,
    };
    // A report or an error are both fine; a panic aborts the fuzzer with the input saved.
    let _ = pades::validate(data, &options);
});
