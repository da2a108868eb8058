//! When to try again, and how long to wait first: `Retry-After` (seconds or an
//! HTTP-date) when the server sends it, else exponential backoff.

use std::time::{Duration, SystemTime};

/// The first backoff; doubled after each failure.
const BASE: Duration = Duration::from_millis(500);

/// The wait a `Retry-After` value asks for, as of `now`. A date in the past means no
/// wait; a value that is neither a number nor a date is ignored.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(1e6)));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The backoff before retry number `attempt` (0 for the first retry), capped.
pub(crate) fn backoff(attempt: u32, cap: Duration) -> Duration {
    BASE.saturating_mul(1u32 << attempt.min(16)).min(cap)
}

/// Whether a status is worth retrying.
pub(crate) fn transient(status: u16) -> bool {
    status == 429 || status == 408 || (500..=599).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 25 Nov 2026 03:00:00 GMT").unwrap();
        assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(
            retry_after("Wed, 25 Nov 2026 03:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after("Wed, 25 Nov 2026 02:59:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-3", now), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let cap = Duration::from_secs(3);
        assert_eq!(backoff(0, cap), Duration::from_millis(500));
        assert_eq!(backoff(1, cap), Duration::from_secs(1));
        assert_eq!(backoff(2, cap), Duration::from_secs(2));
        assert_eq!(backoff(3, cap), cap);
        assert_eq!(backoff(40, cap), cap);
        assert!(transient(429) && transient(503) && !transient(400) && !transient(401));
    }
}
