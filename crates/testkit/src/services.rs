//! Real revocation and time-stamping services on loopback, for signing tests: [`DevTsa`] (RFC 3161)
//! and [`DevOcsp`] (RFC 6960, plus the dev CRLs), both answered by the real `openssl` command line
//! with the DEV ONLY PKI of `certs-dev/`.
//!
//! Each service runs an axum server on a thread and a Tokio runtime of its own, so it keeps answering
//! while the test blocks its own thread (a blocking HTTP client, a pyHanko or pdfsig child process)
//! and whatever runtime flavour the test uses. The listener is bound before `start` returns, so the
//! service answers at once: nothing polls or sleeps. Dropping the value stops the server, kills any
//! `openssl` child still running and deletes the service's temporary directory.
//!
//! Every request spawns one `openssl ts -reply` or `openssl ocsp -reqin` process (about 5 ms). The
//! clocks in the answers are openssl's, that is the system clock: the fixed test clock does not
//! reach these services.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use anyhow::{Context as _, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::oracles::certs_dev;

/// The TSA policy OID that [`DevTsa`] puts in every token.
pub const DEV_TSA_POLICY: &str = "1.2.3.4.1";

/// The port that every certs-dev end-entity certificate names for OCSP
/// (`http://127.0.0.1:8788/ocsp`) and for the CRLs (`http://127.0.0.1:8788/crl/…`).
pub const WELL_KNOWN_PORT: u16 = 8788;

/// The certs-dev end-entity certificates that [`DevOcsp`] answers "good" for.
pub const GOOD_CERTIFICATES: &[&str] = &[
    "leader-rsa",
    "leader-p256",
    "seal-rsa",
    "seal-p256",
    "tsa",
    "ocsp",
    "expired-rsa",
];

/// The certs-dev certificates that [`DevOcsp`] answers "revoked" for, since their notBefore (as
/// `intermediate.crl` says).
pub const REVOKED_CERTIFICATES: &[&str] = &["revoked-rsa"];

/// An RFC 3161 time-stamping authority on `127.0.0.1`, signing with `certs-dev/tsa.pem`.
///
/// It answers `POST /` (any path) with `Content-Type: application/timestamp-query` by an
/// `application/timestamp-reply` from `openssl ts -reply`: SHA-256 ESSCertIDv2, policy
/// [`DEV_TSA_POLICY`], accuracy 1.5001 s, ordering, the TSA name, and the TSA certificate with the
/// chain (intermediate and root) when the request sets `certReq`. Other content types get 415.
#[derive(Debug)]
pub struct DevTsa {
    /// The URL to post time-stamp queries to, `http://127.0.0.1:PORT/tsa`.
    pub url: String,
    requests: Arc<AtomicUsize>,
    _server: Server,
}

impl DevTsa {
    /// Starts the TSA on a free loopback port; it answers as soon as this returns.
    pub async fn start() -> anyhow::Result<DevTsa> {
        let dir = tempfile::Builder::new()
            .prefix("vanthu-dev-tsa-")
            .tempdir()?;
        let certs = certs_dev();
        let config = dir.path().join("ts.cnf");
        std::fs::write(dir.path().join("tsaserial"), "01\n")?;
        std::fs::write(
            &config,
            format!(
                "[ tsa ]\n\
                 default_tsa = tsa_config\n\
                 [ tsa_config ]\n\
                 serial = {serial}\n\
                 crypto_device = builtin\n\
                 signer_cert = {signer}\n\
                 certs = {chain}\n\
                 signer_key = {key}\n\
                 signer_digest = sha256\n\
                 default_policy = {DEV_TSA_POLICY}\n\
                 other_policies = 1.2.3.4.5\n\
                 digests = sha256, sha384, sha512\n\
                 accuracy = secs:1, millisecs:500, microsecs:100\n\
                 clock_precision_digits = 0\n\
                 ordering = yes\n\
                 tsa_name = yes\n\
                 ess_cert_id_chain = no\n\
                 ess_cert_id_alg = sha256\n",
                serial = dir.path().join("tsaserial").display(),
                signer = certs.join("tsa.pem").display(),
                chain = certs.join("chain.pem").display(),
                key = certs.join("tsa.key.pem").display(),
            ),
        )?;
        let requests = Arc::new(AtomicUsize::new(0));
        let state = Arc::new(TsaState {
            dir: dir.path().to_owned(),
            config,
            next_file: AtomicU64::new(0),
            serial_lock: tokio::sync::Mutex::new(()),
            requests: requests.clone(),
        });
        let router = Router::new()
            .route("/", post(timestamp))
            .route("/{*path}", post(timestamp))
            .with_state(state);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let address = listener.local_addr()?;
        let server = Server::spawn("dev-tsa", listener, router, dir, None)?;
        Ok(DevTsa {
            url: format!("http://{address}/tsa"),
            requests,
            _server: server,
        })
    }

