//! `vanthu outgoing …`: the outgoing workflow (draft, submit, review, approve, sign, number, seal,
//! issue, recall) acting as a named user (`--as USERNAME`) whose roles decide, exactly as in the
//! API; every change is audited in that user's name.
//!
//! Output is one tab-separated line per document or delivery, or `--json`; errors print
//! `[code] message` and the exit status is 1.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use app::{App, OperationId, OutgoingDraft, RecipientInput, ReviewKind};
use domain::ids::DocumentId;
use serde_json::json;

/// The arguments of `vanthu outgoing`.
#[derive(Debug, clap::Args)]
pub(crate) struct OutgoingArgs {
    /// The user in whose name the command runs.
    #[arg(
        long = "as",
        value_name = "USERNAME",
        global = true,
        default_value = "vanthu"
    )]
    as_user: String,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: OutgoingCommand,
}

#[derive(Debug, clap::Subcommand)]
enum OutgoingCommand {
    /// Upload a draft: `vanthu outgoing draft PLAN.pdf --type KH --subject … --signer lanhdao
    /// --to 000.00.21.H02 --to "Sở Nội vụ|000.00.22.H02"`.
    Draft {
        /// The unsigned PDF draft.
        file: PathBuf,
        /// The type code, e.g. `KH`.
        #[arg(long = "type")]
        type_code: String,
        /// The subject (trích yếu).
        #[arg(long)]
        subject: String,
        /// The designated signer's username.
        #[arg(long)]
        signer: String,
        /// A recipient: an organisation of this deployment by id or electronic id, or
        /// `NAME|E-ID` (or `NAME`) for an external one; repeatable.
        #[arg(long = "to", required = true)]
        recipients: Vec<String>,
        /// Urgency code.
        #[arg(long)]
        urgency: Option<String>,
        /// Secrecy code.
        #[arg(long)]
        secrecy: Option<String>,
        /// Number of copies.
        #[arg(long)]
        copies: Option<u32>,
    },
    /// List the organisation's outgoing documents.
    List,
    /// Show one document.
    Show {
        /// The document id.
        id: i64,
    },
    /// Show the review history.
    History {
        /// The document id.
        id: i64,
    },
    /// Show the deliveries and their status codes per recipient.
    Deliveries {
        /// The document id.
        id: i64,
    },
    /// Send the draft for review.
    Submit {
        /// The document id.
        id: i64,
    },
    /// Record a content or format check: approve, or `--return` with `--comment`.
    Review {
        /// The document id.
        id: i64,
        /// `content` or `format`.
        #[arg(long)]
        step: String,
        /// Return the draft to its drafter instead of approving.
        #[arg(long = "return")]
        send_back: bool,
        /// The comment (required to return).
        #[arg(long)]
        comment: Option<String>,
    },
    /// Approve the reviewed draft for signature.
    Approve {
        /// The document id.
        id: i64,
        /// A comment.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Refuse to sign and send the draft back.
    Reject {
        /// The document id.
        id: i64,
        /// The reason.
        #[arg(long)]
        comment: String,
    },
    /// Sign with the key the server holds for the user.
    Sign {
        /// The document id.
        id: i64,
    },
    /// Two-phase signing, step 1: write the bytes the signer's token must sign.
    PrepareSignature {
        /// The document id.
        id: i64,
        /// The signer's certificate and its chain (PEM).
        #[arg(long)]
        certificate: PathBuf,
        /// Where to write the bytes to sign (DER; hash with SHA-256).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Two-phase signing, step 2: embed the raw signature made over those bytes.
    FinishSignature {
        /// The document id.
        id: i64,
        /// The raw signature (DER for ECDSA, the bare value for RSA).
        #[arg(long)]
        signature: PathBuf,
    },
    /// Give it the next number and today's date (retrying takes no second number).
    Number {
        /// The document id.
        id: i64,
    },
    /// Apply the agency's signature.
    Seal {
        /// The document id.
        id: i64,
    },
    /// Issue it and deliver it to the recipients of this deployment.
    Issue {
        /// The document id.
        id: i64,
    },
    /// Recall the issued document.
    Recall {
        /// The document id.
        id: i64,
        /// The reason.
        #[arg(long)]
        comment: String,
    },
    /// Write the current file.
    Download {
        /// The document id.
        id: i64,
        /// Where to write it.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Runs `vanthu outgoing`.
pub(crate) async fn run(app: &App, args: OutgoingArgs) -> anyhow::Result<ExitCode> {
    let actor = app
        .actor_by_username(&args.as_user)
        .await
        .with_context(|| format!("finding the user {:?}", args.as_user))?;
    let operation = OperationId::new("cli-outgoing");
    let json = args.json;
    let one = |document: app::OutgoingDocument| vec![document_line(&document, json)];
    let result = match args.command {
        OutgoingCommand::Draft {
            file,
            type_code,
            subject,
            signer,
            recipients,
            urgency,
            secrecy,
            copies,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let draft = OutgoingDraft {
                file_name: file
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes,
                type_code,
                subject,
                recipients: recipients.iter().map(|text| recipient(text)).collect(),
                urgency,
                secrecy,
                signer,
                copies,
            };
            app.create_outgoing(&actor, draft, &operation)
                .await
                .map(one)
        }
        OutgoingCommand::List => app.list_outgoing(&actor).await.map(|documents| {
            documents
                .iter()
                .map(|document| document_line(document, json))
                .collect()
        }),
        OutgoingCommand::Show { id } => app.outgoing(&actor, DocumentId(id)).await.map(one),
        OutgoingCommand::History { id } => {
            app.outgoing_history(&actor, DocumentId(id))
                .await
                .map(|entries| {
                    entries
                        .iter()
                        .map(|entry| {
                            if json {
                                json!({
                                    "step": entry.step,
                                    "actor": entry.actor.get(),
                                    "decision": entry.decision,
                                    "comment": entry.comment,
                                    "at": domain::calendar::rfc3339(entry.at),
                                })
                                .to_string()
                            } else {
                                format!(
                                    "{}\t{}\t{}\t{}\t{}",
                                    domain::calendar::rfc3339(entry.at),
                                    entry.step,
                                    entry.decision,
                                    entry.actor,
                                    entry.comment.as_deref().unwrap_or("")
                                )
                            }
                        })
                        .collect()
                })
        }
        OutgoingCommand::Deliveries { id } => app
            .outgoing_deliveries(&actor, DocumentId(id))
            .await
            .map(|deliveries| delivery_lines(&deliveries, json)),
        OutgoingCommand::Submit { id } => app
            .submit_outgoing(&actor, DocumentId(id), &operation)
            .await
            .map(one),
        OutgoingCommand::Review {
            id,
            step,
            send_back,
            comment,
        } => match ReviewKind::parse(&step) {
            Ok(kind) => app
                .review_outgoing(
                    &actor,
                    DocumentId(id),
                    kind,
                    !send_back,
                    comment,
                    &operation,
                )
                .await
                .map(one),
            Err(error) => Err(error),
        },
        OutgoingCommand::Approve { id, comment } => app
            .approve_outgoing(&actor, DocumentId(id), comment, &operation)
            .await
            .map(one),
        OutgoingCommand::Reject { id, comment } => app
            .reject_outgoing(&actor, DocumentId(id), Some(comment), &operation)
            .await
            .map(one),
        OutgoingCommand::Sign { id } => app
            .sign_outgoing(&actor, DocumentId(id), &operation)
            .await
            .map(one),
        OutgoingCommand::PrepareSignature {
            id,
            certificate,
            output,
        } => {
            let pem = std::fs::read(&certificate)
                .with_context(|| format!("reading {}", certificate.display()))?;
            match app
                .prepare_remote_signature(&actor, DocumentId(id), &pem, &operation)
                .await
            {
                Ok(prepared) => {
                    std::fs::write(&output, &prepared.data_to_sign)
                        .with_context(|| format!("writing {}", output.display()))?;
                    Ok(vec![format!(
                        "{}\t{}",
                        prepared.algorithm,
                        output.display()
                    )])
                }
                Err(error) => Err(error),
            }
        }
        OutgoingCommand::FinishSignature { id, signature } => {
            let raw = std::fs::read(&signature)
                .with_context(|| format!("reading {}", signature.display()))?;
            app.finish_remote_signature(&actor, DocumentId(id), &raw, &operation)
                .await
                .map(one)
        }
        OutgoingCommand::Number { id } => app
            .number_outgoing(&actor, DocumentId(id), &operation)
            .await
            .map(one),
        OutgoingCommand::Seal { id } => app
            .seal_outgoing(&actor, DocumentId(id), &operation)
            .await
            .map(one),
        OutgoingCommand::Issue { id } => app
            .issue_outgoing(&actor, DocumentId(id), &operation)
            .await
            .map(|deliveries| delivery_lines(&deliveries, json)),
        OutgoingCommand::Recall { id, comment } => app
            .recall_outgoing(&actor, DocumentId(id), Some(comment), &operation)
            .await
            .map(one),
        OutgoingCommand::Download { id, output } => {
            match app
                .download_outgoing(&actor, DocumentId(id), &operation)
                .await
            {
                Ok(file) => {
                    std::fs::write(&output, &file.bytes)
                        .with_context(|| format!("writing {}", output.display()))?;
                    Ok(vec![format!("{}\t{}", file.sha256, output.display())])
                }
                Err(error) => Err(error),
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    match result {
        Ok(lines) => {
            for line in lines {
                writeln!(stdout, "{line}").context("writing to stdout")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            writeln!(stderr, "[{}] {error}", error.code()).context("writing to stderr")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `ID` or `E-ID`: an organisation of this deployment; `NAME|E-ID` or `NAME`: an external one.
fn recipient(text: &str) -> RecipientInput {
    let text = text.trim();
    if let Some((name, electronic_id)) = text.split_once('|') {
        return RecipientInput {
            organization: None,
            name: Some(name.trim().to_owned()),
            electronic_id: Some(electronic_id.trim().to_owned()),
        };
    }
    if text.parse::<i64>().is_ok() || domain::organization::ElectronicId::parse(text).is_ok() {
        RecipientInput {
            organization: Some(text.to_owned()),
            ..RecipientInput::default()
        }
    } else {
        RecipientInput {
            name: Some(text.to_owned()),
            ..RecipientInput::default()
        }
    }
}

fn document_line(document: &app::OutgoingDocument, json: bool) -> String {
    if json {
        json!({
            "id": document.id.get(),
            "state": document.state.code(),
            "state_label": document.state.label_vi(),
            "version": document.version,
            "type_code": document.type_code,
            "number_symbol": document.number_symbol,
            "issued_date": document.issued_date.map(|date| date.to_string()),
            "subject": document.subject,
            "secrecy": document.secrecy.code(),
            "sha256": document.sha256,
        })
        .to_string()
    } else {
        format!(
            "{}\t{}\t{}\t{}",
            document.id,
            document.state.code(),
            document.number_symbol.as_deref().unwrap_or("-"),
            document.subject.as_deref().unwrap_or("")
        )
    }
}

fn delivery_lines(deliveries: &[app::Delivery], json: bool) -> Vec<String> {
    deliveries
        .iter()
        .map(|delivery| {
            if json {
                json!({
                    "id": delivery.id,
                    "recipient": delivery.recipient_name,
                    "recipient_e_id": delivery.recipient_e_id,
                    "channel": delivery.channel,
                    "incoming_document_id": delivery.incoming_document_id.map(|id| id.get()),
                    "status_code": delivery.status_code,
                    "status_description": delivery.status_description,
                    "history": delivery.history.iter().map(|(code, _, at)| json!({
                        "code": code,
                        "at": domain::calendar::rfc3339(*at),
                    })).collect::<Vec<_>>(),
                })
                .to_string()
            } else {
                format!(
                    "{}\t{}\t{}\t{}",
                    delivery.recipient_name,
                    delivery.channel,
                    delivery.status_code,
                    delivery.status_description
                )
            }
        })
        .collect()
}
