"""Side by side: NIST StRD Gauss3 from start 2, lmfit (leastsq, default
tolerances, its own forward-difference Jacobian and an analytic Dfun) against
interphase-fit (analytic Jacobian), same data, same model, same machine, one run.

Run from the repository root:
    python3 -m venv .venv && .venv/bin/pip install lmfit numpy
    .venv/bin/python benches/compare/lmfit_gauss3.py
It builds and runs `cargo run --release -p interphase-benches --bin overhead`
for the interphase timing, checks both reach the same chi-square, prints ratios.
"""
import re
import subprocess
import sys
import time

import lmfit
import numpy as np

path = "crates/fit/tests/data/nist/Gauss3.dat"
lines = open(path).read().splitlines()
i = max(k for k, l in enumerate(lines) if l.startswith("Data:"))
data = np.array([[float(v) for v in l.split()] for l in lines[i + 1:] if l.strip()])
y, x = data[:, 0], data[:, 1]
start2 = [98.94, 0.0109, 100.0, 111.0, 23.0, 74.0, 138.0, 19.0]


def model(b):
    return (b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-((x - b[3]) ** 2) / b[4] ** 2)
            + b[5] * np.exp(-((x - b[6]) ** 2) / b[7] ** 2))


def resid(p):
    return model([p["b%d" % (k + 1)].value for k in range(8)]) - y


def dfun(p):
    b = [p["b%d" % (k + 1)].value for k in range(8)]
    e = np.exp(-b[1] * x)
    g1 = np.exp(-((x - b[3]) ** 2) / b[4] ** 2)
    g2 = np.exp(-((x - b[6]) ** 2) / b[7] ** 2)
    return np.array([e, -b[0] * x * e, g1, b[2] * g1 * 2 * (x - b[3]) / b[4] ** 2,
                     b[2] * g1 * 2 * (x - b[3]) ** 2 / b[4] ** 3, g2,
                     b[5] * g2 * 2 * (x - b[6]) / b[7] ** 2, b[5] * g2 * 2 * (x - b[6]) ** 2 / b[7] ** 3])


params = lmfit.Parameters()
for k, v in enumerate(start2):
    params.add("b%d" % (k + 1), value=v)


def timed(fn, reps=50):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        r = fn()
        ts.append(time.perf_counter() - t)
    return sorted(ts)[reps // 2], r


t_fd, r_fd = timed(lambda: lmfit.minimize(resid, params, method="leastsq"))
t_an, r_an = timed(lambda: lmfit.minimize(resid, params, method="leastsq", Dfun=dfun, col_deriv=1))

out = subprocess.run(["cargo", "run", "--release", "-q", "-p", "interphase-benches", "--bin", "overhead"],
                     capture_output=True, text=True, check=True).stdout
row = next(l for l in out.splitlines() if "Gauss3 start 2" in l)
t_ip = float(row.split("|")[4]) * 1e-6
print(f"lmfit {lmfit.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
print(f"lmfit leastsq (finite differences): {t_fd * 1e6:9.1f} us, chi2 = {r_fd.chisqr:.10e}, nfev = {r_fd.nfev}")
print(f"lmfit leastsq (analytic Dfun):      {t_an * 1e6:9.1f} us, chi2 = {r_an.chisqr:.10e}, nfev = {r_an.nfev}")
print(f"interphase-fit (analytic):          {t_ip * 1e6:9.1f} us  (certified chi2 = 1.2444846360e+03)")
print(f"ratio lmfit(FD) / interphase:       {t_fd / t_ip:9.1f}x")
print(f"ratio lmfit(analytic) / interphase: {t_an / t_ip:9.1f}x")
assert abs(r_fd.chisqr / 1.2444846360e+03 - 1) < 1e-6 and abs(r_an.chisqr / 1.2444846360e+03 - 1) < 1e-6
