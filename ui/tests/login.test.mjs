// Add account: identify -> browser -> completing -> done, and cancelled / expired / error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { DIDS, NOW, account, alice, bob, loginStarted } from "./fixtures.mjs";

useBrowser();

const NEW_DID = "did:plc:zed6vq2kx4mt7yw3hn5rb8pc";
const zed = account({ did: NEW_DID, handle: "zed.bsky.social", display_name: "Zed", active: true });
const list = (accounts) => ({ value: { accounts, keychain: "available", network_profile: "production", clock_skew_secs: null } });
const preview = { did: NEW_DID, handle: "zed.bsky.social", pds_host: "morel.us-east.host.bsky.network", server: "bsky.social" };

async function toWaiting(app, started = loginStarted()) {
  await app.set("start_login", { value: started });
  await app.tid("add-account").click();
  await app.tid("identifier-input").fill("zed.bsky.social");
  await app.tid("preview-server").waitFor(); // debounced preview
  assert.equal(await text(app.tid("continue-button")), "Continue in browser");
  await app.tid("continue-button").click();
  await app.tid("login-waiting").waitFor();
}

test("happy path: preview, browser, completing, then 'Signed in as'", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview }, reopen_login: { value: null } } }));
  await toWaiting(app);
  const pv = await app.calls("preview_login");
  assert.deepEqual(pv.at(-1).args, { identifier: "zed.bsky.social" });
  assert.deepEqual((await app.calls("start_login"))[0].args, { identifier: "zed.bsky.social", scope: null });

  const waiting = app.tid("login-waiting");
  assert.match(await text(waiting), /Continue in your browser/);
  assert.equal(await text(app.tid("login-server")), "bsky.social");
  assert.equal(await text(app.tid("login-countdown")), "This sign-in link expires in 10:00.");
  assert.equal(await app.tid("login-url").inputValue(), loginStarted().authorization_url);

  await app.tid("reopen-login").click();
  assert.deepEqual((await app.waitForCalls("reopen_login"))[0].args, { state: "st-8f2a1c" });
  await app.tid("copy-login-link").click();
  assert.deepEqual((await app.waitForCalls("copy_text"))[0].args, { text: loginStarted().authorization_url });

  // The browser came back: the code is being exchanged.
  await app.emit("accounts://login-progress", { type: "login_progress", state: "st-8f2a1c" });
  await app.tid("login-completing").waitFor();
  // The login finishes in Rust; the list reload is held so the "completing" state is observable.
  await app.set("list_accounts", { defer: true });
  // The shell sends the core event as is: internally tagged, so an extra "type" field comes along.
  await app.emit("accounts://login", { type: "login_finished", state: "st-8f2a1c", did: NEW_DID, error_code: null, message: null });
  await app.tid("login-completing").waitFor();
  assert.match(await text(app.tid("login-completing")), /Confirming your account with bsky\.social/);
  await app.waitForPending("list_accounts");
  await app.resolve("list_accounts", list([{ ...alice, active: false }, zed]).value);

  await app.tid("login-dialog").waitFor({ state: "detached" });
  const toast = app.page.locator("[data-testid=toast]").last();
  assert.equal(await text(toast.locator("[data-testid=toast-message]")), "Signed in as @zed.bsky.social");
  assert.match(await text(toast), /now the active account/);
  assert.equal(await app.row(NEW_DID).getAttribute("data-active"), "true");
  assert.equal(await app.tid("details-panel").getAttribute("data-did"), NEW_DID);
  await app.close();
});

test("Continue resolves the server first, so it is shown before leaving the app", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview, delay: 150 }, start_login: { value: loginStarted() } } }));
  await app.tid("add-account").click();
  await app.tid("identifier-input").fill("zed.bsky.social");
  await app.tid("identifier-input").press("Enter"); // before the debounce fires
  await app.tid("preview-server").waitFor();
  assert.equal((await app.calls("start_login")).length, 0, "nothing leaves the app before the server is shown");
  assert.equal(await text(app.tid("preview-server")), "bsky.social");
  assert.match(await text(app.tid("login-preview")), /@zed\.bsky\.social · account hosted on morel\.us-east\.host\.bsky\.network/);
  await app.tid("continue-button").click();
  await app.tid("login-waiting").waitFor();
  assert.equal((await app.calls("start_login")).length, 1);
  await app.close();
});

test("empty identifier and rejected identifiers show a field error", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { preview_login: { error: { code: "invalid_input", message: "not a handle" } } },
  }));
  await app.tid("add-account").click();
  await app.tid("continue-button").click();
  assert.equal(await text(app.tid("identifier-error")), "Enter a handle, DID or server address.");
  assert.equal(await app.tid("identifier-input").getAttribute("aria-invalid"), "true");
  await app.tid("identifier-input").fill("not a handle!!");
  await app.page.waitForSelector("[data-testid=login-preview][data-state=error]");
  assert.match(await text(app.tid("login-preview")), /isn't a handle, DID or server address/);
  assert.equal(await text(app.tid("continue-button")), "Continue");
  await app.close();
});

