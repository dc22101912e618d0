// Reading from the shell into the store: the account list, avatars and details.
// Kept apart from actions.ts so that the login flow, which reloads the list when a sign-in
// finishes, and the actions, which open the login flow, don't import each other.
import * as ipc from "../lib/ipc/commands";
import { toAppError } from "../lib/ipc/errors";
import type { AccountSummary } from "../lib/ipc/types";
import { getState, setState } from "../lib/store";
import { showError } from "./toast";

let listSeq = 0;

/** Re-reads the account list. Keeps the old list on screen if this fails after a first success. */
export async function reloadAccounts(): Promise<boolean> {
  const seq = ++listSeq;
  try {
    const list = await ipc.listAccounts();
    performance.mark("skyport:list-answered");
    if (seq !== listSeq) return true;
    setState((s) => {
      const accounts = list.accounts;
      let selectedDid = s.selectedDid;
      if (selectedDid === null || !accounts.some((a) => a.did === selectedDid)) {
        selectedDid = accounts.find((a) => a.active)?.did ?? accounts[0]?.did ?? null;
      }
      const keep = new Set(accounts.map((a) => a.did));
      const avatars = new Map([...s.avatars].filter(([did]) => keep.has(did)));
      return {
        phase: "ready",
        loadError: null,
        accounts,
        keychain: list.keychain,
        networkProfile: list.network_profile,
        clockSkewSecs: list.clock_skew_secs,
        pendingLogins: list.pending ?? [],
        selectedDid,
        avatars,
      };
    });
    void loadAvatars(list.accounts);
    const sel = getState().selectedDid;
    if (sel) void loadDetails(sel);
    return true;
  } catch (e) {
    if (seq !== listSeq) return false;
    const err = toAppError(e);
    if (getState().phase === "ready") {
      showError(err);
    } else {
      setState({ phase: "error", loadError: err });
    }
    return false;
  }
}

async function loadAvatars(accounts: readonly AccountSummary[]): Promise<void> {
  await Promise.all(
    accounts
      .filter((a) => a.has_avatar)
      .map(async (a) => {
        try {
          const url = await ipc.accountAvatar(a.did);
          if (url && getState().avatars.get(a.did) !== url) {
            setState((s) => ({ avatars: new Map(s.avatars).set(a.did, url) }));
          }
        } catch {
          /* initials stay */
        }
      }),
  );
}

export async function loadDetails(did: string): Promise<void> {
  try {
    const d = await ipc.accountDetails(did);
    setState((s) => ({ details: new Map(s.details).set(did, d) }));
  } catch {
    /* the summary is enough to render the panel */
  }
}
