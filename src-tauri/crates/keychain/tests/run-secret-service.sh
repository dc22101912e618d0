#!/bin/sh
# Runs tests/secret_service.rs against a real Secret Service without touching the user's own:
# a private D-Bus session (dbus-run-session), a throwaway HOME and XDG_RUNTIME_DIR, and a
# gnome-keyring-daemon whose "login" collection is created and unlocked with a known password
# read from stdin. Needs the Debian packages dbus, gnome-keyring (and libdbus-1-dev,
# pkg-config to build). Extra arguments go to `cargo test`, e.g. `-- --nocapture`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)

# cargo and rustup must keep finding the real toolchain once HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/skyport-secret-service.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -p "$scratch/home" "$scratch/runtime"
chmod 700 "$scratch/runtime"

export HOME="$scratch/home"
export XDG_RUNTIME_DIR="$scratch/runtime"
export SKYPORT_TEST_KEYRING_PASSWORD="${SKYPORT_TEST_KEYRING_PASSWORD:-test-password}"
# Without a display the unlock prompt cannot open, so a locked collection answers at once
# (Locked) instead of waiting for a person. The "gcr-prompter: cannot open display" lines that
# the locked test makes are expected.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL

cd "$root"
# shellcheck disable=SC2016 # expanded by the inner shell
dbus-run-session -- sh -c '
    printf %s "$SKYPORT_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    SKYPORT_TEST_SECRET_SERVICE=1 exec cargo test -p skyport-keychain --test secret_service "$@"
' sh "$@"
