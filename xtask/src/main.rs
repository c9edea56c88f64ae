//! `cargo xtask`: the project's automation, one module per task, dispatched from one `match`.
//!
//! A plain binary with few dependencies so it compiles in seconds; it runs cargo through the
//! `$CARGO` that invoked it.

mod bench;
mod fuzz;
mod profile;
mod regress;
mod snapshot;
mod test;
mod tidy;

use sigma_metrics::alloc::CountingAllocator;

/// Counts allocations for `cargo xtask profile`; cheap enough to leave on for every task.
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  bench [--quick|--report-only] run the benches, print one table per workload, write
                               target/sigma-bench/report.{md,json} and chart.svg
  regress [--bytes] [--update] compare fixture encodings (and, without --bytes, timing ratios)
                               with fixtures/regress/; --update rewrites them
  profile                      allocations and peak memory per operation and workload
  snapshot                     rerun snapshot tests and accept their output
  test [ARGS]                  the test suite: every test under cargo-nextest (installed if
                               missing; ARGS go to it), then the doctests
  tidy [--fix]                 check layering, file headers, references outside the repository
                               and formatting (--fix formats first)
  fuzz [--seconds N] [TARGET]  run the cargo-fuzz targets (decode_v1, decode_v2, round_trip, session,
                               json_document, codebook), N seconds each (default 60); needs cargo-fuzz";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["tidy"] => tidy::run(false),
        ["tidy", "--fix"] => tidy::run(true),
        ["bench", rest @ ..] => bench::run(rest),
        ["regress", rest @ ..] => regress::run(rest),
        ["profile"] => profile::run(),
        ["snapshot"] => snapshot::run(),
        ["test", rest @ ..] => test::run(rest),
        ["fuzz", rest @ ..] => fuzz::run(rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
