//! `crosscheck`: parse the command line, call the libraries, map the outcome to an exit
//! code. Everything else lives in the crates.

mod cli;
mod exit_codes;
mod generate;
mod llm_cmd;
mod mock;
mod proxy_cmd;
mod render;
mod reports;

use std::io::IsTerminal;

use clap::Parser;

/// mimalloc: generating for a large contract allocates millions of small strings and
/// values; the system allocator spent a fifth of the time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use crosscheck_report::Console;
use crosscheck_run::{RunOptions, Suite};

use crate::cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    init_tracing();
    let code = match runtime(&cli.command) {
        Ok(rt) => rt.block_on(dispatch(cli)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            exit_codes::COULD_NOT_RUN
        }
    };
    std::process::exit(code);
}

/// Two worker threads, except for `crosscheck proxy`, which has as many as `--threads`
/// asks for: one by default, on which a proxied request is never handed from one thread
/// to another (docs/design/0004e-proxy-latency.md).
fn runtime(command: &Command) -> std::io::Result<tokio::runtime::Runtime> {
    let threads = match command {
        Command::Proxy { threads, .. } => usize::from(*threads),
        _ => 2,
    };
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}

async fn dispatch(cli: Cli) -> i32 {
    let color_out = wants_color(&cli.color, std::io::stdout().is_terminal());
    let color_err = wants_color(&cli.color, std::io::stderr().is_terminal());
    match cli.command {
        Command::Validate { dir } => validate(&dir, color_err),
        Command::Proxy {
            host,
            port,
            config,
            seed,
            threads: _,
        } => proxy_cmd::run(&host, port, config.as_deref(), seed).await,
        Command::Audit { dir, format } => reports::audit(&dir, &format, color_err),
        Command::Report {
            results,
            merge,
            junit,
            html,
            json,
        } => reports::report(&results, merge, junit, html, json, color_out, color_err),
        Command::Mock {
            contracts,
            port,
            mappings,
            stubs,
            seed,
            journal,
        } => {
            let args = mock::MockArgs {
                contracts,
                port,
                mappings,
                stubs,
                seed,
                journal,
            };
            mock::mock(args).await
        }
        Command::Generate {
            dir,
            out,
            seed,
            llm,
        } => generate::generate(&dir, out.as_deref(), seed, color_err, &llm).await,
        Command::Init { contracts, dir } => generate::init(&contracts, &dir),
        Command::Run {
            dir,
            filter,
            no_build,
            shard,
            seed,
            outputs,
        } => {
            let opts = RunOptions {
                filter,
                no_build,
                shard,
                seed,
            };
            tokio::select! {
                code = run(&dir, &opts, &outputs, color_out, color_err) => code,
                _ = tokio::signal::ctrl_c() => {
                    // Dropping the run stops the service's process group and the doubles.
                    eprintln!("\ninterrupted: the service and the doubles were stopped");
                    exit_codes::INTERRUPTED
                }
            }
        }
    }
}

fn validate(dir: &std::path::Path, color: bool) -> i32 {
    let mut err = std::io::stderr().lock();
    let suite = match Suite::load(dir) {
        Ok(s) => s,
        Err(e) => {
            render::run_error(&mut err, &e, color);
            return exit_codes::BAD_INPUT;
        }
    };
    let problems = crosscheck_run::validate(&suite);
    render::contract_warnings(&mut err, &suite, color);
    if problems.is_empty() {
        println!(
            "{}: {} scenario(s) and {} requirement(s) are valid",
            crosscheck_run::display(dir),
            suite.scenarios.len(),
            suite.requirements.len()
        );
        exit_codes::OK
    } else {
        render::diagnostics(&mut err, &problems, color);
        exit_codes::BAD_INPUT
    }
}

async fn run(
    dir: &std::path::Path,
    opts: &RunOptions,
    outputs: &cli::RunOutputs,
    color_out: bool,
    color_err: bool,
) -> i32 {
    let suite = match Suite::load(dir) {
        Ok(s) => s,
        Err(e) => {
            render::run_error(&mut std::io::stderr().lock(), &e, color_err);
            return exit_codes::BAD_INPUT;
        }
    };
    let mut console = Console::new(std::io::stdout(), color_out);
    let mut writer = crosscheck_report::ResultsWriter::new(
        &suite,
        outputs.results.clone(),
        opts.filter.clone(),
        opts.shard,
    );
    let outcome = {
        let mut tee = crosscheck_report::Tee {
            listeners: vec![&mut console, &mut writer],
        };
        crosscheck_run::run(&suite, opts, &mut tee).await
    };
    if let Err(e) = &outcome {
        writer.abort(&e.to_string());
    }
    let written = reports::after_run(&mut writer, outputs, color_err);
    match outcome {
        Ok(_) if written != exit_codes::OK => written,
        Ok(summary) if summary.ok() => exit_codes::OK,
        Ok(_) => exit_codes::TEST_FAILED,
        Err(e) => {
            render::run_error(&mut std::io::stderr().lock(), &e, color_err);
            if e.is_bad_input() {
                exit_codes::BAD_INPUT
            } else {
                exit_codes::COULD_NOT_RUN
            }
        }
    }
}

fn wants_color(choice: &str, terminal: bool) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CROSSCHECK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
