#!/usr/bin/env node
// Skyport's local atproto network, offline and on loopback only:
//   - PLC directory (@did-plc/server, in-memory database)
//   - PDS (@atproto/pds, sqlite, devMode) with its built-in OAuth server
//   - an AppView stand-in (plain HTTP) that answers app.bsky.actor.getProfile
//     from the PDS's own repos, so that SDK logins which fetch the profile work
//   - a request log of every HTTP request the PDS receives, on its own port
//   - optionally an HTTPS host that serves client-metadata documents for
//     discoverable OAuth clients (certificate from a throwaway CA; the host name
//     resolves to 127.0.0.1 and the CA is trusted inside THIS
//     process only, which is where the PDS fetches client metadata from)
//
// When ready it prints ONE line of JSON on stdout:
//   {plcUrl, pdsUrl, issuer, handleResolver, accounts: [{handle, password, did}],
//    requestLogUrl, appView: {url, did}, blobUploadLimit,
//    client: {origin, host, port, caCert} | null, pid, node, timings}
// and runs until SIGINT/SIGTERM (or until stdin closes, with
// --exit-on-stdin-close). Its data directory is removed on exit.
// Errors go to stderr with a non-zero exit status.
//
// Usage (Node >= 22.19; run ./setup.sh first):
//   node start-network.mjs [--account handle:password]...  (default alice.test:alice-pass, bob.test:bob-pass)
//        [--client-host app.skyport-test.dev] [--exit-on-stdin-close] [--log (PDS logs to stderr)]
//        [--plc-port N] [--pds-port N] [--client-port N] [--appview-port N] [--request-log-port N]
//
// The request log (requestLogUrl = http://127.0.0.1:PORT) holds one entry per
// request, in arrival order:
//   {method, path, nsid, authScheme, tokenSha256, dpopProof, status, at}
// path has no query; nsid is set for /xrpc/<nsid> paths, else null; authScheme
// is the Authorization scheme as sent ("DPoP", "Bearer", "Basic", ...) or null;
// tokenSha256 is the hex SHA-256 of what follows the scheme, or null; dpopProof
// says whether a DPoP header came along; status is null until the response is
// finished (and stays null for aborted requests and WebSocket upgrades); at is
// the ISO time of arrival. Requests made by the AppView stand-in are left out.
//   GET    <requestLogUrl>/requests -> 200 JSON array
//   DELETE <requestLogUrl>/requests -> 204, clears the log
//
// The client host's documents are registered by the tests themselves:
//   PUT https://<host>:<port>/<path> with a JSON body -> 204
//   GET https://<host>:<port>/<path>                   -> 200 application/json
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import dns from 'node:dns'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import path from 'node:path'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'

const LISTEN = '127.0.0.1'
const T0 = performance.now()
const HERE = path.dirname(fileURLToPath(import.meta.url))

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------
const usageError = (message) => Object.assign(new Error(message), { usage: true })

function parseArgs(argv) {
  const out = { accounts: [], clientHost: null, exitOnStdinClose: false, log: false, ports: {} }
  const value = (i, name) => {
    const v = argv[i + 1]
    if (v === undefined || v.startsWith('--')) throw usageError(`${name} needs a value`)
    return v
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '--account': {
        const spec = value(i++, a)
        const sep = spec.indexOf(':')
        if (sep <= 0 || sep === spec.length - 1) throw usageError(`--account wants handle:password, got "${spec}"`)
        out.accounts.push({ handle: spec.slice(0, sep), password: spec.slice(sep + 1) })
        break
      }
      case '--client-host':
        out.clientHost = value(i++, a)
        break
      case '--plc-port':
      case '--pds-port':
      case '--client-port':
      case '--appview-port':
      case '--request-log-port': {
        const n = Number(value(i++, a))
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw usageError(`${a}: bad port`)
        out.ports[a.slice(2, -5)] = n
        break
      }
      case '--exit-on-stdin-close':
        out.exitOnStdinClose = true
        break
      case '--log':
        out.log = true
        break
      default:
        throw usageError(`unknown argument "${a}"`)
    }
  }
  if (out.accounts.length === 0) {
    out.accounts = [
      { handle: 'alice.test', password: 'alice-pass' },
      { handle: 'bob.test', password: 'bob-pass' },
    ]
  }
  return out
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, LISTEN, () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

// express' app.listen(port) binds every interface: force loopback.
function bindLoopback(app) {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, LISTEN, ...rest)
}

