// Truthful errors: offline, not found, server unreachable, a damaged key; the headline is for a
// person, the code and the raw detail are under Details; a login never says a session is kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { DIDS, alice, account } from "./fixtures.mjs";

useBrowser();

/** Types into Add account and waits for the preview's error. */
async function previewError(error, identifier = "alice.bsky.social") {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { error } } }));
  await app.tid("add-account").click();
  await app.tid("identifier-input").fill(identifier);
  await app.tid("preview-error").waitFor();
  return app;
}

test("offline: 'You're offline', not a spelling problem; code and detail under Details", async () => {
  const app = await previewError({ code: "offline", message: "no network: DNS could not be asked" });
  const headline = await text(app.tid("preview-headline"));
  assert.equal(headline, "You're offline");
  const next = await text(app.tid("preview-next-step"));
  assert.match(next, /connection/);
  assert.doesNotMatch(`${headline} ${next}`, /spelling|isn't a handle/i);
  assert.doesNotMatch(next, /session is kept|sessions are kept/i, "a login has no session yet");
  const det = app.tid("preview-error").locator("[data-testid=error-details]");
  assert.equal(await det.evaluate((d) => d.open), false, "details start folded");
  assert.equal(await text(det.locator("[data-testid=error-code]")), "offline");
  assert.equal(await text(det.locator("[data-testid=error-message]")), "no network: DNS could not be asked");
  await app.close();
});

test("not found names what was typed and doesn't say 'check the spelling'", async () => {
  const cases = [
    ["bob.example.com", "No account uses the handle bob.example.com"],
    ["@bob.example.com", "No account uses the handle bob.example.com"],
    ["did:plc:nobodyhere234567abcdefgh", "No account has the DID did:plc:nobodyhere234567abcdefgh"],
    ["https://pds.nowhere.example", "No server answers at https://pds.nowhere.example"],
  ];
  for (const [typed, expected] of cases) {
    const app = await previewError({ code: "not_found", message: "the handle does not resolve" }, typed);
    assert.equal(await text(app.tid("preview-headline")), expected);
    assert.doesNotMatch(await text(app.tid("preview-error")), /check the spelling/i);
    await app.close();
  }
});

test("malformed input (invalid_input) is the one that asks to check the spelling", async () => {
  const app = await previewError({ code: "invalid_input", message: "not a handle" }, "alice@@bsky");
  assert.match(await text(app.tid("preview-error")), /Check the spelling/);
  await app.close();
});

test("network: 'couldn't reach the server'; on a login, no 'session is kept'", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { start_login: { error: { code: "network", message: "the server could not be reached" } } },
  }));
  await app.tid("sign-in-again-button").click();
  await app.tid("login-error").waitFor();
  assert.equal(await text(app.tid("login-headline")), "Skyport couldn't reach the server");
  assert.doesNotMatch(await text(app.tid("login-error")), /session is kept/i);
  assert.equal(await text(app.tid("login-error").locator("[data-testid=error-code]")), "network");
  await app.close();
});

test("keychain_item_damaged is known: a plain headline, not 'something went wrong'", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { refresh_account: { error: { code: "keychain_item_damaged", message: "item 3 could not be decoded" } } },
  }));
  await app.tid("refresh-button").click();
  const toast = app.tid("toast").last();
  await toast.waitFor();
  assert.match(await text(toast), /saved key is damaged/);
  assert.match(await text(toast), /Sign in again/);
  assert.match(await text(toast), /Code: keychain_item_damaged/);
  await app.close();
});

test("offline on refresh is treated like network: the account shows Offline with Retry", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { refresh_account: { error: { code: "offline", message: "no route to host" } } },
  }));
  await app.tid("refresh-button").click();
  await app.page.waitForSelector(`[data-testid=account-row][data-did="${DIDS.alice}"][data-status=offline]`);
  assert.equal(await app.item(DIDS.alice).locator("[data-testid=retry]").count(), 1);
  assert.equal(await app.tid("offline-callout").count(), 1);
  await app.close();
});

test("a key missing locally is not blamed on the server", async () => {
  const lost = account({ active: true, status: "needs_sign_in", status_reason: "key_missing" });
  const app = await openApp(scenario({ accounts: [{ ...alice, active: true }], responses: { refresh_account: { value: lost } } }));
  await app.tid("refresh-button").click();
  const toast = app.tid("toast").last();
  await toast.waitFor();
  assert.match(await text(toast), /missing from the system keychain/);
  assert.doesNotMatch(await text(toast), /server no longer accepts/);
  await app.close();
});

test("the offline state is announced once, in one live region", async () => {
  const offline = account({ active: true, status: "offline", last_refresh_result: "network" });
  const app = await openApp(scenario({ accounts: [offline] }));
  const { page } = app;
  await app.tid("banner-offline").waitFor();
  assert.equal(await text(app.tid("live-status")), "Can't reach morel.us-east.host.bsky.network. Your sessions are kept.");
  // Nothing else about being offline is a live region (banner, row, callout).
  const liveOffline = await page.evaluate(() =>
    [...document.querySelectorAll("[role=status], [role=alert], [aria-live]")]
      .filter((e) => e.id !== "toasts" && /reach|offline/i.test(e.textContent ?? "")).length,
  );
  assert.equal(liveOffline, 1);
  // Redraws (another status event) don't say it again.
  const before = await page.evaluate(() => {
    window.__liveChanges = 0;
    new MutationObserver(() => window.__liveChanges++).observe(document.querySelector("[data-testid=live-status]"), { childList: true, characterData: true, subtree: true });
  });
  void before;
  await app.emit("accounts://refresh", { did: offline.did, ok: false, error_code: "network", expires_at: null });
  await app.emit("accounts://status", { did: offline.did, status: "offline" });
  await page.waitForTimeout(50);
  assert.equal(await page.evaluate(() => window.__liveChanges), 0);
  await app.close();
});
