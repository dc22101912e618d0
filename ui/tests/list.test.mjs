// Account list: every status badge, empty state, switching, list-level events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { DIDS, MIN, NOW, alice, allStatuses, bob, account } from "./fixtures.mjs";

useBrowser();

test("each status gets its badge, action and the list shows identity details", async () => {
  const app = await openApp();
  const { page, row, item } = app;
  await page.waitForSelector("[data-testid=account-row]");
  assert.equal(await page.locator("[data-testid=account-row]").count(), 6);

  const expect = {
    [DIDS.alice]: ["ready", /^Signed in · expires in 42 min$/],
    [DIDS.bob]: ["expiring", /^Expiring · expires in 3 min$/],
    [DIDS.carol]: ["refreshing", /^Refreshing…$/],
    [DIDS.dave]: ["needs_sign_in", /^Needs sign-in$/],
    [DIDS.erin]: ["keychain_locked", /^Keychain locked$/],
    [DIDS.frank]: ["offline", /^Offline$/],
  };
  for (const [did, [status, label]] of Object.entries(expect)) {
    const badge = row(did).locator("[data-testid=status-badge]");
    assert.equal(await badge.getAttribute("data-status"), status, `status of ${did}`);
    assert.match(await text(badge), label, `badge text of ${did}`);
  }
  // Refreshing shows a spinner; Needs sign-in is red with "Sign in again"; Offline/Keychain get Retry.
  assert.equal(await row(DIDS.carol).locator("[data-testid=status-badge] .spinner").count(), 1);
  assert.match(await row(DIDS.dave).locator("[data-testid=status-badge] .badge").getAttribute("class"), /badge-red/);
  assert.match(await row(DIDS.bob).locator("[data-testid=status-badge] .badge").getAttribute("class"), /badge-amber/);
  assert.match(await row(DIDS.erin).locator("[data-testid=status-badge] .badge").getAttribute("class"), /badge-grey/);
  assert.match(await row(DIDS.frank).locator("[data-testid=status-badge] .badge").getAttribute("class"), /badge-grey/);
  assert.equal(await item(DIDS.dave).locator("[data-testid=sign-in-again]").count(), 1);
  assert.equal(await item(DIDS.frank).locator("[data-testid=retry]").count(), 1);
  assert.equal(await item(DIDS.erin).locator("[data-testid=retry]").count(), 1);
  assert.equal(await item(DIDS.alice).locator("[data-testid=retry], [data-testid=sign-in-again]").count(), 0);

  // Identity: display name, @handle, short DID, PDS host, avatar from a data: URL or initials.
  assert.equal(await text(row(DIDS.alice).locator("[data-testid=row-name]")), "Alice Example");
  assert.equal(await text(row(DIDS.alice).locator("[data-testid=row-handle]")), "@alice.bsky.social");
  assert.equal(await text(row(DIDS.alice).locator("[data-testid=short-did]")), "did:plc:abcd…wxyz");
  assert.equal(await text(row(DIDS.alice).locator("[data-testid=pds-host]")), "morel.us-east.host.bsky.network");
  await page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.alice}"] img`);
  assert.match(await row(DIDS.alice).locator("img").getAttribute("src"), /^data:image\/png;base64,/);
  assert.equal(await text(row(DIDS.bob).locator(".avatar")), "BM");
  assert.equal(await text(row(DIDS.erin).locator("[data-testid=row-name]")), "erin.example.org", "falls back to the handle");
  assert.equal(await text(row(DIDS.erin).locator("[data-testid=short-did]")), "did:web:erin.example.org", "short DIDs stay whole");

  // Active: one check mark, and a label saying what active means.
  assert.equal(await page.locator("[data-testid=active-mark]").count(), 1);
  assert.equal(await row(DIDS.alice).locator("[data-testid=active-mark]").count(), 1);
  assert.equal(await row(DIDS.alice).getAttribute("aria-current"), "true");
  assert.match(await text(app.tid("active-explainer")), /scripts and skyport api use by default/);

  // Add account at the end, Sign out of all below.
  assert.equal(await app.tid("add-account").count(), 1);
  assert.equal(await app.tid("sign-out-all").count(), 1);
  assert.equal(await text(app.tid("app-version")), "v0.1.0");
  await app.close();
});

test("the ready badge counts down live", async () => {
  const app = await openApp(scenario({ accounts: [alice] }), { clock: "manual" });
  const badge = app.row(DIDS.alice).locator("[data-testid=badge-countdown]");
  assert.equal(await text(badge), "expires in 42 min");
  await app.page.clock.runFor(61_000);
  assert.equal(await text(badge), "expires in 41 min");
  await app.page.clock.runFor(41 * 60_000 + 29_000); // 42 min 30 s after NOW
  assert.equal(await text(badge), "expired 30 s ago");
  await app.close();
});

test("empty state gives a clear first step", async () => {
  const app = await openApp(scenario({ accounts: [] }));
  const empty = app.tid("empty-state");
  await empty.waitFor();
  assert.match(await text(empty), /No accounts yet/);
  assert.match(await text(empty), /enter your handle/i);
  assert.equal(await app.page.locator("[data-testid=account-row]").count(), 0);
  assert.equal(await app.tid("details-panel").count(), 0);
  assert.equal(await app.tid("sign-out-all").count(), 0);
  await app.tid("add-account").click();
  await app.tid("identifier-input").waitFor();
  assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "identifier-input");
  await app.close();
});

