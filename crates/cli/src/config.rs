//! Loading the configuration: a file or the demo defaults, then environment overrides.

use std::path::Path;

use anyhow::Context as _;

/// The environment prefix of overrides: `VANTHU__DATABASE__URL` sets `database.url`.
const ENV_PREFIX: &str = "VANTHU__";

/// Loads `config_file`, or the demo configuration under `data_dir`, and applies the environment.
pub(crate) fn load(data_dir: &Path, config_file: Option<&Path>) -> anyhow::Result<app::Config> {
    let mut value = match config_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the configuration file {}", path.display()))?;
            toml::from_str::<toml::Table>(&text)
                .with_context(|| format!("parsing the configuration file {}", path.display()))?
        }
        None => demo_table(data_dir),
    };
    apply_env(&mut value, std::env::vars());
    let config: app::Config = toml::Value::Table(value)
        .try_into()
        .context("the configuration does not have the expected keys")?;
    let problems = config.problems();
    if !problems.is_empty() {
        anyhow::bail!(
            "the configuration is not usable:\n  - {}",
            problems.join("\n  - ")
        );
    }
    Ok(config)
}

/// The demo's trust root, relative to the current directory: present when Vanthu runs from the
/// repository root, as the README's commands do.
const DEMO_TRUST_ROOT: &str = "certs-dev/root-ca.pem";

/// Demo mode: SQLite and blobs under the data directory, demo data and dev certificates allowed,
/// signatures checked offline against the development root `certs-dev/root-ca.pem` when that file
/// is found from the current directory (run from the repository root); elsewhere the demo trusts
/// no root, and every signature it checks is INDETERMINATE (NO_CERTIFICATE_CHAIN_FOUND).
fn demo_table(data_dir: &Path) -> toml::Table {
    let database = data_dir.join("vanthu.db");
    let blobs = data_dir.join("blobs");
    let index = data_dir.join("index");
    let trust_roots = if Path::new(DEMO_TRUST_ROOT).is_file() {
        format!("[\"{DEMO_TRUST_ROOT}\"]")
    } else {
        "[]".to_owned()
    };
    let text = format!(
        r#"
[database]
url = "sqlite://{database}?mode=rwc"
max_connections = 8
[storage]
root = "{blobs}"
[uploads]
max_bytes = 52428800
[sessions]
ttl_minutes = 480
[security]
production = false
danger_allow_demo_data = true
danger_allow_dev_certificates = true
[validation]
trust_roots = {trust_roots}
online_revocation = false
timeout_seconds = 10
[search]
index_dir = "{index}"
"#,
        database = database.display().to_string().replace('\\', "/"),
        blobs = blobs.display().to_string().replace('\\', "/"),
        index = index.display().to_string().replace('\\', "/"),
    );
    // Invariant: the text above is valid TOML for any path without a double quote.
    let mut table: toml::Table = toml::from_str(&text).unwrap_or_default();
    if let Some(signing) = demo_signing() {
        table.insert("signing".to_owned(), toml::Value::Table(signing));
    }
    table
}

/// The demo's server-held keys, when certs-dev is found from the current directory: the
/// chairman's personal key (`lanhdao`) and the ward's seal, with their images when found.
fn demo_signing() -> Option<toml::Table> {
    let leader = "certs-dev/leader-rsa.p12";
    let seal = "certs-dev/seal-rsa.p12";
    if !Path::new(leader).is_file() || !Path::new(seal).is_file() {
        return None;
    }
    let image = |path: &str| {
        Path::new(path)
            .is_file()
            .then(|| format!("image = \"{path}\"\n"))
    };
    let text = format!(
        "[[keys]]\nusername = \"lanhdao\"\np12 = \"{leader}\"\npassword = \"vanthu-dev\"\n{}\
         [[keys]]\norganization = \"{}\"\np12 = \"{seal}\"\npassword = \"vanthu-dev\"\n{}",
        image("crates/pdf/test_data/signature-blue.png").unwrap_or_default(),
        app::DEMO_ORGANIZATION_ID,
        image("crates/pdf/test_data/seal-red.png").unwrap_or_default(),
    );
    toml::from_str(&text).ok()
}

/// Sets `section.key` from each `VANTHU__SECTION__KEY`; values are parsed as TOML (numbers,
/// booleans) and fall back to strings.
fn apply_env(table: &mut toml::Table, vars: impl Iterator<Item = (String, String)>) {
    for (name, raw) in vars {
        let Some(path) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let keys: Vec<String> = path.split("__").map(str::to_lowercase).collect();
        set_path(table, &keys, parse_scalar(&raw));
    }
}

/// Sets `keys` (a dotted path) in `table`, creating sections; a key under a non-table is ignored.
fn set_path(table: &mut toml::Table, keys: &[String], value: toml::Value) {
    match keys {
        [] => {}
        [last] => {
            table.insert(last.clone(), value);
        }
        [section, rest @ ..] => {
            let entry = table
                .entry(section.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

fn parse_scalar(raw: &str) -> toml::Value {
    let wrapped = format!("value = {raw}");
    match toml::from_str::<toml::Table>(&wrapped) {
        Ok(mut table) => table
            .remove("value")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_nested_keys_with_typed_values() {
        let mut table = demo_table(Path::new("/tmp/x"));
        apply_env(
            &mut table,
            [
                ("VANTHU__UPLOADS__MAX_BYTES".to_owned(), "1024".to_owned()),
                ("VANTHU__SECURITY__PRODUCTION".to_owned(), "true".to_owned()),
                (
                    "VANTHU__DATABASE__URL".to_owned(),
                    "postgres://u@h/db".to_owned(),
                ),
                ("OTHER".to_owned(), "x".to_owned()),
            ]
            .into_iter(),
        );
        let config: app::Config = toml::Value::Table(table).try_into().unwrap();
        assert_eq!(config.uploads.max_bytes, 1024);
        assert!(config.security.production);
        let problems = config.problems();
        assert_eq!(
            problems
                .iter()
                .filter(|problem| problem.contains("danger_"))
                .count(),
            2,
            "production refuses the demo's danger knobs: {problems:?}"
        );
    }

    #[test]
    fn the_demo_trusts_the_dev_root_only_when_it_is_found() {
        let config: app::Config = toml::Value::Table(demo_table(Path::new("data")))
            .try_into()
            .unwrap();
        let found = Path::new(DEMO_TRUST_ROOT).is_file();
        assert_eq!(!config.validation.trust_roots.is_empty(), found);
        assert!(!config.validation.online_revocation);
    }

    #[test]
    fn the_demo_configuration_is_usable() {
        let config: app::Config = toml::Value::Table(demo_table(Path::new("data")))
            .try_into()
            .unwrap();
        assert!(config.problems().is_empty());
        assert!(config.security.danger_allow_demo_data);
    }
}
