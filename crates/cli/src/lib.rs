//! The `vanthu` command line: clap definitions plus glue, not a library of its own.
//!
//! Everything runs in-process through [`run`], so tests drive the same code as the binary. Config is
//! loaded here and only here: a TOML file from `--config`, or, without one, the demo configuration
//! under `--data-dir`; then `VANTHU__SECTION__KEY` environment overrides; then it is checked and
//! every problem is reported at once.

mod config;
mod edxml;
mod import;
mod incoming;
mod ocr;
mod outgoing;
mod records;
mod search;
pub mod telemetry;

use std::ffi::OsString;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use app::{App, OperationId, SystemClock};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

/// Vanthu: electronic documents and digital signatures for a ward People's Committee.
#[derive(Debug, Parser)]
#[command(name = "vanthu", version, about)]
pub struct Cli {
    /// Where the demo configuration keeps its database and files.
    #[arg(long, global = true, default_value = "./data", env = "VANTHU_DATA_DIR")]
    data_dir: PathBuf,
    /// A TOML configuration file; without one, Vanthu runs in demo mode under --data-dir.
    #[arg(long, global = true, env = "VANTHU_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web UI and the API.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Regenerate the development PKI (DEV ONLY certificates and keys).
    DevCerts {
        /// The output directory.
        #[arg(long, default_value = "certs-dev")]
        out: PathBuf,
    },
    /// Check every signature of a PDF: exit 0 all passed, 1 any failed, 2 any indeterminate, 3 not a PDF.
    Verify {
        /// The PDF to check.
        input: PathBuf,
        /// A trust root (PEM); repeatable. Without one no chain can be trusted.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Use only the revocation data in the document; no network.
        #[arg(long)]
        offline: bool,
        /// For an encrypted PDF: the environment variable that holds its password.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// Sign a PDF (PAdES): `vanthu sign IN.pdf -o OUT.pdf --p12 KEY.p12 --trust ROOT.pem`.
    Sign(Box<SignArgs>),
    /// Rebuild the full-text search index from the database (stop `vanthu serve` first).
    Reindex,
    /// Search the documents (as the `system` actor, cleared for every secrecy level): filters,
    /// pages, `--csv FILE`, and saved searches (`--save NAME`, `--saved NAME`, `--list-saved`).
    Search(search::SearchArgs),
    /// Register PDFs and PNG/JPEG scans from files or folders (recursively) as incoming
    /// documents, in a clerk's name: `vanthu import --as vanthu ./scans` (exit 1 if any rejected).
    Import(import::ImportArgs),
    /// Recognise the scanned documents waiting for OCR (tesseract, Vietnamese), or show the queue
    /// with --status. `vanthu serve` does this in the background; stop it first, since only the
    /// process that writes the search index makes the new text searchable.
    Ocr(ocr::OcrArgs),
    /// Work files (hồ sơ) and the yearly file plan: `vanthu files plan|open|link|unlink|close|
    /// hand-over|show|list|due --as USERNAME`.
    Files(records::FilesArgs),
    /// edXML packages (QCVN 102:2016): `vanthu edxml export ID -o FILE`, `import FILE`,
    /// `status FILE`, `status-export ID --code 03 -o FILE`, `--as USERNAME`.
    Edxml(edxml::EdxmlArgs),
    /// The outgoing workflow: `vanthu outgoing draft|submit|review|approve|sign|number|seal|
    /// issue|recall|list|show|history|deliveries|download --as USERNAME`.
    Outgoing(outgoing::OutgoingArgs),
    /// Handling incoming documents: `vanthu incoming list|tasks|show|history|present|return|assign|
    /// reassign|progress|complete|register|routing-slip --as USERNAME`.
    Incoming(incoming::IncomingArgs),
    /// Audit trail commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Archive commands.
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ArchiveCommand {
    /// Read back every stored file and check it against its recorded hash (exit 1 when any is
    /// missing or altered); stored files no document refers to are listed, not deleted.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export a closed work file as an archive package (METS, EAD, PREMIS, zipped):
    /// `vanthu archive export FILE_CODE -o PKG.zip`.
    Export(records::ExportArgs),
    /// Import an archive package, refusing it unless every file matches its SHA-256 in PREMIS
    /// and METS: `vanthu archive import PKG.zip`.
    Import(records::ImportPackageArgs),
}

/// The arguments of `vanthu sign`.
#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The PDF to sign; it is never overwritten.
    input: PathBuf,
    /// Where to write the signed PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// A PKCS#12 file with the key and certificate.
    #[arg(
        long,
        conflicts_with = "pkcs11_module",
        required_unless_present = "pkcs11_module"
    )]
    p12: Option<PathBuf>,
    /// The environment variable that holds the PKCS#12 password.
    #[arg(long, default_value = "VANTHU_KEY_PASSWORD")]
    password_env: String,
    /// A PKCS#11 module (the token vendor's `.so`).
    #[arg(long, requires_all = ["token", "key_label"])]
    pkcs11_module: Option<PathBuf>,
    /// The token's label.
    #[arg(long)]
    token: Option<String>,
    /// The key's label on the token.
    #[arg(long)]
    key_label: Option<String>,
    /// The environment variable that holds the token's user PIN.
    #[arg(long, default_value = "VANTHU_KEY_PIN")]
    pin_env: String,
    /// Intermediate certificates (PEM) when the token holds only the signer's certificate.
    #[arg(long)]
    chain: Option<PathBuf>,
    /// For an encrypted PDF: the environment variable that holds its password.
    #[arg(long)]
    pdf_password_env: Option<String>,
    /// A CRL (PEM or DER) of an intermediate CA, for b-lt and b-lta when its distribution point cannot
    /// be reached; repeatable.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// A trust root (PEM) the certificate must chain to; repeatable.
    #[arg(long, required = true)]
    trust: Vec<PathBuf>,
    /// The PAdES level: b-b, b-t, b-lt or b-lta.
    #[arg(long, default_value = "b-b")]
    level: String,
    /// The RFC 3161 time-stamping authority (needed from b-t).
    #[arg(long)]
    tsa: Option<String>,
    /// An OCSP responder overriding the certificates' own (b-lt and b-lta).
    #[arg(long)]
    ocsp: Option<String>,
    /// The signature field: an existing empty field, or the name of a new one.
    #[arg(long)]
    field: Option<String>,
    /// A visible box, `PAGE:X,Y,W,H` in points (origin bottom-left).
    #[arg(long, value_parser = parse_placement)]
    visible: Option<app::signing::Placement>,
    /// The signature image (PNG with transparency) for the visible box.
    #[arg(long, requires = "visible")]
    image: Option<PathBuf>,
    /// `/Reason`.
    #[arg(long)]
    reason: Option<String>,
    /// `/Location`.
    #[arg(long)]
    location: Option<String>,
    /// The hash: sha256, sha384 or sha512.
    #[arg(long, default_value = "sha256")]
    hash: String,
    /// Use RSASSA-PSS for RSA keys.
    #[arg(long)]
    pss: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_placement(text: &str) -> Result<app::signing::Placement, String> {
    let usage = || format!("{text:?} is not PAGE:X,Y,W,H (e.g. 1:350,120,180,80)");
    let (page, numbers) = text.split_once(':').ok_or_else(usage)?;
    let page: usize = page.trim().parse().map_err(|_| usage())?;
    let numbers: Vec<f32> = numbers
        .split(',')
        .map(|number| number.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| usage())?;
    let [x, y, width, height] = numbers.as_slice() else {
        return Err(usage());
    };
    if page == 0 || *width <= 0.0 || *height <= 0.0 {
        return Err(usage());
    }
    Ok(app::signing::Placement {
        page,
        x: *x,
        y: *y,
        width: *width,
        height: *height,
    })
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check that no audit event was changed, removed or reordered and that every signed checkpoint
    /// holds (exit 1 if not).
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export the signature log or the audit trail for an auditor, with a SHA-256 manifest
    /// (FILE.sha256, in `sha256sum` format).
    ///
    /// Runs as the built-in `system` actor with the auditor's rights: the operator of the server
    /// already holds the database credentials, and the export is audited like any other.
    Export {
        /// `csv`, `json` or `xlsx` (XLSX holds both tables, on two sheets).
        #[arg(long, value_parser = ["csv", "json", "xlsx"])]
        format: String,
        /// For CSV and JSON: `signatures` (the signature log) or `events` (the audit trail).
        #[arg(long, value_parser = ["signatures", "events"], default_value = "signatures")]
        what: String,
        /// The first day included, YYYY-MM-DD (Vietnam time).
        #[arg(long)]
        from: Option<String>,
        /// The last day included, YYYY-MM-DD (Vietnam time).
        #[arg(long)]
        to: Option<String>,
        /// Only signature-log rows whose signer subject or serial contains this text (any case).
        #[arg(long)]
        signer: Option<String>,
        /// The file to write; FILE.sha256 is written beside it.
        #[arg(short, long)]
        output: PathBuf,
        /// Overwrite FILE and FILE.sha256 if they exist.
        #[arg(long)]
        force: bool,
        /// The organisation's electronic id (needed only when there are several).
        #[arg(long)]
        organization: Option<String>,
    },
    /// Sign the head of the audit chain with the agency's key (a checkpoint), so that a chain cut
    /// below it cannot go unnoticed. Runs as the built-in `system` actor, like `export`.
    Checkpoint {
        /// The agency's PKCS#12 file.
        #[arg(long)]
        p12: PathBuf,
        /// The environment variable that holds the PKCS#12 password.
        #[arg(long, default_value = "VANTHU_KEY_PASSWORD")]
        password_env: String,
        /// The organisation's electronic id (needed only when there are several).
        #[arg(long)]
        organization: Option<String>,
    },
}

