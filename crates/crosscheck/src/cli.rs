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
    },
    /// Check a suite's files without running anything.
    Validate {
        /// The suite folder (holding crosscheck.yaml), or the map file itself.
        #[arg(default_value = ".")]
        dir: PathBuf,
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
        /// Seeds random fault delays and bytes; the same seed replays them.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// The most requests the journal keeps.
        #[arg(long, value_name = "N")]
        journal: Option<usize>,
    },
}
