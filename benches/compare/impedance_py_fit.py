"""Side by side: R0-p(R1,CPE1)-p(R2,CPE2) fits, impedance.py against
interphase-eis, on the same 40 noisy synthetic spectra, same machine, one run.

Run from the repository root:
    python3 -m venv .venv-eis && .venv-eis/bin/pip install "numpy<2" scipy \
        pandas altair matplotlib impedance
    .venv-eis/bin/python benches/compare/impedance_py_fit.py
(impedance.py imports pandas, altair and matplotlib; its Lin-KK needs numpy < 2,
hence a venv of its own.)
Cases (as crates/eis/tests/recovery.rs, drawn here with numpy's seeded
generator): R0 in [5, 50] ohm, R1 log-uniform in [50, 500] ohm, tau1 in
[1, 10] us, alpha1 in [0.75, 0.95], R2 in [100, 2000] ohm, tau2 = tau1 x
[100, 1000], alpha2 in [0.7, 0.95], Q = tau^alpha / R; 71 frequencies from
1 MHz to 0.1 Hz; Gaussian noise of 0.5 % of |Z| on each part. The CSVs go to
a temporary directory; interphase fits them through
`cargo run --release -p interphase-benches --bin eis_timing` with NO initial
guess (median of 5 fits per file, one thread), with every start of the
multi-start (the default) and with `repeat_stop = 3`; impedance.py's
`CustomCircuit.fit` (scipy least squares, unit weights: its default) runs
once per file from guesses within a factor of 2 of the truth (alpha capped at
1) and once from the truth. Recovered: every parameter within 5 % of the
truth (Q within 15 %). Prints recovery counts, the median time per fit and
the ratio.
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import impedance
from impedance.models.circuits import CustomCircuit

CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)"
N = 40


def cases(seed=20161103):
    rng = np.random.default_rng(seed)
    f = 10.0 ** (6.0 - 0.1 * np.arange(71))
    out = []
    for _ in range(N):
        r0 = rng.uniform(5, 50)
        r1 = np.exp(rng.uniform(np.log(50), np.log(500)))
        r2 = np.exp(rng.uniform(np.log(100), np.log(2000)))
        a1, a2 = rng.uniform(0.75, 0.95), rng.uniform(0.7, 0.95)
        t1 = np.exp(rng.uniform(np.log(1e-6), np.log(1e-5)))
        t2 = t1 * np.exp(rng.uniform(np.log(100), np.log(1000)))
        truth = np.array([r0, r1, t1 ** a1 / r1, a1, r2, t2 ** a2 / r2, a2])
        jw = 1j * 2 * np.pi * f
        z = (r0 + r1 / (1 + r1 * truth[2] * jw ** a1) + r2 / (1 + r2 * truth[5] * jw ** a2))
        noise = 0.005 * np.abs(z)
        z = z + noise * rng.standard_normal(len(f)) + 1j * noise * rng.standard_normal(len(f))
        guess = truth * np.exp(rng.uniform(np.log(0.5), np.log(2.0), len(truth)))
        guess[3], guess[6] = min(guess[3], 1.0), min(guess[6], 1.0)
        out.append((f, z, truth, guess))
    return out


def recovered(truth, got):
    tol = np.array([0.05, 0.05, 0.15, 0.05, 0.05, 0.15, 0.05])
    return bool(np.all(np.abs(np.asarray(got) / truth - 1) <= tol))


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-benches", "--bin", "eis_timing"],
                   check=True)
    print("impedance.py %s, numpy %s, Python %s" % (impedance.__version__, np.__version__, sys.version.split()[0]))
    data = cases()
    tmp = tempfile.mkdtemp(prefix="interphase-eis-compare-")
    files = []
    for k, (f, z, _, _) in enumerate(data):
        p = os.path.join(tmp, "case%02d.csv" % k)
        np.savetxt(p, np.column_stack([f, z.real, z.imag]), delimiter=",", fmt="%.17e")
        files.append(p)
    # impedance.py
    ok_guess = ok_truth = 0
    times = []
    for f, z, truth, guess in data:
        for start, is_guess in ((guess, True), (truth, False)):
            c = CustomCircuit(CIRCUIT, initial_guess=list(start))
            t0 = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    c.fit(f, z)
                got = c.parameters_
            except Exception:  # curve_fit gives up: not recovered
                got = np.full(7, np.nan)
            dt = time.perf_counter() - t0
            if is_guess:
                times.append(dt)
                ok_guess += recovered(truth, got)
            else:
                ok_truth += recovered(truth, got)
    t_py = float(np.median(times)) * 1e6
    # interphase, no guess
    res = {}
    for weight, stop in (("unit", "0"), ("proportional", "0"), ("unit", "3"), ("proportional", "3")):
        env = dict(os.environ, EIS_REPEAT_STOP=stop)
        r = subprocess.run(["target/release/eis_timing", "fit", CIRCUIT, weight] + files,
                           check=True, capture_output=True, text=True, env=env)
        ok, us = 0, []
        for line, (_, _, truth, _) in zip(r.stdout.strip().splitlines(), data):
            m = dict(re.findall(r"(\w+)=(\S+)", line))
            us.append(float(m["us"]))
            ok += recovered(truth, [float(v) for v in m["p"].split(",")])
        label = weight + (", every start" if stop == "0" else ", repeat_stop 3")
        res[label] = (ok, float(np.median(us)))
    print("cases: %d, %s, 71 frequencies, 0.5 %% noise" % (N, CIRCUIT))
    print("impedance.py, guesses within x2 : %2d/%d recovered, median %.0f us per fit" % (ok_guess, N, t_py))
    print("impedance.py, started at truth  : %2d/%d recovered" % (ok_truth, N))
    for w, (ok, us) in res.items():
        print("interphase, no guess, %-28s: %2d/%d recovered, median %.0f us per fit, %.0fx faster"
              % (w, ok, N, us, t_py / us))


if __name__ == "__main__":
    main()
