#!/usr/bin/env python3
"""Proof that the official Python SDK (`atproto`, unchanged from PyPI) works through the
Skyport agent with a per-program key instead of an app password.

    SKYPORT_AGENT_URL  the agent, e.g. http://127.0.0.1:PORT
    ATP_AUTH_HANDLE    handle or DID of the account
    ATP_AUTH_PASSWORD  the program's key, skp_...

Run in the venv made by tests/sdk/setup.sh:  target/sdk-venv/bin/python tests/sdk/py/proof.py
On success it prints one JSON line:
    {"ok":true,"sdk":"atproto==X","did":...,"uris":[...],"accessJwts":[...],"refreshJwts":[...]}
with every token the SDK held (so a test can check that none reached the PDS).
On any failure it prints "proof.py: FAILED: <reason>" on stderr and exits 1.
"""

import json
import os
import struct
import sys
import zlib
from datetime import datetime, timezone
from importlib.metadata import version

from atproto import Client, Session, SessionEvent, models
from atproto.exceptions import AtProtocolError

POST = 'app.bsky.feed.post'


class ProofError(Exception):
    pass


def check(cond: object, message: str) -> None:
    if not cond:
        raise ProofError(message)


def env(name: str) -> str:
    value = os.environ.get(name)
    check(value, f'{name} is not set')
    return value


def png() -> bytes:
    """A valid 2x2 RGBA PNG, built here so the script needs no fixture file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

    ihdr = struct.pack('>IIBBBBB', 2, 2, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    row = bytes([0, 0x1D, 0x9B, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])  # filter byte + 2 pixels
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(row * 2)) + chunk(b'IEND', b'')


def rkey(uri: str) -> str:
    return uri.rsplit('/', 1)[1]


def main() -> None:
    service = env('SKYPORT_AGENT_URL').rstrip('/')
    identifier = env('ATP_AUTH_HANDLE')
    password = env('ATP_AUTH_PASSWORD')

    access_jwts: list = []
    refresh_jwts: list = []

    def hold(session: Session) -> None:
        for token, held in ((session.access_jwt, access_jwts), (session.refresh_jwt, refresh_jwts)):
            if token and token not in held:
                held.append(token)

    client = Client(base_url=service)
    client.on_session_change(lambda _event, session: hold(session))
    events: list = []
    client.on_session_change(lambda event, _session: events.append(event))

    def still_on_agent(when: str) -> None:
        # The SDK keeps its base URL unless createSession/refreshSession hand it a didDoc.
        base = client._base_url  # noqa: SLF001 - the SDK has no public accessor
        check(base == f'{service}/xrpc', f'{when}: the SDK sends to {base}')
        endpoint = client._session.pds_endpoint  # noqa: SLF001
        check(endpoint.rstrip('/').removesuffix('/xrpc') == service, f'{when}: the session points at {endpoint}')

    # login = createSession, then app.bsky.actor.getProfile (Client.me).
    profile = client.login(identifier, password)
    check(events[:1] == [SessionEvent.CREATE], f'login: session events {events}')
    check(profile is not None, 'login: no profile (app.bsky.actor.getProfile was not served)')
    did = client.me.did
    check(did.startswith('did:'), f'login: DID {did!r}')
    still_on_agent('after login')

    session = client.com.atproto.server.get_session()
    check(session.did == did, f'getSession: DID {session.did}, expected {did}')
    check(session.did_doc is None, 'getSession: the agent passed on the didDoc')

    stamp = datetime.now(timezone.utc).isoformat()
    text = client.send_post(f'Skyport SDK proof (Python) {stamp}')
    check(text.uri.startswith(f'at://{did}/{POST}/'), f'send_post: unexpected URI {text.uri}')

    image = png()
    blob = client.upload_blob(image).blob
    check(blob.size == len(image), f'upload_blob: size {blob.size}, sent {len(image)}')
    check(blob.mime_type == 'image/png', f'upload_blob: mimeType {blob.mime_type}')
    embed = models.AppBskyEmbedImages.Main(images=[models.AppBskyEmbedImages.Image(alt='a 2x2 test image', image=blob)])
    with_image = client.send_post('Skyport SDK proof (Python), with an image', embed=embed)
    uris = [text.uri, with_image.uri]

    got = client.com.atproto.repo.get_record({'repo': did, 'collection': POST, 'rkey': rkey(with_image.uri)})
    check(got.uri == with_image.uri, f'get_record: URI {got.uri}')
    embedded = got.value.embed.images[0].image
    check(embedded.cid == blob.cid, 'get_record: the post does not reference the uploaded blob')

    listed = client.com.atproto.repo.list_records({'repo': did, 'collection': POST, 'limit': 100})
    listed_uris = {r.uri for r in listed.records}
    check(all(u in listed_uris for u in uris), 'list_records: the new posts are missing')

    for uri in uris:
        client.com.atproto.repo.delete_record({'repo': did, 'collection': POST, 'rkey': rkey(uri)})

    # The SDK's own refresh, as Client._invoke runs it when the access token is within 15
    # minutes of its exp claim.
    before = client._session.access_jwt  # noqa: SLF001
    client._refresh_and_set_session()  # noqa: SLF001 - the SDK has no public refresh call
    check(events[-1] == SessionEvent.REFRESH, f'refresh: session events {events}')
    check(client._session.access_jwt != before, 'refresh: the access token did not change')  # noqa: SLF001
    check(client._session.did == did, 'refresh: the DID changed')  # noqa: SLF001
    still_on_agent('after refresh')

    after = client.com.atproto.repo.list_records({'repo': did, 'collection': POST, 'limit': 100})
    left = [r.uri for r in after.records if r.uri in uris]
    check(not left, f'after refresh: deleted posts are still listed: {left}')
    still_on_agent('at the end')

    summary = {
        'ok': True,
        'sdk': f'atproto=={version("atproto")}',
        'did': did,
        'uris': uris,
        'accessJwts': access_jwts,
        'refreshJwts': refresh_jwts,
    }
    print(json.dumps(summary, separators=(',', ':')))


if __name__ == '__main__':
    try:
        main()
    except ProofError as e:
        sys.exit(f'proof.py: FAILED: {e}')
    except AtProtocolError as e:
        response = getattr(e, 'response', None)
        detail = f'HTTP {response.status_code} {response.content}' if response is not None else repr(e)
        if e.__cause__ is not None:  # a transport failure (httpx) behind NetworkError / InvokeTimeoutError
            detail += f' <- {type(e.__cause__).__name__}: {e.__cause__}'
        sys.exit(f'proof.py: FAILED: {type(e).__name__}: {detail}')
    except Exception as e:  # noqa: BLE001 - any failure must be one clear line
        sys.exit(f'proof.py: FAILED: {type(e).__name__}: {e}')
