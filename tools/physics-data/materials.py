"""Materials of the bundled Penumbra physics tables, and the reader for user material files.

Compositions are mass fractions. Each entry names its source; the tissue set follows
../shared/PHYSICS.md section 3.2, whose values were read from the NIST/ICRU tables that EGSnrc's
density-effect headers and xraylib's NIST compound list reproduce.
"""

import json
import math
import re

import xraylib

# Mean excitation energies I (eV) of the elements, ICRU Report 37 (1984) Table 4.3 / NIST ESTAR
# (the values ESTAR uses for the elements in their standard state). Used for pure elements and, by
# Bragg additivity (ICRU 37 eq. 4.9), for mixtures that give no I-value of their own.
ELEMENT_I_VALUE_EV = {
    1: 19.2, 2: 41.8, 3: 40.0, 4: 63.7, 5: 76.0, 6: 78.0, 7: 82.0, 8: 95.0, 9: 115.0, 10: 137.0,
    11: 149.0, 12: 156.0, 13: 166.0, 14: 173.0, 15: 173.0, 16: 180.0, 17: 174.0, 18: 188.0,
    19: 190.0, 20: 191.0, 22: 233.0, 23: 245.0, 24: 257.0, 25: 272.0, 26: 286.0, 27: 297.0,
    28: 311.0, 29: 322.0, 30: 330.0, 42: 424.0, 47: 470.0, 50: 488.0, 53: 491.0, 73: 718.0,
    74: 727.0, 78: 790.0, 79: 790.0, 82: 823.0, 92: 890.0,
}

# First ionisation energies (eV), NIST Atomic Spectra Database. The Sternheimer oscillator model
# floors every binding energy at this value (PHYSICS.md Appendix A: xraylib lists the O L2,3 level at
# 7.1 eV where the valence level sits near 13.6 eV).
FIRST_IONISATION_EV = {
    1: 13.598, 2: 24.587, 3: 5.392, 4: 9.323, 5: 8.298, 6: 11.260, 7: 14.534, 8: 13.618,
    9: 17.423, 10: 21.565, 11: 5.139, 12: 7.646, 13: 5.986, 14: 8.152, 15: 10.487, 16: 10.360,
    17: 12.968, 18: 15.760, 19: 4.341, 20: 6.113, 22: 6.828, 23: 6.746, 24: 6.767, 25: 7.434,
    21: 6.561, 26: 7.902, 27: 7.881, 28: 7.640, 29: 7.726, 30: 9.394, 31: 5.999, 32: 7.899, 33: 9.789,
    34: 9.752, 35: 11.814, 36: 14.000, 37: 4.177, 38: 5.695, 39: 6.217, 40: 6.634, 41: 6.759, 42: 7.092,
    47: 7.576, 48: 8.994, 49: 5.786, 50: 7.344, 51: 8.608, 52: 9.010, 53: 10.451, 54: 12.130, 55: 3.894,
    56: 5.212, 64: 6.150, 72: 6.825, 73: 7.550, 74: 7.864, 78: 8.959, 79: 9.226, 82: 7.417, 83: 7.286,
    92: 6.194,
}


