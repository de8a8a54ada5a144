//! Tidy checks that run with the tests (after rust-analyzer's `xtask/src/tidy.rs`): the dependency
//! direction of ARCHITECTURE.md, the banned imports, module headers, and banned test attributes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The workspace root (this package lives in `tests/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Which internal crates each crate may depend on (normal dependencies). Dependencies point only
/// downward; see ARCHITECTURE.md. A new crate must be added here, deliberately.
fn allowed_dependencies() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        ("domain", &[][..]),
        ("migrations", &[][..]),
        ("db", &["domain", "migrations"][..]),
        ("storage", &["domain"][..]),
        ("pdf", &["domain"][..]),
        ("crypto", &["domain"][..]),
        ("pades", &["domain", "pdf", "crypto"][..]),
        ("search", &["domain"][..]),
        (
            "app",
            &[
                "domain", "db", "storage", "pdf", "crypto", "pades", "search",
            ][..],
        ),
        ("server", &["domain", "app"][..]),
        ("cli", &["domain", "app", "server"][..]),
        (
            "testkit",
            &[
                "domain", "db", "storage", "pdf", "crypto", "pades", "search", "app",
            ][..],
        ),
        ("tests", &[][..]),
    ])
}

/// External crates that only their adapter may name in code (`testkit` is exempt).
const TECHNOLOGY_OWNERS: &[(&str, &[&str])] = &[
    ("openssl::", &["crypto"]),
    ("lopdf::", &["pdf"]),
    ("tantivy::", &["search"]),
    ("sea_orm::", &["db", "migrations"]),
    ("sea_orm_migration::", &["db", "migrations"]),
];

fn manifests() -> Vec<(String, PathBuf)> {
    let root = root();
    let mut manifests = vec![
        ("migrations".to_owned(), root.join("migrations/Cargo.toml")),
        ("tests".to_owned(), root.join("tests/Cargo.toml")),
    ];
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        manifests.push((name, path.join("Cargo.toml")));
    }
    manifests.sort();
    manifests
}

fn internal_crates() -> Vec<String> {
    manifests().into_iter().map(|(name, _)| name).collect()
}

fn table_keys(manifest: &toml::Table, section: &str) -> Vec<String> {
    manifest
        .get(section)
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn tidy_dependencies_point_downward() {
    let allowed = allowed_dependencies();
    let internal = internal_crates();
    let mut problems = Vec::new();
    for (name, path) in manifests() {
        let manifest: toml::Table =
            toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(allowed_here) = allowed.get(name.as_str()) else {
            problems.push(format!("{name}: not in the dependency table of tidy.rs"));
            continue;
        };
        for dependency in table_keys(&manifest, "dependencies") {
            if internal.contains(&dependency) && !allowed_here.contains(&dependency.as_str()) {
                problems.push(format!(
                    "{name} depends on {dependency}, against the dependency direction"
                ));
            }
            if dependency == "testkit" {
                problems.push(format!("{name}: testkit may only be a dev-dependency"));
            }
        }
        let package = manifest
            .get("package")
            .and_then(toml::Value::as_table)
            .unwrap();
        if package.get("publish").is_none() {
            problems.push(format!(
                "{name}: publish must be inherited (publish.workspace = true)"
            ));
        }
        if manifest.get("lints").is_none() {
            problems.push(format!("{name}: [lints] workspace = true is missing"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn rust_files() -> Vec<(String, PathBuf)> {
    let root = root();
    let mut files = Vec::new();
    for (name, manifest) in manifests() {
        collect_rust_files(manifest.parent().unwrap(), &name, &mut files);
    }
    assert!(
        files.len() > 20,
        "tidy found too few files under {}",
        root.display()
    );
    files
}

fn collect_rust_files(dir: &Path, crate_name: &str, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name == "target" || name == "fuzz")
            {
                continue;
            }
            collect_rust_files(&path, crate_name, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push((crate_name.to_owned(), path));
        }
    }
}

#[test]
fn tidy_technologies_stay_in_their_adapter() {
    let mut problems = Vec::new();
    for (crate_name, path) in rust_files() {
        if crate_name == "testkit" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (prefix, owners) in TECHNOLOGY_OWNERS {
            let used = text.lines().any(|line| {
                let line = line.trim_start();
                !line.starts_with("//")
                    && (line.contains(&format!("use {prefix}"))
                        || line.contains(&format!(" {prefix}"))
                        || line.contains(&format!("({prefix}")))
            });
            if used && !owners.contains(&crate_name.as_str()) {
                problems.push(format!(
                    "{}: names {prefix} outside {owners:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tidy_every_module_starts_with_a_doc_comment() {
    let missing: Vec<_> = rust_files()
        .into_iter()
        .filter(|(_, path)| {
            let text = std::fs::read_to_string(path).unwrap();
            !text.trim_start().starts_with("//!")
        })
        .map(|(_, path)| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` header:\n{}",
        missing.join("\n")
    );
}

#[test]
fn tidy_no_banned_attributes_or_macros() {
    // Spelled in pieces so that this file does not match itself.
    let banned = [
        ["#[", "ignore"].concat(),
        ["#[", "should_panic"].concat(),
        ["dbg", "!("].concat(),
        ["todo", "!("].concat(),
        ["unimplemented", "!("].concat(),
    ];
    let mut problems = Vec::new();
    for (_, path) in rust_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for pattern in &banned {
            if text.contains(pattern.as_str()) {
                problems.push(format!("{}: contains {pattern}", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
