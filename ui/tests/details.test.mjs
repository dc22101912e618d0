// Account details: fields, countdown, Refresh now (ok / offline / needs sign-in), Sign out, diagnostics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { DAY, DIDS, MIN, NOW, alice, bob, carol } from "./fixtures.mjs";

useBrowser();

const list = (accounts) => ({ value: { accounts, keychain: "available", network_profile: "production", clock_skew_secs: null } });

test("details show identity, session and token information", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob] }));
  const panel = app.tid("details-panel");
  await panel.waitFor();
  assert.equal(await panel.getAttribute("data-did"), DIDS.alice, "the active account is selected first");
  assert.equal(await text(app.tid("details-name")), "Alice Example");
  assert.equal(await text(app.tid("details-handle")), "@alice.bsky.social");
  assert.equal(await text(app.tid("details-did")), DIDS.alice);
  assert.equal(await text(app.tid("details-pds")), "https://morel.us-east.host.bsky.network");
  assert.equal(await text(app.tid("details-issuer")), "https://bsky.social");
  assert.equal(await text(app.tid("token-expiry-time")), "12:42");
  assert.equal(await text(app.tid("token-countdown")), "expires in 42 min");
  assert.match(await text(app.tid("session-times")), /Started 24 Nov 2026, 12:00/);
  assert.equal(await text(app.tid("session-ends")), "8 Dec 2026, 12:00");
  assert.match(await text(app.tid("last-refresh")), /27 Nov 2026, 11:42 \(18 min ago\) · OK/);
  assert.equal(await text(app.tid("dpop-thumbprint")), alice.dpop_thumbprint);
  await app.page.waitForFunction(() => document.querySelector("[data-testid=storage]")?.textContent === "system keychain (secret-service)");
  assert.equal(await app.tid("session-ending").count(), 0);
  assert.match(await text(app.tid("details-active")), /Active/);
  // No tokens anywhere.
  assert.doesNotMatch(await text(panel), /access_token|refresh_token|eyJ/);

  await app.tid("copy-did").click();
  assert.deepEqual((await app.waitForCalls("copy_text")).at(-1).args, { text: DIDS.alice });
  assert.equal(await text(app.page.locator("[data-testid=toast-message]").last()), "Copied DID");
  await app.close();
});

test("the token countdown is live", async () => {
  const app = await openApp(scenario({ accounts: [alice] }), { clock: "manual" });
  await app.tid("token-countdown").waitFor();
  assert.equal(await text(app.tid("token-countdown")), "expires in 42 min");
  await app.page.clock.runFor(12 * 60_000);
  assert.equal(await text(app.tid("token-countdown")), "expires in 30 min");
  await app.close();
});

test("a session near its two-week end shows a warning", async () => {
  const soon = { ...alice, session_ending_soon: true, session_ends_at: NOW + 2 * DAY };
  const app = await openApp(scenario({ accounts: [soon] }));
  const warn = app.tid("session-ending");
  await warn.waitFor();
  assert.match(await text(warn), /This session ends in 2 days/);
  assert.match(await text(warn), /Sign in again before 29 Nov 2026, 12:00/);
  await app.close();
});

test("Refresh now: spinner on that button only, then a toast with the new expiry", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob], responses: { refresh_account: { defer: true } } }));
  const btn = app.tid("refresh-button");
  await btn.click();
  await app.waitForPending("refresh_account");
  assert.equal(await btn.getAttribute("aria-busy"), "true");
  assert.equal(await btn.locator(".spinner").count(), 1);
  assert.equal(await text(btn), "Refreshing…");
  assert.equal(await app.tid("sign-in-again-button").getAttribute("aria-busy"), null, "other buttons are not busy");
  assert.equal(await app.tid("sign-out-button").isEnabled(), true);
  // A second press while running does nothing.
  await btn.click({ force: true });
  assert.equal((await app.calls("refresh_account")).length, 1);

  await app.resolve("refresh_account", { ...alice, expires_at: NOW + 2 * 60 * MIN, last_refresh_at: NOW, last_refresh_result: "ok" });
  await app.page.waitForSelector("[data-testid=refresh-button]:not([aria-busy])");
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await text(toast.locator("[data-testid=toast-message]")), "Refreshed @alice.bsky.social");
  assert.match(await text(toast), /New access token expires in 2 h, at 14:00/);
  assert.equal(await text(app.tid("token-countdown")), "expires in 2 h");
  await app.close();
});