test("switching shows a pending row, ignores more clicks, then confirms", async () => {
  const app = await openApp(scenario({ responses: { switch_account: { defer: true } } }));
  const { page, row } = app;
  await row(DIDS.bob).click();
  await app.waitForPending("switch_account");
  assert.equal(await row(DIDS.bob).getAttribute("data-pending"), "true");
  assert.equal(await row(DIDS.bob).getAttribute("aria-busy"), "true");
  assert.match(await text(row(DIDS.bob).locator("[data-testid=row-pending]")), /Switching/);

  // Second clicks (same row or another) are ignored while pending.
  await row(DIDS.bob).click({ force: true });
  await row(DIDS.carol).click({ force: true });
  await page.waitForTimeout(100);
  const calls = await app.calls("switch_account");
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, { did: DIDS.bob });

  await app.resolve("switch_account", { ...bob, active: true, status: "ready", expires_at: NOW + 60 * MIN });
  await page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.bob}"][data-active=true]`);
  assert.equal(await row(DIDS.bob).getAttribute("data-pending"), null);
  assert.equal(await row(DIDS.alice).getAttribute("data-active"), "false");
  assert.equal(await page.locator("[data-testid=active-mark]").count(), 1);
  assert.equal(await row(DIDS.bob).locator("[data-testid=active-mark]").count(), 1);
  assert.equal(await text(app.tid("toast-message")), "Switched to @bob.example.com");
  assert.equal(await app.tid("details-panel").getAttribute("data-did"), DIDS.bob, "details follow the switch");

  // Clicking the already-active account doesn't call switch again.
  await row(DIDS.bob).click();
  await page.waitForTimeout(50);
  assert.equal((await app.calls("switch_account")).length, 1);
  await app.close();
});

test("switching to a dead session goes straight to sign-in, pre-filled", async () => {
  const app = await openApp(scenario({
    responses: { switch_account: { error: { code: "needs_sign_in", message: "refresh token revoked" } } },
  }));
  await app.row(DIDS.carol).click();
  const input = app.tid("identifier-input");
  await input.waitFor();
  assert.equal(await input.inputValue(), "carol.bsky.social");
  assert.match(await text(app.tid("login-notice")), /@carol\.bsky\.social needs to sign in again/);
  assert.equal(await app.row(DIDS.carol).getAttribute("data-status"), "needs_sign_in");
  await app.close();
});

test("the list renders from local data even when the keychain is locked", async () => {
  const app = await openApp(scenario({ keychain: "locked", accounts: allStatuses() }));
  await app.tid("banner-keychain").waitFor();
  assert.equal(await app.page.locator("[data-testid=account-row]").count(), 6);
  assert.match(await text(app.row(DIDS.alice).locator("[data-testid=status-badge]")), /expires in 42 min/);
  await app.close();
});

test("a failed first load shows the error with Retry", async () => {
  const app = await openApp(scenario({
    responses: {
      list_accounts: [
        { error: { code: "storage", message: "database is locked" } },
        { value: { accounts: [alice], keychain: "available", network_profile: "production", clock_skew_secs: null } },
      ],
    },
  }));
  await app.tid("list-error").waitFor();
  assert.match(await text(app.tid("list-error")), /couldn't read or save its data/);
  assert.equal(await app.page.locator("[data-testid=account-row]").count(), 0);
  await app.tid("list-retry").click();
  await app.row(DIDS.alice).waitFor();
  assert.equal(await app.tid("list-error").count(), 0);
  await app.close();
});

test("events: status updates a badge, changed reloads, keychain toggles the banner", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob] }));
  const { row } = app;
  await app.emit("accounts://status", { did: DIDS.bob, status: "refreshing" });
  await app.page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.bob}"] [data-status=refreshing]`);

  await app.emit("accounts://refresh", { did: DIDS.bob, ok: true, error_code: null, expires_at: NOW + 90 * MIN });
  await app.emit("accounts://status", { did: DIDS.bob, status: "ready" });
  await app.page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.bob}"] [data-status=ready]`);
  assert.match(await text(row(DIDS.bob).locator("[data-testid=status-badge]")), /expires in 1 h 30 min/);

  const newcomer = account({ did: "did:plc:neww5cm4r7xq2zt6vy3kp8hd", handle: "newcomer.bsky.social", display_name: "Newcomer" });
  await app.set("list_accounts", { value: { accounts: [alice, bob, newcomer], keychain: "available", network_profile: "production", clock_skew_secs: null } });
  await app.emit("accounts://changed", null);
  await row(newcomer.did).waitFor();

  await app.emit("accounts://keychain", { state: "locked" });
  await app.tid("banner-keychain").waitFor();
  const before = (await app.calls("list_accounts")).length;
  await app.emit("accounts://keychain", { state: "available" });
  await app.waitForCalls("list_accounts", before + 1);
  await app.tid("banner-keychain").waitFor({ state: "detached" });
  await app.close();
});
