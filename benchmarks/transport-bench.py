#!/usr/bin/env python3
"""Transport benchmark on the water 6 MV 10x10 validation case (issue 5), one run, ratios.

Reports for the scalar and the SIMD (event-based) driver side by side: histories per transport CPU-second (one thread), sigma (mean relative uncertainty of
the voxels above 50 % of D_max), efficiency 1/(sigma^2 T) with T the transport CPU seconds and with T the
whole process's CPU seconds, peak resident memory; the wall-clock speed-up of 2 threads over 1; heap
allocations per history after warm-up (uprobe on glibc malloc: needs root and perf, else "n/a");
instructions per history (perf stat; "n/a" on machines without hardware counters); and the efficiency
gain of each variance-reduction switch. Usage, from the package root after a release build:

    python3 benchmarks/transport-bench.py [histories]

PENUMBRA_BENCH_BINARY names the binary measured (default .build/release/penumbra).
With PENUMBRA_BENCH_BEFORE=/path/to/an/older/penumbra it also runs that binary, one thread, both drivers,
interleaved with this build in PENUMBRA_BENCH_PAIRS (default 3) pairs, and reports after/before ratios of
the transport CPU time and whether the dose files are identical: a change measured in one run.

The variance-reduction switches are measured against the default in PENUMBRA_BENCH_VR_PAIRS (default 3)
interleaved pairs at about equal CPU time; PENUMBRA_BENCH_VR_ONLY=1 runs only those.

The 2-thread speed-up is split as the cluster's `scaling` benchmark splits a job, from summary.json's
busyThreadSeconds (thread time spent running histories) and seconds (the timed part):
wall(1) / wall(2) = parallel factor x machine factor, where the parallel factor = 2 x (busy share of thread
time with 2 threads) / (with 1) is what the engine allows (serial parts between the parallel phases, threads
idling at a round's end) and the machine factor = (histories per busy thread-second with 2 threads) / (with
1) is what a second busy core costs the first on this machine (other load, shared caches). The parallel
factor is what a shared VM cannot spoil. PENUMBRA_BENCH_SCALING_PAIRS (default 1) interleaved 1-/2-thread
pairs per driver; with PENUMBRA_BENCH_BEFORE set they run for the older binary too, interleaved, where it
records busyThreadSeconds. PENUMBRA_BENCH_SCALING_ONLY=1 stops after the scaling pairs.
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
BIN = os.environ.get("PENUMBRA_BENCH_BINARY", ".build/release/penumbra")
OUT = tempfile.mkdtemp()
CASE = ["simulate", "--phantom", f"{REF}/phantoms/water.egsphant", "--spectrum", f"{REF}/spectra/mohan6.spectrum",
        "--field=-5,5,-5,5", "--ssd", "100", "--seed", "1", "--log-level", "warning"]
# The plain transport, whatever `simulate`'s default splitting (4 since session 9): the drivers, the before/after
# pairs (older binaries defaulted to 1) and the variance-reduction gains are all relative to it.
CASE += ["--photon-splitting", "1"]


def simulate(name, histories, threads=1, extra=(), prefix=(), driver="scalar", binary=BIN):
    """Runs one simulation; returns its summary.json plus the process's CPU seconds."""
    out = os.path.join(OUT, name)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([*prefix, binary, *CASE, "--histories", str(histories), "--threads", str(threads), "--out", out,
                    "--driver", driver, *extra],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = json.load(open(os.path.join(out, "summary.json")))
    s["processCPUSeconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return s


def efficiency(s, seconds):
    sigma = s["meanRelativeUncertaintyAboveHalfMax"]
    return 1 / (sigma * sigma * seconds)


def perf_count(event, histories, driver):
    """perf stat count of `event` for a run, or None when perf cannot count it here."""
    if shutil.which("perf") is None:
        return None
    log = os.path.join(OUT, "perf.txt")
    try:
        simulate("perf", histories, prefix=("perf", "stat", "-x,", "-e", event, "-o", log), driver=driver)
    except subprocess.CalledProcessError:
        return None
    for line in open(log):
        fields = line.split(",")
        if len(fields) > 2 and event in fields[2]:
            return int(fields[0]) if fields[0].isdigit() else None
    return None


def per_history(event, n1, n2, driver):
    """(count(n2) - count(n1)) / (n2 - n1): the start-up and output cancel."""
    a, b = perf_count(event, n1, driver), perf_count(event, n2, driver)
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


# Variance reduction: each setting against the default in PENUMBRA_BENCH_VR_PAIRS interleaved pairs (default 3),
# the setting's run shortened to about the default's CPU time; gain = its efficiency over the default's in the
# same pair (T = transport CPU; the whole process's in brackets), median and range over the pairs.
def variance_reduction():
    VR_PAIRS = int(os.environ.get("PENUMBRA_BENCH_VR_PAIRS", "3"))
    for label, extra, n in [("photon splitting 2", ["--photon-splitting", "2"], N // 2),
                            ("photon splitting 3", ["--photon-splitting", "3"], N // 2),
                            ("photon splitting 4 (simulate's default)", ["--photon-splitting", "4"], N // 3),
                            ("photon splitting 6", ["--photon-splitting", "6"], N // 4),
                            ("photon splitting 20", ["--photon-splitting", "20"], N // 10),
                            ("photon splitting 3, no Russian roulette", ["--photon-splitting", "3", "--no-russian-roulette"], N // 3),
                            ("no range rejection", ["--no-range-rejection"], N)]:
        gains, process_gains, rates = [], [], []
        for p in range(VR_PAIRS):
            base = simulate("vr-default", N)
            s = simulate("vr", n, extra=extra)
            gains.append(efficiency(s, s["transportCPUSeconds"]) / efficiency(base, base["transportCPUSeconds"]))
            process_gains.append(efficiency(s, s["processCPUSeconds"]) / efficiency(base, base["processCPUSeconds"]))
            rates.append(s["histories"] / s["transportCPUSeconds"])
        med = lambda xs: sorted(xs)[len(xs) // 2]
        print(f"{label}: {n} histories, sigma {100 * s['meanRelativeUncertaintyAboveHalfMax']:.2f} % (default at {N}: "
              f"{100 * base['meanRelativeUncertaintyAboveHalfMax']:.2f} %), {med(rates):.0f} histories/CPU-s, gain over the default "
              f"{med(gains):.2f}x (range {min(gains):.2f}-{max(gains):.2f}, {VR_PAIRS} interleaved pairs; whole process "
              f"{med(process_gains):.2f}x)")


print(f"transport benchmark: water 6 MV 10x10, {N} histories, load average {os.getloadavg()[0]:.1f} at start")
# PENUMBRA_BENCH_VR_ONLY=1: only the variance-reduction pairs at the end.
if os.environ.get("PENUMBRA_BENCH_VR_ONLY") == "1":
    variance_reduction()
    shutil.rmtree(OUT)
    sys.exit(0)
runs = {}
# Interleaved, so that a change of the machine's load hits both drivers alike.
for threads in (1, 2):
    for driver in ("scalar", "simd"):
        runs[driver, threads] = simulate(f"{driver}{threads}", N, threads=threads, driver=driver)


def same_dose(a, b):
    return open(os.path.join(OUT, a, "dose.3ddose")).read() == open(os.path.join(OUT, b, "dose.3ddose")).read()


def scaling(a, b):
    """(wall speed-up, parallel factor, machine factor, 2-thread serial share, 2-thread idle share) of a
    1-thread run a and a 2-thread run b, or None when the binary does not record busyThreadSeconds."""
    if a.get("busyThreadSeconds") is None or b.get("busyThreadSeconds") is None:
        return None
    share = lambda s: s["busyThreadSeconds"] / (s["threads"] * s["seconds"])
    serial = 1 - b["parallelSeconds"] / b["seconds"]
    idle = (b["threads"] * b["parallelSeconds"] - b["busyThreadSeconds"]) / (b["threads"] * b["seconds"])
    return (a["seconds"] / b["seconds"], 2 * share(b) / share(a), a["busyThreadSeconds"] / b["busyThreadSeconds"],
            serial, idle)


def scaling_text(f):
    return "n/a (binary without busyThreadSeconds)" if f is None else (
        f"wall {f[0]:.3f}x = parallel factor {f[1]:.3f} x machine factor {f[2]:.3f} "
        f"(2 threads: {100 * f[3]:.1f} % of the wall serial, {100 * f[4]:.1f} % of thread time idle in the parallel phases)")


def tally_text(s):
    """One thread's tally memory from summary.json (binaries before session 9 do not write it)."""
    t = s.get("tallyBytesPerThread")
    return "" if t is None else (f", tally {t / 2**20:.1f} MiB per thread "
                                 f"({s['tallyTouchedBytesPerThread'] / 2**20:.1f} MiB of it written)")


one = runs["scalar", 1]
for driver in ("scalar", "simd"):
    a, b = runs[driver, 1], runs[driver, 2]
    rate = a["histories"] / a["transportCPUSeconds"]
    print(f"{driver} driver, 1 thread: {rate:.0f} histories per transport CPU-second; sigma {100 * a['meanRelativeUncertaintyAboveHalfMax']:.2f} %; "
          f"efficiency {efficiency(a, a['transportCPUSeconds']):.2f} /s (transport CPU), "
          f"{efficiency(a, a['processCPUSeconds']):.2f} /s (whole process CPU {a['processCPUSeconds']:.1f} s); "
          f"peak memory {a['peakResidentMB']:.0f} MB{tally_text(a)}")
    print(f"{driver} driver, 2 threads over 1: {scaling_text(scaling(a, b))}; "
          f"CPU per history ratio {b['transportCPUSeconds'] / a['transportCPUSeconds']:.2f}; peak memory {b['peakResidentMB']:.0f} MB{tally_text(b)}; "
          f"dose identical to 1 thread: {same_dose(f'{driver}1', f'{driver}2')}")
OLD = os.environ.get("PENUMBRA_BENCH_BEFORE")
SCALING_PAIRS = int(os.environ.get("PENUMBRA_BENCH_SCALING_PAIRS", "1"))
if SCALING_PAIRS > 1 or OLD:
    for driver in ("scalar", "simd"):
        found = {}
        for p in range(SCALING_PAIRS):
            for label, binary in (("before", OLD), ("after", BIN)):
                if binary is None:
                    continue
                a = simulate(f"{label}-{driver}-1", N, threads=1, driver=driver, binary=binary)
                b = simulate(f"{label}-{driver}-2", N, threads=2, driver=driver, binary=binary)
                f = scaling(a, b)
                print(f"  {driver} driver, {label}, pair {p + 1}: {scaling_text(f)}; dose 2 threads = 1 thread: "
                      f"{same_dose(f'{label}-{driver}-1', f'{label}-{driver}-2')}")
                if f is not None:
                    found.setdefault(label, []).append(f)
        for label, fs in found.items():
            med = lambda i: sorted(x[i] for x in fs)[len(fs) // 2]
            print(f"{driver} driver, {label}, median of {len(fs)} pairs: wall {med(0):.3f}x, parallel factor {med(1):.3f} "
                  f"(range {min(x[1] for x in fs):.3f}-{max(x[1] for x in fs):.3f}), machine factor {med(2):.3f}, "
                  f"2-thread serial {100 * med(3):.1f} %, idle {100 * med(4):.1f} %")
        if OLD:
            print(f"{driver} driver, 2-thread dose before = after: {same_dose(f'before-{driver}-2', f'after-{driver}-2')}")
if os.environ.get("PENUMBRA_BENCH_SCALING_ONLY") == "1":
    shutil.rmtree(OUT)
    sys.exit(0)
simd = runs["simd", 1]
print(f"simd over scalar, 1 thread: efficiency ratio (transport CPU) "
      f"{efficiency(simd, simd['transportCPUSeconds']) / efficiency(one, one['transportCPUSeconds']):.2f}x; "
      f"dose files identical: {same_dose('scalar1', 'simd1')}")
for driver in ("scalar", "simd"):
    instructions = per_history("instructions", N // 10, N // 5, driver)
    print(f"{driver} driver, instructions per history: "
          + (f"{instructions:.0f}" if instructions is not None else "n/a (no hardware counters on this machine)"))
    probe = malloc_probe()
    mallocs = per_history(probe, N // 10, N // 5, driver) if probe else None
    print(f"{driver} driver, heap allocations per history after warm-up: "
          + (f"{mallocs:.2f}" if mallocs is not None else "n/a (needs root and perf uprobes)"))
if OLD:
    pairs = int(os.environ.get("PENUMBRA_BENCH_PAIRS", "3"))
    for driver in ("scalar", "simd"):
        t = {"before": [], "after": []}
        process = {"before": [], "after": []}
        eff = {"before": [], "after": []}
        for p in range(pairs):
            for label, binary in (("before", OLD), ("after", BIN)):
                s = simulate(f"{label}-{driver}", N, driver=driver, binary=binary)
                t[label].append(s["transportCPUSeconds"])
                process[label].append(s["processCPUSeconds"])
                eff[label].append(efficiency(s, s["processCPUSeconds"]))
        mean = {k: sum(v) / len(v) for k, v in t.items()}
        pmean = {k: sum(v) / len(v) for k, v in process.items()}
        outside = {k: pmean[k] - mean[k] for k in mean}
        print(f"{driver} driver, before/after ({OLD}), {pairs} interleaved pairs: transport CPU "
              f"{mean['before']:.2f} s / {mean['after']:.2f} s (runs {', '.join(f'{x:.2f}' for x in t['before'])} / "
              f"{', '.join(f'{x:.2f}' for x in t['after'])}); speed-up {mean['before'] / mean['after']:.2f}x; "
              f"dose files identical: {same_dose(f'before-{driver}', f'after-{driver}')}")
        # The whole process: what a user's run costs, the transport plus the fixed costs (phantom, tables,
        # per-round uncertainty, output files).
        print(f"{driver} driver, before/after, whole process CPU {pmean['before']:.2f} s / {pmean['after']:.2f} s "
              f"(runs {', '.join(f'{x:.2f}' for x in process['before'])} / {', '.join(f'{x:.2f}' for x in process['after'])}), "
              f"outside the transport {outside['before']:.2f} s / {outside['after']:.2f} s; whole-process efficiency "
              f"{sum(eff['before']) / pairs:.2f} / {sum(eff['after']) / pairs:.2f} /s")
variance_reduction()
shutil.rmtree(OUT)
