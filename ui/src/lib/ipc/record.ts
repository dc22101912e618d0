// An opt-in record of every IPC payload the UI receives (command results and events), for the
// end-to-end test that checks no secret ever reaches the webview. Off unless the page was
// loaded with "#record-ipc" in its URL (the test navigates there); kept in memory only, never
// sent anywhere.

declare global {
  interface Window {
    __skyportIpcLog?: string[];
  }
}

function on(): boolean {
  return typeof location !== "undefined" && location.hash === "#record-ipc";
}

/** Records a payload if recording is on. */
export function recordIpc(kind: "result" | "error" | "event", name: string, payload: unknown): void {
  if (!on()) return;
  const log = (window.__skyportIpcLog ??= []);
  log.push(`${kind} ${name} ${JSON.stringify(payload)}`);
}
