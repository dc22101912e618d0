// Connected apps: the list, Connect an app (the key shown once, snippets), Revoke, the agent's
// state, errors with code and message, keyboard use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, screenshot, text, useBrowser } from "./helpers.mjs";
import { AGENT_URL, DIDS, KEY, activity, agentOn, alice, apps, bob, connectedApp } from "./fixtures.mjs";

useBrowser();

const PYTHON = `from atproto import Client
client = Client(base_url="${AGENT_URL}")
client.login("alice.bsky.social", "${KEY}")`;
const JAVASCRIPT = `import { AtpAgent } from '@atproto/api'
const agent = new AtpAgent({ service: '${AGENT_URL}' })
await agent.login({ identifier: 'alice.bsky.social', password: '${KEY}' })`;

const created = (overrides = {}) => ({
  app: connectedApp({ name: "my script", rules: { read_only: true }, rules_text: "read-only", last_used_at: null, calls: 0, ...overrides }),
  key: KEY,
  agent_url: AGENT_URL,
});

async function openAppsTab(app) {
  await app.tid("apps-tab").click();
  await app.tid("apps-panel").waitFor();
}

/** Every place a key could linger in the page: text, attributes, form values. */
function keyInPage(page, key) {
  return page.evaluate((k) => {
    if (document.documentElement.outerHTML.includes(k)) return "markup";
    for (const el of document.querySelectorAll("input, textarea")) if (el.value.includes(k)) return `value of ${el.dataset.testid}`;
    return null;
  }, key);
}

test("Connected apps lists each key in plain words, the agent's address and the latest calls", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob], responses: { list_apps: { value: apps() }, app_activity: { value: activity() } } }));
  await openAppsTab(app);
  const status = app.tid("agent-status");
  await app.page.waitForSelector("[data-testid=agent-status][data-state=on]");
  assert.equal(await text(app.tid("agent-title")), "Agent on at http://127.0.0.1:5783");
  assert.equal(await text(app.tid("agent-address")), AGENT_URL);
  assert.equal(await text(app.tid("agent-counters")), "57 requests · 3 refused · up 2 h");
  assert.match(await text(status), /Programs use this address as their service URL, and a key as their password\./);

  await app.page.waitForSelector("[data-testid=app-item]");
  const items = app.tid("app-item");
  assert.equal(await items.count(), 2);
  assert.equal(await text(app.tid("apps-count")), "2");
  const bot = app.page.locator('[data-testid=app-item][data-name="posting bot"]');
  assert.equal(await text(bot.locator("[data-testid=app-name]")), "posting bot");
  assert.equal(await text(bot.locator("[data-testid=app-rules]")), "read and write; only app.bsky.feed.*");
  assert.equal(await text(bot.locator("[data-testid=app-created]")), "Created 22 Nov 2026, 12:00");
  assert.equal(await text(bot.locator("[data-testid=app-last-used]")), "Last used 12 min ago");
  assert.equal(await text(bot.locator("[data-testid=app-calls]")), "41 calls");
  assert.equal(await text(bot.locator("[data-testid=app-expiry]")), "Expires in 25 days");
  assert.equal(await bot.locator("[data-testid=revoke-app]").getAttribute("aria-label"), "Revoke posting bot");
  const reader = app.page.locator('[data-testid=app-item][data-name="feed reader"]');
  assert.equal(await text(reader.locator("[data-testid=app-rules]")), "read-only");
  assert.equal(await text(reader.locator("[data-testid=app-meta]")), "Created 18 Oct 2026, 12:00 · Never used · 0 calls · No expiry");

  const rows = app.tid("activity-row");
  assert.equal(await rows.count(), 3);
  const cells = (i) => rows.nth(i).locator("td").evaluateAll((tds) => tds.map((td) => td.textContent.replace(/\s+/g, " ").trim()));
  assert.deepEqual(await cells(0), ["11:48:00", "posting bot", "GET app.bsky.feed.getTimeline", "200 forwarded"]);
  assert.deepEqual(await cells(1), ["11:47:00", "posting bot", "POST com.atproto.repo.createRecord", "403 not allowed"]);
  assert.deepEqual(await cells(2), ["25 Nov, 12:00:00", "no valid key", "GET com.atproto.server.getSession", "401 bad key"]);
  assert.equal(await rows.nth(1).getAttribute("data-status"), "403");
  assert.equal(await app.page.locator("[data-testid=activity] th").count(), 4);

  assert.deepEqual((await app.calls("list_apps")).map((c) => c.args), [{ did: DIDS.alice }]);
  assert.deepEqual((await app.calls("app_activity")).map((c) => c.args), [{ did: DIDS.alice }]);
  // The list never carries a key.
  assert.doesNotMatch(await text(app.tid("apps-panel")), /skp_/);

  // Refresh reads the lists again.
  await app.tid("activity-refresh").click();
  await app.waitForCalls("list_apps", 2);
  await app.waitForCalls("app_activity", 2);
  await screenshot(app.page, "apps-list-1280x800-light");
  await app.close();
});

