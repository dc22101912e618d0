// Small shared pieces: avatar, status badge, buttons, alerts, error details.
import { h, icon, spinner, type Child, type IconName } from "../lib/dom";
import { colorSlot, expiresPhrase, initials } from "../lib/format";
import type { AppError } from "../lib/ipc/errors";
import type { AccountSummary } from "../lib/ipc/types";
import { errorText, statusText } from "../lib/messages";
import { live } from "../lib/ticker";

export function avatar(a: AccountSummary, dataUrl: string | undefined, size: "md" | "lg" = "md"): HTMLElement {
  if (dataUrl) {
    return h("span", { class: ["avatar", `avatar-${size}`] }, h("img", { src: dataUrl, alt: "", draggable: "false" }));
  }
  return h("span", { class: ["avatar", `avatar-${size}`, `avatar-c${colorSlot(a.did)}`], "aria-hidden": "true" }, initials(a));
}

/**
 * The status badge: a coloured pill with the status, and for ready/expiring a live
 * "expires in …" next to it (wraps under the pill when space is short).
 */
export function statusBadge(a: AccountSummary, opts: { refreshing?: boolean; signingOut?: boolean } = {}): HTMLElement {
  const status = opts.signingOut ? "signing_out" : opts.refreshing ? "refreshing" : a.status;
  const wrap = h("span", { class: "status", testid: "status-badge", dataset: { status } });
  if (status === "signing_out") {
    wrap.append(h("span", { class: "badge badge-busy" }, spinner(), h("span", { class: "badge-label" }, "Signing out…")));
    return wrap;
  }
  const t = statusText(status);
  const pill = h("span", { class: ["badge", `badge-${t.tone}`] });
  if (t.tone === "busy") pill.append(spinner());
  else if (t.tone === "red") pill.append(icon("alert"));
  else if (status === "keychain_locked") pill.append(icon("lock"));
  else if (status === "offline") pill.append(icon("offline"));
  pill.append(h("span", { class: "badge-label" }, t.label));
  wrap.append(pill);
  if (status === "ready" || status === "expiring") {
    const countdown = h("span", { class: ["status-countdown", status === "expiring" && "is-soon"], testid: "badge-countdown" });
    // The separator is only for the text content (screen readers, copy/paste).
    wrap.append(h("span", { class: "sr-only" }, " · "), countdown);
    live(countdown, (el, now) => {
      el.textContent = expiresPhrase(a.expires_at, now);
    });
  }
  return wrap;
}

export interface ButtonOptions {
  variant?: "primary" | "secondary" | "danger" | "ghost" | "danger-ghost";
  small?: boolean;
  icon?: IconName;
  testid?: string;
  key?: string;
  busy?: boolean;
  busyLabel?: string;
  disabled?: boolean;
  title?: string;
  ariaLabel?: string;
  type?: "button" | "submit";
  onClick?: (ev: MouseEvent) => void;
  autofocus?: boolean;
}

export function button(label: string, opts: ButtonOptions = {}): HTMLButtonElement {
  const busy = opts.busy ?? false;
  return h(
    "button",
    {
      type: opts.type ?? "button",
      class: ["btn", `btn-${opts.variant ?? "secondary"}`, opts.small && "btn-small", busy && "is-busy"],
      testid: opts.testid,
      dataset: { key: opts.key ?? opts.testid, autofocus: opts.autofocus ? "" : undefined },
      // Busy buttons stay focusable (aria-disabled) so keyboard focus isn't lost mid-action.
      disabled: opts.disabled,
      "aria-disabled": busy ? "true" : undefined,
      "aria-busy": busy ? "true" : undefined,
      title: opts.title,
      "aria-label": opts.ariaLabel,
      on: opts.onClick
        ? {
            click: (ev: MouseEvent) => {
              if ((ev.currentTarget as HTMLElement).getAttribute("aria-disabled") === "true") return;
              opts.onClick?.(ev);
            },
          }
        : undefined,
    },
    busy ? spinner() : opts.icon ? icon(opts.icon) : null,
    h("span", null, busy && opts.busyLabel ? opts.busyLabel : label),
  );
}

/** A callout inside a panel. */
export function callout(
  tone: "info" | "warning" | "danger" | "neutral",
  iconName: IconName,
  title: Child,
  body: Child,
  actions: Child = null,
  testid?: string,
): HTMLElement {
  return h(
    "div",
    { class: ["callout", `callout-${tone}`], testid, role: tone === "danger" ? "alert" : undefined },
    h("span", { class: "callout-icon" }, icon(iconName)),
    h("div", { class: "callout-body" }, h("p", { class: "callout-title" }, title), body ? h("div", { class: "callout-text" }, body) : null),
    actions ? h("div", { class: "callout-actions" }, actions) : null,
  );
}

/** "Details" disclosure with the code and the server's message, as text. */
export function errorDetails(e: AppError, open = false): HTMLDetailsElement {
  return h(
    "details",
    { class: "error-details", testid: "error-details", open },
    h("summary", null, "Details"),
    h(
      "dl",
      { class: "kv-compact" },
      h("dt", null, "Code"),
      h("dd", null, h("code", { testid: "error-code" }, e.rawCode)),
      e.detail ? [h("dt", null, "Message"), h("dd", null, h("p", { class: "untrusted", testid: "error-message" }, e.detail))] : null,
    ),
  );
}

/** Headline + next step + details for an error, inside a callout (`open`: details unfolded). */
export function errorCallout(e: AppError, actions: Child = null, testid = "error", open = false): HTMLElement {
  const t = errorText(e);
  const tone = t.tone === "failure" ? "danger" : t.tone === "warning" ? "warning" : "neutral";
  return callout(tone, t.tone === "neutral" ? "info" : "alert", t.headline, [h("p", null, t.next), errorDetails(e, open)], actions, testid);
}
