#!/usr/bin/env bash
# Reproduces docs/results.md from the shipped models (world-fit teacher, its lift, the supervised reference, the
# estimator, the identity embedding and the Unsup3d baseline): the lift's report, then the comparison of every method
# on the same samples (eval compare, GAN2Shape on the first 8), appended as its last section; with --ablations also
# docs/ablations/: the five ablation lifts (full,
# wo_flip, wo_perturb, wo_idt, wo_rega; synth_64, 200 steps each, seed 1) of the same teacher, about 2 hours more on
# 2 CPU cores. Running it again resumes: finished ablation runs are not retrained, an interrupted one continues.
# The report alone took 13 minutes with --threads 1 on a 2-core AMD EPYC (Zen 5), 2026-12-05.
# Usage: scripts/make-results.sh [--threads N] [--ablations] [RUNS_DIR (default runs/ablations200)]
set -euo pipefail
cd "$(dirname "$0")/.."

threads=()
if [[ "${1:-}" == --threads ]]; then threads=(--threads "$2"); shift 2; fi
ablations=0
if [[ "${1:-}" == --ablations ]]; then ablations=1; shift; fi
runs="${1:-runs/ablations200}"
liftedgan=(dotnet run --project src/LiftedGan.Cli -c Release -- "${threads[@]}")
models=models
teacher="$models/stylegan2_world64.pt"
common=(--stylegan "$teacher" --estimator "$models/estimator_faces64.pt" --face-embedding "$models/identity_faces64.pt"
        --supervised "$models/reference/liftedgan_supervised64.pth" --eval-seed 1)

if [[ $ablations == 1 ]]; then
  "${liftedgan[@]}" eval ablations "${common[@]}" --preset synth_64 --steps 200 --seed 1 --ckpt-every 50 \
    --n-rec 256 --n-table2 500 --ds-groups 50 --ds-reference 500 --n-identity 50 --n-fid 500 --n-truth 256 --out "$runs"
  mkdir -p docs/ablations/plots
  cp "$runs/report.md" "$runs/report.csv" docs/ablations/
  cp "$runs"/plots/*.png docs/ablations/plots/
  report_ablations=(--ablations docs/ablations)
else
  report_ablations=()
fi

"${liftedgan[@]}" eval report --ckpt "$models/liftedgan_synth64.pth" "${common[@]}" \
  --n-rec 256 --n-table2 1000 --ds-groups 100 --ds-reference 1000 --n-identity 100 --n-fid 1000 --n-truth 500 --held-out 256 \
  "${report_ablations[@]}" --out docs/results.md

compare=runs/compare
"${liftedgan[@]}" eval compare --stylegan "$teacher" --ckpt "$models/liftedgan_synth64.pth" --unsup3d "$models/unsup3d_world64.pth" \
  --supervised "$models/reference/liftedgan_supervised64.pth" --face-embedding "$models/identity_faces64.pt" \
  --n 256 --n-gan2shape 8 --preset cpu --seed 1 --batch 8 \
  --cost 'lift=about 4.5 h: 5,750 steps, 4,000 at about 3 s a step then 1,750 in 69 min, one thread (models/README.md)' \
  --cost 'supervised=about 15 min: 2,000 steps (models/README.md)' --out "$compare"
{ printf '\n'; sed 's/^#/##/' "$compare/compare.md"; } >> docs/results.md
