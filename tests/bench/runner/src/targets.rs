//! The "Targets" section of BENCHMARKS.md: each target of the project's issue next to what
//! this run measured, met or missed, and for each missed one why, from the same run's
//! figures.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::report::{Logins, Report};
use crate::report_md::{cell, ratio, ratio_cell, worst_of};
use crate::stats::Summary;

type Map = BTreeMap<String, Summary>;

/// The scale target is set for this many accounts.
pub const SCALE_ACCOUNTS: usize = 100;
/// One round of the scale target may take this long (ms).
pub const SCALE_ROUND_MS: f64 = 2000.0;
/// One Secret Service get may take this long (ms).
pub const KEYCHAIN_GET_MS: f64 = 3.0;
/// One Secret Service put may take this long (ms).
pub const KEYCHAIN_PUT_MS: f64 = 6.0;

/// A target's verdict.
enum Status {
    Met,
    Missed,
    /// Not judged in this run, and why.
    NotJudged(String),
    /// A figure shown beside a target, not a target itself.
    Reference,
}

impl Status {
    fn of(ok: bool) -> Self {
        if ok { Status::Met } else { Status::Missed }
    }

    fn text(&self) -> String {
        match self {
            Status::Met => "✅ met".into(),
            Status::Missed => "❌ missed".into(),
            Status::NotJudged(why) => format!("➖ not judged ({why})"),
            Status::Reference => "reference, not a target".into(),
        }
    }
}

/// One row of the table.
struct Row {
    label: String,
    ours: String,
    theirs: String,
    ratio: String,
    limit: String,
    status: Status,
    /// For a missed target: why, from this run's figures.
    why: Option<String>,
}

fn med(m: &Map, k: &str) -> f64 {
    m.get(k).map_or(f64::NAN, |v| v.median)
}

/// The keychain calls of each measured step of Skyport's first cold login:
/// `(start_login, complete_login, refresh, resource1, revoke)`, e.g. "put pending".
pub fn keychain_calls(l: &Logins) -> (String, String, String, String, String) {
    l.skyport
        .first()
        .and_then(|p| p.logins.first())
        .map(|login| {
            let strip = |v: &Vec<String>| {
                v.iter().map(|c| c.split(" (").next().unwrap_or(c).to_owned()).collect::<Vec<_>>().join(", ")
            };
            let get = |k: &str| {
                login.keychain.get(k).map(strip).filter(|c| !c.is_empty()).unwrap_or_else(|| "none".into())
            };
            (get("start_login"), get("complete_login"), get("refresh"), get("resource1"), get("revoke"))
        })
        .unwrap_or_default()
}

/// How the keychain calls of this run used their Secret Service connections, from the
/// product's own connection counter (`None` when nothing counted them).
pub fn connections_sentence(r: &Report, l: Option<&Logins>) -> Option<String> {
    let k = r.keychain.as_ref()?;
    let round = k.round_connections?;
    let processes: Vec<(usize, usize)> = l
        .map(|l| {
            l.skyport
                .iter()
                .filter_map(|p| {
                    let n = |k: &str| p.info.get(k).and_then(|v| v.parse::<usize>().ok());
                    Some((n("keychain_connections")?, n("keychain_calls")?))
                })
                .collect()
        })
        .unwrap_or_default();
    let per_process = processes.iter().map(|(c, _)| *c).max();
    let calls = processes.iter().map(|(_, c)| *c).max();
    let process_part = match (per_process, calls) {
        (Some(c), Some(n)) => format!("; each Skyport login process made {c} for its {n} keychain calls"),
        _ => String::new(),
    };
    Some(if round + 1 >= k.round_calls && k.round_calls > 0 {
        format!(
            "Every call opens a D-Bus connection of its own and negotiates a new encrypted session (Diffie-Hellman) with the Secret Service: the keychain benchmark's {} calls made {round} connections{process_part}.",
            k.round_calls
        )
    } else {
        format!(
            "The calls of a process share one D-Bus connection and encrypted session: the keychain benchmark's first call, which connected, took {:.1} ms (timed apart), and its {} calls after it made {round} more connection{}{process_part}; so a call's time is the Secret Service's own work for it (Skyport looks the item up by its attributes, then reads, writes or deletes it: D-Bus requests answered by gnome-keyring).",
            k.first_call_ms,
            k.round_calls,
            if round == 1 { "" } else { "s" }
        )
    })
}

