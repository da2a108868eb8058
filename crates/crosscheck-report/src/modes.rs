//! Failure modes a scenario stages on a dependency, named the way the governance
//! checklist names them: `timeout`, `unavailable`, `malformed`, `slow`.

use crosscheck_model::scenario::{Fault, Stub};

/// The failure modes every dependency edge should be exercised with.
pub const REQUIRED_MODES: [&str; 4] = ["timeout", "unavailable", "malformed", "slow"];

/// What one stub stages: a one-line description and the failure modes it exercises
/// (empty for an ordinary answer).
pub fn classify(stub: &Stub) -> (String, Vec<&'static str>) {
    let mut modes = Vec::new();
    let reply = stub.reply.clone().unwrap_or_default();
    let mut words = Vec::new();
    match stub.fault {
        Some(Fault::Timeout) => {
            modes.push("timeout");
            words.push("fault timeout (never answers)".to_owned());
        }
        Some(Fault::Reset) => {
            modes.push("unavailable");
            words.push("fault reset (connection reset)".to_owned());
        }
        Some(Fault::Empty) => {
            modes.push("unavailable");
            words.push("fault empty (closes without an answer)".to_owned());
        }
        Some(Fault::Refuse) => {
            modes.push("unavailable");
            words.push("fault refuse (connection refused)".to_owned());
        }
        Some(Fault::Malformed) => {
            modes.push("malformed");
            words.push("fault malformed (bytes that are not HTTP)".to_owned());
        }
        Some(Fault::Truncate) => {
            modes.push("malformed");
            words.push("fault truncate (answer cut short)".to_owned());
        }
        Some(Fault::Delay(d)) => {
            modes.push("slow");
            words.push(format!("fault delay {d}"));
        }
        Some(Fault::Pause(p)) => {
            modes.push("slow");
            words.push(format!("fault pause {} mid-body", p.wait));
        }
        Some(Fault::Bandwidth(rate)) => {
            modes.push("slow");
            words.push(format!("fault bandwidth {rate} bytes/s"));
        }
        Some(Fault::WrongLength) => {
            modes.push("malformed");
            words.push("fault wrong_length (body shorter than declared)".to_owned());
        }
        Some(Fault::BrokenChunked) => {
            modes.push("malformed");
            words.push("fault broken_chunked (bad chunk framing)".to_owned());
        }
        None => {}
    }
    if !matches!(
        stub.fault,
        Some(Fault::Timeout | Fault::Reset | Fault::Empty | Fault::Malformed | Fault::Refuse)
    ) {
        words.push(format!("reply {}", reply.status));
        if reply.status >= 500 {
            modes.push("unavailable");
        }
        if let Some(body) = &reply.body
            && reply.json.is_none()
            && serde_json::from_str::<serde_json::Value>(body).is_err()
        {
            modes.push("malformed");
            words.push(if body.is_empty() {
                "empty body".to_owned()
            } else {
                "body that is not JSON".to_owned()
            });
        }
        if let Some(d) = reply.delay {
            modes.push("slow");
            words.push(format!("after {d}"));
        }
    }
    if let Some(n) = stub.times {
        words.push(format!("first {n} call(s) only"));
    }
    modes.sort_unstable();
    modes.dedup();
    (words.join(", "), modes)
}

/// `GET /validate`, or `any request` for a stub without a pattern.
pub fn on_label(stub: &Stub) -> String {
    match (&stub.on.method, &stub.on.path) {
        (Some(m), Some(p)) => format!("{} {p}", m.to_ascii_uppercase()),
        (None, Some(p)) => format!("any method {p}"),
        (Some(m), None) => format!("{} any path", m.to_ascii_uppercase()),
        (None, None) => "any request".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stub(yaml: &str) -> Stub {
        let text =
            format!("id: x\nkind: fault\ngiven:\n  dep:\n    - {yaml}\nwhen: {{ path: / }}\n");
        let s = crosscheck_model::parse::scenarios("x.yaml", &text).unwrap();
        s[0].given[0][0].clone()
    }

    #[test]
    fn each_mode_is_recognized() {
        assert_eq!(classify(&stub("fault: timeout")).1, ["timeout"]);
        assert_eq!(classify(&stub("fault: reset")).1, ["unavailable"]);
        assert_eq!(classify(&stub("fault: empty")).1, ["unavailable"]);
        assert_eq!(classify(&stub("fault: refuse")).1, ["unavailable"]);
        assert_eq!(classify(&stub("fault: malformed")).1, ["malformed"]);
        assert_eq!(classify(&stub("fault: truncate")).1, ["malformed"]);
        assert_eq!(classify(&stub("fault: { delay: 2s }")).1, ["slow"]);
        assert_eq!(classify(&stub("reply: { status: 503 }")).1, ["unavailable"]);
        assert_eq!(
            classify(&stub("reply: { status: 200, body: '<html>' }")).1,
            ["malformed"]
        );
        assert_eq!(
            classify(&stub("reply: { status: 200, delay: 300ms }")).1,
            ["slow"]
        );
        let (words, modes) = classify(&stub("reply: { status: 200, json: { ok: true } }"));
        assert!(modes.is_empty());
        assert_eq!(words, "reply 200");
    }
}
