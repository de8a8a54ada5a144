//! `vanthu search`: full-text search with filters and pages, the result list as CSV, and saved
//! searches. It runs as the `system` actor (cleared for every secrecy level of its organisation),
//! or with `--as USERNAME` as that user, with the user's organisation and clearance.
//!
//! - `vanthu search QUERY [--type KH] [--from 2024-01-01] [--to 2024-12-31] [--limit 20]
//!   [--offset 0 | --page 1] [--facets] [--json]`;
//! - `--csv FILE` writes the page as CSV instead (`-` for stdout; up to 1,000 rows);
//! - `--save NAME` saves the query and filters under a name, then runs it; `--saved NAME` runs a
//!   saved search (no QUERY); `--list-saved` and `--delete-saved NAME` manage them. Saved searches
//!   belong to a user, so these need `--as USERNAME`: each user sees only their own.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use app::{App, OperationId, SearchFilters, SearchRequest, SearchResults, TotalRelation};
use serde_json::json;

/// The arguments of `vanthu search`.
#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    /// The query, with or without diacritics; `"…"` for a phrase (not with --saved).
    #[arg(required_unless_present_any = ["saved", "list_saved", "delete_saved"])]
    query: Option<String>,
    /// The organisation's electronic id (needed when there are several; not with --as).
    #[arg(long, conflicts_with = "as_user")]
    organization: Option<String>,
    /// Search as this user (their organisation, clearance and saved searches).
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
    /// Only this document type code, e.g. KH.
    #[arg(long = "type", value_name = "CODE")]
    type_code: Option<String>,
    /// The first issue date included, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// The last issue date included, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// How many hits to show (1–100; up to 1,000 with --csv).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// How many hits to skip.
    #[arg(long, default_value_t = 0, conflicts_with = "page")]
    offset: usize,
    /// The page to show, from 1 (pages of --limit hits).
    #[arg(long)]
    page: Option<std::num::NonZeroUsize>,
    /// Count the matches per type and issuer (the total is then exact).
    #[arg(long)]
    facets: bool,
    /// Print the results as JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Write the page of hits as CSV to this file (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Save the query and filters under this name, then run it.
    #[arg(long, value_name = "NAME", requires = "as_user",
        conflicts_with_all = ["saved", "list_saved", "delete_saved"])]
    save: Option<String>,
    /// Run the saved search of this name.
    #[arg(long, value_name = "NAME", requires = "as_user",
        conflicts_with_all = ["query", "list_saved", "delete_saved"])]
    saved: Option<String>,
    /// List the saved searches.
    #[arg(long, requires = "as_user", conflicts_with_all = ["query", "delete_saved", "csv"])]
    list_saved: bool,
    /// Delete the saved search of this name.
    #[arg(long, value_name = "NAME", requires = "as_user", conflicts_with_all = ["query", "csv"])]
    delete_saved: Option<String>,
}

