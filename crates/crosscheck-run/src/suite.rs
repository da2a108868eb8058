//! A suite on disk: the system map, requirements, scenarios and contracts, read and
//! checked against each other before anything runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crosscheck_contract::Contract;
use crosscheck_model::{Diagnostic, Requirement, Scenario, SystemMap, parse};
use indexmap::IndexMap;

use crate::error::RunError;

/// The name of the system map at a suite's root.
pub const SYSTEM_MAP: &str = "crosscheck.yaml";

/// A scenario and the file it came from.
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    /// The file, relative to the suite root.
    pub file: String,
    /// The scenario.
    pub scenario: Scenario,
}

/// Everything a run needs, read from disk.
#[derive(Debug)]
pub struct Suite {
    /// The suite's root folder.
    pub root: PathBuf,
    /// The system map.
    pub map: SystemMap,
    /// Requirements, in file order.
    pub requirements: Vec<Requirement>,
    /// The requirements file, relative to the root.
    pub requirements_file: String,
    /// Scenarios, by file name then position.
    pub scenarios: Vec<LoadedScenario>,
    /// The service's contract, when the map names one.
    pub sut_contract: Option<Contract>,
    /// Each dependency's contract, when the map names one.
    pub dep_contracts: IndexMap<String, Contract>,
    /// The text of every file read, for diagnostics.
    pub sources: HashMap<String, String>,
}

impl Suite {
    /// Reads the suite at `dir` (a folder holding `crosscheck.yaml`, or the map file
    /// itself). Every problem found is reported, not only the first.
    pub fn load(dir: &Path) -> Result<Suite, RunError> {
        Suite::load_skipping(dir, &[])
    }

    /// [`Suite::load`] without reading the scenario files below the folders in `skip`
    /// (relative ones are below the scenarios folder): `generate` replaces the generated
    /// folder's files, so parsing thousands of them first is wasted work.
    pub fn load_skipping(dir: &Path, skip: &[PathBuf]) -> Result<Suite, RunError> {
        let (root, map_path) = if dir.is_file() {
            (
                dir.parent().unwrap_or(Path::new(".")).to_path_buf(),
                dir.to_path_buf(),
            )
        } else {
            (dir.to_path_buf(), dir.join(SYSTEM_MAP))
        };
        let map_label = display(&map_path);
        let map_text = std::fs::read_to_string(&map_path).map_err(|e| {
            RunError::Suite(vec![Diagnostic::file(&map_label, format!("cannot read the system map: {e}")).with_help(
                format!("run crosscheck in a folder that holds {SYSTEM_MAP}, or pass that folder: `crosscheck run path/to/suite`"),
            )])
        })?;
        let map = parse::system_map(&map_label, &map_text).map_err(|d| RunError::Suite(vec![d]))?;

        let mut problems = Vec::new();
        let mut sources = HashMap::new();
        sources.insert(map_label.clone(), map_text.clone());

        let requirements_path = root.join(&map.requirements);
        let requirements_file = display(&requirements_path);
        let requirements = match std::fs::read_to_string(&requirements_path) {
            Ok(text) => {
                let reqs = parse::requirements(&requirements_file, &text).unwrap_or_else(|d| {
                    problems.push(d);
                    Vec::new()
                });
                sources.insert(requirements_file.clone(), text);
                reqs
            }
            Err(e) => {
                problems.push(
                    at_key(&map_label, &map_text, "requirements")
                        .message(format!("cannot read the requirements file {requirements_file}: {e}"))
                        .with_help("point `requirements:` at a Markdown file with `REQ-…:` lines, or a YAML file"),
                );
                Vec::new()
            }
        };

        let scenarios = read_scenarios(
            &root,
            &map,
            &map_label,
            &map_text,
            skip,
            &mut sources,
            &mut problems,
        );

        let sut_contract = map.sut.contract.as_ref().and_then(|c| {
            load_contract(
                &root,
                c,
                &map_label,
                &map_text,
                &format!("the contract of {}", map.sut.name),
                &mut problems,
            )
        });
        let mut dep_contracts = IndexMap::new();
        for (name, dep) in &map.dependencies {
            if let Some(c) = &dep.contract
                && let Some(contract) = load_contract(
                    &root,
                    c,
                    &map_label,
                    &map_text,
                    &format!("the contract of `{}`", name.value),
                    &mut problems,
                )
            {
                dep_contracts.insert(name.value.clone(), contract);
            }
        }

        if !problems.is_empty() {
            return Err(RunError::Suite(problems));
        }
        Ok(Suite {
            root,
            map,
            requirements,
            requirements_file,
            scenarios,
            sut_contract,
            dep_contracts,
            sources,
        })
    }

