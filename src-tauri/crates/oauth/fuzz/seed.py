#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from the OAuth crate's test vectors.

    python3 seed.py OUT_DIR      # writes OUT_DIR/<target>/<name>, one input per file

Sources: testdata/vectors/*.json and testdata/scopes_{valid,invalid}.txt of skyport-oauth.
Where the vectors hold no example of an input kind (callback URLs, DID documents, client
metadata documents, response headers), the seeds are built here from values the vectors do
hold (issuer, endpoints, redirect URIs, scopes, tokens, timestamps), plus a few hand-written
hostile shapes. The output is deterministic; nothing is downloaded.
"""

import hashlib
import json
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
TESTDATA = HERE.parent / "testdata"
VECTORS = TESTDATA / "vectors"


def vector(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def lines(name):
    out = []
    for line in (TESTDATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def imf_fixdate(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(t))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed.py OUT_DIR")
    out = Path(sys.argv[1])
    seeds = {}

    def add(target, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        seeds.setdefault(target, {})[hashlib.sha1(data).hexdigest()[:16]] = data

    as_vec = vector("v10_as_metadata.json")
    as_doc = as_vec["valid_document"]
    issuer = as_doc["issuer"]
    fetch_origin = "{0.scheme}://{0.netloc}".format(urlsplit(as_vec["fetch_url"]))
    localhost = vector("extra_localhost_client_id_cases.json")
    scope_cases = vector("extra_scope_syntax_cases.json")
    roundtrip = vector("v9_scope_roundtrip.json")
    pkce = vector("v1_pkce_s256.json")
    proofs = vector("v6_v7_v8_dpop_proofs.json")
    signed = vector("extra_signed_dpop_examples.json")
    htu = vector("extra_htu_normalization.json")

    # --- scope: tokens and strings from the scope vectors --------------------------------
    scopes = lines("scopes_valid.txt") + lines("scopes_invalid.txt")
    scopes += scope_cases["valid_syntax_and_semantics"] + scope_cases["valid_syntax_invalid_semantics"]
    scopes += scope_cases["invalid_syntax"] + [c["scope"] for c in scope_cases["invalid_semantics_examples_from_rules"]]
    scopes += [roundtrip["input"], roundtrip["expected_serialized_sorted"], roundtrip["expected_reduced"]]
    scopes += [" ".join(as_doc["scopes_supported"])]
    scopes += [c["virtual_scope"] for c in localhost["cases"] if "virtual_scope" in c]
    for s in scopes:
        add("scope", s)
    valid = lines("scopes_valid.txt")
    add("scope", " ".join(valid))
    add("scope", "atproto atproto")
    # granted \n requested \n declared, as the account view describes them
    add("scope", f"{roundtrip['expected_reduced']}\n{roundtrip['input']}\n{' '.join(valid)}")
    add("scope", "atproto transition:generic\natproto transition:generic transition:email\n"
        "atproto transition:generic transition:email transition:chat.bsky")

    # --- callback_url: redirects of the vectors, issuer of the AS vector -------------------
    redirects = ["http://127.0.0.1/callback", "com.example.app:/callback"]
    for c in localhost["cases"]:
        redirects += c.get("virtual_redirect_uris", [])
    code = pkce["code_verifier"]
    iss = quote(issuer, safe="")
    for r in dict.fromkeys(redirects):
        add("callback_url", f"{r}?state=st-{len(r)}&iss={iss}&code={code}")
        add("callback_url", f"{r}?code={code}&state=abc&iss={issuer}")
        add("callback_url", f"{r}?state=abc&error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E+thanks&iss={iss}")
    base = redirects[0]
    for query in [
        f"state=abc&code={code}",  # no iss
        f"state=abc&state=abc&code={code}&iss={iss}",  # repeated
        f"state=abc&response=eyJhbGciOiJFUzI1NiJ9.e30.sig&iss={iss}",  # JARM
        f"state=%ff%fe&code=x&iss={iss}",  # not UTF-8
        f"state=a%20b&code=x&iss={iss}",
        f"state=&code=x&iss={iss}",
        f"state=abc&code=%E2%9C%93&iss=https%3A%2F%2Fother.example.com",
        "state=abc&code=x&iss=" + iss + "#frag",
    ]:
        add("callback_url", f"{base}?{query}")
    add("callback_url", "https://evil.example/callback?state=abc&code=x&iss=" + iss)
    add("callback_url", "com.example.app://callback?state=abc&code=x&iss=" + iss)

    # --- client_metadata: `URL \n document`, built from the localhost vector's fixed fields --
    client_id = "https://app.example.com/oauth-client-metadata.json"
    fixed = dict(localhost["virtual_metadata_fixed_fields"])
    fixed.pop("client_name", None)
    good = {
        **fixed,
        "client_id": client_id,
        "client_name": "Example",
        "scope": roundtrip["input"],
        "redirect_uris": ["com.example.app:/callback"],
        "client_uri": "https://app.example.com",
        "logo_uri": "https://app.example.com/logo.png",
    }
    add("client_metadata", client_id + "\n" + compact(good))
    for change in [
        {"redirect_uris": ["http://127.0.0.1/callback", "https://app.example.com/cb"]},
        {"redirect_uris": ["com.example.app://callback"]},
        {"jwks": {"keys": [signed["examples"][0]["header"]["jwk"]]}},
        {"token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "ES256"},
        {"grant_types": ["authorization_code", "authorization_code", "implicit"]},
        {"scope": "transition:generic"},
        {"application_type": "web"},
    ]:
        add("client_metadata", client_id + "\n" + compact({**good, **change}))
    add("client_metadata", "https://app.example.com:8443/client.json\n" + compact({**good, "client_id": "https://app.example.com:8443/client.json"}))
    for c in localhost["cases"]:
        add("client_metadata", c["client_id"])
        add("client_metadata", c["client_id"] + "\n" + compact({**fixed, "client_id": c["client_id"]}))

    # --- as_metadata: `expected issuer \n document`: the AS vector and its mutations, and
    # protected-resource documents naming the same issuer.
    add("as_metadata", fetch_origin + "\n" + compact(as_doc))
    for m in as_vec["mutations_expected_fail"] + as_vec["extra_mutations_from_atproto_spec_expected_fail"]:
        add("as_metadata", fetch_origin + "\n" + compact(m["document"]))
    add("as_metadata", fetch_origin + "\n" + compact({
        **as_doc,
        "revocation_endpoint": issuer + "/oauth/revoke",
        "protected_resources": [issuer],
        "require_request_uri_registration": True,
    }))
    dev = "http://127.0.0.1:2583"
    add("as_metadata", dev + "\n" + compact({
        k: (v.replace(issuer, dev) if isinstance(v, str) else v) for k, v in as_doc.items()
    }))
    for servers in [[issuer], [], [issuer, "https://other.example.com"], [issuer + "/"], [dev]]:
        add("as_metadata", fetch_origin + "\n" + compact({"resource": fetch_origin, "authorization_servers": servers}))
    add("as_metadata", dev + "\n" + compact({"resource": dev, "authorization_servers": [dev]}))

    # --- did_document: `DID \n document`; the vectors have no DID documents, so these use
    # the AS vector's issuer as the PDS. The first line is also a handle / login input.
    plc = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
    web = "did:web:pds.example.com"
    service = {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": issuer}
    for did in [plc, web]:
        add("did_document", did + "\n" + compact({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "alsoKnownAs": ["at://alice.example.com"],
            "verificationMethod": [{"id": did + "#atproto", "type": "Multikey", "controller": did,
                                    "publicKeyMultibase": "zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF"}],
            "service": [service],
        }))
    add("did_document", plc + "\n" + compact({
        "id": plc,
        "alsoKnownAs": ["https://not-a-handle", "at://not_valid", "at://Alice.Example.com", "at://second.example.com"],
        "service": [{**service, "id": "#other", "serviceEndpoint": "https://wrong.example"},
                    {**service, "id": plc + "#atproto_pds"}],
    }))
    add("did_document", plc + "\n" + compact({"id": plc, "service": [{**service, "serviceEndpoint": issuer + "/path?q#f"}]}))
    add("did_document", plc + "\n" + compact({"id": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}))
    add("did_document", "did:web:localhost%3A2583\n" + compact({"id": "did:web:localhost%3A2583", "service": [{**service, "serviceEndpoint": "http://localhost:2583"}]}))
    for ident in ["alice.example.com", "@Alice.Example.COM", issuer, "did:plc:ewvi7nxzyoun6zhxrhs64oiz", " bsky.social ", "x.invalid"]:
        add("did_document", ident)

    # --- www_authenticate: header values for WWW-Authenticate, DPoP-Nonce and Date ----------
    err = proofs["V6_par_without_nonce"]["expected_server_response"]["body"]["error"]
    v8 = proofs["V8_resource_request_with_ath"]
    add("www_authenticate", f'DPoP algs="ES256", error="{err}", error_description="Resource server requires nonce in DPoP proof"')
    add("www_authenticate", 'Bearer realm="pds", DPoP error="invalid_token", error_description="a \\"quoted\\" word"')
    add("www_authenticate", v8["request_headers"]["Authorization"])
    add("www_authenticate", "dpop error=" + err)
    add("www_authenticate", "Basic dXNlcjpwYXNz==, DPoP error=invalid_dpop_proof")
    for nonce in [v8["expected_ath"], v8["claims"]["jti"], signed["public_jwk_thumbprint"], "a" * 1024, "with space", "ctl\x07"]:
        add("www_authenticate", nonce)
    iats = [proofs[k]["claims"]["iat"] for k in ["V6_par_without_nonce", "V7_par_with_nonce", "V8_resource_request_with_ath"]]
    iats += [e["claims"]["iat"] for e in signed["examples"]]
    for t in dict.fromkeys(iats + [0, 784111777]):
        add("www_authenticate", imf_fixdate(t))
    add("www_authenticate", "Sun, 06 Nov 1994 25:49:37 GMT")
    for c in htu["cases"]:
        add("www_authenticate", f'DPoP error="invalid_dpop_proof", error_description="htu must be {c["htu"]}"')

    total = 0
    for target, files in sorted(seeds.items()):
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
        total += len(files)
        print(f"{target}: {len(files)} seeds", file=sys.stderr)
    print(f"{total} seeds in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
