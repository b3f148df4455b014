#!/usr/bin/env bash
# Reproduces docs/results.md from the shipped models (world-fit teacher, its lift, the supervised reference, the
# estimator, the identity embedding and the Unsup3d baseline): the lift's report, then the comparison of every method
# on the same samples (eval compare, GAN2Shape on the first 8), appended as its last section; with --ablations also
# docs/ablations/: the five ablation lifts (full,
# wo_flip, wo_perturb, wo_idt, wo_rega; synth_64, 200 steps each, seed 1) of the same teacher, about 2 hours more on
# 2 CPU cores. Running it again resumes: finished ablation runs are not retrained, an interrupted one continues.
# The report alone took 13 minutes with --threads 1 on a 2-core AMD EPYC (Zen 5), 2026-12-05.
# With the real-face pair in models/ (stylegan2_lfw64.pt, liftedgan_lfw64.pth) it also appends the real-face section:
# the lift's pose against the FSA-Net judge (eval pose) and identity under rotation with the LFW embedding
# (eval identity-yaw; its plot goes to docs/images/real-faces/).
# --real-faces-only regenerates only that last section (replacing it in docs/results.md), for a new real-face pair.
# With shipped control models (models/control_disco64.pt, models/control_taxfree64.pt) a section on controlled generation
# comes before it: the disentanglement score (eval ds) of the world, the models and the code-ignoring floor, beside the
# papers' numbers;
# --control-only regenerates only that section in place; --compare-only only the comparison of methods, in place.
# Usage: scripts/make-results.sh [--threads N] [--ablations | --real-faces-only | --control-only | --compare-only] [RUNS_DIR (default runs/ablations200)]
set -euo pipefail
cd "$(dirname "$0")/.."

threads=()
if [[ "${1:-}" == --threads ]]; then threads=(--threads "$2"); shift 2; fi
ablations=0
real_only=0
control_only=0
compare_only=0
if [[ "${1:-}" == --ablations ]]; then ablations=1; shift; fi
if [[ "${1:-}" == --compare-only ]]; then compare_only=1; shift; fi
if [[ "${1:-}" == --real-faces-only ]]; then real_only=1; shift; fi
if [[ "${1:-}" == --control-only ]]; then control_only=1; shift; fi
runs="${1:-runs/ablations200}"
liftedgan=(dotnet run --project src/LiftedGan.Cli -c Release -- "${threads[@]}")
models=models
teacher="$models/stylegan2_world64.pt"
common=(--stylegan "$teacher" --estimator "$models/estimator_faces64.pt" --face-embedding "$models/identity_faces64.pt"
        --supervised "$models/reference/liftedgan_supervised64.pth" --eval-seed 1)

real_heading='## Real faces: the LFW teacher and its lift'
control_heading='## Controlled generation: disentanglement of the shipped control models'
compare_heading='## Methods compared on exact truth'

# The comparison of every method on the same samples (eval compare), written to $1 as a results.md section.
compare_section() {
  local out="$1" compare=runs/compare
  "${liftedgan[@]}" eval compare --stylegan "$teacher" --ckpt "$models/liftedgan_synth64.pth" --unsup3d "$models/unsup3d_world64.pth" \
    --supervised "$models/reference/liftedgan_supervised64.pth" --face-embedding "$models/identity_faces64.pt" \
    --n 256 --n-gan2shape 8 --preset cpu --gan2shape-init "$models/gan2shape_joint64.pth" --seed 1 --batch 8 \
    --cost 'lift=about 5 h 40 min: 8,000 steps, 4,000 at about 3 s a step then 4,000 in 140 min, one thread (models/README.md)' \
    --cost 'supervised=about 15 min: 2,000 steps (models/README.md)' --out "$compare"
  { printf '\n'; sed 's/^#/##/' "$compare/compare.md"; } > "$out"
}

