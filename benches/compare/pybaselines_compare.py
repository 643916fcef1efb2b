"""Side by side: baselines on the same 2000-point spectrum, pybaselines against
interphase-spectra, same machine, one run; answers compared point by point.

Run from the repository root:
    python3 -m venv .venv && .venv/bin/pip install pybaselines numpy
    .venv/bin/python benches/compare/pybaselines_compare.py
It builds and runs `cargo run --release -p interphase-benches --bin baseline_timing`
and prints, per method, both medians (21 runs), the ratio and the largest
difference relative to the baseline's magnitude. Shirley has no pybaselines
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
    r = subprocess.run(["target/release/baseline_timing", d], check=True, capture_output=True, text=True)
    ours = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", r.stdout)}
    print("pybaselines %s, numpy %s, Python %s; 2000 points" % (pybaselines.__version__, np.__version__,
                                                               sys.version.split()[0]))
    print("%-9s %12s %12s %8s %12s" % ("method", "pybaselines", "interphase", "ratio", "max rel diff"))
    bad = False
    for k, f in peer.items():
        ref = f()
        got = np.fromfile(os.path.join(d, k + ".f64"), dtype="<f8")
        diff = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
        t = median_us(f)
        print("%-9s %10.1f µs %10.1f µs %7.1fx %12.1e" % (k, t, ours[k], t / ours[k], diff))
        bad |= diff > 1e-6
    print("%-9s %12s %10.1f µs" % ("shirley", "-", ours["shirley"]))
    if bad:
        print("ANSWERS DISAGREE", file=sys.stderr)
        sys.exit(1)


main()
