// Banners: keychain locked / unavailable, offline, clock skew, development profile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { alice, bob, frank } from "./fixtures.mjs";

useBrowser();

test("no banners when all is well", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob], skew: 12 }));
  await app.row(alice.did).waitFor();
  assert.equal(await app.page.locator("[data-testid^=banner-]").count(), 0);
  await app.close();
});

test("keychain locked: banner with Retry that re-lists", async () => {
  const app = await openApp(scenario({ accounts: [alice], keychain: "locked" }));
  const b = app.tid("banner-keychain");
  await b.waitFor();
  assert.equal(await b.getAttribute("data-state"), "locked");
  assert.match(await text(b), /Your system keychain is locked — unlock it to use your accounts/);
  const n = (await app.calls("list_accounts")).length;
  await app.tid("banner-keychain-retry").click();
  await app.waitForCalls("list_accounts", n + 1);
  await app.close();
});

test("keychain unavailable: explains the Linux Secret Service requirement", async () => {
  const app = await openApp(scenario({ accounts: [], keychain: "unavailable" }));
  const b = app.tid("banner-keychain");
  await b.waitFor();
  assert.equal(await b.getAttribute("data-state"), "unavailable");
  assert.match(await text(b), /No system keychain is available/);
  assert.match(await text(b), /Secret Service/);
  assert.match(await text(b), /never falls back to plain files/);
  await app.close();
});

test("offline: an unreachable account, and the browser going offline", async () => {
  const app = await openApp(scenario({ accounts: [alice, frank], responses: { refresh_account: { value: { ...frank, status: "ready" } } } }));
  const b = app.tid("banner-offline");
  await b.waitFor();
  assert.match(await text(b), /Can't reach morel\.us-east\.host\.bsky\.network/);
  await app.tid("banner-offline-retry").click();
  const [call] = await app.waitForCalls("refresh_account");
  assert.deepEqual(call.args, { did: frank.did });
  await b.waitFor({ state: "detached" });

  await app.context.setOffline(true);
  await b.waitFor();
  assert.match(await text(b), /You're offline/);
  await app.context.setOffline(false);
  await b.waitFor({ state: "detached" });
  await app.close();
});

test("clock skew over a minute warns in minutes", async () => {
  const app = await openApp(scenario({ accounts: [alice], skew: -300 }));
  const b = app.tid("banner-clock");
  await b.waitFor();
  assert.match(await text(b), /Your computer's clock is off by 5 minutes; sign-in may fail/);
  await app.close();
  const ok = await openApp(scenario({ accounts: [alice], skew: 60 }));
  await ok.row(alice.did).waitFor();
  assert.equal(await ok.tid("banner-clock").count(), 0, "exactly 60 s is tolerated");
  await ok.close();
});

test("development network profile notice", async () => {
  const app = await openApp(scenario({ accounts: [alice], profile: "development" }));
  const b = app.tid("banner-dev");
  await b.waitFor();
  assert.match(await text(b), /Development network profile: plain http to loopback allowed/);
  await app.close();
});
