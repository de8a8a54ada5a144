//! Archive packages of one closed work file: building the zip and reading one back, with fixity.
//!
//! The layout follows TT 05/2025/TT-BNV as DOMAIN.md §2 reports it (OAIS, E-ARK CSIP-like):
//!
//! ```text
//! METS.xml                              structure: OBJID, every file with its SHA-256
//! metadata/descriptive/EAD.xml          the file-level and document-level fields (simpledc style)
//! metadata/preservation/PREMIS.xml      one object per data file with its SHA-256 fixity
//! representations/rep1/data/NNN-name    the documents' files, by ordinal
//! ```
//!
//! The OBJID is `urn:{organisation e-ID}:uuid:{UUID}`. Reading is for untrusted input: the
//! number of entries and the bytes read are bounded, entry names must stay inside the package,
//! and every data file must hash to the value both PREMIS and METS record (the metadata files to
//! the values METS records), or the package is refused with an error naming the file. This module
//! is pure: no database, no clock (the creation time is an argument).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};

use domain::levels::Secrecy;
use domain::records::Retention;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

/// The structural map at the root.
pub(crate) const METS_PATH: &str = "METS.xml";
/// The descriptive metadata.
pub(crate) const EAD_PATH: &str = "metadata/descriptive/EAD.xml";
/// The preservation metadata.
pub(crate) const PREMIS_PATH: &str = "metadata/preservation/PREMIS.xml";
/// Where the documents' files are.
pub(crate) const DATA_DIR: &str = "representations/rep1/data/";

/// The most entries a package may have (a file holds at most 9999 documents, Phụ lục VI: N4).
const MAX_ENTRIES: usize = 10_010;
/// The largest metadata file read, in bytes.
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;
/// How deep the XML of a package may nest.
const MAX_XML_DEPTH: usize = 32;

/// The file-level description of a work file (Phụ lục VI Phần II §III; TT 05/2025 tags).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileDescription {
    /// The agency's electronic id (OrganId, mã phông).
    pub(crate) organization_eid: String,
    /// The agency's name.
    pub(crate) organization_name: String,
    /// The archival identity, the UUID of the OBJID.
    pub(crate) uuid: String,
    /// The file code (arcFileCode).
    pub(crate) file_code: String,
    /// The year the file was formed (FileCatalog).
    pub(crate) year: i32,
    /// The file notation.
    pub(crate) notation: String,
    /// The title.
    pub(crate) title: String,
    /// The retention (maintenance).
    pub(crate) retention: Retention,
    /// The access regime (mode, chế độ sử dụng).
    pub(crate) rights: String,
    /// Who made the file.
    pub(crate) creator: String,
    /// The language.
    pub(crate) language: String,
    /// A description.
    pub(crate) description: Option<String>,
    /// The start date.
    pub(crate) start_date: Date,
    /// The end date.
    pub(crate) end_date: Date,
    /// The total of pages (numberOfPage).
    pub(crate) page_total: i32,
}

/// One document of the file with its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DocumentEntry {
    /// Its ordinal in the file (docOrdinal), from 1.
    pub(crate) ordinal: i32,
    /// The type code (`domain::document_type`), when known.
    pub(crate) type_code: Option<String>,
    /// The number and symbol, e.g. `06/KH-UBND`.
    pub(crate) number_symbol: Option<String>,
    /// The date on the document.
    pub(crate) issued_date: Option<Date>,
    /// The issuing organisation (organName).
    pub(crate) issuer_name: Option<String>,
    /// The subject (trích yếu).
    pub(crate) subject: Option<String>,
    /// Pages.
    pub(crate) page_count: i32,
    /// Secrecy.
    pub(crate) secrecy: Secrecy,
    /// The original file name.
    pub(crate) file_name: String,
    /// The file's bytes.
    pub(crate) bytes: Vec<u8>,
}

/// A package's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Package {
    /// The file.
    pub(crate) file: FileDescription,
    /// Its documents, by ordinal.
    pub(crate) documents: Vec<DocumentEntry>,
    /// When the package was made.
    pub(crate) created_at: OffsetDateTime,
}

/// Why a package was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PackageError {
    /// It cannot be read as a package.
    #[error("not a readable archive package: {reason}")]
    Malformed {
        /// Why.
        reason: String,
    },
    /// A file in it does not match its recorded SHA-256, or is missing or unlisted.
    #[error("the archive package failed its fixity check: {path}: {reason}")]
    Tampered {
        /// The file in the package.
        path: String,
        /// What does not match.
        reason: String,
    },
}

impl From<PackageError> for crate::Error {
    fn from(error: PackageError) -> crate::Error {
        let code = match error {
            PackageError::Malformed { .. } => "package.malformed",
            PackageError::Tampered { .. } => "package.tampered",
        };
        crate::Error::Package {
            code,
            message: error.to_string(),
        }
    }
}

