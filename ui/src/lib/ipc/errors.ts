// Normalises whatever a command rejects with into one AppError type.
import type { ErrorCode } from "./types";

const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "invalid_input", "identity_mismatch", "server_error", "invalid_response", "cancelled",
  "login_expired", "unknown_login", "invalid_callback", "network", "offline", "not_found", "forbidden_destination",
  "keychain_locked", "keychain_unavailable", "keychain_item_damaged", "needs_sign_in", "unknown_account",
  "no_active_account", "unknown_app", "storage", "newer_database", "config", "timeout", "api_error", "internal",
]);

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === "string" && KNOWN_CODES.has(v);
}

export class AppError extends Error {
  /** A known code, or "internal" when the shell sent something unrecognised. */
  readonly code: ErrorCode;
  /** The code exactly as received (may be a newer code this UI doesn't know). */
  readonly rawCode: string;
  /** Untrusted text from the shell or a server; render with textContent only. */
  readonly detail: string;

  constructor(code: string, detail: string) {
    super(`${code}: ${detail}`);
    this.name = "AppError";
    this.rawCode = code;
    this.code = isErrorCode(code) ? code : "internal";
    this.detail = detail;
  }

  is(...codes: ErrorCode[]): boolean {
    return codes.includes(this.code);
  }
}

/** Turns a rejection (normally `{code, message}`) into an AppError. Never throws. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e !== null && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if (typeof o["code"] === "string") {
      return new AppError(o["code"], typeof o["message"] === "string" ? o["message"] : "");
    }
    if (e instanceof Error) return new AppError("internal", e.message);
  }
  if (typeof e === "string") {
    // Some shells serialise errors as a JSON string.
    try {
      const parsed: unknown = JSON.parse(e);
      if (parsed !== null && typeof parsed === "object" && "code" in parsed) return toAppError(parsed);
    } catch {
      /* plain text */
    }
    return new AppError("internal", e);
  }
  return new AppError("internal", String(e));
}

/** Construct an AppError from an event payload's code + message. */
export function appErrorFrom(code: string | null, message: string | null): AppError {
  return new AppError(code ?? "internal", message ?? "");
}
