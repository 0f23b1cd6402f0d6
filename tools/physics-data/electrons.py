"""Electron data per material: density-effect correction and the scaled bremsstrahlung DCS.

* delta(T): Sternheimer's oscillator model (Sternheimer 1952, Phys. Rev. 88:851), as ICRU Report 37
  (1984) section 4.3 computes it; recipe and measured accuracy in PHYSICS.md section 2.1 (a).
* psi(T, kappa) = k dsigma/dk per gram (cm^2/g), kappa = k/T: Koch & Motz 1959 (RMP 31:920) formula 3BN
  times the Elwert (1939, Ann. Phys. 34:178) factor and the ratio of Tsai's (1974, RMP 46:815, eqs.
  3.38-3.40) Thomas-Fermi screened to unscreened extreme-relativistic Bethe-Heitler cross section;
  nucleus Z^2 plus electron term Z xi tau/(tau+2) (PHYSICS.md section 2.2, model A).
"""

import math

import numpy as np
import xraylib
from scipy.optimize import brentq

from constants import AVOGADRO, CLASSICAL_ELECTRON_RADIUS_CM, ELECTRON_MASS_MEV, FINE_STRUCTURE, PLASMA_ENERGY_EV
from materials import FIRST_IONISATION_EV, atomic_weight

# Kinetic-energy grid of the bremsstrahlung table: 1 keV - 25 MeV, 64 points uniform in ln T.
BREMS_LN_T = np.linspace(math.log(1e-3), math.log(25.0), 64)
# Reduced photon energy kappa = k/T: log-spaced below 0.1 (psi is nearly flat there), linear above.
BREMS_KAPPA = np.concatenate([np.logspace(-5.0, -1.0, 17), np.linspace(0.1, 1.0, 31)[1:]])
# The tip kappa = 1 (final electron at rest) is evaluated this close to 1: 3BN's terms cancel as
# 1/p^2 there, and this keeps the cancellation error below 1e-9 while the DCS is flat.
TIP_KAPPA = 1.0 - 1e-6

# Tsai 1974 Table B.2: radiation logarithms L_rad, L'_rad for Z <= 4 (Thomas-Fermi fails there).
TSAI_LOW_Z = {1: (5.31, 6.144), 2: (4.79, 5.621), 3: (4.74, 5.805), 4: (4.71, 5.924)}


# MARK: - Density effect

def oscillators(material):
    """(f_i, E_i eV) of the Sternheimer model: one oscillator per occupied subshell (xraylib
    ElectronConfig), strength = electron fraction of the material, E_i = max(edge, first ionisation)."""
    electrons_per_gram = sum(w * z / atomic_weight(z) for z, w in material.mass_fractions.items())
    result = []
    for z, w in material.mass_fractions.items():
        floor = FIRST_IONISATION_EV[z]
        atoms = w / atomic_weight(z)
        for shell in range(0, 40):
            try:
                n = xraylib.ElectronConfig(z, shell)
            except ValueError:
                continue
            if n <= 0:
                continue
            try:
                edge = xraylib.EdgeEnergy(z, shell) * 1e3
            except ValueError:
                edge = 0.0
            result.append((atoms * n / electrons_per_gram, max(edge, floor)))
    return result, electrons_per_gram


def density_effect(material, kinetic_mev):
    """delta(T) for electrons of kinetic energy T (array) in the material at its reference density."""
    osc, electrons_per_gram = oscillators(material)
    f = np.array([o[0] for o in osc])
    e = np.array([o[1] for o in osc])
    plasma = PLASMA_ENERGY_EV * math.sqrt(material.density * electrons_per_gram)
    ln_i = math.log(material.i_value_ev)

    # ICRU 37 eq. 4.12: the factor rho_s that makes the oscillators reproduce ln I (root brackets
    # [1e-4, 1e4] for rho_s and [0, 1e12] for L^2 below: PHYSICS.md Appendix A).
    def mismatch(rho_s):
        return float(np.sum(f * np.log(np.sqrt((rho_s * e) ** 2 + (2.0 / 3.0) * f * plasma ** 2)))) - ln_i

    rho_s = brentq(mismatch, 1e-4, 1e4, xtol=1e-15, rtol=1e-15, maxiter=500)
    l2 = (rho_s * e / plasma) ** 2 + (2.0 / 3.0) * f
    below = float(np.sum(f / l2))  # delta = 0 while 1/beta^2 - 1 >= sum f/l^2
    deltas = []
    for t in kinetic_mev:
        gamma = 1.0 + t / ELECTRON_MASS_MEV
        beta2 = 1.0 - 1.0 / gamma ** 2
        lhs = 1.0 / beta2 - 1.0
        if lhs >= below:
            deltas.append(0.0)
            continue

        def equation(big_l2):
            return float(np.sum(f / (l2 + big_l2))) - lhs

        big_l2 = brentq(equation, 0.0, 1e12, xtol=1e-14, rtol=1e-15, maxiter=500)
        deltas.append(float(np.sum(f * np.log1p(big_l2 / l2))) - big_l2 * (1.0 - beta2))
    return np.array(deltas)


# MARK: - Bremsstrahlung

