// The one module that calls `invoke`. Every wrapper rejects with an AppError.
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { toAppError } from "./errors";
import { recordIpc } from "./record";
import type {
  AccountDetails, AccountList, AccountSummary, Activity, AgentView, AppConnected, AppInfo,
  ConnectedApp, LoginPreview, LoginReopened, LoginStarted, NewAppRequest, ScopeView, Settings, SignOutResult,
} from "./types";

/** `redact` shapes what the opt-in IPC recorder keeps (never a key). */
async function call<T>(cmd: string, args?: InvokeArgs, redact: (r: T) => unknown = (r) => r): Promise<T> {
  try {
    const result = await invoke<T>(cmd, args);
    recordIpc("result", cmd, redact(result));
    return result;
  } catch (e) {
    recordIpc("error", cmd, e);
    throw toAppError(e);
  }
}

export function listAccounts(): Promise<AccountList> {
  return call("list_accounts");
}

/** A data: URL, or null. Anything that is not a data:image URL is dropped (we never load remote content). */
export async function accountAvatar(did: string): Promise<string | null> {
  const url = await call<string | null>("account_avatar", { did });
  return typeof url === "string" && /^data:image\/(png|jpeg|webp|gif|avif)[;,]/i.test(url) ? url : null;
}

export function previewLogin(identifier: string): Promise<LoginPreview> {
  return call("preview_login", { identifier });
}

export function startLogin(identifier: string, scope: string | null): Promise<LoginStarted> {
  return call("start_login", { identifier, scope });
}

/** Opens the sign-in page again; null from shells that don't say whether the browser opened. */
export function reopenLogin(state: string): Promise<LoginReopened | null> {
  return call("reopen_login", { state });
}

/** Opens the account's Bluesky profile, its PDS, or its DID document in the system browser. */
export function openLink(did: string, kind: "profile" | "pds" | "did_document"): Promise<null> {
  return call("open_link", { did, kind });
}

export function cancelLogin(state: string): Promise<null> {
  return call("cancel_login", { state });
}

/** Stores the order of the list (every DID, first to last); answers with the list. */
export function reorderAccounts(order: readonly string[]): Promise<AccountList> {
  return call("reorder_accounts", { order: [...order] });
}

export function settings(): Promise<Settings> {
  return call("get_settings");
}

export function setAutostart(enabled: boolean): Promise<null> {
  return call("set_autostart", { enabled });
}

export function switchAccount(did: string): Promise<AccountSummary> {
  return call("switch_account", { did });
}

export function refreshAccount(did: string): Promise<AccountSummary> {
  return call("refresh_account", { did });
}

export function signOut(did: string): Promise<SignOutResult> {
  return call("sign_out", { did });
}

export function signOutAll(): Promise<SignOutResult[]> {
  return call("sign_out_all");
}

export function accountDetails(did: string): Promise<AccountDetails> {
  return call("account_details", { did });
}

export function accountScopes(did: string): Promise<ScopeView> {
  return call("account_scopes", { did });
}

/** The same, after reading the permission sets it names from their publishers (network). */
export function accountScopesChecked(did: string): Promise<ScopeView> {
  return call("account_scopes_checked", { did });
}

export function diagnostics(): Promise<string> {
  return call("diagnostics");
}

export function appInfo(): Promise<AppInfo> {
  return call("app_info");
}

export function agentStatus(): Promise<AgentView> {
  return call("agent_status");
}

export function listApps(did: string): Promise<ConnectedApp[]> {
  return call("list_apps", { did });
}

/** Makes a key for a program. The answer is the only place the key ever appears: show it once, keep it nowhere. */
export function connectApp(req: NewAppRequest): Promise<AppConnected> {
  return call<AppConnected>("connect_app", { ...req }, (r) => ({ ...r, key: "[key not recorded]" }));
}

export function revokeApp(name: string): Promise<ConnectedApp> {
  return call("revoke_app", { name });
}

export function appActivity(did: string): Promise<Activity[]> {
  return call("app_activity", { did });
}

/** Puts text on the clipboard through the shell; falls back to the web clipboard API. */
export async function copyText(text: string): Promise<void> {
  try {
    await call<null>("copy_text", { text });
  } catch (shellError) {
    if (typeof navigator !== "undefined" && navigator.clipboard) {
      try {
        await navigator.clipboard.writeText(text);
        return;
      } catch {
        /* fall through to the shell's error */
      }
    }
    throw shellError;
  }
}
