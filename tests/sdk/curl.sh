#!/usr/bin/env bash
# Proof that plain curl works through the Skyport agent: the program's key goes straight
# into `Authorization: Bearer`, no session needed.
#
#   SKYPORT_AGENT_URL  the agent, e.g. http://127.0.0.1:PORT
#   ATP_AUTH_HANDLE    handle or DID of the account
#   ATP_AUTH_PASSWORD  the program's key, skp_...
#
# Prints each answer on its own line; exits non-zero (curl's --fail-with-body) on any
# HTTP error. The post it makes is deleted again at the end.
set -euo pipefail
: "${SKYPORT_AGENT_URL:?is not set}" "${ATP_AUTH_HANDLE:?is not set}" "${ATP_AUTH_PASSWORD:?is not set}"
AGENT=$SKYPORT_AGENT_URL KEY=$ATP_AUTH_PASSWORD REPO=$ATP_AUTH_HANDLE
curl() { command curl -sS --fail-with-body "$@"; echo; }

# --- the lines for the README ----------------------------------------------------------
# A query:
curl -H "Authorization: Bearer $KEY" "$AGENT/xrpc/com.atproto.repo.describeRepo?repo=$REPO"

# A procedure:
post=$(curl -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"repo":"'"$REPO"'","collection":"app.bsky.feed.post",
       "record":{"text":"Hello from curl","createdAt":"'"$(date -u +%FT%TZ)"'"}}' \
  "$AGENT/xrpc/com.atproto.repo.createRecord")
echo "$post"
# ----------------------------------------------------------------------------------------

# Clean up: delete the post again (its rkey is the last segment of the returned URI).
rkey=$(sed -n 's|.*"uri":"at://[^"]*/app\.bsky\.feed\.post/\([^"]*\)".*|\1|p' <<<"$post")
[ -n "$rkey" ] || { echo "curl.sh: FAILED: createRecord returned no post URI" >&2; exit 1; }
curl -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"repo":"'"$REPO"'","collection":"app.bsky.feed.post","rkey":"'"$rkey"'"}' \
  "$AGENT/xrpc/com.atproto.repo.deleteRecord"
