"""The NIST StRD suite through scipy.optimize.leastsq (MINPACK lmdif, forward
differences — lmfit's default 'leastsq' method), for docs/validation.md.

Run: python3 benches/compare/minpack_nist.py ../shared/data/nist-strd
(needs numpy and scipy; the models come from the data folder's parse_nist.py).
"""
import math
import os
import sys

import numpy as np
from scipy.optimize import leastsq

sys.path.insert(0, sys.argv[1])
import parse_nist  # noqa: E402


def lre(c, t):
    if c == t:
        return 11.0
    return max(0.0, min(11.0, -math.log10(abs(c - t) / abs(t))))


names = sorted(f[:-4] for f in os.listdir(sys.argv[1]) if f.endswith(".dat"))
missed = []
for name in names:
    d = parse_nist.parse_file(os.path.join(sys.argv[1], name + ".dat"))
    f = parse_nist.MODELS[name]
    y = np.array(d["y"], dtype=float)
    xs = d["x"]
    if name == "Nelson":
        y = np.log(y)

    def resid(b, f=f, xs=xs, y=y):
        # parse_nist's models are scalar (math module): evaluate point by point
        try:
            return np.array([f(b, xi) for xi in xs]) - y
        except (OverflowError, ValueError, ZeroDivisionError):
            return np.full(y.shape, 1e150)

    for start in (1, 2):
        b0 = np.array([p["start%d" % start] for p in d["params"]])
        with np.errstate(all="ignore"):
            b, cov, info, msg, ier = leastsq(resid, b0, full_output=True,
                                             xtol=1e-15, ftol=1e-15, maxfev=100000)
        lp = min(lre(v, p["certified"]) for v, p in zip(b, d["params"]))
        ok = ier in (1, 2, 3, 4)
        print(f"{name:9s} start {start}: ier {ier} min LRE params {lp:4.1f}")
        if lp < 4:
            missed.append(f"{name} start {start}")
print("runs with fewer than 4 correct digits:", ", ".join(missed) or "none")
