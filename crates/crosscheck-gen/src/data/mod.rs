//! Data from schemas: valid values (the contract's examples first) and invalid values
//! that each break exactly one constraint. Every value is checked with the validator
//! (JSON Schema 2020-12, formats asserted): a valid value is valid, and an invalid one
//! fails for exactly the keyword it was built to break, or it is not handed out.

mod check;
mod invalid;
mod pattern;
mod resolve;
mod valid;

use serde_json::Value;

pub use check::Checker;
pub(crate) use resolve::flat;

use crate::rng::Rng;

/// A value that breaks exactly one constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// The JSON Schema keyword it breaks: `required`, `type`, `minimum`, `maxLength`,
    /// `pattern`, `format`, `enum`, `additionalProperties`, …
    pub keyword: &'static str,
    /// Where the broken part is (JSON pointer into the value; empty for the whole).
    pub pointer: String,
    /// In words: "`user_id` lacks …".
    pub reason: String,
    /// The whole value.
    pub value: Value,
}

/// Why no value could be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DataError {
    /// The schema does not compile.
    #[error("the schema cannot be compiled: {0}")]
    Schema(String),
    /// Nothing built satisfies the schema.
    #[error("no value satisfies the schema (its constraints may contradict each other)")]
    Unsatisfiable,
}

/// Values for one self-contained schema (see `Contract::standalone_schema`).
#[derive(Debug)]
pub struct SchemaData {
    schema: Value,
    checker: Checker,
}

/// How many built values are tried before the schema is called unsatisfiable.
const ATTEMPTS: u64 = 8;

impl SchemaData {
    /// Compiles `schema`.
    pub fn new(schema: &Value) -> Result<SchemaData, DataError> {
        Ok(SchemaData {
            checker: Checker::new(schema).map_err(DataError::Schema)?,
            schema: schema.clone(),
        })
    }

    /// A valid value: the first of the schema's own examples that the validator
    /// accepts, else one built from its constraints with `seed`.
    pub fn valid(&self, seed: u64) -> Result<Value, DataError> {
        let root = &self.schema;
        if let Some(v) = valid::examples(root, root)
            .into_iter()
            .find(|e| self.checker.is_valid(e))
        {
            return Ok(v);
        }
        let mut rng = Rng::new(seed);
        for attempt in 0..ATTEMPTS {
            if let Some(v) = valid::build(root, root, &mut rng, attempt == 0)
                && self.checker.is_valid(&v)
            {
                return Ok(v);
            }
        }
        Err(DataError::Unsatisfiable)
    }

    /// Invalid variants of `valid` (a value this schema accepts), each breaking exactly
    /// one constraint, in a stable order. Mutations that would break more than one
    /// keyword (or none) are left out.
    pub fn invalid(&self, valid: &Value) -> Vec<Invalid> {
        let mut seen: Vec<Value> = Vec::new();
        invalid::candidates(&self.schema, &self.schema, valid)
            .into_iter()
            .filter(|c| {
                let v = self.checker.violations(&c.value);
                !v.is_empty() && v.iter().all(|(k, _)| k == c.keyword)
            })
            .filter(|c| {
                let new = !seen.contains(&c.value);
                seen.push(c.value.clone());
                new
            })
            .map(|c| Invalid {
                keyword: c.keyword,
                pointer: c.pointer,
                reason: c.reason,
                value: c.value,
            })
            .collect()
    }

    /// The validator for this schema.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(s: Value) -> SchemaData {
        SchemaData::new(&s).unwrap()
    }

    #[test]
    fn examples_come_first() {
        let d = data(json!({"type": "string", "examples": ["42"], "minLength": 1}));
        assert_eq!(d.valid(1).unwrap(), json!("42"));
        // An example that breaks the schema is skipped.
        let d = data(json!({"type": "integer", "minimum": 5, "examples": [1]}));
        assert_eq!(d.valid(1).unwrap(), json!(5));
    }

    #[test]
    fn each_invalid_value_breaks_exactly_its_keyword() {
        let d = data(json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["id", "name", "age"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[a-z]+$"},
                "age": {"type": "integer", "minimum": 0, "maximum": 150},
                "kind": {"enum": ["a", "b"]}
            }
        }));
        let v = d.valid(3).unwrap();
        assert!(d.checker().is_valid(&v));
        let bad = d.invalid(&v);
        let mut kinds: Vec<&str> = bad.iter().map(|b| b.keyword).collect();
        kinds.sort();
        kinds.dedup();
        for k in [
            "additionalProperties",
            "enum",
            "format",
            "maxLength",
            "maximum",
            "minLength",
            "minimum",
            "pattern",
            "required",
            "type",
        ] {
            assert!(kinds.contains(&k), "no `{k}` mutation in {kinds:?}");
        }
        for b in &bad {
            let errs = d.checker().violations(&b.value);
            assert!(
                !errs.is_empty() && errs.iter().all(|(k, _)| k == b.keyword),
                "{b:?}: {errs:?}"
            );
        }
    }

    #[test]
    fn contradictions_are_reported() {
        let d = data(json!({"type": "integer", "minimum": 5, "maximum": 1}));
        assert_eq!(d.valid(0), Err(DataError::Unsatisfiable));
    }
}