    /// The requirement with this ID.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// The names of the system map's dependencies, in map order.
    pub fn dependency_names(&self) -> Vec<&str> {
        self.map
            .dependencies
            .keys()
            .map(|k| k.value.as_str())
            .collect()
    }
}

fn read_scenarios(
    root: &Path,
    map: &SystemMap,
    map_label: &str,
    map_text: &str,
    skip: &[PathBuf],
    sources: &mut HashMap<String, String>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<LoadedScenario> {
    let target = root.join(&map.scenarios);
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let skip: Vec<PathBuf> = skip
        .iter()
        .map(|s| {
            absolute(&if s.is_absolute() {
                s.clone()
            } else {
                target.join(s)
            })
        })
        .collect();
    let files: Vec<PathBuf> = if target.is_file() {
        vec![target]
    } else {
        match collect_yaml(&target) {
            Ok(files) => files,
            Err(e) => {
                problems.push(
                    at_key(map_label, map_text, "scenarios")
                        .message(format!(
                            "cannot read the scenarios folder {}: {e}",
                            display(&target)
                        ))
                        .with_help("point `scenarios:` at a folder of .yaml files (or create it)"),
                );
                return Vec::new();
            }
        }
    };
    let mut out = Vec::new();
    for path in files {
        if !skip.is_empty() && skip.iter().any(|s| absolute(&path).starts_with(s)) {
            continue;
        }
        let label = display(&path);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                match parse::scenarios(&label, &text) {
                    Ok(list) => out.extend(list.into_iter().map(|scenario| LoadedScenario {
                        file: label.clone(),
                        scenario,
                    })),
                    Err(d) => problems.push(d),
                }
                sources.insert(label, text);
            }
            Err(e) => problems.push(Diagnostic::file(
                &label,
                format!("cannot read the scenario file: {e}"),
            )),
        }
    }
    out
}

/// Every `.yaml`/`.yml` file below `dir`, sorted by path so runs are deterministic.
fn collect_yaml(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn load_contract(
    root: &Path,
    file: &crosscheck_model::Located<String>,
    map_label: &str,
    map_text: &str,
    what: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<Contract> {
    let path = root.join(&file.value);
    match crosscheck_contract::load(&path) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(
                Diagnostic::at(
                    map_label,
                    map_text,
                    file.line,
                    file.column,
                    format!("cannot load {what}: {e}"),
                )
                .with_help("fix the contract, or the path to it (relative to the suite root)"),
            );
            None
        }
    }
}

/// A path as the user would write it: relative to the working directory when below it.
pub fn display(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    let s = shown.display().to_string();
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Builds a diagnostic at the first line of `text` that starts with `key:`.
struct KeyAt<'a> {
    file: &'a str,
    text: &'a str,
    line: u32,
}

fn at_key<'a>(file: &'a str, text: &'a str, key: &str) -> KeyAt<'a> {
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map(|i| u32::try_from(i + 1).unwrap_or(0))
        .unwrap_or(0);
    KeyAt { file, text, line }
}

impl KeyAt<'_> {
    fn message(self, message: String) -> Diagnostic {
        if self.line == 0 {
            Diagnostic::file(self.file, message)
        } else {
            Diagnostic::at(self.file, self.text, self.line, 1, message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_folders_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join(SYSTEM_MAP),
            "version: 1\nsut:\n  name: api\n  start: [\"true\"]\n  url: http://127.0.0.1:1\nrequirements: requirements.md\nscenarios: scenarios\n",
        )
        .unwrap();
        std::fs::write(
            root.join("requirements.md"),
            "- **REQ-1**: The API shall answer.\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("scenarios/generated")).unwrap();
        std::fs::write(
            root.join("scenarios/mine.yaml"),
            "id: mine\nkind: positive\ncovers: [REQ-1]\nwhen: { method: GET, path: /x }\nthen: { status: 200 }\n",
        )
        .unwrap();
        std::fs::write(
            root.join("scenarios/generated/broken.yaml"),
            "id: [unclosed\n",
        )
        .unwrap();

        let Err(RunError::Suite(problems)) = Suite::load(root) else {
            panic!("the broken file is read and reported by a plain load");
        };
        assert!(
            problems.iter().any(|p| p.file.ends_with("broken.yaml")),
            "{problems:?}"
        );

        let suite = Suite::load_skipping(root, &[PathBuf::from("generated")]).unwrap();
        let ids: Vec<&str> = suite
            .scenarios
            .iter()
            .map(|s| s.scenario.id.as_str())
            .collect();
        assert_eq!(ids, ["mine"]);
        let abs = std::path::absolute(root.join("scenarios/generated")).unwrap();
        assert_eq!(
            Suite::load_skipping(root, &[abs]).unwrap().scenarios.len(),
            1
        );
    }
}
