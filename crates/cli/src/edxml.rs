//! `vanthu edxml export|import|status|status-export`: edXML packages (QCVN 102:2016) for the
//! national exchange axis, acting as a named user (`--as USERNAME`) whose roles decide.
//!
//! Errors print `[code] message` and the exit status is 1.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use app::{App, OperationId};
use domain::ids::DocumentId;

/// The arguments of `vanthu edxml`.
#[derive(Debug, clap::Args)]
pub(crate) struct EdxmlArgs {
    /// The user in whose name the command runs (a clerk).
    #[arg(
        long = "as",
        value_name = "USERNAME",
        global = true,
        default_value = "vanthu"
    )]
    as_user: String,
    #[command(subcommand)]
    command: EdxmlCommand,
}

#[derive(Debug, clap::Subcommand)]
enum EdxmlCommand {
    /// Write an issued outgoing document as an edXML package.
    Export {
        /// The outgoing document id.
        id: i64,
        /// Where to write the package.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Receive an edXML package addressed to the user's organisation as an incoming document.
    Import {
        /// The package.
        package: PathBuf,
    },
    /// Apply an edXML status message to the deliveries of an issued document.
    Status {
        /// The status message.
        message: PathBuf,
    },
    /// Write the status message (e.g. `--code 03`) of an incoming document for its sender.
    StatusExport {
        /// The incoming document id.
        id: i64,
        /// The status code, `01`…`16`.
        #[arg(long)]
        code: String,
        /// Where to write the message.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Runs `vanthu edxml`.
pub(crate) async fn run(app: &App, args: EdxmlArgs) -> anyhow::Result<ExitCode> {
    let actor = app
        .actor_by_username(&args.as_user)
        .await
        .with_context(|| format!("finding the user {:?}", args.as_user))?;
    let operation = OperationId::new("cli-edxml");
    let read =
        |path: &PathBuf| std::fs::read(path).with_context(|| format!("reading {}", path.display()));
    let write = |path: &PathBuf, bytes: &[u8]| {
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    let result: Result<String, app::Error> = match args.command {
        EdxmlCommand::Export { id, output } => {
            match app.export_edxml(&actor, DocumentId(id), &operation).await {
                Ok(xml) => {
                    write(&output, &xml)?;
                    Ok(output.display().to_string())
                }
                Err(error) => Err(error),
            }
        }
        EdxmlCommand::Import { package } => app
            .import_edxml(&actor, read(&package)?, &operation)
            .await
            .map(|document| {
                format!(
                    "{}\t{}\t{}\t{}",
                    document.id,
                    document.arrival_number,
                    document.number_symbol.as_deref().unwrap_or("-"),
                    document.subject.as_deref().unwrap_or("")
                )
            }),
        EdxmlCommand::Status { message } => app
            .import_edxml_status(&actor, read(&message)?, &operation)
            .await
            .map(|deliveries| {
                deliveries
                    .iter()
                    .map(|delivery| {
                        format!(
                            "{}\t{}\t{}\t{}",
                            delivery.recipient_name,
                            delivery.channel,
                            delivery.status_code,
                            delivery.status_description
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        EdxmlCommand::StatusExport { id, code, output } => {
            match app
                .export_edxml_status(&actor, DocumentId(id), &code, &operation)
                .await
            {
                Ok(xml) => {
                    write(&output, &xml)?;
                    Ok(output.display().to_string())
                }
                Err(error) => Err(error),
            }
        }
    };
    match result {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}").context("writing to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            writeln!(stderr, "[{}] {error}", error.code()).context("writing to stderr")?;
            Ok(ExitCode::FAILURE)
        }
    }
}
