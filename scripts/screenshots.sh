#!/usr/bin/env bash
# Takes the screenshots in docs/screenshots/ (both languages) by driving the
# debug app under Xvfb against its own demo server. Coordinates are those of
# the 1180×800 window with the Demo inbox on the right.
# Needs: Xvfb, xdotool, ImageMagick. Usage: scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p relay
OUT=docs/screenshots
mkdir -p "$OUT"
Xvfb :78 -screen 0 1180x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; pkill -f "target/debug/relay --demo" || true' EXIT
sleep 1
export DISPLAY=:78 ICED_BACKEND=tiny-skia
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
shot() { sleep "${2:-0.8}"; import -window root "$OUT/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
typein() { xdotool type --delay 40 "$1"; sleep 0.2; }
key() { xdotool key "$1"; sleep 0.4; }

for lang in en-US zh-CN; do
    tag=${lang%%-*}
    home=$(mktemp -d)
    # First start: the welcome screen.
    RELAY_APP_HOME=$home target/debug/relay --lang "$lang" >/dev/null 2>&1 &
    pid=$!
    xdotool search --sync --onlyvisible --name "Relay CRM" >/dev/null
    shot "$tag-01-welcome" 1.5
    kill $pid; sleep 0.5
    RELAY_APP_HOME=$home target/debug/relay --demo --lang "$lang" >/dev/null 2>&1 &
    win=$(xdotool search --sync --onlyvisible --name "Relay CRM" | head -1)
    xdotool windowfocus "$win" 2>/dev/null || true
    shot "$tag-02-sign-in" 4
    click 283 664; click 430 365; key Return
    shot "$tag-03-workspace" 1.5
    # The CRM workspace (tab positions differ with the language's words).
    if [ "$tag" = en ]; then deals=400; activities=475; customers=227; new=846; board=584
    else deals=340; activities=395; customers=218; new=860; board=553; fi
    click 100 152; shot "$tag-12-customer-detail"
    click "$deals" 24; click "$board" 84; shot "$tag-13-deals-board"
    click "$activities" 24; shot "$tag-14-activities"
    click "$customers" 24; click "$new" 84; key Return
    shot "$tag-15-customer-form-errors"
    key Escape; click "$customers" 24
    click 881 24; shot "$tag-04-avatar-menu"
    click 736 133; shot "$tag-05-personal-info"
    click 94 155; sleep 1
    typein 'Harbor-Lantern-47!'; key Tab
    typein 'Orbit-Cactus-93?'; key Tab
    typein 'Orbit-Cactus-93'
    shot "$tag-06-security-form"
    typein '?'; key Return
    shot "$tag-07-code-dialog" 2
    code=$(tail -n1 "$home/data/demo-server/outbox.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
    typein "$code"; key Return
    shot "$tag-08-password-changed" 1.5
    click 74 195; shot "$tag-09-preferences"
    click 53 234; shot "$tag-10-about"
    click 881 24; click 707 270
    shot "$tag-11-signed-out" 1
    pkill -f "target/debug/relay --demo" || true
    sleep 0.5
    rm -rf "$home"
done
echo "screenshots in $OUT"