/// Runs the command line `args` (including the program name) to completion.
///
/// # Errors
/// Any failure, with context in plain words; the binary prints it and exits with status 1.
pub async fn run(args: Vec<OsString>) -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            error.print().context("printing the usage")?;
            return Ok(ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)));
        }
    };
    match cli.command {
        Command::Serve { addr } => serve(&cli.data_dir, cli.config.as_deref(), addr).await,
        Command::Migrate => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            app.migrate().await.context("migrating the database")?;
            say(&format!(
                "database schema is up to date ({})",
                app.backend().name()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::DevCerts { out } => {
            let files = app::generate_dev_certificates(&out)
                .with_context(|| format!("writing the dev PKI to {}", out.display()))?;
            say(&format!(
                "wrote {} files of the DEV ONLY PKI to {}",
                files.len(),
                out.display()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sign(args) => sign(&args),
        Command::Verify {
            input,
            trust,
            json,
            offline,
            password_env,
        } => {
            let password = match password_env {
                Some(name) => Some(SecretString::from(
                    std::env::var(&name)
                        .with_context(|| format!("the environment variable {name} is not set"))?,
                )),
                None => None,
            };
            let request = app::verification::VerifyFileRequest {
                input,
                trust,
                offline,
                password,
            };
            let outcome = app::verification::verify_file(&request, app::Clock::now(&SystemClock))
                .map_err(|error| anyhow::anyhow!("[{}] {error}", error.code()))?;
            if json {
                say(&serde_json::to_string_pretty(&outcome.json).context("encoding the report")?)?;
            } else {
                say(&outcome.text)?;
            }
            Ok(ExitCode::from(outcome.exit_code))
        }
        Command::Audit { command } => audit(&cli.data_dir, cli.config.as_deref(), command).await,
        Command::Archive {
            command: ArchiveCommand::Verify { json },
        } => verify_archive(&cli.data_dir, cli.config.as_deref(), json).await,
        Command::Archive {
            command: ArchiveCommand::Export(args),
        } => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            records::export(&app, args).await
        }
        Command::Archive {
            command: ArchiveCommand::Import(args),
        } => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            records::import(&app, args).await
        }
        Command::Files(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            records::files(&app, args).await
        }
        Command::Import(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            import::run(&app, &args).await
        }
        Command::Edxml(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            edxml::run(&app, args).await
        }
        Command::Outgoing(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            outgoing::run(&app, args).await
        }
        Command::Incoming(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            incoming::run(&app, args).await
        }
        Command::Ocr(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            ocr::run(&app, &args).await
        }
        Command::Reindex => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            // Documents registered before text extraction existed get their text first.
            let backfill = app
                .backfill_texts()
                .await
                .context("extracting missing texts")?;
            if backfill.extracted > 0 {
                say(&format!(
                    "texts extracted for {} documents ({} queued for OCR)",
                    backfill.extracted, backfill.queued_for_ocr
                ))?;
            }
            let count = app.reindex().await.context("rebuilding the search index")?;
            say(&format!("search index rebuilt: {count} documents"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(args) => {
            let app = open_app(&cli.data_dir, cli.config.as_deref()).await?;
            search::run(&app, &args).await
        }
    }
}

async fn audit(
    data_dir: &std::path::Path,
    config_file: Option<&std::path::Path>,
    command: AuditCommand,
) -> anyhow::Result<ExitCode> {
    let app = open_app(data_dir, config_file).await?;
    match command {
        AuditCommand::Verify { json } => {
            let report = app
                .verify_audit_chain()
                .await
                .context("reading the audit trail")?;
            if json {
                let value = serde_json::json!({
                    "intact": report.is_intact(),
                    "events": report.events,
                    "head": report.head.to_hex(),
                    "broken": report.broken,
                    "checkpoints": report.checkpoints,
                    "last_checkpoint": report.last_checkpoint,
                });
                say(&value.to_string())?;
            } else if let Some(broken) = &report.broken {
                say(&format!(
                    "audit trail BROKEN after checking {} events: {broken}",
                    report.events
                ))?;
            } else {
                let checkpoints = match report.last_checkpoint {
                    Some(seq) => format!(
                        "{} signed checkpoints hold (the newest at event {seq})",
                        report.checkpoints
                    ),
                    None => "no signed checkpoint yet".to_owned(),
                };
                say(&format!(
                    "audit trail intact: {} events, head {}; {checkpoints}",
                    report.events, report.head
                ))?;
            }
            Ok(if report.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Export {
            format,
            what,
            from,
            to,
            signer,
            output,
            force,
            organization,
        } => {
            let manifest = manifest_path(&output);
            if !force {
                for path in [&output, &manifest] {
                    if path.exists() {
                        anyhow::bail!("{} exists: pass --force to overwrite it", path.display());
                    }
                }
            }
            let format = app::ExportFormat::parse(&format)?;
            let filter = app::AuditExportFilter::parse(
                Some(&what),
                from.as_deref(),
                to.as_deref(),
                signer.as_deref(),
            )?;
            let actor = app
                .system_actor(organization.as_deref())
                .await
                .context("choosing the organisation")?;
            let export = app
                .export_audit(
                    &actor,
                    filter,
                    format,
                    &OperationId::new("cli-audit-export"),
                )
                .await
                .context("exporting the audit trail")?;
            let name = output
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| export.file_name.clone());
            std::fs::write(&output, &export.bytes)
                .with_context(|| format!("writing {}", output.display()))?;
            std::fs::write(&manifest, format!("{}  {name}\n", export.sha256))
                .with_context(|| format!("writing {}", manifest.display()))?;
            say(&format!(
                "wrote {} ({} bytes, sha256 {}) and {}",
                output.display(),
                export.bytes.len(),
                export.sha256,
                manifest.display()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Checkpoint {
            p12,
            password_env,
            organization,
        } => {
            let password = std::env::var(&password_env).with_context(|| {
                format!(
                    "the environment variable {password_env} holding the key's password is not set"
                )
            })?;
            let actor = app
                .system_actor(organization.as_deref())
                .await
                .context("choosing the organisation")?;
            let key = app::signing::KeySource::Pkcs12 {
                path: p12,
                password: SecretString::from(password),
            };
            let checkpoint = app
                .checkpoint_audit(&actor, key, &OperationId::new("cli-audit-checkpoint"))
                .await
                .map_err(|error| anyhow::anyhow!("[{}] {error}", error.code()))?;
            say(&format!(
                "checkpoint signed by {}: event {} with hash {}",
                checkpoint.signer, checkpoint.seq, checkpoint.hash
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How many files are checked between two progress lines.
const PROGRESS_EVERY: u64 = 100;

async fn verify_archive(
    data_dir: &std::path::Path,
    config_file: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let app = open_app(data_dir, config_file).await?;
    let progress = |checked: u64, total: u64| {
        if checked.is_multiple_of(PROGRESS_EVERY) || checked == total {
            // Progress is a courtesy: a closed stderr must not stop the audit.
            let _ = write!(std::io::stderr(), "\rchecked {checked}/{total}");
            if checked == total {
                let _ = writeln!(std::io::stderr());
            }
        }
    };
    let report = app
        .verify_archive_as_system(&progress, &OperationId::new("cli-archive-verify"))
        .await
        .map_err(|error| anyhow::anyhow!("[{}] {error}", error.code()))?;
    if json {
        say(&serde_json::to_string_pretty(&report).context("encoding the report")?)?;
    } else {
        say(&format!(
            "{} files checked: {} intact, {} altered, {} missing, {} unreferenced",
            report.checked,
            report.ok,
            report.altered.len(),
            report.missing.len(),
            report.unreferenced.len()
        ))?;
        for (label, problems) in [("ALTERED", &report.altered), ("MISSING", &report.missing)] {
            for problem in problems {
                say(&format!("{label} {}", problem.sha256))?;
                for (id, name) in problem.document_ids.iter().zip(&problem.file_names) {
                    say(&format!("  document {id}: {name}"))?;
                }
            }
        }
        for sha256 in &report.unreferenced {
            say(&format!("unreferenced {sha256}"))?;
        }
    }
    Ok(if report.intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `FILE.sha256` beside `FILE`.
fn manifest_path(output: &std::path::Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

fn sign(args: &SignArgs) -> anyhow::Result<ExitCode> {
    let secret_from = |name: &str| -> anyhow::Result<SecretString> {
        std::env::var(name)
            .map(SecretString::from)
            .with_context(|| {
                format!("the environment variable {name} holding the secret is not set")
            })
    };
    let key = match (&args.p12, &args.pkcs11_module) {
        (Some(path), _) => app::signing::KeySource::Pkcs12 {
            path: path.clone(),
            password: secret_from(&args.password_env)?,
        },
        (None, Some(module)) => app::signing::KeySource::Pkcs11 {
            module: module.clone(),
            token: args.token.clone().unwrap_or_default(),
            key_label: args.key_label.clone().unwrap_or_default(),
            pin: secret_from(&args.pin_env)?,
            chain: args.chain.clone(),
        },
        (None, None) => anyhow::bail!(
            "name a key: --p12 FILE or --pkcs11-module PATH --token LABEL --key-label LABEL"
        ),
    };
    let hash = match args.hash.as_str() {
        "sha256" => app::signing::HashChoice::Sha256,
        "sha384" => app::signing::HashChoice::Sha384,
        "sha512" => app::signing::HashChoice::Sha512,
        other => anyhow::bail!("unknown hash {other:?}: use sha256, sha384 or sha512"),
    };
    let request = app::signing::SignFileRequest {
        input: args.input.clone(),
        output: args.output.clone(),
        key,
        level: args.level.clone(),
        tsa_url: args.tsa.clone(),
        ocsp_url: args.ocsp.clone(),
        field: args.field.clone(),
        visible: args.visible,
        image: args.image.clone(),
        reason: args.reason.clone(),
        location: args.location.clone(),
        trust: args.trust.clone(),
        crl_files: args.crl.clone(),
        document_password: args
            .pdf_password_env
            .as_deref()
            .map(secret_from)
            .transpose()?,
        preference: app::signing::preference(hash, args.pss),
    };
    let now = app::Clock::now(&SystemClock);
    match app::signing::sign_file(&request, now) {
        Ok(outcome) => {
            if args.json {
                say(&serde_json::json!({"signer": outcome.signer, "level": outcome.level, "bytes": outcome.bytes, "output": args.output}).to_string())?;
            } else {
                say(&format!(
                    "signed {} ({}) by {} -> {}",
                    args.input.display(),
                    outcome.level,
                    outcome.signer,
                    args.output.display()
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("error [{}]: {error}", error.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn open_app(
    data_dir: &std::path::Path,
    config_file: Option<&std::path::Path>,
) -> anyhow::Result<App> {
    let config = config::load(data_dir, config_file)?;
    if config_file.is_none() {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    }
    App::new(config, Arc::new(SystemClock))
        .await
        .context("starting the application")
}

async fn serve(
    data_dir: &std::path::Path,
    config_file: Option<&std::path::Path>,
    addr: SocketAddr,
) -> anyhow::Result<ExitCode> {
    let app = open_app(data_dir, config_file).await?;
    for warning in app.config().danger_warnings() {
        tracing::warn!("{warning}");
        eprintln!("WARNING: {warning}");
    }
    app.migrate().await.context("migrating the database")?;
    let mut lines = Vec::new();
    if app.config().security.danger_allow_demo_data {
        let password = std::env::var("VANTHU_DEMO_PASSWORD").unwrap_or_else(|_| "demo".to_owned());
        let seed = app
            .seed_demo(
                &SecretString::from(password.clone()),
                &OperationId::new("serve-demo-seed"),
            )
            .await
            .context("seeding the demo data")?;
        lines.push("Demo logins (password: VANTHU_DEMO_PASSWORD, default \"demo\"):".to_owned());
        for (username, role) in seed.logins {
            lines.push(format!("  {username:<12} {role:<12} password: {password}"));
        }
        // A second organisation of the deployment, so that issued documents can be delivered.
        app.seed_demo_city(
            &SecretString::from(password.clone()),
            &OperationId::new("serve-demo-seed"),
        )
        .await
        .context("seeding the demo city")?;
        lines.push(format!(
            "  vanthu.tp / lanhdao.tp: the city's clerk and chairman ({})",
            app::DEMO_CITY_ID
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    say(&format!(
        "Vanthu is serving on http://{local}/ (database: {})",
        app.backend().name()
    ))?;
    for line in lines {
        say(&line)?;
    }
    server::serve(listener, app, shutdown_signal())
        .await
        .context("serving HTTP")?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Prints one line of the command's output on stdout.
fn say(line: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").context("writing to stdout")?;
    stdout.flush().context("writing to stdout")
}