impl Package {
    /// The OBJID: `urn:{organisation e-ID}:uuid:{UUID}`.
    pub(crate) fn objid(&self) -> String {
        format!("urn:{}:uuid:{}", self.file.organization_eid, self.file.uuid)
    }
}

/// The path of a document's file in the package: `representations/rep1/data/001-name.pdf`.
pub(crate) fn data_path(document: &DocumentEntry) -> String {
    let name: String = document
        .file_name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .take(200)
        .collect();
    format!("{DATA_DIR}{:03}-{}", document.ordinal, name.trim())
}

/// The SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Builds the zip of `package`.
///
/// # Errors
/// `Malformed` only if the zip cannot be written (it is written to memory).
pub(crate) fn build(package: &Package) -> Result<Vec<u8>, PackageError> {
    let ead = ead_xml(package)?;
    let premis = premis_xml(package)?;
    let mets = mets_xml(package, &ead, &premis)?;

    let writing = |error: zip::result::ZipError| PackageError::Malformed {
        reason: format!("cannot write the zip: {error}"),
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time(package.created_at));
    let mut add = |path: &str, bytes: &[u8]| -> Result<(), PackageError> {
        zip.start_file(path, options).map_err(writing)?;
        zip.write_all(bytes)
            .map_err(|error| PackageError::Malformed {
                reason: format!("cannot write the zip: {error}"),
            })
    };
    add(METS_PATH, &mets)?;
    add(EAD_PATH, &ead)?;
    add(PREMIS_PATH, &premis)?;
    for document in &package.documents {
        add(&data_path(document), &document.bytes)?;
    }
    let cursor = zip.finish().map_err(writing)?;
    Ok(cursor.into_inner())
}

/// Reads a package, checking every file against the SHA-256 values METS and PREMIS record.
///
/// `max_total_bytes` bounds the bytes decompressed in all.
///
/// # Errors
/// `Malformed` for anything that is not a well-formed package; `Tampered` naming the first file
/// (data files first, by path) whose bytes do not match, or that is missing or unlisted.
pub(crate) fn parse(bytes: &[u8], max_total_bytes: u64) -> Result<Package, PackageError> {
    let entries = read_entries(bytes, max_total_bytes)?;
    let text = |path: &str| -> Result<&str, PackageError> {
        let bytes = entries
            .get(path)
            .ok_or_else(|| malformed(format!("{path} is missing")))?;
        std::str::from_utf8(bytes).map_err(|_| malformed(format!("{path} is not UTF-8")))
    };
    let mets = Element::parse(text(METS_PATH)?, METS_PATH)?;
    let premis = Element::parse(text(PREMIS_PATH)?, PREMIS_PATH)?;

    // What METS records: every file and metadata file with its checksum.
    let mut mets_sums: BTreeMap<String, String> = BTreeMap::new();
    for reference in mets.descendants("mdRef") {
        let path = reference.attribute("href")?;
        mets_sums.insert(path.to_owned(), reference.attribute("CHECKSUM")?.to_owned());
    }
    for file in mets.descendants("file") {
        let location = file
            .descendants("FLocat")
            .into_iter()
            .next()
            .ok_or_else(|| malformed("a METS file has no FLocat".to_owned()))?;
        mets_sums.insert(
            location.attribute("href")?.to_owned(),
            file.attribute("CHECKSUM")?.to_owned(),
        );
    }
    // What PREMIS records: every data file's digest.
    let mut premis_sums: BTreeMap<String, String> = BTreeMap::new();
    for object in premis.descendants("object") {
        let path = object
            .descendants("objectIdentifierValue")
            .into_iter()
            .next()
            .map(|element| element.text.trim().to_owned())
            .ok_or_else(|| malformed("a PREMIS object has no objectIdentifierValue".to_owned()))?;
        let digest = object
            .descendants("messageDigest")
            .into_iter()
            .next()
            .ok_or_else(|| malformed(format!("PREMIS has no digest for {path}")))?
            .text
            .trim()
            .to_owned();
        premis_sums.insert(path, digest);
    }

    // Data files first: a flipped byte or a changed PREMIS digest names the document's file.
    let data_paths: BTreeSet<&String> = entries
        .keys()
        .chain(premis_sums.keys())
        .chain(mets_sums.keys())
        .filter(|path| path.starts_with(DATA_DIR))
        .collect();
    for path in data_paths {
        let tampered = |reason: &str| PackageError::Tampered {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let Some(bytes) = entries.get(path.as_str()) else {
            return Err(tampered("listed in the package but missing"));
        };
        let actual = sha256_hex(bytes);
        match premis_sums.get(path.as_str()) {
            None => return Err(tampered("not listed in PREMIS.xml")),
            Some(expected) if !expected.eq_ignore_ascii_case(&actual) => {
                return Err(tampered(
                    "its SHA-256 does not match the digest in PREMIS.xml",
                ));
            }
            Some(_) => {}
        }
        match mets_sums.get(path.as_str()) {
            None => return Err(tampered("not listed in METS.xml")),
            Some(expected) if !expected.eq_ignore_ascii_case(&actual) => {
                return Err(tampered(
                    "its SHA-256 does not match the checksum in METS.xml",
                ));
            }
            Some(_) => {}
        }
    }
    for path in [EAD_PATH, PREMIS_PATH] {
        let actual = sha256_hex(entries.get(path).map(Vec::as_slice).unwrap_or_default());
        match mets_sums.get(path) {
            Some(expected) if expected.eq_ignore_ascii_case(&actual) => {}
            _ => {
                return Err(PackageError::Tampered {
                    path: path.to_owned(),
                    reason: "its SHA-256 does not match the checksum in METS.xml".to_owned(),
                });
            }
        }
    }
    if let Some(extra) = entries.keys().find(|path| {
        ![METS_PATH, EAD_PATH, PREMIS_PATH].contains(&path.as_str()) && !path.starts_with(DATA_DIR)
    }) {
        return Err(PackageError::Tampered {
            path: extra.clone(),
            reason: "not part of the package layout".to_owned(),
        });
    }

    let ead = Element::parse(text(EAD_PATH)?, EAD_PATH)?;
    let (file, mut documents) = read_ead(&ead, &entries)?;
    let objid = mets.attribute("OBJID")?;
    let expected_objid = format!("urn:{}:uuid:{}", file.organization_eid, file.uuid);
    if objid != expected_objid {
        return Err(malformed(format!(
            "the METS OBJID {objid:?} does not name the file's organisation and UUID"
        )));
    }
    let code = domain::records::FileCode::parse(&file.file_code)
        .map_err(|error| malformed(format!("EAD arcFileCode: {error}")))?;
    if code.organization.as_str() != file.organization_eid
        || code.year != file.year
        || code.notation.as_str() != file.notation
    {
        return Err(malformed(format!(
            "EAD arcFileCode {} disagrees with organId, fileCatalog or fileNotation",
            file.file_code
        )));
    }
    documents.sort_by_key(|document| document.ordinal);
    if documents
        .windows(2)
        .any(|pair| pair[0].ordinal == pair[1].ordinal)
    {
        return Err(malformed(
            "EAD gives two documents the same docOrdinal".to_owned(),
        ));
    }
    let created_at = mets
        .descendants("metsHdr")
        .into_iter()
        .next()
        .map(|header| header.attribute("CREATEDATE"))
        .transpose()?
        .map(|text| {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| malformed(format!("CREATEDATE {text:?} is not RFC 3339")))
        })
        .transpose()?
        .ok_or_else(|| malformed("METS has no metsHdr CREATEDATE".to_owned()))?;
    Ok(Package {
        file,
        documents,
        created_at,
    })
}

