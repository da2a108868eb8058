//! Answers written byte by byte for faults in the body: a pause in the middle, a
//! `Content-Length` that lies, broken chunked framing, a slow link.
//!
//! Each builds the steps of an [`Action::Script`](crate::fault::Action::Script): the
//! head as the server would send it (with `connection: close`), then the body the way
//! the fault says.

use std::time::Duration;

use bytes::Bytes;
use http::header::CONNECTION;

use crate::fault::Step;
use crate::reply::Rendered;

/// The body used when a stub gives none: these faults need bytes to break.
const FILLER: &str = r#"{"message":"this body is sent badly on purpose by a crosscheck fault"}"#;

/// How many bytes more than it sends a `wrong_length` answer declares.
pub(crate) const OVERSTATED_BY: usize = 64;

/// A slow body goes out in pieces about this far apart.
const SLICE_EVERY: Duration = Duration::from_millis(50);

/// The status line and headers, with `framing` (a `content-length` or
/// `transfer-encoding` line) and `connection: close`.
fn head(r: &Rendered, framing: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        r.status.as_u16(),
        r.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (n, v) in r.headers.iter().filter(|(n, _)| *n != CONNECTION) {
        out.extend_from_slice(n.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(framing.as_bytes());
    out.extend_from_slice(b"\r\nconnection: close\r\n\r\n");
    out
}

fn body_of(r: &Rendered) -> Bytes {
    if r.body.is_empty() {
        Bytes::from_static(FILLER.as_bytes())
    } else {
        r.body.clone()
    }
}

/// The head and the first `after` body bytes (half the body when `None`, at least one
/// byte), a pause of `wait`, then the rest: a complete, valid answer that stalls.
pub(crate) fn paused(r: &Rendered, after: Option<u64>, wait: Duration) -> Vec<Step> {
    let body = body_of(r);
    let cut = after
        .map_or(body.len() / 2, |n| usize::try_from(n).unwrap_or(usize::MAX))
        .clamp(1, body.len());
    let mut first = head(r, &format!("content-length: {}", body.len()));
    first.extend_from_slice(&body[..cut]);
    let mut steps = vec![Step::Write(Bytes::from(first)), Step::Pause(wait)];
    if cut < body.len() {
        steps.push(Step::Write(body.slice(cut..)));
    }
    steps
}

/// The head declaring [`OVERSTATED_BY`] more bytes than the whole body it then sends
/// before closing: the client sees the connection end before the body does.
pub(crate) fn wrong_length(r: &Rendered) -> Vec<Step> {
    let body = body_of(r);
    let mut out = head(
        r,
        &format!("content-length: {}", body.len() + OVERSTATED_BY),
    );
    out.extend_from_slice(&body);
    vec![Step::Write(Bytes::from(out))]
}

/// A chunked answer whose first chunk (half the body) is well formed and whose next
/// chunk-size line is not hexadecimal.
pub(crate) fn broken_chunked(r: &Rendered) -> Vec<Step> {
    let body = body_of(r);
    let half = (body.len() / 2).max(1);
    let mut out = head(r, "transfer-encoding: chunked");
    out.extend_from_slice(format!("{half:x}\r\n").as_bytes());
    out.extend_from_slice(&body[..half]);
    out.extend_from_slice(b"\r\nnot-hex\r\n");
    out.extend_from_slice(&body[half..]);
    vec![Step::Write(Bytes::from(out))]
}

/// The head at once, then the body at `rate` bytes per second: pieces about
/// [`SLICE_EVERY`] apart (one byte at a time below 20 bytes per second).
pub(crate) fn throttled(r: &Rendered, rate: u64) -> Vec<Step> {
    let body = body_of(r);
    let rate = rate.max(1);
    // Bytes per piece so that pieces go out every SLICE_EVERY; at least one.
    let per_slice = u128::from(rate) * SLICE_EVERY.as_millis() / 1000;
    let piece = usize::try_from(per_slice).unwrap_or(usize::MAX).max(1);
    #[allow(clippy::cast_precision_loss)]
    let gap = Duration::from_secs_f64(piece as f64 / rate as f64);
    let mut steps = vec![Step::Write(Bytes::from(head(
        r,
        &format!("content-length: {}", body.len()),
    )))];
    let mut at = 0;
    while at < body.len() {
        let end = (at + piece).min(body.len());
        steps.push(Step::Pause(gap));
        steps.push(Step::Write(body.slice(at..end)));
        at = end;
    }
    steps
}

/// WireMock's `chunkedDribbleDelay`: the head at once, then the body in `chunks`
/// pieces (as equal as the length allows) spread evenly over `total`.
pub(crate) fn dribbled(r: &Rendered, chunks: u32, total: Duration) -> Vec<Step> {
    let body = r.body.clone();
    let n = usize::try_from(chunks)
        .unwrap_or(1)
        .clamp(1, body.len().max(1));
    let gap = total / u32::try_from(n).unwrap_or(1);
    let mut steps = vec![Step::Write(Bytes::from(head(
        r,
        &format!("content-length: {}", body.len()),
    )))];
    for i in 0..n {
        let (from, to) = (body.len() * i / n, body.len() * (i + 1) / n);
        if i > 0 {
            steps.push(Step::Pause(gap));
        }
        if to > from {
            steps.push(Step::Write(body.slice(from..to)));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn rendered(body: &'static str) -> Rendered {
        Rendered {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    fn text(step: &Step) -> String {
        match step {
            Step::Write(b) => String::from_utf8_lossy(b).into_owned(),
            Step::Pause(d) => format!("<{}ms>", d.as_millis()),
        }
    }

    #[test]
    fn a_pause_splits_a_valid_answer() {
        let steps = paused(&rendered("abcdefgh"), Some(3), Duration::from_millis(40));
        let t: Vec<String> = steps.iter().map(text).collect();
        assert!(t[0].contains("content-length: 8\r\n"), "{t:?}");
        assert!(t[0].ends_with("\r\n\r\nabc"), "{t:?}");
        assert_eq!(t[1..], ["<40ms>", "defgh"]);
        // Past the end: everything first, then the pause, nothing after.
        assert_eq!(paused(&rendered("ab"), Some(9), Duration::ZERO).len(), 2);
    }

    #[test]
    fn wrong_length_declares_more_than_it_sends() {
        let t = text(&wrong_length(&rendered("abcd"))[0]);
        assert!(t.contains(&format!("content-length: {}\r\n", 4 + OVERSTATED_BY)));
        assert!(t.ends_with("\r\n\r\nabcd"), "{t}");
    }

    #[test]
    fn broken_chunked_has_a_bad_size_line() {
        let t = text(&broken_chunked(&rendered("abcdefgh"))[0]);
        assert!(t.contains("transfer-encoding: chunked\r\n"), "{t}");
        assert!(t.ends_with("\r\n\r\n4\r\nabcd\r\nnot-hex\r\nefgh"), "{t}");
        assert!(!t.contains("content-length"));
    }

    #[test]
    fn dribbled_bodies_are_spread_over_the_duration() {
        let steps = dribbled(&rendered("abcdefgh"), 4, Duration::from_millis(300));
        let t: Vec<String> = steps.iter().map(text).collect();
        assert_eq!(
            t[1..],
            ["ab", "<75ms>", "cd", "<75ms>", "ef", "<75ms>", "gh"]
        );
    }

    #[test]
    fn throttled_bodies_go_out_in_timed_pieces() {
        let steps = throttled(&rendered("abcdefghij"), 100);
        // 100 bytes/s: five-byte pieces 50 ms apart.
        let t: Vec<String> = steps.iter().map(text).collect();
        assert_eq!(t[1..], ["<50ms>", "abcde", "<50ms>", "fghij"]);
        let slow = throttled(&rendered("abc"), 2);
        assert_eq!(
            slow.iter().filter(|s| matches!(s, Step::Pause(_))).count(),
            3
        );
        assert!(slow.contains(&Step::Pause(Duration::from_millis(500))));
    }
}
