// The add-account / sign-in-again flow, as one modal dialog with explicit states:
// identify -> starting -> waiting (browser) -> completing -> done (toast)
//                                            \-> cancelled | expired | error
import { h, icon, spinner, uid, type Child } from "../lib/dom";
import { accountLabel, minutesSeconds, shortDid } from "../lib/format";
import * as ipc from "../lib/ipc/commands";
import { appErrorFrom, toAppError, type AppError } from "../lib/ipc/errors";
import type { AccountSummary, LoginEventPayload, LoginPreview, LoginStarted } from "../lib/ipc/types";
import { errorText } from "../lib/messages";
import { findAccount, getState, setState } from "../lib/store";
import { live } from "../lib/ticker";
import { loadDetails, reloadAccounts, showError } from "./actions";
import { button, callout, errorDetails } from "./components";
import { dialogHeader, openDialog, type DialogHandle } from "./dialog";
import { toast } from "./toast";

type Step =
  | { kind: "identify"; fieldError: string | null }
  | { kind: "starting" }
  | { kind: "waiting"; started: LoginStarted }
  | { kind: "completing"; started: LoginStarted | null }
  | { kind: "cancelled" }
  | { kind: "expired" }
  | { kind: "error"; error: AppError };

interface Flow {
  dialog: DialogHandle;
  titleId: string;
  /** What the user typed, or the DID for sign-in-again. */
  identifier: string;
  scope: string | null;
  /** Re-authenticating a known account (no identify step). */
  reauth: AccountSummary | null;
  purpose: "add" | "reauth" | "scopes";
  notice: string | null;
  started: LoginStarted | null;
  step: Step;
  knownBefore: ReadonlySet<string>;
  preview: { for: string; result: LoginPreview | null; error: AppError | null; loading: boolean } | null;
  previewSeq: number;
  previewTimer: ReturnType<typeof setTimeout> | null;
}

let flow: Flow | null = null;
/** Login events that arrived before start_login returned (keyed by state). */
const early = new Map<string, LoginEventPayload>();

const PREVIEW_DEBOUNCE_MS = 450;

// ---------------------------------------------------------------- entry points

export interface AddAccountOptions {
  prefill?: string;
  notice?: string;
  returnFocus?: HTMLElement | null;
}

/** Opens the dialog at the identifier step. */
export function openAddAccount(opts: AddAccountOptions = {}): void {
  const f = newFlow("add", opts.prefill ?? "", null, null, opts.notice ?? null, opts.returnFocus);
  f.step = { kind: "identify", fieldError: null };
  render(f);
  if (f.identifier.trim()) runPreview(f, f.identifier.trim());
}

/** A dead session found while switching: go straight to re-authentication, account pre-filled. */
export function promptSignInAgain(a: AccountSummary): void {
  openAddAccount({
    prefill: a.handle ?? a.did,
    notice: `${accountLabel(a)} needs to sign in again before it can be used. Your account and its settings are kept.`,
  });
}

/** Sign in again (or ask for more scopes) for a known account: straight to the browser. */
export function startSignInAgain(a: AccountSummary, scope: string | null = null, returnFocus?: HTMLElement | null): void {
  const f = newFlow(scope ? "scopes" : "reauth", a.did, scope, a, null, returnFocus);
  void begin(f);
}

/** Handles `accounts://login`: a sign-in finished (deep link or loopback, handled in Rust). */
/** The browser came back and the code is being exchanged: show "completing". */
export function handleLoginProgress(p: { state: string }): void {
  const f = flow;
  if (f && f.step.kind === "waiting" && f.step.started.state === p.state) {
    f.step = { kind: "completing", started: f.step.started };
    render(f);
  }
}

export function handleLoginEvent(p: LoginEventPayload): void {
  const f = flow;
  if (f && f.started && f.started.state === p.state) {
    void finish(f, p);
    return;
  }
  if (f && f.step.kind === "starting") {
    // start_login hasn't returned yet; keep the outcome for it.
    early.set(p.state, p);
    setTimeout(() => early.delete(p.state), 60_000);
    return;
  }
  // A login this window didn't start (e.g. `skyport login` in a terminal) or whose dialog was closed.
  if (p.did && !p.error_code) {
    const known = getState().accounts.some((a) => a.did === p.did);
    void reloadAccounts().then(() => doneToast(p.did!, known, p.handle ?? null));
  }
}

// ---------------------------------------------------------------- flow plumbing

