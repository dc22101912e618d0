// Many accounts: compact rows, search, keyboard switching and reordering, the active row in
// view, and the layout at 640x480, 1024x720 and 1600x1000.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, scenario, screenshot, text, useBrowser } from "./helpers.mjs";
import { allStatuses, manyAccounts } from "./fixtures.mjs";

useBrowser();

const many = manyAccounts();
const dids = many.map((a) => a.did);
const rowSel = "[data-testid=account-item]:not([hidden]) [data-testid=account-row]";

/** Rows whose whole box is inside the list's visible area. */
async function fullyVisibleRows(page) {
  return page.evaluate(() => {
    const scroller = document.querySelector(".list-scroll").getBoundingClientRect();
    return [...document.querySelectorAll("[data-testid=account-row]")].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.height > 0 && b.top >= scroller.top - 0.5 && b.bottom <= scroller.bottom + 0.5 && b.bottom <= window.innerHeight;
    }).map((r) => r.dataset.did);
  });
}

test("25 accounts at 1024x720: compact rows, at least 9 fully visible, the active one in view", async () => {
  // Every account has an avatar: each one that arrives redraws the list, right after the first
  // list is drawn, and the active row must stay in view through those redraws.
  const withAvatars = many.map((a) => ({ ...a, has_avatar: true }));
  const app = await openApp(scenario({ accounts: withAvatars }), { viewport: { width: 1024, height: 720 } });
  const { page } = app;
  await page.waitForSelector("[data-testid=account-row]");
  const heights = await page.locator("[data-testid=account-row]").evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().height));
  assert.ok(Math.max(...heights) <= 56, `rows are compact (tallest ${Math.max(...heights)} px)`);
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=account-row] img").length === 25);
  const visible = await fullyVisibleRows(page);
  assert.ok(visible.length >= 9, `at least 9 rows fully visible (saw ${visible.length})`);
  assert.ok(visible.includes(dids[20]), "the active account (21st) is scrolled into view on load");
  await screenshot(page, "many-1024x720-light");
  await app.close();
});

test("the search box appears from 6 accounts on, filters by name, handle and DID, and Escape clears it", async () => {
  const five = await openApp(scenario({ accounts: allStatuses().slice(0, 5) }));
  await five.page.waitForSelector("[data-testid=account-row]");
  assert.equal(await five.tid("account-search").count(), 0, "no search with 5 accounts");
  await five.close();

  const app = await openApp(scenario({ accounts: many }), { viewport: { width: 1024, height: 720 } });
  const { page } = app;
  const search = app.tid("account-search");
  await search.waitFor();
  assert.equal(await search.getAttribute("type"), "search");
  assert.equal(await page.locator(rowSel).count(), 25);

  await search.fill("priya"); // display name / handle
  assert.deepEqual(await page.locator(rowSel).evaluateAll((rs) => rs.map((r) => r.dataset.did)), [dids[15]]);
  await search.fill("Rossi"); // display name only
  assert.deepEqual(await page.locator(rowSel).evaluateAll((rs) => rs.map((r) => r.dataset.did)), [dids[6]]);
  await search.fill(dids[9].slice(8, 20)); // part of a DID
  assert.deepEqual(await page.locator(rowSel).evaluateAll((rs) => rs.map((r) => r.dataset.did)), [dids[9]]);
  await search.fill("nobody-here");
  assert.equal(await page.locator(rowSel).count(), 0);
  assert.equal(await app.tid("search-empty").isVisible(), true);
  assert.match(await text(app.tid("search-empty")), /No account matches “nobody-here”/);

  // A re-render (an event) keeps the filter and the focus in the box.
  await search.fill("bsky");
  await search.press("End");
  await app.emit("accounts://status", { did: dids[3], status: "refreshing" });
  await page.waitForSelector(`[data-testid=account-row][data-did="${dids[3]}"][data-status=refreshing]`);
  assert.equal(await search.inputValue(), "bsky");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "account-search");

  await search.fill("ma"); // Maya, Bob Martin, Omar, Tess Moreau …
  const n = await page.locator(rowSel).count();
  assert.ok(n > 1 && n < 25);
  await search.press("Escape");
  assert.equal(await search.inputValue(), "");
  assert.equal(await page.locator(rowSel).count(), 25);
  await app.close();
});

test("keyboard: arrows move between rows (skipping filtered ones), Enter switches", async () => {
  const app = await openApp(scenario({
    accounts: many,
    responses: { switch_account: { value: { ...many[2], active: true } } },
  }), { viewport: { width: 1024, height: 720 } });
  const { page, row } = app;
  await row(dids[0]).focus();
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), dids[1]);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), dids[2]);
  await page.keyboard.press("End");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), dids[24]);
  assert.ok((await fullyVisibleRows(page)).includes(dids[24]), "the focused row is scrolled into view");
  await page.keyboard.press("Home");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), dids[0]);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const calls = await app.waitForCalls("switch_account");
  assert.deepEqual(calls[0].args, { did: dids[2] });
  await page.waitForSelector(`[data-testid=account-row][data-did="${dids[2]}"][data-active=true]`);
  assert.ok((await fullyVisibleRows(page)).includes(dids[2]), "the new active row is in view");

  // With a filter, ArrowDown from the box goes to the first match and arrows skip hidden rows.
  await app.tid("account-search").fill("o"); // many names, not all
  const shown = await page.locator(rowSel).evaluateAll((rs) => rs.map((r) => r.dataset.did));
  await app.tid("account-search").press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), shown[0]);
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), shown[1]);
  await app.close();
});

