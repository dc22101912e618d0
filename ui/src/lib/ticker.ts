// One shared timer that keeps every live countdown on screen up to date.
import { nowSecs } from "./format";

type Tick = (now: number) => void;
interface Sub { el: Element; fn: Tick }

const subs = new Set<Sub>();
let timer: ReturnType<typeof setInterval> | null = null;

function tickAll(): void {
  const now = nowSecs();
  for (const s of subs) {
    if (!s.el.isConnected) subs.delete(s);
    else s.fn(now);
  }
  if (subs.size === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

/**
 * Calls `fn` now and then every second while `el` is in the document.
 * Call it right after creating `el`, in the same task that inserts it.
 */
export function live<E extends Element>(el: E, fn: (el: E, now: number) => void): E {
  const tick = (now: number): void => fn(el, now);
  tick(nowSecs());
  subs.add({ el, fn: tick });
  timer ??= setInterval(tickAll, 1000);
  return el;
}
