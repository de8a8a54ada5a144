//! The printable registers and the routing slip (Decree 30/2020 Phụ lục IV): the incoming register
//! (§VI, ten columns), the outgoing register (§I, ten columns) and the phiếu giải quyết văn bản
//! đến (§VII, three blocks), rendered by `pdf::report` in Vietnamese (NFC) off the executor.
//!
//! The registers list only what the reader may see: the organisation's own documents at or below
//! the reader's clearance, so a secret register printed by someone not cleared is empty.

use std::collections::HashMap;

use domain::calendar::{format_vn_date, vietnam_date};
use domain::document_type::DocumentType;
use domain::ids::{DocumentId, UserId};
use domain::register::RegisterKind;
use unicode_normalization::UnicodeNormalization as _;

use crate::handling::{DirectionLevel, HandlingRole};
use crate::{Actor, App, Error, Permission, blocking};

/// The columns of the incoming register, Phụ lục IV §VI, with their relative widths.
pub const INCOMING_REGISTER_COLUMNS: [(&str, f32); 10] = [
    ("Ngày đến", 1.0),
    ("Số đến", 0.7),
    ("Tác giả", 1.8),
    ("Số, ký hiệu", 1.3),
    ("Ngày tháng văn bản", 1.0),
    ("Tên loại và trích yếu", 3.2),
    ("Đơn vị hoặc người nhận", 1.8),
    ("Ngày chuyển", 1.0),
    ("Ký nhận", 1.0),
    ("Ghi chú", 1.4),
];

/// The columns of the outgoing register, Phụ lục IV §I, with their relative widths.
pub const OUTGOING_REGISTER_COLUMNS: [(&str, f32); 10] = [
    ("Số, ký hiệu", 1.3),
    ("Ngày tháng văn bản", 1.0),
    ("Tên loại và trích yếu", 3.2),
    ("Người ký", 1.5),
    ("Nơi nhận", 2.0),
    ("Đơn vị, người nhận bản lưu", 1.5),
    ("Số lượng bản", 0.8),
    ("Ngày chuyển", 1.0),
    ("Ký nhận", 1.0),
    ("Ghi chú", 1.2),
];

