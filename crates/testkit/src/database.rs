//! Fresh databases for tests: a temporary SQLite file always, and a uniquely named PostgreSQL
//! database when `TEST_DATABASE_URL` is set.

use sea_orm::{ConnectionTrait, Database};

/// A fresh, empty database for one test; dropped (PostgreSQL) or deleted (SQLite) afterwards.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    backend: &'static str,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(#[expect(dead_code, reason = "held for its Drop")] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// The connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `sqlite` or `postgres`, for test output.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> anyhow::Result<TestDb> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Ok(TestDb {
            url,
            backend: "sqlite",
            cleanup: Cleanup::Sqlite(dir),
        })
    }

    /// A fresh database on the PostgreSQL server of `admin_url`.
    pub async fn postgres(admin_url: &str) -> anyhow::Result<TestDb> {
        let name = format!("vanthu_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        admin.close().await?;
        let url = replace_database(admin_url, &name);
        Ok(TestDb {
            url,
            backend: "postgres",
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }
}

impl TestDb {
    /// A fresh PostgreSQL database on the server of `TEST_DATABASE_URL`, or `None` when it is unset.
    ///
    /// # Panics
    /// When the variable is set but the server cannot be used: a CI misconfiguration must fail
    /// loudly rather than silently test one backend.
    #[expect(
        clippy::expect_used,
        reason = "a misconfigured test database must stop the test run"
    )]
    pub async fn postgres_from_env() -> Option<TestDb> {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        Some(
            TestDb::postgres(&url)
                .await
                .expect("TEST_DATABASE_URL is set but unusable"),
        )
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(slash) if base[..slash].ends_with('/') => format!("{base}/{name}"),
        Some(slash) => format!("{}/{name}", &base[..slash]),
        None => format!("{base}/{name}"),
    };
    match query {
        Some(query) => format!("{base}?{query}"),
        None => base,
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        if std::env::var("KEEP_TEST_DB").is_ok_and(|keep| keep == "1") {
            eprintln!("KEEP_TEST_DB=1: keeping database {name}");
            return;
        }
        let admin_url = admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await?;
                admin.execute_unprepared(&statement).await?;
                admin.close().await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {name}");
        }
    }
}

/// Runs raw SQL on a test database, bypassing Vanthu: for tests that play an attacker who edits
/// stored rows directly.
pub async fn execute_sql(url: &str, sql: &str) -> anyhow::Result<u64> {
    let connection = Database::connect(url).await?;
    let result = connection.execute_unprepared(sql).await?;
    connection.close().await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
