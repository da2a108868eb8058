//! crosscheck's nouns as plain data, and the file formats that carry them.
//!
//! Text in, typed document or [`Diagnostic`] out: no I/O, no async. The runner, the
//! generator and the reporters all speak these types.
//!
//! ```
//! let text = "id: ok\nkind: positive\nwhen: { path: /healthz }\nthen: { status: 200 }\n";
//! let scenarios = crosscheck_model::parse::scenarios("ok.yaml", text).unwrap();
//! assert_eq!(scenarios[0].id.value, "ok");
//! ```

pub mod capture;
pub mod captured;
pub mod diagnostic;
pub mod duration;
pub mod effects;
pub mod jsonpath;
pub mod llm;
pub mod located;
pub mod matcher;
pub mod parse;
pub mod path_template;
pub mod requirement;
pub mod scenario;
pub mod suggest;
pub mod system_map;
pub mod wait;

pub use diagnostic::Diagnostic;
pub use located::Located;
pub use requirement::Requirement;
pub use scenario::Scenario;
pub use system_map::SystemMap;
