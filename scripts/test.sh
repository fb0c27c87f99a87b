#!/usr/bin/env bash
# Runs every test of Relay CRM on a fresh machine: installs what is missing,
# starts the services the tests need, then `cargo test --workspace`.
#
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh -- ARGS    extra arguments for `cargo test`
#
# Environment:
#   RELAY_TEST_POSTGRES  admin URL of a PostgreSQL server to create test
#                        databases on (default: find or start a local one)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_updated=""
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! have apt-get; then
        echo "missing packages ${missing[*]} and no apt-get: install them by hand" >&2
        return 1
    fi
    log "installing ${missing[*]}"
    if [ -z "$apt_updated" ]; then
        $SUDO apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- toolchain and build prerequisites -------------------------------------
have cargo || { echo "cargo not found: install Rust from rustup.rs" >&2; exit 1; }
apt_install pkg-config python3 python3-pip python3-venv
# The app's window tests: a virtual X server, input and screenshots; the
# keyring tests: a D-Bus session and gnome-keyring's Secret Service.
apt_install xvfb xdotool x11-utils imagemagick dbus dbus-x11 gnome-keyring \
    libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxrandr2 libxi6
# Two-step enrolment is checked as an authenticator sees it: zbarimg reads
# the QR code off a screenshot, oathtool makes the codes; xclip reads the
# recovery codes the dialog copied.
apt_install zbar-tools oathtool xclip
# The proxy test puts a real nginx in front of two servers. Debian starts
# its own nginx on port 80 when the package is installed: stop that one.
if ! dpkg -s nginx >/dev/null 2>&1; then
    apt_install nginx
    $SUDO nginx -s quit 2>/dev/null || true
fi

# The package test: Debian's validators, and cargo-deb to build the .debs.
apt_install lintian desktop-file-utils appstream systemd dpkg-dev curl
if ! have cargo-deb; then
    log "installing cargo-deb"
    cargo install -q --locked cargo-deb --version "^3.8"
fi

# --- SMTP sink for the real-mail test (aiosmtpd from PyPI) ------------------
PY=python3
if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
    log "installing aiosmtpd"
    $PY -m pip install -q aiosmtpd 2>/dev/null \
        || $PY -m pip install -q --break-system-packages aiosmtpd 2>/dev/null \
        || { $PY -m venv .venv-test && .venv-test/bin/pip install -q aiosmtpd && PY="$PWD/.venv-test/bin/python"; }
fi
export RELAY_TEST_PYTHON="$PY"

# --- schemathesis (PyPI): fuzzes the server against its OpenAPI document ---
if ! $PY -c 'import schemathesis' 2>/dev/null; then
    log "installing schemathesis"
    $PY -m pip install -q schemathesis 2>/dev/null \
        || $PY -m pip install -q --break-system-packages schemathesis 2>/dev/null \
        || { [ -x .venv-test/bin/python ] || $PY -m venv .venv-test; .venv-test/bin/pip install -q aiosmtpd schemathesis && PY="$PWD/.venv-test/bin/python"; }
    export RELAY_TEST_PYTHON="$PY"
fi

# --- PostgreSQL: use the one given, find a running one, or start one --------
pg_ready() { have pg_isready && pg_isready -q -h 127.0.0.1 -p 5432; }
if [ -z "${RELAY_TEST_POSTGRES:-}" ]; then
    if ! pg_ready; then
        apt_install postgresql postgresql-client
        if have pg_ctlcluster; then
            for version in $(ls /etc/postgresql 2>/dev/null); do
                $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
            done
        fi
        for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
    fi
    pg_ready || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
    if psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        export RELAY_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/postgres"
    else
        # A freshly installed server asks for a password over TCP: give the
        # postgres role one, for tests on this machine only.
        log "setting a local test password for the postgres role"
        $SUDO -u postgres psql -qc "ALTER USER postgres PASSWORD 'relay-test'" >/dev/null 2>&1 \
            || su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'relay-test'\"" >/dev/null
        export RELAY_TEST_POSTGRES="postgres://postgres:relay-test@127.0.0.1:5432/postgres"
    fi
