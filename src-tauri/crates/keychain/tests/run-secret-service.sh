#!/bin/sh
# Runs tests/secret_service.rs against a real Secret Service (see .ci/with-keyring).
# Extra arguments go to `cargo test`, e.g. `-- --nocapture`.
set -eu
root=$(cd "$(dirname "$0")/../../../.." && pwd)
exec "$root/.ci/with-keyring" cargo test -p skyport-keychain --test secret_service "$@"