    /// How many time-stamp queries it has answered (or tried to).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

#[derive(Debug)]
struct TsaState {
    dir: PathBuf,
    config: PathBuf,
    next_file: AtomicU64,
    /// `openssl ts -reply` reads and rewrites the serial file: one reply at a time.
    serial_lock: tokio::sync::Mutex<()>,
    requests: Arc<AtomicUsize>,
}

async fn timestamp(State(tsa): State<Arc<TsaState>>, headers: HeaderMap, body: Bytes) -> Response {
    tsa.requests.fetch_add(1, Ordering::SeqCst);
    if !has_content_type(&headers, "application/timestamp-query") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/timestamp-query\n",
        )
            .into_response();
    }
    let number = tsa.next_file.fetch_add(1, Ordering::SeqCst);
    let query = tsa.dir.join(format!("query-{number}.tsq"));
    let reply = tsa.dir.join(format!("reply-{number}.tsr"));
    let result = async {
        tokio::fs::write(&query, &body).await?;
        let _serial = tsa.serial_lock.lock().await;
        openssl(&[
            "ts".as_ref(),
            "-reply".as_ref(),
            "-config".as_ref(),
            tsa.config.as_os_str(),
            "-queryfile".as_ref(),
            query.as_os_str(),
            "-out".as_ref(),
            reply.as_os_str(),
        ])
        .await?;
        Ok::<_, anyhow::Error>(tokio::fs::read(&reply).await?)
    }
    .await;
    match result {
        Ok(der) => der_response("application/timestamp-reply", der),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            format!("openssl ts -reply failed: {error:#}\n"),
        )
            .into_response(),
    }
}

/// An OCSP responder and CRL server on `127.0.0.1`, for the certs-dev PKI.
///
/// - `POST /ocsp` (any path except `/crl/…`) with `Content-Type: application/ocsp-request`: an
///   `application/ocsp-response` from `openssl ocsp -index … -reqin … -respout …`, signed by the
///   delegated responder `certs-dev/ocsp.pem` (which carries id-pkix-ocsp-nocheck) for certificates
///   issued by the intermediate: "good" for [`GOOD_CERTIFICATES`], "revoked" (since
///   2024-01-01T00:00:00Z) for [`REVOKED_CERTIFICATES`], "unknown" otherwise. thisUpdate is now,
///   nextUpdate an hour later; nonces are echoed. A request openssl cannot parse gets the OCSP
///   response `malformedRequest`. GET requests (RFC 6960 A.1) are not served.
/// - `GET /crl/intermediate.crl` and `GET /crl/root-ca.crl`: the certs-dev CRLs in DER
///   (`application/pkix-crl`).
#[derive(Debug, Clone)]
pub struct DevOcsp {
    /// The OCSP URL, `http://127.0.0.1:PORT/ocsp`.
    pub url: String,
    /// The server's base URL, `http://127.0.0.1:PORT`.
    pub base_url: String,
    running: Arc<Running>,
}

/// A started responder; shared by every [`DevOcsp`] handle on the well-known port in a process.
#[derive(Debug)]
struct Running {
    address: std::net::SocketAddr,
    requests: Arc<AtomicUsize>,
    _server: Server,
}

/// The process's responder on the well-known port, while some handle keeps it alive.
static WELL_KNOWN: std::sync::Mutex<Weak<Running>> = std::sync::Mutex::new(Weak::new());

