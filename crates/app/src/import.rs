//! Bulk import of files as incoming documents (`vanthu import`): the same intake as an upload,
//! for an operator who registers a folder of PDFs or scans on behalf of a clerk.
//!
//! A PDF goes through [`App::receive_incoming`] unchanged. A scanned page (PNG or JPEG) is first
//! made a two-layer PDF by tesseract (`ocr::scan_to_pdf`: the image with an invisible Vietnamese
//! text layer, the form TT 05/2025 asks of digitised paper), and that PDF is what is registered;
//! it is deterministic, so the same scan imported twice is a duplicate.

use domain::user::Username;

use crate::{Actor, App, Error, IncomingDocument, IncomingUpload, OperationId, Permission};

/// How an imported file was registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportedForm {
    /// A PDF, registered as it was.
    Pdf,
    /// A scanned image, registered as the two-layer PDF made from it.
    Scan,
}

impl App {
    /// The actor of an operator's command that acts as a named user (`vanthu import --as vanthu`):
    /// the operator runs it on the server with the database credentials, so naming a user grants
    /// nothing new, and what is done is recorded under that user's name.
    ///
    /// # Errors
    /// `NotFound` for an unknown or inactive user.
    pub async fn actor_by_username(&self, username: &str) -> Result<Actor, Error> {
        let parsed = Username::parse(username).map_err(|_| Error::NotFound { what: "user" })?;
        match db::users::find_by_username(&self.db, &parsed).await? {
            Some(user) if user.active => Ok(Actor {
                user_id: user.id,
                username: user.username,
                full_name: user.full_name.as_str().to_owned(),
                organization_id: user.organization_id,
                roles: user.roles,
                clearance: user.clearance,
            }),
            _ => Err(Error::NotFound { what: "user" }),
        }
    }

    /// Registers one file as an incoming document: a PDF as it is, a PNG or JPEG scan as the
    /// two-layer PDF made from it (named after the image, with `.pdf`).
    ///
    /// # Errors
    /// As [`App::receive_incoming`]; `TooLarge` is checked before a scan is converted;
    /// `NotPdf` with code `document.unreadable_image` for a scan tesseract cannot read;
    /// `Unavailable` for a scan when tesseract or its Vietnamese model is missing.
    pub async fn import_file(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: Vec<u8>,
        operation: &OperationId,
    ) -> Result<(IncomingDocument, ImportedForm), Error> {
        actor.require(Permission::ReceiveIncoming)?;
        let limit = self.config.uploads.max_bytes;
        if bytes.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let (file_name, bytes, form) = if crate::ocr::scan_image_kind(&bytes).is_some() {
            let pdf = crate::ocr::scan_to_pdf(&bytes).await?;
            let stem = std::path::Path::new(file_name).file_stem().map_or_else(
                || "scan".to_owned(),
                |stem| stem.to_string_lossy().into_owned(),
            );
            (format!("{stem}.pdf"), pdf, ImportedForm::Scan)
        } else {
            (file_name.to_owned(), bytes, ImportedForm::Pdf)
        };
        let upload = IncomingUpload {
            file_name,
            bytes,
            metadata: crate::IncomingMetadata::default(),
        };
        let document = self.receive_incoming(actor, upload, operation).await?;
        Ok((document, form))
    }
}
