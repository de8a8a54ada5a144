//! `vanthu files …` (the yearly file plan and work files) and `vanthu archive export|import`
//! (archive packages), each acting as a named user (`--as USERNAME`) whose roles decide, exactly
//! as in the web UI; every change is audited in that user's name.
//!
//! Output is one line per file (tab-separated) or `--json`; errors print `[code] message` and the
//! exit status is 1.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use app::{App, OperationId, WorkFile};
use domain::records::WorkFileState;
use serde_json::json;

use crate::say;

/// The arguments of `vanthu files`.
#[derive(Debug, clap::Args)]
pub(crate) struct FilesArgs {
    /// The user in whose name the command runs (required).
    #[arg(long = "as", value_name = "USERNAME", global = true)]
    as_user: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: FilesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum FilesCommand {
    /// Create the yearly file plan from a JSON file (`{"year": 2026, "headings": [{"title": …,
    /// "abbreviation": "TCCB", "items": [{"title": …, "retention": "10", "creator": …}]}]}`), or
    /// with --year alone show it.
    Plan {
        /// The plan file to create the plan from.
        file: Option<PathBuf>,
        /// The year of the plan to show.
        #[arg(long, conflicts_with = "file")]
        year: Option<i32>,
    },
    /// Open a work file from a plan item (--item) or outside the plan.
    Open {
        /// The plan item id (see `files plan --year`).
        #[arg(long)]
        item: Option<i64>,
        /// The title (required outside the plan).
        #[arg(long)]
        title: Option<String>,
        /// The file notation, e.g. `05.VP` (required outside the plan).
        #[arg(long)]
        notation: Option<String>,
        /// The retention: `permanent` or years (required outside the plan).
        #[arg(long)]
        retention: Option<String>,
        /// Who makes the file (required outside the plan).
        #[arg(long)]
        creator: Option<String>,
        /// The start date, `YYYY-MM-DD` (today unless given).
        #[arg(long)]
        start: Option<String>,
    },
    /// Link documents (by id) to an open file.
    Link {
        /// The file code.
        file_code: String,
        /// The documents.
        #[arg(required = true)]
        documents: Vec<i64>,
    },
    /// Unlink a document from an open file.
    Unlink {
        /// The file code.
        file_code: String,
        /// The document.
        document: i64,
    },
    /// Close a file: end date today, documents and pages counted, hand-over date set.
    Close {
        /// The file code.
        file_code: String,
    },
    /// Hand a closed file over to the archive (archivist).
    HandOver {
        /// The file code.
        file_code: String,
    },
    /// Show one file with its documents.
    Show {
        /// The file code.
        file_code: String,
    },
    /// List the work files, optionally in one state (`open`, `closed`, `handed_over`).
    List {
        /// The state.
        #[arg(long)]
        state: Option<String>,
    },
    /// Files due for hand-over within 30 days, or overdue (exit 1 when any is overdue).
    Due,
}

/// Runs `vanthu files`.
pub(crate) async fn files(app: &App, args: FilesArgs) -> anyhow::Result<ExitCode> {
    let username = args
        .as_user
        .as_deref()
        .context("name the user the command acts for with --as USERNAME")?;
    let actor = app
        .actor_by_username(username)
        .await
        .with_context(|| format!("finding the user {username:?}"))?;
    let operation = OperationId::new("cli-files");
    let result = match args.command {
        FilesCommand::Plan {
            file: Some(path), ..
        } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let input: app::FilePlanInput = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a file plan", path.display()))?;
            app.create_file_plan(&actor, input, &operation)
                .await
                .map(|plan| print_plan(&plan, args.json))
        }
        FilesCommand::Plan { file: None, year } => {
            let year = year.context("give a plan file to create, or --year to show")?;
            app.file_plan(&actor, year)
                .await
                .map(|plan| print_plan(&plan, args.json))
        }
        FilesCommand::Open {
            item,
            title,
            notation,
            retention,
            creator,
            start,
        } => {
            let input = app::OpenWorkFile {
                plan_item_id: item,
                title,
                notation,
                retention,
                creator,
                start_date: start,
                ..app::OpenWorkFile::default()
            };
            app.open_work_file(&actor, input, &operation)
                .await
                .map(|view| print_view(&view, args.json))
        }
        FilesCommand::Link {
            file_code,
            documents,
        } => {
            let mut result = Err(app::Error::NotFound { what: "document" });
            for document in documents {
                result = app
                    .link_document(
                        &actor,
                        &file_code,
                        domain::ids::DocumentId(document),
                        &operation,
                    )
                    .await;
                if result.is_err() {
                    break;
                }
            }
            result.map(|view| print_view(&view, args.json))
        }
        FilesCommand::Unlink {
            file_code,
            document,
        } => app
            .unlink_document(
                &actor,
                &file_code,
                domain::ids::DocumentId(document),
                &operation,
            )
            .await
            .map(|view| print_view(&view, args.json)),
        FilesCommand::Close { file_code } => app
            .close_work_file(&actor, &file_code, &operation)
            .await
            .map(|view| print_view(&view, args.json)),
        FilesCommand::HandOver { file_code } => app
            .hand_over_work_file(&actor, &file_code, &operation)
            .await
            .map(|view| print_view(&view, args.json)),
        FilesCommand::Show { file_code } => app
            .work_file(&actor, &file_code)
            .await
            .map(|view| print_view(&view, args.json)),
        FilesCommand::List { state } => {
            let state = state
                .as_deref()
                .map(WorkFileState::parse)
                .transpose()
                .map_err(|error| anyhow::anyhow!("--state: {error}"))?;
            app.list_work_files(&actor, state).await.map(|files| {
                if args.json {
                    let items: Vec<_> = files.iter().map(file_json).collect();
                    vec![json!({ "items": items }).to_string()]
                } else {
                    files.iter().map(file_line).collect()
                }
            })
        }
        FilesCommand::Due => {
            let due = app.files_due_for_hand_over(&actor).await;
            if let Ok(files) = &due
                && files.iter().any(|file| file.status.code() == "overdue")
            {
                for line in due_lines(files, args.json) {
                    say(&line)?;
                }
                return Ok(ExitCode::FAILURE);
            }
            due.map(|files| due_lines(&files, args.json))
        }
    };
    finish(result)
}

