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