# Standard atomic weights (g/mol), IUPAC 2009 (Wieser & Coplen 2011, Pure Appl. Chem. 83:359), the
# values NIST's XCOM and ESTAR mixtures use to 4-5 digits. xraylib 4.3.0's AtomicWeight is rounded
# (H 1.01, O 16.0), which alone moves water's Z/A by -0.04 % (PHYSICS.md section 1.6 pitfall).
ATOMIC_WEIGHT = {
    1: 1.00794, 2: 4.002602, 3: 6.941, 4: 9.012182, 5: 10.811, 6: 12.0107, 7: 14.0067, 8: 15.9994,
    9: 18.9984032, 10: 20.1797, 11: 22.98976928, 12: 24.3050, 13: 26.9815386, 14: 28.0855, 15: 30.973762,
    16: 32.065, 17: 35.453, 18: 39.948, 19: 39.0983, 20: 40.078, 21: 44.955912, 22: 47.867, 23: 50.9415,
    24: 51.9961, 25: 54.938045, 26: 55.845, 27: 58.933195, 28: 58.6934, 29: 63.546, 30: 65.38,
    31: 69.723, 32: 72.64, 33: 74.92160, 34: 78.96, 35: 79.904, 36: 83.798, 37: 85.4678, 38: 87.62,
    39: 88.90585, 40: 91.224, 41: 92.90638, 42: 95.96, 47: 107.8682, 48: 112.411, 49: 114.818,
    50: 118.710, 51: 121.760, 52: 127.60, 53: 126.90447, 54: 131.293, 55: 132.9054519, 56: 137.327,
    64: 157.25, 72: 178.49, 73: 180.94788, 74: 183.84, 78: 195.084, 79: 196.966569, 82: 207.2,
    83: 208.98040, 92: 238.02891,
}


def atomic_weight(z):
    """Standard atomic weight of element z; xraylib's (rounded) value for elements not tabulated above."""
    return ATOMIC_WEIGHT.get(z) or xraylib.AtomicWeight(z)


class MaterialError(ValueError):
    """A material definition that cannot be used; the message says which and why."""


class Material:
    """A named material: composition by mass, reference density, mean excitation energy."""

    def __init__(self, name, mass_fractions, density, i_value_ev, aliases=(), source=""):
        self.name = name
        self.aliases = list(aliases)
        self.density = float(density)
        self.source = source
        total = sum(mass_fractions.values())
        # Published compositions are rounded: accept sums within 0.5 % of 1 and renormalise;
        # anything further off is a mistake in the input.
        if abs(total - 1.0) > 5e-3:
            raise MaterialError(f"material {name}: mass fractions sum to {total:.6f}, not 1; fix the composition")
        self.mass_fractions = {int(z): w / total for z, w in sorted(mass_fractions.items())}
        if i_value_ev is None:
            i_value_ev = bragg_i_value(name, self.mass_fractions)
        self.i_value_ev = float(i_value_ev)
        if not self.density > 0:
            raise MaterialError(f"material {name}: density {density} g/cm3 must be positive")


def bragg_i_value(name, mass_fractions):
    """ln I = sum w_i (Z/A)_i ln I_i / sum w_i (Z/A)_i (Bragg additivity, ICRU Report 37 eq. 4.9)."""
    num = den = 0.0
    for z, w in mass_fractions.items():
        if z not in ELEMENT_I_VALUE_EV:
            raise MaterialError(
                f"material {name}: no tabulated I-value for Z={z}; give \"i_value_eV\" in the material file")
        za = w * z / atomic_weight(z)
        num += za * math.log(ELEMENT_I_VALUE_EV[z])
        den += za
    return math.exp(num / den)


# I-values (eV) of atoms bound in condensed compounds and mixtures, for the Bragg additivity rule:
# ICRU Report 37 (1984) ch. 4, after Seltzer & Berger 1982 (Int. J. Appl. Radiat. Isot. 33:1189):
# H 19.2, C 81.0, N 82.0, O 106.0, F 112.0, Cl 180.0 eV, and 1.13 x the elemental value for every other
# element. With PHYSICS.md 3.2's compositions this rule gives the ICRU 44 I-values of lung (75.166),
# adipose (64.781), skeletal muscle (74.621), cartilage (78.021) and cortical bone (111.973 eV) to 0.01 eV.
CONDENSED_I_VALUE_EV = {1: 19.2, 6: 81.0, 7: 82.0, 8: 106.0, 9: 112.0, 17: 180.0}
CONDENSED_I_VALUE_FACTOR = 1.13


