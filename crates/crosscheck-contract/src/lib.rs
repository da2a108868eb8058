//! Interface contracts: import them into one normalized [`Contract`], and check
//! responses against them.
//!
//! crosscheck reads a service's contract to know which operations exist, which statuses
//! and bodies each may answer with, and which need credentials; the runner asks
//! [`Contract::check_response`] whether what came back conforms. It reads Swagger 2.0
//! and OpenAPI 3.0, 3.1 and 3.2, in JSON or YAML, with `$ref`s inside one file and (through
//! [`load`]) to other files by relative path. Schemas are
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
//! The modules follow the pipeline: `load` (text → `serde_json::Value`), `self_uri`
//! (3.2 `$ref`s resolved against `$self`), `external`
//! (other files gathered into the document), `swagger` (2.0 rewritten as 3.0), `resolve`
//! (`$ref`s, cycles), `schema` (OpenAPI schema → JSON Schema 2020-12), `openapi`
//! (document → [`Contract`]), `check` (response conformance). Other formats (Pact,
//! Postman, …) will be further importers producing the same [`Contract`].

mod callback;
mod check;
mod error;
mod external;
mod lines;
mod load;
mod model;
mod openapi;
mod operation_ref;
pub mod querystring;
mod resolve;
mod schema;
mod self_uri;
mod sequence;
mod swagger;

use std::path::Path;

use serde_json::Value;

pub use callback::{Callback, UrlPiece, url_pieces as callback_url_pieces};
pub use check::Violation;
pub use error::ContractError;
pub use model::{
    Contract, Link, Operation, Parameter, ParameterLocation, ParameterStyle, RequestBody,
    ResponseSpec, SecurityKind, SecurityRequirement, SecurityScheme, Server, ServerVariable,
    StatusKey,
};
pub use operation_ref::operation_ref_target;

/// The items of a body in a sequential media type (OpenAPI 3.2: `application/jsonl`,
/// `application/x-ndjson`, `application/json-seq` and `+json-seq`, `text/event-stream`),
/// as 3.2's `itemSchema` sees them: `None` when `media_type` is not sequential, else the
/// items in order or why the body cannot be read (naming the line or record).
///
/// ```
/// let items = crosscheck_contract::sequential_items("application/x-ndjson", b"{\"a\":1}\n2\n");
/// assert_eq!(items, Some(Ok(vec![serde_json::json!({"a": 1}), serde_json::json!(2)])));
/// assert_eq!(crosscheck_contract::sequential_items("application/json", b"{}"), None);
/// ```
pub fn sequential_items(media_type: &str, body: &[u8]) -> Option<Result<Vec<Value>, String>> {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    sequence::Sequence::of(&essence).map(|s| s.items(body))
}

/// Reads and parses the contract at `path`. The file is named in errors as given.
/// `$ref`s to other files are followed, relative to the file they are written in; each
/// file is read once.
pub fn load(path: &Path) -> Result<Contract, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Io {
        path: path.to_owned(),
        source,
    })?;
    let label = path.display().to_string();
    let mut doc = load::to_value(&label, &text)?;
    self_uri::localize(&mut doc);
    let (doc, files) = external::gather(path, &label, doc, &mut |p| std::fs::read_to_string(p))?;
    read_document(&label, &text, doc, &files)
}

/// Parses a contract from its text. `file_label` names it in errors, and its extension
/// (`.json`, `.yaml`, `.yml`) picks the syntax; without one, text starting with `{` is
/// read as JSON, anything else as YAML. With no file to be relative to, `$ref`s to
/// other files are refused; [`load`] follows them.
pub fn parse(file_label: &str, text: &str) -> Result<Contract, ContractError> {
    let mut doc = load::to_value(file_label, text)?;
    self_uri::localize(&mut doc);
    read_document(file_label, text, doc, &external::Files::default())
}

/// The JSON value of a document's text, parsed as [`parse`] would (by `file_label`'s
/// extension, else by its first character), without reading it as a contract.
pub fn document(file_label: &str, text: &str) -> Result<Value, ContractError> {
    load::to_value(file_label, text)
}

/// A parsed document (Swagger 2.0 or OpenAPI 3.x, other files gathered) → [`Contract`],
/// with errors and warnings pointed at the file and place they are about.
fn read_document(
    label: &str,
    text: &str,
    doc: Value,
    files: &external::Files,
) -> Result<Contract, ContractError> {
    let swagger = swagger::is_swagger(&doc);
    let doc = if swagger {
        swagger::upgrade(label, &doc).map_err(|e| files.relocate(e))?
    } else {
        doc
    };
    let mut contract = openapi::read(label, text, &doc).map_err(|e| {
        let e = files.relocate(e);
        if swagger {
            e.map_pointers(swagger::original_pointer)
                .map_text(swagger::original_text)
        } else {
            e
        }
    })?;
    if swagger {
        contract.source_format = "swagger 2.0".to_owned();
    }
    contract.warnings = std::mem::take(&mut contract.warnings)
        .into_iter()
        .map(|w| {
            let w = files.relocate_warning(w);
            match (swagger, w.strip_prefix('#')) {
                (true, Some(rest)) => {
                    let (p, m) = rest.split_once(": ").unwrap_or((rest, ""));
                    format!("#{}: {m}", swagger::original_pointer(p))
                }
                _ => w,
            }
        })
        .collect();
    Ok(contract)
}
