//! The set-up the generation tests share: a parsed contract, a system map and Markdown
//! requirements in, what `generate` writes out.

#![allow(dead_code)] // each test file uses a part

use crosscheck_contract::Contract;
use crosscheck_gen::{Generated, Input, generate};
use indexmap::IndexMap;

/// Generates for `sut` (parsed by the test, so it can look at the contract's warnings
/// first) with the system map and requirements given, and the dependencies' contracts
/// by system-map name. Seed 0, no `x-requirements`.
pub fn generate_for(
    sut: &Contract,
    map: &str,
    requirements: &str,
    deps: &IndexMap<String, Contract>,
) -> Generated {
    let map = crosscheck_model::parse::system_map("crosscheck.yaml", map).unwrap();
    let requirements = crosscheck_model::requirement::parse_markdown(requirements);
    let input = Input {
        map: &map,
        requirements: &requirements,
        sut,
        deps,
        x_requirements: vec![Vec::new(); sut.operations.len()],
        seed: 0,
    };
    generate(&input)
}

/// Every generated file's text, one after another, separated by `---` lines.
pub fn all_text(out: &Generated) -> String {
    out.files
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join("\n---\n")
}
