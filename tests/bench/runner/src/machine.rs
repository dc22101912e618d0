//! The machine the figures come from, and how busy it was.

use std::process::Command;

use serde::Serialize;

/// What BENCHMARKS.md says about the machine.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub node: String,
    /// 1-minute load average and compilers running, sampled during the run.
    pub load: Vec<Load>,
}

/// A sample of how busy the machine was.
#[derive(Debug, Clone, Serialize)]
pub struct Load {
    pub when: String,
    pub load_1m: f64,
    /// `rustc`/`cc`/`cargo` processes not started by this suite.
    pub compilers: usize,
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Reads /proc and /etc/os-release.
pub fn describe(node: &std::path::Path) -> Machine {
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let cores = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let memory_kib: f64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cpu,
        cores,
        memory_gib: (memory_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        os,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        rustc: output("rustc", &["-V"]),
        node: output(&node.display().to_string(), &["-v"]),
        load: Vec::new(),
    }
}

/// Samples the load now.
pub fn load(when: &str) -> Load {
    let load_1m = read("/proc/loadavg").split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let me = std::process::id().to_string();
    let compilers = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_str().is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())))
                .filter(|e| {
                    let comm = read(&format!("/proc/{}/comm", e.file_name().to_string_lossy()));
                    let stat = read(&format!("/proc/{}/stat", e.file_name().to_string_lossy()));
                    let parent = stat
                        .rsplit_once(')')
                        .and_then(|(_, r)| r.split_whitespace().nth(1).map(str::to_owned));
                    matches!(comm.trim(), "rustc" | "cc1" | "cc1plus" | "cargo" | "ld" | "cc")
                        && parent.as_deref() != Some(me.as_str())
                })
                .count()
        })
        .unwrap_or(0);
    Load { when: when.to_owned(), load_1m, compilers }
}

/// Today's date and time in UTC, `YYYY-MM-DD HH:MM UTC` (from `date`, as the rest of the
/// machine description comes from the system).
pub fn utc_now() -> String {
    output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
}
