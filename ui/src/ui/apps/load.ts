// Reading connected apps, their recent calls and the agent's state into the store. Never a key:
// the key exists only in the connect dialog (connect.ts) until it closes.
import * as ipc from "../../lib/ipc/commands";
import { toAppError } from "../../lib/ipc/errors";
import type { AgentView } from "../../lib/ipc/types";
import { getState, setState } from "../../lib/store";

const inFlight = new Set<string>();
const seqs = new Map<string, number>();

/**
 * Re-reads one account's apps and activity, and the agent's state. A load already under way is
 * reused unless `force` (after a change, whose result an earlier load may not include).
 */
export async function loadApps(did: string, { force = false } = {}): Promise<void> {
  if (!force && inFlight.has(did)) return;
  const seq = (seqs.get(did) ?? 0) + 1;
  seqs.set(did, seq);
  inFlight.add(did);
  const agent = loadAgent();
  try {
    const [apps, activity] = await Promise.all([ipc.listApps(did), ipc.appActivity(did)]);
    if (seqs.get(did) !== seq) return;
    setState((s) => ({ apps: new Map(s.apps).set(did, { apps, activity, error: null }) }));
  } catch (e) {
    if (seqs.get(did) !== seq) return;
    const error = toAppError(e);
    setState((s) => {
      const before = s.apps.get(did);
      return { apps: new Map(s.apps).set(did, { apps: before?.apps ?? null, activity: before?.activity ?? [], error }) };
    });
  } finally {
    if (seqs.get(did) === seq) inFlight.delete(did);
    await agent;
  }
}

/** Asks the shell whether the agent is on (the shell also tries to start it if nothing serves). */
export async function loadAgent(): Promise<void> {
  let agent: AgentView;
  try {
    agent = await ipc.agentStatus();
  } catch (e) {
    const err = toAppError(e);
    agent = { on: false, address: getState().agent?.address ?? null, served_by: null, error: err.detail || err.rawCode, counters: null };
  }
  setState({ agent });
}
