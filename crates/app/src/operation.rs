//! The id of the request or command that caused a change, stored with its audit event so that an
//! auditor can tie the event to the server's logs.

use std::fmt;

/// A request id (from the `x-request-id` header) or a command id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationId(String);

impl OperationId {
    /// Wraps an id, keeping at most 64 printable ASCII characters of it (it comes from a header).
    pub fn new(id: &str) -> OperationId {
        OperationId(id.chars().filter(char::is_ascii_graphic).take(64).collect())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