impl DevOcsp {
    /// Starts a responder on a free loopback port; it answers as soon as this returns.
    pub async fn start() -> anyhow::Result<DevOcsp> {
        tokio::task::spawn_blocking(|| {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
            Ok(DevOcsp::from_running(Arc::new(Running::serve(
                listener, None,
            )?)))
        })
        .await?
    }

    /// A responder on `127.0.0.1:8788` ([`WELL_KNOWN_PORT`]), the address that the certs-dev
    /// certificates name in their AIA and CRL distribution points, so that validators that fetch
    /// revocation data themselves (pyHanko's default hard-fail check, pdfsig's OCSP check) find it.
    /// The [`crate::oracles`] runners take one for the time of each call.
    ///
    /// Within a process, every handle shares one responder, which stops when the last is dropped.
    /// Across processes only one can hold the port: the first start takes an exclusive lock
    /// (`flock` on `$TMPDIR/vanthu-dev-ocsp-8788.lock`, held by a `flock` child process) and waits
    /// for it, so tests in other processes that want the port run one after the other. The lock
    /// goes after the port is closed, or when the process dies. Fails when a program that does not
    /// take the lock listens on the port.
    pub async fn start_well_known() -> anyhow::Result<DevOcsp> {
        tokio::task::spawn_blocking(DevOcsp::start_well_known_blocking).await?
    }

    /// [`DevOcsp::start_well_known`] for code outside an async runtime; blocks while another
    /// process holds the port.
    pub fn start_well_known_blocking() -> anyhow::Result<DevOcsp> {
        let mut slot = WELL_KNOWN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(running) = slot.upgrade() {
            return Ok(DevOcsp::from_running(running));
        }
        let lock = PortLock::acquire(WELL_KNOWN_PORT)?;
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, WELL_KNOWN_PORT)).with_context(|| {
                format!(
                    "binding 127.0.0.1:{WELL_KNOWN_PORT} for the dev OCSP responder \
                     (is another program listening there?)"
                )
            })?;
        let running = Arc::new(Running::serve(listener, Some(lock))?);
        *slot = Arc::downgrade(&running);
        Ok(DevOcsp::from_running(running))
    }

    /// How many OCSP requests the responder has answered (CRL downloads are not counted; on the
    /// well-known port, counted over every handle of the process).
    pub fn requests(&self) -> usize {
        self.running.requests.load(Ordering::SeqCst)
    }

    /// The URL of a certs-dev CRL in DER: `intermediate` or `root-ca`.
    pub fn crl_url(&self, issuer: &str) -> String {
        format!("{}/crl/{issuer}.crl", self.base_url)
    }

    fn from_running(running: Arc<Running>) -> DevOcsp {
        let address = running.address;
        DevOcsp {
            url: format!("http://{address}/ocsp"),
            base_url: format!("http://{address}"),
            running,
        }
    }
}

impl Running {
    fn serve(listener: TcpListener, lock: Option<PortLock>) -> anyhow::Result<Running> {
        let dir = tempfile::Builder::new()
            .prefix("vanthu-dev-ocsp-")
            .tempdir()?;
        let certs = certs_dev();
        let material = revocation_material(&certs)?;
        let index = dir.path().join("index.txt");
        std::fs::write(&index, &material.index)?;
        let intermediate_crl = material.intermediate_crl.clone();
        let root_crl = material.root_crl.clone();
        let requests = Arc::new(AtomicUsize::new(0));
        let state = Arc::new(OcspState {
            dir: dir.path().to_owned(),
            index,
            certs,
            next_file: AtomicU64::new(0),
            requests: requests.clone(),
        });
        let router = Router::new()
            .route(
                "/crl/intermediate.crl",
                get(move || async move { der_response("application/pkix-crl", intermediate_crl) }),
            )
            .route(
                "/crl/root-ca.crl",
                get(move || async move { der_response("application/pkix-crl", root_crl) }),
            )
            .route("/", post(ocsp))
            .route("/{*path}", post(ocsp))
            .with_state(state);
        let address = listener.local_addr()?;
        let server = Server::spawn("dev-ocsp", listener, router, dir, lock)?;
        Ok(Running {
            address,
            requests,
            _server: server,
        })
    }
}

#[derive(Debug)]
struct OcspState {
    dir: PathBuf,
    index: PathBuf,
    certs: PathBuf,
    next_file: AtomicU64,
    requests: Arc<AtomicUsize>,
}

