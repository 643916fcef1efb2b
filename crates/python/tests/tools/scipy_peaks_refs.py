"""Writes tests/data/scipy_peaks.json: scipy.signal.find_peaks /
peak_prominences / peak_widths on the signal of tests/test_analysis.py, for
the comparison there.

    python3 -m venv /tmp/sp && /tmp/sp/bin/pip install numpy scipy
    /tmp/sp/bin/python crates/python/tests/tools/scipy_peaks_refs.py
"""
import json
import pathlib

import numpy as np
import scipy
from scipy.signal import find_peaks, peak_prominences, peak_widths

from peaks_signal import signal


CASES = [
    {"prominence": 5},
    {"height": [30, 80], "distance": 10},
    {"prominence": [5, None], "width": 3, "rel_height": 0.75},
    {"plateau_size": [2, 10]},
    {"threshold": [0.5, 5]},
    {"prominence": 2, "wlen": 41},
]

if __name__ == "__main__":
    y = signal()
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": []}
    for kw in CASES:
        args = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
        p, props = find_peaks(y, **args)
        out["cases"].append({"kwargs": kw, "peaks": p.tolist(),
                             "properties": {k: np.asarray(v).tolist() for k, v in props.items()}})
    p, _ = find_peaks(y, prominence=5)
    out["peak_prominences"] = {"peaks": p.tolist(), "wlen": 51,
                               "result": [a.tolist() for a in peak_prominences(y, p, wlen=51)]}
    out["peak_widths"] = {"peaks": p.tolist(), "rel_height": 0.9,
                          "result": [a.tolist() for a in peak_widths(y, p, rel_height=0.9)]}
    path = pathlib.Path(__file__).resolve().parents[1] / "data" / "scipy_peaks.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", path)
