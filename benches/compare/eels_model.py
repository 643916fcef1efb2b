"""Side by side: model-based EELS quantification of a spectrum image, exspy /
HyperSpy `EELSModel.multifit` against interphase `quantify_edges(...,
method="model")`: same data, same model, same weights, same machine; the
answers compared pixel by pixel.

Run from the repository root, in a venv with both packages:
    python3 -m venv /tmp/exv && /tmp/exv/bin/pip install exspy numba maturin
    /tmp/exv/bin/pip install --no-build-isolation ./crates/python
    /tmp/exv/bin/python benches/compare/eels_model.py [NY NX]

Data (seeded, Poisson noise): an NY × NX (default 16 × 16) image of 1024
channels (380 … 635.75 eV, 0.25 eV): 2e13·E^-3.2 plus I_l·N·dσ/dE·δE of Ti
L2,3 and O K with hydrogenic dσ/dE (Egerton's model, 200 keV, β = 20 mrad,
I_l = 1e9, N_O = 3000 atoms/nm²), Ti/O running from 0.2 to 0.5 across x.

The model on both sides: a power law A·E^-r plus the two hydrogenic edges
(exspy `EELSCLEdge("Ti_L3"|"O_K", GOS="hydrogenic")`, fine structure
inactive; ours `Ti:L23`, `O:K`), weighted least squares with variance
max(counts, 1) (HyperSpy takes it from `Signal.Noise_properties.variance`),
Levenberg–Marquardt. exspy: `multifit` (one pixel after the other, each
started from the previous pixel's values), the power law estimated first
from 400–450 eV; its time excludes building the model. interphase: one call
for the image (shapes computed once, pixels in parallel, every value with
its σ from the covariance). Printed: both times, their ratio, and the
largest relative difference of the Ti/O maps.
"""
import logging
import sys
import time
import warnings

logging.disable(logging.WARNING)
warnings.filterwarnings("ignore")

import exspy  # noqa: E402
import hyperspy  # noqa: E402
import hyperspy.api as hs  # noqa: E402
import numpy as np  # noqa: E402
from exspy.components import EELSCLEdge  # noqa: E402
from hyperspy.components1d import PowerLaw  # noqa: E402

import interphase  # noqa: E402
from interphase import spectra  # noqa: E402

ny, nx = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (16, 16)
rng = np.random.default_rng(29)
e = 380.0 + 0.25 * np.arange(1024)
ti = spectra.edge_dsigma_de("Ti", "L23", e, 200, 20)
o = spectra.edge_dsigma_de("O", "K", e, 200, 20)
il, n_o = 1e9, 3000.0
truth = np.tile(np.linspace(0.2, 0.5, nx), (ny, 1))
clean = (2e13 * e ** -3.2)[None, None, :] + il * 1e-10 * 0.25 * (
    (truth * n_o)[..., None] * ti[None, None, :] + n_o * o[None, None, :])
cube = rng.poisson(clean).astype(float)
print("exspy %s, HyperSpy %s, interphase %s; %d x %d x %d"
      % (exspy.__version__, hyperspy.__version__, interphase.__version__, ny, nx, e.size))

# interphase
t0 = time.perf_counter()
q = spectra.quantify_edges(e, cube, ["Ti:L23", "O:K"], 200, 20, method="model")
t_ours = time.perf_counter() - t0
ours = q["ratios"][..., 0]

# exspy
s = exspy.signals.EELSSpectrum(cube.copy())
ax = s.axes_manager.signal_axes[0]
ax.offset, ax.scale, ax.units = 380.0, 0.25, "eV"
s.set_microscope_parameters(beam_energy=200, collection_angle=20, convergence_angle=0)
var = s.deepcopy()
var.data = np.maximum(cube, 1.0)
s.metadata.set_item("Signal.Noise_properties.variance", var)
m = s.create_model(auto_background=False, auto_add_edges=False, GOS="hydrogenic")
bg = PowerLaw()
m.append(bg)
edges = [EELSCLEdge("Ti_L3", GOS="hydrogenic"), EELSCLEdge("O_K", GOS="hydrogenic")]
m.extend(edges)
bg.estimate_parameters(s, 400.0, 450.0, only_current=False)
for c in edges:
    c.intensity.value = 1.0
t0 = time.perf_counter()
m.multifit(show_progressbar=False)
t_exspy = time.perf_counter() - t0
theirs = edges[0].intensity.map["values"] / edges[1].intensity.map["values"]

diff = np.abs(ours / theirs - 1.0)
z = (ours - truth) / q["ratios_stderr"][..., 0]
print("exspy multifit: %.3f s (%.2f ms a pixel)" % (t_exspy, t_exspy / ours.size * 1e3))
print("interphase:     %.4f s (%.3f ms a pixel)" % (t_ours, t_ours / ours.size * 1e3))
print("ratio %.0fx; Ti/O: largest relative difference %.2e (median %.2e); "
      "ours against the truth: mean z %.2f, sd z %.2f"
      % (t_exspy / t_ours, diff.max(), np.median(diff), z.mean(), z.std(ddof=1)))