def bragg_i_value_condensed(name, mass_fractions):
    """Bragg additivity (ICRU 37 eq. 4.9) with the condensed-phase atomic I-values above."""
    num = den = 0.0
    for z, w in mass_fractions.items():
        if z in CONDENSED_I_VALUE_EV:
            i_value = CONDENSED_I_VALUE_EV[z]
        elif z in ELEMENT_I_VALUE_EV:
            i_value = CONDENSED_I_VALUE_FACTOR * ELEMENT_I_VALUE_EV[z]
        else:
            raise MaterialError(f"material {name}: no tabulated I-value for Z={z}")
        za = w * z / atomic_weight(z)
        num += za * math.log(i_value)
        den += za
    return math.exp(num / den)


def _percent(**fractions):
    return {xraylib.SymbolToAtomicNumber(sym): value / 100.0 for sym, value in fractions.items()}


def formula_mass_fractions(formula):
    """Mass fractions of a chemical formula such as "C5H8O2" (standard atomic weights)."""
    tokens = re.findall(r"([A-Z][a-z]?)(\d*\.?\d*)", formula)
    if not tokens or "".join(s + n for s, n in tokens) != formula:
        raise MaterialError(f"formula {formula!r} is not a sequence of element symbols and counts, e.g. C5H8O2")
    masses = {}
    for symbol, count in tokens:
        try:
            z = xraylib.SymbolToAtomicNumber(symbol)
        except ValueError:
            raise MaterialError(f"formula {formula!r}: {symbol!r} is not an element symbol") from None
        masses[z] = masses.get(z, 0.0) + (float(count) if count else 1.0) * atomic_weight(z)
    total = sum(masses.values())
    return {z: m / total for z, m in masses.items()}


def _egsnrc_names(stem):
    """The names of a medium in EGSnrc's default PEGS4 data sets (521icru and 700icru; EGSnrc manual
    PIRS-701 and its tutorials list them, e.g. AL521ICRU / AL700ICRU). AE/AP are run cuts here, so
    both name one material, and a phantom written for DOSXYZnrc reads without renaming its media."""
    return [stem + "521ICRU", stem + "700ICRU"]


def _element(symbol, density):
    z = xraylib.SymbolToAtomicNumber(symbol)
    return Material(symbol.upper(), {z: 1.0}, density, ELEMENT_I_VALUE_EV[z], aliases=_egsnrc_names(symbol.upper()),
                    source=f"pure element; I from ICRU 37 Table 4.3; density {density} g/cm3 (CRC Handbook)")


