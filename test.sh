#!/usr/bin/env bash
# The README's test command: restores, builds (the native libtorch fix is applied at first load) and runs every test.
set -euo pipefail
cd "$(dirname "$0")"
# libtorch's buffers on huge pages, as the CLI arranges for itself (docs/numerics.md; LIFTEDGAN_HUGEPAGES=0: off).
if [[ "${LIFTEDGAN_HUGEPAGES:-1}" != 0 && "${GLIBC_TUNABLES:-}" != *glibc.malloc.hugetlb=* ]]; then
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
fi
dotnet test LiftedGan.slnx -c Release --logger "console;verbosity=minimal" "$@"
