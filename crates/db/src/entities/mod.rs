//! sea-orm entities, one per table of `migrations/`.
//!
//! They mirror what `sea-orm-cli generate entity` writes for the schema and carry no behaviour: the
//! query modules of this crate map them to and from domain types, and nothing outside `db` sees them.

pub(crate) mod assignments;
pub(crate) mod audit_checkpoints;
pub(crate) mod audit_events;
pub(crate) mod audit_head;
pub(crate) mod deliveries;
pub(crate) mod delivery_statuses;
pub(crate) mod document_ocr;
pub(crate) mod document_texts;
pub(crate) mod documents;
pub(crate) mod file_memberships;
pub(crate) mod file_plan_headings;
pub(crate) mod file_plan_items;
pub(crate) mod file_plans;
pub(crate) mod holidays;
pub(crate) mod incoming_handling;
pub(crate) mod incoming_recalls;
pub(crate) mod incoming_registrations;
pub(crate) mod organizations;
pub(crate) mod outgoing_details;
pub(crate) mod outgoing_recipients;
pub(crate) mod progress_notes;
pub(crate) mod registers;
pub(crate) mod retention_classes;
pub(crate) mod review_steps;
pub(crate) mod saved_searches;
pub(crate) mod sessions;
pub(crate) mod signature_log;
pub(crate) mod user_roles;
pub(crate) mod users;
pub(crate) mod work_files;