# Schneider, Bortfeld & Schlegel 2000 (Phys. Med. Biol. 45:459), Table 6: the 71 tissues of the paper
# grouped into composition bins by HU. (lower HU bound, bin, mass %), read from the paper's bins as
# distributed in PyPI opengate 10.1.1 (opengate/data/Schneider2000MaterialsTable.txt). The metal
# implant bins are pure Ti in that table; AMALGAM is dental amalgam (Cu 4, Zn 2, Ag 65, Sn 29).
# The bounds must equal the Swift preset's (Sources/Phantom/HUCalibrationPresets.swift; a test checks).
SCHNEIDER_2000_BINS = [
    (-1050, "AIR", dict(N=75.5, O=23.2, Ar=1.3)),
    (-950, "LUNG", dict(H=10.3, C=10.5, N=3.1, O=74.9, Na=0.2, P=0.2, S=0.3, Cl=0.3, K=0.2)),
    (-120, "ADIPOSE_1", dict(H=11.6, C=68.1, N=0.2, O=19.8, Na=0.1, S=0.1, Cl=0.1)),
    (-82, "ADIPOSE_2", dict(H=11.3, C=56.7, N=0.9, O=30.8, Na=0.1, S=0.1, Cl=0.1)),
    (-52, "ADIPOSE_3", dict(H=11.0, C=45.8, N=1.5, O=41.1, Na=0.1, P=0.1, S=0.2, Cl=0.2)),
    (-22, "ADIPOSE_4", dict(H=10.8, C=35.6, N=2.2, O=50.9, P=0.1, S=0.2, Cl=0.2)),
    (8, "ADIPOSE_5", dict(H=10.6, C=28.4, N=2.6, O=57.8, P=0.1, S=0.2, Cl=0.2, K=0.1)),
    (19, "SOFT_TISSUE", dict(H=10.3, C=13.4, N=3.0, O=72.3, Na=0.2, P=0.2, S=0.2, Cl=0.2, K=0.2)),
    (80, "CONNECTIVE_TISSUE", dict(H=9.4, C=20.7, N=6.2, O=62.2, Na=0.6, S=0.6, Cl=0.3)),
    (120, "BONE_01", dict(H=9.5, C=45.5, N=2.5, O=35.5, Na=0.1, P=2.1, S=0.1, Cl=0.1, K=0.1, Ca=4.5)),
    (200, "BONE_02", dict(H=8.9, C=42.3, N=2.7, O=36.3, Na=0.1, P=3.0, S=0.1, Cl=0.1, K=0.1, Ca=6.4)),
    (300, "BONE_03", dict(H=8.2, C=39.1, N=2.9, O=37.2, Na=0.1, P=3.9, S=0.1, Cl=0.1, K=0.1, Ca=8.3)),
    (400, "BONE_04", dict(H=7.6, C=36.1, N=3.0, O=38.0, Na=0.1, Mg=0.1, P=4.7, S=0.2, Cl=0.1, Ca=10.1)),
    (500, "BONE_05", dict(H=7.1, C=33.5, N=3.2, O=38.7, Na=0.1, Mg=0.1, P=5.4, S=0.2, Ca=11.7)),
    (600, "BONE_06", dict(H=6.6, C=31.0, N=3.3, O=39.4, Na=0.1, Mg=0.1, P=6.1, S=0.2, Ca=13.2)),
    (700, "BONE_07", dict(H=6.1, C=28.7, N=3.5, O=40.0, Na=0.1, Mg=0.1, P=6.7, S=0.2, Ca=14.6)),
    (800, "BONE_08", dict(H=5.6, C=26.5, N=3.6, O=40.5, Na=0.1, Mg=0.2, P=7.3, S=0.3, Ca=15.9)),
    (900, "BONE_09", dict(H=5.2, C=24.6, N=3.7, O=41.1, Na=0.1, Mg=0.2, P=7.8, S=0.3, Ca=17.0)),
    (1000, "BONE_10", dict(H=4.9, C=22.7, N=3.8, O=41.6, Na=0.1, Mg=0.2, P=8.3, S=0.3, Ca=18.1)),
    (1100, "BONE_11", dict(H=4.5, C=21.0, N=3.9, O=42.0, Na=0.1, Mg=0.2, P=8.8, S=0.3, Ca=19.2)),
    (1200, "BONE_12", dict(H=4.2, C=19.4, N=4.0, O=42.5, Na=0.1, Mg=0.2, P=9.2, S=0.3, Ca=20.1)),
    (1300, "BONE_13", dict(H=3.9, C=17.9, N=4.1, O=42.9, Na=0.1, Mg=0.2, P=9.6, S=0.3, Ca=21.0)),
    (1400, "BONE_14", dict(H=3.6, C=16.5, N=4.2, O=43.2, Na=0.1, Mg=0.2, P=10.0, S=0.3, Ca=21.9)),
    (1500, "BONE_15", dict(H=3.4, C=15.5, N=4.2, O=43.5, Na=0.1, Mg=0.2, P=10.3, S=0.3, Ca=22.5)),
    (1640, "AMALGAM", dict(Cu=4.0, Zn=2.0, Ag=65.0, Sn=29.0)),
    (2300, "METAL_1", dict(Ti=100.0)),
    (3000, "METAL_2", dict(Ti=100.0)),
]

# Schneider 2000 HU -> density knots (g/cm3), PHYSICS.md 3.1 (the paper's tissue lines, as distributed in
# opengate 10.1.1's Schneider2000DensitiesTable.txt); linear between knots, constant beyond the ends.
SCHNEIDER_2000_DENSITY_KNOTS = [(-1000, 0.00121), (-98, 0.93), (-97, 0.930486), (14, 1.03), (23, 1.031),
                                (100, 1.1199), (101, 1.0762), (1600, 1.9642), (3000, 2.8)]


