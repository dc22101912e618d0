// The account list (sidebar): rows, empty state, load error, Add account, Sign out of all.
import { h, icon, spinner, srOnly, uid, type Child } from "../lib/dom";
import { accountTitle, shortDid } from "../lib/format";
import type { AccountSummary } from "../lib/ipc/types";
import type { AppState } from "../lib/store";
import { copyDiagnostics, retry, select, switchTo } from "./actions";
import { avatar, button, errorCallout, statusBadge } from "./components";
import { reloadAccounts } from "./load";
import { openAddAccount, startSignInAgain } from "./login";
import { confirmSignOutAll } from "./signout";

export function renderSidebar(s: AppState): Child {
  if (s.phase === "loading") {
    return h(
      "div",
      { class: "sidebar-inner" },
      h("div", { class: "list-loading", testid: "list-loading", role: "status" }, spinner(), "Loading accounts…"),
    );
  }
  if (s.phase === "error" && s.loadError) {
    return h(
      "div",
      { class: "sidebar-inner pad", testid: "list-error" },
      errorCallout(
        s.loadError,
        [
          button("Retry", { testid: "list-retry", variant: "primary", icon: "refresh", onClick: () => void reloadAccounts() }),
          button("Copy diagnostics", { testid: "copy-diagnostics", variant: "ghost", icon: "copy", onClick: () => void copyDiagnostics() }),
        ],
        "list-error-callout",
      ),
    );
  }
  if (s.accounts.length === 0) return emptyState();

  const explainerId = uid("active-explainer");
  return h(
    "div",
    { class: "sidebar-inner" },
    h(
      "div",
      { class: "sidebar-head" },
      h("h2", { class: "sidebar-title" }, "Accounts", h("span", { class: "count", testid: "account-count" }, String(s.accounts.length))),
      h(
        "p",
        { id: explainerId, class: "explainer", testid: "active-explainer" },
        h("span", { class: "mini-check" }, icon("check")),
        h("span", null, h("strong", null, "Active"), ": the account scripts and ", h("code", null, "skyport api"), " use by default. Click an account to switch."),
      ),
    ),
    h(
      "div",
      { class: "list-scroll" },
      h(
        "ul",
        { class: "account-list", testid: "account-list", "aria-label": "Accounts" },
        s.accounts.map((a) =>
          h(
            "li",
            { class: ["account-item", s.selectedDid === a.did && "is-selected"], testid: "account-item", dataset: { did: a.did } },
            row(a, s, explainerId),
            detailsButton(a, s),
            rowAction(a, s),
          ),
        ),
      ),
      h(
        "button",
        { type: "button", class: "add-account", testid: "add-account", dataset: { key: "add-account" }, on: { click: (ev) => openAddAccount({ returnFocus: ev.currentTarget as HTMLElement }) } },
        h("span", { class: "add-icon" }, icon("plus")),
        "Add account",
      ),
    ),
    h(
      "div",
      { class: "sidebar-foot" },
      button("Sign out of all accounts", {
        testid: "sign-out-all",
        variant: "danger-ghost",
        small: true,
        icon: "logout",
        onClick: (ev) => confirmSignOutAll(ev.currentTarget as HTMLElement),
      }),
      s.appInfo ? h("span", { class: "version", testid: "app-version" }, `v${s.appInfo.version}`) : null,
    ),
  );
}

