// Sign-ins another program is waiting for (the CLI, another window): listed from the store,
// with Cancel; this window's own sign-in is not listed twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { alice, loginStarted } from "./fixtures.mjs";

useBrowser();

// The page's clock (the harness may fix it), set by each test.
let t0 = 0;
const now = () => t0;
const pageNow = (app) => app.page.evaluate(() => Math.floor(Date.now() / 1000));
const pending = (over = {}) => ({
  state: "st-cli-1",
  login_hint: "bob.test",
  expected_did: "did:plc:bobbobbobbobbobbobbobbob",
  expected_handle: "bob.test",
  server: "bsky.social",
  started_at: now() - 30,
  expires_at: now() + 570,
  ...over,
});
const list = (p) => ({ value: { accounts: [alice], keychain: "available", network_profile: "production", clock_skew_secs: null, pending: p } });

test("a sign-in the CLI started shows in the list, live, and Cancel ends it", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { cancel_login: { value: null } } }));
  await app.tid("account-row").first().waitFor();
  t0 = await pageNow(app);
  assert.equal(await app.tid("pending-logins").count(), 0, "nothing pending");

  // Another process starts a sign-in: the store changes, the shell says so, the list follows.
  await app.set("list_accounts", list([pending()]));
  await app.emit("accounts://changed", null);
  const row = app.tid("pending-login");
  await row.waitFor();
  assert.match(await text(row), /Signing in: @bob\.test/);
  assert.match(await text(row), /Started in another program; waiting for the browser at bsky\.social \(10 min left\)/);

  await app.set("list_accounts", list([]));
  await row.locator("[data-testid=pending-cancel]").click();
  const [call] = await app.waitForCalls("cancel_login");
  assert.deepEqual(call.args, { state: "st-cli-1" });
  await app.page.waitForSelector("[data-testid=pending-login]", { state: "detached" });
  await app.close();
});

test("this window's own sign-in and expired ones are not listed as 'another program'", async () => {
  const started = loginStarted();
  const preview = { did: "did:plc:bobbobbobbobbobbobbobbob", handle: "bob.test", pds_host: "pds.example.com", server: "bsky.social" };
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview }, start_login: { value: started } } }));
  await app.tid("account-row").first().waitFor();
  t0 = await pageNow(app);
  await app.tid("add-account").click();
  await app.tid("identifier-input").fill("bob.test");
  await app.tid("identifier-input").press("Enter");
  await app.tid("continue-button").click();
  await app.tid("login-waiting").waitFor();
  const n = (await app.calls("list_accounts")).length;
  await app.set("list_accounts", list([pending({ state: started.state }), pending({ state: "old", expires_at: t0 - 1 }), pending({ state: "cli" })]));
  await app.emit("accounts://changed", null);
  await app.waitForCalls("list_accounts", n + 1);
  await app.page.waitForSelector("[data-testid=pending-login]", { state: "attached" });
  const states = await app.page.locator("[data-testid=pending-login]").evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.deepEqual(states, ["cli"]);
  await app.close();
});
