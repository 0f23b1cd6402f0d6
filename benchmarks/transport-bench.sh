#!/bin/sh
# Transport throughput on the water 6 MV 10×10 validation case (issue 4): histories per second per core
# and efficiency 1/(σ²T) from summary.json, with 1 and 2 threads. CPU seconds come from the kernel's
# accounting of the process (so a loaded machine lowers wall-clock rates but not per-CPU-second ones).
# Usage: benchmarks/transport-bench.sh [histories]   (run from the package root after a release build)
set -eu
N=${1:-400000}
REF=${PENUMBRA_SHARED:-../shared}/reference
BIN=.build/release/penumbra
OUT=$(mktemp -d)
for T in 1 2; do
  /usr/bin/time -f "%U %S" -o "$OUT/time$T" "$BIN" simulate --phantom "$REF/phantoms/water.egsphant" \
    --spectrum "$REF/spectra/mohan6.spectrum" --field=-5,5,-5,5 --histories "$N" --seed 1 --threads "$T" \
    --out "$OUT/run$T" --log-level warning 2>/dev/null >/dev/null
  python3 - "$OUT/run$T/summary.json" "$OUT/time$T" "$T" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); u, k = map(float, open(sys.argv[2]).read().split()[-2:])
cpu = u + k; sigma = s["meanRelativeUncertaintyAboveHalfMax"]
print(f"threads {sys.argv[3]}: {s['histories']} histories, wall {s['seconds']:.1f} s, CPU {cpu:.1f} s, "
      f"{s['histories']/cpu:.0f} histories/s per CPU-second, {s['histories']/s['seconds']:.0f} histories/s wall, "
      f"σ(>50% max) {100*sigma:.2f} %, efficiency 1/(σ²T_cpu) {1/(sigma*sigma*cpu):.2f} s⁻¹, 1/(σ²T_wall) {s['efficiency']:.2f} s⁻¹")
PY
done
rm -rf "$OUT"
