#!/usr/bin/env python3
"""Transport benchmark on the water 6 MV 10x10 validation case (issue 5), one run, ratios.

Reports per driver: histories per transport CPU-second (one thread), sigma (mean relative uncertainty of
the voxels above 50 % of D_max), efficiency 1/(sigma^2 T) with T the transport CPU seconds and with T the
whole process's CPU seconds, peak resident memory; the wall-clock speed-up of 2 threads over 1; heap
allocations per history after warm-up (uprobe on glibc malloc: needs root and perf, else "n/a");
instructions per history (perf stat; "n/a" on machines without hardware counters); and the efficiency
gain of each variance-reduction switch. Usage, from the package root after a release build:

    python3 benchmarks/transport-bench.py [histories]
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
REF = os.path.join(os.environ.get("PENUMBRA_SHARED", "../shared"), "reference")
BIN = ".build/release/penumbra"
OUT = tempfile.mkdtemp()
CASE = ["simulate", "--phantom", f"{REF}/phantoms/water.egsphant", "--spectrum", f"{REF}/spectra/mohan6.spectrum",
        "--field=-5,5,-5,5", "--ssd", "100", "--seed", "1", "--log-level", "warning"]


def simulate(name, histories, threads=1, extra=(), prefix=()):
    """Runs one simulation; returns its summary.json plus the process's CPU seconds."""
    out = os.path.join(OUT, name)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([*prefix, BIN, *CASE, "--histories", str(histories), "--threads", str(threads), "--out", out, *extra],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = json.load(open(os.path.join(out, "summary.json")))
    s["processCPUSeconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return s


def efficiency(s, seconds):
    sigma = s["meanRelativeUncertaintyAboveHalfMax"]
    return 1 / (sigma * sigma * seconds)


def perf_count(event, histories):
    """perf stat count of `event` for a run, or None when perf cannot count it here."""
    if shutil.which("perf") is None:
        return None
    log = os.path.join(OUT, "perf.txt")
    try:
        simulate("perf", histories, prefix=("perf", "stat", "-x,", "-e", event, "-o", log))
    except subprocess.CalledProcessError:
        return None
    for line in open(log):
        fields = line.split(",")
        if len(fields) > 2 and event in fields[2]:
            return int(fields[0]) if fields[0].isdigit() else None
    return None


def per_history(event, n1, n2):
    """(count(n2) - count(n1)) / (n2 - n1): the start-up and output cancel."""
    a, b = perf_count(event, n1), perf_count(event, n2)
    return None if a is None or b is None else (b - a) / (n2 - n1)


def malloc_probe():
    """The uprobe event on glibc malloc, created if missing (root only)."""
    libc = "/lib/x86_64-linux-gnu/libc.so.6"
    listed = subprocess.run(["perf", "probe", "-l"], capture_output=True, text=True) if shutil.which("perf") else None
    if listed is None:
        return None
    if "probe_libc:malloc" not in listed.stdout:
        made = subprocess.run(["perf", "probe", "-x", libc, "malloc"], capture_output=True, text=True)
        if made.returncode != 0:
            return None
    return "probe_libc:malloc"


print(f"transport benchmark: water 6 MV 10x10, {N} histories, load average {os.getloadavg()[0]:.1f} at start")
one = simulate("scalar1", N)
two = simulate("scalar2", N, threads=2)
rate = one["histories"] / one["transportCPUSeconds"]
print(f"scalar driver, 1 thread: {rate:.0f} histories per transport CPU-second; sigma {100 * one['meanRelativeUncertaintyAboveHalfMax']:.2f} %; "
      f"efficiency {efficiency(one, one['transportCPUSeconds']):.2f} /s (transport CPU), "
      f"{efficiency(one, one['processCPUSeconds']):.2f} /s (whole process CPU {one['processCPUSeconds']:.1f} s); "
      f"peak memory {one['peakResidentMB']:.0f} MB")
print(f"scalar driver, 2 threads: speed-up over 1 thread (transport wall) {one['seconds'] / two['seconds']:.2f}x, "
      f"CPU per history ratio {two['transportCPUSeconds'] / one['transportCPUSeconds']:.2f}; peak memory {two['peakResidentMB']:.0f} MB; "
      f"dose identical to 1 thread: {open(os.path.join(OUT, 'scalar1', 'dose.3ddose')).read() == open(os.path.join(OUT, 'scalar2', 'dose.3ddose')).read()}")
print("simd driver: not implemented yet (docs/performance.md, 'What is next')")
instructions = per_history("instructions", N // 10, N // 5)
print("instructions per history: " + (f"{instructions:.0f}" if instructions is not None else "n/a (no hardware counters on this machine)"))
probe = malloc_probe()
mallocs = per_history(probe, N // 10, N // 5) if probe else None
print("heap allocations per history after warm-up: " + (f"{mallocs:.2f}" if mallocs is not None else "n/a (needs root and perf uprobes)"))
for label, extra, n in [("photon splitting 20", ["--photon-splitting", "20"], N // 10),
                        ("photon splitting 4", ["--photon-splitting", "4"], N // 3),
                        ("photon splitting 4, no Russian roulette", ["--photon-splitting", "4", "--no-russian-roulette"], N // 5),
                        ("no range rejection", ["--no-range-rejection"], N)]:
    s = simulate("vr", n, extra=extra)
    gain = efficiency(s, s["transportCPUSeconds"]) / efficiency(one, one["transportCPUSeconds"])
    print(f"{label}: {n} histories, sigma {100 * s['meanRelativeUncertaintyAboveHalfMax']:.2f} %, "
          f"{s['histories'] / s['transportCPUSeconds']:.0f} histories/CPU-s, efficiency {efficiency(s, s['transportCPUSeconds']):.2f} /s, "
          f"gain over the default {gain:.2f}x")
shutil.rmtree(OUT)
