// Plain-language text for error codes, statuses and status reasons.
import type { AccountStatus, ErrorCode } from "./ipc/types";
import type { AppError } from "./ipc/errors";

/** "warning": not possible right now (a precondition); "failure": something broke; "neutral": nothing wrong. */
export type Tone = "neutral" | "warning" | "failure";

export interface ErrorText {
  headline: string;
  next: string;
  tone: Tone;
}

const ERRORS: Record<ErrorCode, ErrorText> = {
  invalid_input: {
    headline: "That isn't a handle, DID or server address Skyport can use",
    next: "Check the spelling — for example alice.bsky.social, did:plc:…, or https://pds.example.com.",
    tone: "warning",
  },
  identity_mismatch: {
    headline: "You signed in as a different account",
    next: "Sign in again with the expected account, or use Add account to add the other one.",
    tone: "warning",
  },
  server_error: {
    headline: "The server reported an error",
    next: "Try again in a moment. If it keeps happening, the server may be having problems.",
    tone: "failure",
  },
  invalid_response: {
    headline: "The server sent an answer Skyport couldn't use",
    next: "Try again later. If it keeps happening, copy the diagnostics and report it.",
    tone: "failure",
  },
  cancelled: {
    headline: "Sign-in cancelled",
    next: "Nothing was changed. You can start again whenever you like.",
    tone: "neutral",
  },
  login_expired: {
    headline: "That sign-in link expired; start again",
    next: "Sign-in links are valid for about 10 minutes and only in the Skyport session that opened them.",
    tone: "warning",
  },
  unknown_login: {
    headline: "That sign-in link expired; start again",
    next: "Skyport has no pending sign-in for it — perhaps it was restarted or the link was already used.",
    tone: "warning",
  },
  invalid_callback: {
    headline: "The browser returned an incomplete sign-in",
    next: "Start the sign-in again from Skyport.",
    tone: "failure",
  },
  network: {
    headline: "Skyport couldn't reach the server",
    next: "The server may be down or blocked on this network. Try again in a moment.",
    tone: "warning",
  },
  offline: {
    headline: "You're offline",
    next: "Skyport couldn't reach the internet. Check your connection (Wi-Fi, cable or VPN), then try again.",
    tone: "warning",
  },
  not_found: {
    headline: "No account or server uses that address",
    next: "Check that it's typed correctly, or ask the account's owner for their current handle.",
    tone: "warning",
  },
  forbidden_destination: {
    headline: "Skyport won't connect to that address",
    next: "Servers must use https on a public address. Check the server address you entered.",
    tone: "warning",
  },
  keychain_locked: {
    headline: "Your system keychain is locked",
    next: "Unlock it (for example by logging in again or opening your keyring app), then try again.",
    tone: "warning",
  },
  keychain_unavailable: {
    headline: "No system keychain is available",
    next: "Skyport keeps keys only in the system keychain. Install or start one, then try again.",
    tone: "warning",
  },
  keychain_item_damaged: {
    headline: "This account's saved key is damaged",
    next: "Skyport can't read the key it saved in your system keychain. Sign in again to replace it; the account and its settings are kept.",
    tone: "failure",
  },
  needs_sign_in: {
    headline: "This account needs to sign in again",
    next: "Use Sign in again; the account and its settings are kept.",
    tone: "warning",
  },
  unknown_account: {
    headline: "That account is no longer on this device",
    next: "It may have been signed out elsewhere. The list has been reloaded.",
    tone: "warning",
  },
  no_active_account: {
    headline: "No account is active",
    next: "Choose an account in the list to make it active.",
    tone: "warning",
  },
  unknown_app: {
    headline: "That app is no longer connected",
    next: "It may have been revoked elsewhere (for example with skyport agent revoke). The list has been reloaded.",
    tone: "warning",
  },
  storage: {
    headline: "Skyport couldn't read or save its data",
    next: "Check free disk space and the permissions of Skyport's data folder, then try again.",
    tone: "failure",
  },
  newer_database: {
    headline: "Your accounts were saved by a newer version of Skyport",
    next: "Update Skyport to open them. Nothing was changed.",
    tone: "failure",
  },
  config: {
    headline: "Skyport's configuration is invalid",
    next: "Check the configuration, or reinstall Skyport.",
    tone: "failure",
  },
  timeout: {
    headline: "That took too long",
    next: "The server or the keychain didn't answer in time. Try again.",
    tone: "warning",
  },
  api_error: {
    headline: "The server rejected the request",
    next: "Try again. If it keeps happening, copy the diagnostics and report it.",
    tone: "failure",
  },
  internal: {
    headline: "Something went wrong inside Skyport",
    next: "Try again. If it keeps happening, copy the diagnostics and report it.",
    tone: "failure",
  },
};

/** What the user typed, when the error is about it: names it in the headline. */
export interface ErrorContext {
  identifier?: string;
  /** No session exists yet (a new sign-in): never say a session is kept. */
  login?: boolean;
}

export function errorText(e: AppError, ctx: ErrorContext = {}): ErrorText {
  const base = ERRORS[e.code];
  const id = ctx.identifier?.trim();
  if (e.code === "not_found" && id) {
    return { ...base, headline: notFoundHeadline(id) };
  }
  if (ctx.login && (e.code === "network" || e.code === "offline" || e.code === "timeout")) {
    return { ...base, next: `${base.next} Nothing was saved yet.` };
  }
  return base;
}

function notFoundHeadline(id: string): string {
  if (/^did:/i.test(id)) return `No account has the DID ${id}`;
  if (/^https?:\/\//i.test(id)) return `No server answers at ${id}`;
  return `No account uses the handle ${id.replace(/^@/, "")}`;
}

/** Failures of the network or the connection, which the UI treats alike (status offline, Retry). */
export function isNetworkFailure(e: AppError): boolean {
  return e.is("network", "offline", "timeout");
}

export interface StatusText {
  label: string;
  tone: "ok" | "amber" | "red" | "grey" | "busy";
}

export function statusText(status: AccountStatus): StatusText {
  switch (status) {
    case "ready": return { label: "Signed in", tone: "ok" };
    case "expiring": return { label: "Expiring", tone: "amber" };
    case "refreshing": return { label: "Refreshing…", tone: "busy" };
    case "needs_sign_in": return { label: "Needs sign-in", tone: "red" };
    case "keychain_locked": return { label: "Keychain locked", tone: "grey" };
    case "offline": return { label: "Offline", tone: "grey" };
  }
}

/** Why an account needs attention, in words. */
export function reasonText(reason: string | null): string | null {
  switch (reason) {
    case null: return null;
    case "invalid_grant": return "The server no longer accepts this session.";
    case "refresh_interrupted": return "A token refresh was interrupted, so the session can't be trusted any more.";
    case "key_missing": return "The session's key is missing from the system keychain.";
    case "session_limit": return "The session reached its two-week limit.";
    case "invalid_token": return "The server rejected the session's token.";
    default: return null;
  }
}

/** "OK", or a short label for an error code from last_refresh_result. */
export function refreshResultText(result: string | null): string {
  if (result === null) return "No refresh yet";
  if (result === "ok") return "OK";
  switch (result) {
    case "network": return "Failed — server unreachable";
    case "offline": return "Failed — offline";
    case "not_found": return "Failed — not found";
    case "keychain_item_damaged": return "Failed — saved key damaged";
    case "timeout": return "Failed — timed out";
    case "needs_sign_in": return "Failed — needs sign-in";
    case "keychain_locked": return "Failed — keychain locked";
    default: return `Failed (${result})`;
  }
}
