"""Shared by the side-by-side scripts: the 2000-point comparison spectrum (the
same arithmetic as `interphase_benches::compare_spectrum`), a median timer, and
the lmfit twin of the Ti 2p model (crates/spectra/tests/data/ti2p_linear.toml)
as lmfit's fastest honest use: `minimize` on a residual built from scipy's C
`voigt_profile`, no Model machinery."""
import time

import numpy as np

n = 2000
x = np.arange(n, dtype=float)


def _g(c, w, a):
    return a * np.exp(-0.5 * ((x - c) / w) ** 2)


y = (100 + 0.02 * x + 20 * np.sin(x / 300) + _g(400, 10, 300) + _g(900, 25, 150) + _g(1300, 6, 200)
     + _g(1700, 15, 120) + 0.8 * np.sin(0.37 * x) + 0.5 * np.sin(1.91 * x))


def median_us(f, reps=21):
    """Median wall time of `reps` calls of f, µs, after warm-up calls (at least
    one, and at least 0.2 s of them: the same warm-up as `median_time` in
    benches/src/lib.rs)."""
    t0 = time.perf_counter()
    f()
    while time.perf_counter() - t0 < 0.2:
        f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[reps // 2] * 1e6


def ti2p_lmfit_params():
    """lmfit Parameters of ti2p_linear.toml, its starting values and bounds."""
    import lmfit
    p = lmfit.Parameters()
    p.add("t4_center", value=458.8, min=457.5, max=460.0)
    p.add("sigma", value=0.5, min=0)
    p.add("gamma", value=0.3, min=0)
    p.add("t4_area", value=5000, min=0)
    p.add("split", value=5.7)
    p.add("wr", value=1.3, min=0)
    p.add("t3_center", value=457.3, min=456.5, max=458.2)
    p.add("t3_area", value=1000, min=0)
    p.add("slope", value=0.0)
    p.add("intercept", value=309.94501583906197)
    return p


def ti2p_lmfit_model(v, x):
    """ti2p_linear.toml's model at the parameter values v (a dict): two Voigt
    doublets (2p1/2 at +split, half the area, widths times wr) on a line."""
    from scipy.special import voigt_profile
    s, g, wr, d = v["sigma"], v["gamma"], v["wr"], v["split"]
    out = v["intercept"] + v["slope"] * x
    for c, a in ((v["t4_center"], v["t4_area"]), (v["t3_center"], v["t3_area"])):
        out = out + a * voigt_profile(x - c, s, g) + 0.5 * a * voigt_profile(x - c - d, s * wr, g * wr)
    return out


def ti2p_residual(p, x, y):
    """The residual lmfit.minimize is given: model − data."""
    return ti2p_lmfit_model(p.valuesdict(), x) - y


def pydrttools():
    """pyDRTtools' `runs` and `basics` modules, imported without running its
    package `__init__` (which starts the GUI), and cvxopt's solver quietened."""
    import contextlib
    import importlib.util
    import io
    import os
    import sys
    import types
    with contextlib.redirect_stdout(io.StringIO()):
        spec = importlib.util.find_spec("pyDRTtools")
        pkg = types.ModuleType("pyDRTtools")
        pkg.__path__ = [os.path.dirname(spec.origin)]
        sys.modules["pyDRTtools"] = pkg
        from pyDRTtools import basics, runs
    from cvxopt import solvers
    solvers.options["show_progress"] = False
    return runs, basics