/// The arguments of `vanthu archive export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// The file code of the closed file.
    file_code: String,
    /// Where to write the package (zip).
    #[arg(short, long)]
    output: PathBuf,
    /// The user in whose name the package is exported (a clerk or archivist).
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: String,
}

/// The arguments of `vanthu archive import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportPackageArgs {
    /// The package (zip).
    package: PathBuf,
    /// The archivist in whose name the package is imported.
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `vanthu archive export`.
pub(crate) async fn export(app: &App, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let actor = app
        .actor_by_username(&args.as_user)
        .await
        .with_context(|| format!("finding the user {:?}", args.as_user))?;
    let package = match app
        .export_work_file(
            &actor,
            &args.file_code,
            &OperationId::new("cli-archive-export"),
        )
        .await
    {
        Ok(package) => package,
        Err(error) => return finish(Err(error)),
    };
    std::fs::write(&args.output, &package.bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    say(&format!(
        "{}\t{}\tsha256 {}\t{} bytes",
        args.output.display(),
        package.objid,
        package.sha256,
        package.bytes.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `vanthu archive import`.
pub(crate) async fn import(app: &App, args: ImportPackageArgs) -> anyhow::Result<ExitCode> {
    let actor = app
        .actor_by_username(&args.as_user)
        .await
        .with_context(|| format!("finding the user {:?}", args.as_user))?;
    let bytes = std::fs::read(&args.package)
        .with_context(|| format!("reading {}", args.package.display()))?;
    let result = app
        .import_package(&actor, bytes, &OperationId::new("cli-archive-import"))
        .await
        .map(|view| print_view(&view, args.json));
    finish(result)
}

fn finish(result: Result<Vec<String>, app::Error>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(lines) => {
            for line in lines {
                say(&line)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("error [{}]: {error}", error.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn file_json(file: &WorkFile) -> serde_json::Value {
    json!({
        "file_code": file.file_code,
        "title": file.title,
        "state": file.state.code(),
        "retention": file.retention.code(),
        "start_date": file.start_date.to_string(),
        "end_date": file.end_date.map(|date| date.to_string()),
        "hand_over_due": file.hand_over_due.map(|date| date.to_string()),
        "doc_total": file.doc_total,
        "page_total": file.page_total,
    })
}

fn file_line(file: &WorkFile) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{} văn bản\t{}",
        file.file_code,
        file.state.label_vi(),
        file.retention.label_vi(),
        file.hand_over_due
            .map(|date| format!("nộp lưu {date}"))
            .unwrap_or_default(),
        file.doc_total,
        file.title
    )
}

fn print_view(view: &app::WorkFileView, json_output: bool) -> Vec<String> {
    if json_output {
        let documents: Vec<_> = view
            .documents
            .iter()
            .map(|document| {
                json!({
                    "document_id": document.document_id.get(),
                    "ordinal": document.ordinal,
                    "number_symbol": document.number_symbol,
                    "subject": document.subject,
                    "page_count": document.page_count,
                    "sha256": document.sha256,
                })
            })
            .collect();
        let mut value = file_json(&view.file);
        value["documents"] = json!(documents);
        return vec![value.to_string()];
    }
    let mut lines = vec![file_line(&view.file)];
    for document in &view.documents {
        lines.push(format!(
            "  {:03}\tdocument {}\t{}\t{}",
            document.ordinal,
            document.document_id,
            document.number_symbol.as_deref().unwrap_or("-"),
            document.subject.as_deref().unwrap_or(&document.file_name)
        ));
    }
    lines
}

fn print_plan(plan: &app::FilePlanView, json_output: bool) -> Vec<String> {
    let item_json = |item: &app::PlanItemView| {
        json!({
            "id": item.id,
            "notation": item.notation,
            "title": item.title,
            "retention": item.retention.code(),
            "creator": item.creator,
        })
    };
    if json_output {
        let headings: Vec<_> = plan
            .headings
            .iter()
            .map(|heading| {
                json!({
                    "numeral": heading.numeral,
                    "title": heading.title,
                    "abbreviation": heading.abbreviation,
                    "items": heading.items.iter().map(item_json).collect::<Vec<_>>(),
                    "sub_headings": heading.sub_headings.iter().map(|sub| json!({
                        "numeral": sub.numeral,
                        "title": sub.title,
                        "items": sub.items.iter().map(item_json).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return vec![
            json!({ "id": plan.id, "year": plan.year, "title": plan.title, "headings": headings })
                .to_string(),
        ];
    }
    let item_line = |item: &app::PlanItemView| {
        format!(
            "    [{}] {}\t{}\t{}\t{}",
            item.id,
            item.notation,
            item.title,
            item.retention.label_vi(),
            item.creator
        )
    };
    let mut lines = vec![plan.title.clone()];
    for heading in &plan.headings {
        lines.push(format!("{}. {}", heading.numeral, heading.title));
        lines.extend(heading.items.iter().map(item_line));
        for sub in &heading.sub_headings {
            lines.push(format!("  {}. {}", sub.numeral, sub.title));
            lines.extend(sub.items.iter().map(item_line));
        }
    }
    lines
}

fn due_lines(files: &[app::DueFile], json_output: bool) -> Vec<String> {
    if json_output {
        let items: Vec<_> = files
            .iter()
            .map(|due| {
                let mut value = file_json(&due.file);
                value["status"] = json!(due.status.code());
                value["due"] = json!(due.due.to_string());
                value
            })
            .collect();
        return vec![json!({ "items": items }).to_string()];
    }
    files
        .iter()
        .map(|due| {
            format!(
                "{}\t{}\t{}\t{}",
                due.file.file_code,
                due.status.label_vi(),
                due.due,
                due.file.title
            )
        })
        .collect()
}
