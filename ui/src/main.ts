// Entry point: builds the shell, wires events to the store, renders regions when their inputs change.
import { h, icon, rerender } from "./lib/dom";
import * as ipc from "./lib/ipc/commands";
import {
  onAccountRefresh, onAccountStatus, onAccountsChanged, onAppearance, onKeychain, onLoginFinished, onLoginProgress,
  onNoticeSignIn, onTrayAddAccount,
} from "./lib/ipc/events";
import type { ColorScheme } from "./lib/ipc/types";
import { nowSecs } from "./lib/format";
import { findAccount, getState, patchAccount, selectedAccount, setState, watch } from "./lib/store";
import { afterSidebarRender, renderSidebar } from "./ui/accountList";
import { announceOffline, devBannerDismissedBefore, renderBanners } from "./ui/banners";
import { renderDetails } from "./ui/details";
import { reloadAccounts } from "./ui/load";
import { handleLoginEvent, handleLoginProgress, openAddAccount, startSignInAgain } from "./ui/login";
import { loadSettings } from "./ui/settings";

interface Shell {
  banners: HTMLElement;
  sidebar: HTMLElement;
  details: HTMLElement;
  layout: HTMLElement;
  /** The one polite status region for app-level states (offline). */
  live: HTMLElement;
}

function shell(): Shell {
  const app = document.getElementById("app") ?? document.body.appendChild(h("div", { id: "app" }));
  const banners = h("div", { class: "banners", testid: "banners" });
  const sidebar = h("nav", { class: "sidebar", "aria-label": "Accounts" });
  const details = h("section", { class: "details-pane", "aria-label": "Account details" });
  const layout = h("main", { class: "layout" }, sidebar, details);
  const live = h("div", { class: "sr-only", role: "status", testid: "live-status" });
  app.replaceChildren(
    h(
      "header",
      { class: "topbar" },
      h("span", { class: "logo", "aria-hidden": "true" }, icon("shield")),
      h("h1", { class: "brand" }, "Skyport"),
      h("span", { class: "tagline" }, "atproto accounts on this computer"),
    ),
    banners,
    layout,
    live,
  );
  if (!document.getElementById("overlay-root")) document.body.appendChild(h("div", { id: "overlay-root" }));
  return { banners, sidebar, details, layout, live };
}

/** Follows the desktop's preference when it states one; otherwise the webview's prefers-color-scheme. */
function applyColorScheme(scheme: ColorScheme): void {
  const root = document.documentElement;
  if (scheme === "dark" || scheme === "light") root.dataset["theme"] = scheme;
  else delete root.dataset["theme"];
}

/** A notification's "Sign in" action: the sign-in for that account, once the list knows it. */
async function signInFromNotice(did: string): Promise<void> {
  let a = findAccount(did);
  if (!a) {
    await reloadAccounts();
    a = findAccount(did);
  }
  if (!a) return;
  setState({ selectedDid: did });
  startSignInAgain(a);
}

/** An appearance://changed arrived: it is newer than what app_info may still answer. */
let appearanceSeen = false;

async function listenAll(): Promise<void> {
  await Promise.allSettled([
    onAccountsChanged(() => void reloadAccounts()),
    onAccountStatus((p) => patchAccount(p.did, { status: p.status })),
    onAccountRefresh((p) => {
      const a = findAccount(p.did);
      if (!a) return;
      patchAccount(p.did, {
        expires_at: p.expires_at ?? a.expires_at,
        last_refresh_at: Math.floor(nowSecs()),
        last_refresh_result: p.ok ? "ok" : (p.error_code ?? "internal"),
      });
    }),
    onLoginFinished(handleLoginEvent),
    onLoginProgress(handleLoginProgress),
    onAppearance((p) => {
      appearanceSeen = true;
      setState({ colorScheme: p.color_scheme });
    }),
    onTrayAddAccount(() => openAddAccount()),
    onNoticeSignIn((p) => void signInFromNotice(p.did)),
    onKeychain((p) => {
      const was = getState().keychain;
      setState({ keychain: p.state });
      if (p.state === "available" && was !== "available") void reloadAccounts();
    }),
  ]);
}

async function start(): Promise<void> {
  const r = shell();
  if (devBannerDismissedBefore()) setState({ devBannerDismissed: true });

  watch(
    (s) => [s.phase, s.keychain, s.networkProfile, s.clockSkewSecs, s.online, s.accounts, s.devBannerDismissed],
    (s) => {
      rerender(r.banners, () => renderBanners(s));
      announceOffline(s, r.live);
    },
  );
  watch((s) => [s.colorScheme], (s) => applyColorScheme(s.colorScheme));
  watch(
    (s) => [s.phase, s.loadError, s.accounts, s.pendingSwitch, s.selectedDid, s.refreshing, s.signingOut, s.avatars, s.appInfo, s.settings],
    (s) => {
      r.layout.classList.toggle("is-empty", s.phase !== "ready" || s.accounts.length === 0);
      rerender(r.sidebar, () => renderSidebar(s));
      afterSidebarRender(s);
    },
  );
  watch(
    (s) => {
      const a = selectedAccount(s);
      return [
        s.phase, a, a && s.details.get(a.did), a && s.refreshing.has(a.did), a && s.signingOut.has(a.did), s.pendingSwitch, s.tab,
        a && s.avatars.get(a.did), s.agent, a && s.apps.get(a.did),
      ];
    },
    (s) => rerender(r.details, () => renderDetails(s)),
  );

  window.addEventListener("online", () => setState({ online: true }));
  window.addEventListener("offline", () => setState({ online: false }));

  // Start-up marks on the page's timeline, read by the benchmark suite (.ci/bench).
  performance.mark("skyport:script");
  await listenAll();
  performance.mark("skyport:listening");
  ipc.appInfo().then(
    (info) => setState(appearanceSeen ? { appInfo: info } : { appInfo: info, colorScheme: info.color_scheme ?? "no_preference" }),
    () => undefined,
  );
  void loadSettings();
  await reloadAccounts();
  performance.mark("skyport:listed");
  // Tells end-to-end tests that event listeners are registered and the first list is on screen.
  document.documentElement.dataset["ready"] = "true";
}

void start();
