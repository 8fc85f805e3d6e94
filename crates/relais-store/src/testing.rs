//! Throw-away databases for tests, on both backends.
//!
//! SQLite: a fresh file in the temp directory. PostgreSQL: a fresh database named
//! `relais_test_<uuid>` on the server at `RELAIS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432`), dropped when the test ends, so parallel and repeated
//! runs never collide. When no server answers, the PostgreSQL half is skipped with a loud
//! message on stderr, unless `RELAIS_TEST_REQUIRE_POSTGRES=1` (set by CI), which fails instead.

use crate::Store;
use std::io::Write;
use std::sync::Once;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432";

pub fn postgres_server_url() -> String {
    std::env::var("RELAIS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

fn postgres_required() -> bool {
    std::env::var("RELAIS_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// A database that exists for one test.
pub struct TestDb {
    pub store: Store,
    /// The URL other processes (a spawned `relais`) can use to reach the same database.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    PgDatabase { server: String, name: String },
}

impl TestDb {
    /// A migrated SQLite database in a new file.
    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("relais-test-{}.db", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", path.display());
        let store = Store::open(&url).await.expect("open a test SQLite database");
        TestDb { store, url, cleanup: Cleanup::File(path) }
    }

    /// A migrated PostgreSQL database of its own, or `None` (after saying so loudly) when no
    /// server answers and PostgreSQL is not required.
    pub async fn postgres() -> Option<TestDb> {
        let (url, server, name) = match Self::create_pg_database().await {
            Ok(x) => x,
            Err(reason) => {
                if postgres_required() {
                    panic!("PostgreSQL is required (RELAIS_TEST_REQUIRE_POSTGRES=1) but unusable: {reason}");
                }
                warn_skipped(&reason);
                return None;
            }
        };
        let store = Store::open(&url).await.expect("migrate a test PostgreSQL database");
        Some(TestDb { store, url, cleanup: Cleanup::PgDatabase { server, name } })
    }

    /// An empty (unmigrated) PostgreSQL database, for migration tests.
    pub async fn postgres_unmigrated() -> Option<TestDb> {
        let (url, server, name) = Self::create_pg_database().await.ok()?;
        let store = Store::connect(&url).await.ok()?;
        Some(TestDb { store, url, cleanup: Cleanup::PgDatabase { server, name } })
    }

    async fn create_pg_database() -> Result<(String, String, String), String> {
        let server = postgres_server_url();
        let admin = Store::connect(&format!("{}/postgres", server.trim_end_matches('/'))).await.map_err(|e| e.to_string())?;
        let name = format!("relais_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await
            .map_err(|e| format!("cannot create a test database: {e}"))?;
        admin.close().await;
        Ok((format!("{}/{name}", server.trim_end_matches('/')), server, name))
    }
}

fn warn_skipped(reason: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Written straight to the file descriptor so the test harness cannot swallow it.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! PostgreSQL half of the storage tests SKIPPED: {reason}\n\
             !!! Start PostgreSQL or set RELAIS_TEST_POSTGRES_URL; CI sets RELAIS_TEST_REQUIRE_POSTGRES=1.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        );
    });
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { server, name } => {
                let (server, name) = (server.clone(), name.clone());
                // Drop runs inside the test's runtime, which may have a single thread that this
                // join blocks: the cleanup gets a runtime of its own and leaves the test's pool
                // alone (FORCE ends its connections).
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async move {
                        if let Ok(admin) = Store::connect(&format!("{}/postgres", server.trim_end_matches('/'))).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(admin.pool())
                                .await;
                            admin.close().await;
                        }
                    })
                })
                .join();
            }
        }
    }
}

/// Runs an async test body against a fresh store on SQLite and on PostgreSQL:
/// `both_backends!(name, |store| async move { ... });` defines `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                ($body)(db.store.clone()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::testing::TestDb::postgres().await else { return };
                ($body)(db.store.clone()).await;
            }
        }
    };
}