def schneider_2000_density(hu):
    """Density (g/cm3) of the Schneider 2000 curve at hu (the same curve as the Swift preset)."""
    knots = SCHNEIDER_2000_DENSITY_KNOTS
    if hu <= knots[0][0]:
        return knots[0][1]
    for (h0, d0), (h1, d1) in zip(knots, knots[1:]):
        if hu <= h1:
            return d0 + (d1 - d0) * (hu - h0) / (h1 - h0)
    return knots[-1][1]


def schneider_2000_materials():
    """The 27 Schneider 2000 bins as SCHNEIDER2000_<BIN>.

    Reference density: the curve at the bin's mid HU (the open-ended top bin: at its lower bound, where
    the curve is already constant). The tables are per material and scaled by the voxel density; only the
    density effect delta depends on this reference (as in EGSnrc, where delta is fixed by the PEGS medium).
    I-value: Bragg additivity with the condensed-phase atomic values for the tissue bins; air (a gas) and
    the metal bins (amalgam, Ti) with the elemental ICRU 37 values, like the alloys above.
    """
    materials = []
    for index, (lower, bin_name, percent) in enumerate(SCHNEIDER_2000_BINS):
        upper = SCHNEIDER_2000_BINS[index + 1][0] if index + 1 < len(SCHNEIDER_2000_BINS) else lower
        mid_hu = 0.5 * (lower + upper)
        fractions = _percent(**percent)
        gas_or_metal = bin_name in ("AIR", "AMALGAM", "METAL_1", "METAL_2")
        name = "SCHNEIDER2000_" + bin_name
        i_value = bragg_i_value(name, fractions) if gas_or_metal else bragg_i_value_condensed(name, fractions)
        rule = "elemental" if gas_or_metal else "condensed-phase"
        materials.append(Material(
            name, fractions, round(schneider_2000_density(mid_hu), 6), round(i_value, 3),
            source=(f"Schneider, Bortfeld & Schlegel 2000 (PMB 45:459) Table 6 bin HU >= {lower}; density at "
                    f"{mid_hu:g} HU on the Schneider curve; I by Bragg additivity ({rule} ICRU 37 I-values)")))
    return materials


