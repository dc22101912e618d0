// App-level actions shared by the screens: select, switch, refresh, retry, copy. They update the store
// and show toasts. Reading the list and details from the shell is in load.ts.
import * as ipc from "../lib/ipc/commands";
import { toAppError } from "../lib/ipc/errors";
import type { AccountSummary } from "../lib/ipc/types";
import { isNetworkFailure, reasonText } from "../lib/messages";
import { accountLabel, clockTime, expiresPhrase, nowSecs } from "../lib/format";
import { findAccount, getState, patchAccount, setState, withItem } from "../lib/store";
import { loadDetails, reloadAccounts } from "./load";
import { promptSignInAgain, startSignInAgain } from "./login";
import { showError, toast } from "./toast";

export function select(did: string): void {
  setState({ selectedDid: did });
  void loadDetails(did);
}

/** One click switches the active account. Clicks while a switch is pending are ignored. */
export async function switchTo(did: string): Promise<void> {
  const s = getState();
  if (s.pendingSwitch !== null) return;
  const target = findAccount(did, s);
  if (!target) return;
  if (target.active) {
    select(did);
    return;
  }
  setState({ pendingSwitch: did });
  try {
    const updated = await ipc.switchAccount(did);
    setState((st) => ({
      pendingSwitch: null,
      selectedDid: did,
      accounts: st.accounts.map((a) => (a.did === did ? { ...updated, active: true } : a.active ? { ...a, active: false } : a)),
    }));
    void loadDetails(did);
    if (updated.status === "needs_sign_in") {
      promptSignInAgain(updated);
    } else {
      toast(`Switched to ${accountLabel(updated)}`, {
        detail: "Scripts and skyport api now use this account by default.",
      });
    }
  } catch (e) {
    setState({ pendingSwitch: null });
    const err = toAppError(e);
    if (err.is("needs_sign_in")) {
      patchAccount(did, { status: "needs_sign_in" });
      select(did);
      promptSignInAgain(findAccount(did) ?? target);
    } else if (err.is("unknown_account")) {
      showError(err);
      void reloadAccounts();
    } else {
      showError(err, `Couldn't switch to ${accountLabel(target)}`);
    }
  }
}

/** Refresh now: one at a time per account; the spinner is on that account's controls only. */
export async function refreshNow(did: string): Promise<void> {
  const s = getState();
  const before = findAccount(did, s);
  if (!before || s.refreshing.has(did)) return;
  setState((st) => ({ refreshing: withItem(st.refreshing, did, true) }));
  try {
    const a = await ipc.refreshAccount(did);
    setState((st) => ({ accounts: st.accounts.map((x) => (x.did === did ? a : x)) }));
    void loadDetails(did);
    if (a.status === "needs_sign_in") {
      needsSignInToast(a);
    } else if (a.status === "offline") {
      offlineToast(a);
    } else {
      toast(`Refreshed ${accountLabel(a)}`, {
        detail: `New access token ${expiresPhrase(a.expires_at)}, at ${clockTime(a.expires_at)}.`,
      });
    }
  } catch (e) {
    const err = toAppError(e);
    const now = Math.floor(nowSecs());
    if (isNetworkFailure(err)) {
      patchAccount(did, { status: "offline", last_refresh_at: now, last_refresh_result: err.rawCode });
      offlineToast(findAccount(did) ?? before);
    } else if (err.is("needs_sign_in")) {
      patchAccount(did, { status: "needs_sign_in", last_refresh_at: now, last_refresh_result: err.rawCode });
      needsSignInToast(findAccount(did) ?? before);
    } else if (err.is("keychain_locked")) {
      patchAccount(did, { status: "keychain_locked" });
      setState({ keychain: "locked" });
      showError(err);
    } else {
      showError(err, `Couldn't refresh ${accountLabel(before)}`);
    }
  } finally {
    setState((st) => ({ refreshing: withItem(st.refreshing, did, false) }));
  }
}

function offlineToast(a: AccountSummary): void {
  toast(`Couldn't reach ${a.pds_host}`, {
    kind: "warning",
    detail: `Your session is kept. The current token ${expiresPhrase(a.expires_at)}.`,
    action: { label: "Retry", testid: "toast-retry", run: () => void refreshNow(a.did) },
  });
}

function needsSignInToast(a: AccountSummary): void {
  toast(`${accountLabel(a)} needs to sign in again`, {
    kind: "error",
    detail: `${reasonText(a.status_reason) ?? "The session can no longer be renewed."} The account and its settings are kept.`,
    action: { label: "Sign in again", testid: "toast-sign-in-again", run: () => startSignInAgain(a) },
  });
}

let reorderSeq = 0;

/**
 * Stores a new order of the list (every DID, first to last) after `moved` was moved. The list
 * moves at once; if the shell refuses, it goes back and the error is shown.
 */
export async function reorder(order: readonly string[], moved: string): Promise<void> {
  const before = getState().accounts.map((a) => a.did);
  if (order.length === before.length && order.every((d, i) => d === before[i])) return;
  const seq = ++reorderSeq;
  const arrange = (dids: readonly string[]): void =>
    setState((s) => {
      const byDid = new Map(s.accounts.map((a) => [a.did, a]));
      const listed = dids.map((d) => byDid.get(d)).filter((a): a is AccountSummary => a !== undefined);
      const rest = s.accounts.filter((a) => !dids.includes(a.did));
      return { accounts: [...listed, ...rest] };
    });
  arrange(order);
  const a = findAccount(moved);
  announce(`Moved ${a ? accountLabel(a) : moved} to position ${order.indexOf(moved) + 1} of ${order.length}.`);
  try {
    const list = await ipc.reorderAccounts(order);
    if (seq !== reorderSeq) return;
    setState({ accounts: list.accounts });
  } catch (e) {
    if (seq !== reorderSeq) return;
    arrange(before);
    showError(toAppError(e), "Couldn't change the order");
  }
}

/** Says something once in the app's status region. */
function announce(text: string): void {
  const region = document.querySelector<HTMLElement>('[data-testid="live-status"]');
  if (region) region.textContent = text;
}

/** Retry for Offline (refresh) or Keychain locked (re-list). */
export async function retry(did: string): Promise<void> {
  const a = findAccount(did);
  if (!a) return;
  if (a.status === "keychain_locked") {
    const ok = await reloadAccounts();
    if (ok && getState().keychain === "locked") {
      toast("The keychain is still locked", { kind: "warning", detail: "Unlock it, then press Retry." });
    }
  } else {
    await refreshNow(did);
  }
}

export async function copy(text: string, what: string): Promise<void> {
  try {
    await ipc.copyText(text);
    toast(`Copied ${what}`, { kind: "info", timeoutMs: 3000 });
  } catch (e) {
    showError(toAppError(e), "Couldn't copy");
  }
}

export async function copyDiagnostics(): Promise<void> {
  try {
    const text = await ipc.diagnostics();
    await ipc.copyText(text);
    const dir = getState().appInfo?.data_dir;
    toast("Diagnostics copied", {
      kind: "info",
      detail: [
        "Redacted JSON with no tokens or keys — paste it into a bug report.",
        dir ? `Skyport's data and logs are in ${dir}` : "",
      ].filter(Boolean),
    });
  } catch (e) {
    showError(toAppError(e), "Couldn't copy diagnostics");
  }
}