impl App {
    /// A register of `year` as PDF: `incoming`, `secret_incoming`, `outgoing` or
    /// `secret_outgoing`.
    ///
    /// # Errors
    /// `Forbidden` unless a role that prints registers; `NotFound` for another register kind or a
    /// year outside 1900–9999.
    pub async fn register_pdf(
        &self,
        actor: &Actor,
        kind: &str,
        year: i32,
    ) -> Result<Vec<u8>, Error> {
        actor.require(Permission::PrintRegisters)?;
        if !(1900..=9999).contains(&year) {
            return Err(Error::NotFound { what: "register" });
        }
        let kind = RegisterKind::parse(kind).map_err(|_| Error::NotFound { what: "register" })?;
        let organization = db::organizations::find(&self.db, actor.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let heading = [organization.profile.name.to_uppercase()];
        let (title, columns, rows) = match kind {
            RegisterKind::Incoming | RegisterKind::SecretIncoming => (
                "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
                &INCOMING_REGISTER_COLUMNS,
                self.incoming_register_rows(actor, kind, year).await?,
            ),
            RegisterKind::Outgoing | RegisterKind::SecretOutgoing => (
                "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
                &OUTGOING_REGISTER_COLUMNS,
                self.outgoing_register_rows(actor, kind, year).await?,
            ),
            RegisterKind::Copies | RegisterKind::AdvisoryBody => {
                return Err(Error::NotFound { what: "register" });
            }
        };
        let subtitle = match kind {
            RegisterKind::SecretIncoming | RegisterKind::SecretOutgoing => {
                format!("Sổ văn bản mật - Năm {year}")
            }
            _ => format!("Năm {year}"),
        };
        let report = pdf::report::TableReport {
            heading: heading.iter().map(|line| nfc(line)).collect(),
            title: title.to_owned(),
            subtitle: Some(subtitle),
            columns: columns
                .iter()
                .map(|(header, weight)| pdf::report::Column {
                    header: (*header).to_owned(),
                    weight: *weight,
                })
                .collect(),
            rows,
            landscape: true,
        };
        Ok(blocking(move || pdf::report::render_table(&report)).await??)
    }

    /// The routing slip (phiếu giải quyết văn bản đến) of an incoming document as PDF.
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents; `NotFound`.
    pub async fn routing_slip_pdf(&self, actor: &Actor, id: DocumentId) -> Result<Vec<u8>, Error> {
        actor.require(Permission::ListIncoming)?;
        let handling = self.incoming_handling(actor, id).await?;
        let document = db::documents::find_incoming(&self.db, id)
            .await?
            .ok_or(Error::NotFound { what: "document" })?;
        let organization = db::organizations::find(&self.db, actor.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let date = |at: time::OffsetDateTime| format_vn_date(vietnam_date(at));
        let deadline = |deadline: Option<time::Date>| {
            deadline.map_or_else(String::new, |date| {
                format!(", hạn giải quyết: {}", format_vn_date(date))
            })
        };
        let mut subtitle = vec![format!(
            "Số đến: {}, ngày đến: {}",
            document.arrival_number,
            date(document.arrived_at)
        )];
        subtitle.push(format!(
            "Văn bản số {} ngày {} của {}",
            document.number_symbol.as_deref().unwrap_or("…"),
            document
                .issued_date
                .map_or_else(|| "…".to_owned(), format_vn_date),
            document.issuer_name.as_deref().unwrap_or("…"),
        ));
        if let Some(subject) = &document.subject {
            subtitle.push(format!("Trích yếu: {subject}"));
        }

        let current: Vec<_> = handling
            .assignments
            .iter()
            .filter(|assignment| assignment.revoked_at.is_none())
            .collect();
        let mut agency = Vec::new();
        let mut directed_at = None;
        let mut directed_by = None;
        for assignment in current.iter().filter(|a| a.level == DirectionLevel::Agency) {
            let role = match assignment.role {
                HandlingRole::Lead => "Đơn vị, người chủ trì",
                HandlingRole::Cooperate => "Đơn vị, người phối hợp",
                HandlingRole::Information => "Để biết",
            };
            agency.push(format!(
                "- {role}: {}{}",
                assignment.assignee_name,
                deadline(assignment.deadline)
            ));
            if let Some(note) = &assignment.directive_note {
                agency.push(format!("  Ý kiến: {note}"));
            }
            directed_at.get_or_insert(assignment.assigned_at);
            directed_by.get_or_insert(assignment.assigned_by_name.clone());
        }
        if agency.is_empty() {
            agency.push("…".to_owned());
        }
        agency.push(format!(
            "Ngày: {}    Người chỉ đạo: {}",
            directed_at.map_or_else(|| "…".to_owned(), date),
            directed_by.unwrap_or_else(|| "…".to_owned())
        ));
        let mut unit: Vec<String> = current
            .iter()
            .filter(|assignment| assignment.level == DirectionLevel::Unit)
            .map(|assignment| {
                format!(
                    "- Giao {} ({}){}, ngày {}{}",
                    assignment.assignee_name,
                    assignment.role.label_vi(),
                    deadline(assignment.deadline),
                    date(assignment.assigned_at),
                    assignment
                        .directive_note
                        .as_deref()
                        .map_or_else(String::new, |note| format!(": {note}"))
                )
            })
            .collect();
        if unit.is_empty() {
            unit.push("…".to_owned());
        }
        let mut proposals: Vec<String> = handling
            .notes
            .iter()
            .map(|note| format!("- {} ({}): {}", note.author_name, date(note.at), note.note))
            .collect();
        if let Some(reply) = &handling.reply_number_symbol {
            proposals.push(format!("Văn bản trả lời số: {reply}"));
        }
        if proposals.is_empty() {
            proposals.push("…".to_owned());
        }
        let report = pdf::report::FormReport {
            heading: vec![nfc(&organization.profile.name.to_uppercase())],
            title: "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN".to_owned(),
            subtitle: subtitle.iter().map(|line| nfc(line)).collect(),
            blocks: vec![
                pdf::report::FormBlock {
                    title: "1. Ý kiến chỉ đạo của lãnh đạo cơ quan, tổ chức".to_owned(),
                    lines: agency.iter().map(|line| nfc(line)).collect(),
                },
                pdf::report::FormBlock {
                    title: "2. Ý kiến của lãnh đạo đơn vị".to_owned(),
                    lines: unit.iter().map(|line| nfc(line)).collect(),
                },
                pdf::report::FormBlock {
                    title: "3. Ý kiến đề xuất của người giải quyết".to_owned(),
                    lines: proposals.iter().map(|line| nfc(line)).collect(),
                },
            ],
        };
        Ok(blocking(move || pdf::report::render_form(&report)).await??)
    }

    async fn incoming_register_rows(
        &self,
        actor: &Actor,
        kind: RegisterKind,
        year: i32,
    ) -> Result<Vec<Vec<String>>, Error> {
        let rows = db::handling::tracking(
            &self.db,
            &db::handling::TrackingFilter {
                organization: actor.organization_id,
                clearance: actor.clearance,
                states: Vec::new(),
                assignee: None,
                deadline_before: None,
                register: Some(kind),
                year: Some(year),
                register_order: true,
                limit: 200_000,
                offset: 0,
            },
        )
        .await?;
        let ids: Vec<DocumentId> = rows.iter().map(|row| row.id).collect();
        let assignments = db::handling::assignments_of(&self.db, &ids).await?;
        let mut by_document: HashMap<DocumentId, Vec<&db::handling::Assignment>> = HashMap::new();
        for assignment in assignments.iter().filter(|a| a.revoked_at.is_none()) {
            by_document
                .entry(assignment.document_id)
                .or_default()
                .push(assignment);
        }
        Ok(rows
            .iter()
            .map(|row| {
                let current = by_document.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
                let lead = current.iter().find(|a| a.role == HandlingRole::Lead.code());
                let mut receivers: Vec<String> = lead
                    .map(|lead| lead.assignee_name.clone())
                    .into_iter()
                    .collect();
                let cooperating: Vec<&str> = current
                    .iter()
                    .filter(|a| a.role == HandlingRole::Cooperate.code())
                    .map(|a| a.assignee_name.as_str())
                    .collect();
                if !cooperating.is_empty() {
                    receivers.push(format!("Phối hợp: {}", cooperating.join(", ")));
                }
                let mut notes = vec![row.state.label_vi().to_owned()];
                if let Some(deadline) = row.deadline {
                    notes.push(format!("Hạn: {}", format_vn_date(deadline)));
                }
                if let Some(reply) = &row.reply_number_symbol {
                    notes.push(format!("Trả lời: {reply}"));
                }
                [
                    format_vn_date(vietnam_date(row.arrived_at)),
                    row.arrival_number.to_string(),
                    row.issuer_name.clone().unwrap_or_default(),
                    row.number_symbol.clone().unwrap_or_default(),
                    row.issued_date.map(format_vn_date).unwrap_or_default(),
                    type_and_subject(row.type_code.as_deref(), row.subject.as_deref()),
                    receivers.join("\n"),
                    lead.map(|lead| format_vn_date(vietnam_date(lead.assigned_at)))
                        .unwrap_or_default(),
                    String::new(),
                    notes.join("\n"),
                ]
                .iter()
                .map(|cell| nfc(cell))
                .collect()
            })
            .collect())
    }

    async fn outgoing_register_rows(
        &self,
        actor: &Actor,
        kind: RegisterKind,
        year: i32,
    ) -> Result<Vec<Vec<String>>, Error> {
        let entries = db::outgoing::register_entries(&self.db, actor.organization_id, year).await?;
        let secret = kind == RegisterKind::SecretOutgoing;
        let mut names: HashMap<UserId, String> = HashMap::new();
        let mut rows = Vec::new();
        for entry in entries.iter().filter(|entry| {
            entry.secrecy.is_secret() == secret
                && actor.can_see(entry.organization_id, entry.secrecy)
        }) {
            for user in [entry.signer, entry.created_by] {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(user) {
                    let name = db::users::find(&self.db, user)
                        .await?
                        .map(|user| user.full_name.as_str().to_owned())
                        .unwrap_or_default();
                    slot.insert(name);
                }
            }
            let recipients = db::outgoing::recipients(&self.db, entry.id).await?;
            let row = [
                entry.number_symbol.clone().unwrap_or_default(),
                entry.issued_date.map(format_vn_date).unwrap_or_default(),
                type_and_subject(entry.type_code.as_deref(), entry.subject.as_deref()),
                names.get(&entry.signer).cloned().unwrap_or_default(),
                recipients
                    .iter()
                    .map(|recipient| format!("- {}", recipient.name))
                    .collect::<Vec<_>>()
                    .join("\n"),
                names.get(&entry.created_by).cloned().unwrap_or_default(),
                entry.copies.to_string(),
                entry
                    .issued_at
                    .map(|at| format_vn_date(vietnam_date(at)))
                    .unwrap_or_default(),
                String::new(),
                entry.state.label_vi().to_owned(),
            ];
            rows.push(row.iter().map(|cell| nfc(cell)).collect());
        }
        Ok(rows)
    }
}

/// "Tên loại và trích yếu": the type's name, then the subject.
fn type_and_subject(type_code: Option<&str>, subject: Option<&str>) -> String {
    let name = type_code
        .and_then(DocumentType::from_code)
        .map(DocumentType::name_vi);
    match (name, subject) {
        (Some(name), Some(subject)) => format!("{name}: {subject}"),
        (Some(name), None) => name.to_owned(),
        (None, Some(subject)) => subject.to_owned(),
        (None, None) => String::new(),
    }
}

fn nfc(text: &str) -> String {
    text.nfc().collect()
}