fn malformed(reason: String) -> PackageError {
    PackageError::Malformed { reason }
}

/// Every entry of the zip by name, bounded in count and size, names kept inside the package.
fn read_entries(
    bytes: &[u8],
    max_total_bytes: u64,
) -> Result<BTreeMap<String, Vec<u8>>, PackageError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| malformed(format!("not a zip file: {error}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(malformed(format!(
            "{} entries, more than {MAX_ENTRIES}",
            archive.len()
        )));
    }
    let mut entries = BTreeMap::new();
    let mut budget = max_total_bytes;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|error| malformed(format!("unreadable entry {index}: {error}")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|error| malformed(format!("entry {index} has an unreadable name: {error}")))?
            .into_owned();
        let safe = entry.enclosed_name().is_some()
            && !name.starts_with('/')
            && !name.contains('\\')
            && !name.split('/').any(|part| part == ".." || part.is_empty());
        if !safe {
            return Err(malformed(format!("entry name {name:?} leaves the package")));
        }
        let limit = if name.starts_with(DATA_DIR) {
            budget
        } else {
            budget.min(MAX_METADATA_BYTES)
        };
        let mut content = Vec::new();
        (&mut entry)
            .take(limit.saturating_add(1))
            .read_to_end(&mut content)
            .map_err(|error| malformed(format!("{name}: cannot decompress: {error}")))?;
        let size = content.len() as u64;
        if size > limit {
            return Err(malformed(format!(
                "{name}: larger than the limit of {limit} bytes"
            )));
        }
        budget -= size;
        if entries.insert(name.clone(), content).is_some() {
            return Err(malformed(format!("{name} appears twice")));
        }
    }
    Ok(entries)
}

