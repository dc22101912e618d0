// Typed listeners for the shell's events.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { recordIpc } from "./record";
import type {
  AppearanceEventPayload, KeychainEventPayload, NoticeSignInPayload, LoginEventPayload, RefreshEventPayload, StatusEventPayload,
} from "./types";

export const EVENTS = {
  changed: "accounts://changed",
  status: "accounts://status",
  refresh: "accounts://refresh",
  login: "accounts://login",
  loginProgress: "accounts://login-progress",
  keychain: "accounts://keychain",
  appearance: "appearance://changed",
  trayAddAccount: "tray://add-account",
  noticeSignIn: "notice://sign-in",
} as const;

function on<T>(name: string, cb: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(name, (ev) => {
    recordIpc("event", name, ev.payload);
    cb(ev.payload);
  });
}

/** Payload is null: reload the list. */
export const onAccountsChanged = (cb: () => void): Promise<UnlistenFn> => on<null>(EVENTS.changed, () => cb());
export const onAccountStatus = (cb: (p: StatusEventPayload) => void): Promise<UnlistenFn> => on(EVENTS.status, cb);
export const onAccountRefresh = (cb: (p: RefreshEventPayload) => void): Promise<UnlistenFn> => on(EVENTS.refresh, cb);
export const onLoginFinished = (cb: (p: LoginEventPayload) => void): Promise<UnlistenFn> => on(EVENTS.login, cb);
/** A login's callback arrived and passed its checks; the code is being exchanged. */
export const onLoginProgress = (cb: (p: { state: string }) => void): Promise<UnlistenFn> => on(EVENTS.loginProgress, cb);
export const onKeychain = (cb: (p: KeychainEventPayload) => void): Promise<UnlistenFn> => on(EVENTS.keychain, cb);
/** The desktop's colour-scheme preference changed. */
export const onAppearance = (cb: (p: AppearanceEventPayload) => void): Promise<UnlistenFn> => on(EVENTS.appearance, cb);
/** "Add account" in the tray menu. */
export const onTrayAddAccount = (cb: () => void): Promise<UnlistenFn> => on<null>(EVENTS.trayAddAccount, () => cb());
/** A notification's "Sign in" action for an account. */
export const onNoticeSignIn = (cb: (p: NoticeSignInPayload) => void): Promise<UnlistenFn> => on(EVENTS.noticeSignIn, cb);
