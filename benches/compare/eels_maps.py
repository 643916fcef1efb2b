"""Side by side: EELS spectrum-image maps, exspy/HyperSpy against interphase
(its Python package), same data, same machine, one run; answers compared.

Run from the repository root, in a venv with both packages:
    python3 -m venv /tmp/exv && /tmp/exv/bin/pip install exspy maturin
    /tmp/exv/bin/pip install --no-build-isolation ./crates/python
    /tmp/exv/bin/python benches/compare/eels_maps.py [NY NX]

Data (seeded, Poisson noise): an NY × NX (default 64 × 64) low-loss image of
1024 channels (0.2 eV, −10 … 194.6 eV; Gaussian zero-loss peak, Drude
plasmon, t/λ from 0.3 to 1.2 across the image) and a core-loss image of the
same pixels, 300 channels (450 … 479.9 eV) of Ti³⁺/Ti⁴⁺-like L₂,₃ mixtures
plus a constant. Timed (best of 5 rounds of each side; a round is one call on
the whole image):
- thickness, fixed threshold 3 eV: exspy `estimate_thickness(threshold=3.0)`
  vs `spectra.log_ratio_thickness(threshold=3.0)`;
- thickness, automatic threshold: exspy
  `estimate_thickness(threshold=estimate_elastic_scattering_threshold())` vs
  `spectra.log_ratio_thickness()` (the two automatic rules differ: compared
  values are the fixed-threshold ones);
- Fourier-log deconvolution: exspy `fourier_log_deconvolution(zlp)` vs
  `spectra.fourier_log_deconvolution`;
- MLLS valence map: HyperSpy's linear least squares (a model of two
  `ScalableFixedPattern`s and an `Offset`, `multifit(optimizer="lstsq")`,
  its vectorised fast path, no non-negativity) vs `spectra.mlls(background=1)`
  (non-negative, with standard errors).
interphase uses every core (rayon); the thread count is printed.
"""
import logging
import os
import sys
import time
import warnings

logging.disable(logging.WARNING)
warnings.filterwarnings("ignore")

import exspy  # noqa: E402
import hyperspy  # noqa: E402
import hyperspy.api as hs  # noqa: E402
import numpy as np  # noqa: E402

import interphase  # noqa: E402
from interphase import spectra  # noqa: E402

ny, nx = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (64, 64)
rng = np.random.default_rng(29)

# --- low-loss image ----------------------------------------------------------
n, step = 1024, 0.2
e = -10.0 + step * np.arange(n)
z = np.exp(-0.5 * (e / 0.35) ** 2)
z /= z.sum()
S = np.where(e > 0, e * 4.0 * 15.0**2 / ((e**2 - 15.0**2) ** 2 + (e * 4.0) ** 2), 0.0)
S /= S.sum()
k0 = int(round(10.0 / step))
Zf, Sf = np.fft.rfft(np.roll(z, -k0), 2 * n), np.fft.rfft(np.roll(S, -k0), 2 * n)
tl = np.linspace(0.3, 1.2, ny * nx).reshape(ny, nx)
# plural scattering in Fourier space: J = I_t · Z ⊗ exp(t/λ (S − δ)), shifted back to 0 eV at k0
spec = np.fft.irfft(Zf * np.exp(tl[..., None] * (Sf - 1.0)), 2 * n)[..., :n]
low = rng.poisson(np.clip(np.roll(spec, k0, axis=-1), 0, None) * 2e5).astype(float)
zlp = 2e5 * np.exp(-tl[..., None]) * z  # the zero-loss part of each pixel

# --- core-loss image ---------------------------------------------------------
ec = 450.0 + 0.1 * np.arange(300)
r3 = np.exp(-0.5 * ((ec - 456.5) / 0.7) ** 2) + 0.7 * np.exp(-0.5 * ((ec - 461.8) / 0.9) ** 2)
r4 = np.exp(-0.5 * ((ec - 457.8) / 0.4) ** 2) + 1.2 * np.exp(-0.5 * ((ec - 459.9) / 0.6) ** 2)
frac = np.linspace(0.8, 0.0, nx)[None, :] * np.ones((ny, 1))
core = rng.poisson(400.0 * (frac[..., None] * r3 + (1 - frac[..., None]) * r4) + 20.0).astype(float)


