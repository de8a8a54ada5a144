//! Work files (hồ sơ) and the yearly file plan: plan, open, link documents, close, hand over to the
//! archive, and archive packages (export and fixity-checked import).
//!
//! Decree 30/2020 Điều 28–31 (DOMAIN.md §1.7, §2). Officers, clerks and leaders keep files; the
//! archivist receives hand-overs and imports packages. A file belongs to one organisation and
//! carries the highest secrecy of the documents linked to it, so a reader who is not cleared for
//! every document of a file does not see the file at all (reported as not found, like another
//! organisation's file). Documents are linked, never copied: one document may be in several files.
//!
//! Every change writes its audit event in the same transaction; reading blobs, checking PDFs and
//! building or parsing a package run off the executor before or after the transaction.

use std::sync::Arc;

use domain::audit::AuditAction;
use domain::calendar::vietnam_date;
use domain::ids::DocumentId;
use domain::levels::Secrecy;
use domain::records::{
    FileCode, FileNotation, HandOverStatus, Retention, WorkFileAction, WorkFileState,
    hand_over_due, hand_over_status, roman_numeral,
};
use time::{Date, Duration};

use crate::audit::AuditRecord;
use crate::package::{self, DocumentEntry, FileDescription, Package};
use crate::{Actor, App, Error, FieldIssue, OperationId, Permission, blocking};

/// The longest title of a file or heading, in characters (Phụ lục VI: Title S500).
const MAX_TITLE_CHARS: usize = 500;
/// The longest creator (người lập hồ sơ), in characters.
const MAX_CREATOR_CHARS: usize = 100;
/// The access regime of a new file unless given (chế độ sử dụng).
const DEFAULT_RIGHTS: &str = "Hạn chế";
/// The language of a new file unless given.
const DEFAULT_LANGUAGE: &str = "Tiếng Việt";
/// How many upload limits an imported package may hold in all.
const PACKAGE_UPLOADS: u64 = 16;

/// A planned file as typed (danh mục hồ sơ: one row).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItemInput {
    /// The file title.
    pub title: String,
    /// The retention code: `permanent` or a number of years (a row of the retention classes).
    pub retention: String,
    /// Who makes the file (unit or person).
    pub creator: String,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
    /// The notation; by default the next ordinal under the main heading, e.g. `02.TCCB`.
    #[serde(default)]
    pub notation: Option<String>,
}

/// A sub-heading (Arabic numeral) with its files.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSubHeadingInput {
    /// Its title.
    pub title: String,
    /// Its files.
    #[serde(default)]
    pub items: Vec<PlanItemInput>,
}

/// A main heading (Roman numeral) with its abbreviation, files and sub-headings.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanHeadingInput {
    /// Its title, e.g. "Tổ chức, cán bộ".
    pub title: String,
    /// The abbreviation file notations under it end with, e.g. `TCCB`.
    pub abbreviation: String,
    /// Files directly under it.
    #[serde(default)]
    pub items: Vec<PlanItemInput>,
    /// Its sub-headings.
    #[serde(default)]
    pub sub_headings: Vec<PlanSubHeadingInput>,
}

/// A yearly file plan as typed: the plan file of `vanthu files plan` and the API body.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePlanInput {
    /// The year.
    pub year: i32,
    /// The title; by default "Danh mục hồ sơ năm {year}".
    #[serde(default)]
    pub title: Option<String>,
    /// The main headings, in order.
    pub headings: Vec<PlanHeadingInput>,
}

/// A stored plan with its numbered headings.
#[derive(Clone, Debug)]
pub struct FilePlanView {
    /// Its id.
    pub id: i64,
    /// The year.
    pub year: i32,
    /// The title.
    pub title: String,
    /// Main headings.
    pub headings: Vec<PlanHeadingView>,
}

/// A heading with its numeral (Roman for main headings, Arabic for sub-headings).
#[derive(Clone, Debug)]
pub struct PlanHeadingView {
    /// `I`, `II`, … or `1`, `2`, ….
    pub numeral: String,
    /// The title.
    pub title: String,
    /// The abbreviation (main headings).
    pub abbreviation: String,
    /// Files directly under it.
    pub items: Vec<PlanItemView>,
    /// Sub-headings.
    pub sub_headings: Vec<PlanHeadingView>,
}

/// A planned file.
#[derive(Clone, Debug)]
pub struct PlanItemView {
    /// Its id, to open a file from it.
    pub id: i64,
    /// The notation, e.g. `01.TCCB`.
    pub notation: String,
    /// The title.
    pub title: String,
    /// The retention.
    pub retention: Retention,
    /// Who makes the file.
    pub creator: String,
    /// A note.
    pub note: Option<String>,
}

/// What opening a file takes: a plan item, or (outside the plan) title, notation, retention and
/// creator; any field given overrides the plan item's.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenWorkFile {
    /// The plan item to open the file from.
    #[serde(default)]
    pub plan_item_id: Option<i64>,
    /// The title.
    #[serde(default)]
    pub title: Option<String>,
    /// The notation, e.g. `05.VP`.
    #[serde(default)]
    pub notation: Option<String>,
    /// The retention code.
    #[serde(default)]
    pub retention: Option<String>,
    /// Who makes the file.
    #[serde(default)]
    pub creator: Option<String>,
    /// The access regime; "Hạn chế" unless given.
    #[serde(default)]
    pub rights: Option<String>,
    /// The language; "Tiếng Việt" unless given.
    #[serde(default)]
    pub language: Option<String>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// The start date, `YYYY-MM-DD`; today (Vietnam) unless given.
    #[serde(default)]
    pub start_date: Option<String>,
}

