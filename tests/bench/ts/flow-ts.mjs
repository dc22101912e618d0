#!/usr/bin/env node
// Bluesky's TypeScript OAuth client (@atproto/oauth-client-node), timed phase by phase
// against the local network, for Skyport's benchmark runner (tests/src/bench/).
//
//   node flow-ts.mjs --net NET.json --handle alice.test --did did:plc:… [--logins 2]
//
// One process = one "cold" login (first in the process, empty caches) followed by
// `--logins - 1` "warm" logins with the same NodeOAuthClient (as an app keeps one client).
// Each login: resolve → PAR → (approval by the runner) → token exchange with the client's
// identity re-check → two resource calls → forced refresh → resource call → revoke.
//
// The approval is not the client's work, so the runner does it: this script prints
//   {"event":"approve","url":"<authorize URL>"}
// on stdout and reads the callback URL as one line on stdin. When done it prints
//   {"event":"result", …}
// Every HTTP request the client sends goes through a logging fetch, so request counts per
// phase come from a request log, not from reading the client's code.
const t0 = performance.now()
import readline from 'node:readline'
import fs from 'node:fs'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const net = JSON.parse(fs.readFileSync(opt('net'), 'utf8'))
const handle = opt('handle')
const did = opt('did')
const LOGINS = Number(opt('logins', 2))
if (!handle || !did) throw new Error('usage: flow-ts.mjs --net FILE --handle H --did D [--logins N]')

const { NodeOAuthClient, requestLocalLock } = await import('@atproto/oauth-client-node')
const importMs = performance.now() - t0

// ------------------------------------------------------------------ request log
let log = []
const short = (url) => url.split('?')[0].replace(net.pdsUrl, '{PDS}').replace(net.plcUrl, '{PLC}')
let dpopAlg = null
const loggingFetch = async (input, init) => {
  const req = new Request(input, init)
  const dpop = req.headers.get('dpop')
  if (dpop && !dpopAlg) dpopAlg = JSON.parse(Buffer.from(dpop.split('.')[0], 'base64url')).alg
  const start = performance.now()
  const res = await globalThis.fetch(req)
  log.push({ method: req.method, url: short(req.url), status: res.status, ms: +(performance.now() - start).toFixed(2) })
  return res
}
const take = () => {
  const l = log
  log = []
  return l
}

// ------------------------------------------------------------------ client
const memoryStore = () => {
  const m = new Map()
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v), del: async (k) => void m.delete(k) }
}
// The loopback client, as Skyport's benchmark uses: redirect without a port (any port).
const redirect = 'http://127.0.0.1/callback'
const scope = 'atproto transition:generic'
const clientMetadata = {
  client_id: `http://localhost?redirect_uri=${encodeURIComponent(redirect)}&scope=${encodeURIComponent(scope).replace(/%20/g, '+')}`,
  redirect_uris: [redirect],
  scope,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  application_type: 'native',
  dpop_bound_access_tokens: true,
}
const tClient = performance.now()
const client = new NodeOAuthClient({
  clientMetadata,
  stateStore: memoryStore(),
  sessionStore: memoryStore(),
  handleResolver: net.handleResolver, // com.atproto.identity.resolveHandle on the PDS
  plcDirectoryUrl: net.plcUrl,
  allowHttp: true, // the local issuer and PDS are http://localhost:PORT
  fetch: loggingFetch,
  requestLock: requestLocalLock,
})
const clientMs = performance.now() - tClient

// ------------------------------------------------------------------ stdio with the runner
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`)
async function approval(url) {
  say({ event: 'approve', url })
  const { value, done } = await lines.next()
  if (done) throw new Error('the runner closed stdin before sending the callback')
  return value.trim()
}

async function timed(fn) {
  const start = performance.now()
  const value = await fn()
  return [value, +(performance.now() - start).toFixed(3)]
}

async function getSession(session) {
  const res = await session.fetchHandler('/xrpc/com.atproto.server.getSession')
  const body = await res.json()
  if (res.status !== 200 || body.did !== did) throw new Error(`getSession: ${res.status} ${JSON.stringify(body)}`)
}

async function login() {
  const phases = {}
  const requests = {}
  const step = async (name, fn) => {
    take()
    const [value, ms] = await timed(fn)
    phases[name] = ms
    requests[name] = take()
    return value
  }
  await step('resolve', () => client.oauthResolver.resolve(handle))
  const url = await step('par', () => client.authorize(handle, { scope }))
  const callback = await approval(url.href)
  const { session } = await step('token', () => client.callback(new URL(callback).searchParams))
  if (session.did !== did) throw new Error(`signed in as ${session.did}, expected ${did}`)
  await step('resource1', () => getSession(session))
  await step('resource2', () => getSession(session))
  const refreshed = await step('refresh', () => client.restore(did, true))
  await step('resource3', () => getSession(refreshed))
  await step('revoke', () => refreshed.signOut())
  // The revoked access token must be refused now (the PDS keeps access tokens stateful).
  let revokedRefused
  try {
    const res = await refreshed.fetchHandler('/xrpc/com.atproto.server.getSession')
    revokedRefused = res.status === 401
  } catch {
    revokedRefused = true
  }
  take()
  if (!revokedRefused) throw new Error('the revoked session still works')
  return { phases, requests }
}

const logins = []
for (let i = 0; i < LOGINS; i++) logins.push(await login())
say({
  event: 'result',
  node: process.version,
  client: '@atproto/oauth-client-node',
  clientVersion: JSON.parse(fs.readFileSync(new URL('./node_modules/@atproto/oauth-client-node/package.json', import.meta.url), 'utf8')).version,
  dpopAlg,
  startup: { importMs: +importMs.toFixed(1), clientMs: +clientMs.toFixed(2) },
  logins,
})
process.exit(0)