/// The file and documents described by EAD.xml, each document's bytes taken from `entries`.
fn read_ead(
    ead: &Element,
    entries: &BTreeMap<String, Vec<u8>>,
) -> Result<(FileDescription, Vec<DocumentEntry>), PackageError> {
    let date = |text: &str, what: &str| -> Result<Date, PackageError> {
        Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| malformed(format!("EAD {what} {text:?} is not YYYY-MM-DD")))
    };
    let number = |text: &str, what: &str| -> Result<i32, PackageError> {
        text.parse::<i32>()
            .map_err(|_| malformed(format!("EAD {what} {text:?} is not a number")))
    };
    let optional = |element: &Element, name: &str| -> Option<String> {
        element
            .child(name)
            .map(|child| child.text.trim().to_owned())
            .filter(|text| !text.is_empty())
    };
    let maintenance = ead
        .child("maintenance")
        .ok_or_else(|| malformed("EAD has no maintenance".to_owned()))?;
    let retention_code = maintenance.attribute("code")?;
    let retention = Retention::parse(retention_code)
        .map_err(|error| malformed(format!("EAD maintenance: {error}")))?;
    let file = FileDescription {
        organization_eid: ead.child_text("organId")?,
        organization_name: ead.child_text("organName")?,
        uuid: ead.child_text("identifier")?,
        file_code: ead.child_text("arcFileCode")?,
        year: number(&ead.child_text("fileCatalog")?, "fileCatalog")?,
        notation: ead.child_text("fileNotation")?,
        title: ead.child_text("title")?,
        retention,
        rights: ead.child_text("mode")?,
        creator: ead.child_text("creator")?,
        language: ead.child_text("language")?,
        description: optional(ead, "description"),
        start_date: date(&ead.child_text("startDate")?, "startDate")?,
        end_date: date(&ead.child_text("endDate")?, "endDate")?,
        page_total: number(&ead.child_text("numberOfPage")?, "numberOfPage")?,
    };
    let mut documents = Vec::new();
    for element in ead.descendants("document") {
        let path = element.child_text("filePath")?;
        let bytes = entries
            .get(&path)
            .filter(|_| path.starts_with(DATA_DIR))
            .ok_or_else(|| PackageError::Tampered {
                path: path.clone(),
                reason: "named in EAD.xml but missing".to_owned(),
            })?;
        let number_symbol = match (
            optional(element, "codeNumber"),
            optional(element, "codeNotation"),
        ) {
            (Some(number), Some(notation)) => Some(format!("{number}/{notation}")),
            (Some(number), None) => Some(number),
            (None, Some(notation)) => Some(notation),
            (None, None) => None,
        };
        let secrecy_code = element.child_text("secrecy")?;
        documents.push(DocumentEntry {
            ordinal: number(&element.child_text("docOrdinal")?, "docOrdinal")?,
            type_code: optional(element, "typeCode"),
            number_symbol,
            issued_date: optional(element, "issuedDate")
                .map(|text| date(&text, "issuedDate"))
                .transpose()?,
            issuer_name: optional(element, "organName"),
            subject: optional(element, "subject"),
            page_count: number(&element.child_text("pageAmount")?, "pageAmount")?,
            secrecy: Secrecy::parse(&secrecy_code)
                .map_err(|error| malformed(format!("EAD secrecy: {error}")))?,
            file_name: element.child_text("fileName")?,
            bytes: bytes.clone(),
        });
    }
    let total = ead.child_text("totalDoc")?;
    if number(&total, "totalDoc")? as usize != documents.len() {
        return Err(malformed(format!(
            "EAD totalDoc {total} but {} documents described",
            documents.len()
        )));
    }
    Ok((file, documents))
}

// Writing.

type XmlWriter = Writer<Cursor<Vec<u8>>>;

fn xml_document(
    write: impl FnOnce(&mut XmlWriter) -> std::io::Result<()>,
) -> Result<Vec<u8>, PackageError> {
    let mut writer = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| write(&mut writer))
        .map_err(|error| malformed(format!("cannot write XML: {error}")))?;
    let mut bytes = writer.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn text_element(writer: &mut XmlWriter, name: &str, text: &str) -> std::io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Splits `06/KH-UBND` into the number `06` and the notation `KH-UBND` (codeNumber, codeNotation).
fn split_number_symbol(number_symbol: &str) -> (Option<&str>, Option<&str>) {
    match number_symbol.split_once('/') {
        Some((number, notation)) => (Some(number), Some(notation)),
        None => (None, Some(number_symbol)),
    }
}

