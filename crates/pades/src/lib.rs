//! The PAdES engine: signing levels B-B to B-LTA (ETSI EN 319 142-1), the Decree 30 two-signature
//! flow, and two-phase remote signing, over the `pdf` and `crypto` adapters.
//!
//! It knows nothing of the database and is usable on its own (`vanthu sign` needs no database), as
//! pyHanko or EU DSS are. `app::signing` decides which key, which field and where the result goes.
//!
//! A signature is made in three steps that two-phase signing exposes: [`prepare`] appends the
//! incremental revision with a placeholder and computes the bytes to sign (the DER of the signed
//! attributes); the key signs them (in-process, on a token, or at a remote service); [`finalize`]
//! assembles the CMS, adds the signature timestamp (B-T), embeds it, and appends the validation data
//! (B-LT) and the document timestamp (B-LTA).

pub mod decree30;
mod engine;
mod error;
mod level;
mod pending;
mod report;
mod transport;
mod validate;

pub use crate::engine::{
    SignOptions, TimestampOptions, add_document_timestamp, finalize, prepare, sign,
};
pub use crate::error::Error;
pub use crate::level::Level;
pub use crate::pending::PendingSignature;
pub use crate::report::{
    Check, Conclusion, Modification, Reason, SignatureReport, SignerIdentity, TimestampReport,
    ValidationReport,
};
pub use crate::transport::{HttpTransport, Transport, TransportError};
pub use crate::validate::{RevocationMode, ValidationOptions, validate};
