//! Checks on the named states of a dependency's stubs: a stub that waits for a state no
//! stub ever moves to can never answer, which is almost always a misspelt state.

use crosscheck_model::scenario::{INITIAL_STATE, Stub};
use crosscheck_model::{Diagnostic, Located};

/// One diagnostic per stub whose `state` is neither `started` nor any stub's
/// `next_state`, pointing at the state.
pub(crate) fn check(
    dependency: &str,
    stubs: &[Stub],
    at: &dyn Fn(&Located<String>, String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let reachable: Vec<&str> = std::iter::once(INITIAL_STATE)
        .chain(
            stubs
                .iter()
                .filter_map(|s| s.next_state.as_ref().map(|n| n.value.as_str())),
        )
        .collect();
    let mut out = Vec::new();
    for state in stubs.iter().filter_map(|s| s.state.as_ref()) {
        if reachable.contains(&state.value.as_str()) {
            continue;
        }
        let hint = crosscheck_model::suggest::closest(&state.value, reachable.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        out.push(
            at(
                state,
                format!(
                    "a stub of `{dependency}` answers only in state `{}`, which no stub moves to{hint}",
                    state.value
                ),
            )
            .with_help(format!(
                "every dependency starts in `{INITIAL_STATE}`; set `next_state: {}` on the stub that leads there, or fix the name",
                state.value
            )),
        );
    }
    out
}
