// The Connected apps tab and what it opens.
export { appsPanel } from "./panel";
export { loadAgent, loadApps } from "./load";
