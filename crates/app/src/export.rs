//! Exports for auditors: the signature log and the audit trail as CSV, JSON or XLSX, each with the
//! SHA-256 of its exact bytes so that the file can be checked after it leaves Vanthu.
//!
//! The formats, fixed here and documented in the README:
//! - **CSV** (RFC 4180): UTF-8 with a byte-order mark so that Excel reads Vietnamese correctly,
//!   CRLF line ends, a header row of Vietnamese column names, fields quoted when they hold a comma,
//!   a quote or a line break (quotes doubled). A text field that a spreadsheet would run as a formula
//!   (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'` (OWASP's CSV
//!   injection advice), since signer names and field names come from uploaded files. One table per
//!   file: the signature log or, with `what = events`, the audit trail.
//! - **JSON**: one object `{"format": "vanthu-audit-export-v1", "what", "organization_id",
//!   "exported_at", "exported_by", "filter", "signatures" | "events"}`, English keys, codes as
//!   codes; an event's `details` is its stored text verbatim, so each event's hash can be recomputed (events
//!   of other organisations and of documents the exporter may not see are left out).
//! - **XLSX**: always two sheets, "Nhật ký chữ ký" (the signature log) and "Nhật ký kiểm toán" (the
//!   audit trail), with the CSV's Vietnamese headers; ids and sequence numbers are numbers, every
//!   other cell is a string (no cell is a formula, whatever the text).
//!
//! Times are RFC 3339 (ISO 8601) in Vietnam time (`+07:00`); the `from` and `to` dates are Vietnam
//! calendar days, both included. Conclusions and reasons are the English codes (`PASSED`,
//! `NO_CERTIFICATE_CHAIN_FOUND`).

use std::fmt::Write as _;

use domain::audit::AuditAction;
use domain::calendar::VIETNAM_OFFSET;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};

use crate::audit::AuditRecord;
use crate::signatures::{SignatureRecord, record_from};
use crate::{Actor, App, Error, FieldIssue, OperationId, Permission, blocking};

/// The JSON export's format tag; a change of shape gets a new tag.
const JSON_FORMAT: &str = "vanthu-audit-export-v1";

/// The most rows a worksheet can hold below its header (Excel's limit is 1,048,576 rows).
const XLSX_MAX_ROWS: usize = 1_048_575;

/// The longest text a cell may hold (Excel's limit, in UTF-16 units).
const XLSX_MAX_CELL: usize = 32_767;

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// RFC 4180 CSV, UTF-8 with a byte-order mark.
    Csv,
    /// A JSON document.
    Json,
    /// An Excel workbook with two sheets.
    Xlsx,
}

impl ExportFormat {
    /// Parses `csv`, `json` or `xlsx`.
    ///
    /// # Errors
    /// `Error::Validation` on the field `format` for anything else.
    pub fn parse(text: &str) -> Result<ExportFormat, Error> {
        match text {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(Error::invalid(
                "format",
                format!("unknown format {other:?}: use csv, json or xlsx"),
            )),
        }
    }

    /// The file extension, which is also the code.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The media type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// Which table a CSV or JSON export holds (an XLSX export always holds both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportContent {
    /// The signature log (the default).
    #[default]
    Signatures,
    /// The audit trail.
    Events,
}

impl ExportContent {
    /// Parses `signatures` or `events`.
    ///
    /// # Errors
    /// `Error::Validation` on the field `what` for anything else.
    pub fn parse(text: &str) -> Result<ExportContent, Error> {
        match text {
            "signatures" => Ok(ExportContent::Signatures),
            "events" => Ok(ExportContent::Events),
            other => Err(Error::invalid(
                "what",
                format!("unknown content {other:?}: use signatures or events"),
            )),
        }
    }

    /// `signatures` or `events`.
    pub fn code(self) -> &'static str {
        match self {
            ExportContent::Signatures => "signatures",
            ExportContent::Events => "events",
        }
    }
}

/// What to export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditExportFilter {
    /// The first Vietnam calendar day included.
    pub from: Option<Date>,
    /// The last Vietnam calendar day included.
    pub to: Option<Date>,
    /// Only signature-log rows whose signer subject or serial contains this text (any case).
    pub signer: Option<String>,
    /// The table of a CSV or JSON export.
    pub what: ExportContent,
}

