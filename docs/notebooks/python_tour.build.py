"""Writes and executes docs/notebooks/python_tour.ipynb (the Python tour:
a Ti 2p depth-profile fit and an impedance fit on data/llto/), so the
committed notebook carries its outputs. CI re-executes the committed
notebook (crates/python/tests/test_notebook.py), so it cannot rot.

    python3 -m venv /tmp/nb && /tmp/nb/bin/pip install numpy nbclient ipykernel
    PATH=/tmp/nb/bin:$PATH /tmp/nb/bin/pip install --no-build-isolation ./crates/python
    /tmp/nb/bin/python docs/notebooks/python_tour.build.py
"""
import json
import os
import pathlib
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent

CELLS = [
    ("md", """# interphase from Python: a Ti 2p depth profile and an impedance fit

The LLTO interface study's two everyday jobs, from Python, on the bundled
**synthetic** dataset `data/llto/` (see its README). Install the package with
`pip install ./crates/python` from a checkout; the guide is `docs/python.md`."""),
    ("code", """import pathlib
import numpy as np
import interphase
from interphase import eis, spectra

DATA = pathlib.Path("../../data/llto")
interphase.__version__"""),
    ("md", """## Ti 2p: Ti⁴⁺ and Ti³⁺ doublets at three depths and three temperatures

`interphase.read` gives every spectrum of the file (one column per
condition/depth); the model is the TOML file the command line uses: two
Voigt doublets with shared widths on an active Shirley background."""),
    ("code", """xps = interphase.read(DATA / "xps_ti2p.csv")
names = [s["name"] for s in xps["spectra"]]
x = xps["spectra"][0]["x"]
Y = np.array([s["y"] for s in xps["spectra"]])
model = spectra.PeakModel.from_file(DATA / "ti2p_model.toml")
print(model.param_names)
print(Y.shape, "spectra x points;", names)"""),
    ("md", """`fit_many` fits the rows on every core with the GIL released; each
result has lmfit's attribute names and displays as a table. The data are
counts, so the residuals are weighted by 1/√counts (`weighting="poisson"`)
and the reduced χ² should be near 1."""),
    ("code", """fits = model.fit_many(x, Y, weighting="poisson")
fits[0]"""),
    ("md", """The Ti³⁺ fraction Ti³⁺/(Ti³⁺ + Ti⁴⁺) of every spectrum, its σ propagated
through the full covariance of the fit (correlations included):"""),
    ("code", """print(f"{'spectrum':16} {'Ti3+ fraction':>16}  {'chi2_red':>9}")
for name, fit in zip(names, fits):
    v, s = fit.area_fraction(["Ti3+"], ["Ti3+", "Ti4+"])
    print(f"{name:16} {v:9.4f} ± {s:.4f}  {fit.redchi:9.3f}")"""),
    ("md", """The spin-orbit splitting and the chemical shift Ti⁴⁺ − Ti³⁺ of one fit,
each with its σ:"""),
    ("code", """f = fits[-1]
print("splitting", f.params["Ti4+.splitting"])
print("shift Ti3+ -> Ti4+ (eV): %.3f ± %.3f" % f.delta_e("Ti3+", "Ti4+"))"""),
    ("md", """## Impedance: a Li | LLTO | Li cell

No starting values needed: `eis.fit` runs its automatic guesses (several
starts, the best χ² kept). Weighting defaults to proportional (1/|Z|)."""),
    ("code", """cell = interphase.read(DATA / "eis_cell.csv")["impedance"][0]
freq, Z = cell["freq"], cell["Z"]
fit = eis.fit(freq, Z, "R0-p(R1,CPE1)-p(R2,CPE2)")
print(fit.report())"""),
    ("md", """Effective capacitances (Brug/Zarc) and relaxation times with σ from the
full covariance, and a Lin-KK check of the data:"""),
    ("code", """for k, (v, s) in fit.derived.items():
    print(f"{k:22} {v:.4e} ± {s:.1e}")
kk = eis.lin_kk(freq, Z)   # impedance.py's linKK(c=0.85) picks the same M and mu here
print("Lin-KK: M =", kk["M"], " mu = %.3f" % kk["mu"])"""),
    ("md", """## Your own model: `interphase.fit.curve_fit`

Any NumPy function, fitted by the same solver (scipy's arguments, lmfit's
result). Here: the ionic conductivity of the two arcs against an assumed
Arrhenius law — made-up temperatures, to show the call."""),
    ("code", """from interphase.fit import curve_fit

T = np.array([298.0, 313.0, 333.0, 353.0])          # K
sigma = np.array([1.0e-3, 1.8e-3, 3.5e-3, 6.2e-3])   # S/cm (illustrative)
kB = 8.617333262e-5                                  # eV/K

def arrhenius(T, A, Ea):
    return A / T * np.exp(-Ea / (kB * T))

r = curve_fit(arrhenius, T, sigma, p0=[1e3, 0.3], sigma=0.03 * sigma)
print(r.params["Ea"], " (eV)")"""),
]


def main():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, src in CELLS:
        nb.cells.append(nbformat.v4.new_markdown_cell(src) if kind == "md"
                        else nbformat.v4.new_code_cell(src))
    # run the kernel with this interpreter (the one interphase is installed
    # in), not whatever "python3" kernel the machine has registered
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp) / "kernels" / "interphase-build"
        d.mkdir(parents=True)
        (d / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python"}))
        os.environ["JUPYTER_PATH"] = tmp
        NotebookClient(nb, timeout=300, kernel_name="interphase-build",
                       resources={"metadata": {"path": str(HERE)}}).execute()
    for c in nb.cells:  # no ids or timestamps: the diff of a rebuild is the outputs
        c.pop("id", None)
        c.metadata.pop("execution", None)
    nb.nbformat_minor = 4
    nbformat.write(nb, HERE / "python_tour.ipynb")
    print("wrote", HERE / "python_tour.ipynb")


if __name__ == "__main__":
    main()
