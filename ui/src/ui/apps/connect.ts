// "Connect an app": a form (name, read only, allowed methods, expiry), then the new key, shown
// once with a Copy button and ready-to-paste code. The key lives only in this dialog's DOM and
// closure; closing the dialog drops both, and nothing else ever holds it.
import { h, icon, uid, type Child } from "../../lib/dom";
import { accountLabel } from "../../lib/format";
import * as ipc from "../../lib/ipc/commands";
import { toAppError, type AppError } from "../../lib/ipc/errors";
import type { AccountSummary, AppConnected } from "../../lib/ipc/types";
import { snippets } from "../../lib/snippets";
import { getState } from "../../lib/store";
import { copy } from "../actions";
import { button, callout, errorDetails } from "../components";
import { dialogHeader, openDialog } from "../dialog";
import { loadApps } from "./load";

const EXPIRY: readonly { value: string | null; label: string }[] = [
  { value: null, label: "Never" },
  { value: "1d", label: "1 day" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
];
const DEFAULT_EXPIRY = "30d";

/** Puts focus back on "Connect an app" (the panel behind was re-rendered meanwhile). */
export function focusConnectButton(): void {
  queueMicrotask(() => document.querySelector<HTMLElement>('[data-testid="connect-app"]')?.focus());
}

export function openConnectApp(a: AccountSummary, returnFocus?: HTMLElement | null): void {
  const titleId = uid("connect-title");
  let busy = false;
  let revealed = false;
  const d = openDialog({
    testid: "connect-dialog",
    labelledBy: titleId,
    size: "large",
    returnFocus,
    onRequestClose: (reason) => {
      if (busy) return false;
      // A stray click beside the dialog must not throw the key away.
      if (revealed && reason === "backdrop") return false;
      focusConnectButton();
      return true;
    },
  });

  const nameId = uid("app-name");
  const nameHint = uid("app-name-hint");
  const nameError = uid("app-name-error");
  const allowId = uid("app-allow");
  const allowHint = uid("app-allow-hint");
  const readOnlyHint = uid("app-read-only-hint");
  const name = h("input", {
    id: nameId,
    type: "text",
    class: "input",
    testid: "app-name-input",
    placeholder: "posting bot",
    maxlength: "64",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": `${nameHint} ${nameError}`,
    dataset: { autofocus: "" },
  });
  const nameErrorEl = h("p", { id: nameError, class: "field-error", testid: "app-name-error", role: "alert", hidden: true });
  const readOnly = h("input", { type: "checkbox", testid: "app-read-only", "aria-describedby": readOnlyHint });
  const allow = h("input", {
    id: allowId,
    type: "text",
    class: "input mono",
    testid: "app-allow-input",
    placeholder: "app.bsky.feed.*  app.bsky.actor.getProfile",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    "aria-describedby": allowHint,
  });
  const expiryName = uid("app-expiry");
  const expiryBoxes = EXPIRY.map((e) =>
    h("input", { type: "radio", name: expiryName, value: e.value ?? "never", testid: "app-expiry-option", checked: e.value === DEFAULT_EXPIRY }),
  );
  const errorSlot = h("div", { class: "error-slot", testid: "connect-error-slot" });
  const submitSlot = h("span", { class: "submit-slot" });

  const renderSubmit = (): void =>
    submitSlot.replaceChildren(
      button("Connect", { testid: "connect-submit", type: "submit", variant: "primary", icon: "key", busy, busyLabel: "Connecting…" }),
    );

  const showNameError = (msg: string | null): void => {
    nameErrorEl.textContent = msg ?? "";
    nameErrorEl.hidden = !msg;
    if (msg) name.setAttribute("aria-invalid", "true");
    else name.removeAttribute("aria-invalid");
  };

  const run = async (): Promise<void> => {
    if (busy) return;
    const appName = name.value.trim();
    if (!appName) {
      showNameError("Give the app a name, so you can tell it apart later.");
      name.focus();
      return;
    }
    showNameError(null);
    errorSlot.replaceChildren();
    busy = true;
    renderSubmit();
    const checked = expiryBoxes.find((b) => b.checked)?.value ?? "never";
    try {
      const created = await ipc.connectApp({
        did: a.did,
        name: appName,
        readOnly: readOnly.checked,
        allow: allow.value.split(/[\s,]+/).filter(Boolean),
        expires: checked === "never" ? null : checked,
      });
      busy = false;
      void loadApps(a.did, { force: true });
      if (!d.open) return;
      revealed = true;
      reveal(created);
    } catch (e) {
      busy = false;
      renderSubmit();
      const err = toAppError(e);
      errorSlot.replaceChildren(connectError(err));
      if (err.is("unknown_account")) void loadApps(a.did, { force: true });
    }
  };

  const reveal = (created: AppConnected): void => {
    d.setContent(keyView(a, created, titleId, () => d.requestClose()));
  };

  renderSubmit();
  d.setContent(
    dialogHeader(
      titleId,
      `Connect an app to ${accountLabel(a)}`,
      "The app gets a key of its own and acts as this account through Skyport's agent, instead of using an app password. You can revoke it here at any time.",
    ),
    h(
      "form",
      {
        class: "dialog-body connect-form",
        testid: "connect-form",
        novalidate: true,
        on: {
          submit: (ev) => {
            ev.preventDefault();
            void run();
          },
        },
      },
      h("label", { for: nameId, class: "field-label" }, "Name"),
      name,
      h("p", { id: nameHint, class: "field-hint" }, "So you can tell it apart in the list and the activity log."),
      nameErrorEl,
      h(
        "label",
        { class: "check" },
        readOnly,
        h("span", null, h("span", { class: "check-title" }, "Read only"), h("span", { id: readOnlyHint, class: "field-hint block" }, "It can read, but not post, follow, delete or change anything.")),
      ),
      h("label", { for: allowId, class: "field-label" }, "Allowed methods ", h("span", { class: "muted" }, "(optional)")),
      allow,
      h(
        "p",
        { id: allowHint, class: "field-hint" },
        "Method names, or patterns ending in .*, separated by spaces or commas. Empty: every method except account management.",
      ),
      h(
        "fieldset",
        { class: "choice-group", testid: "app-expiry" },
        h("legend", { class: "field-label" }, "Key expires"),
        h(
          "div",
          { class: "choices" },
          EXPIRY.map((e, i) => h("label", { class: "choice" }, expiryBoxes[i], h("span", null, e.value === null ? e.label : `In ${e.label}`))),
        ),
      ),
      errorSlot,
      h(
        "footer",
        { class: "dialog-footer" },
        button("Cancel", { testid: "connect-cancel", onClick: () => d.requestClose() }),
        submitSlot,
      ),
    ),
  );
}

/** The connect form's error: its headline, the core's message and the code, all visible. */
function connectError(err: AppError): HTMLElement {
  const headline = err.is("invalid_input") ? "Skyport can't connect the app like this" : "Couldn't connect the app";
  const details = errorDetails(err, true);
  return callout("danger", "alert", headline, [err.is("invalid_input") ? null : h("p", null, "Nothing was changed. Try again."), details], null, "connect-error");
}

/**
 * One block per line, so a long line wraps with a hanging indent; the text stays the code
 * exactly. `whole` (the key) never breaks across lines.
 */
function codeLines(code: string, whole: string): HTMLElement[] {
  const lines = code.split("\n");
  return lines.map((line, i) => {
    const parts = line.split(whole);
    const out: Child[] = parts.flatMap((p, j) => (j === 0 ? [p] : [h("span", { class: "nowrap" }, whole), p]));
    if (i < lines.length - 1) out.push("\n");
    return h("span", { class: "code-line" }, out);
  });
}

/** The key, once: warning, the key with Copy, and code to paste. */
function keyView(a: AccountSummary, created: AppConnected, titleId: string, done: () => void): Child {
  const { app, key, agent_url: agentUrl } = created;
  const identifier = app.handle ?? app.did;
  const keyId = uid("app-key");
  const announce = h("p", { class: "sr-only", testid: "key-announce", "aria-live": "polite", role: "status" });
  // Filled after insertion, so screen readers announce it.
  setTimeout(() => {
    announce.textContent = `Key for ${app.name} created. It is shown only once: copy it now.`;
  }, 100);
  const agent = getState().agent;
  return h(
    "div",
    { class: "key-view", testid: "key-reveal" },
    h(
      "header",
      { class: "dialog-header" },
      h("h2", { id: titleId, class: "dialog-title" }, h("span", { class: "title-check" }, icon("check")), `${app.name} is connected`),
      h("p", { class: "dialog-lead" }, `It acts as ${accountLabel(a)} through the agent at `, h("code", { testid: "key-agent-url" }, agentUrl), "."),
    ),
    h(
      "div",
      { class: "dialog-body" },
      announce,
      callout(
        "warning",
        "alert",
        "Copy the key now: this is the only time Skyport shows it",
        "Skyport keeps only a fingerprint of it. Treat it like a password; if it is lost or leaks, revoke the app and connect it again.",
        null,
        "key-warning",
      ),
      h("label", { for: keyId, class: "field-label" }, "Key"),
      h(
        "div",
        { class: "key-row" },
        h("input", {
          id: keyId,
          class: "input mono",
          readonly: true,
          value: key,
          testid: "app-key",
          spellcheck: "false",
          on: { focus: (ev) => (ev.target as HTMLInputElement).select() },
        }),
        button("Copy key", { testid: "copy-key", variant: "primary", icon: "copy", autofocus: true, onClick: () => void copy(key, "key") }),
      ),
      agent && !agent.on
        ? callout("neutral", "info", "The agent is off right now", "Programs can use the key once it runs: keep Skyport open, or run skyport agent run.", null, "key-agent-off")
        : null,
      h("h3", { class: "snippets-title" }, "Use it"),
      snippets(agentUrl, identifier, key).map((sn) =>
        h(
          "div",
          { class: "snippet", testid: `snippet-${sn.id}` },
          h(
            "div",
            { class: "snippet-head" },
            h("span", { class: "snippet-label" }, sn.label),
            button("Copy", { testid: `copy-snippet-${sn.id}`, small: true, variant: "ghost", icon: "copy", ariaLabel: `Copy the ${sn.label} code`, onClick: () => void copy(sn.code, `${sn.label} code`) }),
          ),
          h("pre", { class: "snippet-code", tabindex: "0", "aria-label": `${sn.label} code` }, h("code", { testid: "snippet-code" }, codeLines(sn.code, key))),
        ),
      ),
      h(
        "p",
        { class: "muted small" },
        "Any other client: use the agent's address as the service URL and the key as the app password, or send it as ",
        h("code", null, "Authorization: Bearer"),
        ".",
      ),
    ),
    h(
      "footer",
      { class: "dialog-footer" },
      h("p", { class: "muted small footer-note" }, "Closing this window forgets the key."),
      button("Done", { testid: "key-done", onClick: done }),
    ),
  );
}
