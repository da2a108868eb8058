//! Property tests for data from schemas: over random schemas built from the keywords the
//! generator knows, every valid value is valid, every invalid value fails for exactly
//! the keyword it names, and the same seed gives the same values.

use crosscheck_gen::data::SchemaData;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn string_schema() -> impl Strategy<Value = Value> {
    (
        0u64..4,
        prop::option::of(4u64..12),
        prop::option::of(prop::sample::select(vec![
            "^[a-z]+$",
            "^[A-Z]{2}-[0-9]{3}$",
            "^(red|green)$",
            "^[^/]+$",
        ])),
        prop::option::of(prop::sample::select(vec![
            "date-time",
            "uuid",
            "email",
            "ipv4",
            "date",
        ])),
    )
        .prop_map(|(min, max, pattern, format)| {
            let mut m = Map::new();
            m.insert("type".into(), json!("string"));
            match (pattern, format) {
                (Some(p), _) => {
                    m.insert("pattern".into(), json!(p));
                }
                (None, Some(f)) => {
                    m.insert("format".into(), json!(f));
                }
                (None, None) => {
                    m.insert("minLength".into(), json!(min));
                    if let Some(x) = max {
                        m.insert("maxLength".into(), json!(x));
                    }
                }
            }
            Value::Object(m)
        })
}

fn number_schema() -> impl Strategy<Value = Value> {
    (prop::bool::ANY, -50i64..50, 0i64..100, prop::bool::ANY).prop_map(
        |(int, lo, span, exclusive)| {
            let ty = if int { "integer" } else { "number" };
            if exclusive {
                json!({"type": ty, "exclusiveMinimum": lo, "exclusiveMaximum": lo + span + 2})
            } else {
                json!({"type": ty, "minimum": lo, "maximum": lo + span})
            }
        },
    )
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        string_schema(),
        number_schema(),
        Just(json!({"type": "boolean"})),
        Just(json!({"enum": ["a", "b", "c"]})),
        Just(json!({"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3})),
    ]
}

fn object_schema() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(leaf(), 1..5),
        prop::collection::vec(prop::bool::ANY, 5),
        prop::bool::ANY,
    )
        .prop_map(|(props, required, closed)| {
            let mut p = Map::new();
            let mut req = Vec::new();
            for (i, s) in props.into_iter().enumerate() {
                let name = format!("field_{i}");
                if required[i] {
                    req.push(json!(name));
                }
                p.insert(name, s);
            }
            json!({"type": "object", "properties": p, "required": req, "additionalProperties": !closed})
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn valid_is_valid_and_invalid_breaks_exactly_one_keyword(schema in object_schema(), seed in any::<u64>()) {
        let data = SchemaData::new(&schema).expect("compiles");
        let valid = data.valid(seed).expect("satisfiable");
        prop_assert!(data.checker().is_valid(&valid), "{valid} is not valid for {schema}");
        prop_assert_eq!(&data.valid(seed).unwrap(), &valid, "not deterministic");
        let invalid = data.invalid(&valid);
        prop_assert!(!invalid.is_empty(), "no invalid value for {}", schema);
        for bad in invalid {
            let errors = data.checker().violations(&bad.value);
            prop_assert!(!errors.is_empty(), "{:?} is valid", bad);
            prop_assert!(
                errors.iter().all(|(k, _)| k == bad.keyword),
                "{:?} breaks {:?}, not only `{}`", bad.value, errors, bad.keyword
            );
        }
    }

    #[test]
    fn leaves_alone(schema in leaf(), seed in any::<u64>()) {
        let data = SchemaData::new(&schema).expect("compiles");
        let valid = data.valid(seed).expect("satisfiable");
        prop_assert!(data.checker().is_valid(&valid), "{} is not valid for {}", valid, schema);
    }
}

/// Keywords the property test must have seen broken at least once, on a fixed schema
/// that has each of them.
#[test]
fn every_mutation_kind_is_produced() {
    let schema = json!({
        "type": "object", "additionalProperties": false,
        "required": ["s", "n", "e", "f", "a"],
        "properties": {
            "s": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
            "n": {"type": "integer", "minimum": 1, "maximum": 9},
            "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
            "e": {"enum": ["a", "b"]},
            "f": {"type": "string", "format": "date-time"},
            "a": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2}
        }
    });
    let data = SchemaData::new(&schema).unwrap();
    let valid = data.valid(1).unwrap();
    let kinds: Vec<&str> = data.invalid(&valid).iter().map(|b| b.keyword).collect();
    for k in [
        "required",
        "type",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "enum",
        "additionalProperties",
        "minItems",
        "maxItems",
    ] {
        assert!(kinds.contains(&k), "no `{k}` in {kinds:?}");
    }
}
