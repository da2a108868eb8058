//! Accepted proposals as scenario files (one per requirement, with the generator's hash
//! header so a person's edits are never overwritten), and the rejections as JSON.

use crosscheck_gen::{GeneratedFile, render_file};
use serde_json::{Value, json};

use crate::propose::Outcome;

const HEADER: &str = "Proposed by an LLM through `crosscheck generate --llm`; each scenario passed crosscheck's\n\
checks against the contracts and the system map. Review each one and set `review: reviewed`\n\
when it is right. Once you edit this file, regenerating leaves it alone (the hash below stops\n\
matching).";

/// The files for the accepted proposals: `llm.<requirement>.yaml`.
pub fn render(outcome: &Outcome, model: &str) -> Vec<GeneratedFile> {
    let mut order: Vec<&str> = Vec::new();
    for p in &outcome.accepted {
        if !order.contains(&p.requirement.as_str()) {
            order.push(&p.requirement);
        }
    }
    order
        .into_iter()
        .map(|req| {
            let items: Vec<(String, Vec<String>, Value)> = outcome
                .accepted
                .iter()
                .filter(|p| p.requirement == req)
                .map(|p| {
                    let mut notes = vec![format!(
                        "Proposed by `{model}` for {req}; checked against the contract and the system map, not yet reviewed."
                    )];
                    notes.extend(p.passed.gaps.iter().map(|g| format!("Contract gap: {g}.")));
                    (p.passed.id.clone(), notes, p.passed.body.clone())
                })
                .collect();
            render_file(&format!("llm.{}.yaml", file_safe(req)), HEADER, &items)
        })
        .collect()
}

/// The machine-readable list of what was rejected and why (and what was accepted).
pub fn rejections_json(outcome: &Outcome, model: &str) -> Value {
    let mut by_reason = serde_json::Map::new();
    for r in crate::check::Reason::ALL {
        let n = outcome.rejected.iter().filter(|x| x.reason == r).count();
        if n > 0 {
            by_reason.insert(
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                json!(n),
            );
        }
    }
    json!({
        "model": model,
        "asked": outcome.asked,
        "skipped": outcome.skipped,
        "accepted": outcome.accepted.iter().map(|p| json!({
            "requirement": p.requirement,
            "id": p.passed.id,
            "contract_gaps": p.passed.gaps,
        })).collect::<Vec<_>>(),
        "rejected_by_reason": by_reason,
        "rejected": outcome.rejected.iter().map(|r| json!({
            "requirement": r.requirement,
            "id": r.id,
            "reason": r.reason,
            "detail": r.detail,
            "proposal": r.proposal,
        })).collect::<Vec<_>>(),
        "notes": outcome.notes,
        "tokens": outcome.tokens,
    })
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
