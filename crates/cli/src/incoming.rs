//! `vanthu incoming …`: handling incoming documents after registration (present, return, assign,
//! reassign, progress, complete), the tracking list with filters, a handler's tasks, a document's
//! history, and the printed registers and routing slip; each acting as a named user
//! (`--as USERNAME`) whose roles decide, exactly as in the API, and audited in that user's name.
//!
//! Output is one tab-separated line per item or `--json`; errors print `[code] message` and the
//! exit status is 1.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use app::{App, AssignInput, AssigneeInput, CompleteInput, Handling, IncomingFilter, OperationId};
use domain::calendar::rfc3339;
use domain::ids::DocumentId;
use serde_json::json;

/// The arguments of `vanthu incoming`.
#[derive(Debug, clap::Args)]
pub(crate) struct IncomingArgs {
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
    command: IncomingCommand,
}

#[derive(Debug, clap::Subcommand)]
enum IncomingCommand {
    /// List incoming documents with their deadlines and overdue flags.
    List {
        /// A state code, e.g. `in_progress`.
        #[arg(long)]
        state: Option<String>,
        /// A handler's username.
        #[arg(long)]
        assignee: Option<String>,
        /// Only overdue documents.
        #[arg(long)]
        overdue: bool,
        /// Only deadlines before this date, `YYYY-MM-DD`.
        #[arg(long)]
        deadline_before: Option<String>,
        /// `incoming` or `secret_incoming`.
        #[arg(long)]
        register: Option<String>,
        /// The register year.
        #[arg(long)]
        year: Option<i32>,
        /// At most this many.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// The open tasks of the `--as` user.
    Tasks,
    /// The public holidays that working-day deadlines skip (the `holidays` table).
    Holidays,
    /// The handling of a document: assignments, deadlines, notes.
    Show {
        /// The document id.
        id: i64,
    },
    /// The document's history (its audit events).
    History {
        /// The document id.
        id: i64,
    },
    /// Present a registered document to a leader (clerk).
    Present {
        /// The document id.
        id: i64,
        /// The leader's username.
        #[arg(long)]
        leader: String,
        /// A note for the leader.
        #[arg(long)]
        note: Option<String>,
    },
    /// Return a received document to its sender (clerk).
    Return {
        /// The document id.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Accept the sender's recall of a document (clerk): the file is withdrawn (edXML 15).
    AcceptRecall {
        /// The document id.
        id: i64,
    },
    /// Refuse the sender's recall (clerk): the document goes back to its state (edXML 16).
    RefuseRecall {
        /// The document id.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Assign a document (leader): `--lead USER[:DAYS|:YYYY-MM-DD]`, `--cooperate …`, `--inform …`.
    Assign(AssignArgs),
    /// Replace the assignment of a document in progress (leader).
    Reassign(AssignArgs),
    /// Record progress (an assigned handler or a leader).
    Progress {
        /// The document id.
        id: i64,
        /// The note.
        #[arg(long)]
        note: String,
    },
    /// Close a document as handled (the lead handler or a leader).
    Complete {
        /// The document id.
        id: i64,
        /// A closing note.
        #[arg(long)]
        note: Option<String>,
        /// The reply's number and symbol.
        #[arg(long)]
        reply: Option<String>,
        /// The reply document's id in this system.
        #[arg(long)]
        reply_document: Option<i64>,
    },
    /// Print a register of a year as PDF: `--kind incoming|secret_incoming|outgoing|secret_outgoing`.
    Register {
        /// The register kind.
        #[arg(long, default_value = "incoming")]
        kind: String,
        /// The year.
        #[arg(long)]
        year: i32,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print a document's routing slip (phiếu giải quyết văn bản đến) as PDF.
    RoutingSlip {
        /// The document id.
        id: i64,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// The arguments of `assign` and `reassign`.
#[derive(Debug, clap::Args)]
struct AssignArgs {
    /// The document id.
    id: i64,
    /// The lead handler: `USER`, `USER:DAYS` (working days) or `USER:YYYY-MM-DD`.
    #[arg(long)]
    lead: String,
    /// A co-operating handler, same form; repeatable.
    #[arg(long)]
    cooperate: Vec<String>,
    /// Someone kept informed, same form; repeatable.
    #[arg(long)]
    inform: Vec<String>,
    /// The direction for the lead handler.
    #[arg(long)]
    note: Option<String>,
    /// `agency` (default) or `unit`.
    #[arg(long)]
    level: Option<String>,
}

/// Runs `vanthu incoming`.
pub(crate) async fn run(app: &App, args: IncomingArgs) -> anyhow::Result<ExitCode> {
    let actor = app
        .actor_by_username(&args.as_user)
        .await
        .with_context(|| format!("finding the user {:?}", args.as_user))?;
    let operation = OperationId::new("cli-incoming");
    let json = args.json;
    let one = |handling: Handling| handling_lines(&handling, json);
    let result = match args.command {
        IncomingCommand::List {
            state,
            assignee,
            overdue,
            deadline_before,
            register,
            year,
            limit,
        } => {
            let filter = IncomingFilter {
                state,
                assignee,
                overdue: overdue.then_some(true),
                deadline_before,
                register,
                year,
                limit,
                offset: None,
            };
            app.track_incoming(&actor, &filter)
                .await
                .map(|documents| documents.iter().map(|d| tracked_line(d, json)).collect())
        }
        IncomingCommand::Holidays => app.holidays(&actor).await.map(|holidays| {
            holidays
                .iter()
                .map(|(date, name, kind)| {
                    if json {
                        json!({ "date": date.to_string(), "name": name, "kind": kind }).to_string()
                    } else {
                        format!("{date}\t{kind}\t{name}")
                    }
                })
                .collect()
        }),
        IncomingCommand::Tasks => app.my_tasks(&actor).await.map(|tasks| {
            tasks
                .iter()
                .map(|task| {
                    let deadline = task.assignment.deadline.map(|d| d.to_string());
                    if json {
                        json!({
                            "document": task.document.id.get(),
                            "role": task.assignment.role.code(),
                            "deadline": deadline,
                            "overdue": task.assignment.overdue,
                            "subject": task.document.subject,
                        })
                        .to_string()
                    } else {
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            task.document.id,
                            task.assignment.role.label_vi(),
                            deadline.unwrap_or_default(),
                            if task.assignment.overdue {
                                "quá hạn"
                            } else {
                                ""
                            },
                            task.document.subject.as_deref().unwrap_or("")
                        )
                    }
                })
                .collect()
        }),
        IncomingCommand::Show { id } => {
            app.incoming_handling(&actor, DocumentId(id)).await.map(one)
        }
        IncomingCommand::History { id } => {
            app.incoming_history(&actor, DocumentId(id))
                .await
                .map(|entries| {
                    entries
                        .iter()
                        .map(|entry| {
                            if json {
                                json!({
                                    "seq": entry.seq,
                                    "at": rfc3339(entry.at),
                                    "actor": entry.actor,
                                    "action": entry.action,
                                    "label": entry.label,
                                    "details": entry.details,
                                })
                                .to_string()
                            } else {
                                format!(
                                    "{}\t{}\t{}\t{}",
                                    rfc3339(entry.at),
                                    entry.actor,
                                    entry.label,
                                    entry.details
                                )
                            }
                        })
                        .collect()
                })
        }
        IncomingCommand::Present { id, leader, note } => app
            .present_incoming(
                &actor,
                DocumentId(id),
                &leader,
                note.as_deref(),
                None,
                &operation,
            )
            .await
            .map(one),
        IncomingCommand::Return { id, reason } => app
            .return_incoming(&actor, DocumentId(id), &reason, None, &operation)
            .await
            .map(one),
        IncomingCommand::AcceptRecall { id } => app
            .accept_recall(&actor, DocumentId(id), None, &operation)
            .await
            .map(one),
        IncomingCommand::RefuseRecall { id, reason } => app
            .refuse_recall(&actor, DocumentId(id), reason.as_deref(), None, &operation)
            .await
            .map(one),
        IncomingCommand::Assign(assign) => {
            let id = DocumentId(assign.id);
            app.assign_incoming(&actor, id, &assign_input(assign), &operation)
                .await
                .map(one)
        }
        IncomingCommand::Reassign(assign) => {
            let id = DocumentId(assign.id);
            app.reassign_incoming(&actor, id, &assign_input(assign), &operation)
                .await
                .map(one)
        }
        IncomingCommand::Progress { id, note } => app
            .record_progress(&actor, DocumentId(id), &note, &operation)
            .await
            .map(one),
        IncomingCommand::Complete {
            id,
            note,
            reply,
            reply_document,
        } => {
            let input = CompleteInput {
                note,
                reply_document_id: reply_document,
                reply_number_symbol: reply,
                expected_version: None,
            };
            app.complete_incoming(&actor, DocumentId(id), &input, &operation)
                .await
                .map(one)
        }
        IncomingCommand::Register { kind, year, output } => {
            match app.register_pdf(&actor, &kind, year).await {
                Ok(bytes) => {
                    std::fs::write(&output, &bytes)
                        .with_context(|| format!("writing {}", output.display()))?;
                    Ok(vec![output.display().to_string()])
                }
                Err(error) => Err(error),
            }
        }
        IncomingCommand::RoutingSlip { id, output } => {
            match app.routing_slip_pdf(&actor, DocumentId(id)).await {
                Ok(bytes) => {
                    std::fs::write(&output, &bytes)
                        .with_context(|| format!("writing {}", output.display()))?;
                    Ok(vec![output.display().to_string()])
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

/// `USER`, `USER:DAYS` or `USER:YYYY-MM-DD`.
fn assignee(spec: &str, note: Option<String>) -> AssigneeInput {
    let (username, deadline) = match spec.split_once(':') {
        Some((username, deadline)) => (username, Some(deadline.trim())),
        None => (spec, None),
    };
    let (deadline, working_days) = match deadline {
        Some(text) => match text.parse::<u32>() {
            Ok(days) => (None, Some(days)),
            Err(_) => (Some(text.to_owned()), None),
        },
        None => (None, None),
    };
    AssigneeInput {
        username: username.trim().to_owned(),
        deadline,
        working_days,
        note,
    }
}

fn assign_input(args: AssignArgs) -> AssignInput {
    AssignInput {
        level: args.level,
        lead: assignee(&args.lead, args.note),
        cooperating: args
            .cooperate
            .iter()
            .map(|spec| assignee(spec, None))
            .collect(),
        information: args
            .inform
            .iter()
            .map(|spec| assignee(spec, None))
            .collect(),
        expected_version: None,
    }
}

fn tracked_line(document: &app::TrackedIncoming, json: bool) -> String {
    let deadline = document.deadline.map(|date| date.to_string());
    if json {
        return json!({
            "id": document.id.get(),
            "arrival_number": document.arrival_number,
            "year": document.year,
            "state": document.state.code(),
            "number_symbol": document.number_symbol,
            "subject": document.subject,
            "deadline": deadline,
            "overdue": document.overdue,
        })
        .to_string();
    }
    format!(
        "{}\t{}/{}\t{}\t{}\t{}\t{}\t{}",
        document.id,
        document.arrival_number,
        document.year,
        document.state.label_vi(),
        document.number_symbol.as_deref().unwrap_or(""),
        deadline.unwrap_or_default(),
        if document.overdue { "quá hạn" } else { "" },
        document.subject.as_deref().unwrap_or("")
    )
}

fn handling_lines(handling: &Handling, json: bool) -> Vec<String> {
    let deadline = handling.deadline.map(|date| date.to_string());
    if json {
        let assignments: Vec<serde_json::Value> = handling
            .assignments
            .iter()
            .map(|a| {
                json!({
                    "role": a.role.code(),
                    "assignee": a.assignee_name,
                    "deadline": a.deadline.map(|date| date.to_string()),
                    "active": a.active,
                    "overdue": a.overdue,
                })
            })
            .collect();
        return vec![
            json!({
                "id": handling.id.get(),
                "state": handling.state.code(),
                "version": handling.version,
                "deadline": deadline,
                "overdue": handling.overdue,
                "assignments": assignments,
            })
            .to_string(),
        ];
    }
    let mut lines = vec![format!(
        "{}\t{}\t{}\t{}",
        handling.id,
        handling.state.label_vi(),
        deadline.unwrap_or_default(),
        if handling.overdue { "quá hạn" } else { "" }
    )];
    for assignment in handling.assignments.iter().filter(|a| a.active) {
        lines.push(format!(
            "  {}\t{}\t{}",
            assignment.role.label_vi(),
            assignment.assignee_name,
            assignment
                .deadline
                .map(|date| date.to_string())
                .unwrap_or_default()
        ));
    }
    lines
}
