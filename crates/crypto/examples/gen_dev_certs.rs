//! Regenerates the committed development PKI: `cargo run -p crypto --example gen_dev_certs --
//! certs-dev`.
//!
//! `vanthu dev-certs` calls the same generator; this example exists so that the PKI can be
//! regenerated from the `crypto` crate alone.

use std::io::Write as _;
use std::path::PathBuf;

use crypto::devpki::{DevPkiOptions, generate_dev_pki};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("certs-dev"), PathBuf::from);
    let summary = generate_dev_pki(&out_dir, &DevPkiOptions::standard())?;
    let mut stdout = std::io::stdout().lock();
    for path in &summary.files {
        writeln!(stdout, "{}", path.display())?;
    }
    Ok(())
}