/// Runs `vanthu search`; an application error is printed with its code (exit status 1).
///
/// # Errors
/// Writing the output or the CSV file failed.
pub(crate) async fn run(app: &App, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    match execute(app, args).await? {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            eprintln!("error [{}]: {error}", error.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn execute(app: &App, args: &SearchArgs) -> anyhow::Result<Result<(), app::Error>> {
    let actor = match &args.as_user {
        Some(username) => app.actor_by_username(username).await,
        None => app.system_search_actor(args.organization.as_deref()).await,
    };
    let actor = match actor {
        Ok(actor) => actor,
        Err(error) => return Ok(Err(error)),
    };
    if args.list_saved {
        let saved = match app.saved_searches(&actor).await {
            Ok(saved) => saved,
            Err(error) => return Ok(Err(error)),
        };
        if args.json {
            let items: Vec<_> = saved.iter().map(saved_json).collect();
            say(&json!({ "items": items }).to_string())?;
        } else {
            for search in &saved {
                say(&format!("{}\t{}", search.name, search.text))?;
            }
        }
        return Ok(Ok(()));
    }
    if let Some(name) = &args.delete_saved {
        let operation = OperationId::new("cli-search-delete-saved");
        if let Err(error) = app.delete_saved_search(&actor, name, &operation).await {
            return Ok(Err(error));
        }
        say(&format!("saved search deleted: {name}"))?;
        return Ok(Ok(()));
    }
    let offset = match args.page {
        Some(page) => (page.get() - 1).saturating_mul(args.limit),
        None => args.offset,
    };
    let (text, filters) = match &args.saved {
        Some(name) => match app.saved_search(&actor, name).await {
            Ok(saved) => (saved.text, saved.filters),
            Err(error) => return Ok(Err(error)),
        },
        None => {
            let filters = match SearchFilters::parse(
                args.type_code.as_deref(),
                args.from.as_deref(),
                args.to.as_deref(),
            ) {
                Ok(filters) => filters,
                Err(error) => return Ok(Err(error)),
            };
            (args.query.clone().unwrap_or_default(), filters)
        }
    };
    if let Some(name) = &args.save {
        let operation = OperationId::new("cli-search-save");
        if let Err(error) = app
            .save_search(&actor, name, &text, &filters, &operation)
            .await
        {
            return Ok(Err(error));
        }
        eprintln!("saved search: {name}");
    }
    let request = SearchRequest {
        text,
        filters,
        limit: args.limit,
        offset,
        facets: args.facets,
    };
    if let Some(path) = &args.csv {
        let operation = OperationId::new("cli-search-export");
        let export = match app.export_search(&actor, &request, &operation).await {
            Ok(export) => export,
            Err(error) => return Ok(Err(error)),
        };
        if path.as_os_str() == "-" {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&export.bytes)
                .context("writing to stdout")?;
            stdout.flush().context("writing to stdout")?;
        } else {
            std::fs::write(path, &export.bytes)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} ({} bytes, sha256 {})",
                path.display(),
                export.bytes.len(),
                export.sha256
            );
        }
        return Ok(Ok(()));
    }
    let results = match app.search(&actor, &request).await {
        Ok(results) => results,
        Err(error) => return Ok(Err(error)),
    };
    if args.json {
        say(&results_json(&results).to_string())?;
    } else {
        let total = match results.total_relation {
            TotalRelation::Exact => format!("{} documents match", results.total),
            TotalRelation::AtLeast => format!("more than {} documents match", results.total),
        };
        say(&total)?;
        for hit in &results.hits {
            say(&format!("{:>8}  {}", hit.id, hit.snippet))?;
        }
        if let Some(facets) = &results.facets {
            for (label, counts) in [("type", &facets.type_code), ("issuer", &facets.issuer)] {
                for (value, count) in counts {
                    say(&format!("{label}\t{value}\t{count}"))?;
                }
            }
        }
    }
    Ok(Ok(()))
}

fn results_json(results: &SearchResults) -> serde_json::Value {
    let mut value = json!({
        "total": results.total,
        "total_relation": match results.total_relation {
            TotalRelation::Exact => "eq",
            TotalRelation::AtLeast => "gte",
        },
        "hits": results.hits.iter().map(|hit| json!({
            "id": hit.id, "score": hit.score, "snippet": hit.snippet,
        })).collect::<Vec<_>>(),
    });
    if let Some(facets) = &results.facets {
        let counts = |counts: &[(String, u64)]| -> Vec<serde_json::Value> {
            counts
                .iter()
                .map(|(value, count)| json!({ "value": value, "count": count }))
                .collect()
        };
        value["facets"] = json!({
            "type": counts(&facets.type_code),
            "issuer": counts(&facets.issuer),
        });
    }
    value
}

fn saved_json(saved: &app::SavedSearch) -> serde_json::Value {
    json!({
        "id": saved.id,
        "name": saved.name,
        "q": saved.text,
        "type": saved.filters.type_code,
        "from": saved.filters.date_from.map(|date| date.to_string()),
        "to": saved.filters.date_to.map(|date| date.to_string()),
    })
}

/// Prints one line on stdout.
fn say(line: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").context("writing to stdout")?;
    stdout.flush().context("writing to stdout")
}
