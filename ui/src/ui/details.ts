// The details panel of the selected account: header, attention callouts, actions, and the
// Session / Permissions / Connected apps tabs.
import { h, icon, uid, type Child } from "../lib/dom";
import { accountLabel, accountTitle, clockTime, dateTime, expiresPhrase, relative } from "../lib/format";
import type { AccountDetails, AccountSummary } from "../lib/ipc/types";
import { reasonText, refreshResultText } from "../lib/messages";
import { getState, selectedAccount, setState, type AppState, type Tab } from "../lib/store";
import { live } from "../lib/ticker";
import * as ipc from "../lib/ipc/commands";
import { toAppError } from "../lib/ipc/errors";
import { copy, copyDiagnostics, refreshNow, switchTo } from "./actions";
import { appsPanel, loadApps } from "./apps";
import { avatar, button, callout, statusBadge } from "./components";
import { reloadAccounts } from "./load";
import { startSignInAgain } from "./login";
import { scopesPanel } from "./scopes";
import { confirmSignOut } from "./signout";
import { showError } from "./toast";

export function renderDetails(s: AppState): Child {
  const a = selectedAccount(s);
  if (!a) {
    if (s.phase !== "ready" || s.accounts.length === 0) return null;
    return h("div", { class: "details-empty" }, h("p", { class: "muted" }, "Choose an account to see its details."));
  }
  const det = s.details.get(a.did);
  const refreshing = s.refreshing.has(a.did);
  const signingOut = s.signingOut.has(a.did);
  return h(
    "div",
    { class: "details", testid: "details-panel", dataset: { did: a.did } },
    head(a, s, refreshing, signingOut),
    attention(a),
    actions(a, refreshing),
    tabs(a, s, det),
  );
}

function head(a: AccountSummary, s: AppState, refreshing: boolean, signingOut: boolean): HTMLElement {
  const pending = s.pendingSwitch === a.did;
  return h(
    "div",
    { class: "details-head" },
    avatar(a, s.avatars.get(a.did), "lg"),
    h(
      "div",
      { class: "details-id" },
      h("h2", { class: "details-name", testid: "details-name" }, accountTitle(a)),
      h("p", { class: "details-handle", testid: "details-handle" }, a.handle ? `@${a.handle}` : "Handle unavailable"),
      h(
        "div",
        { class: "details-badges" },
        statusBadge(a, { refreshing, signingOut }),
        a.active
          ? h("span", { class: "active-pill", testid: "details-active" }, icon("check"), "Active — used by scripts and skyport api")
          : button(pending ? "Switching…" : "Make active", {
              testid: "make-active",
              small: true,
              busy: pending,
              onClick: () => void switchTo(a.did),
            }),
      ),
    ),
  );
}

function attention(a: AccountSummary): Child {
  const out: HTMLElement[] = [];
  if (a.status === "needs_sign_in") {
    out.push(
      callout(
        "danger",
        "alert",
        "This account needs to sign in again",
        [reasonText(a.status_reason) ?? "Its session can no longer be renewed.", " Your account and its settings are kept."],
        null,
        "needs-sign-in-callout",
      ),
    );
  } else if (a.status === "offline") {
    out.push(
      callout(
        "neutral",
        "offline",
        `Can't reach ${a.pds_host}`,
        `Your session is kept and Skyport will try again. The current token ${expiresPhrase(a.expires_at)}.`,
        button("Retry", { testid: "details-retry", small: true, icon: "refresh", onClick: () => void refreshNow(a.did) }),
        "offline-callout",
      ),
    );
  } else if (a.status === "keychain_locked") {
    out.push(
      callout(
        "neutral",
        "lock",
        "Keychain locked",
        "Unlock your system keychain to use this account.",
        button("Retry", { testid: "details-retry", small: true, icon: "refresh", onClick: () => void reloadAccounts() }),
        "keychain-callout",
      ),
    );
  }
  if (a.session_ending_soon) {
    out.push(
      callout(
        "warning",
        "clock",
        `This session ends ${relative(a.session_ends_at)}`,
        `Sessions last at most two weeks. Sign in again before ${dateTime(a.session_ends_at)} to keep using this account without interruption.`,
        null,
        "session-ending",
      ),
    );
  }
  return out.length ? h("div", { class: "attention" }, out) : null;
}

