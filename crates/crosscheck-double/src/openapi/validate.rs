//! Checking an incoming request against its operation: parameters and JSON body.

use serde_json::Value;

/// One way a request differs from its operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// `path`, `query`, `header`, `cookie` or `body`.
    pub(crate) location: &'static str,
    /// The parameter's name, or a JSON pointer into the body (empty for the whole body).
    pub(crate) name: String,
    /// What is wrong.
    pub(crate) message: String,
    /// Whether it is a schema violation of a well-formed JSON body.
    pub(crate) schema: bool,
}

impl Problem {
    pub(crate) fn new(
        location: &'static str,
        name: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            location,
            name: name.into(),
            message: message.into(),
            schema: false,
        }
    }

    /// `query parameter `limit`: …`, `body at /name: …`, for the journal.
    pub(crate) fn describe(&self) -> String {
        match (self.location, self.name.as_str()) {
            ("body", "") => format!("body: {}", self.message),
            ("body", at) => format!("body at {at}: {}", self.message),
            (loc, name) => format!("{loc} parameter `{name}`: {}", self.message),
        }
    }
}

/// The JSON values a parameter's text may stand for, most literal first: the text
/// itself, then the JSON it spells (`7`, `true`), then a comma-separated list.
pub(crate) fn candidates(text: &str) -> Vec<Value> {
    let mut out = vec![Value::String(text.to_owned())];
    if let Ok(v) = serde_json::from_str::<Value>(text)
        && !v.is_string()
    {
        out.push(v);
    }
    let items: Vec<Value> = text
        .split(',')
        .map(|part| match serde_json::from_str::<Value>(part) {
            Ok(v) if v.is_number() || v.is_boolean() => v,
            _ => Value::String(part.to_owned()),
        })
        .collect();
    out.push(Value::Array(items));
    out
}

/// Checks a parameter's text with its compiled schema: valid when any reading of the
/// text fits; otherwise the error for the text as a string.
pub(crate) fn check_param(validator: &jsonschema::Validator, text: &str) -> Result<(), String> {
    let all = candidates(text);
    if all.iter().any(|v| validator.is_valid(v)) {
        return Ok(());
    }
    // Report against the most telling reading: the parsed value when there is one.
    let shown = if all.len() > 2 { &all[1] } else { &all[0] };
    let message = validator
        .iter_errors(shown)
        .next()
        .map_or_else(|| "does not fit its schema".to_owned(), |e| e.to_string());
    Err(message)
}

/// Every schema violation of a JSON body, as problems with pointers (at most 20).
pub(crate) fn check_body(validator: &jsonschema::Validator, body: &Value) -> Vec<Problem> {
    validator
        .iter_errors(body)
        .take(20)
        .map(|e| {
            let message = e.masked_with("the value").to_string();
            let message = if message.len() < e.to_string().len() && e.to_string().len() <= 200 {
                e.to_string()
            } else {
                message
            };
            Problem {
                schema: true,
                ..Problem::new("body", e.instance_path().as_str().to_owned(), message)
            }
        })
        .collect()
}

/// The cookies of a `Cookie` header: `a=1; b=2`.
pub(crate) fn cookies(header: Option<&str>) -> Vec<(String, String)> {
    header
        .unwrap_or("")
        .split(';')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compiled(schema: Value) -> jsonschema::Validator {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .unwrap()
    }

    #[test]
    fn parameters_are_read_as_their_schema_needs() {
        let int = compiled(json!({"type": "integer", "minimum": 1}));
        assert_eq!(check_param(&int, "7"), Ok(()));
        assert_eq!(
            check_param(&int, "abc").unwrap_err(),
            "\"abc\" is not of type \"integer\""
        );
        assert_eq!(
            check_param(&int, "0").unwrap_err(),
            "0 is less than the minimum of 1"
        );
        let s = compiled(json!({"type": "string"}));
        assert_eq!(check_param(&s, "7"), Ok(()));
        let list = compiled(json!({"type": "array", "items": {"type": "integer"}}));
        assert_eq!(check_param(&list, "1,2"), Ok(()));
        let flag = compiled(json!({"type": "boolean"}));
        assert_eq!(check_param(&flag, "true"), Ok(()));
    }

    #[test]
    fn body_problems_carry_pointers() {
        let v = compiled(json!({"type": "object", "required": ["name"],
            "properties": {"age": {"type": "integer"}}}));
        let problems = check_body(&v, &json!({"age": "x"}));
        let described: Vec<String> = problems.iter().map(Problem::describe).collect();
        assert_eq!(described.len(), 2, "{described:?}");
        assert!(
            described.iter().any(|d| d.starts_with("body at /age: ")),
            "{described:?}"
        );
        assert!(
            described
                .iter()
                .any(|d| d.contains("\"name\" is a required property")),
            "{described:?}"
        );
    }

    #[test]
    fn cookie_header() {
        assert_eq!(
            cookies(Some("a=1; session=xyz;bad; =no")),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("session".to_owned(), "xyz".to_owned())
            ]
        );
        assert!(cookies(None).is_empty());
    }
}
