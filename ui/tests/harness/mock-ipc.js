// Loaded as a module before app.js in tests. Mocks the Tauri IPC with @tauri-apps/api/mocks
// and exposes window.__mock so tests can inspect calls, change answers, resolve deferred
// calls and emit events. The scenario comes from window.__SCENARIO__ (set by an init script).
//
// A response spec is one of:
//   { value }                      resolve with a copy of value
//   { error: { code, message } }   reject
//   { defer: true }                stay pending until __mock.resolve/reject(cmd, ...)
//   { byArg: "did", cases: { [argValue]: spec }, default: spec }
//   [spec, spec, ...]              one per call; the last one repeats
// and may add { delay: ms }.
import { mockIPC } from "/__test__/mocks.js";

const scenario = window.__SCENARIO__ ?? { responses: {} };
const responses = new Map(Object.entries(scenario.responses ?? {}));
const calls = [];
const pending = [];

function pick(cmd, args) {
  let spec = responses.get(cmd);
  if (Array.isArray(spec)) {
    spec = spec.length > 1 ? spec.shift() : spec[0];
  }
  while (spec && spec.byArg) spec = spec.cases?.[args?.[spec.byArg]] ?? spec.default;
  return spec;
}

mockIPC(
  async (cmd, args) => {
    calls.push({ cmd, args: JSON.parse(JSON.stringify(args ?? {})), at: calls.length });
    const spec = pick(cmd, args);
    if (!spec) throw { code: "internal", message: `unmocked command ${cmd}` };
    if (spec.delay) await new Promise((r) => setTimeout(r, spec.delay));
    if (spec.defer) return new Promise((resolve, reject) => pending.push({ cmd, args, resolve, reject }));
    if (spec.error) throw structuredClone(spec.error);
    return structuredClone(spec.value ?? null);
  },
  { shouldMockEvents: true },
);

function takePending(cmd) {
  const i = pending.findIndex((p) => p.cmd === cmd);
  if (i < 0) throw new Error(`no pending ${cmd} call`);
  return pending.splice(i, 1)[0];
}

window.__mock = {
  calls,
  callsOf: (cmd) => calls.filter((c) => c.cmd === cmd),
  set: (cmd, spec) => responses.set(cmd, spec),
  pendingCount: (cmd) => pending.filter((p) => p.cmd === cmd).length,
  resolve: (cmd, value) => takePending(cmd).resolve(structuredClone(value ?? null)),
  reject: (cmd, error) => takePending(cmd).reject(structuredClone(error)),
  emit: (event, payload) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event, payload }),
};