/// A work file's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkFile {
    /// Its id.
    pub id: i64,
    /// The file code, e.g. `000.21.23.H02.2026.01.TCCB`.
    pub file_code: String,
    /// The year it was formed.
    pub year: i32,
    /// The notation.
    pub notation: String,
    /// The title.
    pub title: String,
    /// The retention.
    pub retention: Retention,
    /// The access regime.
    pub rights: String,
    /// Who made it.
    pub creator: String,
    /// The language.
    pub language: String,
    /// A description.
    pub description: Option<String>,
    /// The highest secrecy of its documents.
    pub secrecy: Secrecy,
    /// Its state.
    pub state: WorkFileState,
    /// The plan item it was opened from.
    pub plan_item_id: Option<i64>,
    /// The start date.
    pub start_date: Date,
    /// The end date (closed files).
    pub end_date: Option<Date>,
    /// The hand-over due date (closed files whose retention is handed over).
    pub hand_over_due: Option<Date>,
    /// Documents (counted at close; the live count while open).
    pub doc_total: i32,
    /// Pages.
    pub page_total: i32,
    /// When it was handed over.
    pub handed_over_at: Option<time::OffsetDateTime>,
}

/// A document in a work file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDocument {
    /// The document.
    pub document_id: DocumentId,
    /// Its ordinal in the file.
    pub ordinal: i32,
    /// The number and symbol.
    pub number_symbol: Option<String>,
    /// The type code.
    pub type_code: Option<String>,
    /// The date on it.
    pub issued_date: Option<Date>,
    /// The issuer.
    pub issuer_name: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// Pages.
    pub page_count: i32,
    /// The file name.
    pub file_name: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Secrecy.
    pub secrecy: Secrecy,
}

/// A work file with its documents, by ordinal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkFileView {
    /// The file.
    pub file: WorkFile,
    /// Its documents.
    pub documents: Vec<FileDocument>,
}

/// A closed file due for hand-over soon (within 30 days) or overdue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueFile {
    /// The file.
    pub file: WorkFile,
    /// The due date.
    pub due: Date,
    /// Due soon or overdue.
    pub status: HandOverStatus,
}

/// An exported archive package.
#[derive(Clone, Debug)]
pub struct ArchivePackage {
    /// A file name for it: `{file code}.zip`.
    pub file_name: String,
    /// The OBJID, `urn:{e-ID}:uuid:{UUID}`.
    pub objid: String,
    /// SHA-256 of the zip.
    pub sha256: String,
    /// The zip.
    pub bytes: Vec<u8>,
}

