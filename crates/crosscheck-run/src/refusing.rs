//! `fault: refuse` on a mocked dependency: for the whole scenario the double keeps its
//! port but does not listen, so every connection the service opens to it is refused at
//! once (ECONNREFUSED); after the scenario it listens again on the same port.
//!
//! Refusing is a property of the whole double, not of a request: the kernel answers the
//! SYN before any byte reaches the double, so nothing can be matched, counted or
//! answered. `validate` holds a scenario to that (the refuse entry stands alone, with no
//! `on`, `reply`, `times`, `every`, `probability` or states, and no calls are expected
//! of the refusing double).

use crosscheck_double::MockServer;
use crosscheck_model::scenario::{Fault, Scenario, Stub};
use crosscheck_model::system_map::DoubleKind;
use crosscheck_model::{Diagnostic, Located};
use indexmap::IndexMap;

use crate::suite::{LoadedScenario, Suite};

/// Whether a dependency's stubs ask it to refuse connections.
pub(crate) fn refuses(stubs: &[Stub]) -> bool {
    stubs.iter().any(|s| s.fault == Some(Fault::Refuse))
}

/// Makes each double refuse or listen, as `scenario` asks (after its stubs are
/// installed). Returns the fault schedule's lines for the refusing ones, and what could
/// not be done.
pub(crate) async fn apply(
    doubles: &IndexMap<String, MockServer>,
    scenario: &Scenario,
) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (name, mock) in doubles {
        let wanted = scenario
            .given
            .iter()
            .any(|(k, stubs)| k.value == *name && refuses(stubs));
        let done = if wanted {
            mock.refuse_connections().await
        } else {
            mock.accept_connections().await
        };
        match done {
            Ok(()) if wanted => lines.push(format!(
                "{name}: every connection refused (port {} held, not listening)",
                mock.port()
            )),
            Ok(()) => {}
            Err(e) => errors.push(format!("failed to {e}")),
        }
    }
    (lines, errors)
}

/// Every double listens again (after a scenario).
pub(crate) async fn restore(doubles: &IndexMap<String, MockServer>) {
    for mock in doubles.values() {
        if let Err(e) = mock.accept_connections().await {
            tracing::warn!("the double `{}` could not listen again: {e}", mock.name());
        }
    }
}

/// Misuse of `fault: refuse` in one scenario, each pointing at the line to change.
pub(crate) fn check(
    suite: &Suite,
    loaded: &LoadedScenario,
    text: &str,
    at: &dyn Fn(&Located<String>, String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let s = &loaded.scenario;
    let mut refusing: Vec<&str> = Vec::new();
    for (name, stubs) in &s.given {
        if !refuses(stubs) {
            continue;
        }
        let is_mock = suite
            .map
            .dependencies
            .iter()
            .any(|(k, d)| k.value == name.value && d.double == DoubleKind::Mock);
        if !is_mock {
            // A proxy's entries are toxics only (`proxies::check_scenario` says so).
            continue;
        }
        refusing.push(&name.value);
        let here = locate(text, name, "refuse");
        let dep = &name.value;
        if stubs.len() > 1 {
            out.push(
                at(&here, format!("`fault: refuse` makes `{dep}` refuse every connection for the whole scenario, so its other {} stub(s) can never answer", stubs.len() - 1))
                    .with_help(format!("keep `- fault: refuse` alone under `{dep}`, or move the other stubs to a scenario of their own; to fail one request instead, use `fault: reset`")),
            );
        }
        for stub in stubs.iter().filter(|s| s.fault == Some(Fault::Refuse)) {
            for (key, why, fix) in extras(stub) {
                out.push(
                    at(
                        &here,
                        format!("`fault: refuse` on `{dep}` cannot have `{key}`: {why}"),
                    )
                    .with_help(fix),
                );
            }
        }
    }
    for (_, then) in s.steps() {
        for (dep, expects) in then.map(|t| &t.calls).into_iter().flatten() {
            if refusing.contains(&dep.value.as_str()) && expects.iter().any(|e| e.times != Some(0))
            {
                out.push(
                    at(dep, format!("`{}` refuses every connection in this scenario, so it never receives a call", dep.value))
                        .with_help("check the service's answer instead (status, `within`, logs), or expect `times: 0`"),
                );
            }
        }
    }
    out
}

/// The keys a refuse stub may not have, why, and what to do.
fn extras(stub: &Stub) -> Vec<(&'static str, &'static str, &'static str)> {
    const COUNTING: &str = "for \"the first call fails, then a retry succeeds\" write `- { on: …, fault: reset, times: 1 }` followed by a stub that answers";
    let mut out = Vec::new();
    let on = &stub.on;
    if on.method.is_some()
        || on.path.is_some()
        || !on.query.is_empty()
        || !on.headers.is_empty()
        || !on.json.is_empty()
    {
        out.push((
            "on",
            "the connection is refused before any request is read, so there is nothing to match",
            "remove `on`: refusing applies to every connection",
        ));
    }
    if stub.reply.is_some() {
        out.push((
            "reply",
            "no request reaches a double that refuses connections, so nothing is answered",
            "remove `reply`, or use `fault: reset` / `fault: empty` to fail after a request arrives",
        ));
    }
    for (key, set) in [
        ("times", stub.times.is_some()),
        ("every", stub.every.is_some()),
        ("probability", stub.probability.is_some()),
    ] {
        if set {
            out.push((
                key,
                "the kernel refuses the connection before the double sees it, so it cannot count or pick connections",
                COUNTING,
            ));
        }
    }
    if stub.state.is_some() || stub.next_state.is_some() {
        out.push((
            "state",
            "refusing lasts the whole scenario; no call can move the state",
            "remove `state` and `next_state`",
        ));
    }
    out
}

/// Where the word `word` first appears under the dependency `name` (from its line on),
/// else the dependency's name itself.
fn locate(text: &str, name: &Located<String>, word: &str) -> Located<String> {
    let from = usize::try_from(name.line.saturating_sub(1)).unwrap_or(0);
    for (i, line) in text.lines().enumerate().skip(from) {
        let code = line.split(" #").next().unwrap_or(line);
        if let Some(col) = code.find(word).filter(|c| {
            let before = code[..*c].chars().last();
            let after = code[c + word.len()..].chars().next();
            !before.is_some_and(|b| b.is_alphanumeric() || b == '_')
                && !after.is_some_and(|a| a.is_alphanumeric() || a == '_')
        }) {
            return Located {
                value: name.value.clone(),
                line: u32::try_from(i + 1).unwrap_or(name.line),
                column: u32::try_from(code[..col].chars().count() + 1).unwrap_or(1),
            };
        }
    }
    name.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_is_found_under_its_dependency() {
        let text = "given:\n  db:\n    - fault: reset # not refuse\n  auth:\n    - fault: refused_x\n    - { fault: refuse }\n";
        let name = Located {
            value: "auth".to_owned(),
            line: 4,
            column: 3,
        };
        let at = locate(text, &name, "refuse");
        assert_eq!((at.line, at.column), (6, 16));
    }
}