def bundled_materials():
    """The materials shipped in Sources/Physics/Resources (PHYSICS.md section 3.2)."""
    water = _percent(H=11.1894, O=88.8106)                       # NIST "Water, Liquid" (H2O)
    air = _percent(C=0.0124, N=75.5267, O=23.1781, Ar=1.2827)    # NIST "Air, Dry (near sea level)"
    lung = _percent(H=10.3, C=10.5, N=3.1, O=74.9, Na=0.2, P=0.2, S=0.3, Cl=0.3, K=0.2)  # ICRU 44
    icru4 = _percent(H=10.1172, C=11.1, N=2.6, O=76.1828)         # NIST "Tissue, Soft (ICRU four-component)"
    icrp_bone = _percent(H=4.7234, C=14.433, N=4.199, O=44.6096, Mg=0.22, P=10.497, S=0.315,
                         Ca=20.993, Zn=0.01)                      # NIST "Bone, Cortical (ICRP)"
    materials = [
        Material("WATER", water, 1.0, 75.0, source="NIST Water, Liquid; I = 75.0 eV (ICRU 37)"),
        Material("AIR_DRY", air, 1.20479e-3, 85.7, source="NIST Air, Dry (near sea level); I 85.7 eV (ICRU 37)"),
        Material("LUNG_ICRU44", lung, 1.05, 75.17, source="ICRU 44 lung (tissue density 1.05); I ICRU 37 method"),
        Material("ADIPOSE_ICRU44", _percent(H=11.4, C=59.8, N=0.7, O=27.8, Na=0.1, S=0.1, Cl=0.1), 0.95, 64.78,
                 source="ICRU 44 adipose tissue"),
        Material("SOFT_TISSUE_ICRU4", icru4, 1.0, 74.85, source="NIST Tissue, Soft (ICRU four-component)"),
        Material("SOFT_TISSUE_ICRP", _percent(H=10.447, C=23.219, N=2.488, O=63.024, Na=0.113, Mg=0.013,
                                              P=0.133, S=0.199, Cl=0.134, K=0.199, Ca=0.023, Fe=0.005,
                                              Zn=0.003), 1.0, 72.35, source="NIST Tissue, Soft (ICRP)"),
        Material("MUSCLE_SKELETAL_ICRU44", _percent(H=10.2, C=14.3, N=3.4, O=71.0, Na=0.1, P=0.2, S=0.3,
                                                    Cl=0.1, K=0.4), 1.05, 74.62, source="ICRU 44 skeletal muscle"),
        Material("CARTILAGE_ICRU44", _percent(H=9.6, C=9.9, N=2.2, O=74.4, Na=0.5, P=2.2, S=0.9, Cl=0.3),
                 1.10, 78.02, source="ICRU 44 cartilage"),
        Material("BONE_CORTICAL_ICRP", icrp_bone, 1.85, 106.4, source="NIST Bone, Cortical (ICRP)"),
        Material("BONE_CORTICAL_ICRU44", _percent(H=3.4, C=15.5, N=4.2, O=43.5, Na=0.1, Mg=0.2, P=10.3, S=0.3,
                                                  Ca=22.5), 1.92, 111.97, source="ICRU 44 cortical bone"),
        Material("PMMA", formula_mass_fractions("C5H8O2"), 1.19, 74.0, aliases=_egsnrc_names("PMMA"),
                 source="C5H8O2; density 1.19 and I 74.0 eV (NIST Polymethyl Methacralate, ICRU 37)"),
        # Phantom plastics (slab phantoms of polystyrene or polyethylene are common in dosimetry).
        Material("POLYSTYRENE", formula_mass_fractions("C8H8"), 1.06, 68.7, aliases=_egsnrc_names("POLYSTY"),
                 source="C8H8; density 1.06 and I 68.7 eV (NIST Polystyrene, ICRU 37)"),
        Material("POLYETHYLENE", formula_mass_fractions("C2H4"), 0.94, 57.4, aliases=_egsnrc_names("POLYETH"),
                 source="C2H4; density 0.94 and I 57.4 eV (NIST Polyethylene, ICRU 37)"),
        # Nominal compositions [PHYSICS.md 3.2, handbook values]: ASTM F136 Ti-6Al-4V; ASTM A240 316L with
        # Fe the balance. I-values by Bragg additivity of the ICRU 37 element values.
        Material("TI6AL4V", _percent(Ti=90.0, Al=6.0, V=4.0), 4.43, None, source="ASTM F136 nominal"),
        Material("STEEL_316L", _percent(Fe=66.5, Cr=17.0, Ni=12.0, Mo=2.5, Mn=2.0), 8.0, None,
                 source="ASTM A240 316L nominal, Fe balance"),
        # EGSnrc's ICRU-37 media (PEGS4 521icru / 700icru data sets): same composition, density and I as
        # the EGSnrc density-effect files; AE/AP are run cuts here, so 521 and 700 name the same material.
        Material("EGSNRC_H2O_ICRU", water, 1.0, 75.0, aliases=["H2O", "H2O521ICRU", "H2O700ICRU"],
                 source="EGSnrc water_liquid: H2O, I 75.0 eV"),
        Material("EGSNRC_AIR_ICRU", air, 1.20479e-3, 85.666, aliases=["AIR", "AIR521ICRU", "AIR700ICRU"],
                 source="EGSnrc air_dry_nearsealevel: I 85.666 eV"),
        Material("EGSNRC_LUNG_ICRU", lung, 0.26, 75.166, aliases=["LUNG", "LUNG521ICRU", "LUNG700ICRU"],
                 source="EGSnrc lung_inflated_icru_1986: ICRU 44 lung at 0.26 g/cm3, I 75.166 eV"),
        Material("EGSNRC_ICRUTISSUE_ICRU", icru4, 1.0, 74.852, aliases=["ICRUTISSUE", "ICRUTISSUE521ICRU", "ICRUTISSUE700ICRU"],
                 source="EGSnrc tissue_soft_icrufour-component: I 74.852 eV"),
        Material("EGSNRC_ICRPBONE_ICRU", icrp_bone, 1.85, 106.414, aliases=["ICRPBONE", "ICRPBONE521ICRU", "ICRPBONE700ICRU"],
                 source="EGSnrc bone_cortical_icrp: I 106.414 eV"),
        _element("Al", 2.699),
        _element("Ti", 4.54),
        _element("Cu", 8.96),
        _element("W", 19.3),
        _element("Pb", 11.35),
        _element("Au", 19.32),
        # The other elements of EGSnrc's default media (FE521ICRU, NI521ICRU, TA521ICRU, ...): phantoms and
        # detectors written for DOSXYZnrc name them; densities from the CRC Handbook like the ones above.
        _element("Be", 1.848),
        _element("Mg", 1.738),
        _element("Si", 2.33),
        _element("Fe", 7.874),
        _element("Ni", 8.90),
        _element("Zn", 7.14),
        _element("Ag", 10.50),
        _element("Sn", 7.287),
        _element("Ta", 16.65),
    ]
    return materials + schneider_2000_materials()


