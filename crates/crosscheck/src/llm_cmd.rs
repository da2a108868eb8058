//! `crosscheck generate --llm`: ask the model named under `llm:` for what the rules
//! missed, write the proposals that pass every check (`origin: llm`, `review: pending`),
//! and list the rejected ones with the reason (also in `llm-rejected.json`).

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::Path;

use crosscheck_gen::Generated;
use crosscheck_llm::{Client, Context, Known, LlmError, Mode, Progress, Settings};
use crosscheck_model::Scenario;
use crosscheck_run::{LoadedScenario, Suite, display};

use crate::cli::LlmArgs;
use crate::exit_codes;

/// LLM proposal files start with this.
pub const PREFIX: &str = "llm.";

/// The machine-readable list of rejections, next to the files.
const REJECTED: &str = "llm-rejected.json";

pub async fn run(suite: &Suite, generated: &Generated, target: &Path, args: &LlmArgs) -> i32 {
    let map_file = display(&suite.root.join(crosscheck_run::SYSTEM_MAP));
    let Some(config) = suite.map.llm.as_ref() else {
        eprintln!(
            "error: {map_file}: `llm:` is not set; --llm needs the model to ask\n  help: add `llm: {{ base_url: http://127.0.0.1:8080/v1, model: … }}` (docs/llm.md shows settings for llama.cpp, vLLM, Ollama, OpenAI and Azure OpenAI)"
        );
        return exit_codes::BAD_INPUT;
    };
    let Some(sut) = suite.sut_contract.as_ref() else {
        return exit_codes::BAD_INPUT;
    };
    let replaying = args.llm_replay.is_some();
    // A replay sends nothing, so it needs no key.
    let settings = match Settings::resolve(config, |v| {
        std::env::var(v)
            .ok()
            .or_else(|| replaying.then(|| "not-used-in-replay".to_owned()))
    }) {
        Ok(s) => s,
        Err(e) => return fail(&map_file, &e),
    };
    let mode = match (&args.llm_replay, &args.llm_record) {
        (Some(path), _) => match crosscheck_llm::cassette::Cassette::load(path) {
            Ok(c) => Mode::Replay(c),
            Err(e) => return fail(&map_file, &e),
        },
        (None, Some(_)) => Mode::Record(Default::default()),
        (None, None) => Mode::Live,
    };
    let model = settings.model.clone();
    let client = match Client::new(settings, mode) {
        Ok(c) => c,
        Err(e) => return fail(&map_file, &e),
    };

    // What the suite already has: hand-written scenarios, and the rule-based ones just
    // generated (the generated folder's old files are being replaced).
    let target_abs = std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf());
    let mut known: Vec<Known> = suite
        .scenarios
        .iter()
        .filter(|l| {
            let p = std::path::absolute(suite.root.join(&l.file))
                .unwrap_or_else(|_| Path::new(&l.file).to_path_buf());
            let q =
                std::path::absolute(&l.file).unwrap_or_else(|_| Path::new(&l.file).to_path_buf());
            !p.starts_with(&target_abs) && !q.starts_with(&target_abs)
        })
        .map(|l| Known::of(&l.scenario))
        .collect();
    for f in &generated.files {
        if let Ok(list) = crosscheck_model::parse::scenarios(&f.path, &f.text) {
            known.extend(list.iter().map(Known::of));
        }
    }
    let check = |s: &Scenario, text: &str| suite_problems(suite, s, text);
    let ctx = Context {
        map: &suite.map,
        requirements: &suite.requirements,
        sut,
        deps: &suite.dep_contracts,
        links: &generated.links,
        known,
        suite_check: &check,
    };
    let all: Vec<usize> = (0..suite.requirements.len()).collect();
    let bar = Bar::new(client.replaying());
    let outcome = crosscheck_llm::propose(&ctx, &client, &all, &bar).await;
    if let (Some(path), Some(rec)) = (&args.llm_record, client.recorder()) {
        let note = format!(
            "Recorded by `crosscheck generate --llm-record` from `{model}`; requests without headers, so no key."
        );
        match rec.save(path, Some(note)) {
            Ok(n) => println!("llm: recorded {n} exchange(s) to {}", display(path)),
            Err(e) => return fail(&map_file, &e),
        }
    }
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return fail(&map_file, &e),
    };

    // Write the accepted ones, leaving files a person edited alone.
    let files = crosscheck_llm::render(&outcome, &model);
    let existing: BTreeMap<String, String> = match crate::generate::read_existing(target) {
        Ok(mut e) => {
            e.retain(|name, _| name.starts_with(PREFIX));
            e
        }
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", display(target));
            return exit_codes::COULD_NOT_RUN;
        }
    };
    let counts = match crate::generate::write_plan(target, &files, &existing, "no longer proposed")
    {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rejected_path = target.join(REJECTED);
    let json = crosscheck_llm::rejections_json(&outcome, &model);
    if let Err(e) = std::fs::write(
        &rejected_path,
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
    ) {
        eprintln!("error: cannot write {}: {e}", display(&rejected_path));
        return exit_codes::COULD_NOT_RUN;
    }
    report(&outcome, &model, args, &counts, &rejected_path);
    exit_codes::OK
}

