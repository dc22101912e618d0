// Test data shaped exactly like the IPC contract.
import { deflateSync } from "node:zlib";

/** 2026-11-27 12:00:00 UTC, in epoch seconds. Every page runs with this as "now". */
export const NOW = Date.UTC(2026, 10, 27, 12, 0, 0) / 1000;
export const MIN = 60;
export const DAY = 86400;

export const DIDS = {
  alice: "did:plc:abcd2345efgh6789ijklwxyz",
  bob: "did:plc:bobb7q2mzk4v3xj5tq6rn2pe",
  carol: "did:plc:carl5n4hfu2w7kq3zyx6vbmd",
  dave: "did:plc:dave3kq7pz2vnw5ux4ht6ysm",
  erin: "did:web:erin.example.org",
  frank: "did:plc:frnk6xw2qh4nm7vz3kp5tyud",
  gina: "did:plc:gina4tw6yx3qm2zv7kn5hpbc",
};

export function account(overrides = {}) {
  return {
    did: DIDS.alice,
    handle: "alice.bsky.social",
    display_name: "Alice Example",
    has_avatar: false,
    pds_url: "https://morel.us-east.host.bsky.network",
    pds_host: "morel.us-east.host.bsky.network",
    issuer: "https://bsky.social",
    active: false,
    status: "ready",
    status_reason: null,
    expires_at: NOW + 42 * MIN,
    session_started_at: NOW - 3 * DAY,
    session_ends_at: NOW + 11 * DAY,
    session_ending_soon: false,
    last_refresh_at: NOW - 18 * MIN,
    last_refresh_result: "ok",
    granted_scope: "atproto transition:generic",
    requested_scope: "atproto transition:generic",
    dpop_thumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    ...overrides,
  };
}

export const alice = account({ active: true, has_avatar: true });
export const bob = account({
  did: DIDS.bob, handle: "bob.example.com", display_name: "Bob Martin",
  pds_url: "https://pds.example.com", pds_host: "pds.example.com", issuer: "https://pds.example.com",
  status: "expiring", expires_at: NOW + 3 * MIN,
});
export const carol = account({ did: DIDS.carol, handle: "carol.bsky.social", display_name: "Carol Nguyen", status: "refreshing" });
export const dave = account({
  did: DIDS.dave, handle: "dave.bsky.social", display_name: "Dave", status: "needs_sign_in",
  status_reason: "invalid_grant", expires_at: NOW - 2 * DAY, last_refresh_result: "needs_sign_in",
});
export const erin = account({
  did: DIDS.erin, handle: "erin.example.org", display_name: null,
  pds_url: "https://pds.erin.example.org", pds_host: "pds.erin.example.org", issuer: "https://pds.erin.example.org",
  status: "keychain_locked",
});
export const frank = account({
  did: DIDS.frank, handle: "frank.bsky.social", display_name: "Frank Osei", status: "offline",
  last_refresh_result: "network",
});

export const allStatuses = () => [alice, bob, carol, dave, erin, frank];

export function details(a) {
  return {
    ...a,
    storage: "system keychain (secret-service)",
    client_id: "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=atproto%20transition%3Ageneric",
    added_at: NOW - 30 * DAY,
  };
}

export function scopeView(did = DIDS.alice) {
  return {
    did,
    groups: [
      {
        title: "Your identity",
        items: [
          { raw: "atproto", title: "Know who you are", detail: "See your DID and handle.", group: "Your identity", level: "info", known: true },
        ],
      },
      {
        title: "Posts",
        items: [
          { raw: "repo:app.bsky.feed.post?action=create", title: "Create posts", detail: "Publish new posts in your name.", group: "Posts", level: "warning", known: true },
          { raw: "rpc:app.example.mystery?aud=*", title: "", detail: "", group: "Posts", level: "info", known: false },
        ],
      },
      {
        title: "Whole account",
        items: [
          { raw: "transition:generic", title: "Full access to your account", detail: "Everything an app password allows: post, follow, delete and change settings — except direct messages.", group: "Whole account", level: "danger", known: true },
        ],
      },
    ],
    granted: ["atproto", "transition:generic", "repo:app.bsky.feed.post?action=create", "rpc:app.example.mystery?aud=*"],
    requested: ["atproto", "transition:generic", "repo:app.bsky.feed.post?action=create", "rpc:app.example.mystery?aud=*", "transition:chat.bsky"],
    missing: ["transition:chat.bsky"],
    available: ["transition:chat.bsky", "blob:*/*"],
    available_items: [
      { raw: "transition:chat.bsky", title: "Your direct messages", detail: "Read and send Bluesky chat messages.", group: "Direct messages", level: "danger", known: true },
      { raw: "blob:*/*", title: "Upload files", detail: "Upload images, video and other files to your account.", group: "Media", level: "warning", known: true },
    ],
    warnings: ["This app has full access to your account (except direct messages), the same as an app password."],
  };
}

