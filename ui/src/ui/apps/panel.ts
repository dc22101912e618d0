// The Connected apps tab: the agent's state, the account's keys (never a key itself), Connect
// an app, Revoke, and the latest calls through the agent. Drawn from the store only.
import { h, icon, spinner, uid, type Child } from "../../lib/dom";
import { accountLabel, callTime, dateTime, duration, plural, relative } from "../../lib/format";
import type { AccountSummary, Activity, AgentView, ConnectedApp } from "../../lib/ipc/types";
import type { AppState, AppsData } from "../../lib/store";
import { button, errorCallout } from "../components";
import { openConnectApp } from "./connect";
import { loadAgent, loadApps } from "./load";
import { confirmRevoke } from "./revoke";

export function appsPanel(a: AccountSummary, s: AppState): HTMLElement {
  const data = s.apps.get(a.did);
  if (!data) void loadApps(a.did);
  const headingId = uid("apps-heading");
  return h(
    "div",
    { class: "apps", testid: "apps-panel", "aria-busy": data ? undefined : "true" },
    agentStrip(s.agent),
    h(
      "section",
      { class: "apps-section", "aria-labelledby": headingId },
      h(
        "div",
        { class: "section-head" },
        h(
          "h3",
          { id: headingId },
          "Connected apps",
          data?.apps ? h("span", { class: "count", testid: "apps-count" }, String(data.apps.length)) : null,
        ),
        h("span", { class: "spacer" }),
        button("Connect an app", {
          testid: "connect-app",
          variant: "primary",
          small: true,
          icon: "plus",
          onClick: (ev) => openConnectApp(a, ev.currentTarget as HTMLElement),
        }),
      ),
      h(
        "p",
        { class: "muted" },
        `Scripts and SDKs act as ${accountLabel(a)} through Skyport's agent, each with a key of its own instead of an app password. Revoke a key and that program stops at once.`,
      ),
      appList(a, data),
    ),
    activitySection(a, data),
  );
}

function agentStrip(agent: AgentView | null): HTMLElement {
  if (!agent) {
    return h("div", { class: "agent-strip", testid: "agent-status", dataset: { state: "loading" }, role: "status" }, spinner(), "Checking the agent…");
  }
  const address = agent.address ? h("code", { testid: "agent-address" }, agent.address) : null;
  if (agent.on) {
    const other = agent.served_by === "another_process";
    const c = agent.counters;
    return h(
      "div",
      { class: ["agent-strip", "is-on"], testid: "agent-status", dataset: { state: other ? "other" : "on" }, role: "status" },
      h("span", { class: "agent-dot", "aria-hidden": "true" }),
      h(
        "div",
        { class: "agent-text" },
        h(
          "div",
          { class: "agent-head" },
          h("p", { class: "agent-title", testid: "agent-title" }, other ? ["Served by another Skyport process at ", address] : ["Agent on at ", address]),
          c
            ? h(
                "p",
                { class: "agent-counters muted small", testid: "agent-counters" },
                [plural(c.requests, "request"), c.refused ? `${c.refused} refused` : null, c.failed ? `${c.failed} failed` : null, `up ${duration(c.uptime_secs)}`]
                  .filter(Boolean)
                  .join(" · "),
              )
            : null,
        ),
        h(
          "p",
          { class: "muted small" },
          other
            ? `Process ${c?.pid ?? "?"} (for example skyport agent run) serves this computer's accounts; keys made here work there.`
            : "Programs use this address as their service URL, and a key as their password.",
        ),
      ),
    );
  }
  return h(
    "div",
    { class: ["agent-strip", "is-off"], testid: "agent-status", dataset: { state: "off" }, role: "status" },
    icon("alert"),
    h(
      "div",
      { class: "agent-text" },
      h("p", { class: "agent-title", testid: "agent-title" }, "Agent off: ", h("span", { class: "untrusted-inline", testid: "agent-error" }, agent.error ?? "not running")),
      h(
        "p",
        { class: "small" },
        "Keys can still be made; programs can use them once the agent runs",
        address ? [" at ", address] : null,
        ".",
      ),
    ),
    button("Check again", { testid: "agent-retry", small: true, icon: "refresh", onClick: () => void loadAgent() }),
  );
}

