"""Reference numbers for crates/eis/tests/drt.rs from pyDRTtools 0.2.

Run from the repository root:
    .venv/bin/pip install pyDRTtools cvxopt scikit-learn pandas matplotlib
    .venv/bin/python crates/eis/tools/gen_drt_refs.py
pyDRTtools' package __init__ imports its Qt GUI; the script loads the
computational modules (runs, basics, parameter_selection) without it.
Frequencies are passed in decreasing order (pyDRTtools' shape factor takes
the mean spacing of ln(1/f) with its sign). Prints, per case, R_inf, L, the
sum and a few entries of x, and GCV's lambda; paste them into the test.
"""
import contextlib
import importlib.util
import io
import os
import sys
import time
import types

import numpy as np

with contextlib.redirect_stdout(io.StringIO()):  # it prints sys.path on import
    spec = importlib.util.find_spec("pyDRTtools")
pkg = types.ModuleType("pyDRTtools")
pkg.__path__ = [os.path.dirname(spec.origin)]
sys.modules["pyDRTtools"] = pkg
from pyDRTtools import runs, basics  # noqa: E402
from cvxopt import solvers  # noqa: E402

solvers.options["show_progress"] = False
solvers.options["abstol"] = 1e-12
solvers.options["reltol"] = 1e-12
solvers.options["feastol"] = 1e-12


def load(path):
    rows = [l for l in open(path) if l.strip() and not l.startswith("#") and not l[0].isalpha()]
    a = np.loadtxt(io.StringIO("".join(rows)), delimiter=",")
    a = a[np.argsort(-a[:, 0])]
    return a[:, 0], a[:, 1], a[:, 2]


def zarc_data():
    # R0-p(R1,CPE1)-p(R2,CPE2): 10 Ω + 100 Ω (Q 1e-7, α 0.85) + 50 Ω (Q 2e-4, α 0.8)
    f = 10.0 ** (6.0 - 0.1 * np.arange(71))
    jw = 1j * 2 * np.pi * f
    z = 10.0 + 100.0 / (1 + 100.0 * 1e-7 * jw ** 0.85) + 50.0 / (1 + 50.0 * 2e-4 * jw ** 0.8)
    return f, z.real, z.imag


cases = [
    ("zarc", zarc_data()),
    ("llto pellet", load("data/llto/eis_pellet.csv")),
]
shared = "../shared/data/eis/impedance_py_exampleData.csv"
if os.path.exists(shared):
    cases.append(("impedance.py exampleData", load(shared)))

runs_cfg = [
    ("combined, L, 1st", dict(data_used="Combined Re-Im Data", induct_used=1, der_used="1st order")),
    ("combined, no L, 2nd", dict(data_used="Combined Re-Im Data", induct_used=0, der_used="2nd order")),
    ("re, 1st", dict(data_used="Re Data", induct_used=0, der_used="1st order")),
    ("im, L, 1st", dict(data_used="Im Data", induct_used=1, der_used="1st order")),
]
for name, (f, re, im) in cases:
    print(f"// ---- {name}: {len(f)} points")
    for rname, kw in runs_cfg:
        e = runs.EIS_object(f, re, im)
        e.lambda_lambda = 1e-3  # pyDRTtools 0.2's "Re Data" branch prints this misspelt attribute
        with contextlib.redirect_stdout(io.StringIO()):
            runs.simple_run(e, cv_type="custom", reg_param=1e-3, **kw)
        x = e.x
        idx = [0, len(x) // 4, len(x) // 2, 3 * len(x) // 4, len(x) - 1]
        print(f"// {rname} (lambda 1e-3): R_inf = {e.R!r}, L = {e.L!r}, eps = {e.epsilon!r}")
        print(f"//   sum x = {x.sum()!r}, max x = {x.max()!r} at {int(x.argmax())}")
        print(f"//   x[{idx}] = {[float(x[i]) for i in idx]}")
    e = runs.EIS_object(f, re, im)
    with contextlib.redirect_stdout(io.StringIO()):
        runs.simple_run(e, cv_type="custom", reg_param=1e-3)  # combined, L, 1st: assembles A, M
    from pyDRTtools import parameter_selection as ps
    g = [ps.compute_GCV(np.log(l), e.A_re, e.A_im, e.b_re, e.b_im, e.M, "Combined Re-Im Data", 1)
         for l in (1e-6, 1e-4, 1e-2)]
    print(f"// GCV score at lambda 1e-6, 1e-4, 1e-2 (combined, L, 1st): {[float(v) for v in g]}")
    e = runs.EIS_object(f, re, im)
    solvers.options["abstol"] = 1e-7  # pyDRTtools' defaults for the timing
    solvers.options["reltol"] = 1e-6
    solvers.options["feastol"] = 1e-7
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        runs.simple_run(e, cv_type="GCV")
    dt = time.perf_counter() - t
    print(f"// GCV (pyDRTtools SLSQP from 1e-3): lambda = {e.lambda_value!r}, {dt * 1e3:.0f} ms")
    solvers.options["abstol"] = 1e-12
    solvers.options["reltol"] = 1e-12
    solvers.options["feastol"] = 1e-12
