#!/bin/sh
# Runs tests/secret_service.rs against a real Secret Service (see .ci/with-keyring), ignored
# tests included. Extra arguments go to the test harness, e.g. `--nocapture`.
set -eu
root=$(cd "$(dirname "$0")/../../../.." && pwd)
exec "$root/.ci/with-keyring" cargo test -p skyport-keychain --test secret_service -- \
    --include-ignored --skip child_process_scenario "$@"
