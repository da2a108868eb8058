//! Loads contracts and prints what was found: the thing `bench/openapi-load.sh` times.
//!
//! ```text
//! cargo run --release -p crosscheck-contract --example load_contract -- [--compile] FILE…
//! ```
//!
//! Per file, one line: `ok <file> <format> operations=<n> definitions=<n> warnings=<n>`
//! (with `--compile`, also `validators=<n>` after compiling every response schema), or
//! `error <message>`; with `SHOW_WARNINGS` set, each warning follows. Exits 2 when any file failed to load.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut compile = false;
    let mut failed = false;
    for arg in std::env::args().skip(1) {
        if arg == "--compile" {
            compile = true;
            continue;
        }
        match crosscheck_contract::load(Path::new(&arg)) {
            Ok(c) => {
                let mut line = format!(
                    "ok {arg} {} operations={} definitions={} warnings={}",
                    c.source_format,
                    c.operations.len(),
                    c.schema_definitions.len(),
                    c.warnings.len()
                );
                if compile {
                    let errors = c.compile_all();
                    let schemas: usize = c
                        .operations
                        .iter()
                        .flat_map(|o| &o.responses)
                        .map(|r| r.media.iter().filter(|(_, s)| s.is_some()).count())
                        .sum();
                    line.push_str(&format!(
                        " validators={schemas} compile_errors={}",
                        errors.len()
                    ));
                }
                println!("{line}");
                if std::env::var_os("SHOW_WARNINGS").is_some() {
                    for w in &c.warnings {
                        println!("  warning: {w}");
                    }
                }
            }
            Err(e) => {
                failed = true;
                println!("error {e}");
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
