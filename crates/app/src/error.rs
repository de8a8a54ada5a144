//! The one place that turns adapter errors into `app::Error`, and the stable machine codes that
//! clients switch on.

/// One problem with one input field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    /// The field, as named in the API (e.g. `number_symbol`).
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}

/// What a use case can fail with.
///
/// Deliberately not `#[non_exhaustive]`: a new variant must break the exhaustive HTTP mapping in
/// `server::error` at compile time.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The username or password is wrong; the same for an unknown user, so as not to reveal which.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// No valid session or token was presented.
    #[error("login required")]
    Unauthenticated,
    /// The actor's roles do not allow the action.
    #[error("your role does not allow this action: {action}")]
    Forbidden {
        /// The refused action.
        action: &'static str,
    },
    /// The thing does not exist, or the actor may not know that it does.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// Input fields are invalid; every problem is listed.
    #[error("invalid input: {}", .issues.iter().map(|issue| format!("{}: {}", issue.field, issue.message)).collect::<Vec<_>>().join("; "))]
    Validation {
        /// Every problem found.
        issues: Vec<FieldIssue>,
    },
    /// The uploaded file is not a PDF Vanthu can read.
    #[error("the file is not a readable PDF: {reason}")]
    NotPdf {
        /// Why, in plain words.
        reason: String,
        /// The precise code (`document.not_pdf`, `document.corrupt_pdf`, `document.encrypted_pdf`).
        code: &'static str,
    },
    /// The upload exceeds the configured size limit.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The same document is already registered: the same file (SHA-256), or the same number,
    /// symbol and issuer in the same year (Phụ lục VI §III.1.h).
    #[error("this document is already registered{}", .existing.map(|id| format!(" as incoming document {id}")).unwrap_or_default())]
    Duplicate {
        /// The id of the existing document, when the actor may see it.
        existing: Option<i64>,
    },
    /// A signature could not be made; `code` says why (`signing.certificate_refused`,
    /// `key.wrong_password`, `signing.service_unavailable`, …).
    #[error("{message}")]
    Signing {
        /// The stable code.
        code: &'static str,
        /// What went wrong, in plain words.
        message: String,
    },
    /// A concurrent change won; retry.
    #[error("the record was changed concurrently; retry")]
    Conflict,
    /// The action does not apply to the record in its current state, or another user changed it
    /// first (`outgoing.invalid_state`, `outgoing.concurrent_change`, …).
    #[error("{message}")]
    InvalidState {
        /// The stable code.
        code: &'static str,
        /// What happened, in plain words.
        message: String,
    },
    /// An archive package was refused: unreadable (`package.malformed`), or a file in it does not
    /// match its recorded SHA-256 (`package.tampered`); the message names the file.
    #[error("{message}")]
    Package {
        /// The stable code.
        code: &'static str,
        /// What is wrong, naming the file in the package.
        message: String,
    },
    /// A stored blob or record no longer matches its hash.
    #[error("stored data failed its integrity check")]
    Integrity {
        /// What failed, for logs.
        detail: String,
    },
    /// The configuration is unusable.
    #[error("invalid configuration: {}", .problems.join("; "))]
    Config {
        /// Every problem found.
        problems: Vec<String>,
    },
    /// A backing service (database, blob store) failed.
    #[error("{what} is unavailable")]
    Unavailable {
        /// Which service.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A bug: an invariant did not hold.
    #[error("internal error: {reason}")]
    Internal {
        /// What went wrong, for logs.
        reason: String,
    },
}

impl Error {
    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidCredentials => "auth.invalid_credentials",
            Error::Unauthenticated => "auth.unauthenticated",
            Error::Forbidden { .. } => "auth.forbidden",
            Error::NotFound { .. } => "not_found",
            Error::Validation { .. } => "request.invalid",
            Error::NotPdf { code, .. } => code,
            Error::TooLarge { .. } => "request.too_large",
            Error::Duplicate { .. } => "incoming.duplicate",
            Error::Signing { code, .. } => code,
            Error::Conflict => "conflict",
            Error::InvalidState { code, .. } => code,
            Error::Package { code, .. } => code,
            Error::Integrity { .. } => "storage.integrity",
            Error::Config { .. } => "config.invalid",
            Error::Unavailable { .. } => "service.unavailable",
            Error::Internal { .. } => "internal",
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Validation {
            issues: vec![FieldIssue {
                field,
                message: message.into(),
            }],
        }
    }
}

impl From<db::Error> for Error {
    fn from(error: db::Error) -> Error {
        match error {
            db::Error::Conflict { .. } => Error::Conflict,
            db::Error::CorruptRow { .. } => Error::Integrity {
                detail: error.to_string(),
            },
            db::Error::Config { .. } => Error::Config {
                problems: vec![error.to_string()],
            },
            db::Error::Backend(_) => Error::Unavailable {
                what: "database",
                source: Box::new(error),
            },
        }
    }
}

impl From<storage::Error> for Error {
    fn from(error: storage::Error) -> Error {
        match error {
            storage::Error::NotFound { .. } | storage::Error::Corrupt { .. } => Error::Integrity {
                detail: error.to_string(),
            },
            storage::Error::InvalidId { .. } => Error::Integrity {
                detail: error.to_string(),
            },
            storage::Error::Io { .. } => Error::Unavailable {
                what: "blob storage",
                source: Box::new(error),
            },
        }
    }
}

impl From<pdf::Error> for Error {
    fn from(error: pdf::Error) -> Error {
        let code = match error {
            pdf::Error::Encrypted | pdf::Error::WrongPassword => "document.encrypted_pdf",
            pdf::Error::NotPdf => "document.not_pdf",
            pdf::Error::TooLarge { limit, .. } => return Error::TooLarge { limit },
            _ => "document.corrupt_pdf",
        };
        Error::NotPdf {
            reason: error.to_string(),
            code,
        }
    }
}
