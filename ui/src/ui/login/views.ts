// The screens of the login dialog, one per step, drawn from a LoginModel. They change nothing
// themselves: every control calls one of the flow's LoginHandlers.
import { h, icon, spinner, uid, type Child } from "../../lib/dom";
import { accountLabel, minutesSeconds, shortDid } from "../../lib/format";
import type { AppError } from "../../lib/ipc/errors";
import type { LoginPreview, LoginStarted } from "../../lib/ipc/types";
import { errorText } from "../../lib/messages";
import { findAccount } from "../../lib/store";
import { live } from "../../lib/ticker";
import { button, callout, errorDetails } from "../components";
import { dialogHeader } from "../dialog";
import type { LoginHandlers, LoginModel } from "./model";

/** The content of the dialog for the current step. */
export function stepView(m: LoginModel, on: LoginHandlers): HTMLElement {
  const s = m.step;
  switch (s.kind) {
    case "identify": return identifyView(m, on, s.fieldError);
    case "starting": return startingView(m, on);
    case "waiting": return waitingView(m, on, s.started);
    case "completing": return completingView(m, s.started);
    case "cancelled": return cancelledView(m, on);
    case "expired": return expiredView(m, on);
    case "error": return errorView(m, on, s.error);
  }
}

function title(m: LoginModel): string {
  if (m.purpose === "scopes") return "Request more access";
  if (m.purpose === "reauth" && m.reauth) return `Sign in again as ${accountLabel(m.reauth)}`;
  return "Add an account";
}

function footer(...children: Child[]): HTMLElement {
  return h("footer", { class: "dialog-footer" }, children);
}

// ---------------------------------------------------------------- identify

function identifyView(m: LoginModel, on: LoginHandlers, fieldError: string | null): HTMLElement {
  const inputId = uid("identifier");
  const hintId = uid("identifier-hint");
  const errorId = uid("identifier-error");
  const input = h("input", {
    id: inputId,
    type: "text",
    class: "input",
    testid: "identifier-input",
    value: m.identifier,
    placeholder: "alice.bsky.social",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    "aria-describedby": `${hintId} ${errorId}`,
    "aria-invalid": fieldError ? "true" : undefined,
    dataset: { autofocus: "" },
    on: { input: () => on.identifierInput(input.value) },
  });
  const form = h(
    "form",
    {
      class: "dialog-body",
      novalidate: true,
      on: {
        submit: (ev) => {
          ev.preventDefault();
          on.submitIdentifier(input.value);
        },
      },
    },
    m.notice ? callout("warning", "alert", m.notice, null, null, "login-notice") : null,
    h("label", { for: inputId, class: "field-label" }, "Handle, DID or server address"),
    input,
    h("p", { id: hintId, class: "field-hint" }, "For example alice.bsky.social, did:plc:…, or https://pds.example.com"),
    h("p", { id: errorId, class: "field-error", testid: "identifier-error", role: "alert", hidden: !fieldError }, fieldError ?? ""),
    h("div", { class: "preview", testid: "login-preview", "aria-live": "polite" }),
    footer(
      button("Cancel", { testid: "login-close", onClick: () => on.requestClose() }),
      h("span", { class: "continue-slot" }),
    ),
  );
  const view = h(
    "div",
    { class: "login-step", testid: "login-identify" },
    dialogHeader(
      m.titleId,
      title(m),
      "Skyport opens your server's sign-in page in your browser. Your password never passes through Skyport.",
    ),
    form,
  );
  // Fills the preview box and picks the Continue label.
  renderPreview(view, m);
  return view;
}

