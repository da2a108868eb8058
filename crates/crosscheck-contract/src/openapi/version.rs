//! Which OpenAPI version a document is, or why it cannot be read.

use serde_json::Value;

use super::reader::{kind, scalar};
use crate::error::ContractError;
use crate::schema::Dialect;

/// Which OpenAPI version `doc` is, or why it cannot be read.
pub(super) fn dialect(file: &str, doc: &Value) -> Result<(Dialect, String), ContractError> {
    let not = |reason: String| ContractError::NotOpenApi {
        file: file.to_owned(),
        reason,
    };
    let Value::Object(top) = doc else {
        return Err(not(format!(
            "the top level is {}, not a mapping with an `openapi` key",
            kind(doc)
        )));
    };
    if let Some(v) = top.get("swagger") {
        return Err(ContractError::Unsupported {
            file: file.to_owned(),
            pointer: String::new(),
            what: format!("swagger {}", scalar(v).unwrap_or_default()),
            help: "convert it to OpenAPI 3 first, for example with `swagger2openapi` or https://converter.swagger.io".to_owned(),
        });
    }
    let Some(v) = top.get("openapi") else {
        return Err(not(
            "there is no top-level `openapi` key; crosscheck reads OpenAPI 3.0, 3.1 and 3.2 descriptions, which start with `openapi: 3.1.0` or similar".to_owned(),
        ));
    };
    let Some(version) = scalar(v) else {
        return Err(not("`openapi` must be a version such as `3.1.0`".to_owned()));
    };
    let (core, pre) = version.split_once('-').unwrap_or((&version, "a"));
    let parts: Vec<&str> = core.split('.').collect();
    // The 3.0 and 3.1 meta-schemas allow any pre-release suffix: `^3\.0\.\d(-.+)?$`.
    let numeric = !pre.is_empty()
        && parts.len() >= 2
        && parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let unsupported = || ContractError::Unsupported {
        file: file.to_owned(),
        pointer: "/openapi".to_owned(),
        what: format!("openapi {version}"),
        help: "this version of crosscheck reads OpenAPI 3.0.x, 3.1.x and 3.2.x".to_owned(),
    };
    if !numeric {
        return Err(
            if ["3.0", "3.1", "3.2"].iter().any(|v| version.starts_with(v)) {
                not(format!(
                    "`openapi: {version}` is not a version such as `3.1.0`"
                ))
            } else {
                unsupported()
            },
        );
    }
    match (parts[0], parts[1]) {
        ("3", "0") => Ok((Dialect::Oas30, version)),
        // 3.2 keeps 3.1's schema dialect (JSON Schema 2020-12); the reader adds what
        // 3.2 adds to the rest of the document.
        ("3", "1" | "2") => Ok((Dialect::Oas31, version)),
        _ => Err(unsupported()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn err(doc: Value) -> String {
        dialect("api.yaml", &doc).unwrap_err().to_string()
    }

    #[test]
    fn versions() {
        assert_eq!(
            dialect("a", &json!({"openapi": "3.0.3"})).unwrap().0,
            Dialect::Oas30
        );
        assert_eq!(
            dialect("a", &json!({"openapi": 3.1})).unwrap().0,
            Dialect::Oas31
        );
        assert_eq!(
            dialect("a", &json!({"openapi": "3.1.0-rc1"})).unwrap().0,
            Dialect::Oas31
        );
        assert_eq!(
            err(json!({"swagger": "2.0"})),
            "`api.yaml`: swagger 2.0 is not supported yet; convert it to OpenAPI 3 first, for example with `swagger2openapi` or https://converter.swagger.io"
        );
        assert_eq!(
            dialect("a", &json!({"openapi": "3.2.0"})).unwrap(),
            (Dialect::Oas31, "3.2.0".to_owned())
        );
        assert!(err(json!({"openapi": "3.3.0"})).contains("openapi 3.3.0 is not supported yet"));
        assert!(dialect("a", &json!({"openapi": "3.2"})).is_ok());
        assert!(err(json!({"info": {}})).contains("no top-level `openapi` key"));
        assert!(err(json!([1])).contains("the top level is a list"));
        assert_eq!(
            dialect("a", &json!({"openapi": "3.0.6-`C4:!n"})).unwrap().0,
            Dialect::Oas30
        );
        assert!(err(json!({"openapi": "3.0.x"})).contains("not a version such as"));
        assert!(err(json!({"openapi": "3.1.0-"})).contains("not a version such as"));
    }
}