test("Refresh now offline keeps the session and offers Retry", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob],
    responses: { refresh_account: [{ error: { code: "network", message: "connection refused" } }, { value: { ...alice, expires_at: NOW + 60 * MIN } }] },
  }));
  await app.tid("refresh-button").click();
  await app.page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.alice}"][data-status=offline]`);
  assert.equal(await app.row(DIDS.alice).count(), 1, "the account is kept");
  assert.match(await text(app.tid("offline-callout")), /Can't reach morel\.us-east\.host\.bsky\.network/);
  assert.match(await text(app.tid("offline-callout")), /session is kept/);
  await app.tid("banner-offline").waitFor();
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await toast.getAttribute("data-kind"), "warning");
  assert.match(await text(app.tid("last-refresh")), /server unreachable/);
  await app.tid("details-retry").click();
  await app.page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.alice}"][data-status=ready]`);
  assert.equal((await app.calls("refresh_account")).length, 2);
  await app.close();
});

test("Refresh now with a dead refresh token moves to Needs sign-in", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { refresh_account: { error: { code: "needs_sign_in", message: "invalid_grant" } }, start_login: { defer: true } },
  }));
  await app.tid("refresh-button").click();
  await app.page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.alice}"][data-status=needs_sign_in]`);
  assert.equal(await text(app.tid("details-panel").locator("[data-testid=status-badge]")), "Needs sign-in");
  await app.tid("needs-sign-in-callout").waitFor();
  assert.equal(await app.tid("refresh-button").count(), 0);
  assert.match(await app.tid("sign-in-again-button").getAttribute("class"), /btn-primary/);
  assert.equal(await app.item(DIDS.alice).locator("[data-testid=sign-in-again]").count(), 1);
  await app.page.locator("[data-testid=toast-sign-in-again]").click();
  assert.deepEqual((await app.waitForCalls("start_login"))[0].args, { identifier: DIDS.alice, scope: null });
  await app.close();
});

test("Sign out: confirm names the account; revoked, and the active account changes", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob],
    responses: { sign_out: { value: { did: DIDS.alice, revoked: true, revoke_error: null, new_active: DIDS.bob } } },
  }));
  await app.tid("sign-out-button").click();
  const dialog = app.tid("sign-out-dialog");
  await dialog.waitFor();
  assert.match(await text(dialog), /Sign out of @alice\.bsky\.social\?/);
  assert.match(await text(dialog), /already issued may keep working until they expire/);
  assert.match(await text(app.tid("sign-out-active-note")), /active account/);
  assert.equal(await app.page.evaluate(() => document.activeElement?.dataset.testid), "cancel-sign-out", "safe default focus");
  await app.set("list_accounts", list([{ ...bob, active: true }]));
  await app.tid("confirm-sign-out").click();
  assert.deepEqual((await app.waitForCalls("sign_out"))[0].args, { did: DIDS.alice });
  await dialog.waitFor({ state: "detached" });
  await app.row(DIDS.alice).waitFor({ state: "detached" });
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await text(toast.locator("[data-testid=toast-message]")), "Signed out of @alice.bsky.social");
  assert.match(await text(toast), /@bob\.example\.com is now the active account\./);
  assert.match(await text(toast), /Access tokens already issued may keep working until they expire\./);
  assert.equal(await app.row(DIDS.bob).getAttribute("data-active"), "true");
  await app.close();
});

test("Sign out when the server can't be reached: removed locally, and it says so", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob],
    responses: { sign_out: { value: { did: DIDS.bob, revoked: false, revoke_error: "network", new_active: null } } },
  }));
  // Bob's details without switching to him.
  await app.item(DIDS.bob).locator("[data-testid=row-details]").click();
  await app.page.waitForSelector(`[data-testid=details-panel][data-did="${DIDS.bob}"]`);
  assert.equal((await app.calls("switch_account")).length, 0);
  await app.tid("sign-out-button").click();
  assert.match(await text(app.tid("sign-out-dialog")), /Sign out of @bob\.example\.com\?/);
  assert.equal(await app.tid("sign-out-active-note").count(), 0);
  await app.set("list_accounts", list([alice]));
  await app.tid("confirm-sign-out").click();
  await app.tid("sign-out-dialog").waitFor({ state: "detached" });
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await toast.getAttribute("data-kind"), "warning");
  assert.equal(
    await text(toast.locator("[data-testid=toast-message]")),
    "Removed from this device; the server could not be reached to revoke the session",
  );
  assert.match(await text(toast), /reason: network/);
  assert.doesNotMatch(await text(toast), /active account/);
  assert.match(await text(toast), /may keep working until they expire/);
  assert.equal(await app.tid("details-panel").getAttribute("data-did"), DIDS.alice);
  await app.close();
});

