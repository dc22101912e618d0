// Revoke: a confirm dialog naming the app, then a toast. The key stops working at once.
import { h, uid } from "../../lib/dom";
import * as ipc from "../../lib/ipc/commands";
import { toAppError, type AppError } from "../../lib/ipc/errors";
import type { ConnectedApp } from "../../lib/ipc/types";
import { button, errorCallout } from "../components";
import { dialogHeader, openDialog } from "../dialog";
import { toast } from "../toast";
import { focusConnectButton } from "./connect";
import { loadApps } from "./load";

export function confirmRevoke(app: ConnectedApp, returnFocus?: HTMLElement | null): void {
  const titleId = uid("revoke-title");
  let busy = false;
  const d = openDialog({
    testid: "revoke-dialog",
    labelledBy: titleId,
    size: "small",
    returnFocus,
    onRequestClose: () => !busy,
  });

  const render = (error: AppError | null): void =>
    d.setContent(
      dialogHeader(titleId, `Revoke ${app.name}?`),
      h(
        "div",
        { class: "dialog-body" },
        h(
          "p",
          null,
          "Its key stops working at once: the next request it makes through the agent is refused, and its sessions end.",
        ),
        h("p", { class: "muted" }, "Programs using this key need a new one. Your account and its other apps are not affected."),
        error ? errorCallout(error, null, "revoke-error", true) : null,
      ),
      h(
        "footer",
        { class: "dialog-footer" },
        button("Cancel", { testid: "cancel-revoke", autofocus: true, onClick: () => d.requestClose() }),
        button("Revoke", { testid: "confirm-revoke", variant: "danger", icon: "x", busy, busyLabel: "Revoking…", onClick: () => void run() }),
      ),
    );

  const run = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    render(null);
    try {
      await ipc.revokeApp(app.name);
      busy = false;
      d.close();
      focusConnectButton();
      await loadApps(app.did, { force: true });
      toast(`Revoked ${app.name}`, { detail: "Its next request through the agent is refused." });
    } catch (e) {
      busy = false;
      const err = toAppError(e);
      if (err.is("unknown_app")) void loadApps(app.did, { force: true });
      render(err);
    }
  };

  render(null);
}
