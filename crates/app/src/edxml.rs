//! edXML packages (QCVN 102:2016, DOMAIN.md §3): an issued document exported for the national
//! exchange axis, an incoming package imported as an incoming document, and status messages
//! (`MessageStatus`) imported onto the sender's deliveries.
//!
//! The package is one XML file in the `http://www.mic.gov.vn/TBT/QCVN_102_2016` namespace: the
//! header (`MessageHeader` with From, To, DocumentId, Code, PromulgationInfo, DocumentType,
//! Subject, SignerInfo, OtherInfo; then `TraceHeaderList`), and the body (`edXMLManifest` with one
//! `Reference` per attachment, then `AttachmentEncoded` with the base64 content). Reading is
//! strict and bounded: input is untrusted, so a DOCTYPE, deep nesting, a missing field or bad
//! base64 is an error naming what is wrong, never a panic. The enveloped XML-DSig of the sample
//! SDK is not produced: the attached PDF carries the PAdES signatures that matter.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use domain::audit::AuditAction;
use domain::calendar::rfc3339;
use domain::document_type::DocumentType;
use domain::ids::DocumentId;
use domain::levels::Urgency;
use domain::outgoing::OutgoingState;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use time::Date;

use crate::audit::AuditRecord;
use crate::intake::{IncomingMetadata, IncomingUpload, Receiver};
use crate::{Actor, App, Error, OperationId, Permission, blocking};

/// The edXML namespace of QCVN 102:2016.
pub const NAMESPACE: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// The deepest nesting accepted.
const MAX_DEPTH: usize = 24;
/// The most attachments accepted.
const MAX_ATTACHMENTS: usize = 50;
/// The most elements a package or status message may hold: a real one has a few hundred, and each
/// parsed element costs memory, so a flood of empty elements is refused early.
const MAX_ELEMENTS: usize = 20_000;
/// The most recipients accepted.
const MAX_RECIPIENTS: usize = 500;

/// An organisation as edXML names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organ {
    /// The QĐ 20/2020 electronic id (`OrganId`); empty when unknown.
    pub organ_id: String,
    /// The name (`OrganName`).
    pub organ_name: String,
}

/// Who signed (`SignerInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// Signing authority, e.g. `TM. ỦY BAN NHÂN DÂN`.
    pub competence: String,
    /// Position, e.g. `Chủ tịch`.
    pub position: String,
    /// Full name.
    pub full_name: String,
}

/// One attached file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// `cid:…`.
    pub content_id: String,
    /// MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The file name.
    pub name: String,
    /// A description.
    pub description: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// A document package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The issuing organisation.
    pub from: Organ,
    /// The recipients.
    pub to: Vec<Organ>,
    /// `OrganId,yyyy/MM/dd,number/symbol`.
    pub document_id: String,
    /// The number, e.g. `01`.
    pub code_number: String,
    /// The symbol, e.g. `KH-UBND`.
    pub code_notation: String,
    /// The place of the date line.
    pub place: String,
    /// The date written on the document.
    pub promulgation_date: Date,
    /// Our type code (`TypeDetail`), e.g. `KH`.
    pub type_detail: String,
    /// The type's name, e.g. `Kế hoạch`.
    pub type_name: String,
    /// The subject (trích yếu).
    pub subject: String,
    /// Who signed.
    pub signer: Signer,
    /// 0 normal, 1 urgent, 2 very urgent, 3 flash, 4 timed flash.
    pub priority: u8,
    /// Number of copies.
    pub promulgation_amount: u32,
    /// Number of pages.
    pub page_amount: u32,
    /// The trace: (OrganId, timestamp) per hop.
    pub traces: Vec<(String, String)>,
    /// 0 new, 1 recall, 2 update, 3 replace.
    pub business_doc_type: u8,
    /// The attached files.
    pub attachments: Vec<Attachment>,
}

/// A status message (`MessageStatus`) about a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMessage {
    /// The organisation that issued the document the status is about.
    pub response_for_organ_id: String,
    /// Its number and symbol (`Code`).
    pub response_for_code: String,
    /// Its date.
    pub response_for_date: Date,
    /// Its `DocumentId`.
    pub response_for_document_id: String,
    /// Who reports.
    pub from: Organ,
    /// The status code, `01`…`16`.
    pub status_code: String,
    /// Its description.
    pub description: String,
    /// When, RFC 3339.
    pub timestamp: String,
}

