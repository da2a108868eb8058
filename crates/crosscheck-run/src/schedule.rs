//! The seeded fault schedule: one seed per scenario and dependency, derived from the
//! run's seed, and the schedule the doubles realised, as evidence.
//!
//! Deriving per scenario (rather than running one source through the whole run) keeps a
//! scenario's schedule the same when it runs alone (`-k`), in another shard, or after
//! other scenarios were added.

use crosscheck_double::{MockServer, Outcome};
use indexmap::IndexMap;

/// The seed for `dependency`'s double in `scenario`: FNV-1a over the run seed and the two
/// names, so it is stable across platforms and versions.
pub(crate) fn seed_for(run_seed: u64, scenario: &str, dependency: &str) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01B3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = run_seed
        .to_le_bytes()
        .into_iter()
        .chain(scenario.bytes())
        .chain([0])
        .chain(dependency.bytes());
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// Every fault the doubles carried out in this scenario, in order per dependency, one
/// line each: `auth call 2 (GET /validate, at 3 ms): reset, probability 0.3`. Calls a
/// `probability` let through to another stub say so.
pub(crate) fn realised(doubles: &IndexMap<String, MockServer>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, mock) in doubles {
        for (i, call) in mock.journal().iter().enumerate() {
            let what = match &call.outcome {
                Outcome::Fault { fault, .. } => fault.clone(),
                _ => match call.note.as_deref() {
                    Some(note) if note.contains("let it through: probability") => {
                        format!("no fault ({note})")
                    }
                    _ => continue,
                },
            };
            out.push(format!(
                "{name} call {} ({}, at {} ms): {what}",
                i + 1,
                call.describe(),
                call.at_ms
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_by_every_part_and_repeat() {
        let a = seed_for(0, "s1", "auth");
        assert_eq!(a, seed_for(0, "s1", "auth"));
        assert_ne!(a, seed_for(1, "s1", "auth"));
        assert_ne!(a, seed_for(0, "s2", "auth"));
        assert_ne!(a, seed_for(0, "s1", "db"));
        // The separator keeps "ab"+"c" apart from "a"+"bc".
        assert_ne!(seed_for(0, "ab", "c"), seed_for(0, "a", "bc"));
    }
}
