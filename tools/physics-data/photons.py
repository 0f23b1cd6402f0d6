"""Photon interaction cross sections per element, in cm^2/g (recipe of PHYSICS.md section 1.3/1.4).

* E <= 0.8 MeV: xraylib CS_Photo / CS_Compt / CS_Rayl (Elam, Ravel & Sieber 2002, Radiat. Phys. Chem.
  63:121; xraylib: Schoonjans et al. 2011, Spectrochim. Acta B 66:776).
* E > 0.8 MeV: photoelectric = Elam(0.8 MeV) x Sauter (1931, Ann. Phys. 11:454) K-shell shape ratio;
  incoherent = Z x Klein-Nishina (1929, Z. Phys. 52:853); coherent = Elam(0.8 MeV) x ratio of the
  form-factor integrals (form factors: xraylib FF_Rayl, Hubbell et al. 1975, JPCRD 4:471).
* Pair + triplet: the GEANT3 PHYS210 fit by L. Urban (same constants in Geant4 G4BetheHeitlerModel).
"""

import math

import numpy as np
import xraylib

from materials import atomic_weight
from constants import (AVOGADRO, BARN_CM2, CLASSICAL_ELECTRON_RADIUS_CM, ELAM_LIMIT_MEV, ELECTRON_MASS_MEV,
                       HC_KEV_ANGSTROM)

# Shells whose edges are put on a material's grid (xraylib shell macros: K, L1-L3, M1-M5).
EDGE_SHELLS = [xraylib.K_SHELL, xraylib.L1_SHELL, xraylib.L2_SHELL, xraylib.L3_SHELL, xraylib.M1_SHELL,
               xraylib.M2_SHELL, xraylib.M3_SHELL, xraylib.M4_SHELL, xraylib.M5_SHELL]

# Urban's pair-production fit, GEANT3 manual PHYS210 (coefficients of F1, F2, F3 in X = ln(E/mc^2);
# also in Geant4 G4BetheHeitlerModel.cc). Result in microbarn; valid 1.5 MeV - 100 GeV.
PAIR_FIT_A = [8.7842e2, -1.9625e3, 1.2949e3, -2.0028e2, 1.2575e1, -2.8333e-1]
PAIR_FIT_B = [-1.0342e1, 1.7692e1, -8.2381, 1.3063, -9.0815e-2, 2.3586e-3]
PAIR_FIT_C = [-4.5263e2, 1.1161e3, -8.6749e2, 2.1773e2, -2.0467e1, 6.5372e-1]
PAIR_FIT_LOW_MEV = 1.5  # below this the fit is continued with ((E - 2m)/(1.5 MeV - 2m))^2 (GEANT3)

# Momentum-transfer grid x = q^2 (q = sin(theta/2)/lambda in 1/Angstrom) for form factors: it spans
# q from 1e-3 (F = F(0) to 1e-6) to q_max at 25 MeV (2016 1/Angstrom).
FORM_FACTOR_X = np.logspace(-6.0, 7.0, 417)


def klein_nishina_per_electron_cm2(energy_mev):
    """Klein-Nishina total cross section per electron (cm^2)."""
    k = energy_mev / ELECTRON_MASS_MEV
    r0sq = CLASSICAL_ELECTRON_RADIUS_CM ** 2
    l = math.log1p(2.0 * k)
    return 2.0 * math.pi * r0sq * ((1.0 + k) / k ** 2 * (2.0 * (1.0 + k) / (1.0 + 2.0 * k) - l / k)
                                   + l / (2.0 * k) - (1.0 + 3.0 * k) / (1.0 + 2.0 * k) ** 2)


def sauter_shape(energy_mev):
    """Sauter's K-shell photoelectric cross section up to a constant (PHYSICS.md 1.3 item 3)."""
    k = energy_mev / ELECTRON_MASS_MEV
    g = k + 1.0
    b = math.sqrt(g * g - 1.0)
    return b ** 3 / k ** 5 * (4.0 / 3.0 + g * (g - 2.0) / (g + 1.0) * (1.0 - math.log((g + b) / (g - b)) / (2.0 * g * b)))