fi
# Test databases of earlier runs.
if have psql; then
    for db in $(psql "$RELAY_TEST_POSTGRES" -Atc "select datname from pg_database where datname like 'relay_test_%'" 2>/dev/null); do
        psql "$RELAY_TEST_POSTGRES" -qc "drop database if exists $db" >/dev/null 2>&1 || true
    done
fi

# One target folder outside the clone: later runs on this machine (CI's
# fresh clones included) reuse what earlier ones built, as CI caches do. A
# cold machine builds everything once: one debug build serves clippy's
# dependencies, every test binary and the fuzzing server.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/relay-crm/target}"
LOGS="$CARGO_TARGET_DIR/test-logs"
mkdir -p "$LOGS"

# Snapshot goldens are rendered by tiny-skia with times in UTC.
export TZ=UTC ICED_TEST_BACKEND=tiny-skia ICED_BACKEND=tiny-skia

# --- style ------------------------------------------------------------------
log "cargo fmt --check"
cargo fmt --all -- --check
log "the dependency rule (scripts/check-layers.sh)"
bash scripts/check-layers.sh
log "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# --- tests ------------------------------------------------------------------
[ "${1:-}" = "--" ] && shift
log "cargo test (no session bus: the app must do without a keyring)"
set +e
smoke_status=1
pkg_status=1
env -u DBUS_SESSION_BUS_ADDRESS RELAY_TEST_KEYRING=absent \
    cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$LOGS/test-output.txt"
status=${PIPESTATUS[0]}

log "keyring tests with a real Secret Service (dbus-run-session + gnome-keyring)"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
keyring_home=$(mktemp -d)
HOME="$keyring_home" dbus-run-session -- bash -c '
    echo -n relay-test | gnome-keyring-daemon --components=secrets --daemonize --unlock >/dev/null
    export RELAY_TEST_KEYRING=present
    cargo test -p relay-core --test os_keyring && cargo test -p relay --test gui_keyring
' 2>&1 | grep -v "Failed to set fd limit" | tee "$LOGS/test-output-keyring.txt"
keyring_status=${PIPESTATUS[0]}
rm -rf "$keyring_home"

log "smoke test of the release build (what users run)"
cargo build --release -q -p relay
RELAY_APP_BINARY="$CARGO_TARGET_DIR/release/relay" env -u DBUS_SESSION_BUS_ADDRESS \
    cargo test -p relay --test smoke 2>&1 | tee "$LOGS/test-output-smoke.txt"
smoke_status=${PIPESTATUS[0]}

log "the .deb packages: built, validated, installed, started, removed"
cargo build --release -q -p relay-server
bash scripts/package-test.sh 2>&1 | tee "$LOGS/packages.txt"
pkg_status=${PIPESTATUS[0]}
if [ "$pkg_status" -eq 0 ]; then pkg_line="1 passed, 0 failed"; else pkg_line="0 passed, 1 failed"; fi
echo "test result: packages. $pkg_line" >"$LOGS/test-output-packages.txt"

log "schemathesis against the real server's OpenAPI document"
cargo build -q -p relay-server --bin relay-server
ST_MAX_TIME=${ST_MAX_TIME:-180} bash scripts/schemathesis.sh "$CARGO_TARGET_DIR/debug/relay-server" \
    "$PY -m schemathesis.cli" 2>&1 | tee "$LOGS/schemathesis.txt"
st_status=${PIPESTATUS[0]}
# One line for the totals below: every operation passed or it did not.
if [ "$st_status" -eq 0 ]; then st_line="1 passed, 0 failed"; else st_line="0 passed, 1 failed"; fi
echo "test result: schemathesis. $st_line" >"$LOGS/test-output-schemathesis.txt"
set -e

echo
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "all suites: %d passed, %d failed\n", p, f }' \
    "$LOGS/test-output.txt" "$LOGS/test-output-keyring.txt" "$LOGS/test-output-smoke.txt" \
    "$LOGS/test-output-schemathesis.txt" "$LOGS/test-output-packages.txt"
[ "$status" -eq 0 ] && [ "$pkg_status" -eq 0 ] && [ "$keyring_status" -eq 0 ] && [ "$smoke_status" -eq 0 ] && [ "$st_status" -eq 0 ]
