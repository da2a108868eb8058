//! Text → `serde_json::Value`, for JSON and YAML documents. No I/O: callers read files.

use serde_json::Value;

use crate::error::ContractError;

/// How a document is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
}

/// The format of `text`, by the file's extension, else by its first character (JSON is
/// also YAML, but the JSON parser is much faster and its errors are sharper).
pub(crate) fn detect(file: &str, text: &str) -> Format {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Format::Json
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Format::Yaml
    } else if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        Format::Json
    } else {
        Format::Yaml
    }
}

/// Parses `text` into a JSON value.
pub(crate) fn to_value(file: &str, text: &str) -> Result<Value, ContractError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ContractError::NotOpenApi {
            file: file.to_owned(),
            reason: "the file is empty; write an OpenAPI 3.0, 3.1 or 3.2 description into it"
                .to_owned(),
        });
    }
    match detect(file, text) {
        Format::Json => json(file, text),
        Format::Yaml => yaml(file, text),
    }
}

fn json(file: &str, text: &str) -> Result<Value, ContractError> {
    serde_json::from_str(text).map_err(|e| {
        let raw = e.to_string();
        let message = match raw.rfind(" at line ") {
            Some(i) => raw[..i].to_owned(),
            None => raw,
        };
        ContractError::Syntax {
            file: file.to_owned(),
            format: "JSON",
            line: u32::try_from(e.line()).unwrap_or(0),
            column: u32::try_from(e.column()).unwrap_or(0),
            message,
        }
    })
}

/// serde-saphyr's default budget protects configuration files; an API description of a
/// few megabytes has millions of events. The budget grows with the input, so a small
/// file still cannot expand into a huge document through aliases.
fn yaml_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_depth = 128;
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len.saturating_mul(2));
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn yaml(file: &str, text: &str) -> Result<Value, ContractError> {
    serde_saphyr::from_str_with_options::<Value>(text, yaml_options(text.len())).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| {
                (
                    u32::try_from(l.line()).unwrap_or(0),
                    u32::try_from(l.column()).unwrap_or(0),
                )
            })
            .unwrap_or((0, 0));
        let raw = e.without_snippet().to_string();
        let first = raw.lines().next().unwrap_or(&raw).trim();
        let mut message = match first.rfind(" at line ") {
            Some(i) => first[..i].trim_end_matches([',', ' ']).to_owned(),
            None => first.to_owned(),
        };
        if message.contains("recursive reference") {
            message = "an alias refers to the anchor it is inside (`&a` … `*a`), which would expand forever; remove the alias".to_owned();
        }
        ContractError::Syntax {
            file: file.to_owned(),
            format: "YAML",
            line,
            column,
            message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_format() {
        assert_eq!(detect("a.JSON", "x: 1"), Format::Json);
        assert_eq!(detect("a.yml", "{}"), Format::Yaml);
        assert_eq!(detect("stdin", "\u{feff} {\"a\":1}"), Format::Json);
        assert_eq!(detect("stdin", "a: 1"), Format::Yaml);
    }

    #[test]
    fn yaml_numeric_keys_become_strings() {
        let v = to_value(
            "a.yaml",
            "responses:\n  200:\n    description: ok\n  2XX: {}\n",
        )
        .unwrap();
        assert_eq!(v["responses"]["200"]["description"], "ok");
        assert!(v["responses"].get("2XX").is_some());
    }

    #[test]
    fn json_error_has_location() {
        let err = to_value("a.json", "{\n  \"a\": 1,\n}\n").unwrap_err();
        match err {
            ContractError::Syntax {
                line,
                column,
                ref message,
                ..
            } => {
                assert_eq!((line, column), (3, 1));
                assert_eq!(message, "trailing comma");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn yaml_error_has_location() {
        let err = to_value("a.yaml", "a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        match err {
            ContractError::Syntax { line, format, .. } => {
                assert_eq!(format, "YAML");
                assert!(line >= 2, "{err}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_is_not_openapi() {
        assert!(matches!(
            to_value("a.yaml", " \n"),
            Err(ContractError::NotOpenApi { .. })
        ));
    }

    #[test]
    fn self_referencing_alias_is_refused() {
        let err = to_value("a.yaml", "info: &a\n  title: t\n  x: *a\n").unwrap_err();
        assert!(err.to_string().contains("expand forever"), "{err}");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(to_value("bomb.yaml", &bomb).is_err());
    }
}
