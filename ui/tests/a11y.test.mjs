// Keyboard, focus, contrast, and screenshots at 800x600 / 1280x800 in light and dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, screenshot, text, useBrowser } from "./helpers.mjs";
import { AGENT_URL, DIDS, KEY, activity, alice, allStatuses, apps, bob, carol, connectedApp, loginStarted } from "./fixtures.mjs";

useBrowser();

const appsResponses = {
  list_apps: { value: apps() },
  app_activity: { value: activity() },
  connect_app: { value: { app: connectedApp({ name: "my script" }), key: KEY, agent_url: AGENT_URL } },
};

/** The Connected apps tab, then the key of a new app (the dialog stays open). */
async function showAppsAndKey(app) {
  await app.tid("apps-tab").click();
  await app.page.waitForSelector("[data-testid=app-item]");
  await app.page.waitForSelector("[data-testid=activity-row]");
}

async function revealKey(app) {
  await app.tid("connect-app").click();
  await app.tid("app-name-input").fill("my script");
  await app.tid("connect-submit").click();
  await app.tid("key-reveal").waitFor();
}

const focused = (page) => page.evaluate(() => ({ testid: document.activeElement?.dataset.testid ?? null, did: document.activeElement?.dataset.did ?? null }));

test("Tab reaches the account rows and Enter switches", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob, carol] }));
  const { page } = app;
  await app.row(DIDS.bob).waitFor();
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    seen.push(f.testid);
    if (f.testid === "account-row" && f.did === DIDS.bob) break;
  }
  assert.deepEqual(await focused(page), { testid: "account-row", did: DIDS.bob }, `focus order: ${seen.join(", ")}`);
  assert.ok(seen.indexOf("account-row") < seen.length, "rows are in the tab order");
  // A visible focus ring.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, "solid");
  await page.keyboard.press("Enter");
  const [call] = await app.waitForCalls("switch_account");
  assert.deepEqual(call.args, { did: DIDS.bob });
  // Arrow keys move between rows.
  await app.row(DIDS.alice).focus();
  await page.keyboard.press("ArrowDown");
  assert.equal((await focused(page)).did, DIDS.bob);
  await app.close();
});

test("dialogs trap focus, Escape closes, and focus returns", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob] }));
  const { page } = app;
  await app.tid("sign-out-button").click();
  await app.tid("sign-out-dialog").waitFor();
  assert.equal(await page.evaluate(() => document.getElementById("app").inert), true, "the app behind is inert");
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press(i % 3 === 2 ? "Shift+Tab" : "Tab");
    const inside = await page.evaluate(() => !!document.activeElement?.closest("[data-testid=sign-out-dialog]"));
    assert.ok(inside, `focus left the dialog after ${i + 1} presses`);
  }
  await page.keyboard.press("Escape");
  await app.tid("sign-out-dialog").waitFor({ state: "detached" });
  assert.equal((await focused(page)).testid, "sign-out-button");
  assert.equal(await page.evaluate(() => document.getElementById("app").inert), false);
  assert.equal((await app.calls("sign_out")).length, 0);
  await app.close();
});

test("Escape while waiting for the browser cancels the login", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { start_login: { value: loginStarted() }, cancel_login: { value: null } } }));
  await app.tid("sign-in-again-button").click();
  await app.tid("login-waiting").waitFor();
  await app.page.keyboard.press("Escape");
  await app.tid("login-dialog").waitFor({ state: "detached" });
  assert.deepEqual((await app.waitForCalls("cancel_login"))[0].args, { state: "st-8f2a1c" });
  assert.equal((await focused(app.page)).testid, "sign-in-again-button");
  await app.close();
});

// ---- contrast: every visible text node against its effective background ----

async function contrastFailures(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) layers.push(c);
        if (c && c.a === 1) break;
      }
      let acc = { r: 255, g: 255, b: 255, a: 1 };
      if (layers.length === 0 || layers[layers.length - 1].a < 1) {
        acc = parse(getComputedStyle(document.body).backgroundColor) ?? acc;
      }
      for (let i = layers.length - 1; i >= 0; i--) acc = over(layers[i], acc);
      return acc;
    };
    const fails = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      if (!el || el.closest("[aria-hidden=true], .sr-only, [disabled], option")) continue;
      if (el.closest("#app")?.inert && !el.closest(".dialog-backdrop, .toasts")) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== "visible") continue;
      const bg = background(el);
      const fg = over(parse(cs.color), bg);
      const size = parseFloat(cs.fontSize);
      const bold = Number(cs.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      const got = ratio(fg, bg);
      if (got < need) fails.push(`${got.toFixed(2)} < ${need}: "${n.textContent.trim().slice(0, 40)}" (${el.className || el.tagName})`);
    }
    return [...new Set(fails)];
  });
}

