// The account list (sidebar): search, rows (switch, keyboard moves, reordering), empty state,
// load error, Add account, Sign out of all, the autostart setting.
import { h, icon, spinner, srOnly, uid, type Child } from "../lib/dom";
import { accountTitle, shortDid } from "../lib/format";
import * as ipc from "../lib/ipc/commands";
import type { AccountSummary, PendingLogin } from "../lib/ipc/types";
import type { AppState } from "../lib/store";
import { copyDiagnostics, reorder, retry, select, switchTo } from "./actions";
import { avatar, button, errorCallout, statusBadge } from "./components";
import { reloadAccounts } from "./load";
import { openAddAccount, ownLoginState, startSignInAgain } from "./login";
import { autostartToggle } from "./settings";
import { confirmSignOutAll } from "./signout";

/** From this many accounts on, the list gets a search box. */
export const SEARCH_FROM = 6;

/** The search box's text; kept here so that re-renders and typing don't fight over it. */
let filter = "";
/** The list's scroll position, from its scroll events (see rerender() in lib/dom.ts). */
let listScrollTop = 0;
/** The active account last scrolled into view (undefined: not yet). */
let shownActive: string | null | undefined;
/** The DID being dragged. */
let dragDid: string | null = null;

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
  if (s.accounts.length === 0) return emptyState(s);

  const explainerId = uid("active-explainer");
  const searchable = s.accounts.length >= SEARCH_FROM;
  if (!searchable) filter = "";
  const q = filter.trim().toLowerCase();
  const shown = s.accounts.filter((a) => matches(a, q)).length;
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
      searchable ? searchBox() : null,
    ),
    h(
      "div",
      {
        class: "list-scroll",
        on: {
          scroll: (ev) => {
            listScrollTop = (ev.currentTarget as HTMLElement).scrollTop;
          },
        },
      },
      h(
        "ul",
        { class: "account-list", testid: "account-list", "aria-label": "Accounts" },
        s.accounts.map((a) =>
          h(
            "li",
            {
              class: ["account-item", s.selectedDid === a.did && "is-selected"],
              testid: "account-item",
              dataset: { did: a.did },
              hidden: !matches(a, q),
              draggable: "true",
              on: {
                dragstart: (ev) => dragStart(ev, a.did),
                dragover: (ev) => dragOver(ev),
                dragleave: (ev) => clearDropMark(ev.currentTarget as HTMLElement),
                drop: (ev) => void drop(ev, a.did, s),
                dragend: () => dragEnd(),
              },
            },
            row(a, s, explainerId),
            detailsButton(a, s),
            rowAction(a, s),
          ),
        ),
      ),
      h(
        "p",
        { class: "search-empty muted", testid: "search-empty", hidden: !(q && shown === 0) },
        "No account matches “",
        h("span", { class: "search-empty-q" }, filter.trim()),
        "”.",
      ),
      pendingElsewhere(s),
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
      h(
        "div",
        { class: "foot-row" },
        button("Sign out of all accounts", {
          testid: "sign-out-all",
          variant: "danger-ghost",
          small: true,
          icon: "logout",
          onClick: (ev) => confirmSignOutAll(ev.currentTarget as HTMLElement),
        }),
        s.appInfo ? h("span", { class: "version", testid: "app-version" }, `v${s.appInfo.version}`) : null,
      ),
      autostartToggle(s),
    ),
  );
}

/**
 * After the sidebar is drawn: the list's scroll position is kept, and the active account is
 * scrolled into view when it changes (on the first list and after a switch).
 */
export function afterSidebarRender(s: AppState): void {
  const scroller = document.querySelector<HTMLElement>(".list-scroll");
  if (!scroller) return;
  if (listScrollTop > 0) scroller.scrollTop = listScrollTop;
  // Not laid out yet (the window not shown): tried again on the next draw.
  if (s.phase !== "ready" || scroller.clientHeight === 0) return;
  const active = s.accounts.find((a) => a.active)?.did ?? null;
  if (active === shownActive) return;
  const first = shownActive === undefined;
  shownActive = active;
  if (active === null) return;
  const el = scroller.querySelector<HTMLElement>(`[data-testid="account-item"][data-did="${CSS.escape(active)}"]`);
  if (!el || el.hidden) return;
  // Centred on the first list (its neighbours show too); after a switch, moved only as far as needed.
  el.scrollIntoView({ block: first ? "center" : "nearest" });
  // Kept now, not on the scroll event: that comes on the next frame, and a redraw before it (an
  // avatar arriving) would draw a new list at the top.
  listScrollTop = scroller.scrollTop;
}

