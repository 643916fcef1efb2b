"""Side by side, issue 28's headline: the whole `interphase spectrum fit`
process on 100 random Ti 2p spectra against lmfit's loop over the same
spectra, same model, same starts, same machine, one run.

Spectra: two Voigt doublets (Ti4+ and Ti3+) with shared widths, 2p1/2 at
+5.7 eV with half the area and 1.3x the widths, linear background, 1000
points from 450 to 470 eV, Poisson noise; the Ti4+ centre, both areas and
sigma drawn at random (numpy seed 28). Model: crates/spectra/tests/data/
ti2p_linear.toml, and for lmfit its twin in _common.py: `minimize`
(method "leastsq") on a residual from scipy's C `voigt_profile`, lmfit's
fastest honest use, one fit after the other from the model file's starts.
Ours: the release CLI, one process, `--format json` to a file, all cores
(2 here), timed from outside (start-up, reading the 100 files, fitting,
writing). Both wall times are medians of 3 runs. Checks, spectrum by
spectrum, that ours never ends at a worse chi-square (relative 1e-9).

Run from the repository root:
    cargo build --release -p interphase-cli
    python3 -m venv .venv && .venv/bin/pip install numpy scipy lmfit
    .venv/bin/python benches/compare/lmfit_ti2p_batch.py [N] [--projection auto|on|off]

Arguments after N go to `interphase spectrum fit` as they are.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import lmfit
import numpy as np
import scipy

from _common import ti2p_lmfit_model, ti2p_lmfit_params, ti2p_residual

MODEL = "crates/spectra/tests/data/ti2p_linear.toml"
CLI = os.environ.get("INTERPHASE_CLI", "target/release/interphase")
EXTRA = sys.argv[2:]


def spectra(n, rng):
    x = np.linspace(450.0, 470.0, 1000)
    base = ti2p_lmfit_params().valuesdict()
    Y = np.empty((n, x.size))
    for k in range(n):
        v = dict(base, t4_center=rng.uniform(458.5, 459.1), t4_area=rng.uniform(4e3, 6e3),
                 t3_area=rng.uniform(3e2, 2e3), sigma=rng.uniform(0.4, 0.6))
        Y[k] = rng.poisson(np.clip(ti2p_lmfit_model(v, x), 0, None))
    return x, Y


def median3(f):
    ts = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[1], out


def run_cli(files, out):
    with open(out, "w") as f:
        subprocess.run([CLI, "spectrum", "fit", "--model", MODEL, "--format", "json"] + EXTRA + files,
                       stdout=f, check=True)
    with open(out) as f:
        return json.load(f)


def chi2_of(doc):
    """chi-square per input file, in input order, from the CLI's JSON."""
    fits = doc["fits"] if isinstance(doc, dict) and "fits" in doc else doc
    return [f["chi_square"] for f in fits]


def lmfit_loop(x, Y):
    return [lmfit.minimize(ti2p_residual, ti2p_lmfit_params(), args=(x, y), method="leastsq")
            for y in Y]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rng = np.random.default_rng(28)
    x, Y = spectra(n, rng)
    print("lmfit %s, scipy %s, numpy %s, Python %s; interphase CLI %s, %d cores"
          % (lmfit.__version__, scipy.__version__, np.__version__, sys.version.split()[0],
             " ".join([CLI] + EXTRA),
             os.cpu_count()))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k in range(n):
            path = os.path.join(tmp, f"s{k:05d}.csv")
            np.savetxt(path, np.column_stack([x, Y[k]]), delimiter=",", fmt="%.10g",
                       header="binding_energy_eV,counts", comments="")
            files.append(path)
        # the data as the files hold them (x to 10 digits), for lmfit too
        x = np.loadtxt(files[0], delimiter=",", skiprows=1)[:, 0]
        Y = np.array([np.loadtxt(p, delimiter=",", skiprows=1)[:, 1] for p in files])
        t_ours, doc = median3(lambda: run_cli(files, os.path.join(tmp, "out.json")))
    t_lm, res = median3(lambda: lmfit_loop(x, Y))
    ours = chi2_of(doc)
    theirs = [r.chisqr for r in res]
    worse = [k for k in range(n) if ours[k] > theirs[k] * (1 + 1e-9)]
    rel = max(abs(a - b) / b for a, b in zip(ours, theirs))
    nfev = np.median([r.nfev for r in res])
    print("lmfit loop: %.3f s (%.2f ms a fit, median %d evaluations)" % (t_lm, t_lm / n * 1e3, nfev))
    print("interphase spectrum fit, whole process: %.3f s (%.2f ms a spectrum)" % (t_ours, t_ours / n * 1e3))
    print("ratio %.1fx; chi-square: %d of %d worse than lmfit's, largest relative difference %.1e"
          % (t_lm / t_ours, len(worse), n, rel))
    if worse:
        print("  WORSE at spectra %s" % worse[:10], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
