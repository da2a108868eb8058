//! The audit log: one JSON line per access decision on `/resources`.
//!
//! Line format (keys in this order; `user_id` and `reason` only when they apply):
//!
//! ```text
//! {"timestamp":"2026-11-24T10:00:00.123Z","request_id":"<uuid v4>","resource_id":"42","decision":"grant","user_id":"user-123"}
//! {"timestamp":"2026-11-24T10:00:00.123Z","request_id":"<uuid v4>","resource_id":"42","decision":"deny","reason":"invalid_token"}
//! ```

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// The decision recorded in an audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Grant,
    Deny,
    Error,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Grant => "grant",
            Decision::Deny => "deny",
            Decision::Error => "error",
        }
    }
}

/// How the timestamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimestampStyle {
    /// RFC 3339 in UTC with milliseconds: `2026-11-24T10:00:00.123Z`.
    Rfc3339,
    /// Epoch seconds as a JSON number (the `timestamp_not_rfc3339` seeded bug).
    EpochSeconds,
}

/// The content of one audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditRecord<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) resource_id: &'a str,
    pub(crate) decision: Decision,
    pub(crate) user_id: Option<&'a str>,
    pub(crate) reason: Option<&'a str>,
    /// Only ever set by the `token_in_log` seeded bug.
    pub(crate) leaked_token: Option<&'a str>,
}

impl AuditRecord<'_> {
    /// The line, with its trailing newline.
    pub(crate) fn render(&self, at: DateTime<Utc>, style: TimestampStyle) -> String {
        let mut line = Map::new();
        let timestamp = match style {
            TimestampStyle::Rfc3339 => Value::from(at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            TimestampStyle::EpochSeconds => Value::from(at.timestamp()),
        };
        line.insert("timestamp".into(), timestamp);
        line.insert("request_id".into(), self.request_id.into());
        line.insert("resource_id".into(), self.resource_id.into());
        line.insert("decision".into(), self.decision.as_str().into());
        if let Some(user_id) = self.user_id {
            line.insert("user_id".into(), user_id.into());
        }
        if let Some(reason) = self.reason {
            line.insert("reason".into(), reason.into());
        }
        if let Some(token) = self.leaked_token {
            line.insert("token".into(), token.into());
        }
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        text
    }
}

/// Where audit lines go: an append-only file, or stdout.
#[derive(Debug)]
pub(crate) struct AuditLog {
    sink: Mutex<Sink>,
    style: TimestampStyle,
}

#[derive(Debug)]
enum Sink {
    File(File),
    Stdout,
}

impl AuditLog {
    /// Opens `path` for appending (creating it), or uses stdout when `path` is `None`.
    pub(crate) fn open(path: Option<&Path>, style: TimestampStyle) -> io::Result<Self> {
        let sink = match path {
            Some(path) => Sink::File(OpenOptions::new().create(true).append(true).open(path)?),
            None => Sink::Stdout,
        };
        Ok(AuditLog {
            sink: Mutex::new(sink),
            style,
        })
    }

    /// Writes one line in a single write and flushes it before returning.
    pub(crate) fn write(&self, record: &AuditRecord<'_>) -> io::Result<()> {
        let line = record.render(Utc::now(), self.style);
        // A poisoned lock only means another writer panicked mid-write; the sink is still usable.
        let mut sink = self
            .sink
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &mut *sink {
            Sink::File(file) => {
                file.write_all(line.as_bytes())?;
                file.flush()
            }
            Sink::Stdout => {
                let mut stdout = io::stdout().lock();
                stdout.write_all(line.as_bytes())?;
                stdout.flush()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(123)
    }

    fn record(decision: Decision) -> AuditRecord<'static> {
        AuditRecord {
            request_id: "6f1c2a7e-0000-4000-8000-000000000000",
            resource_id: "42",
            decision,
            user_id: None,
            reason: None,
            leaked_token: None,
        }
    }

    #[test]
    fn grant_line_has_fields_in_order() {
        let line = AuditRecord {
            user_id: Some("user-123"),
            ..record(Decision::Grant)
        }
        .render(at(), TimestampStyle::Rfc3339);
        assert_eq!(
            line,
            "{\"timestamp\":\"2026-11-24T10:00:00.123Z\",\
             \"request_id\":\"6f1c2a7e-0000-4000-8000-000000000000\",\
             \"resource_id\":\"42\",\"decision\":\"grant\",\"user_id\":\"user-123\"}\n"
        );
    }

    #[test]
    fn deny_line_has_reason_and_no_user() {
        let line = AuditRecord {
            reason: Some("missing_credentials"),
            ..record(Decision::Deny)
        }
        .render(at(), TimestampStyle::Rfc3339);
        assert!(
            line.ends_with("\"decision\":\"deny\",\"reason\":\"missing_credentials\"}\n"),
            "{line}"
        );
        assert!(!line.contains("user_id"));
    }

    #[test]
    fn epoch_style_writes_a_number() {
        let line = record(Decision::Error).render(at(), TimestampStyle::EpochSeconds);
        assert!(line.starts_with("{\"timestamp\":1795514400,"), "{line}");
    }

    #[test]
    fn file_sink_appends_whole_lines() {
        let dir = std::env::temp_dir().join(format!("resource-api-audit-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        std::fs::write(&path, "existing\n").unwrap();
        let log = AuditLog::open(Some(&path), TimestampStyle::Rfc3339).unwrap();
        log.write(&record(Decision::Grant)).unwrap();
        log.write(&record(Decision::Deny)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "existing");
        for line in &lines[1..] {
            let value: Value = serde_json::from_str(line).unwrap();
            assert!(value["timestamp"].as_str().unwrap().ends_with('Z'));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
