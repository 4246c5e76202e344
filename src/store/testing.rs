//! Databases for tests and benchmarks on each backend: a new SQLite file in a temporary
//! directory, and, when `AEO_TEST_PG` names a PostgreSQL server (see `scripts/pg-test-server`),
//! a new database on it, dropped afterwards. Without a server the PostgreSQL runs are skipped
//! with a visible line, except under CI (`CI` or `AEO_REQUIRE_PG` set), where a missing server is a failure.

use super::pg::PgConn;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which backend a test database is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test; removed when dropped.
pub struct TestDb {
    pub backend: Backend,
    location: PathBuf,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// What `--db` / `AEO_DB` take: a file path or a `postgres://` URL.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// A plain connection to the database, no migration, no rules: for a test to look at (or
    /// tamper with) what the store wrote.
    pub fn raw(&self) -> super::db::Db {
        match self.backend {
            Backend::Sqlite => super::db::Db::Sqlite(
                rusqlite::Connection::open(&self.location).expect("the test database"),
            ),
            Backend::Postgres => super::db::Db::Pg(
                PgConn::connect(&self.location.display().to_string(), "")
                    .expect("the test database"),
            ),
        }
    }

    /// The URL of this database for another PostgreSQL user (trusted on the test server).
    pub fn url_as(&self, user: &str) -> String {
        let url = self.location.display().to_string();
        match url
            .split_once("://")
            .and_then(|(s, r)| Some((s, r.split_once('@')?.1)))
        {
            Some((scheme, host)) => format!("{scheme}://{user}@{host}"),
            None => url,
        }
    }

    /// A new, empty database on `backend`; None when PostgreSQL is not available (said on
    /// stderr; a failure under CI).
    pub fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                Some(TestDb {
                    backend,
                    location: dir.path().join("aeo.db"),
                    _dir: Some(dir),
                    pg: None,
                })
            }
            Backend::Postgres => {
                let server = pg_server()?;
                static N: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "aeo_test_{}_{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                );
                let admin = PgConn::connect(&server, "").expect("the test PostgreSQL server");
                admin
                    .batch(&format!("CREATE DATABASE {name}"))
                    .expect("CREATE DATABASE");
                let location = match server.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => server.clone(),
                };
                Some(TestDb {
                    backend,
                    location: PathBuf::from(location),
                    _dir: None,
                    pg: Some((server, name)),
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.pg
            && let Ok(admin) = PgConn::connect(server, "")
        {
            let _ = admin.batch(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The server URL of `AEO_TEST_PG`; without it, a visible skip (a panic under CI).
fn pg_server() -> Option<String> {
    match std::env::var("AEO_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none() && std::env::var_os("AEO_REQUIRE_PG").is_none(),
                "CI needs a PostgreSQL server: AEO_TEST_PG is not set (see scripts/test)"
            );
            eprintln!(
                "SKIPPED on PostgreSQL: no server (set AEO_TEST_PG, see scripts/pg-test-server)"
            );
            None
        }
    }
}

/// The first column of the first row of a query on the database at `location` (a file or a
/// `postgres://` URL), as text ("NULL" for none), with the statement written for each backend:
/// for a test to look at what the real binary wrote.
pub fn first_cell(location: &Path, sqlite: &str, pg: &str) -> String {
    use super::db::{Db, Owned};
    let db = match location.to_str().filter(|l| super::pg::is_url(l)) {
        Some(url) => Db::Pg(PgConn::connect(url, "").expect("the test database")),
        None => Db::Sqlite(rusqlite::Connection::open(location).expect("the test database")),
    };
    let value = db
        .query_row(db.pick(sqlite, pg), (), |r| r.value(0))
        .expect("a row");
    match value {
        Owned::Null => "NULL".to_string(),
        Owned::Int(i) => i.to_string(),
        Owned::Real(f) => f.to_string(),
        Owned::Text(t) => t,
    }
}

/// A new database on each backend there is.
pub fn each_backend() -> Vec<TestDb> {
    [Backend::Sqlite, Backend::Postgres]
        .into_iter()
        .filter_map(TestDb::new)
        .collect()
}
