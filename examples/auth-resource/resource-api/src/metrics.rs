//! Prometheus metrics, served as text exposition at `GET /metrics`:
//!
//! - `resource_api_decisions_total{decision="grant|deny|error"}`: a counter of decisions;
//! - `resource_api_auth_call_seconds`: a histogram of `/validate` call latency.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 8] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0];

/// The process's metrics.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    grant: AtomicU64,
    deny: AtomicU64,
    error: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Counts one decision: `grant`, `deny` or `error`.
    pub(crate) fn decision(&self, decision: &str) {
        let c = match decision {
            "grant" => &self.grant,
            "deny" => &self.deny,
            _ => &self.error,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Observes one `/validate` call's latency.
    pub(crate) fn auth_call(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// The text exposition.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP resource_api_decisions_total Access decisions by outcome."
        );
        let _ = writeln!(out, "# TYPE resource_api_decisions_total counter");
        for (name, c) in [
            ("grant", &self.grant),
            ("deny", &self.deny),
            ("error", &self.error),
        ] {
            let _ = writeln!(
                out,
                "resource_api_decisions_total{{decision=\"{name}\"}} {}",
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP resource_api_auth_call_seconds Latency of /validate calls."
        );
        let _ = writeln!(out, "# TYPE resource_api_auth_call_seconds histogram");
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "resource_api_auth_call_seconds_bucket{{le=\"{le}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "resource_api_auth_call_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "resource_api_auth_call_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "resource_api_auth_call_seconds_count {count}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.decision("grant");
        m.decision("grant");
        m.decision("error");
        m.auth_call(Duration::from_millis(3));
        m.auth_call(Duration::from_millis(700));
        let text = m.render();
        assert!(text.contains("resource_api_decisions_total{decision=\"grant\"} 2\n"));
        assert!(text.contains("resource_api_decisions_total{decision=\"deny\"} 0\n"));
        assert!(text.contains("resource_api_auth_call_seconds_bucket{le=\"0.005\"} 1\n"));
        assert!(text.contains("resource_api_auth_call_seconds_bucket{le=\"1\"} 2\n"));
        assert!(text.contains("resource_api_auth_call_seconds_count 2\n"));
    }
}