export function loginStarted(overrides = {}) {
  return {
    state: "st-8f2a1c",
    authorization_url: "https://bsky.social/oauth/authorize?client_id=http%3A%2F%2Flocalhost&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Areq-7c1",
    server: "bsky.social",
    expected_did: null,
    expected_handle: null,
    intent: "add",
    expires_at: NOW + 600,
    ...overrides,
  };
}

// ---- the agent and connected apps ----

export const AGENT_URL = "http://127.0.0.1:5783";
/** A key's shape (skp_ + 43 base64url characters); never a real one. */
export const KEY = "skp_T3stK3yT3stK3yT3stK3yT3stK3yT3stK3yT3stK3y";

export function agentOn(overrides = {}) {
  return {
    on: true,
    address: AGENT_URL,
    served_by: "this_app",
    error: null,
    counters: {
      address: AGENT_URL, pid: 4242, started_at: NOW - 2 * 3600, uptime_secs: 7200,
      requests: 57, forwarded: 50, local: 4, refused: 3, failed: 0, bytes_in: 1200, bytes_out: 98000, in_flight: 0,
    },
    ...overrides,
  };
}

export function connectedApp(overrides = {}) {
  return {
    name: "posting bot",
    did: DIDS.alice,
    handle: "alice.bsky.social",
    rules: { read_only: false, allow: ["app.bsky.feed.*"] },
    rules_text: "read and write; only app.bsky.feed.*",
    created_at: NOW - 5 * DAY,
    expires_at: NOW + 25 * DAY,
    expired: false,
    last_used_at: NOW - 12 * MIN,
    calls: 41,
    ephemeral: false,
    ...overrides,
  };
}

export const apps = () => [
  connectedApp(),
  connectedApp({
    name: "feed reader", rules: { read_only: true }, rules_text: "read-only",
    created_at: NOW - 40 * DAY, expires_at: null, last_used_at: null, calls: 0,
  }),
];

export function activity() {
  const at = (min) => (NOW - min * MIN) * 1000;
  return [
    { at_ms: at(12), key_name: "posting bot", did: DIDS.alice, nsid: "app.bsky.feed.getTimeline", method: "GET", status: 200, outcome: "forwarded", bytes_in: 0, bytes_out: 5400, duration_ms: 84 },
    { at_ms: at(13), key_name: "posting bot", did: DIDS.alice, nsid: "com.atproto.repo.createRecord", method: "POST", status: 403, outcome: "not_allowed", bytes_in: 310, bytes_out: 120, duration_ms: 2 },
    { at_ms: at(2 * 24 * 60), key_name: null, did: null, nsid: "com.atproto.server.getSession", method: "GET", status: 401, outcome: "bad_key", bytes_in: 0, bytes_out: 90, duration_ms: 251 },
  ];
}

// ---- a small PNG avatar, generated (no binary fixtures in the repo) ----

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A 64x64 gradient "photo" as a data: URL. */
export function avatarDataUrl() {
  const w = 64, h = 64;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const d = Math.hypot(x - 26, y - 22);
      const face = d < 14;
      const body = Math.hypot(x - 32, y - 70) < 30;
      raw[o] = face || body ? 250 - y : 40 + x * 2;
      raw[o + 1] = face || body ? 214 - y : 120 + y;
      raw[o + 2] = face || body ? 180 : 210;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString("base64")}`;
}

// ---- many accounts ----

const NAMES = [
  "Alice Example", "Bob Martin", "Carol Nguyen", "Dave Okafor", "Erin Walsh", "Frank Osei", "Gina Rossi",
  "Hiro Tanaka", "Ines Duarte", "Jonas Berg", "Kira Novak", "Liam Byrne", "Maya Cohen", "Noor Haddad",
  "Omar Farouk", "Priya Raman", "Quinn Avery", "Rosa Lindqvist", "Sam Oyelaran", "Tess Moreau",
  "Uma Iyer", "Victor Hale", "Wen Li", "Xavier Ruiz", "Yara Saleh",
];

/** 25 accounts; the active one (`active`, default 20) sits far down the list. A few need attention. */
export function manyAccounts(active = 20) {
  return NAMES.map((name, i) => {
    const first = name.split(" ")[0].toLowerCase();
    const did = `did:plc:${first.padEnd(6, "x")}${String(i).padStart(2, "0")}q2mzk4v3xj5tq6rn`.slice(0, 32);
    return account({
      did,
      handle: `${first}.bsky.social`,
      display_name: name,
      active: i === active,
      status: i === 4 ? "expiring" : i === 11 ? "needs_sign_in" : "ready",
      status_reason: i === 11 ? "invalid_grant" : null,
      expires_at: i === 4 ? NOW + 3 * MIN : NOW + (20 + i) * MIN,
    });
  });
}