function matches(a: AccountSummary, q: string): boolean {
  if (!q) return true;
  return [a.handle, a.display_name, a.did].some((v) => typeof v === "string" && v.toLowerCase().includes(q));
}

// ---------------------------------------------------------------- search

function searchBox(): HTMLElement {
  const id = uid("account-search");
  return h(
    "div",
    { class: "search", role: "search" },
    h("label", { for: id, class: "sr-only" }, "Filter accounts"),
    h("span", { class: "search-icon", "aria-hidden": "true" }, icon("search")),
    h("input", {
      id,
      type: "search",
      class: "input search-input",
      testid: "account-search",
      dataset: { key: "account-search" },
      placeholder: "Filter by name, handle or DID",
      autocomplete: "off",
      spellcheck: "false",
      value: filter,
      on: {
        input: (ev) => setFilter((ev.currentTarget as HTMLInputElement).value),
        keydown: (ev) => searchKey(ev),
      },
    }),
  );
}

/** Shows and hides rows in place: redrawing the list on every key would fight the caret. */
function setFilter(value: string): void {
  filter = value;
  const q = value.trim().toLowerCase();
  let shown = 0;
  for (const li of document.querySelectorAll<HTMLElement>('[data-testid="account-item"]')) {
    const text = [
      li.dataset["did"] ?? "",
      li.querySelector('[data-testid="row-name"]')?.textContent ?? "",
      li.querySelector('[data-testid="row-handle"]')?.textContent ?? "",
    ];
    const hit = !q || text.some((v) => v.toLowerCase().includes(q));
    li.hidden = !hit;
    if (hit) shown++;
  }
  const empty = document.querySelector<HTMLElement>('[data-testid="search-empty"]');
  if (empty) {
    empty.hidden = !(q && shown === 0);
    const span = empty.querySelector(".search-empty-q");
    if (span) span.textContent = value.trim();
  }
}

function searchKey(ev: KeyboardEvent): void {
  const input = ev.currentTarget as HTMLInputElement;
  if (ev.key === "Escape" && input.value !== "") {
    ev.preventDefault();
    ev.stopPropagation();
    input.value = "";
    setFilter("");
  } else if (ev.key === "ArrowDown") {
    const first = visibleRows()[0];
    if (first) {
      ev.preventDefault();
      first.focus();
    }
  }
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
      "aria-keyshortcuts": "ArrowUp ArrowDown Alt+ArrowUp Alt+ArrowDown",
      title: "Enter switches to this account; Alt+Up or Alt+Down moves it in the list",
      on: {
        click: () => void switchTo(a.did),
        keydown: (ev) => rowKey(ev, a, s),
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
      h(
        "span",
        { class: "row-sub" },
        h("span", { class: "row-handle", testid: "row-handle" }, a.handle ? `@${a.handle}` : "Handle unavailable"),
        h(
          "span",
          { class: "row-meta" },
          h("span", { "aria-hidden": "true" }, " · "),
          h("span", { class: "mono", testid: "short-did", title: a.did }, shortDid(a.did)),
          h("span", { "aria-hidden": "true" }, " · "),
          h("span", { testid: "pds-host" }, a.pds_host),
        ),
      ),
    ),
    h("span", { class: "row-badge" }, statusBadge(a, { refreshing: s.refreshing.has(a.did), signingOut })),
  );
}

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

function emptyState(s: AppState): HTMLElement {
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
    autostartToggle(s),
  );
}

// ---------------------------------------------------------------- keyboard

/** The rows the search leaves visible, top to bottom. */
function visibleRows(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>('[data-testid="account-item"]:not([hidden]) > [data-testid="account-row"]'));
}

