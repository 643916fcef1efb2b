"""Prints pybaselines' baselines of tests/test_io_materials_baselines.py's
spectrum at its indices, for pasting into REFS there.

    python3 -m venv /tmp/pb && /tmp/pb/bin/pip install numpy pybaselines
    /tmp/pb/bin/python crates/python/tests/tools/pybaselines_refs.py
"""
import numpy as np
import pybaselines

x = np.linspace(0, 1000, 1001)
y = (100 + 0.05 * x + 2e-5 * (x - 400) ** 2
     + 300 * np.exp(-0.5 * ((x - 300) / 8) ** 2) + 200 * np.exp(-0.5 * ((x - 650) / 15) ** 2)
     + 5 * np.sin(x / 37))
IDX = [0, 150, 300, 500, 650, 800, 1000]
w = pybaselines.Baseline(x_data=x)
print("pybaselines", pybaselines.__version__, "numpy", np.__version__)
print("REFS = {")
for name, (b, _) in [
    ("asls", w.asls(y, lam=1e6, p=0.01)),
    ("arpls", w.arpls(y, lam=1e5)),
    ("airpls", w.airpls(y, lam=1e6)),
    ("poly", w.poly(y, poly_order=3)),
    ("modpoly", w.modpoly(y, poly_order=3)),
    ("imodpoly", w.imodpoly(y, poly_order=3)),
]:
    print(f'    "{name}": [{", ".join(repr(float(b[i])) for i in IDX)}],')
print("}")