/// Writes a document package.
///
/// # Errors
/// Only when the XML writer fails, which writing to memory does not.
pub fn write_package(package: &Package) -> Result<Vec<u8>, String> {
    document(|writer| {
        writer
            .create_element("edXML:edXMLEnvelope")
            .with_attribute(("xmlns:edXML", NAMESPACE))
            .write_inner_content(|writer| {
                writer
                    .create_element("edXML:edXMLHeader")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("edXML:MessageHeader")
                            .write_inner_content(|writer| {
                                organ(writer, "edXML:From", &package.from)?;
                                for to in &package.to {
                                    organ(writer, "edXML:To", to)?;
                                }
                                text(writer, "edXML:DocumentId", &package.document_id)?;
                                writer.create_element("edXML:Code").write_inner_content(
                                    |writer| {
                                        text(writer, "edXML:CodeNumber", &package.code_number)?;
                                        text(writer, "edXML:CodeNotation", &package.code_notation)
                                    },
                                )?;
                                writer
                                    .create_element("edXML:PromulgationInfo")
                                    .write_inner_content(|writer| {
                                        text(writer, "edXML:Place", &package.place)?;
                                        text(
                                            writer,
                                            "edXML:PromulgationDate",
                                            &slash_date(package.promulgation_date),
                                        )
                                    })?;
                                writer
                                    .create_element("edXML:DocumentType")
                                    .write_inner_content(|writer| {
                                        text(writer, "edXML:Type", "1")?;
                                        text(writer, "edXML:TypeDetail", &package.type_detail)?;
                                        text(writer, "edXML:TypeName", &package.type_name)
                                    })?;
                                text(writer, "edXML:Subject", &package.subject)?;
                                writer
                                    .create_element("edXML:SignerInfo")
                                    .write_inner_content(|writer| {
                                        text(
                                            writer,
                                            "edXML:Competence",
                                            &package.signer.competence,
                                        )?;
                                        text(writer, "edXML:Position", &package.signer.position)?;
                                        text(writer, "edXML:FullName", &package.signer.full_name)
                                    })?;
                                writer
                                    .create_element("edXML:OtherInfo")
                                    .write_inner_content(|writer| {
                                        text(
                                            writer,
                                            "edXML:Priority",
                                            &package.priority.to_string(),
                                        )?;
                                        text(
                                            writer,
                                            "edXML:PromulgationAmount",
                                            &package.promulgation_amount.to_string(),
                                        )?;
                                        text(
                                            writer,
                                            "edXML:PageAmount",
                                            &package.page_amount.to_string(),
                                        )
                                    })?;
                                Ok(())
                            })?;
                        writer
                            .create_element("edXML:TraceHeaderList")
                            .write_inner_content(|writer| {
                                for (organ_id, timestamp) in &package.traces {
                                    writer
                                        .create_element("edXML:TraceHeader")
                                        .write_inner_content(|writer| {
                                            text(writer, "edXML:OrganId", organ_id)?;
                                            text(writer, "edXML:Timestamp", timestamp)
                                        })?;
                                }
                                writer
                                    .create_element("edXML:Bussiness")
                                    .write_inner_content(|writer| {
                                        text(
                                            writer,
                                            "edXML:BussinessDocType",
                                            &package.business_doc_type.to_string(),
                                        )
                                    })?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                writer
                    .create_element("edXML:edXMLBody")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("edXML:edXMLManifest")
                            .write_inner_content(|writer| {
                                for attachment in &package.attachments {
                                    writer
                                        .create_element("edXML:Reference")
                                        .write_inner_content(|writer| {
                                            text(
                                                writer,
                                                "edXML:ContentId",
                                                &attachment.content_id,
                                            )?;
                                            text(
                                                writer,
                                                "edXML:ContentType",
                                                &attachment.content_type,
                                            )?;
                                            text(
                                                writer,
                                                "edXML:Description",
                                                &attachment.description,
                                            )?;
                                            text(writer, "edXML:AttachmentName", &attachment.name)
                                        })?;
                                }
                                Ok(())
                            })?;
                        writer
                            .create_element("edXML:AttachmentEncoded")
                            .write_inner_content(|writer| {
                                for attachment in &package.attachments {
                                    writer
                                        .create_element("edXML:Attachment")
                                        .with_attribute((
                                            "ContentId",
                                            attachment.content_id.as_str(),
                                        ))
                                        .write_text_content(BytesText::new(
                                            &BASE64.encode(&attachment.bytes),
                                        ))?;
                                }
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

/// Reads a document package.
///
/// # Errors
/// A message naming the problem: not well-formed XML, a DOCTYPE, a missing field, a bad date or
/// number, an attachment without content or with bad base64, too many of something.
pub fn read_package(xml: &[u8]) -> Result<Package, String> {
    let root = Element::parse(xml)?;
    if root.name != "edXMLEnvelope" {
        return Err(format!(
            "the root element is <{}>, not <edXMLEnvelope>",
            root.name
        ));
    }
    let header = root.child("edXMLHeader")?.child("MessageHeader")?;
    let to: Vec<Organ> = header
        .children_named("To")
        .map(read_organ)
        .collect::<Result<_, _>>()?;
    if to.len() > MAX_RECIPIENTS {
        return Err(format!("more than {MAX_RECIPIENTS} recipients"));
    }
    let code = header.child("Code")?;
    let promulgation = header.child("PromulgationInfo")?;
    let document_type = header.child("DocumentType")?;
    let signer = header.child("SignerInfo")?;
    let other = header.child("OtherInfo")?;
    let traces_element = root.child("edXMLHeader")?.child("TraceHeaderList")?;
    let traces = traces_element
        .children_named("TraceHeader")
        .map(|trace| {
            Ok((
                trace.text_of("OrganId")?.to_owned(),
                trace.text_of("Timestamp")?.to_owned(),
            ))
        })
        .collect::<Result<_, String>>()?;
    let business_doc_type = match traces_element.optional("Bussiness") {
        Some(business) => parse_number(business.text_of("BussinessDocType")?, "BussinessDocType")?,
        None => 0,
    };
    let body = root.child("edXMLBody")?;
    let references: Vec<&Element> = body
        .child("edXMLManifest")?
        .children_named("Reference")
        .collect();
    if references.len() > MAX_ATTACHMENTS {
        return Err(format!("more than {MAX_ATTACHMENTS} attachments"));
    }
    let encoded = body.child("AttachmentEncoded")?;
    let mut attachments: Vec<Attachment> = Vec::with_capacity(references.len());
    for reference in references {
        let content_id = reference.text_of("ContentId")?.to_owned();
        // Each reference decodes its content: one content named twice would be decoded twice.
        if attachments
            .iter()
            .any(|attachment| attachment.content_id == content_id)
        {
            return Err(format!("attachment {content_id} is referenced twice"));
        }
        let content = encoded
            .children_named("Attachment")
            .find(|attachment| attachment.attribute("ContentId") == Some(content_id.as_str()))
            .ok_or_else(|| format!("attachment {content_id} has no encoded content"))?;
        let compact: String = content
            .text
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = BASE64
            .decode(compact.as_bytes())
            .map_err(|error| format!("attachment {content_id} is not valid base64: {error}"))?;
        attachments.push(Attachment {
            content_type: reference.text_of("ContentType")?.to_owned(),
            name: reference.text_of("AttachmentName")?.to_owned(),
            description: reference
                .optional("Description")
                .map(|element| element.text.trim().to_owned())
                .unwrap_or_default(),
            content_id,
            bytes,
        });
    }
    Ok(Package {
        from: read_organ(header.child("From")?)?,
        to,
        document_id: header.text_of("DocumentId")?.to_owned(),
        code_number: code.text_of("CodeNumber")?.to_owned(),
        code_notation: code.text_of("CodeNotation")?.to_owned(),
        place: promulgation.text_of("Place")?.to_owned(),
        promulgation_date: parse_slash_date(promulgation.text_of("PromulgationDate")?)?,
        type_detail: document_type.text_of("TypeDetail")?.to_owned(),
        type_name: document_type.text_of("TypeName")?.to_owned(),
        subject: header.text_of("Subject")?.to_owned(),
        signer: Signer {
            competence: signer.text_of("Competence")?.to_owned(),
            position: signer.text_of("Position")?.to_owned(),
            full_name: signer.text_of("FullName")?.to_owned(),
        },
        priority: parse_number(other.text_of("Priority")?, "Priority")?,
        promulgation_amount: parse_number(
            other.text_of("PromulgationAmount")?,
            "PromulgationAmount",
        )?,
        page_amount: parse_number(other.text_of("PageAmount")?, "PageAmount")?,
        traces,
        business_doc_type,
        attachments,
    })
}

/// Writes a status message.
///
/// # Errors
/// Only when the XML writer fails, which writing to memory does not.
pub fn write_status(status: &StatusMessage) -> Result<Vec<u8>, String> {
    document(|writer| {
        writer
            .create_element("edXML:edXMLEnvelope")
            .with_attribute(("xmlns:edXML", NAMESPACE))
            .write_inner_content(|writer| {
                writer
                    .create_element("edXML:edXMLHeader")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("edXML:Status")
                            .write_inner_content(|writer| {
                                writer
                                    .create_element("edXML:ResponseFor")
                                    .write_inner_content(|writer| {
                                        text(
                                            writer,
                                            "edXML:OrganId",
                                            &status.response_for_organ_id,
                                        )?;
                                        text(writer, "edXML:Code", &status.response_for_code)?;
                                        text(
                                            writer,
                                            "edXML:PromulgationDate",
                                            &slash_date(status.response_for_date),
                                        )?;
                                        text(
                                            writer,
                                            "edXML:DocumentId",
                                            &status.response_for_document_id,
                                        )
                                    })?;
                                organ(writer, "edXML:From", &status.from)?;
                                text(writer, "edXML:StatusCode", &status.status_code)?;
                                text(writer, "edXML:Description", &status.description)?;
                                text(writer, "edXML:Timestamp", &status.timestamp)
                            })?;
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

/// Reads a status message.
///
/// # Errors
/// A message naming the problem, as [`read_package`]; a status code that is not two digits.
pub fn read_status(xml: &[u8]) -> Result<StatusMessage, String> {
    let root = Element::parse(xml)?;
    if root.name != "edXMLEnvelope" {
        return Err(format!(
            "the root element is <{}>, not <edXMLEnvelope>",
            root.name
        ));
    }
    let status = root.child("edXMLHeader")?.child("Status")?;
    let response_for = status.child("ResponseFor")?;
    let status_code = status.text_of("StatusCode")?.to_owned();
    if status_code.len() != 2 || !status_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("StatusCode {status_code:?} is not two digits"));
    }
    Ok(StatusMessage {
        response_for_organ_id: response_for.text_of("OrganId")?.to_owned(),
        response_for_code: response_for.text_of("Code")?.to_owned(),
        response_for_date: parse_slash_date(response_for.text_of("PromulgationDate")?)?,
        response_for_document_id: response_for.text_of("DocumentId")?.to_owned(),
        from: read_organ(status.child("From")?)?,
        status_code,
        description: status
            .optional("Description")
            .map(|element| element.text.trim().to_owned())
            .unwrap_or_default(),
        timestamp: status.text_of("Timestamp")?.to_owned(),
    })
}

/// `yyyy/MM/dd`, as edXML writes dates.
pub fn slash_date(date: Date) -> String {
    format!(
        "{:04}/{:02}/{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn parse_slash_date(text: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]/[month]/[day]");
    Date::parse(text, format).map_err(|_| format!("{text:?} is not a date in the form yyyy/MM/dd"))
}

fn parse_number<T: std::str::FromStr>(text: &str, field: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{field} {text:?} is not a number in range"))
}

fn read_organ(element: &Element) -> Result<Organ, String> {
    Ok(Organ {
        organ_id: element
            .optional("OrganId")
            .map(|id| id.text.trim().to_owned())
            .unwrap_or_default(),
        organ_name: element.text_of("OrganName")?.to_owned(),
    })
}

impl App {
    /// Exports an issued document as an edXML package for the exchange axis, to its recipients.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound`; `InvalidState` (`outgoing.invalid_state` before
    /// issue, `outgoing.secret_not_exchanged` for a secret document, which never leaves by
    /// exchange).
    pub async fn export_edxml(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<Vec<u8>, Error> {
        actor.require(Permission::IssueOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        if document.secrecy.is_secret() {
            return Err(Error::InvalidState {
                code: "outgoing.secret_not_exchanged",
                message: "secret documents never leave by electronic exchange".to_owned(),
            });
        }
        if document.state != OutgoingState::Issued {
            return Err(crate::outgoing::invalid_state(document.state, "export"));
        }
        let organization = db::organizations::find(&self.db, document.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let signer = db::users::find(&self.db, document.signer)
            .await?
            .ok_or(Error::NotFound { what: "user" })?;
        let recipients = db::outgoing::recipients(&self.db, id).await?;
        let bytes = self.get_blob(&document.blob_sha256).await?;
        let (Some(number_symbol), Some(date)) =
            (document.number_symbol.clone(), document.issued_date)
        else {
            return Err(Error::Integrity {
                detail: format!("issued document {id} has no number or date"),
            });
        };
        let (code_number, code_notation) = number_symbol
            .split_once('/')
            .map(|(number, notation)| (number.to_owned(), notation.to_owned()))
            .unwrap_or_else(|| (String::new(), number_symbol.clone()));
        let electronic_id = organization.profile.electronic_id.as_str().to_owned();
        let type_code = document.type_code.clone().unwrap_or_default();
        let now = self.clock.now();
        let package = Package {
            from: Organ {
                organ_id: electronic_id.clone(),
                organ_name: organization.profile.name.clone(),
            },
            to: recipients
                .iter()
                .map(|recipient| Organ {
                    organ_id: recipient.electronic_id.clone().unwrap_or_default(),
                    organ_name: recipient.name.clone(),
                })
                .collect(),
            document_id: format!("{electronic_id},{},{number_symbol}", slash_date(date)),
            code_number,
            code_notation,
            place: organization.profile.place_name.clone(),
            promulgation_date: date,
            type_name: DocumentType::from_code(&type_code)
                .map(|document_type| document_type.name_vi().to_owned())
                .unwrap_or_default(),
            type_detail: type_code,
            subject: document.subject.clone().unwrap_or_default(),
            signer: Signer {
                competence: format!("TM. {}", organization.profile.abbreviation.as_str()),
                position: signer.position.clone(),
                full_name: signer.full_name.as_str().to_owned(),
            },
            priority: document.urgency.edxml_priority(),
            promulgation_amount: u32::try_from(document.copies).unwrap_or(1),
            page_amount: u32::try_from(document.page_count).unwrap_or(0),
            traces: vec![(electronic_id, rfc3339(now))],
            business_doc_type: 0,
            attachments: vec![Attachment {
                content_id: "cid:1".to_owned(),
                content_type: "application/pdf".to_owned(),
                name: document.file_name.clone(),
                description: "Văn bản chính".to_owned(),
                bytes,
            }],
        };
        let xml = blocking(move || write_package(&package))
            .await?
            .map_err(|reason| Error::Internal { reason })?;
        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::EdxmlExported,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "kind": "document",
                    "number_symbol": number_symbol,
                    "sha256": document.blob_sha256,
                    "recipients": recipients.len(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(xml)
    }

    /// Imports an edXML package addressed to the actor's organisation as an incoming document:
    /// its main PDF is received through intake (signatures validated and logged) with the
    /// package's metadata, registered with the next arrival number.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `TooLarge`; `Validation` (field `edxml`) for a package that
    /// does not read, is not addressed to the organisation, or has no PDF; `Duplicate`.
    pub async fn import_edxml(
        &self,
        actor: &Actor,
        xml: Vec<u8>,
        operation: &OperationId,
    ) -> Result<crate::IncomingDocument, Error> {
        actor.require(Permission::ReceiveIncoming)?;
        // Base64 grows the files by a third; the header is small.
        let limit = self.config.uploads.max_bytes.saturating_mul(2);
        if xml.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let package = blocking(move || read_package(&xml))
            .await?
            .map_err(|message| Error::invalid("edxml", message))?;
        let organization = db::organizations::find(&self.db, actor.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let own_id = organization.profile.electronic_id.as_str();
        if !package.to.iter().any(|to| to.organ_id == own_id) {
            return Err(Error::invalid(
                "edxml",
                format!("the package is not addressed to {own_id}"),
            ));
        }
        let Some(main) = package
            .attachments
            .iter()
            .find(|attachment| attachment.content_type == "application/pdf")
        else {
            return Err(Error::invalid("edxml", "the package carries no PDF"));
        };
        let upload = IncomingUpload {
            file_name: main.name.clone(),
            bytes: main.bytes.clone(),
            metadata: IncomingMetadata {
                number_symbol: Some(format!("{}/{}", package.code_number, package.code_notation)),
                type_code: DocumentType::from_code(&package.type_detail)
                    .map(|document_type| document_type.code().to_owned()),
                subject: Some(package.subject.clone()),
                issuer_name: Some(package.from.organ_name.clone()),
                issued_date: Some(package.promulgation_date.to_string()),
                urgency: Some(
                    match package.priority {
                        1 => Urgency::Urgent,
                        2 => Urgency::VeryUrgent,
                        3 => Urgency::Flash,
                        4 => Urgency::TimedFlash,
                        _ => Urgency::Normal,
                    }
                    .code()
                    .to_owned(),
                ),
                secrecy: None,
            },
        };
        let now = self.clock.now();
        let prepared = self.prepare_intake(upload, now, Some(actor)).await?;
        let tx = self.db.begin_write().await?;
        if let Some(existing) =
            crate::intake::find_duplicate(&tx, actor.organization_id, &prepared).await?
        {
            return Err(Error::Duplicate {
                existing: Some(existing.get()),
            });
        }
        let registered = self
            .insert_intake(
                &tx,
                Receiver {
                    organization_id: actor.organization_id,
                    user_id: actor.user_id,
                    username: actor.username.as_str(),
                },
                &prepared,
                now,
                operation,
            )
            .await?;
        db::outgoing::set_arrival_channel(&tx, registered.id, "edxml").await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::EdxmlImported,
                target: &format!("document:{}", registered.id),
                details: serde_json::json!({
                    "kind": "document",
                    "document_id": package.document_id,
                    "from": package.from.organ_id,
                    "attachments": package.attachments.len(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.index_document(registered.id).await;
        Ok(registered)
    }

    /// Imports an edXML status message about one of the organisation's issued documents onto the
    /// delivery to the reporting organisation (created as an edXML delivery on its first status);
    /// returns the document's deliveries.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `Validation` (field `edxml`) for a message that does not read;
    /// `NotFound` when it is about no issued document of the organisation.
    pub async fn import_edxml_status(
        &self,
        actor: &Actor,
        xml: Vec<u8>,
        operation: &OperationId,
    ) -> Result<Vec<crate::Delivery>, Error> {
        actor.require(Permission::IssueOutgoing)?;
        if xml.len() as u64 > self.config.uploads.max_bytes {
            return Err(Error::TooLarge {
                limit: self.config.uploads.max_bytes,
            });
        }
        let status = blocking(move || read_status(&xml))
            .await?
            .map_err(|message| Error::invalid("edxml", message))?;
        let organization = db::organizations::find(&self.db, actor.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        if status.response_for_organ_id != organization.profile.electronic_id.as_str() {
            return Err(Error::NotFound { what: "document" });
        }
        let document = db::outgoing::list(&self.db, actor.organization_id, actor.clearance)
            .await?
            .into_iter()
            .find(|document| {
                document.number_symbol.as_deref() == Some(status.response_for_code.as_str())
                    && document.issued_date == Some(status.response_for_date)
                    && document.issued_at.is_some()
            })
            .ok_or(Error::NotFound { what: "document" })?;
        let now = self.clock.now();
        let description = if status.description.is_empty() {
            crate::outgoing::status_description(&status.status_code).to_owned()
        } else {
            status.description.clone()
        };
        let tx = self.db.begin_write().await?;
        let existing = db::deliveries::list_for_outgoing(&tx, document.id)
            .await?
            .into_iter()
            .find(|delivery| {
                delivery.recipient_e_id.as_deref() == Some(status.from.organ_id.as_str())
            });
        match existing {
            Some(delivery) => {
                db::deliveries::set_status(
                    &tx,
                    delivery.id,
                    &status.status_code,
                    &description,
                    now,
                )
                .await?;
            }
            None => {
                db::deliveries::insert(
                    &tx,
                    db::deliveries::NewDelivery {
                        outgoing_document: document.id,
                        recipient_organization: None,
                        recipient_name: &status.from.organ_name,
                        recipient_e_id: Some(&status.from.organ_id),
                        channel: db::deliveries::Channel::Edxml,
                        incoming_document: None,
                        status_code: &status.status_code,
                        status_description: &description,
                        at: now,
                    },
                )
                .await?;
            }
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::EdxmlImported,
                target: &format!("document:{}", document.id),
                details: serde_json::json!({
                    "kind": "status",
                    "from": status.from.organ_id,
                    "status_code": status.status_code,
                    "timestamp": status.timestamp,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.outgoing_deliveries(actor, document.id).await
    }

    /// Writes the edXML status message that tells the sender of an incoming document which
    /// arrived by internal delivery where it stands (`code`, e.g. `03`).
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound` when the document is not the actor's, or did not
    /// come from an organisation this deployment knows; `Validation` for an unknown code.
    pub async fn export_edxml_status(
        &self,
        actor: &Actor,
        incoming: DocumentId,
        code: &str,
        operation: &OperationId,
    ) -> Result<Vec<u8>, Error> {
        actor.require(Permission::ReceiveIncoming)?;
        if crate::outgoing::status_description(code) == "Trạng thái khác" {
            return Err(Error::invalid(
                "code",
                format!("unknown status code {code:?}"),
            ));
        }
        let document = db::documents::find_incoming(&self.db, incoming)
            .await?
            .filter(|document| actor.can_see(document.organization_id, document.secrecy))
            .ok_or(Error::NotFound { what: "document" })?;
        let delivery = db::deliveries::find_by_incoming(&self.db, incoming)
            .await?
            .ok_or(Error::NotFound { what: "sender" })?;
        let sender = db::outgoing::find(&self.db, delivery.outgoing_document)
            .await?
            .ok_or(Error::NotFound { what: "sender" })?;
        let sender_organization = db::organizations::find(&self.db, sender.organization_id)
            .await?
            .ok_or(Error::NotFound { what: "sender" })?;
        let own = db::organizations::find(&self.db, actor.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let (Some(number_symbol), Some(date)) =
            (document.number_symbol.clone(), document.issued_date)
        else {
            return Err(Error::invalid(
                "document",
                "the document has no number or date",
            ));
        };
        let sender_id = sender_organization
            .profile
            .electronic_id
            .as_str()
            .to_owned();
        let now = self.clock.now();
        let status = StatusMessage {
            response_for_document_id: format!("{sender_id},{},{number_symbol}", slash_date(date)),
            response_for_organ_id: sender_id,
            response_for_code: number_symbol,
            response_for_date: date,
            from: Organ {
                organ_id: own.profile.electronic_id.as_str().to_owned(),
                organ_name: own.profile.name.clone(),
            },
            status_code: code.to_owned(),
            description: crate::outgoing::status_description(code).to_owned(),
            timestamp: rfc3339(now),
        };
        let xml = write_status(&status).map_err(|reason| Error::Internal { reason })?;
        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::EdxmlExported,
                target: &format!("document:{incoming}"),
                details: serde_json::json!({ "kind": "status", "status_code": code }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(xml)
    }
}

// Writing.

type XmlWriter = Writer<std::io::Cursor<Vec<u8>>>;

fn document(write: impl FnOnce(&mut XmlWriter) -> std::io::Result<()>) -> Result<Vec<u8>, String> {
    let mut writer = Writer::new_with_indent(std::io::Cursor::new(Vec::new()), b' ', 1);
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| write(&mut writer))
        .map_err(|error| format!("cannot write XML: {error}"))?;
    let mut bytes = writer.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn text(writer: &mut XmlWriter, name: &str, value: &str) -> std::io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn organ(writer: &mut XmlWriter, name: &str, organ: &Organ) -> std::io::Result<()> {
    writer.create_element(name).write_inner_content(|writer| {
        text(writer, "edXML:OrganId", &organ.organ_id)?;
        text(writer, "edXML:OrganName", &organ.organ_name)
    })?;
    Ok(())
}

// Reading: a small bounded tree, then navigation with clear errors.

#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn parse(xml: &[u8]) -> Result<Element, String> {
        let xml = std::str::from_utf8(xml).map_err(|_| "the package is not UTF-8".to_owned())?;
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack: Vec<Element> = Vec::new();
        let mut root = None;
        let mut elements = 0_usize;
        loop {
            let event = reader
                .read_event()
                .map_err(|error| format!("not well-formed XML: {error}"))?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(start) | Event::Empty(start) if root.is_none() => {
                    if stack.len() >= MAX_DEPTH {
                        return Err("nested too deeply".to_owned());
                    }
                    elements += 1;
                    if elements > MAX_ELEMENTS {
                        return Err(format!("more than {MAX_ELEMENTS} elements"));
                    }
                    let mut element = Element {
                        name: local(start.name().as_ref())?,
                        ..Element::default()
                    };
                    for attribute in start.attributes() {
                        let attribute =
                            attribute.map_err(|error| format!("bad attribute: {error}"))?;
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|error| format!("bad attribute value: {error}"))?;
                        element
                            .attributes
                            .push((local(attribute.key.as_ref())?, value.into_owned()));
                    }
                    if empty {
                        close(&mut stack, &mut root, element);
                    } else {
                        stack.push(element);
                    }
                }
                Event::End(_) => match stack.pop() {
                    Some(element) => close(&mut stack, &mut root, element),
                    None => return Err("unbalanced end tag".to_owned()),
                },
                Event::Text(content) => {
                    if let Some(element) = stack.last_mut() {
                        element.text.push_str(&content.xml10_content());
                    }
                }
                Event::CData(data) => {
                    if let Some(element) = stack.last_mut() {
                        element.text.push_str(&data.xml10_content());
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference
                        .resolve_char_ref()
                        .map_err(|error| format!("bad character reference: {error}"))?
                    {
                        Some(character) => character.to_string(),
                        None => {
                            let name = reference.xml10_content();
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| format!("unknown entity &{name};"))?
                                .to_owned()
                        }
                    };
                    if let Some(element) = stack.last_mut() {
                        element.text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                Event::DocType(_) => return Err("a DOCTYPE is not allowed".to_owned()),
                Event::Start(_) | Event::Empty(_) => {
                    return Err("content after the root element".to_owned());
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err("unclosed element".to_owned());
        }
        root.ok_or_else(|| "no root element".to_owned())
    }

    fn optional(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    fn child(&self, name: &str) -> Result<&Element, String> {
        self.optional(name)
            .ok_or_else(|| format!("<{}> has no <{name}>", self.name))
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The trimmed text of a required, non-empty child.
    fn text_of(&self, name: &str) -> Result<&str, String> {
        let text = self.child(name)?.text.trim();
        if text.is_empty() {
            return Err(format!("<{}> has an empty <{name}>", self.name));
        }
        Ok(text)
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> Result<String, String> {
    Ok(match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn sample() -> Package {
        Package {
            from: Organ {
                organ_id: "000.21.23.H02".to_owned(),
                organ_name: "Ủy ban nhân dân phường Ngô Quyền".to_owned(),
            },
            to: vec![Organ {
                organ_id: "000.00.21.H02".to_owned(),
                organ_name: "Ủy ban nhân dân thành phố Hải Phòng".to_owned(),
            }],
            document_id: "000.21.23.H02,2026/03/15,01/KH-UBND".to_owned(),
            code_number: "01".to_owned(),
            code_notation: "KH-UBND".to_owned(),
            place: "Phường Ngô Quyền".to_owned(),
            promulgation_date: date!(2026 - 03 - 15),
            type_detail: "KH".to_owned(),
            type_name: "Kế hoạch".to_owned(),
            subject: "Kế hoạch cải cách hành chính năm 2026 & <các> mục tiêu".to_owned(),
            signer: Signer {
                competence: "TM. ỦY BAN NHÂN DÂN".to_owned(),
                position: "Chủ tịch".to_owned(),
                full_name: "Nguyễn Văn An".to_owned(),
            },
            priority: 1,
            promulgation_amount: 3,
            page_amount: 2,
            traces: vec![(
                "000.21.23.H02".to_owned(),
                "2026-03-15T09:00:00+07:00".to_owned(),
            )],
            business_doc_type: 0,
            attachments: vec![Attachment {
                content_id: "cid:1".to_owned(),
                content_type: "application/pdf".to_owned(),
                name: "ke-hoach.pdf".to_owned(),
                description: "Văn bản chính".to_owned(),
                bytes: (0..=255).collect(),
            }],
        }
    }

    #[test]
    fn a_package_round_trips() {
        let package = sample();
        let xml = write_package(&package).unwrap();
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains(NAMESPACE), "{text}");
        assert!(text.contains("<edXML:PromulgationDate>2026/03/15</edXML:PromulgationDate>"));
        assert_eq!(read_package(&xml).unwrap(), package);
    }

    #[test]
    fn a_status_round_trips() {
        let status = StatusMessage {
            response_for_organ_id: "000.21.23.H02".to_owned(),
            response_for_code: "01/KH-UBND".to_owned(),
            response_for_date: date!(2026 - 03 - 15),
            response_for_document_id: "000.21.23.H02,2026/03/15,01/KH-UBND".to_owned(),
            from: Organ {
                organ_id: "000.00.21.H02".to_owned(),
                organ_name: "Ủy ban nhân dân thành phố Hải Phòng".to_owned(),
            },
            status_code: "03".to_owned(),
            description: "Đã tiếp nhận".to_owned(),
            timestamp: "2026-03-15T10:00:00+07:00".to_owned(),
        };
        let xml = write_status(&status).unwrap();
        assert_eq!(read_status(&xml).unwrap(), status);
    }

    #[test]
    fn hostile_packages_are_refused_with_a_clear_reason() {
        let good = String::from_utf8(write_package(&sample()).unwrap()).unwrap();
        let check = |xml: String, expected: &str| {
            let error = read_package(xml.as_bytes()).unwrap_err();
            assert!(
                error.contains(expected),
                "{error:?} should mention {expected:?}"
            );
        };
        let base64 = BASE64.encode((0..=255).collect::<Vec<u8>>());
        check(good.replace(&base64, "@@not base64@@"), "not valid base64");
        check(
            good.replace("<edXML:Subject>", "<edXML:Topic>")
                .replace("</edXML:Subject>", "</edXML:Topic>"),
            "has no <Subject>",
        );
        check(
            good.replace(
                "2026/03/15</edXML:PromulgationDate>",
                "15/03/2026</edXML:PromulgationDate>",
            ),
            "not a date",
        );
        check(
            good.replace("<edXML:Priority>1<", "<edXML:Priority>999<"),
            "Priority",
        );
        check(
            good.replace("ContentId=\"cid:1\"", "ContentId=\"cid:2\""),
            "no encoded content",
        );
        check(
            good.replacen(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]>",
                1,
            ),
            "DOCTYPE",
        );
        check(good[..good.len() / 2].to_owned(), "");
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        check(deep, "nested too deeply");
        check("not xml at all".to_owned(), "no root element");
        assert!(read_package(&[0xff, 0xfe, 0x00]).is_err());
        let status = read_status(good.as_bytes()).unwrap_err();
        assert!(status.contains("has no <Status>"), "{status}");
    }
}
