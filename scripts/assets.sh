#!/usr/bin/env bash
# Fetch the pinned front-end packages from the npm registry and copy the
# files the console serves into web/static (committed and embedded).
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX=2.0.11
ECHARTS=6.1.0
NORMALIZE=3.0.1
AXE=4.14.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$HTMX" "echarts@$ECHARTS" "modern-normalize@$NORMALIZE" "axe-core@$AXE" >/dev/null)
for f in "$tmp"/*.tgz; do tar -xzf "$f" -C "$tmp" && mv "$tmp/package" "$tmp/$(basename "$f" .tgz)"; done
mkdir -p web/static/vendor internal/browsertest/testdata
cp "$tmp/htmx.org-$HTMX/dist/htmx.min.js" web/static/vendor/htmx.min.js
cp "$tmp/echarts-$ECHARTS/dist/echarts.min.js" web/static/vendor/echarts.min.js
cp "$tmp/modern-normalize-$NORMALIZE/modern-normalize.css" web/static/vendor/modern-normalize.css
cp "$tmp/axe-core-$AXE/axe.min.js" internal/browsertest/testdata/axe.min.js
cat > web/static/vendor/VERSIONS <<V
htmx.org $HTMX
echarts $ECHARTS
modern-normalize $NORMALIZE
axe-core $AXE (tests only: internal/browsertest/testdata)
V
echo "assets: htmx $HTMX, echarts $ECHARTS, modern-normalize $NORMALIZE, axe-core $AXE"