/** Up/Down (Home/End) move focus between visible rows; with Alt they move the account. Enter switches (a button's click). */
function rowKey(ev: KeyboardEvent, a: AccountSummary, s: AppState): void {
  if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(ev.key) || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  const rows = visibleRows();
  const i = rows.indexOf(ev.currentTarget as HTMLElement);
  if (ev.altKey) {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    ev.preventDefault();
    const neighbour = rows[ev.key === "ArrowDown" ? i + 1 : i - 1]?.dataset["did"];
    if (neighbour) {
      void moveAccount(s, a.did, neighbour, ev.key === "ArrowDown" ? "after" : "before");
      // The list was redrawn in the new order with focus kept on this row; keep it in view.
      (document.activeElement as HTMLElement | null)?.closest("li")?.scrollIntoView({ block: "nearest" });
    }
    return;
  }
  const next = ev.key === "Home" ? rows[0] : ev.key === "End" ? rows[rows.length - 1] : rows[ev.key === "ArrowDown" ? i + 1 : i - 1];
  if (next) {
    ev.preventDefault();
    next.focus();
    next.closest("li")?.scrollIntoView({ block: "nearest" });
  }
}

/** Puts `did` just before or after `target` and stores the order. */
async function moveAccount(s: AppState, did: string, target: string, where: "before" | "after"): Promise<void> {
  if (did === target) return;
  const order = s.accounts.map((a) => a.did).filter((d) => d !== did);
  const at = order.indexOf(target);
  if (at < 0) return;
  order.splice(where === "after" ? at + 1 : at, 0, did);
  await reorder(order, did);
}

// ---------------------------------------------------------------- drag and drop

function dragStart(ev: DragEvent, did: string): void {
  dragDid = did;
  ev.dataTransfer?.setData("text/plain", did);
  if (ev.dataTransfer) ev.dataTransfer.effectAllowed = "move";
  (ev.currentTarget as HTMLElement).classList.add("is-dragging");
}

function dropSide(ev: DragEvent): "before" | "after" {
  const r = (ev.currentTarget as HTMLElement).getBoundingClientRect();
  return ev.clientY < r.top + r.height / 2 ? "before" : "after";
}

function dragOver(ev: DragEvent): void {
  if (dragDid === null) return;
  ev.preventDefault();
  if (ev.dataTransfer) ev.dataTransfer.dropEffect = "move";
  const li = ev.currentTarget as HTMLElement;
  const side = dropSide(ev);
  li.classList.toggle("drop-before", side === "before");
  li.classList.toggle("drop-after", side === "after");
}

function clearDropMark(li: HTMLElement): void {
  li.classList.remove("drop-before", "drop-after");
}

async function drop(ev: DragEvent, target: string, s: AppState): Promise<void> {
  const did = dragDid;
  if (did === null) return;
  ev.preventDefault();
  const side = dropSide(ev);
  dragEnd();
  await moveAccount(s, did, target, side);
}

function dragEnd(): void {
  dragDid = null;
  for (const el of document.querySelectorAll(".is-dragging, .drop-before, .drop-after")) {
    el.classList.remove("is-dragging", "drop-before", "drop-after");
  }
}

/**
 * Sign-ins another program (the CLI, another window) is waiting for: seen through the store,
 * with Cancel for one whose program has gone. This window's own sign-in has its own dialog.
 */
function pendingElsewhere(s: AppState): HTMLElement | null {
  const own = ownLoginState();
  const now = Date.now() / 1000;
  const list = s.pendingLogins.filter((p) => p.state !== own && p.expires_at > now);
  if (list.length === 0) return null;
  return h(
    "ul",
    { class: "pending-list", testid: "pending-logins", "aria-label": "Sign-ins in progress" },
    list.map((p) => pendingRow(p, now)),
  );
}

function pendingRow(p: PendingLogin, now: number): HTMLElement {
  const who = p.expected_handle ? `@${p.expected_handle}` : p.login_hint ?? p.server;
  const minutes = Math.max(1, Math.ceil((p.expires_at - now) / 60));
  return h(
    "li",
    { class: "pending-login", testid: "pending-login", dataset: { state: p.state } },
    h("span", { class: "pending-icon" }, spinner()),
    h(
      "span",
      { class: "pending-text" },
      h("span", { class: "pending-title block" }, "Signing in: ", h("strong", null, who)),
      h("span", { class: "muted small block" }, `Started in another program; waiting for the browser at ${p.server} (${minutes} min left).`),
    ),
    button("Cancel", {
      testid: "pending-cancel",
      small: true,
      variant: "ghost",
      onClick: () => {
        void ipc.cancelLogin(p.state).catch(() => undefined).then(() => reloadAccounts());
      },
    }),
  );
}
