"""Side by side: EELS core-loss quantification of a spectrum image, exspy /
HyperSpy against interphase (its Python package), same data, same machine,
one run; answers compared with each other and with the truth.

Run from the repository root, in a venv with both packages:
    python3 -m venv /tmp/exv && /tmp/exv/bin/pip install exspy numba maturin
    /tmp/exv/bin/pip install --no-build-isolation ./crates/python
    /tmp/exv/bin/python benches/compare/eels_quantify.py [NY NX]

Data (seeded, Poisson noise): an NY × NX (default 128 × 128) core-loss image
of 2048 channels (380 … 891.75 eV, 0.25 eV): a power-law background
A·E^-3.2 plus a Ti L2,3 edge (two white lines on a continuum step) and an O K
edge (a step), each step shaped (onset/E)^2, the Ti/O atomic ratio running
from 0.2 to 0.5 across x. Cross-sections: hydrogenic (Egerton), 200 keV,
β = 20 mrad, Δ = 50 eV; the same background windows on both sides
(Ti: 401–447 eV, O: 468–521 eV).

Timed (best of 3 rounds; a round quantifies the whole image from counts to
the Ti/O map):
- exspy: `remove_background(signal_range, background_type="Power law",
  fast=True)` for each edge (its vectorised two-area estimate: its fastest
  path), `isig[onset:onset+Δ].sum(-1)` for the net counts, divided by the
  hydrogenic partial cross-sections (exspy `HydrogenicGOS`, computed once,
  outside the timing); no uncertainties;
- interphase: `spectra.quantify_edges(e, cube, ["Ti:L23[401,447]",
  "O:K[468,521]"], 200, 20)`: weighted power-law fits, net counts,
  cross-sections (computed inside the call), ratios, and standard errors of
  each from counting statistics and the background extrapolation.
interphase uses every core (rayon); the thread count is printed.
"""
import logging
import math
import sys
import time
import warnings

logging.disable(logging.WARNING)
warnings.filterwarnings("ignore")

import exspy  # noqa: E402
import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402
from exspy._misc.eels.hydrogenic_gos import HydrogenicGOS  # noqa: E402

import interphase  # noqa: E402
from interphase import spectra  # noqa: E402

ny, nx = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (128, 128)
rng = np.random.default_rng(31)
E0, BETA, DELTA = 200.0, 20.0, 50.0
BG_TI, BG_O = (401.0, 447.0), (468.0, 521.0)

e = 380.0 + 0.25 * np.arange(2048)


def step(at):
    return np.where(e >= at, (at / e) ** 2, 0.0)


ti_shape = step(456.0) + 3.0 * np.exp(-0.5 * ((e - 458.0) / 0.8) ** 2) + 2.0 * np.exp(
    -0.5 * ((e - 463.5) / 0.9) ** 2
)
o_shape = step(532.0)
ratio_true = np.linspace(0.2, 0.5, nx)[None, :] * np.ones((ny, 1))


def peer_sigma(es):
    gos = HydrogenicGOS(es)
    spline = gos.integrateq(gos.onset_energy, BETA * 1e-3, E0)
    return integrate.quad(lambda x: float(spline(x)), gos.onset_energy, gos.onset_energy + DELTA, limit=200)[0]


sig_ti_peer, sig_o_peer = peer_sigma("Ti_L3"), peer_sigma("O_K")
sig_ti = spectra.edge_cross_section("Ti", "L23", E0, BETA, DELTA)
sig_o = spectra.edge_cross_section("O", "K", E0, BETA, DELTA)
# amplitudes so that (S_Ti/σ_Ti)/(S_O/σ_O) is the true ratio: S ∝ shape sum over the window
w_ti = (e >= 456.0) & (e < 456.0 + DELTA)
w_o = (e >= 532.0) & (e < 532.0 + DELTA)
n_o = 300.0  # O step height (counts/channel at onset)
s_o = n_o * o_shape[w_o].sum()
s_ti = ratio_true * (s_o / sig_o) * sig_ti
h_ti = s_ti / ti_shape[w_ti].sum()
clean = 2e12 * e ** -3.2 + h_ti[..., None] * ti_shape + n_o * o_shape
cube = rng.poisson(clean).astype(float)


def best(f, rounds=3):
    ts, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def peer():
    s = exspy.signals.EELSSpectrum(cube)
    s.axes_manager[-1].offset = e[0]
    s.axes_manager[-1].scale = 0.25
    kw = dict(background_type="Power law", fast=True, show_progressbar=False, display=False)
    st = s.remove_background(signal_range=BG_TI, **kw)
    a = st.isig[456.0:456.0 + DELTA].sum(-1).data
    so = s.remove_background(signal_range=BG_O, **kw)
    b = so.isig[532.0:532.0 + DELTA].sum(-1).data
    return (a / sig_ti_peer) / (b / sig_o_peer)


def ours():
    d = spectra.quantify_edges(e, cube, [f"Ti:L23[{BG_TI[0]},{BG_TI[1]}]", f"O:K[{BG_O[0]},{BG_O[1]}]"], E0, BETA, DELTA)
    return d


def main():
    import multiprocessing

    print(
        f"exspy {exspy.__version__}, numpy {np.__version__}, interphase {interphase.__version__}; "
        f"{ny} x {nx} x {e.size}; {multiprocessing.cpu_count()} cores (rayon uses all); best of 3 rounds"
    )
    print(f"cross-sections (barn): Ti L23 {sig_ti:.2f} (exspy spline {sig_ti_peer:.2f}), "
          f"O K {sig_o:.2f} (exspy spline {sig_o_peer:.2f})")
    tp, rp = best(peer)
    to, d = best(ours)
    ro = d["ratios"][..., 0]
    so = d["ratios_stderr"][..., 0]
    print(f"quantification (Ti/O map)  exspy {tp * 1e3:9.1f} ms   interphase {to * 1e3:8.1f} ms   "
          f"ratio {tp / to:6.1f}x")
    z = (ro - ratio_true) / so
    print(f"interphase: mean (ratio - truth) / sigma = {np.mean(z):+.3f}, sd = {np.std(z):.3f} "
          f"(1 for honest errors); median sigma / ratio = {np.median(so / ro):.3f}")
    print(f"exspy: mean (ratio - truth) = {np.mean(rp - ratio_true):+.4f}, sd = {np.std(rp - ratio_true):.4f}; "
          f"interphase: mean {np.mean(ro - ratio_true):+.4f}, sd {np.std(ro - ratio_true):.4f}")


if __name__ == "__main__":
    main()
