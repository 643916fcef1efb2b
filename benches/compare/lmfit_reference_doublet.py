"""Reference numbers for crates/fit/tests/fitter.rs::doublet_with_ties_matches_lmfit.

A Gaussian spin-orbit doublet (area ratio 0.5 and splitting 5.7 as ties, shared
sigma) on a constant background, with deterministic pseudo-noise, fitted by lmfit
(leastsq, tight tolerances). Run: python3 benches/compare/lmfit_reference_doublet.py
"""
import numpy as np
import lmfit

x = np.linspace(450.0, 470.0, 201)
i = np.arange(x.size)
noise = 20.0 * np.sin(i * 1.7) * np.cos(i * 0.31)


def gauss(x, area, center, sigma):
    return area / (sigma * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((x - center) / sigma) ** 2)


def model(p, x):
    return (gauss(x, p["area"], p["center"], p["sigma"])
            + gauss(x, p["area2"], p["center2"], p["sigma2"]) + p["bg"])


truth = dict(area=5000.0, center=458.8, sigma=0.9, area2=2500.0, center2=464.5, sigma2=0.9, bg=100.0)
y = model(truth, x) + noise

p = lmfit.Parameters()
p.add("area", 3000.0, min=0)
p.add("center", 458.0, min=455.0, max=462.0)
p.add("sigma", 1.2, min=0.1, max=3.0)
p.add("bg", 50.0)
p.add("area2", expr="0.5*area")
p.add("center2", expr="center + 5.7")
p.add("sigma2", expr="sigma")
res = lmfit.minimize(lambda p: model(p, x) - y, p, method="leastsq", xtol=1e-13, ftol=1e-13)
print("lmfit", lmfit.__version__)
for name in ["area", "center", "sigma", "bg", "area2", "center2", "sigma2"]:
    print(f"{name}: value={res.params[name].value!r} stderr={res.params[name].stderr!r}")
print("chisqr", repr(res.chisqr), "redchi", repr(res.redchi), "aic", repr(res.aic), "bic", repr(res.bic))
print("corr(area, sigma)", repr(res.params["area"].correl["sigma"]))