def pair_per_atom_barn(z, energy_mev):
    """Pair + triplet cross section per atom (barn), Urban's fit (GEANT3 PHYS210)."""
    threshold = 2.0 * ELECTRON_MASS_MEV
    if energy_mev <= threshold:
        return 0.0
    e = max(energy_mev, PAIR_FIT_LOW_MEV)
    x = math.log(e / ELECTRON_MASS_MEV)
    f1, f2, f3 = (sum(c * x ** n for n, c in enumerate(coeffs)) for coeffs in (PAIR_FIT_A, PAIR_FIT_B, PAIR_FIT_C))
    sigma = (z + 1.0) * (f1 * z + f2 * z * z + f3) * 1e-6
    if energy_mev < PAIR_FIT_LOW_MEV:
        sigma *= ((energy_mev - threshold) / (PAIR_FIT_LOW_MEV - threshold)) ** 2
    return max(sigma, 0.0)


def form_factor_squared(z):
    """F^2(x) of element z on FORM_FACTOR_X (xraylib FF_Rayl; F = 0 where xraylib has no value)."""
    values = []
    for x in FORM_FACTOR_X:
        try:
            values.append(xraylib.FF_Rayl(z, math.sqrt(x)) ** 2)
        except ValueError:
            values.append(0.0)
    return np.array(values)


def incoherent_scattering_function(z):
    """S(x) of element z on FORM_FACTOR_X (xraylib SF_Compt, Waller-Hartree; Hubbell et al. 1975).
    S -> Z where xraylib has no value (large q)."""
    values = []
    for x in FORM_FACTOR_X:
        try:
            values.append(min(xraylib.SF_Compt(z, math.sqrt(x)), float(z)))
        except ValueError:
            values.append(float(z))
    return np.array(values)


def coherent_integral(f2, energy_mev):
    """Integral over cos(theta) of (1 + mu^2) F^2: the coherent cross section / (pi r0^2).

    With K = E/hc, x = q^2 = K^2 (1 - mu)/2, so dmu = 2 dx / K^2. Trapezoid in ln x on the form-factor
    grid (plus F^2(0) x_min for [0, x_min]); the last interval is cut at x_max = K^2.
    """
    kk = (energy_mev * 1e3 / HC_KEV_ANGSTROM) ** 2
    x = FORM_FACTOR_X
    inside = x < kk
    xs = np.append(x[inside], kk)
    fs = np.append(f2[inside], np.interp(math.log(kk), np.log(x), f2))
    mu = 1.0 - 2.0 * xs / kk
    integrand = (1.0 + mu * mu) * fs * xs  # times d(ln x)
    lnx = np.log(xs)
    body = float(np.sum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(lnx)))
    head = 2.0 * f2[0] * x[0]  # (1 + mu^2) ~ 2 for x < x_min
    return 2.0 / kk * (body + head)