# Replaces the section of docs/results.md that starts with heading $1 by the file $2 (which starts with a blank line
# and the heading), from the blank line before the heading to the blank line before the next section or the end; a
# missing section is inserted before the heading $3 when it exists, else appended.
replace_section() {
  local heading="$1" section="$2" before="${3:-}" start next line
  start=$(grep -n -m1 -F "$heading" docs/results.md | cut -d: -f1 || true)
  if [[ -n "$start" ]]; then
    next=$(tail -n +$((start + 1)) docs/results.md | grep -n -m1 '^## ' | cut -d: -f1 || true)
    { head -n $((start - 2)) docs/results.md; cat "$section"
      if [[ -n "$next" ]]; then printf '\n'; tail -n +$((start + next)) docs/results.md; fi; } > docs/results.md.tmp
  else
    line=$([[ -n "$before" ]] && grep -n -m1 -F "$before" docs/results.md | cut -d: -f1 || true)
    if [[ -n "$line" ]]; then
      { head -n $((line - 2)) docs/results.md; cat "$section"; printf '\n'; tail -n +"$line" docs/results.md; } > docs/results.md.tmp
    else
      { cat docs/results.md; cat "$section"; } > docs/results.md.tmp
    fi
  fi
  mv docs/results.md.tmp docs/results.md
}

