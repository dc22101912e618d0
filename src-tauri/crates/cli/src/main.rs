//! `skyport`: the command line over the same core and store as the desktop app.
//! Modelled on `gh auth`: every command takes `--json`, and fails with a non-zero exit and
//! a one-line error.

// Every line the CLI prints goes through these: a closed pipe (`skyport status | head -1`)
// ends the program quietly with status 141, as a Unix tool killed by SIGPIPE does, instead
// of the standard macros' panic. Defined before the modules, so they replace `println!` and
// `eprintln!` in all of them.
macro_rules! println {
    () => { $crate::output::print_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::print_line(format_args!($($arg)*)) };
}
macro_rules! eprintln {
    () => { $crate::output::eprint_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::eprint_line(format_args!($($arg)*)) };
}

mod agent;
mod api;
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
                Failure::Account(_) | Failure::Hinted(..) | Failure::Other { .. } => ExitCode::FAILURE,
            }
        }
    }
}
