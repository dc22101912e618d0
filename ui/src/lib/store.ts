// App state: one plain object, replaced immutably; subscribers re-render what changed.
import type {
  AccountDetails, AccountSummary, Activity, AgentView, AppInfo, ColorScheme, ConnectedApp, KeychainState, NetworkProfile,
  PendingLogin, Settings,
} from "./ipc/types";
import type { AppError } from "./ipc/errors";

export type Tab = "session" | "scopes" | "apps";

/** One account's connected apps and recent calls through the agent (never a key). */
export interface AppsData {
  /** null until the first answer. */
  apps: readonly ConnectedApp[] | null;
  activity: readonly Activity[];
  /** The last load's error; the previous lists stay on screen. */
  error: AppError | null;
}

export interface AppState {
  /** "loading" until the first list_accounts answer. */
  phase: "loading" | "ready" | "error";
  loadError: AppError | null;
  accounts: readonly AccountSummary[];
  keychain: KeychainState;
  networkProfile: NetworkProfile;
  clockSkewSecs: number | null;
  /** Logins waiting for the browser (list_accounts' `pending`). */
  pendingLogins: readonly PendingLogin[];
  online: boolean;
  appInfo: AppInfo | null;
  /** Whose details are shown. */
  selectedDid: string | null;
  tab: Tab;
  /** The account being switched to; while set, other switch clicks are ignored. */
  pendingSwitch: string | null;
  refreshing: ReadonlySet<string>;
  signingOut: ReadonlySet<string>;
  avatars: ReadonlyMap<string, string>;
  details: ReadonlyMap<string, AccountDetails>;
  /** The agent's state; null until the first agent_status answer. */
  agent: AgentView | null;
  apps: ReadonlyMap<string, AppsData>;
  /** The desktop's colour-scheme preference; "no_preference" leaves it to the webview. */
  colorScheme: ColorScheme;
  /** get_settings' answer; null until it comes (or if the shell has none). */
  settings: Settings | null;
  /** The development banner was dismissed in this session. */
  devBannerDismissed: boolean;
}

let state: AppState = {
  phase: "loading",
  loadError: null,
  accounts: [],
  keychain: "available",
  networkProfile: "production",
  clockSkewSecs: null,
  pendingLogins: [],
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  appInfo: null,
  selectedDid: null,
  tab: "session",
  pendingSwitch: null,
  refreshing: new Set(),
  signingOut: new Set(),
  avatars: new Map(),
  details: new Map(),
  agent: null,
  apps: new Map(),
  colorScheme: "no_preference",
  settings: null,
  devBannerDismissed: false,
};

const subscribers = new Set<(s: AppState) => void>();

export function getState(): AppState {
  return state;
}

export function setState(patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
  const p = typeof patch === "function" ? patch(state) : patch;
  state = { ...state, ...p };
  for (const fn of subscribers) fn(state);
}

export function subscribe(fn: (s: AppState) => void): () => void {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

export function findAccount(did: string | null, s: AppState = state): AccountSummary | undefined {
  return did === null ? undefined : s.accounts.find((a) => a.did === did);
}

export function selectedAccount(s: AppState = state): AccountSummary | undefined {
  return findAccount(s.selectedDid, s);
}

/** Replaces one account by DID (no-op if unknown). */
export function patchAccount(did: string, patch: Partial<AccountSummary>): void {
  setState((s) => ({
    accounts: s.accounts.map((a) => (a.did === did ? { ...a, ...patch } : a)),
  }));
}

export function withItem<T>(set: ReadonlySet<T>, item: T, present: boolean): ReadonlySet<T> {
  const next = new Set(set);
  if (present) next.add(item);
  else next.delete(item);
  return next;
}

/**
 * Runs `fn` when any of the selected values change (compared with ===).
 * Runs once immediately.
 */
export function watch(select: (s: AppState) => readonly unknown[], fn: (s: AppState) => void): void {
  let prev: readonly unknown[] | null = null;
  const run = (s: AppState): void => {
    const next = select(s);
    if (prev && prev.length === next.length && prev.every((v, i) => v === next[i])) return;
    prev = next;
    fn(s);
  };
  subscribe(run);
  run(state);
}
