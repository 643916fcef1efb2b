"""Side by side: the DRT with λ by GCV, pyDRTtools 0.2 against interphase-eis,
same spectra, same machine, one run.

Run from the repository root:
    .venv/bin/pip install "numpy<2" scipy pyDRTtools cvxopt scikit-learn pandas matplotlib
    .venv/bin/python benches/compare/pydrttools_drt.py
Spectra: two Zarcs (as crates/eis/tests/drt.rs; written to a temporary CSV),
data/llto/eis_cell.csv and data/llto/eis_pellet.csv. pyDRTtools:
`simple_run(cv_type="GCV")` (Gaussian RBF, FWHM coefficient 0.5, combined
parts, inductance, first derivative, cvxopt defaults), median of 3 runs.
interphase: `drt(DrtOptions::default())` through
`cargo run --release -p interphase-benches --bin eis_timing -- drt`, median of
5 runs. The options differ in where the Gaussians sit (pyDRTtools τ = 1/f, ours
1/(2πf)) and in the λ search (pyDRTtools: local SLSQP from 10⁻³; ours: global),
so the printed λ differ; tests/drt.rs compares the two at equal settings.
"""
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import pydrttools  # noqa: E402

runs, basics = pydrttools()


def load(path):
    rows = [l for l in open(path) if l.strip() and not l.startswith("#") and not l[0].isalpha()]
    a = np.loadtxt(io.StringIO("".join(rows)), delimiter=",")
    a = a[np.argsort(-a[:, 0])]
    return a[:, 0], a[:, 1], a[:, 2]


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-benches", "--bin", "eis_timing"],
                   check=True)
    f = 10.0 ** (6.0 - 0.1 * np.arange(71))
    jw = 1j * 2 * np.pi * f
    z = 10.0 + 100.0 / (1 + 100.0 * 1e-7 * jw ** 0.85) + 50.0 / (1 + 50.0 * 2e-4 * jw ** 0.8)
    zarc = os.path.join(tempfile.mkdtemp(prefix="interphase-drt-"), "zarc.csv")
    np.savetxt(zarc, np.column_stack([f, z.real, z.imag]), delimiter=",", fmt="%.17e")
    print("numpy %s, Python %s, pyDRTtools 0.2" % (np.__version__, sys.version.split()[0]))
    for name, path in (("two Zarcs", zarc), ("LLTO cell", "data/llto/eis_cell.csv"),
                       ("LLTO pellet", "data/llto/eis_pellet.csv")):
        fr, re_, im = load(path)
        ts = []
        for _ in range(3):
            e = runs.EIS_object(fr, re_, im)
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                runs.simple_run(e, cv_type="GCV")
            ts.append(time.perf_counter() - t0)
        t_py = sorted(ts)[1] * 1e3
        lam_py = float(np.ravel(e.lambda_value)[0])
        r = subprocess.run(["target/release/eis_timing", "drt", path], check=True, capture_output=True, text=True)
        m = dict(re.findall(r"(\w+)=(\S+)", r.stdout))
        t_us = float(m["us"]) / 1e3
        print("%-12s %3d points: pyDRTtools %7.1f ms (lambda %.2e), interphase %6.2f ms (lambda %.2e): %4.0fx"
              % (name, len(fr), t_py, lam_py, t_us, float(m["lambda"]), t_py / t_us))


if __name__ == "__main__":
    main()