// Resolve `host` to 127.0.0.1 inside this process (no /etc/hosts edit). The
// PDS' fetcher ends up in net.connect -> dns.lookup.
function resolveToLoopback(host) {
  const lookup = dns.lookup
  dns.lookup = function (hostname, options, callback) {
    if (hostname !== host) return lookup.apply(this, arguments)
    if (typeof options === 'function') [callback, options] = [options, {}]
    if (typeof options === 'number') options = { family: options }
    if (options?.all) return process.nextTick(callback, null, [{ address: LISTEN, family: 4 }])
    return process.nextTick(callback, null, LISTEN, 4)
  }
  const lookupP = dns.promises.lookup
  dns.promises.lookup = function (hostname, options) {
    if (hostname !== host) return lookupP.apply(this, arguments)
    const rec = { address: LISTEN, family: 4 }
    return Promise.resolve(options?.all ? [rec] : rec)
  }
}

// HTTPS server for client-metadata documents, registered by PUT.
async function startClientHost(host, dataDir, wantPort) {
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new Error(`--client-host needs tls.setDefaultCACertificates (Node >= 22.19), this is ${process.version}`)
  }
  // A throwaway CA signs a leaf certificate for `host`. Trusting a CA rather
  // than the leaf itself suits strict verifiers too (webpki refuses a CA
  // certificate used as the server's own certificate).
  const caCert = path.join(dataDir, 'client-ca.pem')
  const caKey = path.join(dataDir, 'client-ca-key.pem')
  const certPath = path.join(dataDir, 'client-cert.pem')
  const keyPath = path.join(dataDir, 'client-key.pem')
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30']
  const openssl = (args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  // prettier-ignore
  openssl(['req', '-x509', ...ec, '-keyout', caKey, '-out', caCert,
    '-subj', '/CN=Skyport test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  // prettier-ignore
  openssl(['req', '-x509', '-CA', caCert, '-CAkey', caKey, ...ec, '-keyout', keyPath, '-out', certPath,
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`,
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth'])
  const ca = fs.readFileSync(caCert, 'utf8')
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca])
  resolveToLoopback(host)

  const docs = new Map()
  const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) }, (req, res) => {
    const p = new URL(req.url, 'https://host.invalid').pathname
    if (req.method === 'PUT') {
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        try {
          docs.set(p, JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
          res.writeHead(204).end()
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('body is not JSON')
        }
      })
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return res.writeHead(405).end()
    const doc = docs.get(p)
    if (doc === undefined) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(doc)
  })
  const port = wantPort || (await freePort())
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, LISTEN, resolve)
  })
  return { server, info: { origin: `https://${host}:${port}`, host, port, caCert } }
}

function listenLoopback(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, LISTEN, () => resolve(server.address().port))
  })
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

// Marks the AppView stand-in's own calls to the PDS, which the request log skips
// (with a value nobody else knows, so no client under test can hide from the log).
const STAND_IN_HEADER = 'x-skyport-localnet-appview'
const STAND_IN_MARK = crypto.randomBytes(16).toString('hex')

// Records every request `server` receives (see the header of this file) and
// serves the log on a loopback port of its own.
async function startRequestLog(server, wantPort) {
  let entries = []
  const record = (req, res) => {
    if (req.headers[STAND_IN_HEADER] === STAND_IN_MARK) return
    const url = new URL(req.url, 'http://host.invalid')
    const xrpc = url.pathname.match(/^\/xrpc\/([^/]+)/)
    const auth = /^(\S+)\s+(.+)$/.exec(req.headers.authorization ?? '')
    const entry = {
      method: req.method,
      path: url.pathname,
      nsid: xrpc ? decodeURIComponent(xrpc[1]) : null,
      authScheme: auth ? auth[1] : null,
      tokenSha256: auth ? crypto.createHash('sha256').update(auth[2].trim()).digest('hex') : null,
      dpopProof: req.headers.dpop !== undefined,
      status: null,
      at: new Date().toISOString(),
    }
    entries.push(entry)
    res?.once('finish', () => (entry.status = res.statusCode))
  }
  // Before express' own listener, so that even an immediate answer is seen.
  server.prependListener('request', record)
  server.prependListener('upgrade', (req) => record(req, null))

  const logServer = http.createServer((req, res) => {
    if (new URL(req.url, 'http://host.invalid').pathname !== '/requests') return res.writeHead(404).end()
    if (req.method === 'GET') return sendJson(res, 200, entries)
    if (req.method === 'DELETE') {
      entries = []
      return res.writeHead(204).end()
    }
    res.writeHead(405, { allow: 'GET, DELETE' }).end()
  })
  const port = await listenLoopback(logServer, wantPort || 0)
  return { server: logServer, url: `http://127.0.0.1:${port}` }
}

// A stand-in for the Bluesky AppView, just enough for SDK logins: the Python
// SDK's Client.login() calls app.bsky.actor.getProfile, which a PDS without an
// AppView refuses (400 "No service configured"). The PDS proxies app.bsky.* to
// the configured AppView URL directly (no DID resolution for the configured
// DID); did.json is served anyway so that did:web:localhost%3APORT resolves.
// Profiles come from the PDS's own repos over public XRPC. Everything else is
// 501 MethodNotImplemented, as an XRPC server answers for a method it lacks.
async function startAppView(pdsUrl, wantPort) {
  const server = http.createServer()
  const port = await listenLoopback(server, wantPort || 0)
  const url = `http://127.0.0.1:${port}`
  const did = `did:web:localhost%3A${port}`
  const didDoc = {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    service: [{ id: '#bsky_appview', type: 'BskyAppView', serviceEndpoint: url }],
  }

  const pdsGet = async (nsid, params) => {
    const res = await fetch(`${pdsUrl}/xrpc/${nsid}?${new URLSearchParams(params)}`, {
      headers: { [STAND_IN_HEADER]: STAND_IN_MARK },
    })
    const body = await res.json().catch(() => null)
    return res.ok ? body : null
  }
  const profile = async (actor) => {
    const repo = await pdsGet('com.atproto.repo.describeRepo', { repo: actor })
    if (!repo) return null
    const rec = await pdsGet('com.atproto.repo.getRecord', {
      repo: repo.did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
    })
    const v = rec?.value ?? {}
    const blobUrl = (b) =>
      b?.ref?.$link &&
      `${pdsUrl}/xrpc/com.atproto.sync.getBlob?${new URLSearchParams({ did: repo.did, cid: b.ref.$link })}`
    const view = {
      did: repo.did,
      handle: repo.handle,
      displayName: v.displayName,
      description: v.description,
      avatar: blobUrl(v.avatar),
      banner: blobUrl(v.banner),
      createdAt: v.createdAt,
      indexedAt: new Date().toISOString(),
      followersCount: 0,
      followsCount: 0,
      postsCount: 0,
      labels: [],
    }
    for (const k of Object.keys(view)) if (view[k] === undefined) delete view[k]
    return view
  }

  server.on('request', async (req, res) => {
    const u = new URL(req.url, 'http://host.invalid')
    const nsid = u.pathname.startsWith('/xrpc/') ? u.pathname.slice(6) : null
    try {
      if (u.pathname === '/.well-known/did.json') return sendJson(res, 200, didDoc)
      if (nsid === 'app.bsky.actor.getProfile') {
        const actor = u.searchParams.get('actor')
        if (!actor) {
          return sendJson(res, 400, { error: 'InvalidRequest', message: 'Params must have the property "actor"' })
        }
        const view = await profile(actor)
        return view
          ? sendJson(res, 200, view)
          : sendJson(res, 400, { error: 'InvalidRequest', message: 'Profile not found' })
      }
      if (nsid === 'app.bsky.actor.getProfiles') {
        const views = await Promise.all(u.searchParams.getAll('actors').map(profile))
        return sendJson(res, 200, { profiles: views.filter(Boolean) })
      }
      // What the PDS answered before it had an AppView to ask.
      if (nsid === 'com.atproto.identity.resolveHandle') {
        return sendJson(res, 400, { error: 'InvalidRequest', message: 'Unable to resolve handle' })
      }
      if (nsid === 'com.atproto.repo.getRecord') {
        return sendJson(res, 400, { error: 'InvalidRequest', message: 'Could not locate record' })
      }
      if (nsid) return sendJson(res, 501, { error: 'MethodNotImplemented', message: `Method Not Implemented: ${nsid}` })
      res.writeHead(404).end()
    } catch (e) {
      sendJson(res, 500, { error: 'InternalServerError', message: String(e?.message ?? e) })
    }
  })
  return { server, url, did }
}

async function createAccount(pdsUrl, { handle, password }) {
  const res = await fetch(`${pdsUrl}/xrpc/com.atproto.server.createAccount`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, password, email: `${handle}@example.invalid` }),
  })
  const body = await res.json().catch(() => ({}))
  if (!res.ok || typeof body.did !== 'string') {
    throw new Error(`createAccount ${handle}: HTTP ${res.status} ${JSON.stringify(body)}`)
  }
  return { handle, password, did: body.did }
}

