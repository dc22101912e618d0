//! The login-phase chart: one stacked bar per client and cold/warm, medians.

use std::fmt::Write as _;

use crate::report::ClientSummary;

const PHASES: [(&str, &str, &str); 4] = [
    ("resolve", "resolve", "#4e79a7"),
    ("par", "PAR", "#f28e2b"),
    ("token", "token + identity check", "#59a14f"),
    ("storage", "durable storage (keychain + SQLite)", "#e15759"),
];
const PROFILE_COLOR: &str = "#bab0ac";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A round step for about six ticks.
fn step(max: f64) -> f64 {
    let raw = (max / 6.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag)
}

/// The SVG.
pub fn login_phases(ts: &ClientSummary, rs: &ClientSummary) -> String {
    let get = |c: &ClientSummary, i: usize, k: &str| {
        c.logins.get(i).and_then(|m| m.get(k)).map_or(0.0, |s| s.median)
    };
    let n_runs = ts.logins.first().and_then(|m| m.get("resolve")).map_or(0, |s| s.n);
    let rows: Vec<(String, &ClientSummary, usize)> = vec![
        ("TS client, cold".into(), ts, 0),
        ("Skyport, cold".into(), rs, 0),
        ("TS client, warm".into(), ts, 1),
        ("Skyport, warm".into(), rs, 1),
    ];
    let total = |c: &ClientSummary, i: usize| PHASES.iter().map(|(k, _, _)| get(c, i, k)).sum::<f64>();
    let max =
        rows.iter().map(|(_, c, i)| total(c, *i) + get(c, *i, "profile") * 1.0 + 8.0).fold(1.0, f64::max);
    let (left, width, bar, gap, top) = (150.0, 600.0, 34.0, 18.0, 58.0);
    let scale = width / max;
    let height = top + rows.len() as f64 * (bar + gap) + 96.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" viewBox="0 0 {w} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="22" font-size="15" font-weight="bold">Login, client side: median ms over {n_runs} runs (approval excluded)</text>
<text x="12" y="40" fill="#555">Same local PDS, same run, alternating clients. Cold: first login in a new process; warm: second login in it.</text>
"##,
        w = left + width + 90.0
    );
    let tick = step(max);
    let mut t = 0.0;
    let axis_y = top + rows.len() as f64 * (bar + gap);
    while t <= max {
        let x = left + t * scale;
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{axis_y}" stroke="#e5e5e5"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555">{t}</text>"##,
            axis_y + 14.0
        );
        t += tick;
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">ms</text>"##,
        left + width / 2.0,
        axis_y + 30.0
    );
    for (row, (label, c, i)) in rows.iter().enumerate() {
        let y = top + row as f64 * (bar + gap);
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-weight="bold">{}</text>"##,
            left - 8.0,
            y + bar / 2.0 + 4.0,
            esc(label)
        );
        let mut x = left;
        for (key, _, color) in PHASES {
            let v = get(c, *i, key);
            if v <= 0.0 {
                continue;
            }
            let w = v * scale;
            let _ = writeln!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{bar}" fill="{color}"><title>{key}: {v:.1} ms</title></rect>"##
            );
            if w > 30.0 {
                let _ = writeln!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#fff">{v:.0}</text>"##,
                    x + w / 2.0,
                    y + bar / 2.0 + 4.0
                );
            }
            x += w;
        }
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-weight="bold">{:.1}</text>"##,
            x + 6.0,
            y + bar / 2.0 - 2.0,
            total(c, *i)
        );
        let profile = get(c, *i, "profile");
        if profile > 0.0 {
            let w = profile * scale;
            let py = y + bar + 2.0;
            let _ = writeln!(
                s,
                r##"<rect x="{x:.1}" y="{py:.1}" width="{w:.1}" height="8" fill="{PROFILE_COLOR}"><title>profile record read after sign-in (apart): {profile:.1} ms</title></rect><text x="{:.1}" y="{:.1}" fill="#777" font-size="10">+{profile:.0} profile read (apart)</text>"##,
                x + w + 4.0,
                py + 8.0
            );
        }
    }
    let (mut lx, mut ly) = (12.0, axis_y + 52.0);
    let right = left + width + 80.0;
    for (_, name, color) in
        PHASES.iter().copied().chain([("", "profile record read (apart, not in the total)", PROFILE_COLOR)])
    {
        let item = 16.0 + name.len() as f64 * 6.6 + 14.0;
        if lx + item > right {
            lx = 12.0;
            ly += 18.0;
        }
        let _ = writeln!(
            s,
            r##"<rect x="{lx:.1}" y="{:.1}" width="12" height="12" fill="{color}"/><text x="{:.1}" y="{ly:.1}">{}</text>"##,
            ly - 10.0,
            lx + 16.0,
            esc(name)
        );
        lx += item;
    }
    s.push_str("</svg>\n");
    s
}