function newFlow(
  purpose: Flow["purpose"],
  identifier: string,
  scope: string | null,
  reauth: AccountSummary | null,
  notice: string | null,
  returnFocus: HTMLElement | null | undefined,
): Flow {
  if (flow) closeFlow(flow, true);
  const titleId = uid("login-title");
  const f: Flow = {
    dialog: null as unknown as DialogHandle,
    titleId,
    identifier,
    scope,
    reauth,
    purpose,
    notice,
    started: null,
    step: { kind: "starting" },
    knownBefore: new Set(getState().accounts.map((a) => a.did)),
    preview: null,
    previewSeq: 0,
    previewTimer: null,
  };
  f.dialog = openDialog({
    testid: "login-dialog",
    labelledBy: titleId,
    returnFocus,
    onRequestClose: (reason) => {
      if (reason === "backdrop" && f.step.kind !== "identify") return false;
      if (f.step.kind === "waiting") {
        void cancel(f);
        return false;
      }
      closeFlow(f, false);
      return false;
    },
  });
  flow = f;
  return f;
}

function closeFlow(f: Flow, silently: boolean): void {
  if (f.previewTimer) clearTimeout(f.previewTimer);
  f.previewSeq++;
  if (silently && f.step.kind === "waiting") void ipc.cancelLogin(f.step.started.state).catch(() => undefined);
  f.step = { kind: "cancelled" };
  f.dialog.close();
  if (flow === f) flow = null;
}

function isCurrent(f: Flow): boolean {
  return flow === f && f.dialog.open;
}

async function begin(f: Flow): Promise<void> {
  if (f.previewTimer) clearTimeout(f.previewTimer);
  f.previewSeq++;
  f.knownBefore = new Set(getState().accounts.map((a) => a.did));
  f.step = { kind: "starting" };
  render(f);
  try {
    const started = await ipc.startLogin(f.identifier, f.scope);
    if (!isCurrent(f)) {
      void ipc.cancelLogin(started.state).catch(() => undefined);
      return;
    }
    f.started = started;
    const pending = early.get(started.state);
    if (pending) {
      early.delete(started.state);
      void finish(f, pending);
      return;
    }
    f.step = { kind: "waiting", started };
    render(f);
  } catch (e) {
    if (!isCurrent(f)) return;
    const err = toAppError(e);
    if (f.purpose === "add" && err.is("invalid_input", "forbidden_destination")) {
      f.step = { kind: "identify", fieldError: errorText(err).headline };
    } else {
      f.step = { kind: "error", error: err };
    }
    render(f);
  }
}

async function cancel(f: Flow): Promise<void> {
  const state = f.step.kind === "waiting" ? f.step.started.state : null;
  closeFlow(f, false);
  toast("Sign-in cancelled", { kind: "info", detail: "Nothing was changed." });
  if (state) {
    try {
      await ipc.cancelLogin(state);
    } catch {
      /* it may already be gone; nothing to do */
    }
  }
}

function expire(f: Flow): void {
  if (f.step.kind !== "waiting") return;
  const state = f.step.started.state;
  f.step = { kind: "expired" };
  render(f);
  void ipc.cancelLogin(state).catch(() => undefined);
}

async function finish(f: Flow, p: LoginEventPayload): Promise<void> {
  if (!isCurrent(f)) return;
  if (p.error_code === null && p.did) {
    f.step = { kind: "completing", started: f.started };
    render(f);
    const known = f.knownBefore.has(p.did) || f.reauth?.did === p.did;
    await reloadAccounts();
    if (!isCurrent(f)) {
      doneToast(p.did, known, p.handle);
      return;
    }
    closeFlow(f, false);
    setState({ selectedDid: p.did });
    void loadDetails(p.did);
    doneToast(p.did, known, p.handle);
    return;
  }
  const err = appErrorFrom(p.error_code, p.message);
  if (err.is("cancelled")) f.step = { kind: "cancelled" };
  else if (err.is("login_expired", "unknown_login")) f.step = { kind: "expired" };
  else f.step = { kind: "error", error: err };
  render(f);
}

function doneToast(did: string, known: boolean, handle: string | null): void {
  const a = findAccount(did);
  const label = a ? accountLabel(a) : handle ? `@${handle}` : shortDid(did);
  toast(known ? `Updated ${label}` : `Signed in as ${label}`, {
    detail: a?.active ? "It's now the active account, used by scripts and skyport api." : undefined,
  });
}

/** "Start again" from an outcome screen. */
function restart(f: Flow): void {
  if (f.purpose === "add") {
    f.started = null;
    f.step = { kind: "identify", fieldError: null };
    render(f);
    if (f.identifier.trim()) runPreview(f, f.identifier.trim());
  } else {
    f.started = null;
    void begin(f);
  }
}