function row(a: AccountSummary, s: AppState, explainerId: string): HTMLElement {
  const pending = s.pendingSwitch === a.did;
  const blocked = s.pendingSwitch !== null && !pending;
  const signingOut = s.signingOut.has(a.did);
  return h(
    "button",
    {
      type: "button",
      class: ["account-row", a.active && "is-active", s.selectedDid === a.did && "is-selected", pending && "is-pending", blocked && "is-blocked"],
      testid: "account-row",
      dataset: {
        did: a.did,
        status: a.status,
        active: a.active ? "true" : "false",
        pending: pending ? "true" : undefined,
        key: `row:${a.did}`,
      },
      "aria-busy": pending ? "true" : undefined,
      "aria-disabled": pending || blocked ? "true" : undefined,
      "aria-current": a.active ? "true" : undefined,
      "aria-describedby": explainerId,
      on: {
        click: () => void switchTo(a.did),
        keydown: (ev) => moveFocus(ev),
      },
    },
    h(
      "span",
      { class: "avatar-wrap" },
      avatar(a, s.avatars.get(a.did)),
      a.active ? h("span", { class: "active-dot", testid: "active-mark", title: "Active account" }, icon("check"), srOnly("Active account")) : null,
    ),
    h(
      "span",
      { class: "row-text" },
      h(
        "span",
        { class: "row-title" },
        h("span", { class: "row-name", testid: "row-name" }, accountTitle(a)),
        pending ? h("span", { class: "row-pending", testid: "row-pending" }, spinner(), "Switching…") : null,
      ),
      h("span", { class: "row-handle", testid: "row-handle" }, a.handle ? `@${a.handle}` : "Handle unavailable"),
      h(
        "span",
        { class: "row-meta" },
        h("span", { class: "mono", testid: "short-did", title: a.did }, shortDid(a.did)),
        h("span", { "aria-hidden": "true" }, " · "),
        h("span", { testid: "pds-host" }, a.pds_host),
      ),
      h("span", { class: "row-badge" }, statusBadge(a, { refreshing: s.refreshing.has(a.did), signingOut })),
    ),
  );
}

/** Shows an account's details without switching to it. */
function detailsButton(a: AccountSummary, s: AppState): HTMLElement {
  const shown = s.selectedDid === a.did;
  return h(
    "button",
    {
      type: "button",
      class: ["row-details", shown && "is-shown"],
      testid: "row-details",
      dataset: { key: `details:${a.did}`, did: a.did },
      "aria-label": `Details for ${a.handle ? `@${a.handle}` : a.did}`,
      "aria-pressed": shown ? "true" : "false",
      title: "Show details without switching",
      on: { click: () => select(a.did) },
    },
    icon("chevron"),
  );
}

function rowAction(a: AccountSummary, s: AppState): HTMLElement | null {
  const refreshing = s.refreshing.has(a.did);
  if (a.status === "needs_sign_in") {
    return h(
      "div",
      { class: "row-action row-action-red" },
      h("span", null, "Session ended — sign in to keep using it."),
      button("Sign in again", {
        testid: "sign-in-again",
        key: `sign-in-again:${a.did}`,
        variant: "primary",
        small: true,
        onClick: (ev) => startSignInAgain(a, null, ev.currentTarget as HTMLElement),
      }),
    );
  }
  if (a.status === "offline" || a.status === "keychain_locked") {
    return h(
      "div",
      { class: "row-action row-action-grey" },
      h("span", null, a.status === "offline" ? `Can't reach ${a.pds_host}. Session kept.` : "Unlock your keychain to use it."),
      button("Retry", {
        testid: "retry",
        key: `retry:${a.did}`,
        small: true,
        icon: "refresh",
        busy: refreshing,
        busyLabel: "Retrying…",
        onClick: () => void retry(a.did),
      }),
    );
  }
  return null;
}

/** Up/Down arrows move between rows. */
function moveFocus(ev: KeyboardEvent): void {
  if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
  const rows = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="account-row"]'));
  const i = rows.indexOf(ev.currentTarget as HTMLElement);
  const next = rows[ev.key === "ArrowDown" ? i + 1 : i - 1];
  if (next) {
    ev.preventDefault();
    next.focus();
  }
}

function emptyState(): HTMLElement {
  return h(
    "div",
    { class: "empty-state", testid: "empty-state" },
    h("span", { class: "art art-large" }, icon("user")),
    h("h2", null, "No accounts yet"),
    h(
      "p",
      null,
      "Add your Bluesky account — or any atproto account — to use it from scripts and ",
      h("code", null, "skyport api"),
      ". You sign in in your browser; Skyport keeps the keys in your system keychain.",
    ),
    h(
      "button",
      {
        type: "button",
        class: "btn btn-primary btn-large",
        testid: "add-account",
        dataset: { key: "add-account" },
        on: { click: (ev) => openAddAccount({ returnFocus: ev.currentTarget as HTMLElement }) },
      },
      icon("plus"),
      h("span", null, "Add account"),
    ),
    h("p", { class: "muted small" }, "First step: enter your handle, like alice.bsky.social."),
    button("Copy diagnostics", { testid: "copy-diagnostics", variant: "ghost", small: true, icon: "copy", onClick: () => void copyDiagnostics() }),
  );
}