/// OCSPResponse { responseStatus malformedRequest (1) }.
const OCSP_MALFORMED_REQUEST: &[u8] = &[0x30, 0x03, 0x0a, 0x01, 0x01];

async fn ocsp(State(ocsp): State<Arc<OcspState>>, headers: HeaderMap, body: Bytes) -> Response {
    ocsp.requests.fetch_add(1, Ordering::SeqCst);
    if !has_content_type(&headers, "application/ocsp-request") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/ocsp-request\n",
        )
            .into_response();
    }
    let number = ocsp.next_file.fetch_add(1, Ordering::SeqCst);
    let request = ocsp.dir.join(format!("request-{number}.der"));
    let response = ocsp.dir.join(format!("response-{number}.der"));
    let issuer = ocsp.certs.join("intermediate-ca.pem");
    let signer = ocsp.certs.join("ocsp.pem");
    let key = ocsp.certs.join("ocsp.key.pem");
    let result = async {
        tokio::fs::write(&request, &body).await?;
        openssl(&[
            "ocsp".as_ref(),
            "-index".as_ref(),
            ocsp.index.as_os_str(),
            "-CA".as_ref(),
            issuer.as_os_str(),
            "-rsigner".as_ref(),
            signer.as_os_str(),
            "-rkey".as_ref(),
            key.as_os_str(),
            "-rother".as_ref(),
            issuer.as_os_str(),
            "-nmin".as_ref(),
            "60".as_ref(),
            "-reqin".as_ref(),
            request.as_os_str(),
            "-respout".as_ref(),
            response.as_os_str(),
        ])
        .await?;
        Ok::<_, anyhow::Error>(tokio::fs::read(&response).await?)
    }
    .await;
    match result {
        Ok(der) => der_response("application/ocsp-response", der),
        Err(_) => der_response("application/ocsp-response", OCSP_MALFORMED_REQUEST.to_vec()),
    }
}

/// What the responder serves, read from certs-dev once per process.
#[derive(Debug)]
struct RevocationMaterial {
    index: String,
    intermediate_crl: Vec<u8>,
    root_crl: Vec<u8>,
}

fn revocation_material(certs: &Path) -> anyhow::Result<&'static RevocationMaterial> {
    static MATERIAL: OnceLock<RevocationMaterial> = OnceLock::new();
    if let Some(material) = MATERIAL.get() {
        return Ok(material);
    }
    let material = RevocationMaterial {
        index: ocsp_index(certs)?,
        intermediate_crl: openssl_blocking(
            &["crl", "-outform", "DER"],
            &certs.join("intermediate.crl"),
        )?,
        root_crl: openssl_blocking(&["crl", "-outform", "DER"], &certs.join("root-ca.crl"))?,
    };
    Ok(MATERIAL.get_or_init(|| material))
}

/// The `openssl ca` database (index.txt) for the certs-dev end-entity certificates.
fn ocsp_index(certs: &Path) -> anyhow::Result<String> {
    let mut index = String::new();
    for (names, revoked) in [(GOOD_CERTIFICATES, false), (REVOKED_CERTIFICATES, true)] {
        for name in names {
            let output = openssl_blocking(
                &[
                    "x509",
                    "-noout",
                    "-serial",
                    "-startdate",
                    "-enddate",
                    "-dateopt",
                    "iso_8601",
                ],
                &certs.join(format!("{name}.pem")),
            )?;
            let fields = String::from_utf8_lossy(&output);
            let field = |key: &str| {
                fields
                    .lines()
                    .find_map(|line| line.strip_prefix(key))
                    .map(str::trim)
                    .with_context(|| format!("no {key} in the openssl x509 output for {name}"))
            };
            let serial = field("serial=")?;
            let not_after = index_time(field("notAfter=")?)?;
            let revocation = if revoked {
                index_time(field("notBefore=")?)?
            } else {
                String::new()
            };
            let status = if revoked { 'R' } else { 'V' };
            index.push_str(&format!(
                "{status}\t{not_after}\t{revocation}\t{serial}\tunknown\t/CN={name} (certs-dev)\n"
            ));
        }
    }
    Ok(index)
}