// Permission sets (atproto permission spec), published as `com.atproto.lexicon.schema`
// records (rkey = the NSID) in the repo of `lexicons.test`, and that account made the
// PDS's lexicon authority for every NSID: the same override as the PDS's
// `PDS_LEXICON_AUTHORITY_DID`, set after the account exists (the PDS reads it at each
// resolution). Without DNS, `_lexicon.<authority>` TXT records cannot be served.
const PERMISSION_SETS = {
  // A set a narrow client asks for instead of transition:generic.
  posting: {
    lexicon: 1,
    id: 'app.bsky.authSkyportTestPosting',
    defs: {
      main: {
        type: 'permission-set',
        title: 'Write and like posts',
        'title:lang': { de: 'Beiträge schreiben und liken' },
        detail: 'Create and delete your posts and likes. Nothing else in your account.',
        'detail:lang': { de: 'Eigene Beiträge und Likes anlegen und löschen. Sonst nichts.' },
        permissions: [
          {
            type: 'permission',
            resource: 'repo',
            collection: ['app.bsky.feed.post', 'app.bsky.feed.like'],
            action: ['create', 'delete'],
          },
          { type: 'permission', resource: 'rpc', lxm: ['app.bsky.actor.getProfile'], inheritAud: true },
        ],
      },
    },
  },
  // Stand-ins, with this kit's own short contents, for the two Bluesky sets Skyport's client
  // declares by default (`app.bsky.authFullApp`, `chat.bsky.authFullChatClient`), so that
  // the app can read them on this network. Not Bluesky's published lists.
  fullApp: {
    lexicon: 1,
    id: 'app.bsky.authFullApp',
    defs: {
      main: {
        type: 'permission-set',
        title: 'Bluesky app (local stand-in)',
        detail: 'Posts, likes, reposts, follows and your profile, and reading Bluesky for you.',
        permissions: [
          {
            type: 'permission',
            resource: 'repo',
            collection: [
              'app.bsky.actor.profile',
              'app.bsky.feed.like',
              'app.bsky.feed.post',
              'app.bsky.feed.repost',
              'app.bsky.graph.follow',
            ],
          },
          {
            type: 'permission',
            resource: 'rpc',
            lxm: ['app.bsky.actor.getProfile', 'app.bsky.feed.getTimeline'],
            inheritAud: true,
          },
        ],
      },
    },
  },
  chat: {
    lexicon: 1,
    id: 'chat.bsky.authFullChatClient',
    defs: {
      main: {
        type: 'permission-set',
        title: 'Bluesky direct messages (local stand-in)',
        detail: 'Read your conversations and send messages.',
        permissions: [
          {
            type: 'permission',
            resource: 'rpc',
            lxm: ['chat.bsky.convo.listConvos', 'chat.bsky.convo.getMessages', 'chat.bsky.convo.sendMessage'],
            inheritAud: true,
          },
        ],
      },
    },
  },
  // Published, but not a permission set: asking for it is `invalid_scope`.
  notASet: {
    lexicon: 1,
    id: 'app.bsky.authSkyportTestNotASet',
    defs: { main: { type: 'query', description: 'Not a permission set.' } },
  },
}

