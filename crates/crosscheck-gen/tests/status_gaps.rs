//! Where the contract documents no status for a case, the generated scenario accepts the
//! class the case calls for — any 2xx for a success, any 4xx for bad input, 401 or 403
//! for a refused credential — and reports the gap; it never expects a 5xx for them.
//! With no response the answer could match, conformance is not asserted.

mod common;

use indexmap::IndexMap;

const SPEC: &str = r##"openapi: 3.1.0
info: { title: gaps, version: "1" }
paths:
  /flights:
    get:
      operationId: listFlights
  /bookings:
    post:
      operationId: book
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [seat]
              properties: { seat: { type: string, maxLength: 3 } }
      responses:
        "201": { description: booked }
  /seats:
    get:
      operationId: listSeats
      responses:
        "2XX": { description: the seats }
"##;

const MAP: &str = "version: 1\nsut:\n  name: flights\n  start: [\"true\"]\n  contract: api.yaml\nrequirements: requirements.md\nscenarios: scenarios/\n";

const REQUIREMENTS: &str = "- **REQ-G-1**: Every call of `GET /flights`, `POST /bookings` and `GET /seats` shall be answered as the contract documents.\n";

fn scenario<'a>(text: &'a str, id: &str) -> &'a str {
    let start = text
        .find(&format!("id: {id}\n"))
        .unwrap_or_else(|| panic!("no {id} in {text}"));
    let end = text[start..]
        .find("\n---\n")
        .map_or(text.len(), |e| start + e);
    &text[start..end]
}

#[test]
fn undocumented_statuses_expect_the_class_of_the_case_and_are_reported() {
    let contract = crosscheck_contract::parse("api.yaml", SPEC).unwrap();
    let deps = IndexMap::new();
    let out = common::generate_for(&contract, MAP, REQUIREMENTS, &deps);
    let all = common::all_text(&out);

    // No response at all: any 2xx, and nothing to conform to.
    let flights = scenario(&all, "gen-listFlights-succeeds");
    assert!(
        flights.contains(r#"status: { regex: "^2[0-9][0-9]$" }"#),
        "{flights}"
    );
    assert!(!flights.contains("conforms"), "{flights}");

    // Only 201 documented: bad input accepts any 4xx; the 4xx is not documented, so
    // conformance is not asserted.
    let bad = scenario(&all, "gen-book-bad-seat-maxlength");
    assert!(
        bad.contains(r#"status: { regex: "^4[0-9][0-9]$" }"#),
        "{bad}"
    );
    assert!(!bad.contains("conforms"), "{bad}");
    assert!(!bad.contains("500"), "{bad}");

    // A documented 2XX range: any 2xx, and conformance is asserted.
    let seats = scenario(&all, "gen-listSeats-succeeds");
    assert!(seats.contains(r#"regex: "^2[0-9][0-9]$""#), "{seats}");
    assert!(seats.contains("conforms: true"), "{seats}");

    let gaps: Vec<(&str, &str)> = out
        .gaps
        .iter()
        .map(|g| (g.scope.as_str(), g.message.as_str()))
        .collect();
    assert!(
        gaps.contains(&(
            "gen-listFlights-succeeds",
            "Contract gap: no success status (2xx) is documented; any 2xx is expected."
        )),
        "{gaps:?}"
    );
    assert!(
        gaps.iter()
            .any(|(s, m)| *s == "gen-book-bad-seat-maxlength" && m.contains("any 4xx is expected")),
        "{gaps:?}"
    );
}
