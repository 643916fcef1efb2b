"""Reference numbers for crates/eis/tests/kk.rs from impedance.py's linKK.

Run from the repository root with impedance.py installed in .venv:
    .venv/bin/pip install impedance pandas altair matplotlib
    .venv/bin/python crates/eis/tools/gen_linkk_refs.py
Prints M, mu, the ohmic resistance, the inductance and a few residuals for
each case; paste them into the test.
"""
import io
import contextlib
import numpy as np
from impedance.validation import linKK, fit_linKK, get_tc_distribution
import impedance

def load(path):
    rows = [l for l in open(path) if l.strip() and not l.startswith('#') and not l[0].isalpha()]
    a = np.loadtxt(io.StringIO(''.join(rows)), delimiter=',')
    return a[:, 0], a[:, 1] + 1j * a[:, 2]

cases = [
    ("shared exampleData, real", "../shared/data/eis/impedance_py_exampleData.csv", dict(fit_type='real')),
    ("shared exampleData, complex", "../shared/data/eis/impedance_py_exampleData.csv", dict(fit_type='complex')),
    ("shared exampleData, imag", "../shared/data/eis/impedance_py_exampleData.csv", dict(fit_type='imag')),
    ("llto cell, real", "data/llto/eis_cell.csv", dict(fit_type='real')),
    ("llto pellet, complex, add_cap", "data/llto/eis_pellet.csv", dict(fit_type='complex', add_cap=True)),
]
print("impedance.py", getattr(impedance, '__version__', '?'), "numpy", np.__version__)
for name, path, kw in cases:
    f, Z = load(path)
    with contextlib.redirect_stdout(io.StringIO()):
        M, mu, Zfit, rr, ri = linKK(f, Z, **kw)
    ts = get_tc_distribution(f, M)
    el, _ = fit_linKK(f, ts, M, Z, kw.get('fit_type', 'real'), kw.get('add_cap', False))
    print(f"// {name}: M = {M}, mu = {mu!r}")
    print(f"//   R_ohm = {el[0]!r}, L = {el[-1]!r}" + (f", 1/C = {el[-2]!r}" if kw.get('add_cap') else ""))
    print(f"//   resid_re[0,5,-1] = {rr[0]!r}, {rr[5]!r}, {rr[-1]!r}")
    print(f"//   resid_im[0,5,-1] = {ri[0]!r}, {ri[5]!r}, {ri[-1]!r}")
    print(f"//   max |resid| = {max(np.abs(rr).max(), np.abs(ri).max())!r}")
