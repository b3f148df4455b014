#!/usr/bin/env bash
# Rewrites docs/cli.md (the option vocabulary and every command's description, arguments and options) from the
# command tree, through the CLI's hidden `cli-doc` command. CliReferenceTests fails when the committed page is stale.
# Usage: scripts/cli-doc.sh [OUT (default docs/cli.md)]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project src/LiftedGan.Cli -c Release -- cli-doc --out "${1:-docs/cli.md}"