test("with no connected apps the tab says how to start", async () => {
  const app = await openApp(scenario({ accounts: [alice] }));
  await openAppsTab(app);
  await app.tid("apps-empty").waitFor();
  assert.match(await text(app.tid("apps-empty")), /No connected apps yet/);
  assert.match(await text(app.tid("activity-empty")), /No calls yet/);
  await app.close();
});

test("Connect an app: the key is shown once, with snippets naming the agent, the handle and the key", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob],
    responses: { connect_app: { value: created() }, list_apps: [{ value: [] }, { value: [created().app] }] },
  }));
  // The opt-in IPC recorder of the end-to-end test must not keep the key either.
  await app.page.evaluate(() => { location.hash = "record-ipc"; });
  await openAppsTab(app);
  await app.tid("apps-empty").waitFor();
  await app.tid("connect-app").click();
  const dialog = app.tid("connect-dialog");
  await dialog.waitFor();
  assert.match(await text(dialog), /Connect an app to @alice\.bsky\.social/);
  assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "app-name-input");
  assert.equal(await app.page.locator("[data-testid=app-expiry-option]:checked").getAttribute("value"), "30d", "30 days unless changed");

  await app.tid("app-name-input").fill("my script");
  await app.tid("app-read-only").check();
  await app.tid("app-allow-input").fill("app.bsky.feed.*, app.bsky.actor.getProfile");
  await app.page.locator('[data-testid=app-expiry-option][value="90d"]').check();
  await screenshot(app.page, "apps-connect-form-1280x800-light");
  await app.tid("connect-submit").click();
  const [call] = await app.waitForCalls("connect_app");
  assert.deepEqual(call.args, {
    did: DIDS.alice, name: "my script", readOnly: true, allow: ["app.bsky.feed.*", "app.bsky.actor.getProfile"], expires: "90d",
  });

  const reveal = app.tid("key-reveal");
  await reveal.waitFor();
  assert.match(await text(reveal), /my script is connected/);
  assert.match(await text(app.tid("key-warning")), /Copy the key now: this is the only time Skyport shows it/);
  assert.equal(await app.tid("app-key").inputValue(), KEY);
  assert.equal(await app.tid("app-key").getAttribute("readonly"), "");
  assert.equal(await text(app.tid("key-agent-url")), AGENT_URL);
  assert.equal(await app.tid("snippet-python").locator("[data-testid=snippet-code]").textContent(), PYTHON);
  assert.equal(await app.tid("snippet-javascript").locator("[data-testid=snippet-code]").textContent(), JAVASCRIPT);
  assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "copy-key", "focus on Copy key");
  const announce = app.tid("key-announce");
  assert.equal(await announce.getAttribute("aria-live"), "polite");
  await app.page.waitForFunction(() => /shown only once/.test(document.querySelector("[data-testid=key-announce]")?.textContent ?? ""));
  assert.equal(await app.tid("key-agent-off").count(), 0);

  await app.tid("copy-key").click();
  assert.deepEqual((await app.waitForCalls("copy_text")).at(-1).args, { text: KEY });
  await app.tid("copy-snippet-python").click();
  assert.deepEqual((await app.waitForCalls("copy_text", 2)).at(-1).args, { text: PYTHON });
  // The list behind was read again and shows the new app (without its key).
  await app.waitForCalls("list_apps", 2);
  await app.page.waitForSelector('[data-testid=app-item][data-name="my script"]', { state: "attached" });
  await screenshot(app.page, "apps-key-1280x800-light");

  // A click beside the dialog does not throw the key away; Done does.
  await app.page.mouse.click(5, 5);
  assert.equal(await reveal.count(), 1);
  await app.tid("key-done").click();
  await dialog.waitFor({ state: "detached" });
  assert.equal(await keyInPage(app.page, KEY), null, "the key is gone from the page");
  const log = await app.page.evaluate(() => (window.__skyportIpcLog ?? []).join("\n"));
  assert.match(log, /result connect_app/);
  assert.ok(!log.includes(KEY), "the IPC recorder did not keep the key");
  await app.page.waitForFunction(() => document.activeElement?.dataset.testid === "connect-app");
  await app.close();
});

