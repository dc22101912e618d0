// No import cycles in src/: walks the import graph of src/**/*.ts and fails on any cycle, so that
// one like the old ui/actions.ts <-> ui/login.ts cannot come back. No browser needed.
//
// Every import counts, `import type` too: a type-only cycle is harmless at run time but still ties
// two modules together. The scan reads import/export declarations from the source text; esbuild's
// own view of the run-time graph is checked against it, so an import the scan misses fails the test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const UI_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SRC = path.join(UI_ROOT, "src");

/** "src/ui/login/flow.ts": the key used for a file everywhere below. */
const rel = (abs) => path.relative(UI_ROOT, abs).split(path.sep).join("/");

async function sourceFiles(dir = SRC) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

// Static declarations start a line (`import … from "x"`, `import type …`, `export … from "x"`,
// `import "x"`), possibly spanning lines up to `from`; dynamic `import("x")` can be anywhere.
const FROM = /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"\n]+)\1/gm;
const BARE = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;
const DYNAMIC = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

function specifiers(source) {
  const out = new Set();
  for (const re of [FROM, BARE, DYNAMIC]) for (const m of source.matchAll(re)) out.add(m[2]);
  return [...out];
}

/** The .ts file a relative specifier names (bundler resolution: no extension, or a folder's index.ts). */
function resolve(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, path.join(base, "index.ts")];
  if (base.endsWith(".js")) candidates.unshift(`${base.slice(0, -3)}.ts`);
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c)) ?? null;
}

/** file -> the src files it imports. Packages (@tauri-apps/…) are leaves and left out. */
async function importGraph() {
  const graph = new Map();
  const unresolved = [];
  for (const file of await sourceFiles()) {
    const deps = new Set();
    for (const spec of specifiers(await readFile(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = resolve(file, spec);
      if (target) deps.add(rel(target));
      else unresolved.push(`${rel(file)}: "${spec}"`);
    }
    graph.set(rel(file), [...deps].sort());
  }
  return { graph, unresolved };
}

/**
 * One cycle per group of modules that import each other (strongly connected components, Tarjan),
 * as a shortest cycle through the group's first member: ["a", "b", "a"].
 */
function findCycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const sccs = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), idx.get(w)));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = scc.length === 1 && (graph.get(v) ?? []).includes(v);
      if (scc.length > 1 || selfLoop) sccs.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return sccs.map((scc) => shortestCycle(graph, scc));
}

/** Shortest path from scc[0] back to itself inside the component (BFS). */
function shortestCycle(graph, scc) {
  const members = new Set(scc);
  const start = scc[0];
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [];
        for (let x = v; x !== start; x = prev.get(x)) path.unshift(x);
        return [start, ...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...scc, scc[0]];
}

test("the cycle finder finds cycles (and nothing else)", () => {
  const g = (o) => new Map(Object.entries(o));
  assert.deepEqual(findCycles(g({ a: ["b", "c"], b: ["d"], c: ["d"], d: [] })), []);
  assert.deepEqual(findCycles(g({ a: ["b"], b: ["a"] })), [["a", "b", "a"]]);
  assert.deepEqual(findCycles(g({ a: ["a"] })), [["a", "a"]]);
  assert.deepEqual(findCycles(g({ m: ["a"], a: ["b"], b: ["c"], c: ["a"], x: ["y"], y: ["x"] })), [
    ["a", "b", "c", "a"],
    ["x", "y", "x"],
  ]);
});

test("the scan reads every kind of import", () => {
  const src = [
    '// import { nope } from "./commented"',
    'import { a, type B } from "./a";',
    'import type {',
    "  C,",
    "  D,",
    '} from "../c";',
    'import * as e from "./e";',
    'import "./side-effect";',
    'export { f } from "./f";',
    'export * from "./g";',
    'export type { H } from "./h";',
    'const lazy = () => import("./lazy");',
    'const s = "import { x } from \'./in-a-string\'";',
  ].join("\n");
  assert.deepEqual(specifiers(src).sort(), ["../c", "./a", "./e", "./f", "./g", "./h", "./lazy", "./side-effect"]);
});

test("no import cycles in src/", async () => {
  const { graph, unresolved } = await importGraph();
  assert.ok(graph.size > 10, `found only ${graph.size} source files under src/`);
  assert.deepEqual(unresolved, [], "relative imports that don't name a file under src/");

  // esbuild's run-time graph (type-only imports are gone from it) must be part of the scanned one.
  const result = await esbuild.build({
    absWorkingDir: UI_ROOT,
    entryPoints: [...graph.keys()],
    bundle: true,
    write: false,
    metafile: true,
    outdir: "out",
    format: "esm",
    platform: "browser",
    packages: "external",
    logLevel: "silent",
  });
  const missed = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (!graph.has(file)) continue;
    for (const imp of input.imports) {
      if (imp.external || !graph.has(imp.path)) continue;
      if (!graph.get(file).includes(imp.path)) missed.push(`${file} -> ${imp.path}`);
    }
  }
  assert.deepEqual(missed, [], "imports esbuild follows that the scan did not see");

  const cycles = findCycles(graph);
  assert.deepEqual(
    cycles.map((c) => c.join(" -> ")),
    [],
    "import cycles in src/ (break them with a module both sides import, or by passing callbacks)",
  );
});
