"""Side by side: baselines on the same 2000-point spectrum, pybaselines against
interphase-spectra, same machine, one run; answers compared point by point.

Run from the repository root:
    python3 -m venv .venv && .venv/bin/pip install pybaselines numpy
    .venv/bin/python benches/compare/pybaselines_compare.py
It builds `cargo build --release -p interphase-benches --bin baseline_timing`,
then runs three rounds, each timing both sides (medians of 21 runs after a
0.2 s warm-up), and prints per method the best round median of each side,
the ratio of those and the largest difference relative to the baseline's
magnitude. Best-of-rounds on both sides damps the bursts of load this shared
machine has, which otherwise swing single-round ratios by up to 2x either way. Shirley has no pybaselines
counterpart and is timed alone. SNIP: pybaselines with pad_kwargs mode="edge"
(what interphase implements).
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pybaselines
from pybaselines import Baseline

from _common import median_us, x, y  # the shared 2000-point data

fitter = Baseline(x)
peer = {
    "arpls": lambda: fitter.arpls(y, lam=1e5)[0],
    "asls": lambda: fitter.asls(y, lam=1e6, p=0.01)[0],
    "airpls": lambda: fitter.airpls(y, lam=1e6)[0],
    "snip": lambda: fitter.snip(y, max_half_window=40, pad_kwargs={"mode": "edge"})[0],
    "modpoly": lambda: fitter.modpoly(y, poly_order=3)[0],
    "imodpoly": lambda: fitter.imodpoly(y, poly_order=3)[0],
}


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-benches", "--bin", "baseline_timing"],
                   check=True)
    d = tempfile.mkdtemp()
    ours, theirs = {}, {}
    for _ in range(3):
        r = subprocess.run(["target/release/baseline_timing", d], check=True, capture_output=True, text=True)
        for k, v in re.findall(r"(\w+)=([\d.]+)", r.stdout):
            ours[k] = min(ours.get(k, float("inf")), float(v))
        for k, f in peer.items():
            theirs[k] = min(theirs.get(k, float("inf")), median_us(f))
    print("pybaselines %s, numpy %s, Python %s; 2000 points; best of 3 rounds" % (
        pybaselines.__version__, np.__version__, sys.version.split()[0]))
    print("%-9s %12s %12s %8s %12s" % ("method", "pybaselines", "interphase", "ratio", "max rel diff"))
    bad = False
    for k, f in peer.items():
        ref = f()
        got = np.fromfile(os.path.join(d, k + ".f64"), dtype="<f8")
        diff = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
        t = theirs[k]
        print("%-9s %10.1f µs %10.1f µs %7.1fx %12.1e" % (k, t, ours[k], t / ours[k], diff))
        bad |= diff > 1e-6
    print("%-9s %12s %10.1f µs" % ("shirley", "-", ours["shirley"]))
    if bad:
        print("ANSWERS DISAGREE", file=sys.stderr)
        sys.exit(1)


main()