test("Connect an app while the agent is off still makes the key, and says the agent is off", async () => {
  const off = { on: false, address: AGENT_URL, served_by: null, error: "port 5783 on 127.0.0.1 is in use by another program", counters: null };
  const app = await openApp(scenario({ accounts: [alice], responses: { agent_status: { value: off }, connect_app: { value: created() } } }));
  await openAppsTab(app);
  await app.page.waitForSelector("[data-testid=agent-status][data-state=off]");
  await app.tid("connect-app").click();
  await app.tid("app-name-input").fill("my script");
  await app.page.keyboard.press("Enter");
  await app.tid("key-reveal").waitFor();
  assert.deepEqual((await app.calls("connect_app"))[0].args.expires, "30d");
  assert.match(await text(app.tid("key-agent-off")), /The agent is off right now/);
  await app.page.keyboard.press("Escape");
  await app.tid("connect-dialog").waitFor({ state: "detached" });
  assert.equal(await keyInPage(app.page, KEY), null);
  await app.close();
});

test("the Connect form checks the name itself and shows the core's refusal with code and message", async () => {
  const message = '"bad/name" is not a usable app name: use 1 to 64 letters, digits, spaces, \'-\', \'_\' or \'.\'';
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { connect_app: [{ error: { code: "invalid_input", message } }, { value: created({ name: "good name" }) }] },
  }));
  await openAppsTab(app);
  await app.tid("connect-app").click();
  await app.tid("connect-submit").click();
  assert.match(await text(app.tid("app-name-error")), /Give the app a name/);
  assert.equal(await app.tid("app-name-input").getAttribute("aria-invalid"), "true");
  assert.equal((await app.calls("connect_app")).length, 0, "nothing is asked of the shell for an empty name");

  await app.tid("app-name-input").fill("bad/name");
  await app.tid("connect-submit").click();
  const error = app.tid("connect-error");
  await error.waitFor();
  await screenshot(app.page, "apps-connect-error-1280x800-light");
  assert.match(await text(error), /Skyport can't connect the app like this/);
  assert.equal(await text(error.locator("[data-testid=error-code]")), "invalid_input");
  assert.equal(await text(error.locator("[data-testid=error-message]")), message);
  assert.ok(await error.locator("[data-testid=error-message]").isVisible(), "the message is shown, not folded away");
  assert.equal(await app.tid("app-name-error").isVisible(), false);
  assert.equal(await app.tid("app-name-input").inputValue(), "bad/name", "what was typed is kept");
  assert.equal(await app.tid("key-reveal").count(), 0);

  await app.tid("app-name-input").fill("good name");
  await app.tid("connect-submit").click();
  await app.tid("key-reveal").waitFor();
  await app.close();
});

test("a failed connect for another reason says nothing changed, with code and message", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { connect_app: { error: { code: "storage", message: "database is locked" } } },
  }));
  await openAppsTab(app);
  await app.tid("connect-app").click();
  await app.tid("app-name-input").fill("bot");
  await app.tid("connect-submit").click();
  const error = app.tid("connect-error");
  await error.waitFor();
  assert.match(await text(error), /Couldn't connect the app/);
  assert.match(await text(error), /Nothing was changed/);
  assert.equal(await text(error.locator("[data-testid=error-code]")), "storage");
  assert.equal(await text(error.locator("[data-testid=error-message]")), "database is locked");
  assert.equal(await error.getAttribute("role"), "alert");
  await app.close();
});

test("Revoke asks first, then the app is gone and a toast says so", async () => {
  const [bot, reader] = apps();
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { list_apps: [{ value: [bot, reader] }, { value: [reader] }], revoke_app: { value: bot } },
  }));
  await openAppsTab(app);
  const revoke = app.page.locator('[data-testid=app-item][data-name="posting bot"] [data-testid=revoke-app]');
  await revoke.click();
  const dialog = app.tid("revoke-dialog");
  await dialog.waitFor();
  assert.match(await text(dialog), /Revoke posting bot\?/);
  assert.match(await text(dialog), /stops working at once/);
  assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "cancel-revoke", "safe default focus");
  await app.page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal((await app.calls("revoke_app")).length, 0);
  assert.equal(await app.page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Revoke posting bot", "focus returns");

  await revoke.click();
  await app.tid("confirm-revoke").click();
  assert.deepEqual((await app.waitForCalls("revoke_app"))[0].args, { name: "posting bot" });
  await dialog.waitFor({ state: "detached" });
  await app.page.waitForSelector('[data-testid=app-item][data-name="posting bot"]', { state: "detached" });
  assert.equal(await app.tid("app-item").count(), 1);
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await text(toast.locator("[data-testid=toast-message]")), "Revoked posting bot");
  assert.match(await text(toast), /next request through the agent is refused/);
  assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "connect-app");
  await app.close();
});

