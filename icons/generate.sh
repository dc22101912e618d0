#!/bin/sh
# Regenerates the PNG icons from icon.svg (headless Chromium renders the SVG; ImageMagick resizes).
set -eu
cd "$(dirname "$0")"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
  --default-background-color=00000000 --window-size=1024,1024 --screenshot=/tmp/skyport-icon.png "file://$PWD/icon.svg"
for s in 32 64 128 256 512; do convert /tmp/skyport-icon.png -resize "${s}x${s}" "PNG32:${s}x${s}.png"; done
cp 256x256.png 128x128@2x.png
cp 512x512.png icon.png
