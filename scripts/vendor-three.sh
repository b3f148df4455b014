#!/usr/bin/env bash
# Rebuilds the viewer's vendored three.js (src/LiftedGan/Viewer/vendor/three-viewer.min.js): the pieces named in
# three-entry.js, from three (pinned) and its OrbitControls, bundled by esbuild (pinned) into one classic script that
# defines the global THREE, so the viewer page also runs when opened from disk (file://), where browsers refuse ES modules.
# Needs node/npm and the npm registry; the output is committed, so builds and the page never need either.
set -euo pipefail
three=0.187.0
esbuild=0.28.2
vendor="$(cd "$(dirname "$0")/.." && pwd)/src/LiftedGan/Viewer/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --ignore-scripts "three@$three" "esbuild@$esbuild"
cp "$vendor/three-entry.js" entry.js
node_modules/.bin/esbuild entry.js --bundle --format=iife --global-name=THREE --minify --legal-comments=inline \
  --target=es2020 --outfile="$vendor/three-viewer.min.js"
cp node_modules/three/LICENSE "$vendor/LICENSE-three.txt"
echo "vendor-three: three $three (esbuild $esbuild) -> $vendor/three-viewer.min.js ($(sha256sum "$vendor/three-viewer.min.js" | cut -c1-16)…)"
