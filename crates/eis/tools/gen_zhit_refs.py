"""Reference numbers for crates/eis/tests/zhit.rs from pyimpspec's Z-HIT.

Run from the repository root with pyimpspec installed in a venv:
    python3 -m venv /tmp/pv && /tmp/pv/bin/pip install pyimpspec
    /tmp/pv/bin/python crates/eis/tools/gen_zhit_refs.py
For each file it prints pyimpspec's reconstruction of ln|Z| before the
offset (smoothing "none", interpolation "cubic"), as differences from the
first point (our offset and start frequency differ, the differences do
not), and the |Z| of `perform_zhit(smoothing="none", interpolation="cubic",
window="boxcar")` with its pseudo-chi-squared; paste them into the test.
"""
import io
import numpy as np
import pyimpspec
from importlib.metadata import version
from pyimpspec.analysis.zhit.interpolation import _interpolate_phase
from pyimpspec.analysis.zhit.reconstruction import _reconstruct


def load(path):
    rows = [l for l in open(path) if l.strip() and not l.startswith('#') and not l[0].isalpha()]
    a = np.loadtxt(io.StringIO(''.join(rows)), delimiter=',')
    return a[:, 0], a[:, 1] + 1j * a[:, 2]


print("pyimpspec", version("pyimpspec"), "numpy", np.__version__)
for path in ["data/llto/eis_cell.csv", "data/llto/eis_pellet.csv"]:
    f, Z = load(path)
    ln_omega = np.log(2 * np.pi * f)
    phase = np.angle(Z)
    interp = _interpolate_phase("cubic", ln_omega, phase)
    raw, _, _ = _reconstruct((ln_omega, interp, interp.derivative(1), "none", "cubic", False))
    idx = [0, 5, len(f) // 2, len(f) - 1]
    print(f"// {path}: {len(f)} points, first f = {float(f[0])!r} Hz")
    print("//   raw[i] - raw[0] at i = " + ", ".join(f"{i}: {float(raw[i] - raw[0])!r}" for i in idx))
    ds = pyimpspec.DataSet(frequencies=f, impedances=Z)
    r = pyimpspec.perform_zhit(ds, smoothing="none", interpolation="cubic", window="boxcar", num_procs=1)
    print("//   |Z_zhit| at i = " + ", ".join(f"{i}: {float(abs(r.impedances[i]))!r}" for i in idx))
    print(f"//   pseudo_chisqr = {r.pseudo_chisqr!r}")
