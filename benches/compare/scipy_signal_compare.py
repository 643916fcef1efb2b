"""Side by side: Savitzky–Golay filtering and peak finding (scipy.signal) and
VAMAS reading (the `vamas` package, matkrin/vamas) against interphase-spectra,
same data, same machine, one run; answers compared.

Run from the repository root:
    python3 -m venv .venv && .venv/bin/pip install numpy scipy vamas
    .venv/bin/python benches/compare/scipy_signal_compare.py [../shared/data/spectra]
It builds and runs `cargo run --release -p interphase-benches --bin processing_timing`
and prints, per task, both medians, the ratio and the largest difference.
The data are the 2000-point set of pybaselines_compare.py.
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import scipy
from scipy.signal import find_peaks, savgol_filter

from _common import median_us, x, y  # the shared 2000-point data


def full_peaks():
    p, props = find_peaks(y, prominence=5, width=2, distance=10)
    return np.concatenate([p.astype(float), props["widths"]])


peer = {
    "savgol_11_3": lambda: savgol_filter(y, 11, 3),
    "savgol_21_2_d1": lambda: savgol_filter(y, 21, 2, deriv=1),
    "find_peaks_prom": lambda: find_peaks(y, prominence=5)[0].astype(float),
    "find_peaks_full": full_peaks,
}


def main():
    spectra = sys.argv[1] if len(sys.argv) > 1 else None
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-benches", "--bin", "processing_timing"],
                   check=True)
    d = tempfile.mkdtemp()
    args = ["target/release/processing_timing", d] + ([spectra] if spectra else [])
    r = subprocess.run(args, check=True, capture_output=True, text=True)
    ours = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", r.stdout)}
    print("scipy %s, numpy %s, Python %s; 2000 points" % (scipy.__version__, np.__version__, sys.version.split()[0]))
    print("%-16s %12s %12s %8s %12s" % ("task", "python", "interphase", "ratio", "max abs diff"))
    bad = False
    if spectra:
        from vamas import Vamas
        path = os.path.join(spectra, "vamas_matkrin_xps_eis.vms")
        peer["read_vamas"] = lambda: np.array(Vamas(path).blocks[0].corresponding_variables[0].y_values)
    for k, f in peer.items():
        ref = f()
        got = np.fromfile(os.path.join(d, k + ".f64"), dtype="<f8")
        diff = np.max(np.abs(got - ref)) if got.shape == ref.shape else float("inf")
        t = median_us(f, 21 if k.startswith("read") else 201)
        print("%-16s %10.1f µs %10.1f µs %7.1fx %12.1e" % (k, t, ours[k], t / ours[k], diff))
        bad |= not diff <= 1e-9 * max(1.0, np.max(np.abs(ref)))
    if "read_emsa" in ours:
        print("%-16s %12s %10.1f µs" % ("read_emsa", "-", ours["read_emsa"]))
    if bad:
        print("ANSWERS DISAGREE", file=sys.stderr)
        sys.exit(1)


main()
