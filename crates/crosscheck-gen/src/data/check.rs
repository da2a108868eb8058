//! The validator every generated value goes through (JSON Schema 2020-12, formats on).

use serde_json::Value;

/// A compiled schema that also reports which keywords a value breaks.
#[derive(Debug)]
pub struct Checker {
    validator: jsonschema::Validator,
}

impl Checker {
    /// Compiles a self-contained schema (see `Contract::standalone_schema`).
    pub fn new(schema: &Value) -> Result<Checker, String> {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema)
            .map(|validator| Checker { validator })
            .map_err(|e| e.to_string())
    }

    /// Whether `value` is valid.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }

    /// The keywords `value` breaks, with the JSON pointer of the failing instance:
    /// `[("minLength", "/name")]`. Empty when valid.
    pub fn violations(&self, value: &Value) -> Vec<(String, String)> {
        self.validator
            .iter_errors(value)
            .map(|e| (e.kind().keyword().to_owned(), e.instance_path().to_string()))
            .collect()
    }
}