# The controlled-generation section, written to $1 (empty when no control model is shipped).
control_section() {
  local out="$1" ds=runs/control-ds controls=()
  : > "$out"
  for model in "$models/control_disco64.pt" "$models/control_taxfree64.pt"; do
    [[ -f "$model" ]] && controls+=(--control "$model")
  done
  [[ ${#controls[@]} -gt 0 ]] || return 0
  local ds_cmd=(eval ds "${controls[@]}" --estimator "$models/estimator_faces64.pt" --face-embedding "$models/identity_faces64.pt"
                --expression-estimator "$models/expression_faces64.pt" --ds-groups 16 --ds-per-group 5 --ds-reference 80 --seeds 3 --out "$ds")
  "${liftedgan[@]}" "${ds_cmd[@]}" > /dev/null
  {
    printf '\n%s\n\n' "$control_heading"
    printf 'DiscoFaceGAN'"'"'s disentanglement score (Table 1 sense: vary one factor of the code, re-estimate every factor\n'
    printf 'from the images, DS = product of the varied factor'"'"'s spread over each other factor'"'"'s), for the face model'"'"'s own\n'
    printf 'renders (the ceiling), the shipped DiscoFaceGAN and Tax-free models (models/control_disco64.pt and\n'
    printf 'models/control_taxfree64.pt: both the generator fitted to the face model'"'"'s render of its code, DiscoFaceGAN'"'"'s with\n'
    printf 'the exact expression term too, without the papers'"'"' second stages; models/README.md) and a generator that ignores\n'
    printf 'its code (the floor), mean ± std over 3 seeds; the command is the first line:\n\n'
    cat "$ds/ds_table.md"
    printf '\nThe papers'"'"' numbers (256 px FFHQ; factors re-estimated by Deng et al.'"'"'s 3DMM reconstruction network,\n'
    printf 'spreads normalised on FFHQ): DiscoFaceGAN Table 1, full model: DS identity 7.85, expression 80.4, illumination\n'
    printf '489, pose 36.7; Tax-free Table 1 (its own normalisation): Tax-free 1.02 / 3.22 / 48.7 / 1245, DiscoFaceGAN\n'
    printf '0.37 / 1.64 / 47.9 / 829. What differs: here the face model is this project'"'"'s procedural world at 64 px (not the\n'
    printf 'Basel Face Model on FFHQ), the factors are re-estimated by this project'"'"'s estimators (pose and light from the\n'
    printf 'pose-and-depth estimator, expression from the expression estimator, identity from the face embedding), with\n'
    printf '16 groups of 5 and 80 reference images; the papers'"'"' two normalisations already differ by orders of magnitude for the\n'
    printf 'same model, so only the order against the ceiling and the floor of the same table carries over.\n'
  } > "$out"
}

if [[ $control_only == 1 || $compare_only == 1 ]]; then
  section=$(mktemp)
  if [[ $control_only == 1 ]]; then
    control_section "$section"
    replace_section "$control_heading" "$section" "$real_heading"
  else
    compare_section "$section"
    replace_section "$compare_heading" "$section" "$control_heading"
  fi
  rm -f "$section"
  exit 0
fi

if [[ $real_only == 1 ]]; then
  # Everything from the real-face heading to the end of the file (it is the last section) is rewritten below.
  line=$(grep -n -m1 -F "$real_heading" docs/results.md | cut -d: -f1 || true)
  if [[ -n "$line" ]]; then head -n $((line - 2)) docs/results.md > docs/results.md.tmp && mv docs/results.md.tmp docs/results.md; fi
elif [[ $ablations == 1 ]]; then
  "${liftedgan[@]}" eval ablations "${common[@]}" --preset synth_64 --steps 200 --seed 1 --ckpt-every 50 \
    --n-rec 256 --n-table2 500 --ds-groups 50 --ds-reference 500 --n-identity 50 --n-fid 500 --n-truth 256 --out "$runs"
  mkdir -p docs/ablations/plots
  cp "$runs/report.md" "$runs/report.csv" docs/ablations/
  cp "$runs"/plots/*.png docs/ablations/plots/
  report_ablations=(--ablations docs/ablations)
else
  report_ablations=()
fi

if [[ $real_only == 0 ]]; then
"${liftedgan[@]}" eval report --ckpt "$models/liftedgan_synth64.pth" "${common[@]}" \
  --n-rec 256 --n-table2 1000 --ds-groups 100 --ds-reference 1000 --n-identity 100 --n-fid 1000 --n-truth 500 --held-out 256 \
  "${report_ablations[@]}" --out docs/results.md

section=$(mktemp)
compare_section "$section"
cat "$section" >> docs/results.md
section=$(mktemp)
control_section "$section"
cat "$section" >> docs/results.md
rm -f "$section"
fi

real_teacher="$models/stylegan2_lfw64.pt"
real_lift="$models/liftedgan_lfw64.pth"
if [[ -f "$real_teacher" && -f "$real_lift" ]]; then
  real=runs/real-faces
  mkdir -p "$real" docs/images/real-faces
  json_number() { grep -m1 "\"$1\"" "$models/identity_lfw64.json" | sed 's/.*: *\([-0-9.eE]*\).*/\1/'; }
  pose_cmd=(eval pose --judge "$models/judges/fsanet-1x1-iter-688590.onnx" "$models/judges/fsanet-var-iter-688590.onnx"
            --ckpt "$real_lift" --stylegan "$real_teacher" --n 500 --seed 1 --save-json "$real/pose.json")
  identity_cmd=(eval identity-yaw --ckpt "$real_lift" --stylegan "$real_teacher" --face-embedding "$models/identity_lfw64.pt"
                --n 100 --seed 1 --out "$real/identity")
  "${liftedgan[@]}" "${pose_cmd[@]}" > "$real/pose.txt"
  "${liftedgan[@]}" "${identity_cmd[@]}" > "$real/identity.txt"
  cp "$real/identity/similarity.png" docs/images/real-faces/identity-yaw.png
  {
    printf '\n%s\n\n' "$real_heading"
    printf 'Pose of the lift against an independent judge (FSA-Net, trained on real photographs; its published error on\n'
    printf 'AFLW2000 is yaw 4.64°, pitch 6.10°, roll 4.79°), on 500 samples of the LFW teacher:\n\n'
    printf '```\n$ liftedgan %s\n' "${pose_cmd[*]}"
    grep -v '^->' "$real/pose.txt"
    printf '```\n\nIdentity under rotation: cosine of the LFW face embedding (models/identity_lfw64.pt) between each\n'
    printf "face's lifted rendering at yaw 0 and at each yaw, beside the flat card (the lift's own frontal image on a plane,\n"
    printf 'turned the same way: the constant-shape answer); 100 faces. For scale, this embedding gives two photos of the\n'
    printf 'same held-out person %.2f and of different people %.2f on average (models/identity_lfw64.json):\n\n' \
      "$(json_number SameIdentityCosine)" "$(json_number DifferentIdentityCosine)"
    printf '```\n$ liftedgan %s\n' "${identity_cmd[*]}"
    grep -v '^->' "$real/identity.txt"
    printf '```\n\n![identity under rotation](images/real-faces/identity-yaw.png)\n'
  } >> docs/results.md
fi
