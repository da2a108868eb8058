//! OpenAPI 3.0 / 3.1 document (as a `serde_json::Value`) → [`Contract`](crate::Contract).
//!
//! Swagger 2.0 will be a sibling importer producing the same model; multi-file documents
//! will extend `resolve` rather than this walk.

mod callbacks;
mod extras;
mod links;
mod reader;
mod security;
mod v32;
mod version;

pub(crate) use reader::read;