// ---------------------------------------------------------------- preview

function schedulePreview(f: Flow, value: string): void {
  if (f.previewTimer) clearTimeout(f.previewTimer);
  f.previewSeq++;
  f.preview = null;
  renderPreview(f);
  const v = value.trim();
  if (v.length < 3) return;
  f.previewTimer = setTimeout(() => runPreview(f, v), PREVIEW_DEBOUNCE_MS);
}

function runPreview(f: Flow, value: string): void {
  if (f.previewTimer) clearTimeout(f.previewTimer);
  const seq = ++f.previewSeq;
  f.preview = { for: value, result: null, error: null, loading: true };
  renderPreview(f);
  ipc.previewLogin(value).then(
    (result) => {
      if (seq !== f.previewSeq || !isCurrent(f)) return;
      f.preview = { for: value, result, error: null, loading: false };
      renderPreview(f);
    },
    (e: unknown) => {
      if (seq !== f.previewSeq || !isCurrent(f)) return;
      f.preview = { for: value, result: null, error: toAppError(e), loading: false };
      renderPreview(f);
    },
  );
}

function submitIdentify(f: Flow, input: HTMLInputElement): void {
  const value = input.value.trim();
  f.identifier = value;
  if (!value) {
    f.step = { kind: "identify", fieldError: "Enter a handle, DID or server address." };
    renderFieldError(f);
    input.focus();
    return;
  }
  const p = f.preview;
  if (p && p.for === value && p.result) {
    void begin(f);
    return;
  }
  if (p && p.for === value && p.loading) return; // the answer is on its way
  // Resolve first, so the server is shown before anything leaves the app.
  runPreview(f, value);
}

// ---------------------------------------------------------------- rendering

function render(f: Flow): void {
  if (!f.dialog.open) return;
  const s = f.step;
  switch (s.kind) {
    case "identify": return f.dialog.setContent(identifyView(f, s.fieldError));
    case "starting": return f.dialog.setContent(startingView(f));
    case "waiting": return f.dialog.setContent(waitingView(f, s.started));
    case "completing": return f.dialog.setContent(completingView(f, s.started));
    case "cancelled": return f.dialog.setContent(cancelledView(f));
    case "expired": return f.dialog.setContent(expiredView(f));
    case "error": return f.dialog.setContent(errorView(f, s.error));
  }
}

function title(f: Flow): string {
  if (f.purpose === "scopes") return "Request more access";
  if (f.purpose === "reauth" && f.reauth) return `Sign in again as ${accountLabel(f.reauth)}`;
  return "Add an account";
}

function footer(...children: Child[]): HTMLElement {
  return h("footer", { class: "dialog-footer" }, children);
}

function identifyView(f: Flow, fieldError: string | null): HTMLElement {
  const inputId = uid("identifier");
  const hintId = uid("identifier-hint");
  const errorId = uid("identifier-error");
  const input = h("input", {
    id: inputId,
    type: "text",
    class: "input",
    testid: "identifier-input",
    value: f.identifier,
    placeholder: "alice.bsky.social",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    "aria-describedby": `${hintId} ${errorId}`,
    "aria-invalid": fieldError ? "true" : undefined,
    dataset: { autofocus: "" },
    on: {
      input: () => {
        f.identifier = input.value;
        if (f.step.kind === "identify" && f.step.fieldError) {
          f.step = { kind: "identify", fieldError: null };
          renderFieldError(f);
        }
        schedulePreview(f, input.value);
      },
    },
  });
  const form = h(
    "form",
    {
      class: "dialog-body",
      novalidate: true,
      on: {
        submit: (ev) => {
          ev.preventDefault();
          submitIdentify(f, input);
        },
      },
    },
    f.notice ? callout("warning", "alert", f.notice, null, null, "login-notice") : null,
    h("label", { for: inputId, class: "field-label" }, "Handle, DID or server address"),
    input,
    h("p", { id: hintId, class: "field-hint" }, "For example alice.bsky.social, did:plc:…, or https://pds.example.com"),
    h("p", { id: errorId, class: "field-error", testid: "identifier-error", role: "alert", hidden: !fieldError }, fieldError ?? ""),
    h("div", { class: "preview", testid: "login-preview", "aria-live": "polite" }),
    footer(
      button("Cancel", { testid: "login-close", onClick: () => f.dialog.requestClose() }),
      h("span", { class: "continue-slot" }),
    ),
  );
  const view = h(
    "div",
    { class: "login-step", testid: "login-identify" },
    dialogHeader(
      f.titleId,
      title(f),
      "Skyport opens your server's sign-in page in your browser. Your password never passes through Skyport.",
    ),
    form,
  );
  // Fills the preview box and picks the Continue label.
  renderPreviewInto(f, view);
  return view;
}