def read_user_materials(path):
    """Materials from a JSON file: {"materials": [{"name", "density_g_cm3", "mass_fractions" | "formula",
    "i_value_eV" (optional)}]}. Raises MaterialError naming the file, the entry and the problem."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise MaterialError(f"{path}: cannot read material file: {error}") from None
    entries = document.get("materials") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise MaterialError(f"{path}: expected {{\"materials\": [ ... ]}} with at least one material")
    materials = []
    for index, entry in enumerate(entries):
        where = f"{path}: materials[{index}]"
        name = entry.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
            raise MaterialError(f"{where}: \"name\" must be letters, digits, '_' or '-'")
        density = entry.get("density_g_cm3")
        if not isinstance(density, (int, float)) or not density > 0:
            raise MaterialError(f"{where} ({name}): \"density_g_cm3\" must be a positive number")
        if ("formula" in entry) == ("mass_fractions" in entry):
            raise MaterialError(f"{where} ({name}): give exactly one of \"formula\" or \"mass_fractions\"")
        if "formula" in entry:
            fractions = formula_mass_fractions(entry["formula"])
        else:
            fractions = {}
            for symbol, value in entry["mass_fractions"].items():
                try:
                    z = xraylib.SymbolToAtomicNumber(symbol)
                except ValueError:
                    raise MaterialError(f"{where} ({name}): {symbol!r} is not an element symbol") from None
                if not isinstance(value, (int, float)) or value < 0:
                    raise MaterialError(f"{where} ({name}): mass fraction of {symbol} must be >= 0")
                fractions[z] = fractions.get(z, 0.0) + float(value)
            total = sum(fractions.values())
            if abs(total - 1.0) > 1e-3:
                raise MaterialError(f"{where} ({name}): mass fractions sum to {total:.6f}, not 1")
        i_value = entry.get("i_value_eV")
        if i_value is not None and (not isinstance(i_value, (int, float)) or not i_value > 0):
            raise MaterialError(f"{where} ({name}): \"i_value_eV\" must be a positive number")
        for z in fractions:
            if z not in FIRST_IONISATION_EV:
                raise MaterialError(f"{where} ({name}): Z={z} has no first ionisation energy in the generator's "
                                    f"table (materials.py); add it with its NIST ASD value")
        materials.append(Material(name.upper(), fractions, density, i_value, source=f"user file {path}"))
    return materials
