//! One clock for every observation: milliseconds since the Unix epoch, as the wall clock
//! of this machine says. The service under test, the broker and the database run on the
//! same machine in a test, so their own timestamps (a row's `decided_at`, a Redis stream
//! entry's id) land on the same timeline as the runner's.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in milliseconds since the Unix epoch (fractional).
pub fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Reads a timestamp written by another system: an RFC 3339 text, or a number of epoch
/// seconds (below 1e11) or milliseconds.
pub fn parse_ms(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(|x| if x < 1e11 { x * 1000.0 } else { x }),
        serde_json::Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .or_else(|| {
                // PostgreSQL's text form: `2026-11-25 00:40:00.123+00`.
                chrono::DateTime::parse_from_str(&format!("{s}:00"), "%Y-%m-%d %H:%M:%S%.f%:z").ok()
            })
            .map(|t| t.timestamp_micros() as f64 / 1000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_rfc3339_and_epoch_numbers() {
        assert_eq!(parse_ms(&json!("1970-01-01T00:00:01.500Z")), Some(1500.0));
        assert_eq!(parse_ms(&json!(2)), Some(2000.0));
        assert_eq!(
            parse_ms(&json!(1_700_000_000_123u64)),
            Some(1_700_000_000_123.0)
        );
        assert_eq!(parse_ms(&json!("1970-01-01 00:00:02.25+00")), Some(2250.0));
        assert_eq!(parse_ms(&json!("yesterday")), None);
        assert!(now_ms() > 1.7e12);
    }
}
