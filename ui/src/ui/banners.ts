// Banners above everything: keychain, offline, clock skew, development profile.
import { h, icon, type Child, type IconName } from "../lib/dom";
import { setState, type AppState } from "../lib/store";
import { refreshNow } from "./actions";
import { button } from "./components";
import { reloadAccounts } from "./load";

function banner(
  testid: string,
  tone: "info" | "warning" | "danger" | "neutral",
  iconName: IconName,
  title: Child,
  body: Child,
  action: Child = null,
  state?: string,
  live = true,
): HTMLElement {
  return h(
    "div",
    { class: ["banner", `banner-${tone}`], testid, dataset: { state }, role: !live ? undefined : tone === "danger" ? "alert" : "status" },
    h("span", { class: "banner-icon" }, icon(iconName)),
    h("p", { class: "banner-text" }, h("strong", { class: "banner-title" }, title), body ? h("span", { class: "banner-body" }, " ", body) : null),
    action ? h("div", { class: "banner-action" }, action) : null,
  );
}

export function skewText(secs: number): string {
  const mins = Math.max(1, Math.round(Math.abs(secs) / 60));
  if (mins >= 120) return `${Math.round(mins / 60)} hours`;
  return mins === 1 ? "1 minute" : `${mins} minutes`;
}

export function renderBanners(s: AppState): Child {
  const out: HTMLElement[] = [];
  if (s.phase === "ready" || s.phase === "error") {
    if (s.keychain === "locked") {
      out.push(
        banner(
          "banner-keychain",
          "warning",
          "lock",
          "Your system keychain is locked — unlock it to use your accounts",
          "Your accounts stay listed. Signing in, refreshing and skyport api wait until the keychain is unlocked.",
          button("Retry", { testid: "banner-keychain-retry", small: true, icon: "refresh", onClick: () => void reloadAccounts() }),
          "locked",
        ),
      );
    } else if (s.keychain === "unavailable") {
      out.push(
        banner(
          "banner-keychain",
          "danger",
          "lock",
          "No system keychain is available",
          "Skyport keeps sign-in keys only in your system keychain and never falls back to plain files. On Linux that needs a Secret Service provider, such as GNOME Keyring or KWallet, running in your session. Start or install one, then retry.",
          button("Retry", { testid: "banner-keychain-retry", small: true, icon: "refresh", onClick: () => void reloadAccounts() }),
          "unavailable",
        ),
      );
    }
  }

  const offline = s.accounts.filter((a) => a.status === "offline");
  const offlineTitle = offlineHeadline(s);
  if (offlineTitle !== null) {
    // Not a live region itself: announceOffline() says it once, however often this is redrawn.
    out.push(
      banner(
        "banner-offline",
        "neutral",
        "offline",
        offlineTitle,
        s.accounts.length > 0
          ? "Your sessions are kept. Skyport will refresh them when the connection is back."
          : "Adding an account needs a connection.",
        offline.length > 0
          ? button("Retry", {
              testid: "banner-offline-retry",
              small: true,
              icon: "refresh",
              onClick: () => offline.forEach((a) => void refreshNow(a.did)),
            })
          : null,
        undefined,
        false,
      ),
    );
  }

  if (s.clockSkewSecs !== null && Math.abs(s.clockSkewSecs) > 60) {
    out.push(
      banner(
        "banner-clock",
        "warning",
        "clock",
        `Your computer's clock is off by ${skewText(s.clockSkewSecs)}; sign-in may fail`,
        "Servers reject sign-ins and tokens when the time is wrong. Turn on automatic date and time in your system settings.",
      ),
    );
  }

  if (s.networkProfile === "development" && !s.devBannerDismissed) {
    out.push(
      banner(
        "banner-dev",
        "info",
        "flask",
        "Development network profile: plain http to loopback allowed",
        "For testing against local servers. Don't use it for real accounts.",
        h(
          "button",
          {
            type: "button",
            class: "icon-btn banner-dismiss",
            testid: "banner-dev-dismiss",
            "aria-label": "Dismiss the development profile notice",
            title: "Dismiss",
            on: { click: () => dismissDevBanner() },
          },
          icon("x"),
        ),
      ),
    );
  }
  return out;
}

const DEV_DISMISSED_KEY = "skyport.devBannerDismissed";

/** Whether the development banner was dismissed earlier in this session (survives a reload). */
export function devBannerDismissedBefore(): boolean {
  try {
    return sessionStorage.getItem(DEV_DISMISSED_KEY) === "1";
  } catch {
    return false;
  }
}

function dismissDevBanner(): void {
  try {
    sessionStorage.setItem(DEV_DISMISSED_KEY, "1");
  } catch {
    /* remembered in memory only */
  }
  setState({ devBannerDismissed: true });
  document.querySelector<HTMLElement>("[data-testid=account-row][data-active=true], [data-testid=add-account]")?.focus();
}

/** The offline banner's title, or null when everything can be reached. */
export function offlineHeadline(s: AppState): string | null {
  if (!s.online) return "You're offline";
  const hosts = [...new Set(s.accounts.filter((a) => a.status === "offline").map((a) => a.pds_host))];
  return hosts.length > 0 ? `Can't reach ${hosts.join(", ")}` : null;
}

let announced: string | null = null;

/**
 * Says the offline state once in the app's one status region (`live-status`), when it
 * starts or changes — not on every redraw, and not once per banner, row and callout.
 */
export function announceOffline(s: AppState, region: HTMLElement): void {
  const text = offlineHeadline(s);
  if (text === announced) return;
  announced = text;
  if (text !== null) region.textContent = s.accounts.length > 0 ? `${text}. Your sessions are kept.` : `${text}.`;
}