function actions(a: AccountSummary, refreshing: boolean): HTMLElement {
  const needsSignIn = a.status === "needs_sign_in";
  return h(
    "div",
    { class: "action-bar", testid: "details-actions" },
    needsSignIn
      ? null
      : button("Refresh now", {
          testid: "refresh-button",
          icon: "refresh",
          busy: refreshing,
          busyLabel: "Refreshing…",
          variant: "secondary",
          onClick: () => void refreshNow(a.did),
        }),
    button("Sign in again", {
      testid: "sign-in-again-button",
      variant: needsSignIn ? "primary" : "secondary",
      icon: "user",
      onClick: (ev) => startSignInAgain(a, null, ev.currentTarget as HTMLElement),
    }),
    h("span", { class: "spacer" }),
    button("Sign out", {
      testid: "sign-out-button",
      variant: "danger-ghost",
      icon: "logout",
      onClick: (ev) => confirmSignOut(a, ev.currentTarget as HTMLElement),
    }),
  );
}

const TABS: readonly { id: Tab; label: string; testid: string }[] = [
  { id: "session", label: "Session", testid: "session-tab" },
  { id: "scopes", label: "Permissions", testid: "scopes-tab" },
  { id: "apps", label: "Connected apps", testid: "apps-tab" },
];

function showTab(a: AccountSummary, id: Tab): void {
  // Calls through the agent keep coming: each visit shows the latest (a first visit loads as it renders).
  const seen = getState().apps.has(a.did);
  setState({ tab: id });
  if (id === "apps" && seen) void loadApps(a.did, { force: true });
}

function tabs(a: AccountSummary, s: AppState, det: AccountDetails | undefined): HTMLElement {
  const tab = s.tab;
  const panelId = uid("tabpanel");
  const ids = new Map(TABS.map((t) => [t.id, uid(`tab-${t.id}`)]));
  const list = h(
    "div",
    { class: "tabs", role: "tablist", "aria-label": "Account information" },
    TABS.map((t) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: ids.get(t.id),
          class: ["tab", t.id === tab && "is-selected"],
          testid: t.testid,
          dataset: { key: t.testid },
          "aria-selected": t.id === tab ? "true" : "false",
          "aria-controls": panelId,
          tabindex: t.id === tab ? "0" : "-1",
          on: {
            click: () => showTab(a, t.id),
            keydown: (ev) => {
              const i = TABS.indexOf(t);
              const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[ev.key];
              if (to === undefined) return;
              ev.preventDefault();
              const other = TABS[(to + TABS.length) % TABS.length];
              if (other) {
                showTab(a, other.id);
                document.querySelector<HTMLElement>(`[data-testid="${other.testid}"]`)?.focus();
              }
            },
          },
        },
        t.label,
      ),
    ),
  );
  const panel = h(
    "div",
    { class: "tabpanel", role: "tabpanel", id: panelId, "aria-labelledby": ids.get(tab), tabindex: "-1" },
    tab === "session" ? sessionPanel(a, det) : tab === "scopes" ? scopesPanel(a) : appsPanel(a, s),
  );
  return h("div", { class: "tab-area" }, list, panel);
}

function kv(label: string, value: Child, extra: Child = null): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, h("div", { class: "dd-main" }, value, extra))];
}

function openButton(did: string, kind: "profile" | "pds" | "did_document", what: string, testid: string): HTMLButtonElement {
  return button("Open", {
    testid,
    small: true,
    variant: "ghost",
    icon: "external",
    ariaLabel: `Open ${what} in your browser`,
    onClick: () => void ipc.openLink(did, kind).catch((e: unknown) => showError(toAppError(e))),
  });
}

