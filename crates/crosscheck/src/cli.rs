//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Integration and contract testing of services: requirements and contracts in,
/// traceable tests out, run against the real service with its dependencies doubled.
#[derive(Debug, Parser)]
#[command(name = "crosscheck", version, about, long_about = None)]
pub struct Cli {
    /// Colour: auto (when the output is a terminal), always or never.
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a suite: start the service and its doubles, carry out every scenario.
    Run {
        /// The suite folder (holding crosscheck.yaml), or the map file itself.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Only scenarios whose id contains this text.
        #[arg(long, short = 'k')]
        filter: Option<String>,
        /// Skip the `sut.build` command (the service is already built).
        #[arg(long)]
        no_build: bool,
        /// Run one shard of the suite, `k/n` (a deterministic split by scenario id), so a
        /// CI matrix of n machines runs it all; merge with `crosscheck report --merge`.
        #[arg(long, value_name = "K/N", value_parser = crosscheck_run::shard::parse)]
        shard: Option<(u32, u32)>,
        /// Seeds the doubles' random faults (delay distributions, `probability`); each
        /// scenario's evidence records it, and the same seed replays the same schedule.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[command(flatten)]
        outputs: RunOutputs,
    },
    /// Audit a suite against the governance checklist (items a–f), with evidence.
    Audit {
        /// The suite folder (holding crosscheck.yaml), or the map file itself.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output: text for a person, json, or sarif (SARIF 2.1.0 for code hosts).
        #[arg(long, default_value = "text", value_parser = ["text", "json", "sarif"])]
        format: String,
    },
    /// Render reports from results files written by `crosscheck run`.
    Report {
        /// One results.json, or several with --merge.
        #[arg(required = true, value_name = "RESULTS")]
        results: Vec<PathBuf>,
        /// Merge several results files (say, a suite's shards) into one report.
        #[arg(long)]
        merge: bool,
        /// Write JUnit XML here.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write the self-contained HTML report here.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Write the (merged) results JSON here.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Check a suite's files without running anything.
    Validate {
        /// The suite folder (holding crosscheck.yaml), or the map file itself.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Run a TCP fault proxy that speaks Toxiproxy's HTTP API, until interrupted.
    Proxy {
        /// The address the API listens on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The API's port (Toxiproxy's default).
        #[arg(long, default_value_t = 8474)]
        port: u16,
        /// A Toxiproxy config file: a JSON array of proxies (`name`, `listen`,
        /// `upstream`, `enabled`) created at start.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The seed for toxicity decisions, jitter and slice sizes.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Threads that move bytes. One (the default) adds the least latency per
        /// request (no hand-over between threads); more spread many busy connections
        /// over more cores.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
    },
    /// Serve OpenAPI contracts (and WireMock mappings) as a mock server, with
    /// WireMock's `/__admin` API, until Ctrl-C.
    Mock {
        /// OpenAPI contracts whose operations the mock serves.
        contracts: Vec<PathBuf>,
        /// The port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// A folder of WireMock mapping files (`*.json`, or its `mappings/` subfolder).
        #[arg(long)]
        mappings: Option<PathBuf>,
        /// A YAML list of crosscheck stubs, written as a scenario's `given.<dependency>`
        /// entries (`on`, `reply`, `fault`, `times`, `every`, `probability`, states); they
        /// answer before the contracts do.
        #[arg(long, value_name = "FILE")]
        stubs: Option<PathBuf>,
        /// Seeds random fault delays and bytes; the same seed replays them.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// The most requests the journal keeps.
        #[arg(long, value_name = "N")]
        journal: Option<usize>,
    },
    /// Generate reviewable scenarios from the suite's requirements, contracts and
    /// system map into `<scenarios>/generated/`, leaving files a person edited alone.
    Generate {
        /// The suite folder (holding crosscheck.yaml), or the map file itself.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write into this folder instead of `<scenarios>/generated/`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The seed for generated data (the same seed gives the same files).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        llm: LlmArgs,
    },
    /// Scaffold a suite from contracts: a system map with TODOs, requirements, and a
    /// scenarios folder. The first contract is the service's, the others its
    /// dependencies'.
    Init {
        /// The contracts (OpenAPI), the service's first.
        #[arg(long = "contract", required = true)]
        contracts: Vec<PathBuf>,
        /// The folder to create the suite in.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

/// Files a run writes besides the console output.
#[derive(Debug, clap::Args)]
pub struct RunOutputs {
    /// Write the results JSON here (default: `.crosscheck/runs/<run>/results.json` in the
    /// suite). It is rewritten as scenarios finish, so an interrupted run keeps its results.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Also write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// The LLM path of `generate` (docs/llm.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LlmArgs {
    /// Also ask the model named under `llm:` in crosscheck.yaml for scenarios the rules
    /// missed; every proposal is checked against the contracts before it is written.
    #[arg(long)]
    pub llm: bool,
    /// Record every exchange with the model to this cassette (implies --llm).
    #[arg(long, value_name = "FILE", conflicts_with = "llm_replay")]
    pub llm_record: Option<PathBuf>,
    /// Answer from this cassette instead of the server: offline and deterministic
    /// (implies --llm).
    #[arg(long, value_name = "FILE")]
    pub llm_replay: Option<PathBuf>,
}

impl LlmArgs {
    /// Whether the LLM path is asked for.
    pub fn wanted(&self) -> bool {
        self.llm || self.llm_record.is_some() || self.llm_replay.is_some()
    }
}
