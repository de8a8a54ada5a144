//! The database section of the configuration.

use secrecy::SecretString;
use serde::Deserialize;

/// Where the database is and how many connections to keep.
///
/// `Debug` redacts the URL, which may hold a password.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER:PASSWORD@HOST/DB`.
    pub url: SecretString,
    /// The pool size; a few connections serve a ward, since writers are serialised anyway.
    pub max_connections: u32,
}
