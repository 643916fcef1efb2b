"""Side by side: the Ti 2p peak fit (two Voigt doublets — Ti4+ and Ti3+ — with
shared sigma/gamma, common splitting, 2p1/2 area ratio fixed at 1/2, free width
ratio; linear background; 500 points) in lmfit and in interphase-spectra, same
data, same model, same starting values, same machine, one run.

Run from the repository root:
    python3 -m venv .venv && .venv/bin/pip install numpy scipy lmfit
    .venv/bin/python benches/compare/lmfit_ti2p.py
Data: crates/spectra/tests/data/ti2p_synthetic.csv; model:
crates/spectra/tests/data/ti2p_linear.toml (its lmfit twin is built below, as in
crates/spectra/tools/gen_lmfit_peak_refs.py). lmfit runs method="leastsq" with its
default tolerances and with ftol = xtol = 1e-13; ours with its defaults (analytic
Jacobian). Checks that both reach the same chi-square (relative 1e-6) and prints
the time per fit (median of 7 for lmfit, 41 for ours, one thread) and the ratio.
"""
import re
import subprocess
import sys
import time

import lmfit
import numpy as np
import scipy
from lmfit.models import LinearModel, VoigtModel

DATA = "crates/spectra/tests/data/ti2p_synthetic.csv"
MODEL = "crates/spectra/tests/data/ti2p_linear.toml"

x, y = np.loadtxt(DATA, delimiter=",", comments="#", skiprows=2, unpack=True)


def lmfit_model():
    m = (VoigtModel(prefix="t4_") + VoigtModel(prefix="t4b_") + VoigtModel(prefix="t3_")
         + VoigtModel(prefix="t3b_") + LinearModel(prefix="bg_"))
    p = m.make_params()
    p.add("split", value=5.7)
    p.add("wr", value=1.3, min=0)
    p["t4_center"].set(value=458.8, min=457.5, max=460.0)
    p["t4_sigma"].set(value=0.5, min=0)
    p["t4_gamma"].set(value=0.3, min=0, vary=True, expr="")
    p["t4_amplitude"].set(value=5000, min=0)
    p["t4b_center"].set(expr="t4_center + split")
    p["t4b_sigma"].set(expr="t4_sigma * wr")
    p["t4b_gamma"].set(expr="t4_gamma * wr")
    p["t4b_amplitude"].set(expr="0.5 * t4_amplitude")
    p["t3_center"].set(value=457.3, min=456.5, max=458.2)
    p["t3_sigma"].set(expr="t4_sigma")
    p["t3_gamma"].set(expr="t4_gamma")
    p["t3_amplitude"].set(value=1000, min=0)
    p["t3b_center"].set(expr="t3_center + split")
    p["t3b_sigma"].set(expr="t4_sigma * wr")
    p["t3b_gamma"].set(expr="t4_gamma * wr")
    p["t3b_amplitude"].set(expr="0.5 * t3_amplitude")
    p["bg_slope"].set(value=0.0)
    p["bg_intercept"].set(value=309.94501583906197)
    return m, p


def time_lmfit(kws):
    m, p = lmfit_model()
    res = m.fit(y, p, x=x, method="leastsq", fit_kws=kws)
    ts = []
    for _ in range(7):
        m, p = lmfit_model()
        t0 = time.perf_counter()
        res = m.fit(y, p, x=x, method="leastsq", fit_kws=kws)
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[3] * 1e6, res


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-benches", "--bin", "peakfit_timing"],
                   check=True)
    print("lmfit %s, scipy %s, numpy %s, Python %s" % (lmfit.__version__, scipy.__version__, np.__version__,
                                                        sys.version.split()[0]))
    r = subprocess.run(["target/release/peakfit_timing", DATA, MODEL], check=True, capture_output=True, text=True)
    ours = dict(re.findall(r"(\w+)=([-+\d.e]+)", r.stdout))
    t_ours = float(ours["fit_us"])
    chi_ours = float(ours["chi_square"])
    print("interphase: %.1f us per fit, chi2 %.10e, %s evaluations + %s Jacobians"
          % (t_ours, chi_ours, ours["nfev"], ours["njev"]))
    for label, kws in (("lmfit default tolerances", {}), ("lmfit ftol=xtol=1e-13", dict(ftol=1e-13, xtol=1e-13))):
        t, res = time_lmfit(kws)
        rel = abs(res.chisqr - chi_ours) / res.chisqr
        print("%s: %.1f us per fit (%d evaluations), chi2 %.10e, |dchi2|/chi2 = %.1e -> ratio %.1fx"
              % (label, t, res.nfev, res.chisqr, rel, t / t_ours))
        if rel > 1e-6:
            print("  WARNING: chi-square differs by more than 1e-6")


if __name__ == "__main__":
    main()
