//! The audit as text for a person, JSON for tools, and SARIF 2.1.0 so that code hosts
//! annotate the scenario, requirement and contract files where a gap is.

use std::fmt::Write;

use serde_json::{Value, json};

use super::AuditReport;

/// The audit for a person: each item's verdict, its evidence, each gap with its place
/// and what to do, then the scenarios awaiting review.
pub fn text(r: &AuditReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "crosscheck audit · {} · {} scenario(s), {} requirement(s)\n",
        r.suite, r.scenarios, r.requirements
    );
    for item in &r.items {
        let verdict = match (item.passed, item.required) {
            (true, _) => "PASS",
            (false, true) => "FAIL",
            (false, false) => "WARN",
        };
        let req = if item.required {
            "required"
        } else {
            "advisory"
        };
        let _ = writeln!(out, "  {verdict}  {}. {} ({req})", item.item, item.title);
        for e in &item.evidence {
            let _ = writeln!(out, "        ✓ {e}");
        }
        for f in &item.findings {
            let place = if f.line > 0 {
                format!("{}:{}", f.file, f.line)
            } else {
                f.file.clone()
            };
            let _ = writeln!(out, "        ✗ {place}: {}", f.message);
            let _ = writeln!(out, "          help: {}", f.help);
        }
    }
    let _ = writeln!(out);
    if r.pending_review.is_empty() {
        let _ = writeln!(
            out,
            "scenarios proposed by an LLM or the generator and not yet reviewed: none"
        );
    } else {
        let _ = writeln!(
            out,
            "scenarios proposed by an LLM or the generator and not yet reviewed ({}):",
            r.pending_review.len()
        );
        for p in &r.pending_review {
            let _ = writeln!(
                out,
                "  {}:{}: {} (origin: {})",
                p.file, p.line, p.id, p.origin
            );
        }
    }
    let passed = r.items.iter().filter(|i| i.passed).count();
    let failed_required = r.items.iter().filter(|i| !i.passed && i.required).count();
    let _ = writeln!(
        out,
        "\n{} item(s): {passed} passed, {} failed ({failed_required} required) — audit {}",
        r.items.len(),
        r.items.len() - passed,
        if r.passed() { "passed" } else { "failed" }
    );
    out
}

/// The audit as JSON.
pub fn json_text(r: &AuditReport) -> String {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("passed".to_owned(), Value::Bool(r.passed()));
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// The audit as SARIF 2.1.0: one rule per checklist item, one result per gap (an
/// error when the item is required, a warning otherwise) located at its file and line,
/// and a note per scenario awaiting review.
pub fn sarif(r: &AuditReport) -> String {
    let mut rules: Vec<Value> = r
        .items
        .iter()
        .map(|i| {
            json!({
                "id": format!("audit-{}", i.item),
                "name": format!("Audit{}", i.item.to_uppercase()),
                "shortDescription": { "text": format!("{}. {}", i.item, i.title) },
                "defaultConfiguration": { "level": if i.required { "error" } else { "warning" } }
            })
        })
        .collect();
    rules.push(json!({
        "id": "review-pending",
        "name": "ReviewPending",
        "shortDescription": { "text": "a scenario proposed by an LLM or the generator awaits review by a person" },
        "defaultConfiguration": { "level": "note" }
    }));
    let mut results = Vec::new();
    for (index, i) in r.items.iter().enumerate() {
        for f in &i.findings {
            results.push(json!({
                "ruleId": format!("audit-{}", i.item),
                "ruleIndex": index,
                "level": if i.required { "error" } else { "warning" },
                "message": { "text": format!("{} Fix: {}", f.message, f.help) },
                "locations": [location(&f.file, f.line)]
            }));
        }
    }
    for p in &r.pending_review {
        results.push(json!({
            "ruleId": "review-pending",
            "ruleIndex": r.items.len(),
            "level": "note",
            "message": { "text": format!("scenario `{}` (origin: {}) has not been reviewed by a person; set `review: reviewed` once it has", p.id, p.origin) },
            "locations": [location(&p.file, p.line)]
        }));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "crosscheck",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/crosscheck",
                "rules": rules
            }},
            "results": results
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn location(file: &str, line: u32) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": file.replace('\\', "/") } });
    if line > 0 {
        physical["region"] = json!({ "startLine": line });
    }
    json!({ "physicalLocation": physical })
}