/// Runs `openssl ARGS -in INPUT` and returns its standard output.
fn openssl_blocking(args: &[&str], input: &Path) -> anyhow::Result<Vec<u8>> {
    let output = std::process::Command::new("openssl")
        .args(args)
        .arg("-in")
        .arg(input)
        .stdin(Stdio::null())
        .output()
        .context("running openssl (is the openssl command installed?)")?;
    if !output.status.success() {
        bail!(
            "openssl {args:?} -in {} failed: {}",
            input.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// `2049-12-31 23:59:59Z` as the index's ASN.1 time string: `491231235959Z` (UTCTime before 2050,
/// GeneralizedTime from then on).
fn index_time(iso: &str) -> anyhow::Result<String> {
    let digits: String = iso.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 14 || !iso.ends_with('Z') {
        bail!("unexpected certificate time {iso:?}");
    }
    let year: u32 = digits.get(..4).unwrap_or_default().parse()?;
    let digits = if (1950..2050).contains(&year) {
        digits.get(2..).unwrap_or_default()
    } else {
        digits.as_str()
    };
    Ok(format!("{digits}Z"))
}

/// Runs `openssl ARGS`, failing with its stderr.
async fn openssl(args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    let output = tokio::process::Command::new("openssl")
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("running openssl (is the openssl command installed?)")?;
    if !output.status.success() {
        bail!(
            "openssl {} failed ({}): {}",
            args.first()
                .map(|arg| arg.to_string_lossy())
                .unwrap_or_default(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn has_content_type(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case(expected))
}

fn der_response(content_type: &'static str, der: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        der,
    )
        .into_response()
}

/// An axum server on a thread with a runtime of its own; stopped and joined on drop.
#[derive(Debug)]
struct Server {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `router` on `listener` until dropped; `dir` and `lock` are released after the
    /// listener is closed.
    fn spawn(
        name: &str,
        listener: TcpListener,
        router: Router,
        dir: tempfile::TempDir,
        lock: Option<PortLock>,
    ) -> anyhow::Result<Server> {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::select! {
                        _ = axum::serve(listener, router) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime cancels the connection tasks and kills their openssl
                // children (kill_on_drop); the listener is already closed.
                drop(runtime);
                drop(dir);
                drop(lock);
            })?;
        Ok(Server {
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The thread may be gone already; nothing to stop then.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An exclusive, machine-wide lock on a well-known port, held by a `flock` child process.
///
/// The child holds the lock while it waits on its stdin; dropping the value (or the death of this
/// process, which closes the pipe) ends it and releases the lock.
#[derive(Debug)]
struct PortLock {
    child: std::process::Child,
}

impl PortLock {
    /// Waits for the lock of `port`.
    fn acquire(port: u16) -> anyhow::Result<PortLock> {
        let path = std::env::temp_dir().join(format!("vanthu-dev-ocsp-{port}.lock"));
        let mut child = std::process::Command::new("flock")
            .arg("--exclusive")
            .arg("--close")
            .arg(&path)
            .args(["sh", "-c", "echo locked; exec cat >/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("running flock (util-linux) to share the well-known port between tests")?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
        }
        if line.trim() != "locked" {
            let _ = child.kill();
            let _ = child.wait();
            bail!("flock {} did not take the lock", path.display());
        }
        Ok(PortLock { child })
    }
}

impl Drop for PortLock {
    fn drop(&mut self) {
        // Closing stdin ends `cat`, then flock exits and releases the lock; kill as well in case
        // the child is stuck.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_times_use_utctime_before_2050() {
        assert_eq!(index_time("2049-12-31 23:59:59Z").unwrap(), "491231235959Z");
        assert_eq!(
            index_time("2050-01-01 00:00:00Z").unwrap(),
            "20500101000000Z"
        );
        assert!(index_time("Dec 31 23:59:59 2049 GMT").is_err());
    }

    #[test]
    fn content_types_ignore_parameters_and_case() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/OCSP-Request; charset=binary"),
        );
        assert!(has_content_type(&headers, "application/ocsp-request"));
        assert!(!has_content_type(&headers, "application/timestamp-query"));
        assert!(!has_content_type(
            &HeaderMap::new(),
            "application/ocsp-request"
        ));
    }
}