for (const colorScheme of ["light", "dark"]) {
  test(`contrast is at least 4.5:1 (${colorScheme})`, async () => {
    const app = await openApp(scenario({
      accounts: allStatuses(), keychain: "locked", profile: "development", skew: 400,
      responses: {
        ...appsResponses,
        agent_status: [{ value: { on: false, address: AGENT_URL, served_by: null, error: "port 5783 on 127.0.0.1 is in use by another program", counters: null } }, { value: { on: true, address: AGENT_URL, served_by: "this_app", error: null, counters: null } }],
      },
    }), { colorScheme });
    const { page } = app;
    await app.tid("details-panel").waitFor();
    let fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "main screen");

    await app.tid("scopes-tab").click();
    await app.tid("scope-compare").waitFor();
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "scopes");

    await app.item(DIDS.dave).locator("[data-testid=row-details]").click();
    await app.tid("needs-sign-in-callout").waitFor();
    await app.tid("session-tab").click();
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "needs sign-in details");

    await app.set("start_login", { value: loginStarted() });
    await app.tid("sign-in-again-button").click();
    await app.tid("login-waiting").waitFor();
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "login dialog");
    await app.emit("accounts://login", { state: "st-8f2a1c", did: null, error_code: "server_error", message: "boom" });
    await app.tid("login-error").waitFor();
    await app.page.locator("[data-testid=error-details] summary").click();
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "login error");
    await page.keyboard.press("Escape");
    await app.tid("login-dialog").waitFor({ state: "detached" });

    await showAppsAndKey(app);
    await page.waitForSelector("[data-testid=agent-status][data-state=off]");
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "connected apps, agent off");
    await app.tid("agent-retry").click();
    await page.waitForSelector("[data-testid=agent-status][data-state=on]");
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "connected apps, agent on");
    await app.tid("connect-app").click();
    await app.tid("connect-form").waitFor();
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "connect form");
    await app.tid("app-name-input").fill("my script");
    await app.tid("connect-submit").click();
    await app.tid("key-reveal").waitFor();
    fails = await contrastFailures(page);
    assert.deepEqual(fails, [], "the key");
    await app.close();
  });
}

// ---- screenshots (written to test-results/, looked at by a human) ----

for (const [w, h] of [[800, 600], [1280, 800]]) {
  for (const colorScheme of ["light", "dark"]) {
    test(`screenshots ${w}x${h} ${colorScheme}`, async () => {
      const sizes = `${w}x${h}-${colorScheme}`;
      const app = await openApp(scenario({ accounts: allStatuses(), skew: 400, responses: appsResponses }), { viewport: { width: w, height: h }, colorScheme });
      const { page } = app;
      await app.tid("details-panel").waitFor();
      await page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.alice}"] img`);
      // Nothing may stick out sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
      await screenshot(page, `main-${sizes}`);

      await app.tid("scopes-tab").click();
      await app.tid("scope-compare").waitFor();
      await screenshot(page, `scopes-${sizes}`);
      await page.evaluate(() => { const p = document.querySelector(".details-pane"); p.scrollTop = p.scrollHeight; });
      await screenshot(page, `scopes-bottom-${sizes}`);
      await page.evaluate(() => { document.querySelector(".details-pane").scrollTop = 0; });

      await showAppsAndKey(app);
      await screenshot(page, `apps-${sizes}`);
      await revealKey(app);
      const dialogOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(dialogOverflow <= 0, `horizontal overflow of ${dialogOverflow}px with the key shown`);
      await screenshot(page, `apps-key-${sizes}`);
      await app.tid("key-done").click();
      await app.tid("connect-dialog").waitFor({ state: "detached" });
      await app.tid("session-tab").click();

      await app.set("start_login", { value: loginStarted() });
      await app.set("preview_login", { value: { did: null, handle: "zed.bsky.social", pds_host: "morel.us-east.host.bsky.network", server: "bsky.social" } });
      await app.tid("add-account").click();
      await app.tid("identifier-input").fill("zed.bsky.social");
      await app.tid("preview-server").waitFor();
      await screenshot(page, `add-account-${sizes}`);
      await app.tid("continue-button").click();
      await app.tid("login-waiting").waitFor();
      await screenshot(page, `login-waiting-${sizes}`);
      await app.emit("accounts://login", { state: "st-8f2a1c", did: null, error_code: "server_error", message: "<b>upstream</b> said: invalid_request" });
      await app.tid("login-error").waitFor();
      await page.locator("[data-testid=error-details] summary").click();
      await screenshot(page, `login-error-${sizes}`);
      await page.keyboard.press("Escape");

      await app.tid("sign-out-button").click();
      await app.tid("sign-out-dialog").waitFor();
      await screenshot(page, `sign-out-${sizes}`);
      await app.close();

      const empty = await openApp(scenario({ accounts: [], keychain: "unavailable" }), { viewport: { width: w, height: h }, colorScheme });
      await empty.tid("empty-state").waitFor();
      await screenshot(empty.page, `empty-${sizes}`);
      await empty.close();
    });
  }
}

test("the smallest window (640x480) still fits without sideways scrolling", async () => {
  const app = await openApp(scenario({ accounts: allStatuses(), responses: appsResponses }), { viewport: { width: 640, height: 480 } });
  await app.tid("details-panel").waitFor();
  const overflow = () => app.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok((await overflow()) <= 0, `horizontal overflow of ${await overflow()}px`);
  await screenshot(app.page, "main-640x480-light");
  await showAppsAndKey(app);
  const pane = await app.page.evaluate(() => { const p = document.querySelector(".details-pane"); return p.scrollWidth - p.clientWidth; });
  assert.ok(pane <= 0, `the Connected apps tab scrolls sideways by ${pane}px`);
  await screenshot(app.page, "apps-640x480-light");
  await revealKey(app);
  assert.ok((await overflow()) <= 0, `horizontal overflow of ${await overflow()}px with the key shown`);
  await screenshot(app.page, "apps-key-640x480-light");
  await app.close();
});
