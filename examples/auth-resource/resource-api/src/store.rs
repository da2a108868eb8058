//! The decision store: every access decision recorded in a database, SQLite by default
//! (`DATABASE_URL=sqlite:<file>`, created if missing) or PostgreSQL (`postgres://…`).
//!
//! One decision is a two-row write in one transaction: the request (`access_requests`)
//! and its decision (`access_decisions`). When the Authorization Service fails there is
//! no decision, so the transaction is rolled back and nothing is stored.

use std::str::FromStr;

use chrono::{SecondsFormat, Utc};
use sqlx::sqlite::SqliteConnectOptions;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS access_requests (request_id TEXT PRIMARY KEY, \
     resource_id TEXT NOT NULL, received_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS access_decisions (request_id TEXT PRIMARY KEY, \
     resource_id TEXT NOT NULL, decision TEXT NOT NULL, user_id TEXT, decided_at TEXT NOT NULL)",
];

/// One row of `access_decisions`, before it is written.
#[derive(Debug, Clone)]
pub(crate) struct DecisionRow<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) resource_id: &'a str,
    /// `grant` or `deny`; `None` when the Authorization Service failed.
    pub(crate) decision: Option<&'a str>,
    pub(crate) user_id: Option<&'a str>,
    /// The `half_write_on_auth_failure` bug: commit the request row anyway.
    pub(crate) commit_half: bool,
}

/// A pool on one of the two backends.
#[derive(Debug, Clone)]
pub(crate) enum Store {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    /// Connects and creates the tables.
    pub(crate) async fn open(url: &str) -> Result<Store, String> {
        let store = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| e.to_string())?
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(std::time::Duration::from_secs(5));
            Store::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await
                    .map_err(|e| e.to_string())?,
            )
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect(url)
                    .await
                    .map_err(|e| e.to_string())?,
            )
        } else {
            return Err("use sqlite:<file> or postgres://…".to_owned());
        };
        for statement in SCHEMA {
            match &store {
                Store::Sqlite(p) => sqlx::query(statement).execute(p).await.map(drop),
                Store::Postgres(p) => sqlx::query(statement).execute(p).await.map(drop),
            }
            .map_err(|e| e.to_string())?;
        }
        Ok(store)
    }

    /// Records one request and its decision in one transaction.
    pub(crate) async fn record(&self, row: &DecisionRow<'_>) -> Result<(), sqlx::Error> {
        macro_rules! write {
            ($pool:expr, $p1:literal, $p2:literal) => {{
                let mut tx = $pool.begin().await?;
                sqlx::query($p1)
                    .bind(row.request_id)
                    .bind(row.resource_id)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                match row.decision {
                    None if row.commit_half => tx.commit().await,
                    None => tx.rollback().await,
                    Some(decision) => {
                        sqlx::query($p2)
                            .bind(row.request_id)
                            .bind(row.resource_id)
                            .bind(decision)
                            .bind(row.user_id)
                            .bind(now())
                            .execute(&mut *tx)
                            .await?;
                        tx.commit().await
                    }
                }
            }};
        }
        match self {
            Store::Sqlite(pool) => write!(
                pool,
                "INSERT INTO access_requests (request_id, resource_id, received_at) VALUES (?1, ?2, ?3)",
                "INSERT INTO access_decisions (request_id, resource_id, decision, user_id, decided_at) VALUES (?1, ?2, ?3, ?4, ?5)"
            ),
            Store::Postgres(pool) => write!(
                pool,
                "INSERT INTO access_requests (request_id, resource_id, received_at) VALUES ($1, $2, $3)",
                "INSERT INTO access_decisions (request_id, resource_id, decision, user_id, decided_at) VALUES ($1, $2, $3, $4, $5)"
            ),
        }
    }
}
