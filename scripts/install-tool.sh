#!/usr/bin/env bash
# Packs the CLI as a .NET tool (package `liftedgan`, linux-x64, with libtorch and the shipped models inside) and
# installs it, so that `liftedgan` is on the PATH.
# Usage: scripts/install-tool.sh [--tool-path DIR]   (default: a global tool in ~/.dotnet/tools, which must be on the PATH)
# An installed copy is replaced. Packing compresses libtorch (about 500 MB) and takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
where=(--global)
[[ "${1:-}" == "--tool-path" ]] && where=(--tool-path "${2:?--tool-path needs a folder}")
pkg="$(mktemp -d)"
trap 'rm -rf "$pkg"' EXIT
dotnet pack src/LiftedGan.Cli -c Release -o "$pkg"
version="$(basename "$(ls "$pkg"/liftedgan.[0-9]*.nupkg)" .nupkg)"
version="${version#liftedgan.}"
# Only the packed folder as a source: the exact version just packed, and no network needed.
cat > "$pkg/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="liftedgan" value="$pkg" /></packageSources></configuration>
XML
dotnet tool uninstall "${where[@]}" liftedgan >/dev/null 2>&1 || true
dotnet tool install "${where[@]}" --configfile "$pkg/nuget.config" --version "$version" liftedgan
echo "installed: run 'liftedgan info' (global tools live in ~/.dotnet/tools; add it to the PATH if the shell does not find liftedgan)"