impl App {
    /// The retention classes offered (table `retention_classes`).
    ///
    /// # Errors
    /// `Forbidden` for a role that sees no files.
    pub async fn retention_classes(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(Retention, String)>, Error> {
        actor.require(Permission::ViewWorkFiles)?;
        Ok(db::work_files::retention_classes(&self.db)
            .await?
            .into_iter()
            .map(|class| (class.retention, class.label))
            .collect())
    }

    /// Creates the organisation's file plan for a year, numbering headings and files.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk, leader or archivist; `Validation` listing every bad field;
    /// `InvalidState` (`file_plan.exists`) when the year already has a plan.
    #[tracing::instrument(skip_all, fields(user = %actor.username, year = input.year))]
    pub async fn create_file_plan(
        &self,
        actor: &Actor,
        input: FilePlanInput,
        operation: &OperationId,
    ) -> Result<FilePlanView, Error> {
        actor.require(Permission::PlanWorkFiles)?;
        let classes: Vec<Retention> = db::work_files::retention_classes(&self.db)
            .await?
            .into_iter()
            .map(|class| class.retention)
            .collect();
        let checked = check_plan(&input, &classes)?;
        let title = checked.title.clone();
        let now = self.clock.now();

        let tx = self.db.begin_write().await?;
        if db::work_files::find_plan(&tx, actor.organization_id, input.year)
            .await?
            .is_some()
        {
            return Err(Error::InvalidState {
                code: "file_plan.exists",
                message: format!("the file plan of {} already exists", input.year),
            });
        }
        let plan = db::work_files::insert_plan(
            &tx,
            actor.organization_id,
            input.year,
            &title,
            actor.user_id,
            now,
        )
        .await?;
        let mut items = 0;
        for (index, heading) in checked.headings.iter().enumerate() {
            let main = db::work_files::insert_heading(
                &tx,
                plan,
                db::work_files::NewHeading {
                    parent_id: None,
                    ordinal: ordinal(index),
                    title: &heading.title,
                    abbreviation: &heading.abbreviation,
                },
            )
            .await?;
            for item in &heading.items {
                insert_item(&tx, plan, main, item).await?;
                items += 1;
            }
            for (sub_index, sub) in heading.sub_headings.iter().enumerate() {
                let sub_id = db::work_files::insert_heading(
                    &tx,
                    plan,
                    db::work_files::NewHeading {
                        parent_id: Some(main),
                        ordinal: ordinal(sub_index),
                        title: &sub.title,
                        abbreviation: "",
                    },
                )
                .await?;
                for item in &sub.items {
                    insert_item(&tx, plan, sub_id, item).await?;
                    items += 1;
                }
            }
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::FilePlanCreated,
                target: &format!("file_plan:{plan}"),
                details: serde_json::json!({
                    "year": input.year,
                    "headings": checked.headings.len(),
                    "items": items,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(plan, items, "file plan created");
        self.file_plan(actor, input.year).await
    }

    /// The organisation's file plan of `year`.
    ///
    /// # Errors
    /// `Forbidden` for a role that sees no files; `NotFound` when there is none.
    pub async fn file_plan(&self, actor: &Actor, year: i32) -> Result<FilePlanView, Error> {
        actor.require(Permission::ViewWorkFiles)?;
        let plan = db::work_files::find_plan(&self.db, actor.organization_id, year)
            .await?
            .ok_or(Error::NotFound { what: "file plan" })?;
        let headings = db::work_files::headings(&self.db, plan.id).await?;
        let items = db::work_files::items(&self.db, plan.id).await?;
        let items_under = |heading: i64| -> Vec<PlanItemView> {
            items
                .iter()
                .filter(|item| item.heading_id == heading)
                .map(|item| PlanItemView {
                    id: item.id,
                    notation: item.notation.clone(),
                    title: item.title.clone(),
                    retention: item.retention,
                    creator: item.creator.clone(),
                    note: item.note.clone(),
                })
                .collect()
        };
        let numeral = |ordinal: i32, main: bool| {
            let number = u32::try_from(ordinal).unwrap_or(0);
            if main {
                roman_numeral(number)
            } else {
                number.to_string()
            }
        };
        let views = headings
            .iter()
            .filter(|heading| heading.parent_id.is_none())
            .map(|main| PlanHeadingView {
                numeral: numeral(main.ordinal, true),
                title: main.title.clone(),
                abbreviation: main.abbreviation.clone(),
                items: items_under(main.id),
                sub_headings: headings
                    .iter()
                    .filter(|sub| sub.parent_id == Some(main.id))
                    .map(|sub| PlanHeadingView {
                        numeral: numeral(sub.ordinal, false),
                        title: sub.title.clone(),
                        abbreviation: sub.abbreviation.clone(),
                        items: items_under(sub.id),
                        sub_headings: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        Ok(FilePlanView {
            id: plan.id,
            year: plan.year,
            title: plan.title,
            headings: views,
        })
    }

    /// Opens a work file, from a plan item or outside the plan.
    ///
    /// # Errors
    /// `Forbidden` unless an officer, clerk or leader; `NotFound` for a plan item of another
    /// organisation; `Validation` listing every bad or missing field; `InvalidState`
    /// (`work_file.exists`) when the file code is taken.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn open_work_file(
        &self,
        actor: &Actor,
        input: OpenWorkFile,
        operation: &OperationId,
    ) -> Result<WorkFileView, Error> {
        actor.require(Permission::KeepWorkFiles)?;
        let now = self.clock.now();
        let item = match input.plan_item_id {
            Some(id) => {
                let item = db::work_files::find_item(&self.db, id)
                    .await?
                    .ok_or(Error::NotFound { what: "plan item" })?;
                let plan = db::work_files::find_plan_by_id(&self.db, item.plan_id)
                    .await?
                    .ok_or(Error::NotFound { what: "plan item" })?;
                if plan.organization_id != actor.organization_id {
                    return Err(Error::NotFound { what: "plan item" });
                }
                Some((item, plan.year))
            }
            None => None,
        };
        let classes: Vec<Retention> = db::work_files::retention_classes(&self.db)
            .await?
            .into_iter()
            .map(|class| class.retention)
            .collect();
        let fields = check_open(&input, item.as_ref().map(|(item, _)| item), &classes)?;
        let start_date = fields.start_date.unwrap_or_else(|| vietnam_date(now));
        let year = item.as_ref().map_or(start_date.year(), |(_, year)| *year);
        let organization = db::organizations::find(&self.db, actor.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let code = FileCode {
            organization: organization.profile.electronic_id.clone(),
            year,
            notation: fields.notation.clone(),
        }
        .to_string();
        let uuid = uuid::Uuid::new_v4().to_string();

        let tx = self.db.begin_write().await?;
        if db::work_files::find_work_file_by_code(&tx, actor.organization_id, &code)
            .await?
            .is_some()
        {
            return Err(file_exists(&code));
        }
        let id = db::work_files::insert_work_file(
            &tx,
            db::work_files::NewWorkFile {
                organization_id: actor.organization_id,
                plan_item_id: input.plan_item_id,
                uuid: &uuid,
                file_code: &code,
                year,
                notation: fields.notation.as_str(),
                title: &fields.title,
                retention: fields.retention,
                rights: &fields.rights,
                creator: &fields.creator,
                language: &fields.language,
                description: fields.description.as_deref(),
                secrecy: Secrecy::Normal,
                state: WorkFileState::Open,
                start_date,
                end_date: None,
                doc_total: 0,
                page_total: 0,
                created_by: actor.user_id,
                created_at: now,
            },
        )
        .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::WorkFileOpened,
                target: &format!("work_file:{id}"),
                details: serde_json::json!({
                    "file_code": code,
                    "plan_item": input.plan_item_id,
                    "retention": fields.retention.code(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(work_file = id, file_code = %code, "work file opened");
        self.work_file(actor, &code).await
    }

    /// A work file with its documents.
    ///
    /// # Errors
    /// `Forbidden` for a role that sees no files; `NotFound` when it does not exist, belongs to
    /// another organisation or holds documents the actor is not cleared for.
    pub async fn work_file(&self, actor: &Actor, file_code: &str) -> Result<WorkFileView, Error> {
        actor.require(Permission::ViewWorkFiles)?;
        let file = self.visible_file(&self.db, actor, file_code).await?;
        let members = db::work_files::members(&self.db, file.id).await?;
        Ok(view(file, members))
    }

    /// The organisation's work files the actor may see, optionally in one state, by file code.
    ///
    /// # Errors
    /// `Forbidden` for a role that sees no files.
    pub async fn list_work_files(
        &self,
        actor: &Actor,
        state: Option<WorkFileState>,
    ) -> Result<Vec<WorkFile>, Error> {
        actor.require(Permission::ViewWorkFiles)?;
        let files = db::work_files::list_work_files(
            &self.db,
            actor.organization_id,
            actor.clearance,
            state,
        )
        .await?;
        Ok(files.into_iter().map(from_row).collect())
    }

    /// Closed files due for hand-over within 30 days (a warning) or overdue, soonest first.
    ///
    /// # Errors
    /// `Forbidden` for a role that sees no files.
    pub async fn files_due_for_hand_over(&self, actor: &Actor) -> Result<Vec<DueFile>, Error> {
        actor.require(Permission::ViewWorkFiles)?;
        let today = vietnam_date(self.clock.now());
        let until = today
            .checked_add(Duration::days(domain::records::HAND_OVER_WARNING_DAYS))
            .unwrap_or(Date::MAX);
        let files =
            db::work_files::list_due(&self.db, actor.organization_id, actor.clearance, until)
                .await?;
        Ok(files
            .into_iter()
            .filter_map(|file| {
                let due = file.hand_over_due?;
                Some(DueFile {
                    status: hand_over_status(due, today),
                    due,
                    file: from_row(file),
                })
            })
            .collect())
    }

    /// Links a document the actor can see to an open file, at the next ordinal; the file's
    /// secrecy rises to the document's.
    ///
    /// # Errors
    /// `Forbidden` unless a file keeper; `NotFound` for a file or document the actor cannot see;
    /// `InvalidState` when the file is not open (`work_file.invalid_state`) or the document is
    /// already in it (`work_file.already_linked`).
    #[tracing::instrument(skip_all, fields(user = %actor.username, document_id = %document))]
    pub async fn link_document(
        &self,
        actor: &Actor,
        file_code: &str,
        document: DocumentId,
        operation: &OperationId,
    ) -> Result<WorkFileView, Error> {
        actor.require(Permission::KeepWorkFiles)?;
        // An incoming document is linked only by someone who may read it: an officer, only what
        // was assigned to them (the same rule as lists and downloads).
        if let Some(access) = db::work_files::find_document(&self.db, document).await?
            && access.incoming
            && !self
                .reads_incoming(actor, document, access.organization_id, access.secrecy)
                .await?
        {
            return Err(Error::NotFound { what: "document" });
        }
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let file = self.visible_file(&tx, actor, file_code).await?;
        transition(&file, WorkFileAction::ChangeDocuments)?;
        let access = db::work_files::find_document(&tx, document)
            .await?
            .filter(|access| actor.can_see(access.organization_id, access.secrecy))
            .ok_or(Error::NotFound { what: "document" })?;
        let members = db::work_files::members(&tx, file.id).await?;
        if members.iter().any(|member| member.document_id == document) {
            return Err(Error::InvalidState {
                code: "work_file.already_linked",
                message: format!("document {document} is already in file {file_code}"),
            });
        }
        let ordinal = db::work_files::next_ordinal(&tx, file.id).await?;
        db::work_files::link(&tx, file.id, document, ordinal, actor.user_id, now).await?;
        if access.secrecy > file.secrecy {
            db::work_files::set_secrecy(&tx, file.id, access.secrecy).await?;
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::WorkFileDocumentLinked,
                target: &format!("work_file:{}", file.id),
                details: serde_json::json!({
                    "file_code": file.file_code,
                    "document": document.get(),
                    "ordinal": ordinal,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.work_file(actor, file_code).await
    }

    /// Unlinks a document from an open file (the document itself is untouched).
    ///
    /// # Errors
    /// `Forbidden` unless a file keeper; `NotFound` for a file the actor cannot see or a document
    /// not in it; `InvalidState` when the file is not open.
    #[tracing::instrument(skip_all, fields(user = %actor.username, document_id = %document))]
    pub async fn unlink_document(
        &self,
        actor: &Actor,
        file_code: &str,
        document: DocumentId,
        operation: &OperationId,
    ) -> Result<WorkFileView, Error> {
        actor.require(Permission::KeepWorkFiles)?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let file = self.visible_file(&tx, actor, file_code).await?;
        transition(&file, WorkFileAction::ChangeDocuments)?;
        if !db::work_files::unlink(&tx, file.id, document).await? {
            return Err(Error::NotFound { what: "document" });
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::WorkFileDocumentUnlinked,
                target: &format!("work_file:{}", file.id),
                details: serde_json::json!({
                    "file_code": file.file_code,
                    "document": document.get(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.work_file(actor, file_code).await
    }

    /// Closes an open file: the end date is today (Vietnam), documents and pages are counted,
    /// and a file whose retention is handed over gets its due date, one year later.
    ///
    /// # Errors
    /// `Forbidden` unless a file keeper; `NotFound` for a file the actor cannot see;
    /// `InvalidState` when it is not open (`work_file.invalid_state`) or empty
    /// (`work_file.empty`).
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn close_work_file(
        &self,
        actor: &Actor,
        file_code: &str,
        operation: &OperationId,
    ) -> Result<WorkFileView, Error> {
        actor.require(Permission::KeepWorkFiles)?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let file = self.visible_file(&tx, actor, file_code).await?;
        transition(&file, WorkFileAction::Close)?;
        let members = db::work_files::members(&tx, file.id).await?;
        if members.is_empty() {
            return Err(Error::InvalidState {
                code: "work_file.empty",
                message: format!("file {file_code} holds no document; link documents first"),
            });
        }
        let end_date = vietnam_date(now);
        let due = file
            .retention
            .is_handed_over()
            .then(|| hand_over_due(end_date));
        let doc_total = i32::try_from(members.len()).unwrap_or(i32::MAX);
        let page_total = members
            .iter()
            .map(|member| member.page_count)
            .fold(0i32, i32::saturating_add);
        db::work_files::close(
            &tx,
            file.id,
            file.version,
            db::work_files::Closing {
                end_date,
                hand_over_due: due,
                doc_total,
                page_total,
                closed_at: now,
            },
        )
        .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::WorkFileClosed,
                target: &format!("work_file:{}", file.id),
                details: serde_json::json!({
                    "file_code": file.file_code,
                    "end_date": end_date.to_string(),
                    "hand_over_due": due.map(|date| date.to_string()),
                    "doc_total": doc_total,
                    "page_total": page_total,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(work_file = file.id, doc_total, "work file closed");
        self.work_file(actor, file_code).await
    }

    /// Receives a closed file into the agency archive (nộp lưu), by the archivist.
    ///
    /// # Errors
    /// `Forbidden` unless an archivist; `NotFound` for a file the actor cannot see;
    /// `InvalidState` unless it is closed with a retention of five years or more, or permanent.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn hand_over_work_file(
        &self,
        actor: &Actor,
        file_code: &str,
        operation: &OperationId,
    ) -> Result<WorkFileView, Error> {
        actor.require(Permission::ReceiveHandOver)?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let file = self.visible_file(&tx, actor, file_code).await?;
        transition(&file, WorkFileAction::HandOver)?;
        db::work_files::hand_over(&tx, file.id, file.version, actor.user_id, now).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::WorkFileHandedOver,
                target: &format!("work_file:{}", file.id),
                details: serde_json::json!({
                    "file_code": file.file_code,
                    "due": file.hand_over_due.map(|date| date.to_string()),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(work_file = file.id, "work file handed over");
        self.work_file(actor, file_code).await
    }

    /// Exports a closed (or handed-over) file as an archive package (METS, EAD, PREMIS and the
    /// documents' files, zipped), each file's hash re-checked on read.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk or archivist; `NotFound` for a file the actor cannot see;
    /// `InvalidState` for an open file or one holding secret documents (`work_file.secret`:
    /// secret records stay off networked archives); `Integrity` when a stored file is damaged.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn export_work_file(
        &self,
        actor: &Actor,
        file_code: &str,
        operation: &OperationId,
    ) -> Result<ArchivePackage, Error> {
        actor.require(Permission::ExportPackage)?;
        let file = self.visible_file(&self.db, actor, file_code).await?;
        transition(&file, WorkFileAction::Export)?;
        if file.secrecy.is_secret() {
            return Err(Error::InvalidState {
                code: "work_file.secret",
                message: format!("file {file_code} holds secret documents and is not exported"),
            });
        }
        let organization = db::organizations::find(&self.db, file.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let members = db::work_files::members(&self.db, file.id).await?;
        let mut documents = Vec::with_capacity(members.len());
        for member in members {
            let blob_id = storage::BlobId::parse(&member.blob_sha256)?;
            let blobs = Arc::clone(&self.blobs);
            let bytes = blocking(move || blobs.get(&blob_id)).await??;
            documents.push(DocumentEntry {
                ordinal: member.ordinal,
                type_code: member.type_code,
                number_symbol: member.number_symbol,
                issued_date: member.issued_date,
                issuer_name: member.issuer_name,
                subject: member.subject,
                page_count: member.page_count,
                secrecy: member.secrecy,
                file_name: member.file_name,
                bytes,
            });
        }
        let now = self.clock.now();
        let package = Package {
            file: FileDescription {
                organization_eid: organization.profile.electronic_id.to_string(),
                organization_name: organization.profile.name.clone(),
                uuid: file.uuid.clone(),
                file_code: file.file_code.clone(),
                year: file.year,
                notation: file.notation.clone(),
                title: file.title.clone(),
                retention: file.retention,
                rights: file.rights.clone(),
                creator: file.creator.clone(),
                language: file.language.clone(),
                description: file.description.clone(),
                start_date: file.start_date,
                end_date: file.end_date.unwrap_or(file.start_date),
                page_total: file.page_total,
            },
            documents,
            created_at: now,
        };
        let objid = package.objid();
        let bytes = blocking(move || package::build(&package)).await??;
        let sha256 = package::sha256_hex(&bytes);

        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::ArchivePackageExported,
                target: &format!("work_file:{}", file.id),
                details: serde_json::json!({
                    "file_code": file.file_code,
                    "objid": objid,
                    "sha256": sha256,
                    "size": bytes.len(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(work_file = file.id, %objid, "archive package exported");
        Ok(ArchivePackage {
            file_name: format!("{}.zip", file.file_code),
            objid,
            sha256,
            bytes,
        })
    }

    /// Imports an archive package into the actor's organisation: every file is checked against
    /// the SHA-256 in PREMIS and METS, each document is checked as a PDF and stored
    /// (content-addressed), then the file is registered as handed over, with its documents in
    /// their order.
    ///
    /// # Errors
    /// `Forbidden` unless an archivist; `TooLarge`; `Package` (`package.tampered` naming the file,
    /// or `package.malformed`) with nothing stored in the database; `InvalidState`
    /// (`work_file.exists`) when the file code is already registered; `Validation` when the actor
    /// is not cleared for the package's documents.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn import_package(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        operation: &OperationId,
    ) -> Result<WorkFileView, Error> {
        actor.require(Permission::ImportPackage)?;
        let limit = self
            .config
            .uploads
            .max_bytes
            .saturating_mul(PACKAGE_UPLOADS);
        if bytes.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let sha256 = package::sha256_hex(&bytes);
        let package = blocking(move || package::parse(&bytes, limit)).await??;
        let classes: Vec<Retention> = db::work_files::retention_classes(&self.db)
            .await?
            .into_iter()
            .map(|class| class.retention)
            .collect();
        if !classes.contains(&package.file.retention) {
            return Err(Error::Package {
                code: "package.malformed",
                message: format!(
                    "the retention {} is not a retention class of this archive",
                    package.file.retention.label_vi()
                ),
            });
        }
        let code = FileCode::parse(&package.file.file_code).map_err(|error| Error::Package {
            code: "package.malformed",
            message: error.to_string(),
        })?;
        let secrecy = package
            .documents
            .iter()
            .map(|document| document.secrecy)
            .max()
            .unwrap_or(Secrecy::Normal);
        if secrecy > actor.clearance {
            return Err(Error::invalid(
                "package",
                "your clearance does not cover the secrecy of its documents",
            ));
        }
        // Checked again under the writer lock; here it spares storing the blobs of a package that
        // is already registered (a re-import).
        if db::work_files::find_work_file_by_code(
            &self.db,
            actor.organization_id,
            &package.file.file_code,
        )
        .await?
        .is_some()
        {
            return Err(file_exists(&package.file.file_code));
        }
        // Each document must be a PDF we can read; then its blob is stored before the commit.
        let mut pages = Vec::with_capacity(package.documents.len());
        for document in &package.documents {
            let path = package::data_path(document);
            let pdf_bytes = document.bytes.clone();
            let summary = blocking(move || {
                pdf::inspect_untrusted(&pdf_bytes, &pdf::Limits::untrusted_upload())
            })
            .await?
            .map_err(|error| Error::Package {
                code: "package.malformed",
                message: format!("{path}: not a readable PDF: {error}"),
            })?;
            pages.push(i32::try_from(summary.page_count).unwrap_or(i32::MAX));
            let blobs = Arc::clone(&self.blobs);
            let blob_bytes = document.bytes.clone();
            blocking(move || blobs.put(&blob_bytes)).await??;
        }
        let now = self.clock.now();
        let objid = package.objid();
        let page_total = pages.iter().copied().fold(0i32, i32::saturating_add);

        let tx = self.db.begin_write().await?;
        let file_code = package.file.file_code.clone();
        if db::work_files::find_work_file_by_code(&tx, actor.organization_id, &file_code)
            .await?
            .is_some()
        {
            return Err(file_exists(&file_code));
        }
        let id = db::work_files::insert_work_file(
            &tx,
            db::work_files::NewWorkFile {
                organization_id: actor.organization_id,
                plan_item_id: None,
                uuid: &package.file.uuid,
                file_code: &file_code,
                year: code.year,
                notation: code.notation.as_str(),
                title: &package.file.title,
                retention: package.file.retention,
                rights: &package.file.rights,
                creator: &package.file.creator,
                language: &package.file.language,
                description: package.file.description.as_deref(),
                secrecy,
                state: WorkFileState::HandedOver,
                start_date: package.file.start_date,
                end_date: Some(package.file.end_date),
                doc_total: i32::try_from(package.documents.len()).unwrap_or(i32::MAX),
                page_total,
                created_by: actor.user_id,
                created_at: now,
            },
        )
        .await?;
        for (document, page_count) in package.documents.iter().zip(&pages) {
            let document_id = db::work_files::insert_archived_document(
                &tx,
                db::work_files::ArchivedDocument {
                    organization_id: actor.organization_id,
                    type_code: document.type_code.as_deref(),
                    number_symbol: document.number_symbol.as_deref(),
                    issuer_name: document.issuer_name.as_deref(),
                    issued_date: document.issued_date,
                    subject: document.subject.as_deref(),
                    secrecy: document.secrecy,
                    blob_sha256: &package::sha256_hex(&document.bytes),
                    file_name: &document.file_name,
                    file_size: document.bytes.len() as i64,
                    page_count: *page_count,
                    created_by: actor.user_id,
                    created_at: now,
                },
            )
            .await?;
            db::work_files::link(&tx, id, document_id, document.ordinal, actor.user_id, now)
                .await?;
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::ArchivePackageImported,
                target: &format!("work_file:{id}"),
                details: serde_json::json!({
                    "file_code": file_code,
                    "objid": objid,
                    "sha256": sha256,
                    "documents": package.documents.len(),
                    "fixity": "passed",
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(work_file = id, %objid, "archive package imported");
        self.work_file(actor, &file_code).await
    }

    /// The file with this code if the actor may see it, else `NotFound`.
    async fn visible_file(
        &self,
        conn: &impl db::Conn,
        actor: &Actor,
        file_code: &str,
    ) -> Result<db::work_files::WorkFile, Error> {
        db::work_files::find_work_file_by_code(conn, actor.organization_id, file_code.trim())
            .await?
            .filter(|file| actor.can_see(file.organization_id, file.secrecy))
            .ok_or(Error::NotFound { what: "work file" })
    }
}

/// A checked plan: every text trimmed, every notation composed and valid.
struct CheckedPlan {
    title: String,
    headings: Vec<CheckedHeading>,
}

struct CheckedHeading {
    title: String,
    abbreviation: String,
    items: Vec<CheckedItem>,
    sub_headings: Vec<CheckedSubHeading>,
}

struct CheckedSubHeading {
    title: String,
    items: Vec<CheckedItem>,
}

struct CheckedItem {
    notation: String,
    title: String,
    retention: Retention,
    creator: String,
    note: Option<String>,
}

/// The fields of a file to open, checked.
struct CheckedOpen {
    notation: FileNotation,
    title: String,
    retention: Retention,
    creator: String,
    rights: String,
    language: String,
    description: Option<String>,
    start_date: Option<Date>,
}

/// Checks a plan and numbers its files within each main heading, reporting every problem.
fn check_plan(input: &FilePlanInput, classes: &[Retention]) -> Result<CheckedPlan, Error> {
    let mut issues = Vec::new();
    if !(2000..=2100).contains(&input.year) {
        issues.push(issue(
            "year",
            format!("{} is not a plausible year", input.year),
        ));
    }
    if input.headings.is_empty() {
        issues.push(issue(
            "headings",
            "a plan needs at least one heading".to_owned(),
        ));
    }
    let mut notations = std::collections::BTreeSet::new();
    let mut headings = Vec::new();
    for heading in &input.headings {
        let abbreviation = heading.abbreviation.trim().to_owned();
        if domain::organization::Abbreviation::parse(&abbreviation).is_err() {
            issues.push(issue(
                "headings.abbreviation",
                format!("{abbreviation:?} is not an abbreviation like TCCB"),
            ));
        }
        let title = check_text(
            &heading.title,
            "headings.title",
            MAX_TITLE_CHARS,
            &mut issues,
        );
        let mut ordinal = 0u32;
        let mut check_items = |items: &[PlanItemInput], issues: &mut Vec<FieldIssue>| {
            let mut checked = Vec::new();
            for item in items {
                ordinal += 1;
                let notation = match &item.notation {
                    Some(text) => FileNotation::parse(text),
                    None => FileNotation::compose(ordinal, &abbreviation),
                };
                let notation = match notation {
                    Ok(notation) => notation.as_str().to_owned(),
                    Err(error) => {
                        issues.push(issue("items.notation", error.to_string()));
                        continue;
                    }
                };
                if !notations.insert(notation.clone()) {
                    issues.push(issue(
                        "items.notation",
                        format!("{notation} appears twice in the plan"),
                    ));
                }
                let retention = check_retention(&item.retention, classes, issues);
                checked.push(CheckedItem {
                    notation,
                    title: check_text(&item.title, "items.title", MAX_TITLE_CHARS, issues),
                    retention,
                    creator: check_text(&item.creator, "items.creator", MAX_CREATOR_CHARS, issues),
                    note: item
                        .note
                        .as_deref()
                        .map(str::trim)
                        .filter(|note| !note.is_empty())
                        .map(str::to_owned),
                });
            }
            checked
        };
        let items = check_items(&heading.items, &mut issues);
        let mut sub_headings = Vec::new();
        for sub in &heading.sub_headings {
            let sub_title = check_text(
                &sub.title,
                "sub_headings.title",
                MAX_TITLE_CHARS,
                &mut issues,
            );
            let items = check_items(&sub.items, &mut issues);
            sub_headings.push(CheckedSubHeading {
                title: sub_title,
                items,
            });
        }
        headings.push(CheckedHeading {
            title,
            abbreviation,
            items,
            sub_headings,
        });
    }
    let title = match input.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => title.to_owned(),
        _ => format!("Danh mục hồ sơ năm {}", input.year),
    };
    if !issues.is_empty() {
        return Err(Error::Validation { issues });
    }
    Ok(CheckedPlan { title, headings })
}

/// Checks the fields of a file to open, taking the plan item's where none is given.
fn check_open(
    input: &OpenWorkFile,
    item: Option<&db::work_files::PlanItem>,
    classes: &[Retention],
) -> Result<CheckedOpen, Error> {
    let mut issues = Vec::new();
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let notation_text = given(&input.notation).or_else(|| item.map(|item| item.notation.clone()));
    let notation = match notation_text.as_deref().map(FileNotation::parse) {
        Some(Ok(notation)) => Some(notation),
        Some(Err(error)) => {
            issues.push(issue("notation", error.to_string()));
            None
        }
        None => {
            issues.push(issue(
                "notation",
                "required outside the file plan".to_owned(),
            ));
            None
        }
    };
    let title = given(&input.title).or_else(|| item.map(|item| item.title.clone()));
    let title = check_text(
        title.as_deref().unwrap_or_default(),
        "title",
        MAX_TITLE_CHARS,
        &mut issues,
    );
    let retention = match (given(&input.retention), item) {
        (Some(code), _) => check_retention(&code, classes, &mut issues),
        (None, Some(item)) => item.retention,
        (None, None) => {
            issues.push(issue(
                "retention",
                "required outside the file plan".to_owned(),
            ));
            Retention::Permanent
        }
    };
    let creator = given(&input.creator).or_else(|| item.map(|item| item.creator.clone()));
    let creator = check_text(
        creator.as_deref().unwrap_or_default(),
        "creator",
        MAX_CREATOR_CHARS,
        &mut issues,
    );
    let rights = given(&input.rights).unwrap_or_else(|| DEFAULT_RIGHTS.to_owned());
    if rights.chars().count() > 30 {
        issues.push(issue("rights", "longer than 30 characters".to_owned()));
    }
    let language = given(&input.language).unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned());
    if language.chars().count() > 50 {
        issues.push(issue("language", "longer than 50 characters".to_owned()));
    }
    let description = given(&input.description);
    if description
        .as_ref()
        .is_some_and(|text| text.chars().count() > MAX_TITLE_CHARS)
    {
        issues.push(issue(
            "description",
            "longer than 500 characters".to_owned(),
        ));
    }
    let start_date = given(&input.start_date).and_then(|text| {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        match Date::parse(&text, format) {
            Ok(date) => Some(date),
            Err(_) => {
                issues.push(issue(
                    "start_date",
                    format!("{text:?} is not a date in the form YYYY-MM-DD"),
                ));
                None
            }
        }
    });
    match notation {
        Some(notation) if issues.is_empty() => Ok(CheckedOpen {
            notation,
            title,
            retention,
            creator,
            rights,
            language,
            description,
            start_date,
        }),
        _ => Err(Error::Validation { issues }),
    }
}

fn check_text(raw: &str, field: &'static str, max: usize, issues: &mut Vec<FieldIssue>) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let text: String = raw.trim().nfc().collect();
    if text.is_empty() {
        issues.push(issue(field, "required".to_owned()));
    } else if text.chars().count() > max {
        issues.push(issue(field, format!("longer than {max} characters")));
    }
    text
}

fn check_retention(code: &str, classes: &[Retention], issues: &mut Vec<FieldIssue>) -> Retention {
    match Retention::parse(code.trim()) {
        Ok(retention) if classes.contains(&retention) => retention,
        Ok(retention) => {
            issues.push(issue(
                "retention",
                format!(
                    "{} is not one of the retention classes",
                    retention.label_vi()
                ),
            ));
            retention
        }
        Err(error) => {
            issues.push(issue("retention", error.to_string()));
            Retention::Permanent
        }
    }
}

fn issue(field: &'static str, message: String) -> FieldIssue {
    FieldIssue { field, message }
}

fn ordinal(index: usize) -> i32 {
    i32::try_from(index + 1).unwrap_or(i32::MAX)
}

async fn insert_item(
    tx: &db::Tx,
    plan: i64,
    heading: i64,
    item: &CheckedItem,
) -> Result<i64, Error> {
    Ok(db::work_files::insert_item(
        tx,
        plan,
        db::work_files::NewPlanItem {
            heading_id: heading,
            notation: &item.notation,
            title: &item.title,
            retention: item.retention,
            creator: &item.creator,
            note: item.note.as_deref(),
        },
    )
    .await?)
}

fn file_exists(code: &str) -> Error {
    Error::InvalidState {
        code: "work_file.exists",
        message: format!("a work file with code {code} already exists"),
    }
}

/// Checks `action` against the file's state, as `work_file.invalid_state`.
fn transition(file: &db::work_files::WorkFile, action: WorkFileAction) -> Result<(), Error> {
    domain::records::apply(file.state, file.retention, action)
        .map(drop)
        .map_err(|error| Error::InvalidState {
            code: "work_file.invalid_state",
            message: format!(
                "cannot {} file {} in state {} (retention {})",
                error.action.replace('_', " "),
                file.file_code,
                error.from,
                file.retention.label_vi()
            ),
        })
}

fn from_row(file: db::work_files::WorkFile) -> WorkFile {
    WorkFile {
        id: file.id,
        file_code: file.file_code,
        year: file.year,
        notation: file.notation,
        title: file.title,
        retention: file.retention,
        rights: file.rights,
        creator: file.creator,
        language: file.language,
        description: file.description,
        secrecy: file.secrecy,
        state: file.state,
        plan_item_id: file.plan_item_id,
        start_date: file.start_date,
        end_date: file.end_date,
        hand_over_due: file.hand_over_due,
        doc_total: file.doc_total,
        page_total: file.page_total,
        handed_over_at: file.handed_over_at,
    }
}

fn view(file: db::work_files::WorkFile, members: Vec<db::work_files::Member>) -> WorkFileView {
    let open = file.state == WorkFileState::Open;
    let mut file = from_row(file);
    if open {
        // While open, the totals are live.
        file.doc_total = i32::try_from(members.len()).unwrap_or(i32::MAX);
        file.page_total = members
            .iter()
            .map(|member| member.page_count)
            .fold(0i32, i32::saturating_add);
    }
    WorkFileView {
        file,
        documents: members
            .into_iter()
            .map(|member| FileDocument {
                document_id: member.document_id,
                ordinal: member.ordinal,
                number_symbol: member.number_symbol,
                type_code: member.type_code,
                issued_date: member.issued_date,
                issuer_name: member.issuer_name,
                subject: member.subject,
                page_count: member.page_count,
                file_name: member.file_name,
                sha256: member.blob_sha256,
                secrecy: member.secrecy,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, retention: &str) -> PlanItemInput {
        PlanItemInput {
            title: title.to_owned(),
            retention: retention.to_owned(),
            creator: "Văn phòng".to_owned(),
            ..PlanItemInput::default()
        }
    }

    const CLASSES: [Retention; 3] = [
        Retention::Permanent,
        Retention::Years(10),
        Retention::Years(2),
    ];

    #[test]
    fn files_are_numbered_within_each_main_heading() {
        let input = FilePlanInput {
            year: 2026,
            title: None,
            headings: vec![
                PlanHeadingInput {
                    title: "Tổ chức, cán bộ".to_owned(),
                    abbreviation: "TCCB".to_owned(),
                    items: vec![item("Tuyển dụng", "10")],
                    sub_headings: vec![PlanSubHeadingInput {
                        title: "Đào tạo".to_owned(),
                        items: vec![item("Bồi dưỡng", "permanent")],
                    }],
                },
                PlanHeadingInput {
                    title: "Văn phòng".to_owned(),
                    abbreviation: "VP".to_owned(),
                    items: vec![item("Lịch công tác", "2")],
                    sub_headings: vec![],
                },
            ],
        };
        let plan = check_plan(&input, &CLASSES).unwrap();
        assert_eq!(plan.title, "Danh mục hồ sơ năm 2026");
        assert_eq!(plan.headings[0].items[0].notation, "01.TCCB");
        assert_eq!(
            plan.headings[0].sub_headings[0].items[0].notation,
            "02.TCCB"
        );
        assert_eq!(plan.headings[1].items[0].notation, "01.VP");
    }

    #[test]
    fn every_plan_problem_is_reported() {
        let input = FilePlanInput {
            year: 1900,
            title: None,
            headings: vec![
                PlanHeadingInput {
                    title: " ".to_owned(),
                    abbreviation: "T C".to_owned(),
                    items: vec![],
                    sub_headings: vec![],
                },
                PlanHeadingInput {
                    title: "Văn phòng".to_owned(),
                    abbreviation: "VP".to_owned(),
                    items: vec![item("", "7"), item("Ok", "permanent")],
                    sub_headings: vec![],
                },
            ],
        };
        let Err(Error::Validation { issues }) = check_plan(&input, &CLASSES) else {
            panic!("expected validation errors");
        };
        let fields: Vec<_> = issues.iter().map(|issue| issue.field).collect();
        assert!(fields.contains(&"year"), "{fields:?}");
        assert!(fields.contains(&"headings.abbreviation"), "{fields:?}");
        assert!(fields.contains(&"headings.title"), "{fields:?}");
        assert!(fields.contains(&"items.title"), "{fields:?}");
        assert!(fields.contains(&"retention"), "{fields:?}");
    }

    #[test]
    fn outside_the_plan_notation_retention_and_creator_are_required() {
        let Err(Error::Validation { issues }) =
            check_open(&OpenWorkFile::default(), None, &CLASSES)
        else {
            panic!("expected validation errors");
        };
        let fields: Vec<_> = issues.iter().map(|issue| issue.field).collect();
        assert_eq!(fields, ["notation", "title", "retention", "creator"]);
        let input = OpenWorkFile {
            title: Some("Hồ sơ hội nghị".to_owned()),
            notation: Some("05.VP".to_owned()),
            retention: Some("10".to_owned()),
            creator: Some("Văn phòng".to_owned()),
            ..OpenWorkFile::default()
        };
        let checked = check_open(&input, None, &CLASSES).unwrap();
        assert_eq!(checked.notation.as_str(), "05.VP");
        assert_eq!(checked.rights, DEFAULT_RIGHTS);
        assert_eq!(checked.language, DEFAULT_LANGUAGE);
    }
}
