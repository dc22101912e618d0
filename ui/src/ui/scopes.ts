// The Permissions tab: granted scopes in plain words, requested vs granted, request more.
import { h, icon, spinner, type IconName } from "../lib/dom";
import * as ipc from "../lib/ipc/commands";
import { toAppError } from "../lib/ipc/errors";
import type { AccountSummary, ScopeItem, ScopeLevel, ScopeView } from "../lib/ipc/types";
import { button, callout, errorCallout } from "./components";
import { startSignInAgain } from "./login";

/** Panels are kept per account so checkbox state survives re-renders; rebuilt when the scopes change. */
const cache = new Map<string, { key: string; el: HTMLElement }>();

export function scopesPanel(a: AccountSummary): HTMLElement {
  const key = `${a.granted_scope}\n${a.requested_scope}`;
  const hit = cache.get(a.did);
  if (hit && hit.key === key) return hit.el;
  const el = h("div", { class: "scopes", testid: "scopes-panel", "aria-busy": "true" }, h("p", { class: "muted loading-line" }, spinner(), "Loading permissions…"));
  cache.set(a.did, { key, el });
  void load(a, el);
  return el;
}

async function load(a: AccountSummary, el: HTMLElement): Promise<void> {
  try {
    const v = await ipc.accountScopes(a.did);
    el.replaceChildren(view(a, v));
    if (namesPermissionSets(v)) void check(a, el, v);
  } catch (e) {
    el.replaceChildren(
      errorCallout(
        toAppError(e),
        button("Try again", {
          testid: "scopes-retry",
          small: true,
          onClick: () => {
            cache.delete(a.did);
            const fresh = scopesPanel(a);
            el.replaceWith(fresh);
          },
        }),
        "scopes-error",
      ),
    );
  }
  el.removeAttribute("aria-busy");
}

/** Whether the view names permission sets (`include:`), which only a network read can describe. */
function namesPermissionSets(v: ScopeView): boolean {
  return [...v.requested, ...v.available, ...v.granted].some((t) => t.startsWith("include:"));
}

/** Re-renders with the permission sets read from their publishers, if that changes anything. */
async function check(a: AccountSummary, el: HTMLElement, stored: ScopeView): Promise<void> {
  el.setAttribute("aria-busy", "true");
  try {
    const v = await ipc.accountScopesChecked(a.did);
    if (el.isConnected && JSON.stringify(v) !== JSON.stringify(stored)) el.replaceChildren(view(a, v));
  } catch {
    // The stored view stays; what it could not check is marked there.
  }
  el.removeAttribute("aria-busy");
}

/** The scope for "Request more access": what was requested and not refused, then the additions. */
export function scopeWithMore(v: ScopeView, more: readonly string[]): string {
  const out = ["atproto"];
  for (const t of [...v.requested.filter((r) => !v.missing.includes(r)), ...more]) {
    if (!out.includes(t)) out.push(t);
  }
  return out.join(" ");
}

const LEVEL_ICON: Record<ScopeLevel, IconName> = { info: "check", warning: "alert", danger: "alert" };

function view(a: AccountSummary, v: ScopeView): DocumentFragment {
  const frag = document.createDocumentFragment();
  if (v.warnings.length > 0) {
    frag.append(
      callout(
        "danger",
        "alert",
        v.warnings.length === 1 ? "Check this permission" : "Check these permissions",
        h("ul", { class: "plain-list" }, v.warnings.map((w) => h("li", { testid: "scope-warning" }, w))),
        null,
        "scope-warnings",
      ),
    );
  }

  frag.append(
    h(
      "section",
      { class: "scope-section" },
      h("h3", null, "What Skyport can do with this account"),
      v.groups.length === 0
        ? h("p", { class: "muted" }, "No permissions granted.")
        : h("div", { class: "scope-groups" }, v.groups.map((g) =>
            h(
              "div",
              { class: "scope-group", testid: "scope-group", dataset: { group: g.title } },
              h("h4", null, g.title),
              h("ul", { class: "scope-items" }, g.items.map(item)),
            ),
          )),
    ),
  );

  frag.append(compare(v));
  frag.append(requestMore(a, v));
  return frag;
}

function item(it: ScopeItem): HTMLElement {
  return h(
    "li",
    { class: ["scope-item", `level-${it.level}`], testid: "scope-item", dataset: { level: it.level, raw: it.raw } },
    h("span", { class: "scope-icon" }, icon(LEVEL_ICON[it.level])),
    h(
      "div",
      { class: "scope-text" },
      h("p", { class: "scope-title" }, it.known ? it.title : it.raw, it.known ? null : h("span", { class: "tag" }, "Not recognised")),
      h("p", { class: "scope-detail" }, it.known ? it.detail : "Skyport doesn't know this permission; it is shown exactly as the server granted it."),
      h("details", { class: "raw" }, h("summary", null, "Raw scope"), h("code", { class: "mono break", testid: "scope-raw" }, it.raw)),
    ),
  );
}

