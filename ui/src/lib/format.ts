// Formatting helpers: DIDs, names, durations, times.
import type { AccountSummary } from "./ipc/types";

export function nowSecs(): number {
  return Date.now() / 1000;
}

/** "did:plc:abcd…wxyz" — keeps the method, the first and last four characters of the id (did:web stays whole). */
export function shortDid(did: string): string {
  const second = did.indexOf(":", 4);
  if (!did.startsWith("did:") || second < 0) return did.length > 24 ? `${did.slice(0, 12)}…${did.slice(-6)}` : did;
  // did:web is a domain name: shortening it would hide what identifies it.
  if (did.startsWith("did:web:")) return did;
  const prefix = did.slice(0, second + 1);
  const rest = did.slice(second + 1);
  if (rest.length <= 12) return did;
  return `${prefix}${rest.slice(0, 4)}…${rest.slice(-4)}`;
}

/** "@alice.bsky.social", or the short DID when the handle is unknown. */
export function accountLabel(a: Pick<AccountSummary, "handle" | "did">): string {
  return a.handle ? `@${a.handle}` : shortDid(a.did);
}

/** Display name, else handle, else short DID. */
export function accountTitle(a: Pick<AccountSummary, "handle" | "did" | "display_name">): string {
  const name = a.display_name?.trim();
  if (name) return name;
  return a.handle ?? shortDid(a.did);
}

export function initials(a: Pick<AccountSummary, "handle" | "did" | "display_name">): string {
  const name = a.display_name?.trim();
  if (name) {
    const words = name.split(/\s+/u).filter(Boolean);
    const letters = words.slice(0, 2).map((w) => Array.from(w)[0] ?? "");
    return letters.join("").toUpperCase();
  }
  if (a.handle) return (Array.from(a.handle)[0] ?? "?").toUpperCase();
  return "?";
}

/** A stable 0..7 colour slot for the initials avatar. */
export function colorSlot(did: string): number {
  let x = 0;
  for (let i = 0; i < did.length; i++) x = (x * 31 + did.charCodeAt(i)) >>> 0;
  return x % 8;
}

/** "45 s", "42 min", "1 h 5 min", "3 days" (minutes are rounded). */
export function duration(secs: number): string {
  const s = Math.max(0, Math.floor(Math.abs(secs)));
  if (s < 60) return `${s} s`;
  const totalMin = Math.round(s / 60);
  if (totalMin < 60) return `${totalMin} min`;
  if (totalMin < 48 * 60) {
    const hours = Math.floor(totalMin / 60);
    const mins = totalMin % 60;
    return mins ? `${hours} h ${mins} min` : `${hours} h`;
  }
  return `${Math.floor(s / 86400)} days`;
}

/** "expires in 42 min" / "expired 3 min ago". */
export function expiresPhrase(expiresAt: number, now = nowSecs()): string {
  const d = expiresAt - now;
  return d > 0 ? `expires in ${duration(d)}` : `expired ${duration(-d)} ago`;
}

/** "in 13 days" / "3 min ago". */
export function relative(at: number, now = nowSecs()): string {
  const d = at - now;
  if (Math.abs(d) < 5) return "just now";
  return d > 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

/** "9:05" */
export function minutesSeconds(secs: number): string {
  const s = Math.max(0, Math.ceil(secs));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function clockTime(epochSecs: number): string {
  return timeFmt.format(new Date(epochSecs * 1000));
}

const timeSecsFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayTimeFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** "11:42:05" today, "25 Nov, 11:42:05" on another day: a short timestamp for activity lists. */
export function callTime(epochSecs: number, now = nowSecs()): string {
  const at = new Date(epochSecs * 1000);
  return at.toDateString() === new Date(now * 1000).toDateString() ? timeSecsFmt.format(at) : dayTimeFmt.format(at);
}

export function dateTime(epochSecs: number): string {
  return dateTimeFmt.format(new Date(epochSecs * 1000));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
