//! `vanthu import PATH...`: registers files and folders (recursively) as incoming documents
//! through the same intake as an upload, acting as a named clerk (`--as USERNAME`).
//!
//! Progress goes to stderr as one plain line per file (indicatif is not among the workspace's
//! dependencies, and a line per file also reads well in a log); the summary goes to stdout, as
//! text or `--json`, and with `--report FILE` also into a JSON file. The exit status is 1 when any
//! file was rejected; duplicates are not failures (the file is already registered).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use app::{App, ImportedForm, OperationId};
use serde_json::json;

/// The arguments of `vanthu import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// Files and folders (searched recursively) to register: PDFs, and PNG or JPEG scans, which
    /// are made two-layer PDFs by OCR (tesseract, Vietnamese).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The clerk (văn thư) in whose name the documents are registered and audited.
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: String,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the summary as JSON into this file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

/// What happened to one file.
enum Outcome {
    Registered {
        id: i64,
        arrival_number: i64,
        year: i32,
        scan: bool,
    },
    Duplicate {
        existing: Option<i64>,
    },
    Rejected {
        code: String,
        reason: String,
    },
}

/// Runs `vanthu import`.
pub(crate) async fn run(app: &App, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let actor = app
        .actor_by_username(&args.as_user)
        .await
        .with_context(|| format!("finding the user {:?}", args.as_user))?;
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files)?;
    }
    let limit = app.config().uploads.max_bytes;
    let operation = OperationId::new("cli-import");
    let total = files.len();
    let mut results = Vec::with_capacity(total);
    for (index, path) in files.into_iter().enumerate() {
        let outcome = import_one(app, &actor, &path, limit, &operation).await;
        let line = match &outcome {
            Outcome::Registered {
                arrival_number,
                year,
                scan,
                ..
            } => format!(
                "registered as arrival number {arrival_number}/{year}{}",
                if *scan { " (scan, OCR text layer)" } else { "" }
            ),
            Outcome::Duplicate { existing } => match existing {
                Some(id) => format!("duplicate of document {id}"),
                None => "duplicate".to_owned(),
            },
            Outcome::Rejected { code, reason } => format!("rejected [{code}]: {reason}"),
        };
        // Progress is a courtesy: a closed stderr must not stop the import.
        let _ = writeln!(
            std::io::stderr(),
            "[{}/{total}] {}: {line}",
            index + 1,
            path.display()
        );
        results.push((path, outcome));
    }

    let summary = summary_json(&results);
    if let Some(report) = &args.report {
        std::fs::write(report, format!("{summary:#}\n"))
            .with_context(|| format!("writing {}", report.display()))?;
    }
    let rejected = results
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::Rejected { .. }))
        .count();
    if args.json {
        crate::say(&summary.to_string())?;
    } else {
        crate::say(&format!(
            "{} files: {} registered, {} duplicates, {rejected} rejected",
            results.len(),
            summary["registered"].as_array().map_or(0, Vec::len),
            summary["duplicates"].as_array().map_or(0, Vec::len),
        ))?;
        for (path, outcome) in &results {
            if let Outcome::Rejected { code, reason } = outcome {
                crate::say(&format!("REJECTED {} [{code}] {reason}", path.display()))?;
            }
        }
    }
    Ok(if rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Registers one file; every problem is an outcome, never an error of the whole import.
async fn import_one(
    app: &App,
    actor: &app::Actor,
    path: &Path,
    limit: u64,
    operation: &OperationId,
) -> Outcome {
    let rejected = |code: &str, reason: String| Outcome::Rejected {
        code: code.to_owned(),
        reason,
    };
    // A file over the limit is refused before it is read into memory.
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.len() > limit => {
            return rejected(
                "request.too_large",
                format!("the file is larger than the limit of {limit} bytes"),
            );
        }
        Ok(_) => {}
        Err(error) => return rejected("import.unreadable", format!("cannot read it: {error}")),
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return rejected("import.unreadable", format!("cannot read it: {error}")),
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    match app.import_file(actor, &name, bytes, operation).await {
        Ok((document, form)) => Outcome::Registered {
            id: document.id.get(),
            arrival_number: document.arrival_number,
            year: document.arrival_year,
            scan: form == ImportedForm::Scan,
        },
        Err(app::Error::Duplicate { existing }) => Outcome::Duplicate { existing },
        Err(error) => rejected(error.code(), error.to_string()),
    }
}

/// Every regular file under `path` (itself when a file), in name order; symbolic links to folders
/// are not followed, so a loop cannot trap the walk.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let metadata =
        std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if !metadata.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .with_context(|| format!("listing {}", path.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("listing {}", path.display()))?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let file_type = entry
            .file_type()
            .with_context(|| format!("reading {}", entry.path().display()))?;
        if file_type.is_dir() {
            collect(&entry.path(), files)?;
        } else if file_type.is_file()
            || (file_type.is_symlink() && entry.path().metadata().is_ok_and(|meta| meta.is_file()))
        {
            files.push(entry.path());
        }
    }
    Ok(())
}

fn summary_json(results: &[(PathBuf, Outcome)]) -> serde_json::Value {
    let mut registered = Vec::new();
    let mut duplicates = Vec::new();
    let mut rejected = Vec::new();
    for (path, outcome) in results {
        let path = path.display().to_string();
        match outcome {
            Outcome::Registered {
                id,
                arrival_number,
                year,
                scan,
            } => registered.push(json!({
                "path": path, "id": id, "arrival_number": arrival_number, "year": year,
                "form": if *scan { "scan" } else { "pdf" },
            })),
            Outcome::Duplicate { existing } => {
                duplicates.push(json!({ "path": path, "existing": existing }));
            }
            Outcome::Rejected { code, reason } => {
                rejected.push(json!({ "path": path, "code": code, "reason": reason }));
            }
        }
    }
    json!({
        "files": results.len(),
        "registered": registered,
        "duplicates": duplicates,
        "rejected": rejected,
    })
}
