"""Does Z-HIT flag drifting spectra (issue 26)? Ours against pyimpspec's.

The spectra of kk_classification_study.py: synthetic cells
R0-p(R1,CPE1)-p(R2,CPE2), half with a Warburg tail, 81 frequencies from
1 MHz to 10 mHz, complex Gaussian noise of 0.25 % of |Z|; each once valid
and once with the drift 1 + 0.05 (k/n)^2 towards low frequency. Both
implementations smooth the phase with a 7-point quadratic Savitzky-Golay
filter and reconstruct with a cubic spline (pyimpspec: perform_zhit(
smoothing="savgol", num_points=7, polynomial_order=2,
interpolation="cubic", window="boxcar"); ours: eis.zhit with the phase
smoothed by scipy's savgol_filter, the CLI's `eis zhit --smooth 7`). A
spectrum is flagged when a residual of the lowest decade (the last 10
points) exceeds the threshold, 1 % by default. Prints how many valid
spectra are flagged (false alarms) and how many drifting ones (hits).

Run (with the Python package and pyimpspec installed):
    python3 crates/eis/tools/zhit_drift_study.py [N] [SEED] [THRESHOLD]
"""
import sys
import numpy as np
import pyimpspec
from scipy.signal import savgol_filter
from interphase import eis

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 26)
T = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
f = 10 ** (6 - 0.1 * np.arange(81))


def cell(warburg):
    r0 = rng.uniform(5, 50); r1 = rng.uniform(100, 2000); q1 = 10 ** rng.uniform(-9, -7)
    a1 = rng.uniform(0.8, 1.0); r2 = rng.uniform(100, 3000); q2 = 10 ** rng.uniform(-7, -5)
    a2 = rng.uniform(0.7, 0.95)
    if warburg:
        c = eis.Circuit('R0-p(R1,CPE1)-p(R2,CPE2)-W1'); p = [r0, r1, q1, a1, r2, q2, a2, rng.uniform(50, 500)]
    else:
        c = eis.Circuit('R0-p(R1,CPE1)-p(R2,CPE2)'); p = [r0, r1, q1, a1, r2, q2, a2]
    return c.impedance(f, p)


def noisy(z):
    return z + 0.0025 * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def drift(z):
    k = np.arange(z.size)
    return z * (1 + 0.05 * (k / z.size) ** 2)


def lf_max(re, im):
    return max(np.abs(re[-10:]).max(), np.abs(im[-10:]).max())


def ours(z):
    r = eis.zhit(f, z, phase=savgol_filter(np.angle(z), 7, 2))
    return lf_max(np.asarray(r["residuals_re"]), np.asarray(r["residuals_im"]))


def theirs(z):
    ds = pyimpspec.DataSet(frequencies=f, impedances=z)
    r = pyimpspec.perform_zhit(ds, smoothing="savgol", num_points=7, polynomial_order=2,
                               interpolation="cubic", window="boxcar", num_procs=1)
    return lf_max(r.residuals.real, r.residuals.imag)


flags = {"interphase": [0, 0], "pyimpspec": [0, 0]}
for i in range(N):
    z0 = cell(i % 2 == 0)
    zv, zd = noisy(z0), noisy(drift(z0))
    for name, fn in (("interphase", ours), ("pyimpspec", theirs)):
        flags[name][0] += fn(zv) > T
        flags[name][1] += fn(zd) > T
print(f"{N} valid and {N} drifting spectra, 0.25 % noise, flag: a lowest-decade residual > {100 * T:g} %")
for name, (fa, hit) in flags.items():
    print(f"{name:12s} valid flagged {fa}/{N}   drifting flagged {hit}/{N}")
