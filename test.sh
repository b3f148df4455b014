#!/usr/bin/env bash
# The README's test command: restores, builds (the native libtorch fix is applied at first load) and runs every test.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test LiftedGan.slnx -c Release --logger "console;verbosity=minimal" "$@"