test("Alt+Down / Alt+Up reorder: the list moves at once and reorder_accounts gets the full order", async () => {
  const app = await openApp(scenario({ accounts: many, responses: { reorder_accounts: { defer: true } } }), { viewport: { width: 1024, height: 720 } });
  const { page, row } = app;
  await row(dids[1]).focus();
  await page.keyboard.press("Alt+ArrowDown");
  const expected = [dids[0], dids[2], dids[1], ...dids.slice(3)];
  const calls = await app.waitForCalls("reorder_accounts");
  assert.deepEqual(calls[0].args, { order: expected });
  assert.deepEqual(await page.locator("[data-testid=account-row]").evaluateAll((rs) => rs.map((r) => r.dataset.did)), expected, "moved before the answer");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.did), dids[1], "focus stays on the moved row");
  assert.match(await text(app.tid("live-status")), /Moved @bob\.bsky\.social to position 3 of 25/);
  const byDid = new Map(many.map((a) => [a.did, a]));
  await app.resolve("reorder_accounts", { accounts: expected.map((d) => byDid.get(d)), keychain: "available", network_profile: "production", clock_skew_secs: null });

  await page.keyboard.press("Alt+ArrowUp");
  await page.keyboard.press("Alt+ArrowUp");
  const calls2 = await app.waitForCalls("reorder_accounts", 3);
  assert.deepEqual(calls2[2].args, { order: [dids[1], dids[0], ...dids.slice(2)] });
  // The shell refuses the last one: the list goes back to the order before it, with an error.
  await app.reject("reorder_accounts", { code: "storage", message: "disk full" });
  await app.reject("reorder_accounts", { code: "storage", message: "disk full" });
  await app.tid("toast").filter({ hasText: "Couldn't change the order" }).first().waitFor();
  await app.close();
});

test("drag and drop moves an account", async () => {
  const app = await openApp(scenario({ accounts: many, responses: { reorder_accounts: { defer: true } } }), { viewport: { width: 1024, height: 720 } });
  const { page, item } = app;
  await item(dids[0]).dragTo(item(dids[3]), { targetPosition: { x: 20, y: 40 } });
  const calls = await app.waitForCalls("reorder_accounts");
  assert.deepEqual(calls[0].args.order.slice(0, 5), [dids[1], dids[2], dids[3], dids[0], dids[4]]);
  await page.waitForFunction(() => true);
  await app.close();
});

test("wide window (1600x1000): two panes, the details use the width", async () => {
  const app = await openApp(scenario({ accounts: many }), { viewport: { width: 1600, height: 1000 } });
  const { page } = app;
  await app.tid("session-panel").waitFor();
  const box = await page.evaluate(() => {
    const r = (sel) => document.querySelector(sel).getBoundingClientRect();
    return { sidebar: r(".sidebar"), panel: r("[data-testid=details-panel]"), session: r("[data-testid=session-panel]") };
  });
  assert.ok(box.sidebar.width >= 340 && box.sidebar.width <= 420, `sidebar ${box.sidebar.width}`);
  assert.ok(box.panel.right >= 1600 - 60, `details reach the right edge (right ${box.panel.right})`);
  assert.ok(box.session.width >= 1000, `session facts use the width (${box.session.width})`);
  // The session facts sit in two columns.
  const cols = await page.locator("[data-testid=session-panel] .kv > dt").evaluateAll((dts) => new Set(dts.map((d) => Math.round(d.getBoundingClientRect().left))).size);
  assert.equal(cols, 2);
  assert.ok((await fullyVisibleRows(page)).length >= 12, "a dozen rows or more");
  await screenshot(page, "many-1600x1000-light");
  await app.close();
});

test("nothing breaks at the 640x480 minimum with 25 accounts", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const app = await openApp(scenario({ accounts: many }), { viewport: { width: 640, height: 480 }, colorScheme });
    const { page } = app;
    await page.waitForSelector("[data-testid=account-row]");
    assert.ok((await fullyVisibleRows(page)).length >= 4, `rows at 640x480: ${(await fullyVisibleRows(page)).length}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no horizontal overflow");
    // Names are not squeezed to nothing.
    const nameWidth = await page.locator("[data-testid=row-name]").first().evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(nameWidth >= 90, `row names have room (${nameWidth})`);
    assert.equal(await app.tid("account-search").isVisible(), true);
    await screenshot(page, `many-640x480-${colorScheme}`);
    await app.close();
  }
});
