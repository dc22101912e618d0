// App settings kept by the shell: for now, starting Skyport when the user logs in.
import { h, uid } from "../lib/dom";
import * as ipc from "../lib/ipc/commands";
import { toAppError } from "../lib/ipc/errors";
import { getState, setState, type AppState } from "../lib/store";
import { showError } from "./toast";

/** Reads get_settings into the store; a shell without settings leaves the checkbox out. */
export async function loadSettings(): Promise<void> {
  try {
    setState({ settings: await ipc.settings() });
  } catch {
    /* no settings: nothing to show */
  }
}

async function setAutostart(enabled: boolean): Promise<void> {
  const before = getState().settings;
  if (!before) return;
  setState({ settings: { ...before, autostart: enabled } });
  try {
    await ipc.setAutostart(enabled);
  } catch (e) {
    setState({ settings: before });
    showError(toAppError(e), enabled ? "Couldn't turn on starting at login" : "Couldn't turn off starting at login");
  }
}

/** "Start Skyport when you log in", or nothing until the settings are known. */
export function autostartToggle(s: AppState): HTMLElement | null {
  if (!s.settings) return null;
  const id = uid("autostart");
  return h(
    "label",
    { class: "check autostart", for: id },
    h("input", {
      id,
      type: "checkbox",
      testid: "autostart-toggle",
      dataset: { key: "autostart" },
      checked: s.settings.autostart,
      on: { change: (ev) => void setAutostart((ev.currentTarget as HTMLInputElement).checked) },
    }),
    h("span", null, "Start Skyport when you log in"),
  );
}