/** Shows (or clears) the error under the identifier field inside `root`, in place. */
export function renderFieldError(root: HTMLElement, msg: string | null): void {
  const el = root.querySelector<HTMLElement>('[data-testid="identifier-error"]');
  const input = root.querySelector<HTMLInputElement>('[data-testid="identifier-input"]');
  if (el) {
    el.textContent = msg ?? "";
    el.hidden = !msg;
  }
  if (input) {
    if (msg) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

export function focusIdentifier(root: HTMLElement): void {
  root.querySelector<HTMLInputElement>('[data-testid="identifier-input"]')?.focus();
}

/** Fills the preview box and the Continue button of the identify step inside `root`, in place. */
export function renderPreview(root: HTMLElement, m: LoginModel): void {
  const box = root.querySelector<HTMLElement>('[data-testid="login-preview"]');
  const slot = root.querySelector<HTMLElement>(".continue-slot");
  if (!box || !slot) return;
  const p = m.preview;
  const current = m.identifier.trim();
  const ready = !!(p && p.result && p.for === current);
  const loading = !!(p && p.loading && p.for === current);
  box.replaceChildren();
  box.dataset["state"] = !p ? "empty" : p.loading ? "loading" : p.result ? "resolved" : "error";
  if (p && p.for === current) {
    if (p.loading) {
      box.append(h("p", { class: "preview-loading" }, spinner(), "Looking up ", h("strong", null, p.for), "…"));
    } else if (p.result) {
      box.append(previewCard(p.result));
    } else if (p.error) {
      const t = errorText(p.error, { identifier: p.for, login: true });
      box.append(
        h(
          "div",
          { class: "preview-error", testid: "preview-error" },
          icon("alert"),
          h(
            "div",
            null,
            h("p", { class: "preview-title", testid: "preview-headline" }, t.headline),
            h("p", { class: "muted", testid: "preview-next-step" }, t.next),
            errorDetails(p.error),
          ),
        ),
      );
    }
  }
  // Keep focus if the button itself had it.
  const hadFocus = slot.contains(document.activeElement);
  slot.replaceChildren(
    button(ready ? "Continue in browser" : "Continue", {
      type: "submit",
      variant: "primary",
      testid: "continue-button",
      icon: ready ? "external" : undefined,
      busy: loading,
      busyLabel: "Looking up…",
    }),
  );
  if (hadFocus) slot.querySelector("button")?.focus();
}

function previewCard(p: LoginPreview): HTMLElement {
  return h(
    "div",
    { class: "preview-card" },
    icon("shield"),
    h(
      "div",
      null,
      h("p", { class: "preview-title" }, "Signs in at ", h("strong", { testid: "preview-server" }, p.server)),
      p.handle || p.did
        ? h(
            "p",
            { class: "muted" },
            p.handle ? `@${p.handle}` : shortDid(p.did ?? ""),
            p.pds_host ? ` · account hosted on ${p.pds_host}` : "",
          )
        : h("p", { class: "muted" }, "You'll choose the account on that server."),
    ),
  );
}

// ---------------------------------------------------------------- starting, waiting, completing

function startingView(m: LoginModel, on: LoginHandlers): HTMLElement {
  return h(
    "div",
    { class: "login-step", testid: "login-starting", "aria-busy": "true" },
    dialogHeader(m.titleId, title(m)),
    h("div", { class: "dialog-body center" }, h("p", { class: "big-status" }, spinner(), "Opening your browser…")),
    footer(button("Cancel", { testid: "login-close", onClick: () => on.abandon() })),
  );
}

function waitingView(m: LoginModel, on: LoginHandlers, s: LoginStarted): HTMLElement {
  const expected = s.expected_did ? findAccount(s.expected_did) : undefined;
  const countdown = h("p", { class: "countdown", testid: "login-countdown" });
  live(countdown, (el, now) => {
    const left = s.expires_at - now;
    if (left <= 0) {
      on.countdownEnded(s);
      return;
    }
    el.textContent = `This sign-in link expires in ${minutesSeconds(left)}.`;
    el.classList.toggle("is-urgent", left < 60);
  });
  const urlId = uid("login-url");
  return h(
    "div",
    { class: "login-step", testid: "login-waiting", dataset: { state: s.state } },
    h(
      "header",
      { class: "dialog-header with-art" },
      h("span", { class: "art art-browser" }, icon("browser")),
      h("h2", { id: m.titleId, class: "dialog-title" }, "Continue in your browser"),
      s.browser_opened === false
        ? h(
            "p",
            { class: "dialog-lead", testid: "login-browser-failed" },
            "Skyport couldn't open your browser. Open the sign-in page of ",
            h("strong", { testid: "login-server" }, s.server),
            " with the link below, and approve access there — this window updates by itself.",
          )
        : h(
            "p",
            { class: "dialog-lead" },
            "Skyport opened the sign-in page of ",
            h("strong", { testid: "login-server" }, s.server),
            " in your browser. Approve access there — this window updates by itself.",
          ),
    ),
    h(
      "div",
      { class: "dialog-body" },
      s.expected_did
        ? h(
            "p",
            { class: "expected", testid: "login-expected" },
            icon("user"),
            "Sign in as ",
            h("strong", null, expected ? accountLabel(expected) : s.expected_handle ? `@${s.expected_handle}` : shortDid(s.expected_did)),
          )
        : null,
      m.scope ? h("p", { class: "muted" }, "Skyport is asking for more access; review it on the consent screen.") : null,
      h("div", { class: "waiting-row" }, h("span", { class: "pulse", "aria-hidden": "true" }), countdown),
      h(
        "div",
        { class: "button-row" },
        button("Open again", {
          testid: "reopen-login",
          icon: "external",
          autofocus: true,
          onClick: () => on.reopen(s),
        }),
        button("Copy link", {
          testid: "copy-login-link",
          icon: "copy",
          onClick: () => on.copyLink(s),
        }),
      ),
      h(
        "details",
        { class: "disclosure", testid: "login-link-disclosure", open: s.browser_opened === false },
        h("summary", null, s.browser_opened === false ? "Sign-in link" : "Browser didn't open?"),
        h("label", { for: urlId, class: "field-hint" }, "Open this address in your browser:"),
        h("input", { id: urlId, class: "input mono", readonly: true, value: s.authorization_url, testid: "login-url", on: { focus: (ev) => (ev.target as HTMLInputElement).select() } }),
      ),
    ),
    footer(button("Cancel", { testid: "cancel-login", onClick: () => on.cancel() })),
  );
}

/** Unfolds "Browser didn't open?" on the waiting step inside `root`, showing the sign-in link. */
export function revealLoginUrl(root: HTMLElement): void {
  root.querySelector<HTMLDetailsElement>("details.disclosure")?.setAttribute("open", "");
}

function completingView(m: LoginModel, s: LoginStarted | null): HTMLElement {
  return h(
    "div",
    { class: "login-step", testid: "login-completing", "aria-busy": "true" },
    dialogHeader(m.titleId, "Finishing sign-in…"),
    h(
      "div",
      { class: "dialog-body center" },
      h("p", { class: "big-status" }, spinner(), s ? `Confirming your account with ${s.server}` : "Confirming your account"),
    ),
  );
}

// ---------------------------------------------------------------- outcomes

function outcome(
  m: LoginModel,
  on: LoginHandlers,
  testid: string,
  tone: "neutral" | "warning" | "danger",
  headline: string,
  body: Child,
): HTMLElement {
  return h(
    "div",
    { class: ["login-step", "outcome", `outcome-${tone}`], testid, role: tone === "danger" ? "alert" : "status" },
    h(
      "header",
      { class: "dialog-header with-art" },
      h("span", { class: ["art", `art-${tone}`] }, icon(tone === "neutral" ? "info" : tone === "warning" ? "clock" : "alert")),
      h("h2", { id: m.titleId, class: "dialog-title", testid: "login-headline" }, headline),
    ),
    h("div", { class: "dialog-body" }, body),
    footer(
      button("Close", { testid: "login-close", onClick: () => on.close() }),
      button("Start again", { testid: "login-retry", variant: "primary", autofocus: true, onClick: () => on.restart() }),
    ),
  );
}

function cancelledView(m: LoginModel, on: LoginHandlers): HTMLElement {
  return outcome(
    m,
    on,
    "login-cancelled",
    "neutral",
    "Sign-in cancelled",
    h("p", null, "Access wasn't granted in the browser, so nothing was changed. You can start again whenever you like."),
  );
}

function expiredView(m: LoginModel, on: LoginHandlers): HTMLElement {
  return outcome(
    m,
    on,
    "login-expired",
    "warning",
    "That sign-in link expired; start again",
    h("p", null, "Sign-in links work for about 10 minutes, and only in the Skyport window that opened them."),
  );
}

function errorView(m: LoginModel, on: LoginHandlers, err: AppError): HTMLElement {
  const t = errorText(err, { identifier: m.reauth ? undefined : m.identifier, login: true });
  return outcome(m, on, "login-error", "danger", t.headline, [h("p", { testid: "login-next-step" }, t.next), errorDetails(err)]);
}
