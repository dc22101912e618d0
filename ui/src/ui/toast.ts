// Toasts: short confirmations in a polite live region, bottom right.
import { h, icon, type IconName } from "../lib/dom";
import type { AppError } from "../lib/ipc/errors";
import { errorText } from "../lib/messages";

export type ToastKind = "success" | "info" | "warning" | "error";

export interface ToastOptions {
  kind?: ToastKind;
  /** Extra lines under the message (untrusted text is fine: rendered as text). */
  detail?: string | readonly string[];
  /** Default 6 s; warnings and errors stay longer. 0 = until dismissed. */
  timeoutMs?: number;
  action?: { label: string; run: () => void; testid?: string };
}

const MAX_TOASTS = 4;
const ICON: Record<ToastKind, IconName> = { success: "check", info: "info", warning: "alert", error: "alert" };

function region(): HTMLElement {
  let el = document.getElementById("toasts");
  if (!el) {
    el = h("div", { id: "toasts", class: "toasts", "aria-live": "polite", "aria-relevant": "additions" });
    document.body.appendChild(el);
  }
  return el;
}

export function toast(message: string, opts: ToastOptions = {}): HTMLElement {
  const kind = opts.kind ?? "success";
  const timeout = opts.timeoutMs ?? (kind === "success" || kind === "info" ? 6000 : 12000);
  const lines = typeof opts.detail === "string" ? [opts.detail] : (opts.detail ?? []);
  let timer: ReturnType<typeof setTimeout> | null = null;

  const close = (): void => {
    if (timer !== null) clearTimeout(timer);
    el.remove();
  };
  const el = h(
    "div",
    { class: ["toast", `toast-${kind}`], testid: "toast", dataset: { kind }, role: kind === "error" ? "alert" : "status" },
    h("span", { class: "toast-icon" }, icon(ICON[kind])),
    h(
      "div",
      { class: "toast-body" },
      h("p", { class: "toast-message", testid: "toast-message" }, message),
      lines.map((l) => h("p", { class: "toast-detail" }, l)),
      opts.action &&
        h(
          "button",
          {
            type: "button",
            class: "btn btn-small btn-secondary toast-action",
            testid: opts.action.testid ?? "toast-action",
            on: { click: () => { opts.action?.run(); close(); } },
          },
          opts.action.label,
        ),
    ),
    h("button", { type: "button", class: "icon-btn toast-close", "aria-label": "Dismiss", on: { click: close } }, icon("x")),
  );
  const r = region();
  r.appendChild(el);
  while (r.children.length > MAX_TOASTS) r.firstElementChild?.remove();
  if (timeout > 0) {
    timer = setTimeout(close, timeout);
    // Don't let a toast vanish while the pointer or focus is on it.
    el.addEventListener("mouseenter", () => { if (timer !== null) clearTimeout(timer); });
    el.addEventListener("focusin", () => { if (timer !== null) clearTimeout(timer); });
  }
  return el;
}

/** A toast for an error: headline, next step, code. */
export function showError(err: AppError, context?: string): void {
  const t = errorText(err);
  toast(context ? `${context}: ${t.headline}` : t.headline, {
    kind: t.tone === "failure" ? "error" : t.tone === "warning" ? "warning" : "info",
    detail: [t.next, `Code: ${err.rawCode}`],
  });
}
