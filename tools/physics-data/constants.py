"""Physical constants used by the Penumbra physics-table generator.

Every number names its source. CODATA 2018: Tiesinga et al., Rev. Mod. Phys. 93, 025010 (2021);
the SI 2019 definition fixes N_A exactly.
"""

# Electron rest energy m_e c^2 in MeV (CODATA 2018).
ELECTRON_MASS_MEV = 0.51099895000
# Classical electron radius r_0 in cm (CODATA 2018).
CLASSICAL_ELECTRON_RADIUS_CM = 2.8179403262e-13
# Fine-structure constant alpha (CODATA 2018: 1/alpha = 137.035999084).
FINE_STRUCTURE = 1.0 / 137.035999084
# Avogadro constant in 1/mol (exact since the 2019 SI redefinition).
AVOGADRO = 6.02214076e23
# h c in keV * Angstrom (CODATA 2018: hc = 1.23984198e-6 eV m), for q = sin(theta/2) / lambda.
HC_KEV_ANGSTROM = 12.398419843320026
# 1 barn in cm^2 (definition).
BARN_CM2 = 1.0e-24
# Plasma-energy constant: E_p = 28.816 sqrt(rho Z/A) eV with rho in g/cm^3 (ICRU Report 37 (1984),
# eq. 4.11; it is hbar sqrt(4 pi N_A e^2 / m_e) in these units).
PLASMA_ENERGY_EV = 28.816
# Energy up to which xraylib's Elam-Ravel-Sieber tables are used (xraylib 4.3.0 refuses E > 800 keV:
# "Spline extrapolation is not allowed"; PHYSICS.md section 1.2).
ELAM_LIMIT_MEV = 0.8
