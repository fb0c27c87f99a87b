#!/usr/bin/env bash
# Builds the two Debian packages from the release build, checks them with
# Debian's own validators, installs them, starts what they installed and
# removes them again. Called by scripts/test.sh after the release smoke test
# (so `cargo deb --no-build` packs binaries already built); on its own:
#
#   cargo build --release -p relay -p relay-server && scripts/package-test.sh
#
# Needs root (dpkg -i), cargo-deb, lintian, desktop-file-utils, appstream,
# systemd (systemd-analyze), Xvfb: scripts/test.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
step() { printf '\n-- %s\n' "$*"; }
fail() { echo "package test FAILED: $*" >&2; exit 1; }
as_server() { if [ -z "$SUDO" ]; then runuser -u relay-server -- "$@"; else sudo -u relay-server "$@"; fi; }

debs="$CARGO_TARGET_DIR/debian"
rm -f "$debs"/relay-crm_*.deb "$debs"/relay-server_*.deb

step "cargo deb (the release binaries as built)"
cargo deb -p relay --no-build -q
cargo deb -p relay-server --no-build -q
app_deb=$(ls "$debs"/relay-crm_*.deb)
server_deb=$(ls "$debs"/relay-server_*.deb)

step "desktop-file-validate, appstreamcli validate"
desktop-file-validate packaging/linux/relay-crm.desktop
# --no-net: the screenshots' addresses are not fetched from CI.
appstreamcli validate --no-net packaging/linux/com.relaycrm.Relay.metainfo.xml

step "lintian (warnings fail too)"
lintian --fail-on error,warning "$app_deb" "$server_deb"

step "contents"
contents=$(dpkg-deb -c "$app_deb")
for path in ./usr/bin/relay ./usr/share/applications/relay-crm.desktop \
    ./usr/share/metainfo/com.relaycrm.Relay.metainfo.xml \
    ./usr/share/icons/hicolor/16x16/apps/relay-crm.png \
    ./usr/share/icons/hicolor/512x512/apps/relay-crm.png \
    ./usr/share/icons/hicolor/scalable/apps/relay-crm.svg; do
    grep -q " $path\$" <<<"$contents" || fail "$app_deb lacks $path"
done
contents=$(dpkg-deb -c "$server_deb")
for path in ./usr/bin/relay-server ./usr/lib/systemd/system/relay-server.service \
    ./usr/lib/sysusers.d/relay-server.conf ./etc/relay-server/relay-server.toml; do
    grep -q " $path\$" <<<"$contents" || fail "$server_deb lacks $path"
done

step "install both with dpkg -i"
# dpkg resolves nothing: what the packages declare comes first, from the
# distribution, as apt would fetch it.
needed=$(for deb in "$app_deb" "$server_deb"; do dpkg-deb -f "$deb" Depends; done \
    | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | sort -u)
missing=$(for pkg in $needed; do dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"; done)
if [ -n "$missing" ]; then
    # Package lists may be old on a machine that had all else installed.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null 2>&1 || {
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
    }
fi
$SUDO dpkg -i "$app_deb" "$server_deb" >/dev/null
[ -x /usr/bin/relay ] || fail "/usr/bin/relay not installed"
[ -x /usr/bin/relay-server ] || fail "/usr/bin/relay-server not installed"
# The installed metadata checked again where it landed, as software
# centres read it.
desktop-file-validate /usr/share/applications/relay-crm.desktop
appstreamcli validate --no-net /usr/share/metainfo/com.relaycrm.Relay.metainfo.xml

step "systemd-analyze verify and the unit's exposure"
unit=/usr/lib/systemd/system/relay-server.service
systemd-analyze verify "$unit"
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for relay-server.service: \([0-9.]*\).*/\1/p')
echo "exposure $exposure (0 best, 10 worst)"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e < 2.0) }' || fail "unit exposure $exposure, expected < 2"
getent passwd relay-server >/dev/null || fail "no relay-server system user"
[ "$(stat -c %G:%a /etc/relay-server/relay-server.toml)" = "relay-server:640" ] \
    || fail "relay-server.toml is not root:relay-server 0640"

step "the installed server runs as its user with the unit's command line"
state=$(mktemp -d)
chown relay-server:relay-server "$state"
chmod 700 "$state"
out=$(mktemp)
# The unit's ExecStart with the state folder of this test and port 0.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
cmd=${exec_start//\/var\/lib\/relay-server/$state}
as_server env RELAY_DELIVERY=outbox RELAY_LISTEN=127.0.0.1:0 $cmd >"$out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on' "$out" && break; sleep 0.1; done
addr=$(sed -n 's/^listening on //p' "$out")
[ -n "$addr" ] || { cat "$out"; fail "installed relay-server did not start"; }
health=$(curl -fsS "http://$addr/healthz") || fail "healthz failed"
# runuser does not pass the signal on: end the server itself as well.
kill "$server_pid"; pkill -TERM -f -- "--data-dir $state" || true
wait "$server_pid" 2>/dev/null || true
echo "healthz: $health"
[ "$(stat -c %U "$state/relay.db")" = relay-server ] || fail "database not owned by relay-server"
rm -rf "$state" "$out"

step "the installed app opens its first screen under Xvfb"
RELAY_APP_BINARY=/usr/bin/relay env -u DBUS_SESSION_BUS_ADDRESS \
    cargo test -q -p relay --test smoke

step "remove both cleanly"
$SUDO dpkg --purge relay-crm relay-server >/dev/null
for path in /usr/bin/relay /usr/bin/relay-server /usr/share/applications/relay-crm.desktop \
    "$unit" /etc/relay-server; do
    [ ! -e "$path" ] || fail "$path left after purge"
done
echo "packages: built, validated, installed, started and removed"