test("a revoke that fails keeps the dialog open with code and message", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { list_apps: { value: apps() }, revoke_app: { error: { code: "unknown_app", message: "no connected app is named \"posting bot\"" } } },
  }));
  await openAppsTab(app);
  await app.page.locator('[data-testid=app-item][data-name="posting bot"] [data-testid=revoke-app]').click();
  await app.tid("confirm-revoke").click();
  const error = app.tid("revoke-error");
  await error.waitFor();
  assert.match(await text(error), /That app is no longer connected/);
  assert.equal(await text(error.locator("[data-testid=error-code]")), "unknown_app");
  assert.equal(await text(error.locator("[data-testid=error-message]")), 'no connected app is named "posting bot"');
  assert.equal(await app.tid("revoke-dialog").count(), 1);
  await app.waitForCalls("list_apps", 2);
  await app.close();
});

test("the agent's state: off with its reason, served by another process, and Check again", async () => {
  const reason = "port 5783 on 127.0.0.1 is in use by another program; set agent_port in config.toml or SKYPORT_AGENT_PORT";
  const app = await openApp(scenario({
    accounts: [alice],
    responses: {
      agent_status: [
        { value: { on: false, address: AGENT_URL, served_by: null, error: reason, counters: null } },
        { value: agentOn({ served_by: "another_process", counters: { ...agentOn().counters, pid: 777 } }) },
      ],
    },
  }));
  await openAppsTab(app);
  const status = app.tid("agent-status");
  await app.page.waitForSelector("[data-testid=agent-status][data-state=off]");
  assert.equal(await text(app.tid("agent-title")), `Agent off: ${reason}`);
  assert.match(await text(status), /Keys can still be made; programs can use them once the agent runs at http:\/\/127\.0\.0\.1:5783\./);
  await screenshot(app.page, "apps-agent-off-1280x800-light");
  await app.tid("agent-retry").click();
  await app.page.waitForSelector("[data-testid=agent-status][data-state=other]");
  assert.equal(await text(app.tid("agent-title")), "Served by another Skyport process at http://127.0.0.1:5783");
  assert.match(await text(status), /Process 777/);
  await app.close();
});

test("a failed list shows code and message, and Try again reads it again", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { list_apps: [{ error: { code: "storage", message: "disk I/O error" } }, { value: apps() }] },
  }));
  await openAppsTab(app);
  const error = app.tid("apps-error");
  await error.waitFor();
  assert.match(await text(error), /Skyport couldn't read or save its data/);
  assert.equal(await text(error.locator("[data-testid=error-code]")), "storage");
  assert.equal(await text(error.locator("[data-testid=error-message]")), "disk I/O error");
  assert.ok(await error.locator("[data-testid=error-message]").isVisible());
  await app.tid("apps-retry").click();
  await app.page.waitForSelector("[data-testid=app-item]");
  assert.equal(await app.tid("apps-error").count(), 0);
  await app.close();
});

test("each account shows its own apps", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob],
    responses: { list_apps: { byArg: "did", cases: { [DIDS.bob]: { value: [connectedApp({ name: "bob's bot", did: DIDS.bob })] } }, default: { value: apps() } } },
  }));
  await openAppsTab(app);
  await app.page.waitForSelector('[data-testid=app-item][data-name="posting bot"]');
  await app.item(DIDS.bob).locator("[data-testid=row-details]").click();
  await app.page.waitForSelector(`[data-testid=details-panel][data-did="${DIDS.bob}"] [data-testid=apps-panel]`);
  await app.page.waitForSelector(`[data-testid=app-item][data-name="bob's bot"]`);
  assert.equal(await app.tid("app-item").count(), 1);
  assert.deepEqual((await app.calls("list_apps")).at(-1).args, { did: DIDS.bob });
  await app.close();
});

test("keyboard: arrows reach the tab, the form is in order, Enter connects", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { connect_app: { value: created() } } }));
  const { page } = app;
  await app.tid("session-tab").focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "apps-tab", "ArrowLeft wraps to the last tab");
  await app.tid("apps-panel").waitFor();
  assert.equal(await app.tid("apps-tab").getAttribute("aria-selected"), "true");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "session-tab");
  await page.keyboard.press("End");
  await app.tid("apps-panel").waitFor();

  await app.tid("connect-app").focus();
  await page.keyboard.press("Enter");
  await app.tid("connect-dialog").waitFor();
  const order = [];
  for (let i = 0; i < 6; i++) {
    order.push(await page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName));
    await page.keyboard.press("Tab");
  }
  assert.deepEqual(order, ["app-name-input", "app-read-only", "app-allow-input", "app-expiry-option", "connect-cancel", "connect-submit"]);
  await app.tid("app-name-input").focus();
  await page.keyboard.type("my script");
  await page.keyboard.press("Enter");
  await app.tid("key-reveal").waitFor();
  // Tab stays inside the dialog.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest("[data-testid=connect-dialog]")), `focus left the dialog after ${i + 1}`);
  }
  await app.close();
});
