#!/usr/bin/env bash
# Fetches DICOM files written by other software for Penumbra's interop tests, into
# .build/test-data/dicom (never committed). Run by `make deps` after the Python venv exists.
#   pydicom/            pydicom's bundled test files (from the installed pydicom package)
#   dicompyler-core/    dicompyler-core's example RT Plan, Structure Set, Dose and CT (its sdist)
#   pymedphys/          Monaco RT Plans bundled inside the pymedphys wheel (no network at test time)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$PWD/.venv/bin/python}
OUT=.build/test-data/dicom
DICOMPYLER_CORE_VERSION=0.5.6
PYMEDPHYS_VERSION=0.41.0
mkdir -p "$OUT/pydicom" "$OUT/dicompyler-core" "$OUT/pymedphys"

"$PYTHON" - "$OUT/pydicom" <<'PY'
import shutil, sys
from pydicom.data import get_testdata_file
names = ["rtplan.dcm", "rtdose.dcm", "rtstruct.dcm", "CT_small.dcm", "MR_small_bigendian.dcm",
         "rtdose_rle.dcm", "rtdose_expb.dcm", "ExplVR_BigEndNoMeta.dcm", "rtplan_truncated.dcm"]
for name in names:
    path = get_testdata_file(name)
    if path is None:
        sys.exit(f"pydicom does not bundle {name}")
    shutil.copyfile(path, f"{sys.argv[1]}/{name}")
PY

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ ! -f "$OUT/dicompyler-core/rtplan.dcm" ]; then
    "$PYTHON" -m pip download -q --no-binary :all: --no-deps "dicompyler-core==$DICOMPYLER_CORE_VERSION" -d "$scratch"
    tar -xzf "$scratch"/dicompyler-core-*.tar.gz -C "$scratch"
    cp "$scratch"/dicompyler-core-*/tests/testdata/example_data/*.dcm "$OUT/dicompyler-core/"
fi
if [ ! -f "$OUT/pymedphys/vmat_example.dcm" ]; then
    "$PYTHON" -m pip download -q --no-deps "pymedphys==$PYMEDPHYS_VERSION" -d "$scratch"
    (cd "$scratch" && "$PYTHON" -m zipfile -e pymedphys-*.whl wheel)
    cp "$scratch"/wheel/pymedphys/_experimental/serviceplans/templates/*.dcm "$OUT/pymedphys/"
    cp "$scratch"/wheel/pymedphys/tests/dicom/data/rtplan/06MV_plan.dcm "$OUT/pymedphys/"
fi
echo "DICOM test data in $OUT: $(find "$OUT" -name '*.dcm' | wc -l) files"
