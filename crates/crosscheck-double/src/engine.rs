//! The fault engine for stubs: how a chosen stub answers, with its random parts drawn
//! from the scenario's seeded source and the realised values written down.
//!
//! The same seed and the same order of requests give the same plans: the delays drawn,
//! the calls a `probability` lets through, and so the whole schedule the journal shows.

use std::time::Duration;

use crosscheck_model::scenario::{Fault, Stub};

use crate::fault::{self, Action};
use crate::framing;
use crate::record::Outcome;
use crate::reply::Rendered;
use crate::rng::Rng;
use crate::state::Plan;

/// How `stub` answers (its reply already rendered), and the outcome to record. The
/// outcome's fault text carries what was realised: `delay 37ms (uniform 10ms–50ms)`.
pub(crate) fn plan(
    stub: &Stub,
    rendered: Rendered,
    rng: &mut Rng,
    generation: u64,
) -> (Plan, Outcome) {
    let status = rendered.status.as_u16();
    let reply_delay = stub
        .reply
        .as_ref()
        .and_then(|r| r.delay)
        .map(|d| d.get())
        .unwrap_or_default();
    let Some(fault) = stub.fault else {
        let plan = Plan::Reply {
            rendered,
            wait: reply_delay,
        };
        return (plan, Outcome::Replied { status });
    };
    let script = |steps| Plan::Fault(Action::Script { steps, generation });
    let (plan, status, words) = match fault {
        Fault::Delay(w) => {
            let drawn = rng.wait(w);
            let wait = drawn.saturating_add(reply_delay);
            let words = realised("delay", drawn, w);
            (Plan::Reply { rendered, wait }, Some(status), words)
        }
        Fault::Pause(p) => {
            let drawn = rng.wait(p.wait);
            let steps = framing::paused(&rendered, p.after, drawn);
            let words = realised("pause", drawn, p.wait) + " mid-body";
            (delayed(script(steps), reply_delay), Some(status), words)
        }
        Fault::WrongLength => (
            delayed(script(framing::wrong_length(&rendered)), reply_delay),
            Some(status),
            format!(
                "wrong_length (declared {} bytes more than sent)",
                framing::OVERSTATED_BY
            ),
        ),
        Fault::BrokenChunked => (
            delayed(script(framing::broken_chunked(&rendered)), reply_delay),
            Some(status),
            fault::describe(&fault),
        ),
        Fault::Bandwidth(rate) => (
            delayed(script(framing::throttled(&rendered, rate)), reply_delay),
            Some(status),
            fault::describe(&fault),
        ),
        Fault::Timeout => (
            Plan::Fault(Action::Hold { generation }),
            None,
            fault::describe(&fault),
        ),
        Fault::Reset => (
            delayed(Plan::Fault(Action::Reset), reply_delay),
            None,
            fault::describe(&fault),
        ),
        // A request reached a `refuse` stub, so the double was listening (installed
        // without `MockServer::refuse_connections`): reset, the nearest a listening
        // server can come to refusing one connection.
        Fault::Refuse => (
            Plan::Fault(Action::Reset),
            None,
            "refuse (the double was listening: reset instead)".to_owned(),
        ),
        Fault::Empty => (
            delayed(Plan::Fault(Action::Close), reply_delay),
            None,
            fault::describe(&fault),
        ),
        Fault::Malformed => (
            delayed(
                Plan::Fault(Action::Send(fault::MALFORMED.to_vec())),
                reply_delay,
            ),
            None,
            fault::describe(&fault),
        ),
        Fault::Truncate => (
            delayed(Plan::Fault(Action::Send(rendered.truncated())), reply_delay),
            Some(status),
            fault::describe(&fault),
        ),
    };
    let words = match stub.probability {
        Some(p) => format!("{words}, probability {p}"),
        None => words,
    };
    (
        plan,
        Outcome::Fault {
            fault: words,
            status,
        },
    )
}

/// A fault plan that first waits `wait` (the reply's own `delay`), when there is one.
fn delayed(plan: Plan, wait: Duration) -> Plan {
    match plan {
        Plan::Fault(action) if !wait.is_zero() => Plan::DelayedFault { action, wait },
        other => other,
    }
}

/// `delay 2s`, or `delay 37ms (uniform 10ms–50ms)` for a draw.
fn realised(what: &str, drawn: Duration, spec: crosscheck_model::scenario::Wait) -> String {
    let shown = crosscheck_model::duration::Span(Duration::from_millis(
        u64::try_from(drawn.as_millis()).unwrap_or(u64::MAX),
    ));
    if spec.fixed().is_some() {
        format!("{what} {shown}")
    } else {
        format!("{what} {shown} ({spec})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stub(yaml: &str) -> Stub {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn words(yaml: &str, seed: u64) -> String {
        let s = stub(yaml);
        let rendered = Rendered::from_reply(s.reply.as_ref());
        match plan(&s, rendered, &mut Rng::new(seed), 0).1 {
            Outcome::Fault { fault, .. } => fault,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn realised_values_are_written_down() {
        assert_eq!(words("{ fault: { delay: 2s } }", 1), "delay 2s");
        let w = words("{ fault: { delay: { uniform: [10ms, 50ms] } } }", 1);
        assert!(
            w.starts_with("delay ") && w.ends_with("(uniform 10ms–50ms)"),
            "{w}"
        );
        assert_eq!(
            w,
            words("{ fault: { delay: { uniform: [10ms, 50ms] } } }", 1)
        );
        let w = words(
            "{ fault: { pause: { for: { lognormal: { median: 80ms, sigma: 0.5 } } } } }",
            3,
        );
        assert!(
            w.contains("(lognormal median 80ms, sigma 0.5) mid-body"),
            "{w}"
        );
        assert_eq!(
            words("{ fault: reset, probability: 0.5 }", 1),
            "reset, probability 0.5"
        );
        assert_eq!(
            words("{ fault: { bandwidth: 100 } }", 1),
            "bandwidth 100 bytes/s"
        );
    }

    #[test]
    fn body_faults_are_scripts() {
        for yaml in [
            "{ fault: wrong_length }",
            "{ fault: broken_chunked }",
            "{ fault: { bandwidth: 1000 } }",
            "{ fault: { pause: { for: 10ms } } }",
        ] {
            let s = stub(yaml);
            let (p, _) = plan(&s, Rendered::from_reply(None), &mut Rng::new(0), 4);
            assert!(
                matches!(p, Plan::Fault(Action::Script { generation: 4, .. })),
                "{yaml}: {p:?}"
            );
        }
        // A reply delay comes before a socket fault.
        let s = stub("{ fault: reset, reply: { delay: 20ms } }");
        let (p, _) = plan(
            &s,
            Rendered::from_reply(s.reply.as_ref()),
            &mut Rng::new(0),
            0,
        );
        assert!(
            matches!(
                p,
                Plan::DelayedFault {
                    action: Action::Reset,
                    ..
                }
            ),
            "{p:?}"
        );
    }
}
