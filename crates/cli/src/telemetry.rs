//! The tracing subscriber, built once per process: `RUST_LOG` filters (default `info`), JSON lines
//! when `VANTHU_LOG_FORMAT=json`, human-readable otherwise. Logs go to stderr; stdout is for the
//! command's own output.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; a second call (tests) keeps the first one.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("VANTHU_LOG_FORMAT").is_ok_and(|format| format == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _already_set = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
