// Permissions (scopes): plain-words groups, warnings, requested vs granted, request more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, text, useBrowser } from "./helpers.mjs";
import { DIDS, alice, bob, loginStarted, scopeView } from "./fixtures.mjs";

useBrowser();

test("granted scopes in plain words, warnings, missing highlighted, raw on expand", async () => {
  const app = await openApp(scenario({ accounts: [alice, bob] }));
  await app.tid("scopes-tab").click();
  assert.equal(await app.tid("scopes-tab").getAttribute("aria-selected"), "true");
  await app.tid("scope-warnings").waitFor();
  assert.deepEqual((await app.calls("account_scopes"))[0].args, { did: DIDS.alice });

  assert.match(await text(app.tid("scope-warnings")), /full access to your account \(except direct messages\)/);
  const groups = await app.page.locator("[data-testid=scope-group]").evaluateAll((els) => els.map((e) => e.dataset.group));
  assert.deepEqual(groups, ["Your identity", "Posts", "Whole account"]);

  const danger = app.page.locator('[data-testid=scope-item][data-raw="transition:generic"]');
  assert.equal(await danger.getAttribute("data-level"), "danger");
  assert.match(await danger.getAttribute("class"), /level-danger/);
  assert.match(await text(danger), /Full access to your account/);
  const warning = app.page.locator('[data-testid=scope-item][data-raw="repo:app.bsky.feed.post?action=create"]');
  assert.match(await warning.getAttribute("class"), /level-warning/);
  const unknown = app.page.locator('[data-testid=scope-item][data-raw="rpc:app.example.mystery?aud=*"]');
  assert.match(await text(unknown), /Not recognised/);

  // Raw strings are behind a disclosure.
  const raw = danger.locator("[data-testid=scope-raw]");
  assert.equal(await raw.isVisible(), false);
  await danger.locator("summary").click();
  assert.equal(await raw.isVisible(), true);
  assert.equal(await text(raw), "transition:generic");

  // Requested vs granted, side by side, with the missing one highlighted.
  assert.equal(await app.page.locator("[data-testid=scope-requested] li").count(), 5);
  assert.equal(await app.page.locator("[data-testid=scope-granted] li").count(), 4);
  const missing = app.page.locator("[data-testid=scope-missing]");
  assert.equal(await missing.count(), 1);
  assert.match(await text(missing), /transition:chat\.bsky\s*Not granted/);
  assert.match(await text(app.tid("scope-missing-note")), /1 not granted/);
  await app.close();
});

test("Request more access re-runs sign-in with granted plus the chosen scopes", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { start_login: { value: loginStarted({ expected_did: DIDS.alice, intent: "reauth" }) } },
  }));
  await app.tid("scopes-tab").click();
  await app.tid("request-more").waitFor();
  const submit = app.tid("request-more-button");
  await app.page.waitForSelector("[data-testid=scope-option]");
  assert.deepEqual(await app.page.locator("[data-testid=scope-option]").evaluateAll((els) => els.map((e) => e.value)), ["transition:chat.bsky", "blob:*/*"]);
  assert.equal(await submit.isDisabled(), true, "nothing chosen yet");
  await app.page.locator('[data-testid=scope-option][value="blob:*/*"]').check();
  assert.equal(await submit.isDisabled(), false);
  await submit.click();
  const [call] = await app.waitForCalls("start_login");
  assert.deepEqual(call.args, {
    identifier: DIDS.alice,
    scope: "atproto transition:generic repo:app.bsky.feed.post?action=create rpc:app.example.mystery?aud=* blob:*/*",
  });
  await app.tid("login-waiting").waitFor();
  assert.match(await text(app.tid("login-waiting")), /asking for more access/);
  await app.close();
});

test("checkbox choices survive a status update re-render", async () => {
  const app = await openApp(scenario({ accounts: [alice] }));
  await app.tid("scopes-tab").click();
  await app.page.locator('[data-testid=scope-option][value="transition:chat.bsky"]').check();
  await app.emit("accounts://status", { did: DIDS.alice, status: "refreshing" });
  await app.page.waitForSelector("[data-testid=details-panel] [data-status=refreshing]");
  assert.equal(await app.page.locator('[data-testid=scope-option][value="transition:chat.bsky"]').isChecked(), true);
  assert.equal((await app.calls("account_scopes")).length, 1, "not reloaded on a status change");
  await app.close();
});

test("a scopes load failure shows the error with Try again", async () => {
  const app = await openApp(scenario({
    accounts: [alice],
    responses: { account_scopes: [{ error: { code: "storage", message: "disk I/O error" } }, { value: (await import("./fixtures.mjs")).scopeView() }] },
  }));
  await app.tid("scopes-tab").click();
  await app.tid("scopes-error").waitFor();
  await app.tid("scopes-retry").click();
  await app.tid("scope-compare").waitFor();
  await app.close();
});

