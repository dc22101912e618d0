// The shell's newer contracts: browser_opened, color_scheme, tray and notification events,
// accounts://changed re-rendering everything, autostart, the dev banner's dismiss, focus after sign-out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { DIDS, alice, bob, carol, loginStarted } from "./fixtures.mjs";

useBrowser();

const list = (accounts, extra = {}) => ({ value: { accounts, keychain: "available", network_profile: "production", clock_skew_secs: null, ...extra } });

test("browser_opened false: no 'Skyport opened', the link is shown unfolded", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { start_login: { value: loginStarted({ browser_opened: false }) } } }));
  await app.tid("sign-in-again-button").click();
  const waiting = app.tid("login-waiting");
  await waiting.waitFor();
  assert.doesNotMatch(await text(waiting), /Skyport opened/);
  assert.match(await text(app.tid("login-browser-failed")), /couldn't open your browser/);
  assert.equal(await app.tid("login-link-disclosure").evaluate((d) => d.open), true);
  assert.equal(await app.tid("login-url").isVisible(), true);
  await app.close();
});

test("browser_opened true: 'Skyport opened the sign-in page', link folded; a failed reopen unfolds it", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { start_login: { value: loginStarted({ browser_opened: true }) }, reopen_login: { value: { browser_opened: false } } },
  }));
  await app.tid("sign-in-again-button").click();
  await app.tid("login-waiting").waitFor();
  assert.match(await text(app.tid("login-waiting")), /Skyport opened the sign-in page of bsky\.social/);
  assert.equal(await app.tid("login-link-disclosure").evaluate((d) => d.open), false);
  await app.tid("reopen-login").click();
  await app.tid("toast").filter({ hasText: "couldn't open your browser" }).waitFor();
  await app.page.waitForFunction(() => document.querySelector("[data-testid=login-link-disclosure]")?.open === true);
  await app.close();
});

test("dark mode follows color_scheme from app_info and appearance://changed", async () => {
  const sc = scenario({ accounts: [alice] });
  sc.responses.app_info.value.color_scheme = "dark";
  const app = await openApp(sc, { colorScheme: "light" });
  const { page } = app;
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  assert.equal(await bg(), "rgb(13, 17, 23)");
  await app.emit("appearance://changed", { color_scheme: "light" });
  await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
  assert.equal(await bg(), "rgb(242, 244, 247)");
  await app.emit("appearance://changed", { color_scheme: "no_preference" });
  await page.waitForFunction(() => document.documentElement.dataset.theme === undefined);
  assert.equal(await bg(), "rgb(242, 244, 247)", "no preference: the webview's own (light here)");
  await app.close();

  const dark = await openApp(scenario({ accounts: [alice] }), { colorScheme: "dark" });
  await dark.tid("account-row").first().waitFor();
  assert.equal(await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(13, 17, 23)", "no preference: dark webview stays dark");
  await dark.emit("appearance://changed", { color_scheme: "light" });
  await dark.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === "rgb(242, 244, 247)");
  await dark.close();
});

test("tray://add-account opens Add account; notice://sign-in opens sign-in for that account", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob], responses: { start_login: { value: loginStarted({ expected_did: DIDS.bob }) } } }));
  await app.tid("account-row").first().waitFor();
  await app.emit("tray://add-account", null);
  await app.tid("login-identify").waitFor();
  await app.page.keyboard.press("Escape");
  await app.tid("login-dialog").waitFor({ state: "detached" });
  await app.emit("notice://sign-in", { did: DIDS.bob });
  await app.tid("login-waiting").waitFor();
  assert.deepEqual((await app.calls("start_login"))[0].args, { identifier: DIDS.bob, scope: null });
  await app.close();
});

test("accounts://changed re-renders everything from a fresh list, including the active text", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob] }));
  const { page, row } = app;
  await app.tid("details-active").waitFor();
  assert.equal(await page.locator("[data-testid=details-panel]").getAttribute("data-did"), DIDS.alice);
  // Another process (the CLI) switched to bob, added carol and bob's status changed.
  await app.set("list_accounts", list([{ ...alice, active: false }, { ...bob, active: true, status: "needs_sign_in" }, carol]));
  await app.emit("accounts://changed", null);
  await page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.carol}"]`);
  assert.equal(await row(DIDS.bob).getAttribute("data-active"), "true");
  assert.equal(await row(DIDS.alice).getAttribute("data-active"), "false");
  assert.equal(await row(DIDS.bob).getAttribute("data-status"), "needs_sign_in");
  assert.equal(await page.locator("[data-testid=active-mark]").count(), 1);
  // Alice's details are still shown, and no longer say she is active.
  assert.equal(await app.tid("details-active").count(), 0);
  assert.equal(await app.tid("make-active").count(), 1);
  await row(DIDS.bob).locator("xpath=..").locator("[data-testid=row-details]").click();
  assert.match(await text(app.tid("details-active")), /Active — used by scripts/);
  assert.ok((await app.calls("list_accounts")).length >= 2);
  await app.close();
});

test("'Start Skyport when you log in' reads get_settings and calls set_autostart", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { get_settings: { value: { autostart: true } } } }));
  const box = app.tid("autostart-toggle");
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  await box.uncheck();
  assert.deepEqual((await app.waitForCalls("set_autostart"))[0].args, { enabled: false });
  await app.set("set_autostart", { error: { code: "config", message: "autostart entry could not be written" } });
  await box.click(); // check() would retry: the box goes back unchecked
  await app.tid("toast").filter({ hasText: "Couldn't turn on starting at login" }).waitFor();
  assert.equal(await box.isChecked(), false, "goes back when the shell refuses");
  await app.close();
});

test("the development banner can be dismissed for the session", async () => {
  const app = await openApp(scenario({ accounts: [alice], profile: "development" }));
  await app.tid("banner-dev").waitFor();
  await app.tid("banner-dev-dismiss").click();
  await app.tid("banner-dev").waitFor({ state: "detached" });
  await app.page.reload();
  await app.page.waitForSelector("html[data-ready]");
  await app.tid("account-row").first().waitFor();
  assert.equal(await app.tid("banner-dev").count(), 0, "still dismissed after a reload in the same session");
  await app.close();
});

test("after a sign-out, focus lands on the next account row (or Add account)", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob, carol],
    responses: { sign_out: { value: { did: DIDS.bob, revoked: true, revoke_error: null, new_active: null } } },
  }));
  await app.item(DIDS.bob).locator("[data-testid=row-details]").click();
  await app.tid("sign-out-button").click();
  await app.tid("sign-out-dialog").waitFor();
  await app.set("list_accounts", list([alice, carol]));
  await app.tid("confirm-sign-out").click();
  await app.row(DIDS.bob).waitFor({ state: "detached" });
  await app.page.waitForFunction((did) => document.activeElement?.dataset.did === did, DIDS.carol);

  // The last account: focus goes to Add account.
  await app.set("sign_out", { value: { did: DIDS.carol, revoked: true, revoke_error: null, new_active: null } });
  await app.item(DIDS.carol).locator("[data-testid=row-details]").click();
  await app.tid("sign-out-button").click();
  await app.set("list_accounts", list([]));
  await app.tid("confirm-sign-out").click();
  await app.tid("empty-state").waitFor();
  await app.page.waitForFunction(() => document.activeElement?.dataset.testid === "add-account");
  await app.close();
});
