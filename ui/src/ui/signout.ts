// Sign out (one account / all accounts): a confirm dialog naming the account, then a result toast.
import { h, uid } from "../lib/dom";
import { accountLabel, duration, nowSecs, plural } from "../lib/format";
import * as ipc from "../lib/ipc/commands";
import { toAppError, type AppError } from "../lib/ipc/errors";
import type { AccountSummary, SignOutResult } from "../lib/ipc/types";
import { findAccount, getState, setState, withItem } from "../lib/store";
import { button, errorCallout } from "./components";
import { dialogHeader, openDialog } from "./dialog";
import { reloadAccounts } from "./load";
import { toast } from "./toast";

const TOKEN_NOTE = "Access tokens already issued may keep working until they expire.";

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function labelFor(did: string, before: readonly AccountSummary[]): string {
  const a = before.find((x) => x.did === did);
  return a ? accountLabel(a) : did;
}

export function confirmSignOut(a: AccountSummary, returnFocus?: HTMLElement | null): void {
  const titleId = uid("sign-out-title");
  let busy = false;
  const d = openDialog({
    testid: "sign-out-dialog",
    labelledBy: titleId,
    size: "small",
    returnFocus,
    onRequestClose: () => !busy,
  });
  const label = accountLabel(a);
  const tokenLeft = a.expires_at - nowSecs();

  const render = (error: AppError | null): void =>
    d.setContent(
      dialogHeader(titleId, `Sign out of ${label}?`),
      h(
        "div",
        { class: "dialog-body" },
        h(
          "p",
          null,
          "Skyport will ask ",
          h("strong", null, host(a.issuer)),
          " to revoke this session, then delete its keys from this device.",
        ),
        a.active
          ? h("p", { testid: "sign-out-active-note" }, "This is the active account; scripts and skyport api will switch to another account if there is one.")
          : null,
        h(
          "p",
          { class: "muted" },
          TOKEN_NOTE,
          tokenLeft > 0 ? ` This account's current token ends in ${duration(tokenLeft)}.` : "",
          ` To review other apps signed in to this account, use the account settings on ${a.pds_host}.`,
        ),
        error ? errorCallout(error, null, "sign-out-error") : null,
      ),
      confirmFooter("Sign out", "confirm-sign-out", busy, () => d.requestClose(), () => void run()),
    );

  const run = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    render(null);
    const before = getState().accounts;
    setState((s) => ({ signingOut: withItem(s.signingOut, a.did, true) }));
    try {
      const r = await ipc.signOut(a.did);
      busy = false;
      d.close();
      await reloadAccounts();
      focusAfterSignOut(a.did, before);
      resultToast([r], before);
    } catch (e) {
      busy = false;
      render(toAppError(e));
    } finally {
      setState((s) => ({ signingOut: withItem(s.signingOut, a.did, false) }));
    }
  };

  render(null);
}

export function confirmSignOutAll(returnFocus?: HTMLElement | null): void {
  const titleId = uid("sign-out-all-title");
  let busy = false;
  const d = openDialog({
    testid: "sign-out-all-dialog",
    labelledBy: titleId,
    size: "small",
    returnFocus,
    onRequestClose: () => !busy,
  });
  const accounts = getState().accounts;

  const render = (error: AppError | null): void =>
    d.setContent(
      dialogHeader(titleId, `Sign out of all ${plural(accounts.length, "account")}?`),
      h(
        "div",
        { class: "dialog-body" },
        h("p", null, "Skyport will ask each server to revoke its session, then delete every key from this device:"),
        h("ul", { class: "name-list" }, accounts.map((a) => h("li", null, accountLabel(a)))),
        h("p", { class: "muted" }, TOKEN_NOTE),
        error ? errorCallout(error, null, "sign-out-error") : null,
      ),
      confirmFooter("Sign out of all", "confirm-sign-out-all", busy, () => d.requestClose(), () => void run()),
    );

  const run = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    render(null);
    const before = getState().accounts;
    setState({ signingOut: new Set(before.map((a) => a.did)) });
    try {
      const results = await ipc.signOutAll();
      busy = false;
      d.close();
      await reloadAccounts();
      // Its opener (Sign out of all) is gone with the list.
      document.querySelector<HTMLElement>('[data-testid="add-account"]')?.focus();
      resultToast(results, before);
    } catch (e) {
      busy = false;
      render(toAppError(e));
      void reloadAccounts();
    } finally {
      setState({ signingOut: new Set() });
    }
  };

  render(null);
}

/**
 * Focus goes to the account that took the signed-out one's place in the list (the next one,
 * else the one before), or to Add account when none is left — not to the dialog's opener,
 * which is gone, nor to "Sign out of all accounts".
 */
function focusAfterSignOut(did: string, before: readonly AccountSummary[]): void {
  const i = before.findIndex((a) => a.did === did);
  const left = getState().accounts;
  const candidates = [...before.slice(i + 1), ...before.slice(0, Math.max(i, 0)).reverse()];
  const next = candidates.find((a) => left.some((x) => x.did === a.did));
  const target = next
    ? document.querySelector<HTMLElement>(`[data-testid="account-row"][data-did="${CSS.escape(next.did)}"]`)
    : document.querySelector<HTMLElement>('[data-testid="add-account"]');
  target?.focus();
}

/** One toast summarising sign-out results: revocation, new active account, token note. */
function resultToast(results: readonly SignOutResult[], before: readonly AccountSummary[]): void {
  const unrevoked = results.filter((r) => !r.revoked);
  const lines: string[] = [];
  let headline: string;
  if (results.length === 1) {
    const r = results[0]!;
    headline = r.revoked
      ? `Signed out of ${labelFor(r.did, before)}`
      : "Removed from this device; the server could not be reached to revoke the session";
    if (!r.revoked) lines.push(`Account: ${labelFor(r.did, before)}${r.revoke_error ? ` (reason: ${r.revoke_error})` : ""}`);
  } else {
    headline = `Signed out of ${plural(results.length, "account")}`;
    if (unrevoked.length > 0) {
      lines.push(
        `Removed from this device; the server could not be reached to revoke the session for ${unrevoked
          .map((r) => labelFor(r.did, before))
          .join(", ")}.`,
      );
    }
  }
  const wasActive = results.some((r) => before.find((a) => a.did === r.did)?.active);
  if (wasActive) {
    const newActive = results.map((r) => r.new_active).filter((x): x is string => !!x).pop() ?? null;
    const na = newActive ? findAccount(newActive) : undefined;
    if (newActive) {
      lines.push(`${na ? accountLabel(na) : labelFor(newActive, before)} is now the active account.`);
    } else if (getState().accounts.length === 0 || results.length > 1) {
      lines.push("No account is active now.");
    } else {
      lines.push("No account is active now; choose one in the list.");
    }
  }
  lines.push(TOKEN_NOTE);
  toast(headline, { kind: unrevoked.length ? "warning" : "success", detail: lines, timeoutMs: 15000 });
}

/** Cancel + the danger button of a sign-out dialog. */
function confirmFooter(label: string, testid: string, busy: boolean, cancel: () => void, confirm: () => void): HTMLElement {
  return h(
    "footer",
    { class: "dialog-footer" },
    button("Cancel", { testid: "cancel-sign-out", autofocus: true, onClick: cancel }),
    button(label, { testid, variant: "danger", icon: "logout", busy, busyLabel: "Signing out…", onClick: confirm }),
  );
}
