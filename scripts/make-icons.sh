#!/usr/bin/env bash
# Renders resources/icon.svg into every icon the packages install, and
# commits nothing itself: run it after changing the SVG, look at the PNGs,
# then commit them. Needs rsvg-convert (librsvg2-bin), icotool (icoutils)
# and png2icns (icnsutils).
#
#   resources/icons/hicolor/NxN/apps/relay-crm.png   Linux (hicolor theme)
#   resources/icons/hicolor/scalable/apps/relay-crm.svg
#   resources/windows/relay.ico                      Windows (16-256 px)
#   resources/macos/relay.icns                       macOS bundle
#   resources/icon.png                               the window's own icon
set -euo pipefail
cd "$(dirname "$0")/.."
svg=resources/icon.svg
out=resources/icons/hicolor
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$out/${size}x${size}/apps"
    rsvg-convert -w "$size" -h "$size" "$svg" -o "$out/${size}x${size}/apps/relay-crm.png"
done
mkdir -p "$out/scalable/apps"
cp "$svg" "$out/scalable/apps/relay-crm.svg"
cp "$out/256x256/apps/relay-crm.png" resources/icon.png

mkdir -p resources/windows resources/macos
icotool -c -o resources/windows/relay.ico \
    "$out"/{16x16,24x24,32x32,48x48,64x64,128x128}/apps/relay-crm.png \
    -r "$out/256x256/apps/relay-crm.png"
# png2icns knows 16, 32, 48, 128, 256 and 512.
png2icns resources/macos/relay.icns \
    "$out"/{16x16,32x32,48x48,128x128,256x256,512x512}/apps/relay-crm.png >/dev/null
