//! The SQL probe: parameterised queries against SQLite (a file, the embedded default) or
//! PostgreSQL (a real server), with every column decoded per backend into JSON values
//! that the scenario's matchers read.
//!
//! Values decode by the column's own type: integers, reals, booleans, text, JSON, UUIDs
//! and timestamps (as RFC 3339 text). Anything else decodes as text when the backend can
//! give it as text; otherwise cast it in the query (`created_at::text`).

use std::str::FromStr;
use std::time::Duration;

use indexmap::IndexMap;
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{Column, Connection as _, Row as _, TypeInfo, ValueRef};

use crate::error::{ProbeError, redact_url};

/// One row: column name → value.
pub type Row = IndexMap<String, Value>;

/// How long one attempt to connect may take when the system map does not say
/// (`sut.database.connect_timeout`).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection pool to the database a scenario reads or seeds.
#[derive(Clone, Debug)]
pub struct SqlProbe {
    url: String,
    db: Db,
}

#[derive(Clone, Debug)]
enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl SqlProbe {
    /// Connects to `url`: `sqlite:<file>` (the file must exist) or `postgres://…`, giving up
    /// after [`DEFAULT_CONNECT_TIMEOUT`].
    pub async fn connect(url: &str) -> Result<Self, ProbeError> {
        Self::connect_within(url, DEFAULT_CONNECT_TIMEOUT).await
    }

    /// Connects to `url` with one attempt bounded by `timeout`: a refused connection fails
    /// at once, a server that does not answer fails after `timeout`. Later connections of
    /// the pool wait at most `timeout` too.
    pub async fn connect_within(url: &str, timeout: Duration) -> Result<Self, ProbeError> {
        let shown = redact_url(url);
        let fail = |reason: String| ProbeError::Sql {
            url: shown.clone(),
            tried: "connect".to_owned(),
            reason,
        };
        let late = || {
            fail(format!(
                "no answer within {} (raise `sut.database.connect_timeout` if the server is \
                 just slow)",
                humantime::format_duration(timeout)
            ))
        };
        let db = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| fail(format!("not a SQLite URL: {e}")))?
                .create_if_missing(false)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .acquire_timeout(timeout)
                .connect_with(opts)
                .await
                .map_err(|e| fail(crate::error::chain(&e)))?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| fail(format!("not a PostgreSQL URL: {}", crate::error::chain(&e))))?;
            // One attempt first: the pool retries a refused connection until its acquire
            // timeout, which would turn "nothing listens there" into a silent wait.
            let first = tokio::time::timeout(timeout, PgConnection::connect_with(&opts))
                .await
                .map_err(|_| late())?
                .map_err(|e| fail(crate::error::chain(&e)))?;
            let pool = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(timeout)
                .connect_lazy_with(opts);
            // The pool opens its own connections; this one only proved the server answers.
            let _ = first.close().await;
            Db::Postgres(pool)
        } else {
            return Err(fail(
                "use sqlite:<file> or postgres://user@host:port/database".to_owned(),
            ));
        };
        Ok(SqlProbe { url: shown, db })
    }

    /// The URL, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs a query and returns its rows; `params` bind to `?` (SQLite) or `$1…` (PostgreSQL).
    pub async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, ProbeError> {
        let fail = |e: sqlx::Error| self.error(sql, e);
        match &self.db {
            Db::Sqlite(pool) => {
                let args = sqlite_args(params).map_err(|e| self.error(sql, e))?;
                let rows = sqlx::query_with(sql, args)
                    .fetch_all(pool)
                    .await
                    .map_err(fail)?;
                Ok(rows.iter().map(sqlite_row).collect())
            }
            Db::Postgres(pool) => {
                let args = pg_args(params).map_err(|e| self.error(sql, e))?;
                let rows = sqlx::query_with(sql, args)
                    .fetch_all(pool)
                    .await
                    .map_err(fail)?;
                Ok(rows.iter().map(pg_row).collect())
            }
        }
    }

    /// Runs a statement (seed data) and returns the number of rows it touched. Without
    /// parameters the text may hold several statements separated by `;`.
    pub async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, ProbeError> {
        let fail = |e: sqlx::Error| self.error(sql, e);
        match &self.db {
            Db::Sqlite(pool) if params.is_empty() => Ok(sqlx::raw_sql(sql)
                .execute(pool)
                .await
                .map_err(fail)?
                .rows_affected()),
            Db::Postgres(pool) if params.is_empty() => Ok(sqlx::raw_sql(sql)
                .execute(pool)
                .await
                .map_err(fail)?
                .rows_affected()),
            Db::Sqlite(pool) => {
                let args = sqlite_args(params).map_err(fail)?;
                Ok(sqlx::query_with(sql, args)
                    .execute(pool)
                    .await
                    .map_err(fail)?
                    .rows_affected())
            }
            Db::Postgres(pool) => {
                let args = pg_args(params).map_err(fail)?;
                Ok(sqlx::query_with(sql, args)
                    .execute(pool)
                    .await
                    .map_err(fail)?
                    .rows_affected())
            }
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    fn error(&self, sql: &str, e: sqlx::Error) -> ProbeError {
        ProbeError::Sql {
            url: self.url.clone(),
            tried: format!("run `{}`", one_line(sql)),
            reason: crate::error::chain(&e),
        }
    }
}

fn one_line(sql: &str) -> String {
    let s: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Binds scenario values in order: null, booleans, integers, reals and text the same way on
/// every backend; a JSON array or object by `structured` (PostgreSQL: as `json`; SQLite,
/// which has no JSON type: as its text).
fn bind<'q, A>(
    params: &[Value],
    structured: fn(&mut A, &Value) -> Result<(), sqlx::error::BoxDynError>,
) -> Result<A, sqlx::Error>
where
    A: sqlx::Arguments<'q> + Default,
    bool: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    i64: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    f64: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    String: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<String>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
{
    let mut args = A::default();
    for p in params {
        match p {
            Value::Null => args.add(None::<String>),
            Value::Bool(b) => args.add(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => args.add(i),
                None => args.add(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => args.add(s.clone()),
            other => structured(&mut args, other),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

fn sqlite_args(params: &[Value]) -> Result<SqliteArguments<'static>, sqlx::Error> {
    bind(params, |args, v| sqlx::Arguments::add(args, v.to_string()))
}

fn pg_args(params: &[Value]) -> Result<PgArguments, sqlx::Error> {
    bind(params, |args, v| {
        sqlx::Arguments::add(args, sqlx::types::Json(v.clone()))
    })
}

fn sqlite_row(row: &SqliteRow) -> Row {
    let mut out = Row::new();
    for (i, col) in row.columns().iter().enumerate() {
        let value = match row.try_get_raw(i) {
            Ok(raw) if raw.is_null() => Value::Null,
            Ok(raw) => {
                // SQLite types values, not columns: decode by the stored value's class.
                let class = raw.type_info().name().to_ascii_uppercase();
                match class.as_str() {
                    "INTEGER" | "BOOLEAN" => row.try_get::<i64, _>(i).map(Value::from),
                    "REAL" => row.try_get::<f64, _>(i).map(Value::from),
                    "BLOB" => row
                        .try_get::<Vec<u8>, _>(i)
                        .map(|b| Value::from(String::from_utf8_lossy(&b).into_owned())),
                    _ => row.try_get::<String, _>(i).map(Value::from),
                }
                .unwrap_or_else(|e| Value::from(format!("<cannot decode: {e}>")))
            }
            Err(e) => Value::from(format!("<cannot decode: {e}>")),
        };
        out.insert(col.name().to_owned(), value);
    }
    out
}

fn pg_row(row: &PgRow) -> Row {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
    let mut out = Row::new();
    for (i, col) in row.columns().iter().enumerate() {
        let ty = col.type_info().name().to_ascii_uppercase();
        let is_null = row.try_get_raw(i).map(|r| r.is_null()).unwrap_or(false);
        let value = if is_null {
            Ok(Value::Null)
        } else {
            match ty.as_str() {
                "BOOL" => row.try_get::<bool, _>(i).map(Value::from),
                "INT2" => row.try_get::<i16, _>(i).map(Value::from),
                "INT4" => row.try_get::<i32, _>(i).map(Value::from),
                "INT8" => row.try_get::<i64, _>(i).map(Value::from),
                "FLOAT4" => row.try_get::<f32, _>(i).map(|f| Value::from(f64::from(f))),
                "FLOAT8" => row.try_get::<f64, _>(i).map(Value::from),
                "JSON" | "JSONB" => row.try_get::<Value, _>(i),
                "UUID" => row
                    .try_get::<sqlx::types::Uuid, _>(i)
                    .map(|u| Value::from(u.to_string())),
                "TIMESTAMPTZ" => row
                    .try_get::<DateTime<Utc>, _>(i)
                    .map(|t| Value::from(t.to_rfc3339_opts(SecondsFormat::Micros, true))),
                "TIMESTAMP" => row
                    .try_get::<NaiveDateTime, _>(i)
                    .map(|t| Value::from(t.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true))),
                "DATE" => row
                    .try_get::<NaiveDate, _>(i)
                    .map(|d| Value::from(d.to_string())),
                _ => row.try_get::<String, _>(i).map(Value::from),
            }
        };
        let value = value.unwrap_or_else(|_| {
            Value::from(format!(
                "<cannot decode a {ty} value; cast it in the query, e.g. {}::text>",
                col.name()
            ))
        });
        out.insert(col.name().to_owned(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A probe on a new SQLite file (kept while the folder lives).
    async fn sqlite() -> (tempfile::TempDir, SqlProbe) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.db");
        std::fs::File::create(&file).unwrap();
        let probe = SqlProbe::connect(&format!("sqlite:{}", file.display()))
            .await
            .unwrap();
        (dir, probe)
    }

    #[tokio::test]
    async fn sqlite_round_trip_with_parameters() {
        let (_dir, probe) = sqlite().await;
        probe
            .execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, ok BOOLEAN, raw BLOB, note TEXT)",
                &[],
            )
            .await
            .unwrap();
        let n = probe
            .execute(
                "INSERT INTO t (name, score, ok, raw) VALUES (?, ?, ?, ?)",
                &[json!("ada"), json!(1.5), json!(true), json!("bytes")],
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        let rows = probe
            .query("SELECT * FROM t WHERE name = ?", &[json!("ada")])
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&rows).unwrap(),
            json!([{"id": 1, "name": "ada", "score": 1.5, "ok": 1, "raw": "bytes", "note": null}])
        );
    }

    #[tokio::test]
    async fn bad_sql_names_the_probe_and_the_query() {
        let (_dir, probe) = sqlite().await;
        let e = probe
            .query("SELEC nothing", &[])
            .await
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("sql probe on sqlite:"), "{e}");
        assert!(e.contains("could not run `SELEC nothing`"), "{e}");
        assert!(e.contains("syntax error"), "{e}");
    }

    #[tokio::test]
    async fn a_missing_sqlite_file_is_a_clear_error() {
        let e = SqlProbe::connect("sqlite:/nonexistent/dir/x.db")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("could not connect"), "{e}");
        let e = SqlProbe::connect("mysql://x")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("use sqlite:<file> or postgres://"), "{e}");
    }
}
