//! sea-orm entities, one per table of `migrations/`.
//!
//! They mirror what `sea-orm-cli generate entity` writes for the schema and carry no behaviour: the
//! query modules of this crate map them to and from domain types, and nothing outside `db` sees them.

pub(crate) mod audit_checkpoints;
pub(crate) mod audit_events;
pub(crate) mod audit_head;
pub(crate) mod document_texts;
pub(crate) mod documents;
pub(crate) mod incoming_registrations;
pub(crate) mod organizations;
pub(crate) mod registers;
pub(crate) mod sessions;
pub(crate) mod signature_log;
pub(crate) mod user_roles;
pub(crate) mod users;