fn report(
    outcome: &crosscheck_llm::Outcome,
    model: &str,
    args: &LlmArgs,
    counts: &BTreeMap<String, Vec<String>>,
    rejected_path: &Path,
) {
    let source = match &args.llm_replay {
        Some(p) => format!("replayed from {}", display(p)),
        None => format!(
            "{} token(s), {} request(s) retried",
            outcome.tokens, outcome.retried
        ),
    };
    println!(
        "llm: asked `{model}` about {} requirement(s) ({source})",
        outcome.asked.len()
    );
    for n in &outcome.notes {
        println!("  note: {n}");
    }
    println!(
        "  accepted {} proposal(s) (origin: llm, review: pending)",
        outcome.accepted.len()
    );
    for (label, files) in counts {
        println!("    {label} ({}): {}", files.len(), files.join(", "));
    }
    for p in &outcome.accepted {
        println!("    {} {}", p.requirement, p.passed.id);
    }
    let gaps: Vec<(&str, &str, &String)> = outcome
        .accepted
        .iter()
        .flat_map(|p| {
            p.passed
                .gaps
                .iter()
                .map(move |g| (p.requirement.as_str(), p.passed.id.as_str(), g))
        })
        .collect();
    if !gaps.is_empty() {
        println!(
            "  contract gaps ({}), kept because a requirement demands them:",
            gaps.len()
        );
        for (req, id, g) in gaps {
            println!("    {req} {id}: {g}");
        }
    }
    println!("  rejected {} proposal(s)", outcome.rejected.len());
    for r in &outcome.rejected {
        let id = r.id.as_deref().unwrap_or("(the whole answer)");
        println!("    {} {id}: {}: {}", r.requirement, r.reason, r.detail);
    }
    if !outcome.rejected.is_empty() {
        let mut by: Vec<String> = Vec::new();
        for reason in crosscheck_llm::check::Reason::ALL {
            let n = outcome
                .rejected
                .iter()
                .filter(|r| r.reason == reason)
                .count();
            if n > 0 {
                by.push(format!("{reason} {n}"));
            }
        }
        println!("  rejected by reason: {}", by.join(", "));
    }
    println!("  the list with reasons: {}", display(rejected_path));
    if !outcome.accepted.is_empty() {
        println!(
            "  next: review the llm.*.yaml files and set `review: reviewed` on each; `crosscheck audit` lists those pending"
        );
    }
}

fn fail(map_file: &str, e: &LlmError) -> i32 {
    eprintln!("error: llm: {e}\n  help: {}", e.help());
    if matches!(e, LlmError::Config { .. } | LlmError::MissingKey(_)) {
        eprintln!("  (set under `llm:` in {map_file})");
    }
    if e.is_bad_input() {
        exit_codes::BAD_INPUT
    } else {
        exit_codes::COULD_NOT_RUN
    }
}

/// The suite's own cross-file checks (as `crosscheck validate`) on one proposal.
fn suite_problems(suite: &Suite, scenario: &Scenario, text: &str) -> Vec<String> {
    let file = "proposal.json".to_owned();
    let mut sources = HashMap::new();
    sources.insert(file.clone(), text.to_owned());
    let one = Suite {
        root: suite.root.clone(),
        map: suite.map.clone(),
        requirements: suite.requirements.clone(),
        requirements_file: suite.requirements_file.clone(),
        scenarios: vec![LoadedScenario {
            file,
            scenario: scenario.clone(),
        }],
        sut_contract: suite.sut_contract.clone(),
        dep_contracts: suite.dep_contracts.clone(),
        sources,
    };
    crosscheck_run::validate(&one)
        .into_iter()
        .map(|d| match d.help {
            Some(h) => format!("{} ({h})", d.message),
            None => d.message,
        })
        .collect()
}

/// A progress bar on stderr when it is a terminal; nothing otherwise.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    fn new(replaying: bool) -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar { bar: None };
        }
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} requirements, {elapsed} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(if replaying { "llm (replay)" } else { "llm" });
        Bar { bar: Some(bar) }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(b) = &self.bar {
            b.set_length(total);
            b.enable_steady_tick(std::time::Duration::from_millis(200));
        }
    }
    fn done(&self, requirement: &str) {
        if let Some(b) = &self.bar {
            b.set_message(requirement.to_owned());
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