test("Sign out error keeps the dialog open with the error", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { sign_out: { error: { code: "keychain_locked", message: "org.freedesktop.Secret.Error.IsLocked" } } },
  }));
  await app.tid("sign-out-button").click();
  await app.tid("confirm-sign-out").click();
  await app.tid("sign-out-error").waitFor();
  assert.match(await text(app.tid("sign-out-error")), /Your system keychain is locked/);
  assert.equal(await app.row(DIDS.alice).count(), 1);
  await app.close();
});

test("Sign out of all accounts", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob, carol],
    responses: {
      sign_out_all: {
        value: [
          { did: DIDS.alice, revoked: true, revoke_error: null, new_active: null },
          { did: DIDS.bob, revoked: false, revoke_error: "network", new_active: null },
          { did: DIDS.carol, revoked: true, revoke_error: null, new_active: null },
        ],
      },
    },
  }));
  await app.tid("sign-out-all").click();
  const dialog = app.tid("sign-out-all-dialog");
  await dialog.waitFor();
  assert.match(await text(dialog), /Sign out of all 3 accounts\?/);
  assert.match(await text(dialog), /@alice\.bsky\.social.*@bob\.example\.com.*@carol\.bsky\.social/);
  await app.set("list_accounts", list([]));
  await app.tid("confirm-sign-out-all").click();
  await app.tid("empty-state").waitFor();
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await text(toast.locator("[data-testid=toast-message]")), "Signed out of 3 accounts");
  assert.match(await text(toast), /could not be reached to revoke the session for @bob\.example\.com\./);
  assert.match(await text(toast), /No account is active now\./);
  await app.close();
});

test("Copy diagnostics copies the redacted JSON; falls back to the web clipboard", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { copy_text: { error: { code: "internal", message: "no clipboard" } } } }), {
    permissions: ["clipboard-read", "clipboard-write"],
  });
  await app.tid("copy-diagnostics").click();
  await app.waitForCalls("copy_text");
  const diag = (await app.calls("diagnostics")).length;
  assert.equal(diag, 1);
  await app.page.waitForSelector("[data-testid=toast-message]");
  assert.equal(await text(app.page.locator("[data-testid=toast-message]").last()), "Diagnostics copied");
  const clip = await app.page.evaluate(() => navigator.clipboard.readText());
  assert.deepEqual(JSON.parse(clip), { app: { version: "0.1.0" }, accounts: 1 });
  await app.close();
});

test("open links: the profile, the DID document and the PDS open in the system browser", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { open_link: { value: null } } }));
  await app.tid("details-panel").waitFor();
  await app.tid("open-profile").click();
  await app.tid("open-did-document").click();
  await app.tid("open-pds").click();
  const calls = await app.waitForCalls("open_link", 3);
  assert.deepEqual(calls.map((c) => c.args), [
    { did: DIDS.alice, kind: "profile" },
    { did: DIDS.alice, kind: "did_document" },
    { did: DIDS.alice, kind: "pds" },
  ]);
  await app.close();
});

test("a pane scrolled by code keeps that position through a redraw that comes before its scroll event", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob] }), { viewport: { width: 800, height: 420 } });
  const { page } = app;
  await app.tid("scopes-tab").click();
  await app.tid("scope-compare").waitFor();
  // Scrolled to the bottom, and its scroll event handled (two frames later).
  const bottom = await page.evaluate(async () => {
    const pane = document.querySelector(".details-pane");
    pane.scrollTop = pane.scrollHeight;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return pane.scrollTop;
  });
  assert.ok(bottom > 100, `the pane scrolls (scrollTop ${bottom})`);
  // Back to the top by code, and a redraw (the Session tab) before the scroll event arrives.
  const after = await page.evaluate(() => {
    const pane = document.querySelector(".details-pane");
    pane.scrollTop = 0;
    document.querySelector("[data-testid=session-tab]").click();
    const drawn = document.querySelector("[data-testid=session-tab]").getAttribute("aria-selected");
    return { top: pane.scrollTop, drawn };
  });
  assert.equal(after.drawn, "true", "the redraw happened in the same task");
  assert.equal(after.top, 0, "the old position is not brought back");
  await app.close();
});
