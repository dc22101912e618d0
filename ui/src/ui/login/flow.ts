// The add-account / sign-in-again flow, as one modal dialog with explicit states:
// identify -> starting -> waiting (browser) -> completing -> done (toast)
//                                            \-> cancelled | expired | error
// This module owns the state machine, the IPC calls and the login events; views.ts draws each step.
import { uid } from "../../lib/dom";
import { accountLabel, shortDid } from "../../lib/format";
import * as ipc from "../../lib/ipc/commands";
import { appErrorFrom, toAppError } from "../../lib/ipc/errors";
import type { AccountSummary, LoginEventPayload, LoginStarted } from "../../lib/ipc/types";
import { errorText } from "../../lib/messages";
import { findAccount, getState, setState } from "../../lib/store";
import { openDialog, type DialogHandle } from "../dialog";
import { loadDetails, reloadAccounts } from "../load";
import { showError, toast } from "../toast";
import type { LoginHandlers, LoginModel, PreviewState, Purpose, Step } from "./model";
import * as views from "./views";

interface Flow extends LoginModel {
  dialog: DialogHandle;
  identifier: string;
  purpose: Purpose;
  started: LoginStarted | null;
  step: Step;
  knownBefore: ReadonlySet<string>;
  preview: PreviewState | null;
  previewSeq: number;
  previewTimer: ReturnType<typeof setTimeout> | null;
}

let flow: Flow | null = null;

/** The `state` of the login this window started, if one is under way. */
export function ownLoginState(): string | null {
  return flow?.started?.state ?? null;
}
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

/** Handles `accounts://login-progress`: the browser came back and the code is being exchanged. */
export function handleLoginProgress(p: { state: string }): void {
  const f = flow;
  if (f && f.step.kind === "waiting" && f.step.started.state === p.state) {
    f.step = { kind: "completing", started: f.step.started };
    render(f);
  }
}

/** Handles `accounts://login`: a sign-in finished (deep link or loopback, handled in Rust). */
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
  purpose: Purpose,
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
      f.step = { kind: "identify", fieldError: errorText(err, { identifier: f.identifier, login: true }).headline };
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

async function reopen(f: Flow, s: LoginStarted): Promise<void> {
  try {
    const r = await ipc.reopenLogin(s.state);
    if (r?.browser_opened === false && isCurrent(f)) {
      toast("Skyport couldn't open your browser", {
        kind: "warning",
        detail: "Copy the sign-in link below and open it in your browser.",
      });
      views.revealLoginUrl(f.dialog.el);
    }
  } catch (e) {
    const err = toAppError(e);
    if (err.is("login_expired", "unknown_login")) {
      if (isCurrent(f)) {
        f.step = { kind: "expired" };
        render(f);
      }
    } else {
      showError(err, "Couldn't open the browser");
      views.revealLoginUrl(f.dialog.el);
    }
  }
}

function copyLink(s: LoginStarted): void {
  ipc.copyText(s.authorization_url).then(
    () => toast("Sign-in link copied", { kind: "info", detail: "Paste it into your browser's address bar.", timeoutMs: 4000 }),
    (e: unknown) => showError(toAppError(e), "Couldn't copy the link"),
  );
}

// ---------------------------------------------------------------- identify and preview

function identifierInput(f: Flow, value: string): void {
  f.identifier = value;
  if (f.step.kind === "identify" && f.step.fieldError) {
    f.step = { kind: "identify", fieldError: null };
    renderFieldError(f);
  }
  schedulePreview(f, value);
}

function submitIdentifier(f: Flow, raw: string): void {
  const value = raw.trim();
  f.identifier = value;
  if (!value) {
    f.step = { kind: "identify", fieldError: "Enter a handle, DID or server address." };
    renderFieldError(f);
    views.focusIdentifier(f.dialog.el);
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

// ---------------------------------------------------------------- rendering

function render(f: Flow): void {
  if (!f.dialog.open) return;
  f.dialog.setContent(views.stepView(f, handlers(f)));
}

function renderFieldError(f: Flow): void {
  views.renderFieldError(f.dialog.el, f.step.kind === "identify" ? f.step.fieldError : null);
}

function renderPreview(f: Flow): void {
  if (f.step.kind !== "identify" || !f.dialog.open) return;
  views.renderPreview(f.dialog.el, f);
}

function handlers(f: Flow): LoginHandlers {
  return {
    identifierInput: (value) => identifierInput(f, value),
    submitIdentifier: (value) => submitIdentifier(f, value),
    requestClose: () => f.dialog.requestClose(),
    abandon: () => closeFlow(f, true),
    countdownEnded: (s) => {
      if (flow === f && f.step.kind === "waiting" && f.step.started === s) expire(f);
    },
    reopen: (s) => void reopen(f, s),
    copyLink: (s) => copyLink(s),
    cancel: () => void cancel(f),
    close: () => closeFlow(f, false),
    restart: () => restart(f),
  };
}
