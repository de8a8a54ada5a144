//! HTTP for the two network services a signature may need: the time-stamping authority (RFC 3161
//! over HTTP, RFC 3161 §3.4) and the OCSP responder (RFC 6960 Appendix A).
//!
//! Behind a trait so that an air-gapped deployment can plug in its own transport (an LGSP gateway, a
//! proxy) and so that the engine never holds a database transaction across a network call.

use std::io::Read as _;
use std::time::Duration;

/// The largest response accepted from a TSA or OCSP responder.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Why a request to a service failed.
#[derive(Debug, thiserror::Error)]
#[error("request to {url} failed: {reason}")]
pub struct TransportError {
    /// The service's URL.
    pub url: String,
    /// What went wrong, in plain words.
    pub reason: String,
}

/// Posts a DER request to a service and returns the DER response.
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `body` with `content_type` to `url` and returns the response body.
    ///
    /// # Errors
    /// `TransportError` when the service cannot be reached, times out, or answers with an error.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Fetches `url` (a CRL distribution point).
    ///
    /// # Errors
    /// `TransportError` when the resource cannot be fetched.
    fn get(&self, url: &str) -> Result<Vec<u8>, TransportError>;
}

/// The blocking HTTP transport (ureq) with an overall timeout per request.
#[derive(Debug)]
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl HttpTransport {
    /// A transport whose requests each give up after `timeout`.
    pub fn new(timeout: Duration) -> HttpTransport {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(true)
            .build();
        HttpTransport {
            agent: ureq::Agent::new_with_config(config),
        }
    }
}

impl Transport for HttpTransport {
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, TransportError> {
        let failure = |reason: String| TransportError {
            url: url.to_owned(),
            reason,
        };
        let mut response = self
            .agent
            .post(url)
            .header("Content-Type", content_type)
            .send(body)
            .map_err(|error| failure(error.to_string()))?;
        read_limited(url, response.body_mut())
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, TransportError> {
        let failure = |reason: String| TransportError {
            url: url.to_owned(),
            reason,
        };
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|error| failure(error.to_string()))?;
        read_limited(url, response.body_mut())
    }
}

/// Reads a response body of at most `MAX_RESPONSE_BYTES`.
fn read_limited(url: &str, body: &mut ureq::Body) -> Result<Vec<u8>, TransportError> {
    let failure = |reason: String| TransportError {
        url: url.to_owned(),
        reason,
    };
    let mut bytes = Vec::new();
    body.as_reader()
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| failure(error.to_string()))?;
    if bytes.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(failure(format!(
            "response larger than {MAX_RESPONSE_BYTES} bytes"
        )));
    }
    Ok(bytes)
}
