//! What a generated scenario lists under `covers`: a requirement that holds for every
//! request is covered by each scenario of its operation, except where the scenario
//! cannot check anything it says. A dependency that refuses connections cannot be
//! called, so "call it exactly once" is not covered there, while a requirement with
//! something else to check (a status, a log) still is.

mod common;

use indexmap::IndexMap;

const SPEC: &str = r##"openapi: 3.1.0
info: { title: orders, version: "1" }
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200": { description: the order }
        "503": { description: the stock service failed }
"##;

const STOCK: &str = r##"openapi: 3.1.0
info: { title: stock, version: "1" }
paths:
  /levels:
    get:
      operationId: levels
      responses:
        "200": { description: levels }
"##;

const MAP: &str = "version: 1\nsut:\n  name: orders\n  start: [\"true\"]\n  contract: api.yaml\ndependencies:\n  stock: { contract: stock.yaml, double: mock }\nrequirements: requirements.md\nscenarios: scenarios/\n";

const REQUIREMENTS: &str = "\
- **REQ-O-1**: The order service shall call `GET /levels` on stock exactly once per request to `GET /orders/{id}`.
- **REQ-O-2**: Every answer of `GET /orders/{id}` shall carry an `X-Request-Id` header.
- **REQ-O-3**: When stock does not answer or refuses the connection, the order service shall answer 503.
";

fn covers_of(text: &str, id: &str) -> Vec<String> {
    let start = text
        .find(&format!("id: {id}\n"))
        .unwrap_or_else(|| panic!("no {id} in {text}"));
    let line = text[start..]
        .lines()
        .find(|l| l.starts_with("covers:"))
        .unwrap_or_else(|| panic!("no covers for {id}"));
    line.trim_start_matches("covers:")
        .trim()
        .trim_matches(['[', ']'])
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn a_refusing_dependency_does_not_cover_a_requirement_that_only_counts_its_calls() {
    let contract = crosscheck_contract::parse("api.yaml", SPEC).unwrap();
    let stock = crosscheck_contract::parse("stock.yaml", STOCK).unwrap();
    let mut deps = IndexMap::new();
    deps.insert("stock".to_string(), stock);
    let out = common::generate_for(&contract, MAP, REQUIREMENTS, &deps);
    let all = common::all_text(&out);

    // Where stock answers (late, with an error), its calls are counted: REQ-O-1 is covered.
    let failing = covers_of(&all, "gen-getOrder-stock-status-500");
    assert!(failing.contains(&"REQ-O-1".to_string()), "{failing:?}");
    assert!(failing.contains(&"REQ-O-2".to_string()), "{failing:?}");

    // Where it refuses connections, there is nothing to count; the header and the
    // status are still checked.
    let refused = covers_of(&all, "gen-getOrder-stock-refuses-connections");
    assert!(
        !refused.contains(&"REQ-O-1".to_string()),
        "{refused:?}\n{all}"
    );
    assert!(refused.contains(&"REQ-O-2".to_string()), "{refused:?}");
    assert!(refused.contains(&"REQ-O-3".to_string()), "{refused:?}");
}
