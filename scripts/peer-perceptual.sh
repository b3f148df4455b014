#!/usr/bin/env bash
# The perceptual network (VGG16 to relu4_3, random frozen features) in LiftedGan.NET and in PyTorch, timed in
# alternating fresh processes on the same machine: the peer comparison of docs/numerics.md. Needs Debian's
# python3-torch (apt-get install python3-torch); the product never needs Python. The peer runs twice a round: as is,
# and with the huge-page tunable our CLI sets for itself.
# Usage: scripts/peer-perceptual.sh [SIZE 256] [BATCH 8] [ROUNDS 3] [THREADS 2]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256} batch=${2:-8} rounds=${3:-3} threads=${4:-2}
python=${PYTHON:-/usr/bin/python3}
dotnet build src/LiftedGan.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/LiftedGan.Cli/bin/Release/net10.0/linux-x64/liftedgan.dll --threads "$threads")
log=$(mktemp)
for ((r = 1; r <= rounds; r++)); do
  "${cli[@]}" bench perceptual --size "$size" --batch "$batch" --repeats 3 | tee -a "$log"
  "$python" scripts/peer/perceptual_peer.py "$size" "$batch" 3 "$threads" | tee -a "$log"
  # The peer again with glibc's huge-page advice, which our CLI sets for itself (docs/numerics.md).
  GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$python" scripts/peer/perceptual_peer.py "$size" "$batch" 3 "$threads" | tee -a "$log"
done
# Medians over rounds of each side's forward and forward + backward times, and ours over the peer's.
times() { grep "^$1" "$log" | sed -E 's/.*: forward ([0-9.]+) ms, forward \+ backward ([0-9.]+) ms.*/\1 \2/'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ours=$(times "perceptual VGG16"); plain=$(times "peer PyTorch [^ ]* VGG16"); huge=$(times "peer PyTorch [^ ]* huge pages")
of=$(cut -d' ' -f1 <<<"$ours" | median); ob=$(cut -d' ' -f2 <<<"$ours" | median)
for peer in plain huge; do
  pf=$(cut -d' ' -f1 <<<"${!peer}" | median); pb=$(cut -d' ' -f2 <<<"${!peer}" | median)
  awk -v r="$rounds" -v p="$peer" -v of="$of" -v ob="$ob" -v pf="$pf" -v pb="$pb" 'BEGIN {
    printf "median over %d rounds, peer %s: forward ours %.1f ms / peer %.1f ms = %.2fx; forward + backward ours %.1f ms / peer %.1f ms = %.2fx\n", r, p, of, pf, of / pf, ob, pb, ob / pb }'
done
rm -f "$log"
