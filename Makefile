# Penumbra — build, test, validate, benchmark.
# `make deps` installs what the build and the tests need; every other target assumes it ran.

SWIFT ?= swift
VENV ?= .venv
PYTHON := $(VENV)/bin/python
# System packages: the ZeroMQ library the wire runs on, pkg-config to find it, DCMTK for interop tests,
# SQLite for the coordinator's job store (GRDB links the system libsqlite3).
# librsvg (rsvg-convert) for PNG figures, Chromium to check that reports render.
APT_PACKAGES := libzmq3-dev pkg-config dcmtk libsqlite3-dev librsvg2-bin chromium slurm-wlm iproute2 systemd
# Python tools for interop tests and the physics-table generator, pinned in tools/requirements.txt.
PY_REQUIREMENTS := tools/requirements.txt

export PENUMBRA_PYTHON := $(abspath $(PYTHON))

DICOM_TEST_DATA := .build/test-data/dicom/.fetched

.PHONY: all build deps apt-deps python-deps dicom-test-data test validate validate-transport validate-beam bench fuzz-wire demo clean physics-data physics-data-check

all: build

build:
	$(SWIFT) build

deps: apt-deps python-deps dicom-test-data

apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "system packages: all present"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "missing system packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; fi

python-deps: $(VENV)/.installed

$(VENV)/.installed: $(PY_REQUIREMENTS)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r $(PY_REQUIREMENTS)
	touch $@

# Physics tables (docs/physics-data.md). `make physics-data` regenerates the bundled resource;
# `make physics-data MATERIALS=my.json [OUTPUT=my.bin]` writes tables for user materials instead.
PHYSICS_DATA := Sources/Physics/Resources/physics-data.bin
PHYSICS_GENERATOR := tools/physics-data/generate.py

physics-data: python-deps
ifdef MATERIALS
	$(PYTHON) $(PHYSICS_GENERATOR) --materials $(MATERIALS) --output $(or $(OUTPUT),$(basename $(MATERIALS)).bin)
else
	$(PYTHON) $(PHYSICS_GENERATOR) --output $(PHYSICS_DATA)
endif

# Regenerates into a temporary folder and checks that the committed tables come out byte for byte.
physics-data-check: python-deps
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) $(PHYSICS_GENERATOR) --output "$$tmp/physics-data.bin" && \
	cmp "$$tmp/physics-data.bin" $(PHYSICS_DATA) && echo "physics-data: $(PHYSICS_DATA) reproduced byte for byte"

# DICOM files from other writers (pydicom, dicompyler-core, pymedphys) for interop tests; never committed.
dicom-test-data: $(DICOM_TEST_DATA)

$(DICOM_TEST_DATA): tools/fetch-dicom-test-data.sh $(VENV)/.installed
	PYTHON=$(abspath $(PYTHON)) tools/fetch-dicom-test-data.sh
	touch $@

test: deps
	$(SWIFT) build
	$(SWIFT) test

# Physics validation against the EGSnrc-family reference doses (docs/transport.md): release build,
# figures and summaries under validation/out/. PENUMBRA_VALIDATE_HISTORIES overrides the per-case counts.
# validate = the transport against the reference doses (module ValidationTests: reference cases, Fano,
# step size) and the beam model against its targets (BeamValidationTests: PDD, output
# factors, profiles, arcs; the longer part). Each half runs alone as validate-transport / validate-beam.
validate: validate-transport validate-beam
validate-transport: deps
	PENUMBRA_VALIDATE=1 $(SWIFT) test -c release -Xswiftc -enable-testing --filter '^ValidationTests\.'
validate-beam: deps
	PENUMBRA_VALIDATE=1 $(SWIFT) test -c release -Xswiftc -enable-testing --filter 'BeamValidationTests'

bench: deps
	$(SWIFT) build -c release
	.build/release/cluster-benchmark
	.build/release/transport-microbenchmark
	.build/release/dicom-decode-benchmark
	python3 benchmarks/transport-bench.py
	@echo "benchmarks: see benchmarks/RESULTS.md"

# The wire decoder under libFuzzer (issue 7), FUZZ_SECONDS long; the corpus grows in .build/fuzz-corpus.
# A crashing input is left as crash-*; replay it with `swift build --product wire-fuzz` and
# `.build/debug/wire-fuzz crash-…`.
FUZZ_SECONDS ?= 60
fuzz-wire:
	$(SWIFT) build --build-path .build/fuzz --product wire-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
	mkdir -p .build/fuzz-corpus/wire
	.build/fuzz/debug/wire-fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 .build/fuzz-corpus/wire

# The main job on the bundled example: a synthetic thorax (CT, structures, 4-field 6 MV plan), its Monte
# Carlo plan dose in Gy (RT Dose, .3ddose, summary.json with DVH metrics) and the HTML report.
DEMO_DIR := out/thorax
demo: deps
	$(SWIFT) build -c release --product penumbra
	.build/release/penumbra example thorax --out $(DEMO_DIR)
	.build/release/penumbra run $(DEMO_DIR) --out $(DEMO_DIR)/penumbra
	.build/release/penumbra report $(DEMO_DIR) --constraints thorax \
	  --out $(DEMO_DIR)/penumbra/report.html --summary $(DEMO_DIR)/penumbra/report.json --tables $(DEMO_DIR)/penumbra/tables
	@echo "demo: open $(DEMO_DIR)/penumbra/report.html"

clean:
	rm -rf .build $(VENV)