function appList(a: AccountSummary, data: AppsData | undefined): Child {
  if (!data) {
    return h("p", { class: "muted loading-line", testid: "apps-loading" }, spinner(), "Loading connected apps…");
  }
  const error = data.error
    ? errorCallout(
        data.error,
        button("Try again", { testid: "apps-retry", small: true, onClick: () => void loadApps(a.did, { force: true }) }),
        "apps-error",
        true,
      )
    : null;
  if (!data.apps) return error;
  if (data.apps.length === 0) {
    return [
      error,
      h(
        "div",
        { class: "apps-empty", testid: "apps-empty" },
        h("p", null, "No connected apps yet."),
        h("p", { class: "muted small" }, "Connect a bot, script or SDK to give it a key for this account. It never sees your password or Skyport's tokens."),
      ),
    ];
  }
  return [error, h("ul", { class: "app-list", testid: "app-list", "aria-label": "Connected apps" }, data.apps.map(appItem))];
}

function appItem(app: ConnectedApp): HTMLElement {
  return h(
    "li",
    { class: ["app-item", app.expired && "is-expired"], testid: "app-item", dataset: { name: app.name } },
    h("span", { class: "app-icon", "aria-hidden": "true" }, icon("key")),
    h(
      "div",
      { class: "app-text" },
      h(
        "p",
        { class: "app-title" },
        h("span", { class: "app-name", testid: "app-name" }, app.name),
        app.ephemeral ? h("span", { class: "tag" }, "skyport run") : null,
        app.expired ? h("span", { class: "tag tag-red", testid: "app-expired" }, "Expired") : null,
      ),
      h("p", { class: "app-rules", testid: "app-rules" }, app.rules_text),
      h(
        "p",
        { class: "app-meta", testid: "app-meta" },
        h("span", { testid: "app-created" }, `Created ${dateTime(app.created_at)}`),
        " · ",
        h("span", { testid: "app-last-used" }, app.last_used_at ? `Last used ${relative(app.last_used_at)}` : "Never used"),
        " · ",
        h("span", { testid: "app-calls" }, plural(app.calls, "call")),
        " · ",
        h("span", { testid: "app-expiry" }, expiry(app)),
      ),
    ),
    button("Revoke", {
      testid: "revoke-app",
      key: `revoke-${app.name}`,
      small: true,
      variant: "danger-ghost",
      icon: "x",
      ariaLabel: `Revoke ${app.name}`,
      onClick: (ev) => confirmRevoke(app, ev.currentTarget as HTMLElement),
    }),
  );
}

function expiry(app: ConnectedApp): string {
  if (app.expires_at === null) return "No expiry";
  if (app.expired) return `Expired ${dateTime(app.expires_at)}`;
  return `Expires ${relative(app.expires_at)}`;
}

function activitySection(a: AccountSummary, data: AppsData | undefined): HTMLElement {
  const rows = data?.activity ?? [];
  const headingId = uid("activity-heading");
  return h(
    "section",
    { class: "apps-section", "aria-labelledby": headingId, testid: "activity" },
    h(
      "div",
      { class: "section-head" },
      h("h3", { id: headingId }, "Recent activity"),
      h("span", { class: "spacer" }),
      button("Refresh", {
        testid: "activity-refresh",
        small: true,
        variant: "ghost",
        icon: "refresh",
        ariaLabel: "Refresh connected apps and activity",
        onClick: () => void loadApps(a.did, { force: true }),
      }),
    ),
    rows.length === 0
      ? h("p", { class: "muted", testid: "activity-empty" }, data ? "No calls yet. Calls programs make through the agent appear here." : "…")
      : h("div", { class: "table-scroll" }, activityTable(a, rows)),
  );
}

function activityTable(a: AccountSummary, rows: readonly Activity[]): HTMLElement {
  return h(
    "table",
    { class: "activity-table" },
    h("caption", { class: "sr-only" }, `The latest ${plural(rows.length, "call")} through the agent as ${accountLabel(a)}`),
    h(
      "thead",
      null,
      h("tr", null, h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "App"), h("th", { scope: "col" }, "Call"), h("th", { scope: "col" }, "Status")),
    ),
    h("tbody", null, rows.map(activityRow)),
  );
}

function activityRow(r: Activity): HTMLElement {
  const tone = r.status < 300 ? "ok" : r.status < 500 ? "amber" : "red";
  return h(
    "tr",
    { testid: "activity-row", dataset: { status: r.status } },
    h("td", { class: "nowrap" }, h("time", { datetime: new Date(r.at_ms).toISOString() }, callTime(r.at_ms / 1000))),
    h("td", { class: "activity-app" }, r.key_name ?? h("span", { class: "muted" }, "no valid key")),
    h("td", { class: "activity-method" }, h("span", { class: "method-tag" }, r.method), " ", h("code", { class: "break" }, r.nsid)),
    h(
      "td",
      { class: "activity-status" },
      h("span", { class: ["code-pill", `pill-${tone}`], testid: "activity-status", title: `${r.duration_ms} ms` }, String(r.status)),
      " ",
      h("span", { class: "muted small" }, r.outcome.replace(/_/g, " ")),
    ),
  );
}