impl AuditExportFilter {
    /// Builds a filter from text as typed (`YYYY-MM-DD` dates), reporting every problem at once.
    ///
    /// # Errors
    /// `Error::Validation` naming each bad field (`what`, `from`, `to`), and `to` before `from`.
    pub fn parse(
        what: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        signer: Option<&str>,
    ) -> Result<AuditExportFilter, Error> {
        let mut issues = Vec::new();
        let what = keep(&mut issues, what.map(ExportContent::parse).transpose()).flatten();
        let from = keep(
            &mut issues,
            from.map(|text| parse_date("from", text)).transpose(),
        )
        .flatten();
        let to = keep(
            &mut issues,
            to.map(|text| parse_date("to", text)).transpose(),
        )
        .flatten();
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            issues.push(FieldIssue {
                field: "to",
                message: format!("{to} is before {from}"),
            });
        }
        if !issues.is_empty() {
            return Err(Error::Validation { issues });
        }
        Ok(AuditExportFilter {
            from,
            to,
            signer: signer
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned),
            what: what.unwrap_or_default(),
        })
    }
}

/// An exported file.
#[derive(Clone, Debug)]
pub struct Export {
    /// A file name such as `vanthu-signatures-2026-03-15.csv`.
    pub file_name: String,
    /// The media type.
    pub content_type: &'static str,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, 64 lowercase hex digits: the manifest.
    pub sha256: String,
}

/// One event of the audit trail as exported.
#[derive(Debug)]
struct EventRow {
    seq: i64,
    at: OffsetDateTime,
    organization_id: Option<i64>,
    actor: String,
    action: String,
    target: String,
    details: String,
    operation_id: Option<String>,
    prev_hash: String,
    hash: String,
}

/// Everything an export is made from, read before the file is built.
#[derive(Debug)]
struct ExportData {
    signatures: Vec<SignatureRecord>,
    events: Vec<EventRow>,
    filter: AuditExportFilter,
    organization_id: i64,
    exported_at: OffsetDateTime,
    exported_by: String,
}