def _coulomb_function(z):
    """Davies-Bethe-Maximon Coulomb correction f(alpha Z) (Tsai 1974 eq. 3.3)."""
    a2 = (FINE_STRUCTURE * z) ** 2
    return a2 * (1.0 / (1.0 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2 ** 2 - 0.002 * a2 ** 3)


def _electron_term_xi(z):
    """xi = L'_rad / (L_rad - f_c): the atomic-electron contribution relative to the nucleus (Tsai 1974)."""
    if z in TSAI_LOW_Z:
        l_rad, l_rad_prime = TSAI_LOW_Z[z]
    else:
        l_rad = math.log(184.15 * z ** (-1.0 / 3.0))
        l_rad_prime = math.log(1194.0 * z ** (-2.0 / 3.0))
    return l_rad_prime / (l_rad - _coulomb_function(z))


def _tsai_phi(gamma):
    """Tsai's Thomas-Fermi screening functions Phi1, Phi2 (Tsai 1974 eqs. 3.38-3.40)."""
    phi1 = 20.863 - 2.0 * np.log1p((0.55846 * gamma) ** 2) - 4.0 * (1.0 - 0.6 * np.exp(-0.9 * gamma)
                                                                  - 0.4 * np.exp(-1.5 * gamma))
    phi2 = phi1 - (2.0 / 3.0) / (1.0 + 6.5 * gamma + 6.0 * gamma ** 2)
    return phi1, phi2


def _screening_ratio(z, e0, e, k):
    """Screened / unscreened extreme-relativistic Bethe-Heitler DCS, in [0, 1] (energies in mc^2)."""
    y = k / e0
    gamma = 100.0 * k / (e0 * e * z ** (1.0 / 3.0))
    phi1, phi2 = _tsai_phi(gamma)
    unscreened = 16.863 - 4.0 * np.log(0.55846 * gamma)
    lnz = (4.0 / 3.0) * math.log(z)
    a, b = 1.0 + (1.0 - y) ** 2, (2.0 / 3.0) * (1.0 - y)
    screened = a * (phi1 - lnz) - b * (phi2 - lnz)
    bare = (a - b) * (unscreened - lnz)
    ratio = np.where(bare > screened, screened / np.where(bare > 0, bare, 1.0), 1.0)
    return np.clip(ratio, 0.0, 1.0)


def k_dsigma_dk_per_atom(z, kinetic_mev, kappa):
    """k dsigma/dk (cm^2 per atom) for an electron of kinetic energy T emitting k = kappa T."""
    t = kinetic_mev / ELECTRON_MASS_MEV
    kappa = np.minimum(np.asarray(kappa, dtype=float), TIP_KAPPA)
    e0 = t + 1.0
    k = kappa * t
    e = e0 - k
    p0 = math.sqrt(e0 * e0 - 1.0)
    p = np.sqrt(e * e - 1.0)
    eps0 = math.log((e0 + p0) / (e0 - p0))
    eps = np.log((e + p) / (e - p))
    big_l = 2.0 * np.log((e0 * e + p0 * p - 1.0) / k)
    # Koch & Motz 1959 formula 3BN, per unit k (mc^2 units), without the prefactor Z^2 r0^2 alpha.
    bracket = (4.0 / 3.0 - 2.0 * e0 * e * (p * p + p0 * p0) / (p * p * p0 * p0)
               + eps0 * e / p0 ** 3 + eps * e0 / p ** 3 - eps * eps0 / (p0 * p)
               + big_l * (8.0 * e0 * e / (3.0 * p0 * p)
                          + k * k * (e0 * e0 * e * e + p0 * p0 * p * p) / (p0 ** 3 * p ** 3)
                          + k / (2.0 * p0 * p) * (eps0 * (e0 * e + p0 * p0) / p0 ** 3
                                                  - eps * (e0 * e + p * p) / p ** 3
                                                  + 2.0 * k * e0 * e / (p * p * p0 * p0))))
    dsigma_dk = p / (p0 * k) * bracket
    # Elwert factor (Elwert 1939), beta = p/E.
    beta0, beta = p0 / e0, p / e
    two_pi_az = 2.0 * math.pi * FINE_STRUCTURE * z
    elwert = (beta0 / beta) * (-np.expm1(-two_pi_az / beta0)) / (-np.expm1(-two_pi_az / beta))
    charge = z * z + z * _electron_term_xi(z) * t / (t + 2.0)
    prefactor = charge * CLASSICAL_ELECTRON_RADIUS_CM ** 2 * FINE_STRUCTURE
    return np.maximum(prefactor * k * dsigma_dk * elwert * _screening_ratio(z, e0, e, k), 0.0)


def brems_psi(material):
    """psi(T_i, kappa_j) = k dsigma/dk per gram (cm^2/g) on BREMS_LN_T x BREMS_KAPPA (row-major in T)."""
    table = np.zeros((len(BREMS_LN_T), len(BREMS_KAPPA)))
    for z, w in material.mass_fractions.items():
        atoms_per_gram = AVOGADRO * w / atomic_weight(z)
        for i, lnt in enumerate(BREMS_LN_T):
            table[i] += atoms_per_gram * k_dsigma_dk_per_atom(z, math.exp(lnt), BREMS_KAPPA)
    return table
