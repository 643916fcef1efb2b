"""Side by side: DRT credible bands, pyDRTtools 0.2 `Bayesian_run` against
`interphase eis drt --bands`, same spectrum, same posterior, same machine,
one run each.

Run from the repository root (pyDRTtools needs numpy < 2):
    .venv/bin/pip install "numpy<2" scipy pyDRTtools cvxopt scikit-learn pandas matplotlib
    .venv/bin/python benches/compare/pydrttools_bands.py [--gibbs]
Spectrum: crates/eis/tests/data/two_zarc_1pct.csv (two ZARCs, 1 % noise).
Both: λ = 10⁻³, Gaussians at τ = 1/f, FWHM coefficient 0.5, combined parts,
inductance, first derivative, 2000 samples of the truncated posterior by
exact HMC, the first 500 dropped (pyDRTtools: 501). Printed: wall time,
the posterior mean and spread of ∫γ d ln τ, the posterior mean γ at its
maximum, and where the DRT's own γ (the mode) leaves our band. `--gibbs`
adds an independent coordinate-wise Gibbs sampler of the same posterior
(scipy truncnorm, 3000 sweeps; minutes).
"""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import pydrttools  # noqa: E402

runs, basics = pydrttools()
PATH = "crates/eis/tests/data/two_zarc_1pct.csv"


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-cli"], check=True)
    a = np.loadtxt(PATH, delimiter=",", skiprows=1)
    e = runs.EIS_object(a[:, 0], a[:, 1], a[:, 2])
    np.random.seed(0)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        runs.Bayesian_run(e, cv_type="custom", reg_param=1e-3)
    t_py = time.perf_counter() - t0
    k = np.sqrt(np.pi) / e.epsilon
    areas = e.Xs[:, 501:].sum(axis=0) * k
    print("numpy %s, pyDRTtools 0.2" % np.__version__)
    print("pyDRTtools: %6.1f s; R_pol posterior %.2f ± %.2f Ω (MAP %.2f); mean γ at maximum %.2f Ω"
          % (t_py, areas.mean(), areas.std(ddof=1), e.x.sum() * k, e.mean.max()))
    gout = os.path.join(tempfile.mkdtemp(prefix="interphase-bands-"), "gamma.csv")
    t0 = time.perf_counter()
    r = subprocess.run(["target/release/interphase", "eis", "drt", PATH, "--lambda", "1e-3",
                        "--tau-grid", "inverse", "--bands", "--gamma-out", gout, "--format", "json"],
                       check=True, capture_output=True, text=True)
    t_us = time.perf_counter() - t0
    q = {x["name"]: x for x in json.loads(r.stdout)["quantities"]}
    g = np.loadtxt(gout, delimiter=",", skiprows=1)
    post = q["R_polarization_posterior"]
    print("interphase: %6.1f s; R_pol posterior %.2f ± %.2f Ω (MAP %.2f); mean γ at maximum %.2f Ω"
          % (t_us, post["value"], post["uncertainty"], q["R_polarization"]["value"], g[:, 2].max()))
    print("ratio %.0fx" % (t_py / t_us))
    below = (g[:, 1] < g[:, 3]).sum()
    above = (g[:, 1] > g[:, 4]).sum()
    print("the DRT's γ below our 99 %% band at %d of %d grid points (all where it is < 1 %% of its maximum: %s),"
          " above it at %d" % (below, len(g), bool(((g[:, 1] < g[:, 3]) <= (g[:, 1] < 0.01 * g[:, 1].max())).all()),
                               above))
    if "--gibbs" in sys.argv:
        from scipy.stats import truncnorm
        mu, P = e.mu, e.Sigma_inv
        x = np.maximum(e.x.copy(), 1e-9)
        rng = np.random.default_rng(0)
        out = []
        for sweep in range(3000):
            for i in range(len(mu)):
                m = mu[i] - (P[i, :] @ (x - mu) - P[i, i] * (x[i] - mu[i])) / P[i, i]
                s = 1 / np.sqrt(P[i, i])
                x[i] = truncnorm.rvs(-m / s, np.inf, loc=m, scale=s, random_state=rng)
            out.append(x.sum() * k)
        print("Gibbs: R_pol posterior %.2f ± %.2f Ω" % (np.mean(out[500:]), np.std(out[500:], ddof=1)))


if __name__ == "__main__":
    main()
