// Shared test plumbing: one headless Chromium per test file, dist/ served on a fake origin
// through page.route, the mock IPC harness injected before app.js, and the strict CSP applied.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { NOW, agentOn, allStatuses, avatarDataUrl, details, scopeView } from "./fixtures.mjs";

export const UI_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(UI_ROOT, "dist");
export const SHOTS = path.join(UI_ROOT, "test-results");
// *.localhost is a secure context (navigator.clipboard works), like Tauri's own origins.
export const ORIGIN = "http://tauri.localhost";
// The CSP the shell ships (src-tauri/tauri.conf.json), or the minimum the UI promises to work under.
export const CSP = await (async () => {
  try {
    const conf = JSON.parse(await readFile(path.join(UI_ROOT, "../src-tauri/tauri.conf.json"), "utf8"));
    const csp = conf?.app?.security?.csp;
    if (typeof csp === "string" && csp.includes("script-src")) return csp;
  } catch {
    /* no shell config next to us */
  }
  return "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";
})();

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".map": "application/json" };
const HARNESS_TAG = '<script type="module" src="/__test__/harness.js"></script>';

let browser;

/** Call at the top level of a test file. */
export function useBrowser() {
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  after(async () => {
    await browser?.close();
  });
}

/** Mock answers for every command, built from a list of accounts. `responses` overrides any of them. */
export function scenario({
  accounts = allStatuses(),
  keychain = "available",
  profile = "production",
  skew = null,
  responses = {},
} = {}) {
  const byDid = (fn, fallback) => ({
    byArg: "did",
    cases: Object.fromEntries(accounts.map((a) => [a.did, fn(a)])),
    default: fallback,
  });
  const avatar = avatarDataUrl();
  return {
    responses: {
      list_accounts: { value: { accounts, keychain, network_profile: profile, clock_skew_secs: skew } },
      app_info: { value: { version: "0.1.0", network_profile: profile, client_kind: "loopback", data_dir: "/home/test/.local/share/skyport" } },
      account_avatar: byDid((a) => ({ value: a.has_avatar ? avatar : null }), { value: null }),
      account_details: byDid((a) => ({ value: details(a) }), { error: { code: "unknown_account", message: "no such account" } }),
      account_scopes: byDid((a) => ({ value: scopeView(a.did) }), { error: { code: "unknown_account", message: "no such account" } }),
      account_scopes_checked: byDid((a) => ({ value: scopeView(a.did) }), { error: { code: "unknown_account", message: "no such account" } }),
      diagnostics: { value: JSON.stringify({ app: { version: "0.1.0" }, accounts: accounts.length }, null, 2) },
      copy_text: { value: null },
      agent_status: { value: agentOn() },
      list_apps: { value: [] },
      app_activity: { value: [] },
      get_settings: { value: { autostart: false } },
      set_autostart: { value: null },
      ...responses,
    },
  };
}

/**
 * Opens the app with a scenario. Options: viewport, colorScheme, clock ("fixed" | "manual").
 * Returns helpers bound to the page.
 */
export async function openApp(sc = scenario(), { viewport = { width: 1280, height: 800 }, colorScheme = "light", clock = "fixed", permissions = [] } = {}) {
  const context = await browser.newContext({
    viewport,
    colorScheme,
    locale: "en-GB",
    timezoneId: "UTC",
    reducedMotion: "reduce",
    permissions,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  await page.addInitScript((s) => {
    // Like Tauri's freezePrototype: the app must not extend built-in prototypes.
    Object.freeze(Object.prototype);
    window.__SCENARIO__ = s;
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  }, sc);
  if (clock === "manual") {
    // Time stands still at NOW until the test moves it with page.clock.runFor().
    await page.clock.install({ time: NOW * 1000 - 5000 });
    await page.clock.pauseAt(NOW * 1000);
  }
  else await page.clock.setFixedTime(NOW * 1000);

  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    let file;
    if (url.pathname === "/__test__/harness.js") file = path.join(UI_ROOT, "tests/harness/mock-ipc.js");
    else if (url.pathname === "/__test__/mocks.js") file = path.join(UI_ROOT, "node_modules/@tauri-apps/api/mocks.js");
    else file = path.join(DIST, url.pathname === "/" ? "index.html" : url.pathname);
    if (!file.startsWith(UI_ROOT)) return route.fulfill({ status: 403, body: "" });
    let body;
    try {
      body = await readFile(file, "utf8");
    } catch {
      return route.fulfill({ status: 404, body: "not found" });
    }
    const headers = { "content-security-policy": CSP };
    if (file.endsWith("index.html")) {
      assert.ok(body.includes('<script type="module" src="app.js"></script>'), "index.html must load app.js as a module");
      body = body.replace('<script type="module" src="app.js"></script>', `${HARNESS_TAG}\n    <script type="module" src="app.js"></script>`);
    }
    await route.fulfill({ status: 200, headers, contentType: MIME[path.extname(file)] ?? "text/plain", body });
  });

  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForSelector("html[data-ready]", { timeout: 10_000 });

  const app = {
    page,
    context,
    problems,
    /** Calls made to a command so far. */
    calls: (cmd) => page.evaluate((c) => window.__mock.callsOf(c), cmd),
    /** Waits until `cmd` has been called at least `n` times; returns the calls. */
    waitForCalls: async (cmd, n = 1) => {
      await page.waitForFunction(([c, k]) => window.__mock.callsOf(c).length >= k, [cmd, n], { timeout: 5000 });
      return page.evaluate((c) => window.__mock.callsOf(c), cmd);
    },
    set: (cmd, spec) => page.evaluate(([c, s]) => window.__mock.set(c, s), [cmd, spec]),
    resolve: (cmd, value) => page.evaluate(([c, v]) => window.__mock.resolve(c, v), [cmd, value]),
    reject: (cmd, error) => page.evaluate(([c, e]) => window.__mock.reject(c, e), [cmd, error]),
    waitForPending: (cmd) => page.waitForFunction((c) => window.__mock.pendingCount(c) > 0, cmd, { timeout: 5000 }),
    emit: (event, payload) => page.evaluate(([e, p]) => window.__mock.emit(e, p), [event, payload]),
    row: (did) => page.locator(`[data-testid=account-row][data-did="${did}"]`),
    item: (did) => page.locator(`[data-testid=account-item][data-did="${did}"]`),
    tid: (id) => page.locator(`[data-testid="${id}"]`),
    /** Asserts no page errors, no CSP violations, no inline style attributes; then closes. */
    async close() {
      const csp = await page.evaluate(() => window.__csp);
      const inlineStyles = await page.evaluate(() => [...document.querySelectorAll("[style]:not([style=\"\"])")].map((e) => `${e.tagName}.${e.className} style="${e.getAttribute("style")}"`));
      await context.close();
      assert.deepEqual(problems, [], "page errors / console errors");
      assert.deepEqual(csp, [], "CSP violations");
      assert.deepEqual(inlineStyles, [], "elements with inline style attributes");
    },
  };
  return app;
}

export async function screenshot(page, name) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: "disabled", caret: "hide" });
}

/** Text of a locator with whitespace collapsed. */
export async function text(locator) {
  return ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
}
