//! OpenAPI schema objects → JSON Schema 2020-12, self-contained on demand.
//!
//! Each `$ref` into the document (`#/components/schemas/Pet`) is rewritten to
//! `#/$defs/Pet`, and the schema it names is translated once into the contract's table
//! of definitions. [`standalone`] copies the definitions a schema needs, transitively,
//! under its own `$defs`: the result can be compiled, printed or walked by a data
//! generator on its own, with no registry or retriever. Recursive schemas stay
//! recursive (`$defs/Node` refers to `#/$defs/Node`), so nothing is inlined forever.
//!
//! The table is shared rather than copied into every schema because in large APIs nearly
//! every schema reaches nearly every other (Stripe: 936 response schemas × ~570 KB of
//! definitions each would be half a gigabyte).
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4; they are rewritten:
//! `nullable: true` adds `"null"` to `type` (or wraps the schema in `anyOf`), boolean
//! `exclusiveMinimum`/`exclusiveMaximum` become numbers, siblings of `$ref` other than
//! annotations are dropped (3.0 ignores them; `nullable` beside `$ref` is honoured, as
//! writers mean it), and tuple `items` become `prefixItems`.
//! OpenAPI-only keywords (`discriminator`, `xml`, `externalDocs`, `example`, `readOnly`,
//! `writeOnly`) are annotations in 2020-12 and stay. 3.1 schemas are 2020-12 already;
//! only their `$ref`s are rewritten (and `$id`/`$schema` dropped, since they would
//! change how the rewritten references resolve).
//!
//! A cycle of references that never descends into the instance (`A: {allOf: [$ref B]}`,
//! `B: {anyOf: [$ref A]}`) would make validation recurse forever; it is reported as
//! [`ContractError::Cycle`](crate::ContractError::Cycle) when the schema is translated.

mod bundle;
mod keywords;
mod satisfiable;
mod translate;

pub(crate) use bundle::standalone;
pub(crate) use translate::{Dialect, Translator};
