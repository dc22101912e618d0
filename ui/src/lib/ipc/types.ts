// DTOs of the Rust <-> UI contract. Field names are exactly the JSON the shell sends (snake_case).

export type AccountStatus =
  | "ready"
  | "expiring"
  | "refreshing"
  | "needs_sign_in"
  | "keychain_locked"
  | "offline";

export type ErrorCode =
  | "invalid_input"
  | "identity_mismatch"
  | "server_error"
  | "invalid_response"
  | "cancelled"
  | "login_expired"
  | "unknown_login"
  | "invalid_callback"
  | "network"
  | "offline"
  | "not_found"
  | "forbidden_destination"
  | "keychain_locked"
  | "keychain_unavailable"
  | "keychain_item_damaged"
  | "needs_sign_in"
  | "unknown_account"
  | "no_active_account"
  | "unknown_app"
  | "storage"
  | "newer_database"
  | "config"
  | "timeout"
  | "api_error"
  | "internal";

export type KeychainState = "available" | "locked" | "unavailable";
export type NetworkProfile = "production" | "development";

/** Why an account is in its status (only set for some statuses). */
export type StatusReason =
  | "invalid_grant"
  | "refresh_interrupted"
  | "key_missing"
  | "session_limit"
  | "invalid_token";

export interface AccountSummary {
  did: string;
  handle: string | null;
  display_name: string | null;
  has_avatar: boolean;
  pds_url: string;
  pds_host: string;
  issuer: string;
  active: boolean;
  status: AccountStatus;
  status_reason: StatusReason | string | null;
  /** Access-token expiry, epoch seconds. */
  expires_at: number;
  session_started_at: number;
  /** The two-week session horizon, epoch seconds. */
  session_ends_at: number;
  session_ending_soon: boolean;
  last_refresh_at: number | null;
  /** "ok" or an ErrorCode. */
  last_refresh_result: string | null;
  granted_scope: string;
  requested_scope: string;
  dpop_thumbprint: string;
}

export interface AccountList {
  accounts: AccountSummary[];
  keychain: KeychainState;
  network_profile: NetworkProfile;
  clock_skew_secs: number | null;
  /** Logins waiting for the browser, from this app or another process (older shells leave it out). */
  pending?: PendingLogin[];
}

export interface PendingLogin {
  state: string;
  login_hint: string | null;
  expected_did: string | null;
  expected_handle: string | null;
  server: string;
  started_at: number;
  expires_at: number;
}

export interface AccountDetails extends AccountSummary {
  /** e.g. "system keychain (secret-service)" */
  storage: string;
  client_id: string;
  added_at: number;
}

export interface SignOutResult {
  did: string;
  revoked: boolean;
  revoke_error: string | null;
  new_active: string | null;
}

export interface LoginStarted {
  state: string;
  authorization_url: string;
  /** Host of the authorization server. */
  server: string;
  expected_did: string | null;
  /** The handle the login is for, verified both ways, when known in advance. */
  expected_handle: string | null;
  intent: "add" | "reauth";
  /** Epoch seconds after which the pending login is dropped. */
  expires_at: number;
  /** Whether the shell could open the system browser (false: show the link). */
  browser_opened?: boolean;
}

/** reopen_login's answer. */
export interface LoginReopened {
  browser_opened?: boolean;
}

export interface LoginPreview {
  did: string | null;
  handle: string | null;
  pds_host: string | null;
  server: string;
}

export type ScopeLevel = "info" | "warning" | "danger";

export interface ScopeItem {
  raw: string;
  title: string;
  detail: string;
  group: string;
  level: ScopeLevel;
  known: boolean;
}

export interface ScopeGroup {
  title: string;
  items: ScopeItem[];
}

export interface ScopeView {
  did: string;
  groups: ScopeGroup[];
  granted: string[];
  requested: string[];
  missing: string[];
  /** Scopes the app could still ask for. */
  available: string[];
  /** The same, described for people (older shells may leave it out). */
  available_items?: ScopeItem[];
  /** Requested permission sets that could not be read, so neither granted nor missing. */
  unchecked?: string[];
  /** Granted tokens that a requested permission set grants (not "extra"). */
  from_sets?: string[];
  warnings: string[];
}

export interface AppInfo {
  version: string;
  network_profile: string;
  client_kind: "loopback" | "discoverable";
  data_dir: string;
  /** The desktop's colour-scheme preference (XDG settings portal). */
  color_scheme?: ColorScheme;
}

export type ColorScheme = "dark" | "light" | "no_preference";

export interface Settings {
  /** Start Skyport when the user logs in. */
  autostart: boolean;
}

// ---- the agent and connected apps ----

export interface AgentCounters {
  address: string;
  pid: number;
  /** Epoch seconds. */
  started_at: number;
  uptime_secs: number;
  requests: number;
  forwarded: number;
  local: number;
  refused: number;
  failed: number;
  bytes_in: number;
  bytes_out: number;
  in_flight: number;
}

export interface AgentView {
  /** Whether programs can use the agent now. */
  on: boolean;
  /** http://127.0.0.1:<port>, where it answers (or would). */
  address: string | null;
  served_by: "this_app" | "another_process" | null;
  /** Why it is off, for people (untrusted text: render as text). */
  error: string | null;
  counters: AgentCounters | null;
}

export interface AppRules {
  read_only: boolean;
  allow?: string[];
  /** A `skyport run` key: the process it lives as long as. */
  run_pid?: number;
}

/** A connected app: never its key. */
export interface ConnectedApp {
  name: string;
  did: string;
  handle: string | null;
  rules: AppRules;
  /** The rules in plain words. */
  rules_text: string;
  /** Epoch seconds. */
  created_at: number;
  expires_at: number | null;
  expired: boolean;
  last_used_at: number | null;
  calls: number;
  /** A `skyport run` key (goes when its command ends). */
  ephemeral: boolean;
}

/** connect_app's answer: the only payload that ever carries a key. */
export interface AppConnected {
  app: ConnectedApp;
  key: string;
  agent_url: string;
}

/** One call through the agent (no body, token or key). */
export interface Activity {
  /** Epoch milliseconds. */
  at_ms: number;
  key_name: string | null;
  did: string | null;
  nsid: string;
  method: string;
  status: number;
  /** "forwarded", "local", or why it was refused or failed (a stable code). */
  outcome: string;
  bytes_in: number;
  bytes_out: number;
  duration_ms: number;
}

export interface NewAppRequest {
  did: string;
  name: string;
  readOnly: boolean;
  /** NSID patterns such as app.bsky.feed.*; empty for every method but account management. */
  allow: string[];
  /** A lifetime such as "30d"; null for none. */
  expires: string | null;
}

// ---- event payloads ----

export interface StatusEventPayload {
  did: string;
  status: AccountStatus;
}

export interface RefreshEventPayload {
  did: string;
  ok: boolean;
  error_code: ErrorCode | null;
  expires_at: number | null;
}

export interface LoginEventPayload {
  state: string;
  did: string | null;
  /** The account's handle, on success. */
  handle: string | null;
  error_code: ErrorCode | null;
  message: string | null;
}

export interface AppearanceEventPayload {
  color_scheme: ColorScheme;
}

export interface NoticeSignInPayload {
  did: string;
}

export interface KeychainEventPayload {
  state: KeychainState;
}

/** The rejection value of every command. */
export interface IpcErrorPayload {
  code: ErrorCode;
  message: string;
}