function renderFieldError(f: Flow): void {
  const el = f.dialog.el.querySelector<HTMLElement>('[data-testid="identifier-error"]');
  const input = f.dialog.el.querySelector<HTMLInputElement>('[data-testid="identifier-input"]');
  const msg = f.step.kind === "identify" ? f.step.fieldError : null;
  if (el) {
    el.textContent = msg ?? "";
    el.hidden = !msg;
  }
  if (input) {
    if (msg) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

function renderPreview(f: Flow): void {
  if (f.step.kind !== "identify" || !f.dialog.open) return;
  renderPreviewInto(f, f.dialog.el);
}

function renderPreviewInto(f: Flow, root: HTMLElement): void {
  const box = root.querySelector<HTMLElement>('[data-testid="login-preview"]');
  const slot = root.querySelector<HTMLElement>(".continue-slot");
  if (!box || !slot) return;
  const p = f.preview;
  const current = f.identifier.trim();
  const ready = !!(p && p.result && p.for === current);
  const loading = !!(p && p.loading && p.for === current);
  box.replaceChildren();
  box.dataset["state"] = !p ? "empty" : p.loading ? "loading" : p.result ? "resolved" : "error";
  if (p && p.for === current) {
    if (p.loading) {
      box.append(h("p", { class: "preview-loading" }, spinner(), "Looking up ", h("strong", null, p.for), "…"));
    } else if (p.result) {
      box.append(previewCard(p.result));
    } else if (p.error) {
      const t = errorText(p.error);
      box.append(
        h(
          "div",
          { class: "preview-error" },
          icon("alert"),
          h("div", null, h("p", { class: "preview-title" }, t.headline), h("p", { class: "muted" }, t.next)),
        ),
      );
    }
  }
  // Keep focus if the button itself had it.
  const hadFocus = slot.contains(document.activeElement);
  slot.replaceChildren(
    button(ready ? "Continue in browser" : "Continue", {
      type: "submit",
      variant: "primary",
      testid: "continue-button",
      icon: ready ? "external" : undefined,
      busy: loading,
      busyLabel: "Looking up…",
    }),
  );
  if (hadFocus) slot.querySelector("button")?.focus();
}

function previewCard(p: LoginPreview): HTMLElement {
  return h(
    "div",
    { class: "preview-card" },
    icon("shield"),
    h(
      "div",
      null,
      h("p", { class: "preview-title" }, "Signs in at ", h("strong", { testid: "preview-server" }, p.server)),
      p.handle || p.did
        ? h(
            "p",
            { class: "muted" },
            p.handle ? `@${p.handle}` : shortDid(p.did ?? ""),
            p.pds_host ? ` · account hosted on ${p.pds_host}` : "",
          )
        : h("p", { class: "muted" }, "You'll choose the account on that server."),
    ),
  );
}

function startingView(f: Flow): HTMLElement {
  return h(
    "div",
    { class: "login-step", testid: "login-starting", "aria-busy": "true" },
    dialogHeader(f.titleId, title(f)),
    h("div", { class: "dialog-body center" }, h("p", { class: "big-status" }, spinner(), "Opening your browser…")),
    footer(button("Cancel", { testid: "login-close", onClick: () => closeFlow(f, true) })),
  );
}

function waitingView(f: Flow, s: LoginStarted): HTMLElement {
  const expected = s.expected_did ? findAccount(s.expected_did) : undefined;
  const countdown = h("p", { class: "countdown", testid: "login-countdown" });
  live(countdown, (el, now) => {
    const left = s.expires_at - now;
    if (left <= 0) {
      if (flow === f && f.step.kind === "waiting" && f.step.started === s) expire(f);
      return;
    }
    el.textContent = `This sign-in link expires in ${minutesSeconds(left)}.`;
    el.classList.toggle("is-urgent", left < 60);
  });
  const urlId = uid("login-url");
  return h(
    "div",
    { class: "login-step", testid: "login-waiting", dataset: { state: s.state } },
    h(
      "header",
      { class: "dialog-header with-art" },
      h("span", { class: "art art-browser" }, icon("browser")),
      h("h2", { id: f.titleId, class: "dialog-title" }, "Continue in your browser"),
      h(
        "p",
        { class: "dialog-lead" },
        "Skyport opened the sign-in page of ",
        h("strong", { testid: "login-server" }, s.server),
        " in your browser. Approve access there — this window updates by itself.",
      ),
    ),
    h(
      "div",
      { class: "dialog-body" },
      s.expected_did
        ? h(
            "p",
            { class: "expected", testid: "login-expected" },
            icon("user"),
            "Sign in as ",
            h("strong", null, expected ? accountLabel(expected) : s.expected_handle ? `@${s.expected_handle}` : shortDid(s.expected_did)),
          )
        : null,
      f.scope ? h("p", { class: "muted" }, "Skyport is asking for more access; review it on the consent screen.") : null,
      h("div", { class: "waiting-row" }, h("span", { class: "pulse", "aria-hidden": "true" }), countdown),
      h(
        "div",
        { class: "button-row" },
        button("Open again", {
          testid: "reopen-login",
          icon: "external",
          autofocus: true,
          onClick: () => void reopen(f, s),
        }),
        button("Copy link", {
          testid: "copy-login-link",
          icon: "copy",
          onClick: () => {
            ipc.copyText(s.authorization_url).then(
              () => toast("Sign-in link copied", { kind: "info", detail: "Paste it into your browser's address bar.", timeoutMs: 4000 }),
              (e: unknown) => showError(toAppError(e), "Couldn't copy the link"),
            );
          },
        }),
      ),
      h(
        "details",
        { class: "disclosure" },
        h("summary", null, "Browser didn't open?"),
        h("label", { for: urlId, class: "field-hint" }, "Open this address in your browser:"),
        h("input", { id: urlId, class: "input mono", readonly: true, value: s.authorization_url, testid: "login-url", on: { focus: (ev) => (ev.target as HTMLInputElement).select() } }),
      ),
    ),
    footer(button("Cancel", { testid: "cancel-login", onClick: () => void cancel(f) })),
  );
}

async function reopen(f: Flow, s: LoginStarted): Promise<void> {
  try {
    await ipc.reopenLogin(s.state);
  } catch (e) {
    const err = toAppError(e);
    if (err.is("login_expired", "unknown_login")) {
      if (isCurrent(f)) {
        f.step = { kind: "expired" };
        render(f);
      }
    } else {
      showError(err, "Couldn't open the browser");
      f.dialog.el.querySelector<HTMLDetailsElement>("details.disclosure")?.setAttribute("open", "");
    }
  }
}

function completingView(f: Flow, s: LoginStarted | null): HTMLElement {
  return h(
    "div",
    { class: "login-step", testid: "login-completing", "aria-busy": "true" },
    dialogHeader(f.titleId, "Finishing sign-in…"),
    h(
      "div",
      { class: "dialog-body center" },
      h("p", { class: "big-status" }, spinner(), s ? `Confirming your account with ${s.server}` : "Confirming your account"),
    ),
  );
}

function outcome(
  f: Flow,
  testid: string,
  tone: "neutral" | "warning" | "danger",
  headline: string,
  body: Child,
): HTMLElement {
  return h(
    "div",
    { class: ["login-step", "outcome", `outcome-${tone}`], testid, role: tone === "danger" ? "alert" : "status" },
    h(
      "header",
      { class: "dialog-header with-art" },
      h("span", { class: ["art", `art-${tone}`] }, icon(tone === "neutral" ? "info" : tone === "warning" ? "clock" : "alert")),
      h("h2", { id: f.titleId, class: "dialog-title", testid: "login-headline" }, headline),
    ),
    h("div", { class: "dialog-body" }, body),
    footer(
      button("Close", { testid: "login-close", onClick: () => closeFlow(f, false) }),
      button("Start again", { testid: "login-retry", variant: "primary", autofocus: true, onClick: () => restart(f) }),
    ),
  );
}

function cancelledView(f: Flow): HTMLElement {
  return outcome(
    f,
    "login-cancelled",
    "neutral",
    "Sign-in cancelled",
    h("p", null, "Access wasn't granted in the browser, so nothing was changed. You can start again whenever you like."),
  );
}

function expiredView(f: Flow): HTMLElement {
  return outcome(
    f,
    "login-expired",
    "warning",
    "That sign-in link expired; start again",
    h("p", null, "Sign-in links work for about 10 minutes, and only in the Skyport window that opened them."),
  );
}

function errorView(f: Flow, err: AppError): HTMLElement {
  const t = errorText(err);
  return outcome(f, "login-error", "danger", t.headline, [h("p", { testid: "login-next-step" }, t.next), errorDetails(err)]);
}

