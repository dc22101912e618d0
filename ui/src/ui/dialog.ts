// Modal dialogs: the app behind is inert, Tab stays inside, Escape closes, focus returns.
import { append, h, type Child } from "../lib/dom";

export interface DialogOptions {
  testid: string;
  /** id of the element that names the dialog (set by the content), or a plain label. */
  labelledBy?: string;
  label?: string;
  size?: "small" | "medium" | "large";
  /** Called for Escape, backdrop click and close(). Return false to keep the dialog open. */
  onRequestClose?: (reason: "escape" | "backdrop" | "programmatic") => boolean | void;
  /** Where focus goes back on close (default: what was focused on open). */
  returnFocus?: HTMLElement | null;
}

export interface DialogHandle {
  readonly el: HTMLElement;
  /** Replaces the content and focuses [data-autofocus] or the first control. */
  setContent(...children: Child[]): void;
  /** Closes without asking onRequestClose. */
  close(): void;
  /** Asks onRequestClose, then closes if allowed. */
  requestClose(reason?: "escape" | "backdrop" | "programmatic"): void;
  readonly open: boolean;
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => el.getClientRects().length > 0 && !el.closest("[inert]") && !el.closest("details:not([open]) > :not(summary)"),
  );
}

const stack: DialogHandle[] = [];

function setBackgroundInert(inert: boolean): void {
  const app = document.getElementById("app");
  if (!app) return;
  app.inert = inert;
  if (inert) app.setAttribute("aria-hidden", "true");
  else app.removeAttribute("aria-hidden");
}

export function openDialog(opts: DialogOptions, ...content: Child[]): DialogHandle {
  const returnTo =
    opts.returnFocus !== undefined ? opts.returnFocus : document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const box = h("div", {
    class: ["dialog", `dialog-${opts.size ?? "medium"}`],
    role: "dialog",
    "aria-modal": "true",
    "aria-labelledby": opts.labelledBy,
    "aria-label": opts.labelledBy ? undefined : opts.label,
    testid: opts.testid,
    tabindex: "-1",
  });
  const backdrop = h("div", { class: "dialog-backdrop" }, box);
  let isOpen = true;

  const focusFirst = (): void => {
    const target = box.querySelector<HTMLElement>("[data-autofocus]") ?? focusables(box)[0] ?? box;
    target.focus();
  };

  const close = (): void => {
    if (!isOpen) return;
    isOpen = false;
    backdrop.remove();
    const i = stack.indexOf(handle);
    if (i >= 0) stack.splice(i, 1);
    if (stack.length === 0) setBackgroundInert(false);
    const fallback = document.querySelector<HTMLElement>('[data-testid="add-account"]');
    const target = returnTo?.isConnected ? returnTo : fallback;
    target?.focus();
  };

  const requestClose = (reason: "escape" | "backdrop" | "programmatic" = "programmatic"): void => {
    if (opts.onRequestClose?.(reason) === false) return;
    close();
  };

  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      requestClose("escape");
      return;
    }
    if (ev.key !== "Tab") return;
    const items = focusables(box);
    if (items.length === 0) {
      ev.preventDefault();
      box.focus();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const current = document.activeElement;
    if (ev.shiftKey && (current === first || current === box)) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && current === last) {
      ev.preventDefault();
      first.focus();
    }
  });
  backdrop.addEventListener("mousedown", (ev) => {
    if (ev.target === backdrop) requestClose("backdrop");
  });

  const handle: DialogHandle = {
    el: box,
    setContent(...children: Child[]) {
      box.replaceChildren();
      append(box, children);
      if (isOpen) focusFirst();
    },
    close,
    requestClose,
    get open() {
      return isOpen;
    },
  };

  append(box, content);
  const root = document.getElementById("overlay-root") ?? document.body;
  root.appendChild(backdrop);
  stack.push(handle);
  setBackgroundInert(true);
  focusFirst();
  return handle;
}

/** A standard dialog header: title (with id for aria-labelledby) and optional lead text. */
export function dialogHeader(id: string, title: string, lead?: Child): HTMLElement {
  return h("header", { class: "dialog-header" }, h("h2", { id, class: "dialog-title" }, title), lead ? h("div", { class: "dialog-lead" }, lead) : null);
}