class ElementPhoton:
    """Cross sections of one element (cm^2/g) at any energy in 1 keV - 25 MeV."""

    def __init__(self, z):
        self.z = z
        self.per_atom_to_per_gram = AVOGADRO / atomic_weight(z)
        self.f2 = form_factor_squared(z)
        self.scattering_function = incoherent_scattering_function(z)
        limit_kev = ELAM_LIMIT_MEV * 1e3
        self.photo_limit = self._elam(xraylib.CS_Photo, limit_kev)
        self.rayleigh_limit = self._elam(xraylib.CS_Rayl, limit_kev)
        self.sauter_limit = sauter_shape(ELAM_LIMIT_MEV)
        self.coherent_integral_limit = coherent_integral(self.f2, ELAM_LIMIT_MEV)
        self.edges = self._find_edges()

    def _find_edges(self):
        """Absorption edges in (1 keV, 0.8 MeV) as (energy MeV, photo below, photo above).

        xraylib's EdgeEnergy and the jump inside its Elam photo table differ by up to ~0.1 %; the jump is
        located by bisection so that the duplicate grid point sits exactly where the table jumps.
        """
        edges = []
        for shell in EDGE_SHELLS:
            try:
                nominal_kev = xraylib.EdgeEnergy(self.z, shell)
            except ValueError:
                continue
            if not 1.0 < nominal_kev < ELAM_LIMIT_MEV * 1e3:
                continue
            lo, hi = nominal_kev * 0.99, nominal_kev * 1.01
            f_lo, f_hi = xraylib.CS_Photo(self.z, lo), xraylib.CS_Photo(self.z, hi)
            if not f_hi > 1.05 * f_lo:
                continue  # no jump in the table at this edge (e.g. weak M edges)
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                f_mid = xraylib.CS_Photo(self.z, mid)
                # Below the edge the cross section falls with energy; a rise means we passed the jump.
                if f_mid > f_lo:
                    hi, f_hi = mid, f_mid
                else:
                    lo, f_lo = mid, f_mid
            edges.append((hi * 1e-3, self._elam(xraylib.CS_Photo, lo), self._elam(xraylib.CS_Photo, hi)))
        return edges

    def _elam(self, function, energy_kev):
        """An xraylib Elam cross section in cm^2/g. Elam's per-gram values use standard atomic weights,
        not xraylib's rounded AtomicWeight: with A(H) = 1.00794 hydrogen's Compton cross section per atom
        agrees with XCOM to +0.20 % (as O, C, Ca do), with xraylib's 1.01 to +0.40 % [computed]."""
        return function(self.z, energy_kev)

    def photo(self, energy_mev):
        if energy_mev <= ELAM_LIMIT_MEV:
            return self._elam(xraylib.CS_Photo, energy_mev * 1e3)
        return self.photo_limit * sauter_shape(energy_mev) / self.sauter_limit

    def incoherent(self, energy_mev):
        if energy_mev <= ELAM_LIMIT_MEV:
            return self._elam(xraylib.CS_Compt, energy_mev * 1e3)
        return self.z * klein_nishina_per_electron_cm2(energy_mev) * self.per_atom_to_per_gram

    def coherent(self, energy_mev):
        if energy_mev <= ELAM_LIMIT_MEV:
            return self._elam(xraylib.CS_Rayl, energy_mev * 1e3)
        return self.rayleigh_limit * coherent_integral(self.f2, energy_mev) / self.coherent_integral_limit

    def pair(self, energy_mev):
        return pair_per_atom_barn(self.z, energy_mev) * BARN_CM2 * self.per_atom_to_per_gram


def material_photon_tables(material, elements, base_ln_energy):
    """Photon cross sections of a material on its grid: the base grid plus its edges, each edge twice
    (below and above the jump). Returns (ln E, photo, incoherent, coherent, pair) as arrays."""
    points = [(float(lne), 0, None) for lne in base_ln_energy]
    for z in material.mass_fractions:
        for energy, _, _ in elements[z].edges:
            lne = math.log(energy)
            if base_ln_energy[0] < lne < base_ln_energy[-1]:
                points.append((lne, -1, energy))
                points.append((lne, +1, energy))
    points.sort(key=lambda p: (p[0], p[1]))
    rows = []
    for lne, side, edge_energy in points:
        energy = math.exp(lne)
        photo = incoh = coh = pair = 0.0
        for z, w in material.mass_fractions.items():
            el = elements[z]
            if side == 0:
                p = el.photo(energy)
            else:
                p = _photo_beside_edge(el, edge_energy, side)
            photo += w * p
            incoh += w * el.incoherent(energy)
            coh += w * el.coherent(energy)
            pair += w * el.pair(energy)
        rows.append((lne, photo, incoh, coh, pair))
    table = np.array(rows)
    return [table[:, i].copy() for i in range(5)]


def _photo_beside_edge(element, edge_energy, side):
    """Photo cross section just below (side -1) or above (+1) an edge at edge_energy (of any element)."""
    for energy, below, above in element.edges:
        if energy == edge_energy:
            return below if side < 0 else above
    # Another element's edge: this element is continuous there. Evaluate at the bisection bracket
    # side so that both duplicate points use the same energy within 1e-15.
    return element.photo(edge_energy)
