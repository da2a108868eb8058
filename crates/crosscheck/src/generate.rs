//! `crosscheck generate` and `crosscheck init`: read the files, call the generator,
//! write what it produced, and report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crosscheck_gen::{Action, Input};
use crosscheck_model::Diagnostic;
use crosscheck_run::{Suite, display};

use crate::exit_codes;
use crate::render;

/// The folder generated scenarios go into, below the suite's scenarios folder.
const GENERATED: &str = "generated";

pub async fn generate(
    dir: &Path,
    out: Option<&Path>,
    seed: u64,
    color: bool,
    llm: &crate::cli::LlmArgs,
) -> i32 {
    let mut err = std::io::stderr().lock();
    // The generated folder's old files are replaced, not read as scenarios (the LLM path
    // leaves them out of what the suite has, too).
    let skip = match out {
        Some(o) => std::path::absolute(o).unwrap_or_else(|_| o.to_path_buf()),
        None => PathBuf::from(GENERATED),
    };
    let suite = match Suite::load_skipping(dir, &[skip]) {
        Ok(s) => s,
        Err(e) => {
            render::run_error(&mut err, &e, color);
            return exit_codes::BAD_INPUT;
        }
    };
    let Some(sut) = suite.sut_contract.as_ref() else {
        eprintln!(
            "error: {}: `sut.contract` is not set; generation needs the service's contract\n  help: add `contract: path/to/openapi.yaml` under `sut:`",
            display(&suite.root.join(crosscheck_run::SYSTEM_MAP))
        );
        return exit_codes::BAD_INPUT;
    };
    let sut_text = suite
        .map
        .sut
        .contract
        .as_ref()
        .and_then(|c| std::fs::read_to_string(suite.root.join(&c.value)).ok())
        .unwrap_or_default();
    let input = Input {
        map: &suite.map,
        requirements: &suite.requirements,
        sut,
        deps: &suite.dep_contracts,
        x_requirements: crosscheck_gen::x_requirements(sut, &sut.file, &sut_text),
        seed,
    };
    let generated = crosscheck_gen::generate(&input);

    let target: PathBuf = match out {
        Some(o) => o.to_path_buf(),
        None => {
            let scenarios = suite.root.join(&suite.map.scenarios);
            if scenarios.is_file() {
                suite.root.join("scenarios").join(GENERATED)
            } else {
                scenarios.join(GENERATED)
            }
        }
    };
    let existing = match read_existing(&target) {
        // LLM proposals (`llm.*.yaml`) are planned by the LLM path, not listed as stale here.
        Ok(mut e) => {
            e.retain(|name, _| !name.starts_with(crate::llm_cmd::PREFIX));
            e
        }
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", display(&target));
            return exit_codes::COULD_NOT_RUN;
        }
    };
    let counts = match write_plan(&target, &generated.files, &existing, "no longer generated") {
        Ok(c) => c,
        Err(code) => return code,
    };

    println!(
        "generated {} scenario(s) in {} file(s) into {}",
        generated.scenario_count(),
        generated.files.len(),
        display(&target)
    );
    for (label, files) in &counts {
        let shown: Vec<&str> = files.iter().take(8).map(String::as_str).collect();
        let more = files.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!(", … and {more} more")
        } else {
            String::new()
        };
        println!("  {label} ({}): {}{tail}", files.len(), shown.join(", "));
    }
    println!("requirements:");
    for l in &generated.links {
        if l.is_empty() {
            continue;
        }
        let mut to: Vec<String> = l
            .operations
            .iter()
            .filter_map(|i| sut.operations.get(*i).map(|o| o.label()))
            .collect();
        to.extend(l.dependencies.iter().map(|d| format!("dependency {d}")));
        println!("  {} → {}", l.id, to.join(", "));
    }
    if !generated.unlinked.is_empty() {
        println!(
            "  linked to nothing (no scenario covers them): {}",
            generated.unlinked.join(", ")
        );
    }
    if !generated.gaps.is_empty() {
        println!("gaps ({}):", generated.gaps.len());
        for g in generated.gaps.iter().take(50) {
            println!("  {}: {}", g.scope, g.message);
        }
        if generated.gaps.len() > 50 {
            println!("  … and {} more", generated.gaps.len() - 50);
        }
    }
    if llm.wanted() {
        let code = crate::llm_cmd::run(&suite, &generated, &target, llm).await;
        if code != exit_codes::OK {
            return code;
        }
    }
    if generated.problems.is_empty() {
        return exit_codes::OK;
    }
    let text = suite
        .sources
        .get(&suite.requirements_file)
        .cloned()
        .unwrap_or_default();
    let diags: Vec<Diagnostic> = generated
        .problems
        .iter()
        .map(|p| {
            let d = if p.line == 0 {
                Diagnostic::file(&suite.requirements_file, p.message.clone())
            } else {
                Diagnostic::at(
                    &suite.requirements_file,
                    &text,
                    p.line,
                    1,
                    p.message.clone(),
                )
            };
            d.with_help("fix the name, or remove it; the rest was generated")
        })
        .collect();
    for d in &diags {
        eprintln!("error: {}: {}", d.location(), d.message);
        if let Some(h) = &d.help {
            eprintln!("  help: {h}");
        }
    }
    exit_codes::BAD_INPUT
}

