//! Interface contracts: import them into one normalized [`Contract`], and check
//! responses against them.
//!
//! crosscheck reads a service's contract to know which operations exist, which statuses
//! and bodies each may answer with, and which need credentials; the runner asks
//! [`Contract::check_response`] whether what came back conforms. Today this reads
//! OpenAPI 3.0 and 3.1, in JSON or YAML, with `$ref`s inside one file. Schemas are
//! handed out as JSON Schema 2020-12 (OpenAPI 3.0's dialect is rewritten) whose `$ref`s
//! name the contract's shared [`Contract::schema_definitions`];
//! [`Contract::standalone_schema`] makes any of them self-contained.
//!
//! ```
//! use crosscheck_contract::{parse, StatusKey};
//!
//! let contract = parse("resource-api.openapi.yaml", r#"
//! openapi: 3.1.0
//! info: { title: Resource API, version: "1" }
//! paths:
//!   /resources/{id}:
//!     get:
//!       responses:
//!         "200":
//!           description: access granted
//!           content:
//!             application/json:
//!               schema:
//!                 type: object
//!                 required: [access]
//!                 properties: { access: { const: granted } }
//!         "403": { description: access denied }
//! "#).unwrap();
//!
//! let op = contract.find_operation("GET", "/resources/42?verbose=1").unwrap();
//! assert_eq!(op.path, "/resources/{id}");
//! assert_eq!(op.responses[0].status, StatusKey::Code(200));
//!
//! let ok = contract.check_response(op, 200, Some("application/json"), br#"{"access":"granted"}"#);
//! assert!(ok.is_empty());
//!
//! let bad = contract.check_response(op, 200, Some("application/json"), br#"{"access":"maybe"}"#);
//! assert_eq!(bad[0].pointer, "/access");
//!
//! let undocumented = contract.check_response(op, 500, None, b"");
//! assert_eq!(
//!     undocumented[0].message,
//!     "status 500 is not documented for GET /resources/{id} (documented: 200, 403)"
//! );
//! ```
//!
//! The modules follow the pipeline: `load` (text → `serde_json::Value`), `resolve`
//! (`$ref`s, cycles), `schema` (OpenAPI schema → JSON Schema 2020-12), `openapi`
//! (document → [`Contract`]), `check` (response conformance). Other formats (Swagger
//! 2.0, Pact, Postman, …) will be further importers producing the same [`Contract`].

mod check;
mod error;
mod lines;
mod load;
mod model;
mod openapi;
mod resolve;
mod schema;

use std::path::Path;

pub use check::Violation;
pub use error::ContractError;
pub use model::{
    Contract, Operation, Parameter, ParameterLocation, RequestBody, ResponseSpec, SecurityKind,
    SecurityRequirement, SecurityScheme, StatusKey,
};

/// Reads and parses the contract at `path`. The file is named in errors as given.
pub fn load(path: &Path) -> Result<Contract, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&path.display().to_string(), &text)
}

/// Parses a contract from its text. `file_label` names it in errors, and its extension
/// (`.json`, `.yaml`, `.yml`) picks the syntax; without one, text starting with `{` is
/// read as JSON, anything else as YAML.
pub fn parse(file_label: &str, text: &str) -> Result<Contract, ContractError> {
    let doc = load::to_value(file_label, text)?;
    openapi::read(file_label, text, &doc)
}
