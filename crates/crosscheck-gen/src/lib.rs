//! Rule-based generation: requirements, contracts and a system map in, reviewable
//! scenarios out.
//!
//! Each scenario's expectations come from its oracles, strongest first: the words of
//! the requirements it covers (statuses, error codes, fields, bounds, effects and their
//! negations), the contracts (documented statuses and bodies, security schemes, the
//! named examples of a dependency's answers), and properties that hold at every boundary
//! (fail closed, no undocumented answer, secrets stay out of logs and answers, a
//! rejected request causes no dependency work). Where none decides, the scenario asserts
//! the properties alone and the gap is reported.
//!
//! Plain functions on data: no I/O, no async, seeded and deterministic. The binary reads
//! the files and writes the result.
//!
//! ```
//! use crosscheck_gen::data::SchemaData;
//! use serde_json::json;
//!
//! let schema = json!({"type": "object", "required": ["age"],
//!                     "properties": {"age": {"type": "integer", "minimum": 0}}});
//! let data = SchemaData::new(&schema).unwrap();
//! let valid = data.valid(7).unwrap();
//! assert!(data.checker().is_valid(&valid));
//! for bad in data.invalid(&valid) {
//!     // Each breaks exactly the keyword it names, as the validator confirms.
//!     let errors = data.checker().violations(&bad.value);
//!     assert!(errors.iter().all(|(keyword, _)| keyword == bad.keyword));
//! }
//! ```

mod build;
mod context;
pub mod data;
mod files;
mod init;
mod link;
mod rng;
mod situation;
mod text;
mod yaml;

pub use context::{Gap, Input};
pub use files::{Action, GeneratedFile, plan, render_file, unedited};
pub use init::{InitContract, scaffold};
pub use link::{Link, LinkProblem};
pub use text::{Facts, facts};

use crosscheck_contract::Contract;
use serde_json::Value;

/// What one generation produced.
#[derive(Debug)]
pub struct Generated {
    /// The files, relative to the generated folder.
    pub files: Vec<GeneratedFile>,
    /// Every requirement's links, in file order.
    pub links: Vec<Link>,
    /// Requirements that link to nothing (listed, not dropped).
    pub unlinked: Vec<String>,
    /// Explicit links that name something that does not exist.
    pub problems: Vec<LinkProblem>,
    /// Contract gaps and limits met on the way.
    pub gaps: Vec<Gap>,
}

impl Generated {
    /// How many scenarios the files hold.
    pub fn scenario_count(&self) -> usize {
        self.files.iter().map(|f| f.scenario_ids.len()).sum()
    }
}

/// Generates the scenarios for a suite.
pub fn generate(input: &Input<'_>) -> Generated {
    let mut ctx = context::Ctx::new(input);
    let drafts = build::all(&mut ctx);
    let mut sources = vec![input.sut.file.clone()];
    sources.extend(input.deps.values().map(|c| c.file.clone()));
    sources.push(input.map.requirements.clone());
    sources.push("crosscheck.yaml".to_owned());
    let files = files::render(&drafts, &sources.join(", "));
    let unlinked = ctx
        .links
        .iter()
        .filter(|l| l.is_empty())
        .map(|l| l.id.clone())
        .collect();
    Generated {
        files,
        unlinked,
        links: ctx.links,
        problems: ctx.problems,
        gaps: ctx.gaps,
    }
}

/// The requirement IDs each operation's `x-requirements` names, per operation of
/// `contract`, read from the contract's text (JSON or YAML, as `file` says). Empty lists
/// when the text never names the key, or cannot be read (the contract loaded from it
/// already, so that does not happen).
pub fn x_requirements(contract: &Contract, file: &str, text: &str) -> Vec<Vec<String>> {
    if !text.contains("x-requirements") {
        return vec![Vec::new(); contract.operations.len()];
    }
    let doc: Value = crosscheck_contract::document(file, text).unwrap_or(Value::Null);
    contract
        .operations
        .iter()
        .map(|op| {
            doc.get("paths")
                .and_then(|p| p.get(&op.path))
                .and_then(|p| p.get(op.method.to_lowercase()))
                .and_then(|o| o.get("x-requirements"))
                .map(|x| match x {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    Value::String(s) => vec![s.clone()],
                    _ => Vec::new(),
                })
                .unwrap_or_default()
        })
        .collect()
}
