// Tiny typed DOM helpers. Text always goes in as text nodes; there is no innerHTML anywhere.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

type EventMap = HTMLElementEventMap;
export type Listeners = { [K in keyof EventMap]?: (ev: EventMap[K]) => void };

export interface Attrs {
  class?: string | readonly (string | false | null | undefined)[];
  /** Sets data-testid. */
  testid?: string;
  dataset?: Record<string, string | number | boolean | null | undefined>;
  on?: Listeners;
  /** Assigned as properties (form state), not attributes. */
  value?: string;
  checked?: boolean;
  /** Never allowed: the CSP forbids inline styles. */
  style?: never;
  [attr: string]: unknown;
}

function className(c: Attrs["class"]): string {
  if (typeof c === "string") return c;
  return (c ?? []).filter((x): x is string => typeof x === "string" && x.length > 0).join(" ");
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c as readonly Child[]);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      switch (key) {
        case "class": {
          const cls = className(v as Attrs["class"]);
          if (cls) el.className = cls;
          break;
        }
        case "testid":
          el.setAttribute("data-testid", String(v));
          break;
        case "dataset":
          for (const [dk, dv] of Object.entries(v as NonNullable<Attrs["dataset"]>)) {
            if (dv !== undefined && dv !== null) el.dataset[dk] = String(dv);
          }
          break;
        case "on":
          for (const [ev, fn] of Object.entries(v as Listeners)) {
            if (fn) el.addEventListener(ev, fn as EventListener);
          }
          break;
        case "value":
          (el as unknown as HTMLInputElement).value = String(v);
          break;
        case "checked":
          (el as unknown as HTMLInputElement).checked = Boolean(v);
          break;
        case "style":
          throw new Error("inline styles are not allowed (CSP)");
        default:
          if (key.startsWith("on")) throw new Error(`use the 'on' map for ${key}`);
          el.setAttribute(key, v === true ? "" : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

/** Replaces all children of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Visually hidden text for screen readers. */
export function srOnly(text: string): HTMLSpanElement {
  return h("span", { class: "sr-only" }, text);
}

// ---- icons (stroke paths on a 24x24 grid) ----

const ICONS = {
  check: "M5 12.5l4.5 4.5L19 7.5",
  plus: "M12 5v14M5 12h14",
  x: "M6 6l12 12M18 6L6 18",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  refresh: "M20 12a8 8 0 1 1-2.34-5.66M20 4v5h-5",
  alert: "M12 3.5l9.5 16.5h-19zM12 10v4.5M12 17.5v.01",
  lock: "M6 11h12v9.5H6zM8.5 11V7.5a3.5 3.5 0 0 1 7 0V11",
  offline: "M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 13a10 10 0 0 1 4-2.4M19 13a10 10 0 0 0-2-1.6M2 9.5a15 15 0 0 1 4.2-2.7M22 9.5A15 15 0 0 0 11 5.1M12 20h.01",
  clock: "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM12 7.5V12l3 2.5",
  info: "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM12 11v5.5M12 7.75v.01",
  logout: "M10 20H5V4h5M15.5 16.5L20 12l-4.5-4.5M20 12H9.5",
  shield: "M12 3l7.5 3v5.5c0 4.6-3.2 8.2-7.5 9.5-4.3-1.3-7.5-4.9-7.5-9.5V6z",
  external: "M14 4h6v6M20 4l-8.5 8.5M18 14v6H4V6h6",
  user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4.5 20.5a7.5 7.5 0 0 1 15 0",
  browser: "M3 5h18v14H3zM3 9h18M6 7h.01M8.5 7h.01",
  chevron: "M9.5 6l6 6-6 6",
  flask: "M9.5 3h5M10 3v6L4.5 19.5h15L14 9V3M7.5 14h9",
  search: "M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 1 0 0-13zM15.5 15.5L20 20",
  key: "M7.5 11.5a4 4 0 1 0 0 8 4 4 0 1 0 0-8zM10.3 12.7L20 3M16.5 6.5l2.5 2.5M14 9l2 2",
} as const;

export type IconName = keyof typeof ICONS;
const SVG_NS = "http://www.w3.org/2000/svg";

export function icon(name: IconName, cls = ""): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon ${cls}`.trim());
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.appendChild(path);
  return svg;
}

export function spinner(label?: string): HTMLSpanElement {
  return h("span", { class: "spinner", role: label ? "img" : undefined, "aria-label": label, "aria-hidden": label ? undefined : "true" });
}

let idCounter = 0;
/** A unique id for aria-labelledby / label[for]. */
export function uid(prefix = "id"): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// ---- regions: re-render a container while keeping focus where it was ----

/** Scroll positions of re-rendered regions, kept from `scroll` events. */
const scrolled = new WeakMap<HTMLElement, number>();

/**
 * Re-renders `container` with the result of `render()`. Focus is restored to the element
 * carrying the same `data-key` as the one focused before, and scroll position is kept.
 *
 * A region never scrolled is not measured: reading `scrollTop` forces a synchronous layout
 * of the whole page, and WebKitGTK's first layouts are slow (three re-rendered regions cost
 * about 0.8 s at start-up; see BENCHMARKS.md, desktop app). Once its `scroll` events say it
 * has been scrolled, `scrollTop` is read: the last event may be older than a scroll made by
 * code (`scrollTop = 0`, `scrollIntoView`) whose event has not arrived yet.
 */
export function rerender(container: HTMLElement, render: () => Child): void {
  if (!scrolled.has(container)) {
    scrolled.set(container, 0);
    container.addEventListener("scroll", () => scrolled.set(container, container.scrollTop), { passive: true });
  }
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset["key"] : undefined;
  const caret = active instanceof HTMLInputElement && key !== undefined ? [active.selectionStart, active.selectionEnd] : null;
  const scroll = (scrolled.get(container) ?? 0) > 0 ? container.scrollTop : 0;
  container.replaceChildren();
  append(container, [render()]);
  if (scroll > 0) container.scrollTop = scroll;
  if (key !== undefined) {
    const again = container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
    const [from, to] = caret ?? [null, null];
    if (again instanceof HTMLInputElement && typeof from === "number" && typeof to === "number") {
      try {
        again.setSelectionRange(from, to);
      } catch {
        /* not a text input */
      }
    }
  }
}
