#!/usr/bin/env node
// DPoP proof minting in Node, for comparison with Skyport's criterion benchmark
// (src-tauri/crates/oauth/benches/dpop_proof.rs): the same ES256 proof, a token-endpoint
// POST with a nonce: header {typ: "dpop+jwt", alg: "ES256", jwk}, claims {jti (32 random
// bytes, base64url), htm, htu, iat, nonce}.
//
//   node dpop-jose.mjs [--batches 30] [--per-batch 200]
//
// Two ways: `jose` directly (SignJWT), and @atproto/jwk-jose's JoseKey.createJwt, the path
// the TypeScript OAuth client takes (it adds claim validation around jose), with ES256 and
// with ES256K (the algorithm that client picks against the local PDS). Prints JSON with
// microseconds per proof: the median over batches, and min and max.
import crypto from 'node:crypto'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { JoseKey } from '@atproto/oauth-client-node'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const BATCHES = opt('batches', 30)
const PER_BATCH = opt('per-batch', 200)
const htu = 'http://localhost:2583/oauth/token'
const nonce = 'aWY2ZHqSzLw1bqgmFAhEiWYtPC0xXJ6lHkAlZ-d9IcU'

const { privateKey, publicKey } = await generateKeyPair('ES256')
const { kty, crv, x, y } = await exportJWK(publicKey)
const jwk = { kty, crv, x, y }
const viaJose = () =>
  new SignJWT({
    jti: crypto.randomBytes(32).toString('base64url'),
    htm: 'POST',
    htu,
    iat: Math.floor(Date.now() / 1000),
    nonce,
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .sign(privateKey)

const viaJoseKey = async (alg) => {
  const key = await JoseKey.generate([alg])
  return () =>
    key.createJwt(
      { typ: 'dpop+jwt', alg, jwk: key.bareJwk },
      { jti: crypto.randomBytes(32).toString('base64url'), htm: 'POST', htu, iat: Math.floor(Date.now() / 1000), nonce },
    )
}

async function measure(mint) {
  for (let i = 0; i < PER_BATCH; i++) await mint() // warm-up (JIT)
  const perProof = []
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < PER_BATCH; i++) await mint()
    perProof.push(Number(process.hrtime.bigint() - start) / 1000 / PER_BATCH)
  }
  perProof.sort((a, b) => a - b)
  const round = (v) => +v.toFixed(2)
  return {
    medianUs: round(perProof[Math.floor(perProof.length / 2)]),
    minUs: round(perProof[0]),
    maxUs: round(perProof[perProof.length - 1]),
    batches: BATCHES,
    perBatch: PER_BATCH,
  }
}

const sample = await viaJose()
console.log(
  JSON.stringify({
    node: process.version,
    proofBytes: sample.length,
    jose: await measure(viaJose),
    joseKey: await measure(await viaJoseKey('ES256')),
    // What the TS client actually used against this PDS: it picks ES256K for its DPoP keys.
    joseKeyEs256k: await measure(await viaJoseKey('ES256K')),
  }),
)