def best(f, rounds=5):
    ts, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def ll_signal(data):
    s = exspy.signals.EELSSpectrum(data.copy())
    s.axes_manager[-1].offset = e[0]
    s.axes_manager[-1].scale = step
    return s


def peer_thickness():
    return np.asarray(ll_signal(low).estimate_thickness(threshold=3.0).data).reshape(ny, nx)


def peer_thickness_auto():
    s = ll_signal(low)
    th = s.estimate_elastic_scattering_threshold()
    return np.asarray(s.estimate_thickness(threshold=th).data).reshape(ny, nx)


def peer_flog():
    s = ll_signal(low)
    zs = ll_signal(zlp)
    return s.fourier_log_deconvolution(zs).data


def peer_mlls():
    s = hs.signals.Signal1D(core.copy())
    s.axes_manager[-1].offset = ec[0]
    s.axes_manager[-1].scale = 0.1
    m = s.create_model()
    c3 = hs.model.components1D.ScalableFixedPattern(hs.signals.Signal1D(r3), interpolate=False)
    c4 = hs.model.components1D.ScalableFixedPattern(hs.signals.Signal1D(r4), interpolate=False)
    c3.name, c4.name = "ti3", "ti4"
    off = hs.model.components1D.Offset()
    m.extend([c3, c4, off])
    for c in (c3, c4):
        c.xscale.free = False
        c.shift.free = False
    m.multifit(optimizer="lstsq", show_progressbar=False)
    a3, a4 = c3.yscale.map["values"], c4.yscale.map["values"]
    return a3 / (a3 + a4)


def ours_thickness():
    return spectra.log_ratio_thickness(e, low, threshold=3.0)[0]


def ours_thickness_auto():
    return spectra.log_ratio_thickness(e, low)[0]


def ours_flog():
    return spectra.fourier_log_deconvolution(e, low, zlp)


def ours_mlls():
    return spectra.mlls(ec, core, np.stack([r3, r4]), background=1)["fractions"][..., 0]


def main():
    import multiprocessing

    print(
        f"exspy {exspy.__version__}, hyperspy {hyperspy.__version__}, numpy {np.__version__}, "
        f"interphase {interphase.__version__}; {ny} x {nx} pixels; "
        f"{multiprocessing.cpu_count()} cores (rayon uses all); best of 5 rounds"
    )
    rows = []
    for name, peer, ours in [
        ("thickness (threshold 3 eV)", peer_thickness, ours_thickness),
        ("thickness (automatic)", peer_thickness_auto, ours_thickness_auto),
        ("Fourier-log deconvolution", peer_flog, ours_flog),
        ("MLLS valence map", peer_mlls, ours_mlls),
    ]:
        tp, vp = best(peer)
        to, vo = best(ours)
        if name.startswith("thickness (auto"):
            diff = "different threshold rules"
        else:
            vp, vo = np.asarray(vp, float), np.asarray(vo, float)
            # pixels where the peer returns garbage (non-finite or > 1e100) are
            # counted, not compared
            px = lambda a: a.reshape(ny * nx, -1)  # noqa: E731
            bad = ~np.all(np.isfinite(px(vp)) & (np.abs(px(vp)) < 1e100), axis=1)
            ok = ~bad
            d = np.nanmax(np.abs(px(vp)[ok] - px(vo)[ok])) / np.nanmax(np.abs(px(vp)[ok]))
            diff = f"max |diff| / max = {d:.1e}"
            if bad.any():
                diff += f"; exspy non-finite or > 1e100 at {int(bad.sum())} pixel(s), ours finite: {bool(np.all(np.isfinite(px(vo)[bad])))}"
        rows.append((name, tp, to, diff))
        print(f"{name:30s} exspy {tp * 1e3:9.1f} ms   interphase {to * 1e3:8.1f} ms   "
              f"ratio {tp / to:6.1f}x   {diff}", flush=True)
    # truth recovery of the MLLS map (the fraction along x)
    f = ours_mlls()
    print(f"MLLS Ti3+ fraction: max |error| vs truth {np.max(np.abs(f - frac)):.3f}")


if __name__ == "__main__":
    main()