/// Plans regeneration of `files` over the `existing` ones and applies it: writes what is
/// added or changed, leaves what a person edited. Returns the file names per action
/// (`stale` words the files no longer produced), or the exit code after saying what could
/// not be written.
pub(crate) fn write_plan(
    target: &Path,
    files: &[crosscheck_gen::GeneratedFile],
    existing: &BTreeMap<String, String>,
    stale: &'static str,
) -> Result<BTreeMap<String, Vec<String>>, i32> {
    let plan = crosscheck_gen::plan(files, existing);
    if let Err(e) = std::fs::create_dir_all(target) {
        eprintln!(
            "error: cannot create {}: {e}\n  help: check the folder's permissions, or pass --out",
            display(target)
        );
        return Err(exit_codes::COULD_NOT_RUN);
    }
    let by_path: std::collections::HashMap<&str, &crosscheck_gen::GeneratedFile> =
        files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut counts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, action) in plan {
        let label = match action {
            Action::Add => "added".to_owned(),
            Action::Change => "changed".to_owned(),
            Action::Unchanged => "unchanged".to_owned(),
            Action::KeepEdited => "left alone (edited by a person)".to_owned(),
            Action::Stale => format!("left alone ({stale})"),
        };
        if matches!(action, Action::Add | Action::Change)
            && let Some(file) = by_path.get(path.as_str())
            && let Err(e) = std::fs::write(target.join(&path), &file.text)
        {
            eprintln!("error: cannot write {}: {e}", display(&target.join(&path)));
            return Err(exit_codes::COULD_NOT_RUN);
        }
        counts.entry(label).or_default().push(path);
    }
    Ok(counts)
}

pub(crate) fn read_existing(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("yaml")
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            out.insert(name.to_owned(), std::fs::read_to_string(&path)?);
        }
    }
    Ok(out)
}

pub fn init(contracts: &[PathBuf], dir: &Path) -> i32 {
    let mut loaded = Vec::new();
    for c in contracts {
        match crosscheck_contract::load(c) {
            Ok(contract) => loaded.push((c, contract)),
            Err(e) => {
                eprintln!(
                    "error: {e}\n  help: pass OpenAPI contracts (JSON or YAML) with --contract"
                );
                return exit_codes::BAD_INPUT;
            }
        }
    }
    // Paths as the suite will name them: relative to the suite folder when below it.
    let abs_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let paths: Vec<String> = loaded
        .iter()
        .map(|(p, _)| {
            let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            abs.strip_prefix(&abs_dir)
                .map(|r| r.display().to_string())
                .unwrap_or_else(|_| abs.display().to_string())
        })
        .collect();
    let inputs: Vec<crosscheck_gen::InitContract<'_>> = loaded
        .iter()
        .zip(&paths)
        .map(|((_, c), p)| crosscheck_gen::InitContract {
            path: p,
            contract: c,
        })
        .collect();
    let files = crosscheck_gen::scaffold(&inputs);
    for (path, _) in &files {
        let p = dir.join(path);
        if p.exists() && !path.ends_with(".gitkeep") {
            eprintln!(
                "error: {} already exists; init does not overwrite a suite\n  help: pass an empty folder, or run `crosscheck generate` in this one",
                display(&p)
            );
            return exit_codes::BAD_INPUT;
        }
    }
    for (path, text) in &files {
        let p = dir.join(path);
        if let Some(parent) = p.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            eprintln!("error: cannot create {}: {e}", display(parent));
            return exit_codes::COULD_NOT_RUN;
        }
        if let Err(e) = std::fs::write(&p, text) {
            eprintln!("error: cannot write {}: {e}", display(&p));
            return exit_codes::COULD_NOT_RUN;
        }
        println!("wrote {}", display(&p));
    }
    println!(
        "next: fill in the TODOs in crosscheck.yaml, then `crosscheck generate` and `crosscheck run`"
    );
    exit_codes::OK
}