impl App {
    /// Exports the actor's organisation's signature log or audit trail (and both in XLSX), and
    /// audits the export with the file's SHA-256.
    ///
    /// The audit trail part holds the organisation's events and those tied to no organisation
    /// (failed logins with an unknown username).
    ///
    /// # Errors
    /// `Forbidden` unless an auditor; `Validation` when the XLSX would exceed a
    /// worksheet's row limit (narrow the dates).
    #[tracing::instrument(skip_all, fields(user = %actor.username, format = format.extension()))]
    pub async fn export_audit(
        &self,
        actor: &Actor,
        filter: AuditExportFilter,
        format: ExportFormat,
        operation: &OperationId,
    ) -> Result<Export, Error> {
        actor.require(Permission::ExportAudit)?;
        let from = filter.from.map(vietnam_midnight);
        let until = filter.to.and_then(|to| to.next_day()).map(vietnam_midnight);
        let wants_signatures =
            format == ExportFormat::Xlsx || filter.what == ExportContent::Signatures;
        let wants_events = format == ExportFormat::Xlsx || filter.what == ExportContent::Events;
        // Secret documents stay out of an export made by someone not cleared for them, as they stay
        // out of every list (DESIGN.md §5).
        let hidden =
            db::documents::hidden_from(&self.db, actor.organization_id, actor.clearance).await?;
        let signatures = if wants_signatures {
            db::signature_log::list(
                &self.db,
                &db::signature_log::Filter {
                    organization: actor.organization_id,
                    from,
                    until,
                    signer: filter.signer.as_deref(),
                },
            )
            .await?
            .into_iter()
            .filter(|row| row.document_id.is_none_or(|id| !hidden.contains(&id)))
            .map(record_from)
            .collect()
        } else {
            Vec::new()
        };
        let events = if wants_events {
            db::audit::events_of_organization(&self.db, actor.organization_id, from, until)
                .await?
                .into_iter()
                .filter(|stored| {
                    let document = stored
                        .event
                        .target
                        .strip_prefix("document:")
                        .and_then(|id| id.parse().ok());
                    document.is_none_or(|id| !hidden.contains(&domain::ids::DocumentId(id)))
                })
                .map(|stored| EventRow {
                    seq: stored.event.seq,
                    at: stored.event.at,
                    organization_id: stored.organization_id.map(|id| id.get()),
                    actor: stored.event.actor,
                    action: stored.event.action,
                    target: stored.event.target,
                    details: stored.event.details,
                    operation_id: stored.operation_id,
                    prev_hash: stored.event.prev_hash.to_hex(),
                    hash: stored.hash.to_hex(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let now = self.clock.now();
        let rows = (signatures.len(), events.len());
        let data = ExportData {
            signatures,
            events,
            filter: filter.clone(),
            organization_id: actor.organization_id.get(),
            exported_at: now,
            exported_by: actor.username.as_str().to_owned(),
        };
        let export = blocking(move || build(&data, format)).await??;

        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::AuditExported,
                target: &format!("organization:{}", actor.organization_id),
                details: serde_json::json!({
                    "format": format.extension(),
                    "what": if format == ExportFormat::Xlsx { "both" } else { filter.what.code() },
                    "from": filter.from.map(|date| date.to_string()),
                    "to": filter.to.map(|date| date.to_string()),
                    "signer": filter.signer,
                    "signatures": rows.0,
                    "events": rows.1,
                    "file_name": export.file_name,
                    "sha256": export.sha256,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(sha256 = %export.sha256, bytes = export.bytes.len(), "audit exported");
        Ok(export)
    }
}

/// Builds the file and its manifest.
fn build(data: &ExportData, format: ExportFormat) -> Result<Export, Error> {
    let bytes = match format {
        ExportFormat::Csv => match data.filter.what {
            ExportContent::Signatures => csv(&SIGNATURE_HEADERS, signature_cells(&data.signatures)),
            ExportContent::Events => csv(&EVENT_HEADERS, event_cells(&data.events)),
        },
        ExportFormat::Json => json(data)?,
        ExportFormat::Xlsx => xlsx(data)?,
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let what = match format {
        ExportFormat::Xlsx => "audit",
        ExportFormat::Csv | ExportFormat::Json => data.filter.what.code(),
    };
    let day = data.exported_at.to_offset(VIETNAM_OFFSET).date();
    Ok(Export {
        file_name: format!("vanthu-{what}-{day}.{}", format.extension()),
        content_type: format.content_type(),
        bytes,
        sha256,
    })
}

/// The signature log's columns, in Vietnamese (the JSON keys in the same order are in
/// [`signature_json`]).
const SIGNATURE_HEADERS: [&str; 18] = [
    "Mã bản ghi",
    "Thời điểm kiểm tra",
    "Nguồn",
    "Người kiểm tra",
    "Mã văn bản",
    "SHA-256 của tệp",
    "Trường chữ ký",
    "Dấu thời gian tài liệu",
    "Người ký",
    "Tổ chức cấp chứng thư",
    "Số hiệu chứng thư",
    "Thời điểm ký",
    "Thời điểm dấu thời gian",
    "Thuật toán",
    "Mức PAdES",
    "Tình trạng thu hồi",
    "Kết luận",
    "Lý do",
];

/// The audit trail's columns, in Vietnamese.
const EVENT_HEADERS: [&str; 10] = [
    "Số thứ tự",
    "Thời điểm",
    "Mã tổ chức",
    "Người thực hiện",
    "Hành động",
    "Đối tượng",
    "Chi tiết",
    "Mã thao tác",
    "Hash trước",
    "Hash",
];

fn signature_cells(rows: &[SignatureRecord]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                row.id.to_string(),
                time_text(row.checked_at),
                row.origin.to_owned(),
                row.checked_by.clone(),
                row.document_id.map(|id| id.to_string()).unwrap_or_default(),
                row.blob_sha256.clone(),
                row.field.clone(),
                row.is_document_timestamp.to_string(),
                row.signer_subject.clone().unwrap_or_default(),
                row.signer_issuer.clone().unwrap_or_default(),
                row.signer_serial.clone().unwrap_or_default(),
                row.signing_time.map(time_text).unwrap_or_default(),
                row.timestamp_time.map(time_text).unwrap_or_default(),
                row.algorithm.clone().unwrap_or_default(),
                row.level.clone().unwrap_or_default(),
                row.revocation.clone().unwrap_or_default(),
                row.conclusion.clone(),
                row.reasons.join(","),
            ]
        })
        .collect()
}

fn event_cells(rows: &[EventRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            vec![
                row.seq.to_string(),
                time_text(row.at),
                row.organization_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                row.actor.clone(),
                row.action.clone(),
                row.target.clone(),
                row.details.clone(),
                row.operation_id.clone().unwrap_or_default(),
                row.prev_hash.clone(),
                row.hash.clone(),
            ]
        })
        .collect()
}

/// RFC 4180 CSV with a UTF-8 byte-order mark and CRLF line ends.
pub(crate) fn csv(headers: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut text = String::from("\u{feff}");
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut first = true;
        for cell in cells {
            if !first {
                text.push(',');
            }
            first = false;
            text.push_str(&csv_field(cell));
        }
        text.push_str("\r\n");
    };
    line(&mut headers.iter().copied());
    for row in &rows {
        line(&mut row.iter().map(String::as_str));
    }
    text.into_bytes()
}

/// One CSV field: defused against formula injection, then quoted when RFC 4180 requires it.
fn csv_field(value: &str) -> String {
    let defused;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        defused = format!("'{value}");
        defused.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn json(data: &ExportData) -> Result<Vec<u8>, Error> {
    let mut document = serde_json::json!({
        "format": JSON_FORMAT,
        "what": data.filter.what.code(),
        "organization_id": data.organization_id,
        "exported_at": time_text(data.exported_at),
        "exported_by": data.exported_by,
        "filter": {
            "from": data.filter.from.map(|date| date.to_string()),
            "to": data.filter.to.map(|date| date.to_string()),
            "signer": data.filter.signer,
        },
    });
    match data.filter.what {
        ExportContent::Signatures => {
            document["signatures"] = data.signatures.iter().map(signature_json).collect();
        }
        ExportContent::Events => {
            document["events"] = data.events.iter().map(event_json).collect();
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&document).map_err(|error| Error::Internal {
        reason: format!("encoding the export: {error}"),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn signature_json(row: &SignatureRecord) -> serde_json::Value {
    serde_json::json!({
        "id": row.id,
        "checked_at": time_text(row.checked_at),
        "origin": row.origin,
        "checked_by": row.checked_by,
        "document_id": row.document_id.map(|id| id.get()),
        "blob_sha256": row.blob_sha256,
        "field": row.field,
        "is_document_timestamp": row.is_document_timestamp,
        "signer_subject": row.signer_subject,
        "signer_issuer": row.signer_issuer,
        "signer_serial": row.signer_serial,
        "signing_time": row.signing_time.map(time_text),
        "timestamp_time": row.timestamp_time.map(time_text),
        "algorithm": row.algorithm,
        "level": row.level,
        "revocation": row.revocation,
        "revocation_evidence": row.revocation_evidence,
        "conclusion": row.conclusion,
        "reasons": row.reasons,
        "certificate": row.certificate,
        "chain": row.chain,
    })
}

fn event_json(row: &EventRow) -> serde_json::Value {
    serde_json::json!({
        "seq": row.seq,
        "at": time_text(row.at),
        "organization_id": row.organization_id,
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "details": row.details,
        "operation_id": row.operation_id,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    })
}

fn xlsx(data: &ExportData) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

    let too_many = |what: &str, rows: usize| {
        Error::invalid(
            "to",
            format!("{rows} {what} rows exceed a worksheet's {XLSX_MAX_ROWS}: export fewer days"),
        )
    };
    if data.signatures.len() > XLSX_MAX_ROWS {
        return Err(too_many("signature", data.signatures.len()));
    }
    if data.events.len() > XLSX_MAX_ROWS {
        return Err(too_many("event", data.events.len()));
    }
    let internal = |error: rust_xlsxwriter::XlsxError| Error::Internal {
        reason: format!("writing the workbook: {error}"),
    };
    let mut workbook = Workbook::new();
    // The creation time comes from the application clock, so the file depends on nothing else.
    let created =
        ExcelDateTime::from_timestamp(data.exported_at.unix_timestamp()).map_err(internal)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Vanthu: nhật ký chữ ký và nhật ký kiểm toán")
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    let sheets = [
        Sheet {
            name: "Nhật ký chữ ký",
            headers: &SIGNATURE_HEADERS,
            numeric: &[0, 4],
            rows: signature_cells(&data.signatures),
        },
        Sheet {
            name: "Nhật ký kiểm toán",
            headers: &EVENT_HEADERS,
            numeric: &[0, 2],
            rows: event_cells(&data.events),
        },
    ];
    for Sheet {
        name,
        headers,
        numeric,
        rows,
    } in sheets
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(internal)?;
        for (column, header) in (0u16..).zip(headers.iter()) {
            sheet
                .write_string_with_format(0, column, *header, &bold)
                .map_err(internal)?;
            sheet.set_column_width(column, 22).map_err(internal)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(internal)?;
        for (row, cells) in (1u32..).zip(rows) {
            for (column, cell) in (0u16..).zip(cells) {
                if cell.is_empty() {
                    continue;
                }
                match cell.parse::<i64>() {
                    // An i64 id is exact in an f64 below 2^53, far beyond any row count here.
                    Ok(number) if numeric.contains(&column) => {
                        sheet
                            .write_number(row, column, number as f64)
                            .map_err(internal)?;
                    }
                    _ => {
                        sheet
                            .write_string(row, column, fit_cell(cell))
                            .map_err(internal)?;
                    }
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(internal)
}

/// One worksheet of the XLSX export.
struct Sheet {
    name: &'static str,
    headers: &'static [&'static str],
    /// The columns written as numbers (ids and sequence numbers), so that a spreadsheet sorts them
    /// as such; every other cell is a string.
    numeric: &'static [u16],
    rows: Vec<Vec<String>>,
}

/// Cuts a text to what a cell can hold, marking the cut.
fn fit_cell(text: String) -> String {
    if text.encode_utf16().count() <= XLSX_MAX_CELL {
        return text;
    }
    let mut kept = String::new();
    let mut units = 0;
    for character in text.chars() {
        units += character.len_utf16();
        if units > XLSX_MAX_CELL - 1 {
            break;
        }
        kept.push(character);
    }
    kept.push('…');
    kept
}

/// The start of a Vietnam calendar day.
fn vietnam_midnight(date: Date) -> OffsetDateTime {
    date.with_time(Time::MIDNIGHT).assume_offset(VIETNAM_OFFSET)
}

/// RFC 3339 in Vietnam time.
fn time_text(at: OffsetDateTime) -> String {
    let local = at.to_offset(VIETNAM_OFFSET);
    local.format(&Rfc3339).unwrap_or_else(|_| {
        let mut text = String::new();
        let _ = write!(text, "{local}");
        text
    })
}

/// The value, or `None` with the validation issues added to `issues`.
fn keep<T>(issues: &mut Vec<FieldIssue>, result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::Validation { issues: found }) => {
            issues.extend(found);
            None
        }
        Err(_) => None,
    }
}

pub(crate) fn parse_date(field: &'static str, text: &str) -> Result<Date, Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).map_err(|_| {
        Error::invalid(
            field,
            format!("{text:?} is not a date in the form YYYY-MM-DD"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_follow_rfc_4180_and_defuse_formulas() {
        assert_eq!(csv_field("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn csv_starts_with_a_bom_and_ends_lines_with_crlf() {
        let bytes = csv(&["A", "B"], vec![vec!["1".to_owned(), "x,y".to_owned()]]);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}A,B\r\n1,\"x,y\"\r\n"
        );
    }

    #[test]
    fn filters_report_every_bad_field_at_once() {
        let Err(Error::Validation { issues }) =
            AuditExportFilter::parse(Some("all"), Some("2026-13-01"), Some("yesterday"), None)
        else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = issues.iter().map(|issue| issue.field).collect();
        assert_eq!(fields, ["what", "from", "to"]);
        let Err(Error::Validation { issues }) =
            AuditExportFilter::parse(None, Some("2026-03-15"), Some("2026-03-01"), None)
        else {
            panic!("expected a validation error")
        };
        assert_eq!(issues[0].field, "to");
        let filter =
            AuditExportFilter::parse(None, Some("2026-03-01"), None, Some("  An ")).unwrap();
        assert_eq!(filter.what, ExportContent::Signatures);
        assert_eq!(filter.signer.as_deref(), Some("An"));
    }

    #[test]
    fn times_are_vietnam_time_and_days_start_at_vietnam_midnight() {
        let at = time::macros::datetime!(2026-03-15 02:00 UTC);
        assert_eq!(time_text(at), "2026-03-15T09:00:00+07:00");
        assert_eq!(
            vietnam_midnight(time::macros::date!(2026 - 03 - 15)),
            time::macros::datetime!(2026-03-14 17:00 UTC)
        );
    }

    #[test]
    fn long_cells_are_cut_with_a_mark() {
        let text = "ế".repeat(40_000);
        let cut = fit_cell(text);
        assert_eq!(cut.encode_utf16().count(), XLSX_MAX_CELL);
        assert!(cut.ends_with('…'));
    }
}