async function publishPermissionSets(pds, pdsUrl) {
  const owner = await createAccount(pdsUrl, {
    handle: 'lexicons.test',
    password: crypto.randomBytes(12).toString('hex'),
  })
  const login = await fetch(`${pdsUrl}/xrpc/com.atproto.server.createSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: owner.did, password: owner.password }),
  }).then((r) => r.json())
  const sets = {}
  for (const [key, doc] of Object.entries(PERMISSION_SETS)) {
    const res = await fetch(`${pdsUrl}/xrpc/com.atproto.repo.putRecord`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessJwt}` },
      body: JSON.stringify({
        repo: owner.did,
        collection: 'com.atproto.lexicon.schema',
        rkey: doc.id,
        record: { $type: 'com.atproto.lexicon.schema', ...doc },
      }),
    })
    if (!res.ok) throw new Error(`publish ${doc.id}: HTTP ${res.status} ${await res.text()}`)
    sets[key] = doc.id
  }
  pds.ctx.cfg.lexicon.didAuthority = owner.did
  return { authority: owner.did, sets }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------
const running = { pds: null, plc: null, servers: [], dataDir: null }
let stopping = false

async function stop(code) {
  if (stopping) return
  stopping = true
  const { pds, plc, servers, dataDir } = running
  if (pds) await pds.destroy().catch((e) => console.error('pds.destroy:', e))
  if (plc) await plc.destroy().catch((e) => console.error('plc.destroy:', e))
  for (const server of servers) {
    server.closeAllConnections?.()
    await new Promise((r) => server.close(r))
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  process.exit(code)
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.log) {
    // PDS logs (pino) go to stderr so stdout carries only the ready line.
    process.env.LOG_ENABLED = 'true'
    process.env.LOG_DESTINATION ??= '/dev/stderr'
  }
  if (opts.exitOnStdinClose) {
    // The parent holds our stdin: when it exits (even killed), stdin closes.
    for (const ev of ['end', 'close', 'error']) process.stdin.on(ev, () => stop(0))
    process.stdin.resume()
  }
  const timings = {}
  const mark = (key, t) => (timings[key] = Math.round(performance.now() - t))

  fs.mkdirSync(path.join(HERE, '.data'), { recursive: true })
  const dataDir = fs.mkdtempSync(path.join(HERE, '.data', 'net-'))
  running.dataDir = dataDir

  let t = performance.now()
  let client = null
  if (opts.clientHost) {
    const c = await startClientHost(opts.clientHost, dataDir, opts.ports.client)
    running.servers.push(c.server)
    client = c.info
    mark('clientHostMs', t)
  }

  t = performance.now()
  const plcMod = await import('@did-plc/server')
  const { Secp256k1Keypair } = await import('@atproto/crypto')
  const { PDS } = await import('@atproto/pds')
  mark('importMs', t)

  t = performance.now()
  const plcPort = opts.ports.plc || (await freePort())
  const plc = plcMod.PlcServer.create({ db: plcMod.Database.mock(), port: plcPort })
  bindLoopback(plc.app)
  await plc.start()
  running.plc = plc
  const plcUrl = `http://localhost:${plcPort}`
  mark('plcStartMs', t)

  t = performance.now()
  const pdsPort = opts.ports.pds || (await freePort())
  const pdsUrl = `http://localhost:${pdsPort}`
  const appView = await startAppView(pdsUrl, opts.ports.appview)
  running.servers.push(appView.server)
  const blobUploadLimit = 64 * 1024 * 1024 // for upload tests of ~50 MB (the PDS' default is 5 MB)
  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const recoveryKey = await Secp256k1Keypair.create()
  const pds = await PDS.fromEnv({
    devMode: true, // also turns SSRF protection off, so the PDS may fetch from loopback
    hostname: 'localhost', // => publicUrl and issuer are http://localhost:PORT
    port: pdsPort,
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    recoveryDidKey: recoveryKey.did(),
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
    jwtSecret: crypto.randomBytes(16).toString('hex'),
    adminPassword: crypto.randomBytes(16).toString('hex'),
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    disableSsrfProtection: true,
    serviceName: 'Skyport test PDS',
    blobUploadLimit,
    // app.bsky.* goes to the stand-in; no moderation service: nothing leaves loopback
    bskyAppViewUrl: appView.url,
    bskyAppViewDid: appView.did,
  })
  bindLoopback(pds.app)
  await pds.start()
  running.pds = pds
  const requestLog = await startRequestLog(pds.server, opts.ports['request-log'])
  running.servers.push(requestLog.server)
  mark('pdsStartMs', t)

  t = performance.now()
  const accounts = []
  for (const a of opts.accounts) accounts.push(await createAccount(pdsUrl, a))
  mark('accountsMs', t)

  t = performance.now()
  const lexicons = await publishPermissionSets(pds, pdsUrl)
  mark('lexiconsMs', t)
  timings.totalMs = Math.round(performance.now() - T0)

  const info = {
    plcUrl,
    pdsUrl,
    issuer: pds.ctx.cfg.oauth.issuer,
    handleResolver: pdsUrl, // com.atproto.identity.resolveHandle answers for *.test
    accounts,
    requestLogUrl: requestLog.url,
    appView: { url: appView.url, did: appView.did },
    blobUploadLimit,
    lexicons,
    client,
    pid: process.pid,
    node: process.version,
    timings,
  }
  process.stdout.write(JSON.stringify(info) + '\n')

}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(0))
process.on('uncaughtException', (e) => {
  console.error('start-network: uncaught exception:', e)
  stop(1)
})
main().catch((e) => {
  console.error(`start-network: ${e?.usage ? e.message : (e?.stack ?? e)}`)
  stop(1)
})
