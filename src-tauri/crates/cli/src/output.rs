//! Printing: human text or stable JSON, and one-line errors.

use serde::Serialize;
use skyport_accounts::{AccountStatus, AccountSummary, Error, ErrorCode};

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// An account-manager error (it has a code).
    Account(Error),
    /// An account-manager error and the exact command that fixes it.
    Hinted(Error, String),
    /// A check found problems (exit 1, reasons printed).
    Invalid {
        /// The rules broken.
        problems: Vec<String>,
        /// Rules that could not be checked, and why (printed as such, not as passed).
        unchecked: Vec<String>,
    },
    /// Exit with this status and print nothing (`skyport run` passes its command's on).
    Exit(u8),
    /// Anything else.
    Other {
        /// Stable code.
        code: &'static str,
        /// Message.
        message: String,
    },
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Account(e)
    }
}

/// Writes one line to stdout; a closed pipe ends the program quietly (see `main.rs`).
pub fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        exit_on_broken_pipe(&e);
    }
}

/// Writes one line to stderr; nothing to do if that fails.
pub fn eprint_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// Ends the program with status 141 (128 + SIGPIPE) if `e` is a closed pipe.
pub fn exit_on_broken_pipe(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
}

/// Prints JSON on one line.
pub fn json<T: Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("skyport: error: cannot print JSON: {e}"),
    }
}

/// Prints JSON indented (human mode for raw API bodies).
pub fn pretty<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("skyport: error: cannot print JSON: {e}"),
    }
}

pub fn print_failure(failure: &Failure, as_json: bool) {
    let (code, message): (&str, String) = match failure {
        Failure::Account(e) | Failure::Hinted(e, _) => (e.code().as_str(), e.to_string()),
        Failure::Invalid { problems, .. } => ("invalid", format!("{} problem(s) found", problems.len())),
        Failure::Other { code, message } => (code, message.clone()),
        Failure::Exit(_) => return,
    };
    if as_json {
        let mut body = serde_json::json!({"error": {"code": code, "message": message}});
        if let Failure::Invalid { problems, unchecked } = failure {
            body["error"]["problems"] = serde_json::json!(problems);
            body["error"]["unchecked"] = serde_json::json!(unchecked);
        }
        json(&body);
    } else if let Failure::Invalid { problems, unchecked } = failure {
        for r in problems {
            eprintln!("  ✗ {r}");
        }
        for u in unchecked {
            eprintln!("  ? not checked: {u}");
        }
    }
    let hint = match failure {
        Failure::Hinted(_, hint) => format!(" — {hint}"),
        Failure::Account(e) => hint(e.code()).map(|h| format!(" — {h}")).unwrap_or_default(),
        _ => String::new(),
    };
    eprintln!("skyport: error: {}{hint} [{code}]", one_line(&message));
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What to do about an error that names no account.
pub fn hint(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::KeychainLocked => "unlock your system keychain, then run the command again",
        ErrorCode::KeychainUnavailable => {
            "no system keychain answered; start one (a Secret Service such as gnome-keyring) and run `skyport doctor`"
        }
        ErrorCode::NoActiveAccount => "sign in with `skyport login <handle>`",
        ErrorCode::UnknownAccount => "`skyport status` lists your accounts",
        ErrorCode::UnknownApp => "`skyport agent keys` lists the connected apps",
        ErrorCode::Network => "the server could not be reached; try again in a moment",
        ErrorCode::Offline => {
            "this computer seems to be offline; connect to a network and run the command again"
        }
        ErrorCode::NotFound => "check the spelling (a handle looks like alice.bsky.social)",
        _ => return None,
    })
}

/// "42 min", "2 h 5 min", "3 days".
pub fn duration(secs: i64) -> String {
    let abs = secs.unsigned_abs();
    if abs < 90 {
        format!("{abs} s")
    } else if abs < 90 * 60 {
        format!("{} min", abs / 60)
    } else if abs < 48 * 3600 {
        format!("{} h {} min", abs / 3600, (abs % 3600) / 60)
    } else {
        format!("{} days", abs / 86_400)
    }
}

/// "in 42 min", "2 h 5 min ago".
pub fn relative(secs: i64) -> String {
    let text = duration(secs);
    if secs >= 0 { format!("in {text}") } else { format!("{text} ago") }
}

pub fn short_did(did: &str) -> String {
    match did.rsplit_once(':') {
        Some((method, id)) if id.len() > 12 => format!("{method}:{}…{}", &id[..6], &id[id.len() - 4..]),
        _ => did.to_owned(),
    }
}

pub fn status_words(a: &AccountSummary, now: i64) -> String {
    match a.status {
        AccountStatus::Ready => format!("Ready — token expires {}", relative(a.expires_at - now)),
        AccountStatus::Expiring => format!("Expiring — token expires {}", relative(a.expires_at - now)),
        AccountStatus::Refreshing => "Refreshing…".into(),
        AccountStatus::NeedsSignIn => format!(
            "Needs sign-in ({})",
            a.status_reason.unwrap_or(skyport_accounts::SignInReason::Unknown).describe()
        ),
        AccountStatus::KeychainLocked => "Keychain locked — unlock it to use this account".into(),
        AccountStatus::Offline => {
            "Offline — the last refresh could not reach the server; the session is kept".into()
        }
    }
}

pub fn print_account(a: &AccountSummary, now: i64) {
    let name = a.handle.as_deref().map(|h| format!("@{h}")).unwrap_or_else(|| a.did.clone());
    let active = if a.active { "  ✓ active" } else { "" };
    let display = a.display_name.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
    println!("{name}{display}{active}");
    println!("  {}  ·  PDS {}  ·  {}", short_did(&a.did), a.pds_host, status_words(a, now));
    if a.status != AccountStatus::NeedsSignIn {
        let warn = if a.session_ending_soon { "  ⚠ sign in again soon" } else { "" };
        println!("  Session ends {} (two-week limit){warn}", relative(a.session_ends_at - now));
    }
}

/// Says that the account's handle is not the one the login began with.
pub fn print_handle_change(done: &skyport_accounts::LoginCompleted) {
    let Some(change) = &done.handle_changed else { return };
    match &change.after {
        Some(after) => println!(
            "  Note: this account's handle is now @{after}, not @{}; Skyport updated it.",
            change.before
        ),
        None => println!(
            "  Note: @{} no longer verifies as this account's handle; Skyport shows its DID instead.",
            change.before
        ),
    }
}
