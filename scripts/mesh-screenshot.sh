#!/usr/bin/env bash
# Renders an exported binary glTF (liftedgan export-mesh / demo meshes/*.glb) from yaw -40°, 0° and 40° with three.js
# in headless Chromium and writes a PNG: an independent viewer's picture of the mesh file itself.
# Usage: scripts/mesh-screenshot.sh MESH.glb OUT.png   (installs Debian chromium and three.js from npm if missing).
# Fails on any console message but WebGL driver performance notes (SwiftShader reports every ReadPixels stall).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 MESH.glb OUT.png" >&2; exit 2; }
mesh=$(realpath "$1"); out=$(realpath -m "$2")
[ -f "$mesh" ] || { echo "mesh-screenshot: $1: file not found" >&2; exit 1; }
here=$(cd "$(dirname "$0")/mesh-viewer" && pwd)
if ! command -v chromium >/dev/null; then
  sudo -n true 2>/dev/null && s=sudo || s=
  # A fresh machine's package lists may not know chromium yet: update them once and retry.
  $s apt-get install -y chromium >/dev/null 2>&1 || { $s apt-get update >/dev/null && $s apt-get install -y chromium >/dev/null; }
fi
[ -f "$here/node_modules/three/build/three.module.js" ] || (cd "$here" && npm install --silent --no-audit --no-fund)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$here/index.html" "$work/"; ln -s "$here/node_modules" "$work/node_modules"; cp "$mesh" "$work/mesh.glb"
log=$(chromium --headless --no-sandbox --disable-gpu --use-angle=swiftshader --enable-unsafe-swiftshader \
  --allow-file-access-from-files --virtual-time-budget=8000 --window-size=900,300 --screenshot="$out" \
  --enable-logging=stderr --v=0 "file://$work/index.html" 2>&1 || true)
if grep -E "CONSOLE|Uncaught|net::ERR_" <<<"$log" | grep -v "GL Driver Message" >&2; then echo "mesh-screenshot: the page logged errors" >&2; exit 1; fi
[ -s "$out" ] || { echo "mesh-screenshot: no screenshot written" >&2; exit 1; }
echo "mesh-screenshot: $1 -> $2"
