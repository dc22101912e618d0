// The login dialog's public entry points: open it, and feed it the shell's login events.
export {
  handleLoginEvent,
  handleLoginProgress,
  openAddAccount,
  ownLoginState,
  promptSignInAgain,
  startSignInAgain,
  type AddAccountOptions,
} from "./flow";
