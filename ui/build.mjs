// Bundles src/main.ts -> dist/app.js and copies the static files next to it.
// Usage: node build.mjs [--dev] [--watch]
import * as esbuild from "esbuild";
import { watch as watchFile } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, "dist");
const watch = process.argv.includes("--watch");
const dev = watch || process.argv.includes("--dev");
const STATIC = ["index.html", "styles.css"];

async function copyStatic() {
  await mkdir(dist, { recursive: true });
  for (const f of STATIC) await copyFile(path.join(root, f), path.join(dist, f));
}

/** @type {import("esbuild").BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: ["src/main.ts"],
  outfile: "dist/app.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  // WebKitGTK 2.4x on Linux, WebView2 on Windows, WKWebView on macOS.
  target: ["es2022", "chrome110", "safari16"],
  minify: !dev,
  sourcemap: dev ? "linked" : false,
  legalComments: "none",
  charset: "utf8",
  logLevel: "info",
  plugins: [{ name: "static", setup(b) { b.onEnd(async (r) => { if (r.errors.length === 0) await copyStatic(); }); } }],
};

await rm(dist, { recursive: true, force: true });
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  for (const f of STATIC) watchFile(path.join(root, f), () => void copyStatic().catch((e) => console.error(e)));
  console.log("watching src/, index.html and styles.css");
} else {
  await esbuild.build(options);
}
