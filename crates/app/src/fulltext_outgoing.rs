//! Issued outgoing documents in the full-text index, beside the incoming ones.
//!
//! A document of the outgoing register is indexed once it is issued (and stays, with its state,
//! when it is later recalled, replaced, corrected or archived); drafts and documents still in
//! signature are never indexed, so a search shows only what the organisation has promulgated.
//! The scope is the same as for incoming documents: the organisation and the secrecy level, from
//! the actor, never from the request. The `register` field tells the two registers apart.

use domain::ids::DocumentId;
use domain::outgoing::OutgoingState;
use domain::register::RegisterKind;

use crate::fulltext::secrecy_level;
use crate::{App, Error};

impl App {
    /// Brings the index up to date with an outgoing document; a failure is logged, not returned
    /// (`vanthu reindex` repairs the index). Documents not yet issued are left out.
    pub(crate) async fn index_outgoing(&self, id: DocumentId) {
        let document = match db::outgoing::find(&self.db, id).await {
            Ok(Some(document)) if is_promulgated(document.state) => document,
            Ok(_) => return,
            Err(error) => {
                tracing::warn!(%error, document_id = %id, "cannot read the outgoing document to index it");
                return;
            }
        };
        let issuer = match db::organizations::find(&self.db, document.organization_id).await {
            Ok(organization) => organization.map(|organization| organization.profile.name),
            Err(error) => {
                tracing::warn!(%error, document_id = %id, "cannot read the issuing organisation");
                None
            }
        };
        let text = match db::document_texts::get(&self.db, id).await {
            Ok(text) => text.map(|text| text.text).unwrap_or_default(),
            Err(error) => {
                tracing::warn!(%error, document_id = %id, "cannot read the document's text to index it");
                String::new()
            }
        };
        self.upsert_indexed(indexed_outgoing(&document, issuer, text))
            .await;
    }

    /// The indexed form of every promulgated outgoing document of every organisation, for a
    /// rebuild; `texts` are the stored texts by document id (taken out as used).
    pub(crate) async fn outgoing_for_reindex(
        &self,
        texts: &mut std::collections::HashMap<i64, String>,
    ) -> Result<Vec<search::IndexedDocument>, Error> {
        let mut documents = Vec::new();
        for organization in db::organizations::list(&self.db).await? {
            let rows = db::outgoing::list(
                &self.db,
                organization.id,
                domain::levels::Secrecy::TopSecret,
            )
            .await?;
            documents.extend(
                rows.iter()
                    .filter(|document| is_promulgated(document.state))
                    .map(|document| {
                        let text = texts.remove(&document.id.get()).unwrap_or_default();
                        indexed_outgoing(document, Some(organization.profile.name.clone()), text)
                    }),
            );
        }
        Ok(documents)
    }
}

/// Whether the document was issued: the states from Issued on.
pub(crate) fn is_promulgated(state: OutgoingState) -> bool {
    matches!(
        state,
        OutgoingState::Issued
            | OutgoingState::Replaced
            | OutgoingState::Corrected
            | OutgoingState::Recalled
            | OutgoingState::Archived
    )
}

fn indexed_outgoing(
    document: &db::outgoing::Outgoing,
    issuer: Option<String>,
    text: String,
) -> search::IndexedDocument {
    search::IndexedDocument {
        id: document.id.get(),
        organization_id: document.organization_id.get(),
        secrecy_level: secrecy_level(document.secrecy),
        number_symbol: document.number_symbol.clone(),
        type_code: document.type_code.clone(),
        issuer,
        subject: document.subject.clone(),
        text,
        register: Some(
            RegisterKind::for_outgoing(document.secrecy)
                .code()
                .to_owned(),
        ),
        status: Some(document.state.code().to_owned()),
        signer: None,
        date: document.issued_date,
    }
}