function compare(v: ScopeView): HTMLElement {
  const missing = new Set(v.missing);
  const unchecked = new Set(v.unchecked ?? []);
  const granted = new Set(v.granted);
  return h(
    "section",
    { class: "scope-section", testid: "scope-compare" },
    h("h3", null, "Requested and granted"),
    v.missing.length > 0
      ? h(
          "p",
          { class: "warn-text note", testid: "scope-missing-note" },
          icon("alert"),
          ` The server granted less than Skyport asked for: ${v.missing.length} not granted.`,
        )
      : unchecked.size > 0
        ? null
        : h("p", { class: "muted" }, "The server granted everything Skyport asked for."),
    unchecked.size > 0
      ? h(
          "p",
          { class: "muted note", testid: "scope-unchecked-note" },
          unchecked.size === 1
            ? "Skyport could not read one permission set, so it can't tell whether it was granted. Its details are below."
            : `Skyport could not read ${unchecked.size} permission sets, so it can't tell whether they were granted.`,
        )
      : null,
    h(
      "div",
      { class: "compare" },
      h(
        "div",
        { class: "compare-col" },
        h("h4", null, "Requested"),
        h(
          "ul",
          { class: "raw-list", testid: "scope-requested" },
          v.requested.map((r) =>
            h(
              "li",
              { class: missing.has(r) ? "is-missing" : undefined, testid: missing.has(r) ? "scope-missing" : undefined },
              h("code", { class: "mono break" }, r),
              missing.has(r) ? h("span", { class: "tag tag-warn" }, "Not granted") : null,
              unchecked.has(r) ? h("span", { class: "tag", testid: "scope-unchecked" }, "Not checked") : null,
            ),
          ),
        ),
      ),
      h(
        "div",
        { class: "compare-col" },
        h("h4", null, "Granted"),
        h(
          "ul",
          { class: "raw-list", testid: "scope-granted" },
          v.granted.map((g) =>
            h(
              "li",
              null,
              h("code", { class: "mono break" }, g),
              v.requested.includes(g)
                ? null
                : (v.from_sets ?? []).includes(g)
                  ? h("span", { class: "tag", testid: "scope-from-set" }, "From a permission set")
                  : h("span", { class: "tag" }, "Extra"),
            ),
          ),
        ),
      ),
    ),
    granted.size === 0 ? h("p", { class: "muted" }, "Nothing granted.") : null,
  );
}

function requestMore(a: AccountSummary, v: ScopeView): HTMLElement {
  const section = h("section", { class: "scope-section", testid: "request-more" }, h("h3", null, "Request more access"));
  if (v.available.length === 0) {
    section.append(h("p", { class: "muted" }, "Skyport already has every permission it can ask for."));
    return section;
  }
  const boxes: HTMLInputElement[] = [];
  const submit = button("Request more access", {
    testid: "request-more-button",
    variant: "primary",
    icon: "external",
    disabled: true,
    onClick: (ev) => {
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      if (chosen.length === 0) return;
      const scope = scopeWithMore(v, chosen);
      startSignInAgain(a, scope, ev.currentTarget as HTMLElement);
    },
  });
  const update = (): void => {
    submit.disabled = !boxes.some((b) => b.checked);
  };
  const option = (it: ScopeItem): HTMLElement => {
    const box = h("input", { type: "checkbox", value: it.raw, testid: "scope-option", dataset: { level: it.level }, on: { change: update } });
    boxes.push(box);
    return h(
      "li",
      null,
      h(
        "label",
        { class: ["check", "scope-choice", `level-${it.level}`] },
        box,
        h(
          "span",
          { class: "scope-text" },
          h("span", { class: "check-title block", testid: "scope-option-title" }, it.known ? it.title : it.raw),
          h("span", { class: "scope-detail block", testid: "scope-option-detail" }, it.known ? it.detail : "Skyport doesn't know this permission; it is asked for exactly as written."),
        ),
      ),
    );
  };
  section.append(
    h("p", { class: "muted" }, "Choose what to add. You'll review and approve it in your browser; what's already granted is kept."),
    h(
      "div",
      { class: "request-groups" },
      groupItems(availableItems(v)).map(([group, items]) =>
        h(
          "div",
          { class: "request-group", testid: "request-group", dataset: { group } },
          h("h4", null, group),
          h("ul", { class: "check-list" }, items.map(option)),
        ),
      ),
    ),
    h(
      "details",
      { class: "raw request-raw", testid: "request-raw" },
      h("summary", null, "Exact permission strings"),
      h("ul", { class: "raw-list" }, v.available.map((raw) => h("li", null, h("code", { class: "mono break", testid: "request-raw-scope" }, raw)))),
    ),
    h("div", { class: "button-row" }, submit),
  );
  return section;
}

/** The available scopes as described by the shell; raw strings become "not recognised" items when it doesn't say. */
function availableItems(v: ScopeView): ScopeItem[] {
  const described = new Map((v.available_items ?? []).map((it) => [it.raw, it]));
  return v.available.map(
    (raw) => described.get(raw) ?? { raw, title: raw, detail: "", group: "Other", level: "info", known: false },
  );
}

/** Items by group, in the order groups first appear. */
function groupItems(items: readonly ScopeItem[]): [string, ScopeItem[]][] {
  const groups = new Map<string, ScopeItem[]>();
  for (const it of items) {
    const list = groups.get(it.group) ?? [];
    list.push(it);
    groups.set(it.group, list);
  }
  return [...groups];
}