/// For a login that connected the process to the Secret Service: a sentence saying so.
pub fn connect_part(m: &Map, subject: &str) -> String {
    if med(m, "login_keychain_connections") >= 1.0 {
        format!(
            " {subject} first keychain call ({:.1} ms) also made the process's Secret Service connection and encrypted session (counted by the product: {:.0} in this login), which the later calls of the process reuse.",
            med(m, "login_keychain_first_call"),
            med(m, "login_keychain_connections"),
        )
    } else {
        String::new()
    }
}

/// Writes the section.
#[allow(clippy::too_many_arguments)]
pub fn render(
    s: &mut String,
    r: &Report,
    l: &Logins,
    ts_version: &str,
    tc: &Map,
    tw: &Map,
    rc: &Map,
    rw: &Map,
) {
    let _ = writeln!(s, "## Targets\n");
    let _ = writeln!(
        s,
        "Ratios are Skyport ÷ TS client {ts_version}, medians of the same run. Cold = the first login in a new process; warm = the second login in that process (same client object, caches kept). Client-side times include Skyport's durable storage (keychain and SQLite; the TS client keeps sessions in memory); the protocol phases are also compared alone, and Skyport's profile read after sign-in is shown apart (below). The keychain, scale and agent targets are absolute (no TS figure).\n"
    );
    let calls = keychain_calls(l);
    let mut rows: Vec<Row> = Vec::new();

    // Times against the TS client.
    let ratio_row = |label: &str, ours_key: &str, a: &Map, b: &Map, limit: f64, why: String| {
        let (ours, theirs) = (a.get(ours_key), b.get(ours_key));
        let q = ratio(ours, theirs);
        let ok = q.is_some_and(|q| q <= limit);
        let status = if q.is_none() { Status::NotJudged("not measured".into()) } else { Status::of(ok) };
        Row {
            label: label.to_owned(),
            ours: cell(ours, 1),
            theirs: cell(theirs, 1),
            ratio: ratio_cell(q),
            limit: format!("≤ {limit:.1}×"),
            why: matches!(status, Status::Missed).then_some(why),
            status,
        }
    };
    let protocol_why = |m: &Map, t: &Map, when: &str, limit: f64| {
        format!(
            "**client-side login, protocol phases, {when}**: {:.1} ms against the TS client's {:.1} ms ({:.2}×, target ≤ {limit:.1}×): resolve {:.1} ms, PAR {:.1} ms, token and identity check {:.1} ms, in {:.0} requests against {:.0}. [Login phases](#login-phases).",
            med(m, "login_protocol"),
            med(t, "login_protocol"),
            med(m, "login_protocol") / med(t, "login_protocol"),
            med(m, "resolve"),
            med(m, "par"),
            med(m, "token"),
            med(m, "req_login"),
            med(t, "req_login"),
        )
    };
    rows.push(ratio_row(
        "client-side login, protocol phases, cold (ms)",
        "login_protocol",
        rc,
        tc,
        0.5,
        protocol_why(rc, tc, "cold", 0.5),
    ));
    rows.push(ratio_row(
        "client-side login, protocol phases, warm (ms)",
        "login_protocol",
        rw,
        tw,
        0.5,
        protocol_why(rw, tw, "warm", 0.5),
    ));

    let storage_why = |m: &Map, t: &Map, label: &str, limit: f64| {
        let calls = format!("`start_login`: {}; `complete_login`: {}", calls.0, calls.1);
        let (ours, theirs, proto) =
            (med(m, "login_client"), med(t, "login_client"), med(m, "login_protocol"));
        let allowed = limit * theirs;
        let budget = allowed - proto;
        format!(
            "**{label}**: {ours:.1} ms against the TS client's {theirs:.1} ms ({:.2}×, target ≤ {limit:.1}×, {allowed:.1} ms). Its protocol phases take {proto:.1} ms ({:.2}×); the other {:.1} ms are durable storage, {:.1} ms of it keychain calls ({calls}), which the TS client, keeping sessions in memory, does not make.{} {} [Where Skyport's time goes](#where-skyports-time-goes).",
            ours / theirs,
            proto / med(t, "login_protocol"),
            med(m, "storage"),
            med(m, "storage_keychain"),
            connect_part(m, "Its"),
            if budget > 0.0 {
                format!(
                    "To meet the target beside these protocol phases, storage would have to take at most {budget:.1} ms."
                )
            } else {
                "The protocol phases alone already take what the target allows.".to_owned()
            },
        )
    };
    rows.push(ratio_row(
        "client-side login including durable storage, cold (ms)",
        "login_client",
        rc,
        tc,
        0.5,
        storage_why(rc, tc, "client-side login including durable storage, cold", 0.5),
    ));
    rows.push(ratio_row(
        "client-side login including durable storage, warm (ms)",
        "login_client",
        rw,
        tw,
        1.0,
        storage_why(rw, tw, "client-side login including durable storage, warm", 1.0),
    ));

    let call_why = |m: &Map, t: &Map, key: &str, label: &str, limit: f64| {
        let wire = med(m, &format!("{key}_protocol"));
        let what = if key == "refresh" {
            format!(
                "{wire:.1} ms on the wire ({:.0} request{}), {:.1} ms writing the rotated tokens to the keychain before they are used, {:.1} ms reading the session from the keychain first (under the account's lock), {:.1} ms SQLite and locks (keychain calls: {}); the TS client's time is all protocol ({:.0} requests)",
                med(m, "req_refresh"),
                if med(m, "req_refresh") == 1.0 { "" } else { "s" },
                med(m, "refresh_keychain_write"),
                med(m, "refresh_keychain_read"),
                med(m, "refresh_other"),
                calls.2,
                med(t, "req_refresh"),
            )
        } else {
            format!(
                "{wire:.1} ms on the wire (the revocation request), {:.1} ms reading the session from the keychain before the server is asked to revoke, {:.1} ms deleting it, {:.1} ms SQLite and locks (keychain calls: {}); the TS client keeps its session in memory",
                med(m, "revoke_keychain_read"),
                med(m, "revoke_keychain_write"),
                med(m, "revoke_other"),
                calls.4,
            )
        };
        let (ours, theirs, other) = (med(m, key), med(t, key), med(m, &format!("{key}_other")));
        let allowed = limit * theirs;
        let budget = allowed - wire - other;
        format!(
            "**{label}**: {ours:.1} ms against the TS client's {theirs:.1} ms ({:.2}×, target ≤ {limit:.1}×, {allowed:.1} ms): {what}. {} [Where Skyport's time goes](#where-skyports-time-goes).",
            ours / theirs,
            if budget > 0.0 {
                format!(
                    "To meet the target beside the wire time and the rest, its keychain calls ({:.1} ms here) would have to take at most {budget:.1} ms.",
                    med(m, &format!("{key}_keychain"))
                )
            } else {
                "The wire time and the rest alone already take what the target allows.".to_owned()
            },
        )
    };
    for (label, why_label, a, b) in [
        (
            "refresh end to end, keychain write included, cold process (ms)",
            "refresh end to end, keychain write included, cold process",
            rc,
            tc,
        ),
        (
            "refresh end to end, keychain write included, warm (ms)",
            "refresh end to end, keychain write included, warm",
            rw,
            tw,
        ),
    ] {
        rows.push(ratio_row(label, "refresh", a, b, 0.5, call_why(a, b, "refresh", why_label, 0.5)));
    }
    for (label, why_label, a, b) in [
        ("sign-out (revoke), cold process (ms)", "sign-out (revoke), cold process", rc, tc),
        ("sign-out (revoke), warm (ms)", "sign-out (revoke), warm", rw, tw),
    ] {
        rows.push(ratio_row(label, "revoke", a, b, 1.0, call_why(a, b, "revoke", why_label, 1.0)));
    }

    // The keychain, absolute.
    let connections = connections_sentence(r, Some(l));
    for (key, label, limit) in [
        ("get", "one Secret Service get (ms)", KEYCHAIN_GET_MS),
        ("put_new", "one Secret Service put, new item (ms; a login's session)", KEYCHAIN_PUT_MS),
        ("put_replace", "one Secret Service put, replacing an item (ms; a token rotation)", KEYCHAIN_PUT_MS),
    ] {
        let v = r.keychain.as_ref().and_then(|k| k.calls.get(key));
        let status = match v {
            None => Status::NotJudged("keychain section not run".into()),
            Some(v) => Status::of(v.median <= limit),
        };
        let why = matches!(status, Status::Missed).then(|| {
            let v = v.expect("measured");
            format!(
                "**{}**: {:.2} ms (median of {} call{}, {:.2}–{:.2}) against ≤ {limit:.0} ms",
                label.split(" (").next().unwrap_or(label),
                v.median,
                v.n,
                if v.n == 1 { "" } else { "s" },
                v.min,
                v.max,
            )
        });
        rows.push(Row {
            label: label.into(),
            ours: cell(v, 2),
            theirs: "—".into(),
            ratio: "—".into(),
            limit: format!("≤ {limit:.0} ms"),
            status,
            why,
        });
    }
    // The missed keychain targets share one explanation: one bullet for them all.
    let keychain_rows = rows.len() - 3..rows.len();
    let missed: Vec<String> =
        rows[keychain_rows.clone()].iter_mut().filter_map(|row| row.why.take()).collect();
    if let Some(first) = rows[keychain_rows].iter_mut().find(|row| matches!(row.status, Status::Missed)) {
        first.why = Some(format!(
            "{}. {}[Keychain](#keychain-secret-service).",
            missed.join("; "),
            connections.as_deref().map(|c| format!("{c} ")).unwrap_or_default()
        ));
    }

    // Scale, absolute, with the PDS's share beside it.
    match &r.scale.real {
        None => rows.push(Row {
            label: format!("{SCALE_ACCOUNTS} real accounts refreshed 4 at a time: one round (ms)"),
            ours: "—".into(),
            theirs: "—".into(),
            ratio: "—".into(),
            limit: format!("≤ {SCALE_ROUND_MS:.0} ms"),
            status: Status::NotJudged("scale section not run".into()),
            why: None,
        }),
        Some(x) => {
            let round = x.round_ms.median;
            let pds = x.round_pds_ms.median;
            let status = if x.accounts != SCALE_ACCOUNTS {
                Status::NotJudged(format!(
                    "{} accounts in this run, the target is for {SCALE_ACCOUNTS}",
                    x.accounts
                ))
            } else {
                Status::of(round <= SCALE_ROUND_MS)
            };
            let why = matches!(status, Status::Missed).then(|| {
                let kc = x.round_keychain_ms.median;
                let client = round - pds;
                format!(
                    "**{} real accounts refreshed {} at a time**: {round:.0} ms a round against ≤ {SCALE_ROUND_MS:.0} ms. A request of the round ({:.0} token requests) was at the PDS during {pds:.0} ms of it ({:.0}%); a keychain call ({:.0} calls; a refresh's: {}) was under way during {kc:.0} ms ({:.0}%), with no request outstanding during {:.0} ms of that; neither was under way during {:.0} ms (SQLite, locks, DPoP proofs). {} [Scale](#scale).",
                    x.accounts,
                    x.concurrency,
                    x.round_token_requests.median,
                    100.0 * pds / round,
                    x.round_keychain_calls.median,
                    calls.2,
                    100.0 * kc / round,
                    x.round_keychain_only_ms.median,
                    x.round_neither_ms.median,
                    if pds < SCALE_ROUND_MS {
                        format!(
                            "The PDS's share alone fits in the target; the {client:.0} ms with no request outstanding are Skyport's own, and would have to shrink to {:.0} ms.",
                            SCALE_ROUND_MS - pds
                        )
                    } else {
                        format!(
                            "The PDS's share alone is over the target: at this concurrency the PDS (one Node process, on the same {} cores as the client and gnome-keyring) did not answer {:.0} token requests within {SCALE_ROUND_MS:.0} ms here.",
                            r.machine.cores,
                            x.round_token_requests.median
                        )
                    }
                )
            });
            rows.push(Row {
                label: format!(
                    "{} real accounts refreshed {} at a time: one round (ms)",
                    x.accounts, x.concurrency
                ),
                ours: x.round_ms.fmt(0),
                theirs: "—".into(),
                ratio: "—".into(),
                limit: format!("≤ {SCALE_ROUND_MS:.0} ms"),
                status,
                why,
            });
            rows.push(Row {
                label: "↳ the PDS's share: a request of the round at the PDS (ms)".into(),
                ours: format!("{} ({:.0}% of the round)", x.round_pds_ms.fmt(0), 100.0 * pds / round),
                theirs: "—".into(),
                ratio: "—".into(),
                limit: "—".into(),
                status: Status::Reference,
                why: None,
            });
        }
    }

    // The agent, absolute.
    agent_rows(&mut rows, r);

    // Requests (unchanged targets).
    let worst =
        |key: &str| [rc, rw].iter().filter_map(|m| m.get(key)).map(|v| v.max).fold(f64::NAN, f64::max);
    let typical =
        |key: &str| [rc, rw].iter().filter_map(|m| m.get(key)).map(|v| v.median).fold(f64::NAN, f64::max);
    let resource_worst =
        ["req_resource1", "req_resource2", "req_resource3"].iter().map(|k| worst(k)).fold(f64::NAN, f64::max);
    for (label, ours, theirs, ok, limit) in [
        (
            "HTTP requests per login, cold",
            rc.get("req_login"),
            tc.get("req_login"),
            worst_of(rc, "req_login") <= 7.0,
            "≤ 7",
        ),
        (
            "HTTP requests per login, warm",
            rw.get("req_login"),
            tw.get("req_login"),
            worst_of(rw, "req_login") <= 6.0,
            "≤ 6",
        ),
        (
            "HTTP requests per refresh",
            rw.get("req_refresh"),
            tw.get("req_refresh"),
            typical("req_refresh") <= 1.0 && worst("req_refresh") <= 2.0,
            "1 (2 only when the nonce rotated)",
        ),
        (
            "HTTP requests per resource call",
            rw.get("req_resource2"),
            tw.get("req_resource2"),
            resource_worst <= 1.0,
            "1",
        ),
    ] {
        rows.push(Row {
            label: label.into(),
            ours: cell(ours, 0),
            theirs: cell(theirs, 0),
            ratio: ratio_cell(ratio(ours, theirs)),
            limit: limit.into(),
            why: (!ok).then(|| {
                format!(
                    "**{label}**: {} against {limit} (the worst of the run counts). [HTTP requests](#http-requests-counted-from-the-request-log).",
                    cell(ours, 0)
                )
            }),
            status: Status::of(ok),
        });
    }

    let _ = writeln!(s, "| target | Skyport | TS client | ratio | target | |\n|---|---|---|---|---|---|");
    for row in &rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            row.label,
            row.ours,
            row.theirs,
            row.ratio,
            row.limit,
            row.status.text()
        );
    }
    if let Some(x) = &r.scale.real {
        let _ = writeln!(
            s,
            "\nThe PDS's share of a scale round is the time during which at least one of the round's {:.0} requests was at the PDS (sent and its response not yet read, timed around each exchange by the runner's wrapper of Skyport's own HTTP client, overlapping requests counted once): an upper bound of the PDS's own time in the round, loopback transfer included; the rest of the round no request was outstanding, so it is client time.",
            x.round_requests.median
        );
    }

    let _ = writeln!(s, "\nFor reference (not targets):\n");
    let _ = writeln!(s, "| | Skyport | TS client | ratio |\n|---|---|---|---|");
    for (label, ours, theirs, a, b) in [
        (
            "refresh, cold process (ms; the rotation's keychain write apart)",
            "refresh_excl_write",
            "refresh",
            rc,
            tc,
        ),
        ("refresh, warm (ms; the rotation's keychain write apart)", "refresh_excl_write", "refresh", rw, tw),
        ("↳ the rotation's keychain write, warm (ms)", "refresh_keychain_write", "", rw, tw),
        ("refresh, time on the wire only, warm (ms)", "refresh_protocol", "refresh", rw, tw),
        ("resource call, warm (ms)", "resource2", "resource2", rw, tw),
    ] {
        let theirs = b.get(theirs);
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} |",
            cell(a.get(ours), 1),
            cell(theirs, 1),
            ratio_cell(ratio(a.get(ours), theirs))
        );
    }
    if let Some(x) = &r.scale.real {
        let _ = writeln!(
            s,
            "| scale round: the {:.0} requests' round trips added up (ms; concurrent ones each counted) | {} | — | — |",
            x.round_requests.median,
            x.round_request_sum_ms.fmt(0)
        );
    }
    let _ = writeln!(s);

    // Every missed row has its why, but missed keychain rows share the first one's.
    let missed: Vec<&Row> =
        rows.iter().filter(|r| matches!(r.status, Status::Missed) && r.why.is_some()).collect();
    if missed.is_empty() {
        let _ = writeln!(s, "Every target judged in this run is met.\n");
    } else {
        let _ = writeln!(s, "Missed in this run, and why:\n");
        for row in missed {
            let _ = writeln!(s, "- {}", row.why.as_deref().unwrap_or_default());
        }
        if r.build == "debug" {
            let _ = writeln!(
                s,
                "\nThese are figures of a **debug** build (see the note under [Where Skyport's time goes](#where-skyports-time-goes)); `.ci/bench` measures release builds."
            );
        }
        if r.machine.load.iter().any(|l| l.compilers > 0) {
            let _ = writeln!(
                s,
                "\nCompilations not started by the suite ran during this run (see [Machine](#machine)): absolute times, the keychain targets' included, are higher than on an idle machine."
            );
        }
        let _ = writeln!(s);
    }
}

