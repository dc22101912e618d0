//! `skyport`: the command line over the same core and store as the desktop app.
//! Modelled on `gh auth`: every command takes `--json`, and fails with a non-zero exit and
//! a one-line error.

mod agent;
mod cli;
mod client_metadata;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::Cli;
use crate::output::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("skyport: error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            output::print_failure(&failure, json);
            match failure {
                Failure::Invalid { .. } => ExitCode::from(1),
                Failure::Exit(code) => ExitCode::from(code),
                Failure::Account(_) | Failure::Other { .. } => ExitCode::FAILURE,
            }
        }
    }
}