test("Sign in again for a known account says 'Updated @handle'", async () => {
  const app = await openApp(scenario({
    accounts: [alice, bob],
    responses: { start_login: { value: loginStarted({ expected_did: DIDS.alice, intent: "reauth" }) } },
  }));
  await app.tid("sign-in-again-button").click();
  await app.tid("login-waiting").waitFor();
  assert.deepEqual((await app.calls("start_login"))[0].args, { identifier: DIDS.alice, scope: null });
  assert.match(await text(app.tid("login-expected")), /Sign in as @alice\.bsky\.social/);
  await app.emit("accounts://login", { state: "st-8f2a1c", did: DIDS.alice, error_code: null, message: null });
  await app.tid("login-dialog").waitFor({ state: "detached" });
  assert.equal(await text(app.page.locator("[data-testid=toast-message]").last()), "Updated @alice.bsky.social");
  await app.close();
});

test("denied in the browser: a neutral 'cancelled' message", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview } } }));
  await toWaiting(app);
  await app.emit("accounts://login", { state: "st-8f2a1c", did: null, error_code: "cancelled", message: "access_denied" });
  const box = app.tid("login-cancelled");
  await box.waitFor();
  assert.equal(await text(app.tid("login-headline")), "Sign-in cancelled");
  assert.equal(await box.getAttribute("role"), "status", "not an alert");
  assert.equal(await box.locator("[data-testid=error-details]").count(), 0);
  await app.tid("login-retry").click();
  await app.tid("identifier-input").waitFor();
  assert.equal(await app.tid("identifier-input").inputValue(), "zed.bsky.social");
  await app.close();
});

test("Cancel while waiting cancels the login and closes", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview }, cancel_login: { value: null } } }));
  await toWaiting(app);
  await app.tid("cancel-login").click();
  assert.deepEqual((await app.waitForCalls("cancel_login"))[0].args, { state: "st-8f2a1c" });
  await app.tid("login-dialog").waitFor({ state: "detached" });
  assert.equal(await text(app.page.locator("[data-testid=toast-message]").last()), "Sign-in cancelled");
  assert.equal(await app.page.locator("[data-testid=toast]").last().getAttribute("data-kind"), "info");
  await app.close();
});

test("a callback for an expired login: 'That sign-in link expired; start again'", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview } } }));
  await toWaiting(app);
  await app.emit("accounts://login", { state: "st-8f2a1c", did: null, error_code: "login_expired", message: null });
  await app.tid("login-expired").waitFor();
  assert.equal(await text(app.tid("login-headline")), "That sign-in link expired; start again");
  await app.close();
});

test("the waiting screen times out by itself at expires_at", async () => {
  const app = await openApp(
    scenario({ accounts: [alice], responses: { preview_login: { value: preview }, cancel_login: { value: null }, start_login: { value: loginStarted({ expires_at: NOW + 90 }) } } }),
    { clock: "manual" },
  );
  await app.tid("add-account").click();
  await app.tid("identifier-input").fill("zed.bsky.social");
  await app.page.clock.runFor(500); // debounce
  await app.tid("preview-server").waitFor();
  await app.tid("continue-button").click();
  await app.tid("login-waiting").waitFor();
  assert.equal(await text(app.tid("login-countdown")), "This sign-in link expires in 1:30.");
  await app.page.clock.runFor(45_000);
  assert.equal(await text(app.tid("login-countdown")), "This sign-in link expires in 0:45.");
  assert.match(await app.tid("login-countdown").getAttribute("class"), /is-urgent/);
  await app.page.clock.runFor(46_000);
  await app.tid("login-expired").waitFor();
  assert.deepEqual((await app.waitForCalls("cancel_login"))[0].args, { state: "st-8f2a1c" });
  await app.close();
});

test("an error shows a plain headline, the next step, and the server's text as text", async () => {
  const app = await openApp(scenario({ accounts: [alice], responses: { preview_login: { value: preview } } }));
  await toWaiting(app);
  const evil = '<img src=x onerror="window.__pwned=1"><b id="injected">boom</b><script>window.__pwned=2</script>';
  await app.emit("accounts://login", { state: "st-8f2a1c", did: null, error_code: "server_error", message: evil });
  const box = app.tid("login-error");
  await box.waitFor();
  assert.equal(await box.getAttribute("role"), "alert");
  assert.equal(await text(app.tid("login-headline")), "The server reported an error");
  assert.match(await text(app.tid("login-next-step")), /Try again in a moment/);
  await box.locator("[data-testid=error-details] summary").click();
  assert.equal(await text(app.tid("error-code")), "server_error");
  assert.equal(await app.tid("error-message").textContent(), evil, "shown verbatim as text");
  assert.equal(await app.page.locator("#injected").count(), 0, "no element created from the message");
  assert.equal(await box.locator("img, b, script").count(), 0);
  assert.equal(await app.page.evaluate(() => window.__pwned), undefined);
  await app.close();
});

test("start_login failing for a known account shows the error screen", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { start_login: { error: { code: "network", message: "dns error: failed to lookup address" } } },
  }));
  await app.tid("sign-in-again-button").click();
  await app.tid("login-error").waitFor();
  assert.equal(await text(app.tid("login-headline")), "Skyport couldn't reach the server");
  await app.close();
});
