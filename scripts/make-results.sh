#!/usr/bin/env bash
# Reproduces docs/results.md and docs/ablations/ from the shipped models: trains the five ablation runs (full, wo_flip,
# wo_perturb, wo_idt, wo_rega; synth_64, 200 steps each, seed 1), evaluates them, then evaluates the shipped lift and
# writes the report with the ablation table embedded. About 2 hours on 2 CPU cores. Running it again resumes: finished
# runs are not retrained and an interrupted one continues from its last checkpoint.
# Usage: scripts/make-results.sh [RUNS_DIR (default runs/ablations200)]
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-runs/ablations200}"
liftedgan=(dotnet run --project src/LiftedGan.Cli -c Release --)
models=models

"${liftedgan[@]}" eval ablations --stylegan "$models/stylegan2_faces64.pt" --preset synth_64 --steps 200 --seed 1 --ckpt-every 50 \
  --face-embedding "$models/identity_faces64.pt" --estimator "$models/estimator_faces64.pt" \
  --n-rec 256 --n-table2 500 --ds-groups 50 --ds-reference 500 --n-identity 50 --n-fid 500 --eval-seed 1 --out "$runs"

mkdir -p docs/ablations/plots
cp "$runs/report.md" "$runs/report.csv" docs/ablations/
cp "$runs"/plots/*.png docs/ablations/plots/

"${liftedgan[@]}" eval report --ckpt "$models/liftedgan_synth64.pth" --stylegan "$models/stylegan2_faces64.pt" \
  --estimator "$models/estimator_faces64.pt" --face-embedding "$models/identity_faces64.pt" \
  --n-rec 256 --n-table2 1000 --ds-groups 100 --ds-reference 1000 --n-identity 100 --n-fid 1000 --held-out 256 \
  --eval-seed 1 --ablations docs/ablations --out docs/results.md