fn ead_xml(package: &Package) -> Result<Vec<u8>, PackageError> {
    let file = &package.file;
    xml_document(|writer| {
        writer
            .create_element("simpledc")
            .with_attribute(("xmlns:dc", "http://purl.org/dc/elements/1.1/"))
            .with_attribute(("level", "file"))
            .write_inner_content(|writer| {
                text_element(writer, "identifier", &file.uuid)?;
                text_element(writer, "arcFileCode", &file.file_code)?;
                text_element(writer, "organId", &file.organization_eid)?;
                text_element(writer, "organName", &file.organization_name)?;
                text_element(writer, "fileCatalog", &file.year.to_string())?;
                text_element(writer, "fileNotation", &file.notation)?;
                text_element(writer, "title", &file.title)?;
                writer
                    .create_element("maintenance")
                    .with_attribute(("code", file.retention.code().as_str()))
                    .write_text_content(BytesText::new(&file.retention.label_vi()))?;
                text_element(writer, "mode", &file.rights)?;
                text_element(writer, "creator", &file.creator)?;
                text_element(writer, "language", &file.language)?;
                text_element(writer, "startDate", &iso_date(file.start_date))?;
                text_element(writer, "endDate", &iso_date(file.end_date))?;
                text_element(writer, "totalDoc", &package.documents.len().to_string())?;
                text_element(writer, "numberOfPage", &file.page_total.to_string())?;
                text_element(writer, "format", "Điện tử")?;
                if let Some(description) = &file.description {
                    text_element(writer, "description", description)?;
                }
                writer
                    .create_element("documents")
                    .write_inner_content(|writer| {
                        for document in &package.documents {
                            write_ead_document(writer, package, document)?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

fn write_ead_document(
    writer: &mut XmlWriter,
    package: &Package,
    document: &DocumentEntry,
) -> std::io::Result<()> {
    writer
        .create_element("document")
        .with_attribute(("level", "item"))
        .write_inner_content(|writer| {
            text_element(
                writer,
                "docCode",
                &format!("{}.{:03}", package.file.file_code, document.ordinal),
            )?;
            text_element(writer, "arcFileCode", &package.file.file_code)?;
            text_element(writer, "docOrdinal", &document.ordinal.to_string())?;
            if let Some(code) = &document.type_code {
                text_element(writer, "typeCode", code)?;
                if let Some(kind) = domain::document_type::DocumentType::from_code(code) {
                    text_element(writer, "typeName", kind.name_vi())?;
                }
            }
            if let Some(number_symbol) = &document.number_symbol {
                let (number, notation) = split_number_symbol(number_symbol);
                if let Some(number) = number {
                    text_element(writer, "codeNumber", number)?;
                }
                if let Some(notation) = notation {
                    text_element(writer, "codeNotation", notation)?;
                }
            }
            if let Some(date) = document.issued_date {
                text_element(writer, "issuedDate", &iso_date(date))?;
            }
            if let Some(issuer) = &document.issuer_name {
                text_element(writer, "organName", issuer)?;
            }
            if let Some(subject) = &document.subject {
                text_element(writer, "subject", subject)?;
            }
            text_element(writer, "language", &package.file.language)?;
            text_element(writer, "pageAmount", &document.page_count.to_string())?;
            text_element(writer, "mode", &package.file.rights)?;
            text_element(writer, "secrecy", document.secrecy.code())?;
            // 01 bản chính (original), DOMAIN.md §2 community list.
            text_element(writer, "confidenceLevel", "01")?;
            text_element(writer, "format", "application/pdf")?;
            text_element(writer, "fileName", &document.file_name)?;
            text_element(writer, "filePath", &data_path(document))?;
            Ok(())
        })?;
    Ok(())
}

fn premis_xml(package: &Package) -> Result<Vec<u8>, PackageError> {
    let created = domain::calendar::rfc3339(package.created_at);
    xml_document(|writer| {
        writer
            .create_element("premis:premis")
            .with_attribute(("xmlns:premis", "http://www.loc.gov/premis/v3"))
            .with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"))
            .with_attribute(("version", "3.0"))
            .write_inner_content(|writer| {
                for document in &package.documents {
                    let path = data_path(document);
                    writer
                        .create_element("premis:object")
                        .with_attribute(("xsi:type", "premis:file"))
                        .write_inner_content(|writer| {
                            writer
                                .create_element("premis:objectIdentifier")
                                .write_inner_content(|writer| {
                                    text_element(writer, "premis:objectIdentifierType", "local")?;
                                    text_element(writer, "premis:objectIdentifierValue", &path)
                                })?;
                            writer
                                .create_element("premis:objectCharacteristics")
                                .write_inner_content(|writer| {
                                    text_element(writer, "premis:compositionLevel", "0")?;
                                    writer.create_element("premis:fixity").write_inner_content(
                                        |writer| {
                                            text_element(
                                                writer,
                                                "premis:messageDigestAlgorithm",
                                                "SHA-256",
                                            )?;
                                            text_element(
                                                writer,
                                                "premis:messageDigest",
                                                &sha256_hex(&document.bytes),
                                            )?;
                                            text_element(
                                                writer,
                                                "premis:messageDigestOriginator",
                                                "Vanthu",
                                            )
                                        },
                                    )?;
                                    text_element(
                                        writer,
                                        "premis:size",
                                        &document.bytes.len().to_string(),
                                    )?;
                                    writer.create_element("premis:format").write_inner_content(
                                        |writer| {
                                            writer
                                                .create_element("premis:formatDesignation")
                                                .write_inner_content(|writer| {
                                                    text_element(
                                                        writer,
                                                        "premis:formatName",
                                                        "application/pdf",
                                                    )
                                                })?;
                                            Ok(())
                                        },
                                    )?;
                                    Ok(())
                                })?;
                            text_element(writer, "premis:originalName", &document.file_name)
                        })?;
                }
                writer
                    .create_element("premis:event")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("premis:eventIdentifier")
                            .write_inner_content(|writer| {
                                text_element(writer, "premis:eventIdentifierType", "local")?;
                                text_element(writer, "premis:eventIdentifierValue", "packaging")
                            })?;
                        text_element(writer, "premis:eventType", "creation")?;
                        text_element(writer, "premis:eventDateTime", &created)?;
                        writer
                            .create_element("premis:eventOutcomeInformation")
                            .write_inner_content(|writer| {
                                text_element(writer, "premis:eventOutcome", "success")
                            })?;
                        Ok(())
                    })?;
                writer
                    .create_element("premis:agent")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("premis:agentIdentifier")
                            .write_inner_content(|writer| {
                                text_element(writer, "premis:agentIdentifierType", "local")?;
                                text_element(writer, "premis:agentIdentifierValue", "vanthu")
                            })?;
                        text_element(writer, "premis:agentName", "Vanthu")?;
                        text_element(writer, "premis:agentType", "software")
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

fn mets_xml(package: &Package, ead: &[u8], premis: &[u8]) -> Result<Vec<u8>, PackageError> {
    let created = domain::calendar::rfc3339(package.created_at);
    let objid = package.objid();
    xml_document(|writer| {
        writer
            .create_element("mets:mets")
            .with_attribute(("xmlns:mets", "http://www.loc.gov/METS/"))
            .with_attribute(("xmlns:xlink", "http://www.w3.org/1999/xlink"))
            .with_attribute(("OBJID", objid.as_str()))
            .with_attribute(("LABEL", package.file.title.as_str()))
            .with_attribute(("TYPE", "SIP_hoso"))
            .with_attribute((
                "PROFILE",
                "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml",
            ))
            .write_inner_content(|writer| {
                writer
                    .create_element("mets:metsHdr")
                    .with_attribute(("CREATEDATE", created.as_str()))
                    .with_attribute(("RECORDSTATUS", "NEW"))
                    .write_inner_content(|writer| {
                        writer
                            .create_element("mets:agent")
                            .with_attribute(("ROLE", "CREATOR"))
                            .with_attribute(("TYPE", "ORGANIZATION"))
                            .write_inner_content(|writer| {
                                text_element(writer, "mets:name", &package.file.organization_name)?;
                                text_element(writer, "mets:note", &package.file.organization_eid)
                            })?;
                        Ok(())
                    })?;
                writer
                    .create_element("mets:dmdSec")
                    .with_attribute(("ID", "dmd-ead"))
                    .write_inner_content(|writer| md_ref(writer, EAD_PATH, "EAD", ead))?;
                writer
                    .create_element("mets:amdSec")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("mets:digiprovMD")
                            .with_attribute(("ID", "premis"))
                            .write_inner_content(|writer| {
                                md_ref(writer, PREMIS_PATH, "PREMIS", premis)
                            })?;
                        Ok(())
                    })?;
                writer
                    .create_element("mets:fileSec")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("mets:fileGrp")
                            .with_attribute(("USE", "Representations/rep1/Data"))
                            .write_inner_content(|writer| {
                                for document in &package.documents {
                                    let id = format!("file-{:03}", document.ordinal);
                                    let size = document.bytes.len().to_string();
                                    let sum = sha256_hex(&document.bytes);
                                    let path = data_path(document);
                                    writer
                                        .create_element("mets:file")
                                        .with_attribute(("ID", id.as_str()))
                                        .with_attribute(("MIMETYPE", "application/pdf"))
                                        .with_attribute(("SIZE", size.as_str()))
                                        .with_attribute(("CHECKSUM", sum.as_str()))
                                        .with_attribute(("CHECKSUMTYPE", "SHA-256"))
                                        .write_inner_content(|writer| {
                                            writer
                                                .create_element("mets:FLocat")
                                                .with_attribute(("LOCTYPE", "URL"))
                                                .with_attribute(("xlink:type", "simple"))
                                                .with_attribute(("xlink:href", path.as_str()))
                                                .write_empty()?;
                                            Ok(())
                                        })?;
                                }
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                writer
                    .create_element("mets:structMap")
                    .with_attribute(("TYPE", "PHYSICAL"))
                    .with_attribute(("LABEL", "CSIP"))
                    .write_inner_content(|writer| {
                        writer
                            .create_element("mets:div")
                            .with_attribute(("LABEL", package.file.file_code.as_str()))
                            .write_inner_content(|writer| {
                                writer
                                    .create_element("mets:div")
                                    .with_attribute(("LABEL", "Representations/rep1"))
                                    .write_inner_content(|writer| {
                                        for document in &package.documents {
                                            let id = format!("file-{:03}", document.ordinal);
                                            writer
                                                .create_element("mets:fptr")
                                                .with_attribute(("FILEID", id.as_str()))
                                                .write_empty()?;
                                        }
                                        Ok(())
                                    })?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

fn md_ref(writer: &mut XmlWriter, path: &str, kind: &str, bytes: &[u8]) -> std::io::Result<()> {
    let size = bytes.len().to_string();
    let sum = sha256_hex(bytes);
    writer
        .create_element("mets:mdRef")
        .with_attribute(("LOCTYPE", "URL"))
        .with_attribute(("xlink:type", "simple"))
        .with_attribute(("xlink:href", path))
        .with_attribute(("MDTYPE", kind))
        .with_attribute(("MIMETYPE", "text/xml"))
        .with_attribute(("SIZE", size.as_str()))
        .with_attribute(("CHECKSUM", sum.as_str()))
        .with_attribute(("CHECKSUMTYPE", "SHA-256"))
        .write_empty()?;
    Ok(())
}

/// The zip entry time of `at` (in Vietnam time; zip times have no zone), or the zip epoch.
fn zip_time(at: OffsetDateTime) -> zip::DateTime {
    let local = at.to_offset(domain::VIETNAM_OFFSET);
    zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).unwrap_or(1980),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
    )
    .unwrap_or_default()
}

// Reading: a small element tree over quick-xml events, names without their prefixes.

/// An XML element: its local name, attributes by local name, text and children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
    /// The package file it came from, for messages.
    source: &'static str,
}

impl Element {
    /// Parses a whole document into its root element.
    fn parse(xml: &str, source: &'static str) -> Result<Element, PackageError> {
        let bad = |detail: String| malformed(format!("{source}: {detail}"));
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack: Vec<Element> = Vec::new();
        let mut root = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|error| bad(format!("not well-formed XML: {error}")))?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(start) | Event::Empty(start) if root.is_none() => {
                    if stack.len() >= MAX_XML_DEPTH {
                        return Err(bad("nested too deeply".to_owned()));
                    }
                    let mut element = Element {
                        name: local(start.name().as_ref()),
                        source,
                        ..Element::default()
                    };
                    for attribute in start.attributes() {
                        let attribute =
                            attribute.map_err(|error| bad(format!("bad attribute: {error}")))?;
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|error| bad(format!("bad attribute value: {error}")))?;
                        element
                            .attributes
                            .insert(local(attribute.key.as_ref()), value.into_owned());
                    }
                    if empty {
                        close(&mut stack, &mut root, element);
                    } else {
                        stack.push(element);
                    }
                }
                Event::End(_) => match stack.pop() {
                    Some(element) => close(&mut stack, &mut root, element),
                    None => return Err(bad("unbalanced end tag".to_owned())),
                },
                Event::Text(text) => {
                    if let Some(element) = stack.last_mut() {
                        element.text.push_str(&text.xml10_content());
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
                        .map_err(|error| bad(format!("bad character reference: {error}")))?
                    {
                        Some(character) => character.to_string(),
                        None => {
                            let name = reference.xml10_content();
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| bad(format!("unknown entity &{name};")))?
                                .to_owned()
                        }
                    };
                    if let Some(element) = stack.last_mut() {
                        element.text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                Event::DocType(_) => {
                    return Err(bad("a DOCTYPE is not allowed".to_owned()));
                }
                Event::Start(_) | Event::Empty(_) => {
                    return Err(bad("content after the root element".to_owned()));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(bad("unclosed element".to_owned()));
        }
        root.ok_or_else(|| bad("no root element".to_owned()))
    }

    fn attribute(&self, name: &str) -> Result<&str, PackageError> {
        self.attributes
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| {
                malformed(format!(
                    "{}: <{}> has no {name} attribute",
                    self.source, self.name
                ))
            })
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    fn child_text(&self, name: &str) -> Result<String, PackageError> {
        self.child(name)
            .map(|child| child.text.trim().to_owned())
            .ok_or_else(|| malformed(format!("{}: <{}> has no <{name}>", self.source, self.name)))
    }

    /// Every element named `name` below this one, in document order.
    fn descendants(&self, name: &str) -> Vec<&Element> {
        let mut found = Vec::new();
        let mut pending: Vec<&Element> = self.children.iter().rev().collect();
        while let Some(element) = pending.pop() {
            if element.name == name {
                found.push(element);
            }
            pending.extend(element.children.iter().rev());
        }
        found
    }
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn sample() -> Package {
        Package {
            file: FileDescription {
                organization_eid: "000.21.23.H02".to_owned(),
                organization_name: "UBND phường Ngô Quyền".to_owned(),
                uuid: "5f0c8a52-5a43-4d43-9f1e-3a1c4b1f2e10".to_owned(),
                file_code: "000.21.23.H02.2026.01.TCCB".to_owned(),
                year: 2026,
                notation: "01.TCCB".to_owned(),
                title: "Hồ sơ tuyển dụng công chức năm 2026 & <thử>".to_owned(),
                retention: Retention::Years(10),
                rights: "Hạn chế".to_owned(),
                creator: "Văn phòng - Thống kê".to_owned(),
                language: "Tiếng Việt".to_owned(),
                description: Some("Mô tả".to_owned()),
                start_date: date!(2026 - 03 - 15),
                end_date: date!(2026 - 06 - 01),
                page_total: 3,
            },
            documents: vec![
                DocumentEntry {
                    ordinal: 1,
                    type_code: Some("KH".to_owned()),
                    number_symbol: Some("06/KH-UBND".to_owned()),
                    issued_date: Some(date!(2026 - 03 - 10)),
                    issuer_name: Some("UBND thành phố".to_owned()),
                    subject: Some("Kế hoạch cải cách hành chính".to_owned()),
                    page_count: 2,
                    secrecy: Secrecy::Normal,
                    file_name: "kế hoạch.pdf".to_owned(),
                    bytes: b"%PDF-1.4 one".to_vec(),
                },
                DocumentEntry {
                    ordinal: 2,
                    type_code: None,
                    number_symbol: None,
                    issued_date: None,
                    issuer_name: None,
                    subject: None,
                    page_count: 1,
                    secrecy: Secrecy::Normal,
                    file_name: "b/c.pdf".to_owned(),
                    bytes: b"%PDF-1.4 two".to_vec(),
                },
            ],
            created_at: datetime!(2026-06-01 10:00 UTC),
        }
    }

    /// Rewrites one entry of a package zip.
    fn rewrite(zip_bytes: &[u8], path: &str, change: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            if name == path {
                change(&mut content);
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn tampered_path(result: Result<Package, PackageError>) -> String {
        match result {
            Err(PackageError::Tampered { path, .. }) => path,
            other => panic!("expected a tampered package, got {other:?}"),
        }
    }

    #[test]
    fn a_package_round_trips() {
        let package = sample();
        let bytes = build(&package).unwrap();
        let parsed = parse(&bytes, 1 << 20).unwrap();
        assert_eq!(parsed, package);
        assert_eq!(
            parsed.objid(),
            "urn:000.21.23.H02:uuid:5f0c8a52-5a43-4d43-9f1e-3a1c4b1f2e10"
        );
        let names: Vec<String> = zip::ZipArchive::new(Cursor::new(&bytes))
            .unwrap()
            .file_names()
            .map(|name| name.unwrap().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "METS.xml",
                "metadata/descriptive/EAD.xml",
                "metadata/preservation/PREMIS.xml",
                "representations/rep1/data/001-kế hoạch.pdf",
                "representations/rep1/data/002-b_c.pdf",
            ]
        );
    }

    #[test]
    fn the_same_package_builds_the_same_bytes() {
        assert_eq!(build(&sample()).unwrap(), build(&sample()).unwrap());
    }

    #[test]
    fn a_flipped_byte_in_a_data_file_is_named() {
        let bytes = build(&sample()).unwrap();
        let path = "representations/rep1/data/002-b_c.pdf";
        let tampered = rewrite(&bytes, path, |content| content[3] ^= 1);
        assert_eq!(tampered_path(parse(&tampered, 1 << 20)), path);
    }

    #[test]
    fn a_changed_premis_digest_is_named_by_its_file() {
        let bytes = build(&sample()).unwrap();
        let digest = sha256_hex(b"%PDF-1.4 one");
        let tampered = rewrite(&bytes, PREMIS_PATH, |content| {
            let text = String::from_utf8(content.clone()).unwrap();
            *content = text.replace(&digest, &"0".repeat(64)).into_bytes();
        });
        assert_eq!(
            tampered_path(parse(&tampered, 1 << 20)),
            "representations/rep1/data/001-kế hoạch.pdf"
        );
    }

    #[test]
    fn changed_metadata_is_named() {
        let bytes = build(&sample()).unwrap();
        let tampered = rewrite(&bytes, EAD_PATH, |content| {
            let text = String::from_utf8(content.clone()).unwrap();
            *content = text.replace("10 năm", "5 năm").into_bytes();
        });
        assert_eq!(tampered_path(parse(&tampered, 1 << 20)), EAD_PATH);
    }

    #[test]
    fn garbage_and_oversized_packages_are_malformed() {
        assert!(matches!(
            parse(b"not a zip", 1 << 20),
            Err(PackageError::Malformed { .. })
        ));
        let bytes = build(&sample()).unwrap();
        assert!(matches!(
            parse(&bytes, 100),
            Err(PackageError::Malformed { .. })
        ));
        let error: crate::Error = parse(b"", 1).unwrap_err().into();
        assert_eq!(error.code(), "package.malformed");
    }

    #[test]
    fn xml_entities_and_prefixes_are_read() {
        let element = Element::parse(
            "<?xml version=\"1.0\"?><a:root x:id=\"1 &amp; 2\"><b>T&#7871;t &lt;3&gt;</b><c/></a:root>",
            "test",
        )
        .unwrap();
        assert_eq!(element.name, "root");
        assert_eq!(element.attribute("id").unwrap(), "1 & 2");
        assert_eq!(element.child_text("b").unwrap(), "Tết <3>");
        assert!(element.child("c").is_some());
        assert!(Element::parse("<!DOCTYPE x><x/>", "test").is_err());
        assert!(Element::parse("<x><y></x>", "test").is_err());
    }
}
