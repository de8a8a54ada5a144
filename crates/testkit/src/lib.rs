//! Test support, used only as a dev-dependency: fresh databases on every backend, a fixed clock,
//! ready-made apps, PDF builders, and for signing: dev TSA and OCSP services on loopback
//! ([`services`]), a SoftHSM2 token ([`softhsm`]) and the external validators ([`oracles`]).
//!
//! Every DB test runs on a fresh SQLite file and, when `TEST_DATABASE_URL` is set (CI sets it), on a
//! fresh, uniquely named PostgreSQL database that is dropped afterwards (kept with `KEEP_TEST_DB=1`).

mod database;
pub mod oracles;
mod pdfs;
pub mod services;
pub mod softhsm;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use app::{App, Clock, Config};
use secrecy::SecretString;
use time::OffsetDateTime;

pub use crate::database::{TestDb, execute_sql};
pub use crate::pdfs::{append_page_content_change, minimal_pdf, pdf_with_pages};

/// A clock that reads a settable instant; starts at 2026-03-15 09:00 Vietnam time.
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn at(at: OffsetDateTime) -> Arc<FixedClock> {
        Arc::new(FixedClock(Mutex::new(at)))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The instant most tests run at.
pub const TEST_NOW: OffsetDateTime = time::macros::datetime!(2026-03-15 09:00 +07:00);

/// The demo password in tests.
pub const TEST_PASSWORD: &str = "mật-khẩu-thử";

/// A running test application with its own database and blob directory.
#[derive(Debug)]
pub struct TestApp {
    /// The application.
    pub app: App,
    /// The clock it reads.
    pub clock: Arc<FixedClock>,
    /// The database behind it (keeps it alive).
    pub db: TestDb,
    /// Where its blobs are.
    pub blob_dir: PathBuf,
    /// Where its search index is.
    pub index_dir: PathBuf,
    _blob_root: tempfile::TempDir,
}

/// The TOML configuration of a test app: its database and stores, the dev root trusted, demo data
/// and dev certificates allowed.
fn config_toml(
    url: &str,
    blobs: &std::path::Path,
    index: &std::path::Path,
    max_connections: u32,
) -> String {
    format!(
        r#"
[database]
url = "{url}"
max_connections = {max_connections}
[storage]
root = "{blobs}"
[uploads]
max_bytes = 1048576
[sessions]
ttl_minutes = 60
[security]
production = false
danger_allow_demo_data = true
danger_allow_dev_certificates = true
[validation]
trust_roots = ["{root}"]
online_revocation = false
timeout_seconds = 10
[search]
index_dir = "{index}"
"#,
        blobs = blobs.display(),
        index = index.display(),
        root = oracles::certs_dev().join("root-ca.pem").display(),
    )
}

impl TestApp {
    /// The configuration file of this app, for a second process (`vanthu --config FILE …`) working
    /// on the same database and stores with a small pool.
    pub fn config_file_text(&self) -> String {
        config_toml(self.db.url(), &self.blob_dir, &self.index_dir, 2)
    }

    /// Starts an app on `db`, migrated, with demo data seeded (password [`TEST_PASSWORD`]).
    pub async fn start(db: TestDb) -> anyhow::Result<TestApp> {
        TestApp::start_with(db, |_| {}).await
    }

    /// Like [`TestApp::start`], letting the test adjust the configuration first.
    pub async fn start_with(
        db: TestDb,
        adjust: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestApp> {
        let blob_root = tempfile::tempdir()?;
        let blob_dir = blob_root.path().join("blobs");
        let index_dir = blob_root.path().join("index");
        let mut config: Config = toml::from_str(&config_toml(db.url(), &blob_dir, &index_dir, 8))?;
        adjust(&mut config);
        let clock = FixedClock::at(TEST_NOW);
        let app = App::new(config, clock.clone()).await?;
        app.migrate().await?;
        app.seed_demo(
            &SecretString::from(TEST_PASSWORD.to_owned()),
            &app::OperationId::new("test-seed"),
        )
        .await?;
        Ok(TestApp {
            app,
            clock,
            db,
            blob_dir,
            index_dir,
            _blob_root: blob_root,
        })
    }

    /// Logs a demo user in and returns the actor.
    pub async fn actor(&self, username: &str) -> anyhow::Result<app::Actor> {
        let outcome = self
            .app
            .login(
                username,
                &SecretString::from(TEST_PASSWORD.to_owned()),
                &app::OperationId::new("test"),
            )
            .await?;
        Ok(outcome.actor)
    }

    /// How many blob files are stored.
    pub fn blob_count(&self) -> usize {
        count_files(&self.blob_dir)
    }
}

fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name == "tmp") {
                    0
                } else {
                    count_files(&path)
                }
            } else {
                1
            }
        })
        .sum()
}
