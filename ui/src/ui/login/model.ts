// What the login views see of a login (read-only) and what they may ask the flow to do.
// Types only: flow.ts drives a login and implements LoginHandlers, views.ts draws a LoginModel.
import type { AppError } from "../../lib/ipc/errors";
import type { AccountSummary, LoginPreview, LoginStarted } from "../../lib/ipc/types";

export type Step =
  | { kind: "identify"; fieldError: string | null }
  | { kind: "starting" }
  | { kind: "waiting"; started: LoginStarted }
  | { kind: "completing"; started: LoginStarted | null }
  | { kind: "cancelled" }
  | { kind: "expired" }
  | { kind: "error"; error: AppError };

export type Purpose = "add" | "reauth" | "scopes";

/** The server lookup shown under the identifier field. */
export interface PreviewState {
  for: string;
  result: LoginPreview | null;
  error: AppError | null;
  loading: boolean;
}

export interface LoginModel {
  readonly titleId: string;
  /** What the user typed, or the DID for sign-in-again. */
  readonly identifier: string;
  readonly scope: string | null;
  /** Re-authenticating a known account (no identify step). */
  readonly reauth: AccountSummary | null;
  readonly purpose: Purpose;
  readonly notice: string | null;
  readonly step: Step;
  readonly preview: PreviewState | null;
}

/** The flow's answers to the controls in the views. */
export interface LoginHandlers {
  /** The identifier field changed. */
  identifierInput(value: string): void;
  /** The identify form was submitted with this field value. */
  submitIdentifier(value: string): void;
  /** Cancel on the identify step: asks the dialog (as Escape does). */
  requestClose(): void;
  /** Cancel while the login is starting. */
  abandon(): void;
  /** The countdown of this waiting login reached zero. */
  countdownEnded(started: LoginStarted): void;
  reopen(started: LoginStarted): void;
  copyLink(started: LoginStarted): void;
  /** Cancel while waiting for the browser. */
  cancel(): void;
  /** Close on an outcome screen. */
  close(): void;
  /** "Start again" on an outcome screen. */
  restart(): void;
}
