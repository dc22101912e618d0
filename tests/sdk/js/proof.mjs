#!/usr/bin/env node
// Proof that the official JavaScript SDK (@atproto/api, unchanged from npm) works
// through the Skyport agent with a per-program key instead of an app password.
//
//   SKYPORT_AGENT_URL  the agent, e.g. http://127.0.0.1:PORT
//   ATP_AUTH_HANDLE    handle or DID of the account
//   ATP_AUTH_PASSWORD  the program's key, skp_...
//
// Run with Node 22 after tests/sdk/setup.sh:  node tests/sdk/js/proof.mjs
// On success it prints one JSON line:
//   {"ok":true,"sdk":"@atproto/api@X","did":...,"uris":[...],"accessJwts":[...],"refreshJwts":[...]}
// with every token the SDK held (so a test can check that none reached the PDS).
// On any failure it prints "proof.mjs: FAILED: <reason>" on stderr and exits 1.
import fs from 'node:fs'
import zlib from 'node:zlib'

import { AtpAgent } from '@atproto/api'

class ProofError extends Error {}
const check = (cond, message) => {
  if (!cond) throw new ProofError(message)
}

function env(name) {
  const v = process.env[name]
  check(v, `${name} is not set`)
  return v
}

// A valid 2x2 RGBA PNG, built here so the script needs no fixture file.
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc32 = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(2, 0) // width
  ihdr.writeUInt32BE(2, 4) // height
  ihdr.set([8, 6, 0, 0, 0], 8) // 8 bits, RGBA, deflate, no filter method, no interlace
  const row = [0, 0x1d, 0x9b, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff] // filter byte + 2 pixels
  const raw = Buffer.from([...row, ...row])
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function sdkVersion() {
  const pkg = new URL('./node_modules/@atproto/api/package.json', import.meta.url)
  return JSON.parse(fs.readFileSync(pkg, 'utf8')).version
}

async function main() {
  const service = new URL(env('SKYPORT_AGENT_URL'))
  const identifier = env('ATP_AUTH_HANDLE')
  const password = env('ATP_AUTH_PASSWORD')

  const accessJwts = new Set()
  const refreshJwts = new Set()
  const hold = (session) => {
    if (session?.accessJwt) accessJwts.add(session.accessJwt)
    if (session?.refreshJwt) refreshJwts.add(session.refreshJwt)
  }
  const agent = new AtpAgent({ service, persistSession: (_event, session) => hold(session) })
  const stillOnAgent = (when) => {
    check(agent.pdsUrl === undefined, `${when}: the SDK switched to the PDS ${agent.pdsUrl}`)
    check(agent.dispatchUrl.origin === service.origin, `${when}: the SDK sends to ${agent.dispatchUrl}`)
  }

  const login = await agent.login({ identifier, password })
  hold(agent.session)
  check(login.data.did?.startsWith('did:'), 'login: no DID in createSession')
  check(login.data.didDoc === undefined, 'login: createSession returned a didDoc (the SDK would leave the agent)')
  stillOnAgent('after login')
  const did = agent.session.did

  const session = await agent.com.atproto.server.getSession()
  check(session.data.did === did, `getSession: DID ${session.data.did}, expected ${did}`)
  check(session.data.didDoc === undefined, 'getSession: the agent passed on the didDoc')

  const text = await agent.post({ text: `Skyport SDK proof (JS) ${new Date().toISOString()}` })
  check(text.uri?.startsWith(`at://${did}/app.bsky.feed.post/`), `post: unexpected URI ${text.uri}`)

  const image = png()
  const upload = await agent.uploadBlob(image, { encoding: 'image/png' })
  const blob = upload.data.blob
  check(blob.size === image.length, `uploadBlob: size ${blob.size}, sent ${image.length}`)
  check(blob.mimeType === 'image/png', `uploadBlob: mimeType ${blob.mimeType}`)
  const withImage = await agent.post({
    text: 'Skyport SDK proof (JS), with an image',
    embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: 'a 2x2 test image' }] },
  })
  const uris = [text.uri, withImage.uri]

  const rkey = (uri) => uri.split('/').pop()
  const got = await agent.com.atproto.repo.getRecord({
    repo: did,
    collection: 'app.bsky.feed.post',
    rkey: rkey(withImage.uri),
  })
  const embedded = got.data.value?.embed?.images?.[0]?.image
  check(got.data.uri === withImage.uri, `getRecord: URI ${got.data.uri}`)
  check(String(embedded?.ref) === String(blob.ref), 'getRecord: the post does not reference the uploaded blob')

  const listed = await agent.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post', limit: 100 })
  const listedUris = new Set(listed.data.records.map((r) => r.uri))
  check(uris.every((u) => listedUris.has(u)), 'listRecords: the new posts are missing')

  for (const uri of uris) {
    await agent.com.atproto.repo.deleteRecord({ repo: did, collection: 'app.bsky.feed.post', rkey: rkey(uri) })
  }

  // The SDK's own refresh, as it runs on ExpiredToken (CredentialSession.refreshSession:
  // refreshSession, then getSession because the answer has no didDoc).
  const before = agent.session.accessJwt
  await agent.sessionManager.refreshSession()
  hold(agent.session)
  check(agent.session?.accessJwt && agent.session.accessJwt !== before, 'refresh: the access token did not change')
  check(agent.session.did === did, 'refresh: the DID changed')
  stillOnAgent('after refresh')

  const after = await agent.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post', limit: 100 })
  const left = after.data.records.filter((r) => uris.includes(r.uri))
  check(left.length === 0, `after refresh: deleted posts are still listed: ${left.map((r) => r.uri)}`)
  stillOnAgent('at the end')

  const summary = {
    ok: true,
    sdk: `@atproto/api@${sdkVersion()}`,
    did,
    uris,
    accessJwts: [...accessJwts],
    refreshJwts: [...refreshJwts],
  }
  process.stdout.write(JSON.stringify(summary) + '\n')
}

main().catch((e) => {
  let detail = e instanceof ProofError ? e.message : `${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`
  if (e?.status >= 100) detail += ` (HTTP ${e.status} ${e.error})`
  // A transport failure: XRPCError wraps fetch's TypeError, which wraps the socket error.
  for (let c = e?.cause; c; c = c.cause) detail += ` <- ${c.code ?? c.constructor?.name}: ${c.message}`
  process.stderr.write(`proof.mjs: FAILED: ${detail}\n`)
  process.exit(1)
})