test("Request more access offers permissions in plain words, grouped, with the raw strings under an expander", async () => {
  const app = await openApp(scenario({ accounts: [alice] }));
  await app.tid("scopes-tab").click();
  const more = app.tid("request-more");
  await more.locator("[data-testid=scope-option]").first().waitFor();
  assert.deepEqual(
    await more.locator("[data-testid=request-group]").evaluateAll((gs) => gs.map((g) => g.dataset.group)),
    ["Direct messages", "Media"],
  );
  const dm = more.locator('[data-testid=request-group][data-group="Direct messages"]');
  assert.equal(await text(dm.locator("[data-testid=scope-option-title]")), "Your direct messages");
  assert.equal(await text(dm.locator("[data-testid=scope-option-detail]")), "Read and send Bluesky chat messages.");
  // The raw strings are not the labels: they sit folded under "Exact permission strings".
  assert.doesNotMatch((await more.locator("label").allTextContents()).join(" "), /transition:chat\.bsky|blob:\*\/\*/);
  const raw = more.locator("[data-testid=request-raw]");
  assert.equal(await raw.evaluate((d) => d.open), false);
  assert.deepEqual(await raw.locator("[data-testid=request-raw-scope]").allTextContents(), ["transition:chat.bsky", "blob:*/*"]);
  // Clicking the plain-words label ticks the box for the raw scope.
  await dm.locator("[data-testid=scope-option-title]").click();
  assert.equal(await more.locator('[data-testid=scope-option][value="transition:chat.bsky"]').isChecked(), true);
  await app.close();
});

test("Request more access from a shell without available_items still works (raw strings, 'Other')", async () => {
  const app = await openApp(scenario({ accounts: [alice] }));
  await app.set("account_scopes", { value: { ...scopeView(), available_items: undefined } });
  await app.tid("scopes-tab").click();
  const more = app.tid("request-more");
  await more.locator("[data-testid=scope-option]").first().waitFor();
  assert.deepEqual(await more.locator("[data-testid=request-group]").evaluateAll((gs) => gs.map((g) => g.dataset.group)), ["Other"]);
  assert.deepEqual(await more.locator("[data-testid=scope-option-title]").allTextContents(), ["transition:chat.bsky", "blob:*/*"]);
  await app.close();
});

test("a permission set: 'Not checked' from the store, then its title once read; more access keeps the set by name", async () => {
  const include = "include:app.bsky.authPosting?aud=did:web:api.bsky.app%23bsky_appview";
  const expansion = ["repo?collection=app.bsky.feed.post&action=create", "rpc:app.bsky.actor.getProfile?aud=did:web:api.bsky.app%23bsky_appview"];
  const base = {
    did: DIDS.alice,
    granted: ["atproto", ...expansion],
    requested: ["atproto", include],
    missing: [],
    available: ["repo:app.bsky.feed.repost"],
    available_items: [{ raw: "repo:app.bsky.feed.repost", title: "Create, update, delete records of type app.bsky.feed.repost", detail: "In your repository.", group: "Records", level: "info", known: true }],
    warnings: [],
  };
  const records = { title: "Records", items: [{ raw: expansion[0], title: "Create records of type app.bsky.feed.post", detail: "In your repository.", group: "Records", level: "info", known: true }] };
  const stored = { ...base, groups: [records], unchecked: [include], from_sets: [] };
  const checked = {
    ...base,
    groups: [{ title: "Permission sets", items: [{ raw: include, title: "Write posts", detail: "Create posts. (Permission set app.bsky.authPosting.)", group: "Permission sets", level: "info", known: true }] }, records],
    unchecked: [],
    from_sets: expansion,
  };
  const app = await openApp(scenario({
    accounts: [alice],
    responses: {
      account_scopes: { value: stored },
      account_scopes_checked: { value: checked },
      start_login: { value: loginStarted({ expected_did: DIDS.alice, intent: "reauth" }) },
    },
  }));
  await app.tid("scopes-tab").click();
  await app.page.locator('[data-testid=scope-group][data-group="Permission sets"]').waitFor();
  const set = app.page.locator('[data-testid=scope-item][data-raw="' + include + '"]');
  assert.match(await text(set), /Write posts/);
  assert.equal(await app.tid("scope-unchecked-note").count(), 0, "checked: no note");
  assert.equal(await app.page.locator("[data-testid=scope-from-set]").count(), 2, "the expansion is not 'Extra'");
  assert.deepEqual((await app.calls("account_scopes_checked"))[0].args, { did: DIDS.alice });

  await app.page.locator('[data-testid=scope-option][value="repo:app.bsky.feed.repost"]').check();
  await app.tid("request-more-button").click();
  const [call] = await app.waitForCalls("start_login");
  assert.equal(call.args.scope, `atproto ${include} repo:app.bsky.feed.repost`, "the set by name, not its expansion");
  await app.close();
});

test("a permission set that could not be read is marked 'Not checked', never 'Not granted'", async () => {
  const include = "include:app.bsky.authPosting";
  const v = {
    did: DIDS.alice,
    groups: [],
    granted: ["atproto", "repo:app.bsky.feed.post"],
    requested: ["atproto", include],
    missing: [],
    available: [],
    available_items: [],
    unchecked: [include],
    from_sets: [],
    warnings: [],
  };
  const app = await openApp(scenario({ accounts: [alice], responses: { account_scopes: { value: v }, account_scopes_checked: { error: { code: "offline", message: "offline" } } } }));
  await app.tid("scopes-tab").click();
  await app.tid("scope-unchecked-note").waitFor();
  await app.waitForCalls("account_scopes_checked");
  assert.match(await text(app.tid("scope-unchecked-note")), /could not read one permission set/);
  assert.match(await text(app.tid("scope-unchecked")), /Not checked/);
  assert.equal(await app.page.locator("[data-testid=scope-missing]").count(), 0);
  assert.equal(await app.tid("scope-compare").locator("text=granted everything").count(), 0, "no claim either way");
  await app.close();
});
