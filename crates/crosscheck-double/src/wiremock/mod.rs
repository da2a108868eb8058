//! WireMock compatibility: its JSON stub mappings and a subset of its `/__admin` API.

pub(crate) mod api;
mod mapping;
mod matching;
mod store;

use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, StatusCode};

pub(crate) use mapping::{Delay, Mapping, WireFault, parse_file};
pub(crate) use store::Store;

use crate::fault::Action;
use crate::record::{Outcome, RecordedRequest};
use crate::reply::Rendered;
use crate::state::Plan;
use crate::template;

/// How a mapping answers `req`: the plan, the outcome to record and a note on the
/// realised delay, if any.
pub(crate) fn answer(
    mapping: &Mapping,
    req: &RecordedRequest,
    store: &mut Store,
    generation: u64,
) -> (Plan, Outcome, Option<String>) {
    let r = &mapping.response;
    let delay_ms = store.sample(r.delay);
    let note = match r.delay {
        Delay::None => None,
        Delay::Fixed(_) => Some(format!("delayed {delay_ms}ms")),
        Delay::Uniform { lower, upper } => {
            Some(format!("delayed {delay_ms}ms (uniform {lower}–{upper}ms)"))
        }
        Delay::LogNormal { median, sigma } => Some(format!(
            "delayed {delay_ms}ms (lognormal median {median}ms, sigma {sigma})"
        )),
    };
    let rendered = if r.template {
        render(mapping, Some(req))
    } else {
        // The same bytes every time: render once, then hand out cheap copies.
        r.rendered.get_or_init(|| render(mapping, None)).clone()
    };
    let wait = Duration::from_millis(delay_ms);
    let shaped = if let Some((chunks, total)) = r.dribble {
        Some((
            crate::framing::dribbled(&rendered, chunks, Duration::from_millis(total)),
            format!("dribbled in {chunks} chunk(s) over {total}ms"),
        ))
    } else if let Some(rate) = r.bandwidth {
        Some((
            crate::framing::throttled(&rendered, rate),
            format!("body at {rate} bytes/s"),
        ))
    } else if let Some((after, ms)) = r.pause {
        Some((
            crate::framing::paused(&rendered, after, Duration::from_millis(ms)),
            format!("paused {ms}ms mid-body"),
        ))
    } else {
        None
    };
    if let Some((steps, words)) = shaped
        && r.fault.is_none()
    {
        let action = Action::Script { steps, generation };
        let plan = if wait.is_zero() {
            Plan::Fault(action)
        } else {
            Plan::DelayedFault { action, wait }
        };
        let note = Some(note.map_or(words.clone(), |n| format!("{n}, {words}")));
        return (plan, Outcome::Replied { status: r.status }, note);
    }
    let Some(fault) = r.fault else {
        return (
            Plan::Reply { rendered, wait },
            Outcome::Replied { status: r.status },
            note,
        );
    };
    let action = match fault {
        WireFault::ConnectionResetByPeer => Action::Reset,
        WireFault::EmptyResponse => Action::Close,
        WireFault::MalformedResponseChunk => Action::Send(malformed_chunk(r.status)),
        WireFault::RandomDataThenClose => Action::Send(store_bytes(store)),
        WireFault::WrongLength => Action::Script {
            steps: crate::framing::wrong_length(&rendered),
            generation,
        },
        WireFault::BrokenChunked => Action::Script {
            steps: crate::framing::broken_chunked(&rendered),
            generation,
        },
    };
    let plan = if wait.is_zero() {
        Plan::Fault(action)
    } else {
        Plan::DelayedFault { action, wait }
    };
    let status = matches!(
        fault,
        WireFault::MalformedResponseChunk | WireFault::WrongLength | WireFault::BrokenChunked
    )
    .then_some(r.status);
    (
        plan,
        Outcome::Fault {
            fault: fault.name().to_owned(),
            status,
        },
        note,
    )
}

/// The mapping's answer; templates filled from `req` when given.
fn render(mapping: &Mapping, req: Option<&RecordedRequest>) -> Rendered {
    let r = &mapping.response;
    let template_for = match &mapping.request.url {
        mapping::UrlMatch::PathTemplate(t) => Some(t.as_str()),
        _ => None,
    };
    let fill = |s: &str| match req {
        Some(req) => template::render(s, req, template_for),
        None => s.to_owned(),
    };
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut headers = Vec::new();
    for (name, value) in &r.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&fill(value)),
        ) {
            (Ok(n), Ok(v))
                if n != http::header::CONTENT_LENGTH && n != http::header::TRANSFER_ENCODING =>
            {
                headers.push((n, v));
            }
            _ => tracing::debug!(header = %name, "skipping a mapping's response header"),
        }
    }
    if r.json && !headers.iter().any(|(n, _)| n == CONTENT_TYPE) {
        headers.push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
    }
    let body = r
        .body
        .as_deref()
        .map(|b| Bytes::from(fill(b)))
        .unwrap_or_default();
    Rendered {
        status,
        headers,
        body,
    }
}

fn store_bytes(store: &mut Store) -> Vec<u8> {
    store.random_bytes(64)
}

/// A status line and a chunked body whose second chunk size is not hex.
fn malformed_chunk(status: u16) -> Vec<u8> {
    format!("HTTP/1.1 {status} OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n\u{1}\u{2}broken")
        .into_bytes()
}
