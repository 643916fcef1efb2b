"""Side by side: the Python layer on the Ti 2p doublet fit (two Voigt doublets
with shared sigma/gamma, common splitting, fixed 1/2 area ratio, free width
ratio, linear background; 500 points; 10 free parameters), same data, same
model, same starts, same machine, one run:

1. overhead of `interphase.spectra.PeakModel.fit` over the Rust API
   (`target/release/peakfit_timing`, the same fit called from Rust);
2. against lmfit's `minimize` with scipy's `voigt_profile` (lmfit's fastest
   honest use: no Model machinery, scipy's C Voigt), checking that we never
   reach a worse chi-square;
3. `fit_many` on 1 and on all threads over 400 noisy copies of the spectrum.

Run from the repository root (a release build of the package):
    python3 -m venv .venv-py && .venv-py/bin/pip install maturin numpy scipy lmfit
    PATH=.venv-py/bin:$PATH .venv-py/bin/pip install --no-build-isolation ./crates/python
    .venv-py/bin/python benches/compare/python_layer.py
"""
import os
import re
import subprocess
import sys
import time

import lmfit
import numpy as np
import scipy

import interphase
from _common import median_us, ti2p_lmfit_params as lmfit_params, ti2p_residual as residual
from interphase.spectra import PeakModel

DATA = "crates/spectra/tests/data/ti2p_synthetic.csv"
MODEL = "crates/spectra/tests/data/ti2p_linear.toml"
x, y = np.loadtxt(DATA, delimiter=",", comments="#", skiprows=2, unpack=True)


def median_s(f, reps):
    """Median wall time of `reps` calls, s (benches/compare/_common.py)."""
    return median_us(f, reps) * 1e-6


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-benches", "--bin", "peakfit_timing"],
                   check=True)
    print("interphase %s (Python), lmfit %s, scipy %s, numpy %s, Python %s, %d cores"
          % (interphase.__version__, lmfit.__version__, scipy.__version__, np.__version__,
             sys.version.split()[0], os.cpu_count()))
    # this machine's timings drift (shared cores): the Rust binary and the
    # Python call alternate, 5 rounds of 41 fits each, medians of the rounds
    model = PeakModel.from_file(MODEL)
    fit = model.fit(x, y)
    rust_t, py_t = [], []
    for _ in range(5):
        r = subprocess.run(["target/release/peakfit_timing", DATA, MODEL], check=True,
                           capture_output=True, text=True)
        rust = dict(re.findall(r"(\w+)=([-+\d.e]+)", r.stdout))
        rust_t.append(float(rust["fit_us"]) * 1e-6)
        py_t.append(median_s(lambda: model.fit(x, y), 41))
    t_rust, t_py = sorted(rust_t)[2], sorted(py_t)[2]
    print("1. Rust API %.3f ms per fit (rounds %s); from Python %.3f ms (rounds %s) -> overhead %+.1f %% "
          "(chi2 %.10e, Rust %.10e)"
          % (t_rust * 1e3, " ".join("%.2f" % (t * 1e3) for t in rust_t), t_py * 1e3,
             " ".join("%.2f" % (t * 1e3) for t in py_t), 100 * (t_py / t_rust - 1), fit.chisqr,
             float(rust["chi_square"])))
    print("   best rounds: Rust %.3f ms, Python %.3f ms -> overhead %+.1f %%"
          % (min(rust_t) * 1e3, min(py_t) * 1e3, 100 * (min(py_t) / min(rust_t) - 1)))

    res = lmfit.minimize(residual, lmfit_params(), args=(x, y), method="leastsq")
    t_lm = median_s(lambda: lmfit.minimize(residual, lmfit_params(), args=(x, y), method="leastsq"), 7)
    worse = fit.chisqr > res.chisqr * (1 + 1e-9)
    print("2. lmfit minimize + voigt_profile %.1f ms per fit (%d evaluations, chi2 %.10e); "
          "interphase from Python %.3f ms (chi2 %.10e%s) -> %.0fx"
          % (t_lm * 1e3, res.nfev, res.chisqr, t_py * 1e3, fit.chisqr,
             ", WORSE" if worse else ", not worse", t_lm / t_py))

    rng = np.random.default_rng(2026)
    Y = rng.poisson(np.clip(np.tile(fit.best_fit, (400, 1)), 0, None)).astype(float)
    t1 = median_s(lambda: model.fit_many(x, Y, threads=1), 5)
    tn = median_s(lambda: model.fit_many(x, Y), 5)
    print("3. fit_many, 400 spectra: 1 thread %.3f s, %d threads %.3f s -> %.2fx"
          % (t1, os.cpu_count(), tn, t1 / tn))


if __name__ == "__main__":
    main()