function copyButton(text: string, what: string, testid: string): HTMLButtonElement {
  return button("Copy", {
    testid,
    small: true,
    variant: "ghost",
    icon: "copy",
    ariaLabel: `Copy ${what}`,
    onClick: () => void copy(text, what),
  });
}

function sessionPanel(a: AccountSummary, det: AccountDetails | undefined): HTMLElement {
  const d = det && det.did === a.did ? det : undefined;
  const countdown = h("span", { class: "countdown-inline", testid: "token-countdown" });
  live(countdown, (el, now) => {
    el.textContent = expiresPhrase(a.expires_at, now);
    el.classList.toggle("is-past", a.expires_at <= now);
  });
  const lastRefresh = a.last_refresh_at;
  const refreshOk = a.last_refresh_result === null || a.last_refresh_result === "ok";
  return h(
    "div",
    { class: "session-panel", testid: "session-panel" },
    h(
      "dl",
      { class: "kv" },
      kv(
        "Handle",
        h("span", { testid: "details-handle-value" }, a.handle ? `@${a.handle}` : "Not available"),
        h("span", { class: "kv-actions" }, a.handle ? copyButton(`@${a.handle}`, "handle", "copy-handle") : null, openButton(a.did, "profile", "the profile on bsky.app", "open-profile")),
      ),
      kv(
        "DID",
        h("span", { class: "mono break", testid: "details-did" }, a.did),
        h("span", { class: "kv-actions" }, copyButton(a.did, "DID", "copy-did"), openButton(a.did, "did_document", "the DID document", "open-did-document")),
      ),
      kv("PDS", h("span", { class: "break", testid: "details-pds" }, a.pds_url), openButton(a.did, "pds", "the PDS", "open-pds")),
      kv("Auth server", h("span", { class: "break", testid: "details-issuer" }, a.issuer)),
      kv(
        "Access token",
        h(
          "span",
          { testid: "token-expiry" },
          h("time", { testid: "token-expiry-time" }, clockTime(a.expires_at)),
          " · ",
          countdown,
          h("span", { class: "muted block" }, "Renewed automatically. Tokens are never shown."),
        ),
      ),
      kv(
        "Session",
        h(
          "span",
          { testid: "session-times", class: a.session_ending_soon ? "warn-text" : undefined },
          "Started ",
          h("time", null, dateTime(a.session_started_at)),
          h("span", { class: "block" }, "Ends ", h("time", { testid: "session-ends" }, dateTime(a.session_ends_at)), ` (${relative(a.session_ends_at)})`),
          h("span", { class: "muted block" }, "A session lasts at most two weeks; then you sign in again."),
        ),
      ),
      kv(
        "Last refresh",
        h(
          "span",
          { testid: "last-refresh", class: refreshOk ? undefined : "warn-text" },
          lastRefresh ? `${dateTime(lastRefresh)} (${relative(lastRefresh)}) · ` : "",
          refreshResultText(a.last_refresh_result),
        ),
      ),
      kv("DPoP key", h("span", { class: "mono break", testid: "dpop-thumbprint", title: "Thumbprint of the key that binds this session's tokens" }, a.dpop_thumbprint)),
      kv("Stored in", h("span", { testid: "storage" }, d ? d.storage : "…")),
      d ? kv("Client ID", h("span", { class: "mono break small", testid: "client-id" }, d.client_id)) : [],
      d ? kv("Added", h("span", { testid: "added-at" }, dateTime(d.added_at))) : [],
    ),
    h(
      "div",
      { class: "footnote" },
      icon("shield"),
      h("span", null, `${accountLabel(a)}'s keys stay in the system keychain; Skyport never shows tokens.`),
      h("span", { class: "spacer" }),
      button("Copy diagnostics", {
        testid: "copy-diagnostics",
        variant: "ghost",
        small: true,
        icon: "copy",
        title: "Copies redacted JSON for bug reports (no tokens or keys)",
        onClick: () => void copyDiagnostics(),
      }),
    ),
  );
}
