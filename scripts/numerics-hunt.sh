#!/usr/bin/env bash
# Runs every training path N times in fresh processes with junk-filled allocations (LIFTEDGAN_JUNK_FILL=1: any read of
# uninitialised memory anywhere in libtorch gives NaN), at 2 threads, and reports any run that failed or saw a
# non-finite value. Usage: scripts/numerics-hunt.sh [N] [CLI_DLL]   (default 10 rounds, the Release build's CLI).
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
cli=${2:-src/LiftedGan.Cli/bin/Release/net10.0/linux-x64/liftedgan.dll}
teacher=models/stylegan2_world64.pt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LIFTEDGAN_JUNK_FILL=1
declare -A paths=(
  [stylegan-adversarial]="stylegan train --data faces --size 32 --style-dim 64 --n-mlp 2 --channels 4:64,8:32,16:32,32:16 --batch 8 --steps 20 --sample-every 0 --ckpt-every 0 --out RUN"
  [stylegan-world-fit]="stylegan train --objective world-fit --size 32 --style-dim 64 --n-mlp 2 --channels 4:64,8:32,16:32,32:16 --batch 8 --steps 20 --sample-every 0 --ckpt-every 0 --out RUN"
  [lift-with-composer-warm-start]="lift --stylegan $teacher --preset synth_64 --epochs 1 --epoch-size 5 --batch 4 --ckpt-every 0 --out RUN"
  [estimator]="eval train-estimator --steps 20 --batch 8 --size 64 --held-out 16 --out RUN/estimator.pt"
  [identity]="identity train --identities 16 --views 4 --steps 20 --batch 16 --size 32 --out RUN/identity.pt"
)
failures=0
for round in $(seq 1 "$rounds"); do
  for name in $(printf '%s\n' "${!paths[@]}" | sort); do
    run="$work/$name-$round"
    mkdir -p "$run"
    args=${paths[$name]//RUN/$run}
    start=$(date +%s)
    # shellcheck disable=SC2086
    dotnet "$cli" --threads 2 $args > "$run.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc -ne 0 ] || grep -qE "NaN|not finite|non-finite|Infinity" "$run.log"; then
      failures=$((failures + 1))
      echo "round $round $name: FAILED (exit $rc, ${secs}s)"; tail -5 "$run.log" | sed 's/^/    /'
    else
      echo "round $round $name: ok (${secs}s)"
    fi
    rm -rf "$run"
  done
done
echo "numerics hunt: $rounds rounds x ${#paths[@]} training paths, $failures failed ($(date -u +%Y-%m-%d), $(nproc) CPUs)"
exit $(( failures > 0 ))
