"""Generates Penumbra's physics tables (run by `make physics-data`; see docs/physics-data.md).

    python generate.py --output Sources/Physics/Resources/physics-data.bin
    python generate.py --materials my-materials.json --output my-materials.bin

The output depends only on this code and the pinned packages (tools/requirements.txt): running it
twice gives the same bytes (`make physics-data-check`).
"""

import argparse
import math
import sys

import numpy as np
import xraylib

import constants
import electrons
import photons
from container import FORMAT_VERSION, ContainerWriter
from materials import MaterialError, atomic_weight, bundled_materials, read_user_materials

# Bump when the recipe changes, so that a file says which generator made it.
GENERATOR_VERSION = "penumbra-physics-data 1.0 (xraylib " + xraylib.__version__ + ")"

# The common energy grid: 1 keV - 25 MeV, 512 points uniform in ln E (Delta ln E = 0.0198), used for
# photon energies (plus each material's edges) and electron kinetic energies.
GRID_MIN_MEV, GRID_MAX_MEV, GRID_COUNT = 1e-3, 25.0, 512


def generate(materials, output):
    base = np.linspace(math.log(GRID_MIN_MEV), math.log(GRID_MAX_MEV), GRID_COUNT)
    elements = {}
    for material in materials:
        for z in material.mass_fractions:
            if z not in elements:
                elements[z] = photons.ElementPhoton(z)
    writer = ContainerWriter()
    writer.add("rayleigh/x", photons.FORM_FACTOR_X)
    writer.add("brems/lnT", electrons.BREMS_LN_T)
    writer.add("brems/kappa", electrons.BREMS_KAPPA)
    entries = []
    for material in materials:
        prefix = f"material/{material.name}/"
        lne, photo, incoherent, coherent, pair = photons.material_photon_tables(material, elements, base)
        writer.add(prefix + "photon/lnE", lne)
        writer.add(prefix + "photon/photo", photo)
        writer.add(prefix + "photon/incoherent", incoherent)
        writer.add(prefix + "photon/coherent", coherent)
        writer.add(prefix + "photon/pair", pair)
        # Rayleigh form factor of the mixture: sum over elements of (w/A) F^2 (mol/g).
        f2 = sum(w / atomic_weight(z) * elements[z].f2 for z, w in material.mass_fractions.items())
        writer.add(prefix + "rayleigh/F2", f2)
        # Incoherent scattering function per electron of the mixture: sum (w/A) S(x) / sum (w/A) Z, in [0, 1].
        electron_moles = sum(w / atomic_weight(z) * z for z, w in material.mass_fractions.items())
        s_per_electron = sum(w / atomic_weight(z) * elements[z].scattering_function
                             for z, w in material.mass_fractions.items()) / electron_moles
        writer.add(prefix + "compton/SperZ", s_per_electron)
        writer.add(prefix + "electron/delta", electrons.density_effect(material, np.exp(base)))
        writer.add(prefix + "electron/bremsPsi", electrons.brems_psi(material))
        entries.append({
            "name": material.name,
            "aliases": material.aliases,
            "densityGPerCM3": material.density,
            "meanExcitationEnergyEV": material.i_value_ev,
            "source": material.source,
            "elements": [{"Z": z, "atomicWeight": atomic_weight(z), "massFraction": w}
                         for z, w in material.mass_fractions.items()],
        })
        print(f"  {material.name}: {len(lne)} photon points", file=sys.stderr)
    header = {
        "formatVersion": FORMAT_VERSION,
        "generatorVersion": GENERATOR_VERSION,
        "energyGrid": {"lnMinMeV": float(base[0]), "lnMaxMeV": float(base[-1]), "count": GRID_COUNT},
        "constants": {"electronMassMeV": constants.ELECTRON_MASS_MEV,
                      "classicalElectronRadiusCM": constants.CLASSICAL_ELECTRON_RADIUS_CM,
                      "fineStructure": constants.FINE_STRUCTURE, "avogadro": constants.AVOGADRO,
                      "hcKeVAngstrom": constants.HC_KEV_ANGSTROM},
        "materials": entries,
    }
    writer.write(output, header)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True, help="the .bin file to write")
    parser.add_argument("--materials", help="a JSON file of user materials (instead of the bundled set)")
    args = parser.parse_args()
    try:
        materials = read_user_materials(args.materials) if args.materials else bundled_materials()
        names = [m.name for m in materials]
        if len(set(names)) != len(names):
            raise MaterialError("material names must be unique: " + ", ".join(sorted(names)))
        generate(materials, args.output)
    except MaterialError as error:
        print(f"physics-data: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
