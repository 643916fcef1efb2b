"""Reference fit of a Ti 2p model with lmfit, for crates/spectra/tests/peak_reference.rs.

Generates a seeded synthetic Ti 2p spectrum (two Voigt doublets: Ti4+ and Ti3+,
shared sigma/gamma, common splitting, 2p1/2 : 2p3/2 area ratio fixed at 1/2, a free
width ratio for the 2p1/2 components, linear background, Poisson-like noise),
writes it to crates/spectra/tests/data/ti2p_synthetic.csv and fits it with lmfit
(VoigtModel components, parameter expressions for the doublets, LinearModel
background, method="leastsq", ftol = xtol = 1e-13, unweighted), printing the Rust
constants for the test.

    python3 -m venv .venv && .venv/bin/pip install numpy scipy lmfit
    .venv/bin/python crates/spectra/tools/gen_lmfit_peak_refs.py
"""

import os

import lmfit
import numpy as np
import scipy
from lmfit.models import LinearModel, VoigtModel

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261126)
x = 470.0 - 0.04 * np.arange(500)


def model_y(p, x):
    from scipy.special import voigt_profile as vp

    s, g, wr, sp = p["s"], p["g"], p["wr"], p["split"]
    y = p["intercept"] + p["slope"] * x
    for c, a in ((p["c1"], p["a1"]), (p["c2"], p["a2"])):
        y = y + a * vp(x - c, s, g) + 0.5 * a * vp(x - c - sp, s * wr, g * wr)
    return y


truth = dict(
    c1=458.95, a1=6000.0, c2=457.45, a2=1500.0, s=0.42, g=0.22, wr=1.4, split=5.68,
    slope=-4.0, intercept=300.0 + 4.0 * 460.0,
)
clean = model_y(truth, x)
y = clean + rng.normal(size=x.size) * np.sqrt(np.maximum(clean, 1.0))
os.makedirs(os.path.join(here, "..", "tests", "data"), exist_ok=True)
with open(os.path.join(here, "..", "tests", "data", "ti2p_synthetic.csv"), "w") as f:
    f.write("# synthetic Ti 2p (seeded, see crates/spectra/tools/gen_lmfit_peak_refs.py)\n")
    f.write("binding_energy_eV,counts\n")
    for a, b in zip(x, y):
        f.write(f"{float(a)!r},{float(b)!r}\n")

m = (
    VoigtModel(prefix="t4_")
    + VoigtModel(prefix="t4b_")
    + VoigtModel(prefix="t3_")
    + VoigtModel(prefix="t3b_")
    + LinearModel(prefix="bg_")
)
pars = m.make_params()
pars.add("split", value=5.7)
pars.add("wr", value=1.3, min=0)
pars["t4_center"].set(value=458.8, min=457.5, max=460.0)
pars["t4_sigma"].set(value=0.5, min=0)
pars["t4_gamma"].set(value=0.3, min=0, vary=True, expr="")
pars["t4_amplitude"].set(value=5000, min=0)
pars["t4b_center"].set(expr="t4_center + split")
pars["t4b_sigma"].set(expr="t4_sigma * wr")
pars["t4b_gamma"].set(expr="t4_gamma * wr")
pars["t4b_amplitude"].set(expr="0.5 * t4_amplitude")
pars["t3_center"].set(value=457.3, min=456.5, max=458.2)
pars["t3_sigma"].set(expr="t4_sigma")
pars["t3_gamma"].set(expr="t4_gamma")
pars["t3_amplitude"].set(value=1000, min=0)
pars["t3b_center"].set(expr="t3_center + split")
pars["t3b_sigma"].set(expr="t4_sigma * wr")
pars["t3b_gamma"].set(expr="t4_gamma * wr")
pars["t3b_amplitude"].set(expr="0.5 * t3_amplitude")
# our linear background is c0 + c1 (x - x_mid); start both at the same line
xmid = 0.5 * (x.min() + x.max())
pars["bg_slope"].set(value=0.0)
pars["bg_intercept"].set(value=float(np.mean(y[:5]) + np.mean(y[-5:])) / 2.0)
res = m.fit(y, pars, x=x, method="leastsq", fit_kws=dict(ftol=1e-13, xtol=1e-13))
print(f"// lmfit {lmfit.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
print(f"// nfev {res.nfev}, success {res.success}")
print(f"const CHI2: f64 = {float(res.chisqr)!r};")
names = {
    "Ti4+.center": "t4_center",
    "Ti4+.sigma": "t4_sigma",
    "Ti4+.gamma": "t4_gamma",
    "Ti4+.area": "t4_amplitude",
    "Ti4+.splitting": "split",
    "Ti4+.width_ratio": "wr",
    "Ti3+.center": "t3_center",
    "Ti3+.area": "t3_amplitude",
    "bg.c1": "bg_slope",
}
print("const REF: [(&str, f64, f64); 10] = [")
for ours, theirs in names.items():
    p = res.params[theirs]
    print(f'    ("{ours}", {p.value!r}, {p.stderr!r}),')
c0 = res.params["bg_intercept"].value + res.params["bg_slope"].value * xmid
# stderr of c0 = intercept + slope * xmid through the covariance
ia = res.var_names.index("bg_intercept")
ib = res.var_names.index("bg_slope")
cv = res.covar
c0_se = float(np.sqrt(cv[ia, ia] + 2 * xmid * cv[ia, ib] + xmid**2 * cv[ib, ib]))
print(f'    ("bg.c0", {float(c0)!r}, {c0_se!r}),')
print("];")
print(f"// start: bg.c0 = {pars['bg_intercept'].value!r} (intercept; slope 0)")
