//! The one end-to-end test binary (more binaries cost link time: kanidm, ripgrep).
//!
//! One module per area. Every story that touches a database is a plain `async fn(TestDb)`, turned by
//! [`backend_tests!`] into two tests named after the backend, `STORY::sqlite` and `STORY::postgres`,
//! so the test output shows which backend each ran on. The PostgreSQL variant uses a fresh database on
//! the server of `TEST_DATABASE_URL` (CI sets it); without the variable it says so and passes.

#![expect(
    clippy::unwrap_used,
    reason = "test support code: a failed unwrap is a failed test"
)]

mod api;
mod archive;
mod audit;
mod cli;
mod duplicates;
mod exports;
mod handling;
mod numbering;
mod ocr;
mod oracles;
mod outgoing;
mod outgoing_search;
mod recall;
mod records;
mod saved_searches;
mod search;
mod serve;
mod signing;
mod tidy;
mod validation;

/// Declares `sqlite` and `postgres` tests for each story function named.
macro_rules! backend_tests {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = testkit::TestDb::sqlite().expect("a temporary sqlite database");
                $crate::run_story(db, super::$story).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                match testkit::TestDb::postgres_from_env().await {
                    Some(db) => $crate::run_story(db, super::$story).await,
                    None if std::env::var_os("VANTHU_REQUIRE_POSTGRES").is_some() => {
                        panic!("VANTHU_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
                    }
                    None => eprintln!("TEST_DATABASE_URL is not set: PostgreSQL not tested"),
                }
            }
        }
    )*};
}
pub(crate) use backend_tests;

/// Runs one story, failing the test with the story's error chain.
async fn run_story<F, Fut>(db: testkit::TestDb, story: F)
where
    F: FnOnce(testkit::TestDb) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let backend = db.backend();
    if let Err(error) = story(db).await {
        panic!("failed on {backend}: {error:#}");
    }
}