/// The agent's targets: its per-call overhead over `Accounts::api`, and the memory of the
/// agent process while a 50 MB blob goes through it.
fn agent_rows(rows: &mut Vec<Row>, r: &Report) {
    use crate::agent::OVERHEAD_MS;
    use crate::agent_upload::GROWTH_MB;
    let Some(x) = &r.agent else {
        for (label, limit) in [
            (
                "agent call overhead: through the agent − direct, median call (ms)",
                format!("≤ +{OVERHEAD_MS:.0} ms"),
            ),
            ("50 MB upload through the agent process: its RSS growth (MB)", format!("≤ {GROWTH_MB:.0} MB")),
        ] {
            rows.push(Row {
                label: label.into(),
                ours: "—".into(),
                theirs: "—".into(),
                ratio: "—".into(),
                limit,
                status: Status::NotJudged("agent section not run".into()),
                why: None,
            });
        }
        return;
    };
    let (c, u) = (&x.calls, &x.upload);
    let diff = c.difference_ms.median;
    let status = Status::of(diff <= OVERHEAD_MS);
    let why = matches!(status, Status::Missed).then(|| {
        let requests = if c.agent_requests_per_call <= 1.0 && c.direct_requests_per_call <= 1.0 {
            "both paths made one PDS request per call".to_owned()
        } else {
            format!(
                "the paths made {:.2} (agent) and {:.2} (direct) PDS requests per call: the extra requests (refreshes or nonce retries) are part of the difference",
                c.agent_requests_per_call, c.direct_requests_per_call
            )
        };
        let split = match (c.agent_wire_ms, c.direct_wire_ms, c.agent_own_ms, c.direct_own_ms) {
            (Some(aw), Some(dw), Some(ao), Some(d)) => format!(
                " Split at the PDS request: it took {:.2} ms through the agent and {:.2} ms direct; the rest, Skyport's own time, {:.2} ms against {:.2} ms ({:+.2} ms).",
                aw.median,
                dw.median,
                ao.median,
                d.median,
                ao.median - d.median
            ),
            _ => String::new(),
        };
        let after = match (
            c.direct_after_agent_ms,
            c.direct_after_direct_ms,
            c.agent_after_direct_ms,
            c.agent_after_agent_ms,
        ) {
            (Some(da), Some(dd), Some(ad), Some(aa)) => format!(
                " Of the agent's own work, the key check takes {:.3} ms; the audit entry it writes after each answer (one SQLite transaction with a synced commit, on the account manager's single connection) {:.3} ms, and the next call meets that commit: a direct call right after an agent call took {:.2} ms against {:.2} ms after a direct one, and an agent call right after a direct one (no audit commit pending) {:.2} ms ({:+.2} ms over direct), against {:.2} ms right after another agent call.",
                c.key_check_ms.median,
                c.audit_write_ms.median,
                da.median,
                dd.median,
                ad.median,
                ad.median - dd.median,
                aa.median
            ),
            _ => String::new(),
        };
        let split = format!("{split}{after}");
        format!(
            "**agent call overhead**: in each run the median call through the agent took longer than the direct one by {} ms (median of the runs {diff:+.2} ms, target ≤ +{OVERHEAD_MS:.0} ms; over the runs the medians were {:.2} ms through the agent and {:.2} ms direct); {requests}.{split} [Agent](#agent-local-xrpc-gateway).",
            crate::report_md::signed(&c.difference_ms, 2),
            c.agent_ms.median,
            c.direct_ms.median,
        )
    });
    rows.push(Row {
        label: "agent call overhead: through the agent − direct, median call (ms)".into(),
        ours: format!(
            "{}; medians: agent {:.2}, direct {:.2}",
            crate::report_md::signed(&c.difference_ms, 2),
            c.agent_ms.median,
            c.direct_ms.median
        ),
        theirs: "—".into(),
        ratio: "—".into(),
        limit: format!("≤ +{OVERHEAD_MS:.0} ms"),
        why,
        status,
    });
    let growth = u.growth_mb.median;
    let status = Status::of(growth <= GROWTH_MB);
    let why = matches!(status, Status::Missed).then(|| {
        format!(
            "**{} MB upload through the agent process**: its RSS grew by {growth:.1} MB ({:.1} MB before, peak {:.1} MB) against ≤ {GROWTH_MB:.0} MB. [Agent](#agent-local-xrpc-gateway).",
            u.bytes / 1_000_000,
            u.rss_before_mb.median,
            u.peak_mb.median,
        )
    });
    rows.push(Row {
        label: format!("{} MB upload through the agent process: its RSS growth (MB)", u.bytes / 1_000_000),
        ours: u.growth_mb.fmt(1),
        theirs: "—".into(),
        ratio: "—".into(),
        limit: format!("≤ {GROWTH_MB:.0} MB"),
        why,
        status,
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::agent::{Counts, InProcess};
    use crate::agent_upload::Upload;
    use crate::flows::{LoginResult, ProcessResult};
    use crate::keychain::Keychain;
    use crate::machine::Machine;
    use crate::report::{AgentBench, Logins, Report, Scale};
    use crate::scale::Real;
    use crate::stats::Summary;

    fn one(v: f64) -> Summary {
        Summary { median: v, min: v, max: v, n: 1 }
    }

    fn process(client: &str, metrics: &[(&str, f64)]) -> ProcessResult {
        let metrics: BTreeMap<String, f64> = metrics.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        let login = LoginResult { metrics, ..Default::default() };
        ProcessResult { client: client.into(), logins: vec![login.clone(), login], ..Default::default() }
    }

    /// A run that misses the keychain and scale targets (and has no agent section).
    fn report() -> Report {
        let ts = process(
            "ts",
            &[("login_protocol", 200.0), ("login_client", 200.0), ("refresh", 50.0), ("revoke", 15.0)],
        );
        let skyport = process(
            "skyport",
            &[
                ("login_protocol", 40.0),
                ("login_client", 60.0),
                ("storage", 20.0),
                ("storage_keychain", 15.0),
                ("refresh", 20.0),
                ("refresh_protocol", 10.0),
                ("refresh_other", 2.0),
                ("refresh_keychain", 8.0),
                ("revoke", 12.0),
                ("req_login", 7.0),
                ("req_refresh", 1.0),
                ("req_resource1", 1.0),
                ("req_resource2", 1.0),
                ("req_resource3", 1.0),
            ],
        );
        let calls: BTreeMap<String, Summary> =
            [("get", one(4.0)), ("put_new", one(9.0)), ("put_replace", one(5.0))]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
        Report {
            command: ".ci/bench".into(),
            mode: "full",
            build: "release",
            runs: 1,
            date: String::new(),
            duration_s: 1.0,
            machine: Machine {
                cpu: "cpu".into(),
                cores: 2,
                memory_gib: 1.0,
                os: "os".into(),
                kernel: "k".into(),
                rustc: "rustc".into(),
                node: "node".into(),
                load: Vec::new(),
            },
            network: BTreeMap::new(),
            logins: Some(Logins { ts: vec![ts], skyport: vec![skyport] }),
            keychain: Some(Keychain {
                backend: "secret-service".into(),
                calls,
                first_call_ms: 5.0,
                first_call_connections: Some(1),
                round_calls: 100,
                round_connections: Some(0),
            }),
            dpop_criterion: None,
            dpop_jose: None,
            scale: Scale {
                seeded: Vec::new(),
                real: Some(Real {
                    accounts: 100,
                    concurrency: 4,
                    create_ms: 1.0,
                    sign_in_ms: 1.0,
                    round_ms: one(3000.0),
                    round_requests: one(100.0),
                    refresh_ms: one(100.0),
                    round_keychain_calls: one(200.0),
                    round_token_requests: one(100.0),
                    round_pds_ms: one(1500.0),
                    round_request_sum_ms: one(4000.0),
                    request_ms: one(40.0),
                    round_keychain_ms: one(1400.0),
                    round_keychain_only_ms: one(1300.0),
                    round_neither_ms: one(200.0),
                    round_keychain_connections: Some(0),
                    rounds: 1,
                    sign_out_all_ms: 1.0,
                    sign_out_all_requests: 100,
                }),
            },
            agent: None,
            desktop: None,
        }
    }

    /// A run that misses the keychain and scale targets: each says why, with no missing figure.
    #[test]
    fn missed_absolute_targets_say_why() {
        let report = report();
        let md = crate::report_md::render(&report, "x.svg", "x.json");
        let targets = &md[md.find("## Targets").unwrap()..md.find("## Login phases").unwrap()];
        for row in [
            "| one Secret Service get (ms) | 4.00 |",
            "| one Secret Service put, new item (ms; a login's session) | 9.00 |",
            "| 100 real accounts refreshed 4 at a time: one round (ms) | 3000 |",
        ] {
            let line = targets.lines().find(|l| l.starts_with(row)).unwrap_or_else(|| panic!("{row}"));
            assert!(line.ends_with("❌ missed |"), "{line}");
        }
        let replace = targets.lines().find(|l| l.contains("replacing an item")).unwrap();
        assert!(replace.ends_with("✅ met |"), "{replace}");
        assert!(
            targets.contains("- **one Secret Service get**: 4.00 ms (median of 1 call, 4.00–4.00) against ≤ 3 ms; **one Secret Service put, new item**: 9.00 ms"),
            "{targets}"
        );
        assert!(targets.contains("The PDS's share alone fits in the target"), "{targets}");
        assert!(targets.contains("1500 (50% of the round)"), "{targets}");
        assert!(!targets.contains("NaN"), "{targets}");
    }

    fn agent(difference_ms: f64, growth_mb: f64) -> AgentBench {
        let counts = Counts::new(false);
        AgentBench {
            calls: InProcess {
                query: crate::agent::QUERY,
                counts,
                callers: 16,
                direct_ms: one(5.0),
                agent_ms: one(5.0 + difference_ms),
                difference_ms: one(difference_ms),
                direct_wire_ms: Some(one(4.0)),
                agent_wire_ms: Some(one(4.0)),
                direct_own_ms: Some(one(1.0)),
                agent_own_ms: Some(one(1.0 + difference_ms)),
                direct_after_agent_ms: Some(one(5.5)),
                direct_after_direct_ms: Some(one(5.0)),
                agent_after_direct_ms: Some(one(5.0 + difference_ms)),
                agent_after_agent_ms: Some(one(5.0 + difference_ms)),
                key_check_ms: one(0.04),
                audit_write_ms: one(0.4),
                direct_requests_per_call: 1.0,
                agent_requests_per_call: 1.0,
                direct_calls_per_s: one(400.0),
                agent_calls_per_s: one(300.0),
                direct_loaded_ms: one(30.0),
                agent_loaded_ms: one(45.0),
                direct_cpu_ms: one(0.5),
                agent_cpu_ms: one(0.8),
                overhead_runs: Vec::new(),
                throughput_runs: Vec::new(),
            },
            upload: Upload {
                bytes: 50_000_000,
                rss_before_mb: one(20.0),
                peak_mb: one(20.0 + growth_mb),
                growth_mb: one(growth_mb),
                upload_ms: one(1000.0),
                body_sent_ms: one(400.0),
                after_body_ms: one(600.0),
                direct_upload_ms: one(500.0),
                hwm_reset: true,
                runs: Vec::new(),
            },
            duration_s: 10.0,
        }
    }

    /// The agent's two targets, met and missed, and its section, with no missing figure.
    #[test]
    fn agent_targets_are_judged_and_a_miss_says_why() {
        let overhead = "| agent call overhead: through the agent − direct, median call (ms) |";
        let memory = "| 50 MB upload through the agent process: its RSS growth (MB) |";
        let mut r = report();
        let md = crate::report_md::render(&r, "x.svg", "x.json");
        for row in [overhead, memory] {
            let line = md.lines().find(|l| l.starts_with(row)).unwrap_or_else(|| panic!("{row}"));
            assert!(line.ends_with("➖ not judged (agent section not run) |"), "{line}");
        }
        assert!(!md.contains("## Agent"));

        r.agent = Some(agent(0.4, 3.0));
        let md = crate::report_md::render(&r, "x.svg", "x.json");
        let line = md.lines().find(|l| l.starts_with(overhead)).unwrap();
        assert_eq!(
            line,
            format!("{overhead} +0.40; medians: agent 5.40, direct 5.00 | — | — | ≤ +1 ms | ✅ met |")
        );
        assert!(
            md.lines()
                .find(|l| l.starts_with(memory))
                .unwrap()
                .ends_with("| 3.0 | — | — | ≤ 16 MB | ✅ met |")
        );
        let section =
            &md[md.find("## Agent (local XRPC gateway)").unwrap()..md.find("## How it is measured").unwrap()];
        assert!(
            section.contains("| **one call, warm** (ms; median of 200 per run) | 5.00 | 5.40 | +0.40 |"),
            "{section}"
        );
        assert!(section.contains("| **upload through the agent**: first byte sent → the PDS's answer read (ms) | 1000; 50 MB/s |"), "{section}");
        assert!(!section.contains("NaN"), "{section}");

        r.agent = Some(agent(1.6, 20.0));
        let md = crate::report_md::render(&r, "x.svg", "x.json");
        for row in [overhead, memory] {
            assert!(md.lines().find(|l| l.starts_with(row)).unwrap().ends_with("❌ missed |"));
        }
        assert!(md.contains("- **agent call overhead**: in each run the median call through the agent took longer than the direct one by +1.60 ms (median of the runs +1.60 ms, target ≤ +1 ms; over the runs the medians were 6.60 ms through the agent and 5.00 ms direct); both paths made one PDS request per call. Split at the PDS request: it took 4.00 ms through the agent and 4.00 ms direct; the rest, Skyport's own time, 2.60 ms against 1.00 ms (+1.60 ms). Of the agent's own work, the key check takes 0.040 ms; the audit entry it writes after each answer (one SQLite transaction with a synced commit, on the account manager's single connection) 0.400 ms, and the next call meets that commit: a direct call right after an agent call took 5.50 ms against 5.00 ms after a direct one, and an agent call right after a direct one (no audit commit pending) 6.60 ms (+1.60 ms over direct), against 6.60 ms right after another agent call."), "{md}");
        assert!(md.contains("- **50 MB upload through the agent process**: its RSS grew by 20.0 MB (20.0 MB before, peak 40.0 MB) against ≤ 16 MB."), "{md}");
    }
}
