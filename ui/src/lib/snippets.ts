// Ready-to-paste code for a new connected app: the agent as the service URL, the key as the
// app password. Plain strings; they are shown with textContent only.

export interface Snippet {
  id: "python" | "javascript";
  /** "Python (atproto)". */
  label: string;
  code: string;
}

/** A Python string literal. */
function py(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A JavaScript string literal in single quotes. */
function js(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Snippets for the Python `atproto` SDK and `@atproto/api`. `identifier` is the handle (or DID). */
export function snippets(agentUrl: string, identifier: string, key: string): Snippet[] {
  return [
    {
      id: "python",
      label: "Python (atproto)",
      code: [
        "from atproto import Client",
        `client = Client(base_url=${py(agentUrl)})`,
        `client.login(${py(identifier)}, ${py(key)})`,
      ].join("\n"),
    },
    {
      id: "javascript",
      label: "JavaScript (@atproto/api)",
      code: [
        "import { AtpAgent } from '@atproto/api'",
        `const agent = new AtpAgent({ service: ${js(agentUrl)} })`,
        `await agent.login({ identifier: ${js(identifier)}, password: ${js(key)} })`,
      ].join("\n"),
    },
  ];
}
