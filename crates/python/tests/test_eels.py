"""EELS low loss, spectrum images and MLLS from Python: thickness, mean free
paths, alignment, Fourier deconvolutions (against a NumPy transcription of
exspy 0.3's algorithms) and MLLS (against numpy.linalg.lstsq and known
truth)."""

import warnings

import numpy as np
import pytest

import interphase
from interphase import spectra

E = np.arange(1000) * 0.1 - 5.0  # -5 … 94.9 eV


def low_loss(centre=0.0, zl=1e5, pl=3e4):
    g = zl * 0.1 / (0.4 * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((E - centre) / 0.4) ** 2)
    l = np.where(E > 2.0, pl * 0.1 * 3.0 / np.pi / ((E - 17.0) ** 2 + 9.0), 0.0)
    return g + l


def test_thickness_single_and_maps():
    y = low_loss()
    k = int(np.argmin(np.abs(E - 3.0)))
    want = np.log(y.sum() / y[:k].sum())
    t, s = spectra.log_ratio_thickness(E, y, threshold=3.0)
    assert t == pytest.approx(want, rel=1e-12)
    it, i0 = y.sum(), y[:k].sum()
    assert s == pytest.approx(np.sqrt((it - i0) / (it * i0)), rel=1e-12)
    # a 2 × 3 map, the last axis energy; one pixel fails (no zero-loss intensity): NaN + warning
    cube = np.stack([low_loss(pl=p) for p in (1e4, 2e4, 3e4, 4e4, 5e4, 6e4)]).reshape(2, 3, -1)
    cube[1, 2] = 0.0
    with pytest.warns(RuntimeWarning, match=r"1 of 6 spectra failed .* \(1, 2\)"):
        t, s = spectra.log_ratio_thickness(E, cube, threshold=3.0)
    assert t.shape == (2, 3) and np.isnan(t[1, 2]) and np.all(np.isfinite(t.ravel()[:5]))
    assert np.all(np.diff(t.ravel()[:5]) > 0)  # thicker with more plasmon
    # in nm with a mean free path; a single failing spectrum raises
    tn, sn = spectra.log_ratio_thickness(E, y, threshold=3.0, mean_free_path=120.0)
    assert tn == pytest.approx(120.0 * want, rel=1e-12)
    with pytest.raises(interphase.Error, match="zero-loss intensity"):
        spectra.log_ratio_thickness(E, np.zeros_like(E), threshold=3.0)
    # the automatic threshold finds the dip
    ta, _ = spectra.log_ratio_thickness(E, y)
    assert abs(ta - want) < 0.02
    with pytest.raises(interphase.Error, match="energy axis"):
        spectra.log_ratio_thickness(E[:-1], y)


def test_mean_free_paths_match_exspy():
    # exspy 0.3.2: iMFP_Iakoubovskii(5.0, 200) and iMFP_angular_correction(5.0, 200, 10, 20)
    assert spectra.mean_free_path(200, density=5.0) == pytest.approx(123.1907796563201, rel=1e-12)
    assert spectra.mean_free_path(200, density=5.0, alpha=10, beta=20) == pytest.approx(
        123.1907796563201 * 1.0656622686784434, rel=1e-12
    )
    # Malis (Egerton eq. 5.2) by hand for Z_eff of TiO2
    z = (22**1.3 + 2 * 8**1.3) / (22**0.3 + 2 * 8**0.3)
    assert spectra.effective_z("TiO2") == pytest.approx(z, rel=1e-12)
    em = 7.6 * z**0.36
    f = (1 + 200 / 1022) / (1 + 200 / 511) ** 2
    want = 106 * f * 200 / (em * np.log(2 * 10 * 200 / em))
    assert spectra.mean_free_path(200, formula="TiO2", beta=10) == pytest.approx(want, rel=1e-12)
    with pytest.raises(interphase.Error, match="beta"):
        spectra.mean_free_path(200, formula="TiO2")
    with pytest.raises(interphase.Error):
        spectra.mean_free_path(200)


def test_zlp_centre_and_alignment():
    shifts = np.array([0.0, 0.17, -0.23, 0.31])
    y = np.stack([low_loss(c) for c in shifts])
    c = spectra.zlp_centre(E, y)
    np.testing.assert_allclose(c, shifts, atol=1e-9)  # exact for a Gaussian
    core = np.stack([np.exp(-0.5 * ((E - 40.0 - s) / 2.0) ** 2) for s in shifts])
    x2, al, sh, xa, ca = spectra.align_zlp(E, y, also=core, x_also=E)
    np.testing.assert_allclose(sh, shifts, atol=1e-9)
    assert al.shape == (4, len(x2)) and ca.shape == (4, len(xa))
    np.testing.assert_allclose(spectra.zlp_centre(x2, al), 0.0, atol=0.01)
    # the core-loss features line up after the same shifts
    peaks = xa[np.argmax(ca, axis=1)]
    assert np.ptp(peaks) <= 0.1 + 1e-9
    # a core-loss spectrum has no zero-loss peak: an error, never a guess
    with pytest.raises(interphase.Error, match="not a peak|end of the axis"):
        spectra.zlp_centre(E + 400, 1e6 * (E + 400) ** -3.0)
    # an edge whose maximum is one channel in: not a peak either
    edge = 1e6 * (E + 400) ** -3.0
    edge[0] *= 0.99
    with pytest.raises(interphase.Error, match="not a peak"):
        spectra.zlp_centre(E + 400, edge)


def test_zlp_centre_stderr_matches_the_scatter_of_poisson_redraws():
    # 400 Poisson redraws of one Gaussian zero-loss peak (σ = 0.25 eV, 2e4
    # counts in all, 0.1 eV channels): the reported σ (root mean square over
    # the draws) is the scatter of the centres; 2000 draws gave 0.0125 vs
    # 0.0121 eV, and a standard deviation of 400 has a 3.5 % sampling error
    rng = np.random.default_rng(7)
    mean = 2e4 * 0.1 / (0.25 * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((E - 0.03) / 0.25) ** 2)
    y = rng.poisson(mean + 1.0, size=(400, len(E))).astype(float)
    c, s = spectra.zlp_centre(E, y, return_stderr=True)
    assert c.shape == s.shape == (400,)
    ok = np.isfinite(s)
    assert ok.mean() > 0.9
    assert np.std(c[ok]) == pytest.approx(np.sqrt(np.mean(s[ok] ** 2)), rel=0.15)
    one = spectra.zlp_centre(E, y[0], return_stderr=True)
    assert isinstance(one, tuple) and one[0] == c[0] and (one[1] == s[0] or np.isnan(s[0]))


def exspy_fourier_log(y, z):
    """exspy 0.3's fourier_log_deconvolution transcribed with NumPy: Hann
    taper of max(20, round(2 %)) channels on both ends, rfft to the 5-smooth
    length ≥ n_z + n − 1, z·log(j/z) with nan_to_num."""
    s = y.copy()
    c = max(20, int(round(len(s) * 0.02)))
    w = np.hanning(2 * c)
    s[:c] *= w[:c]
    s[-c:] *= w[-c:]
    n = len(z) + len(s) - 1
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            break
        n += 1
    zf, jf = np.fft.rfft(z, n), np.fft.rfft(s, n)
    return np.fft.irfft(zf * np.nan_to_num(np.log(jf / zf)), n)[: len(y)]


def test_fourier_log_matches_the_exspy_algorithm():
    y = low_loss(pl=6e4)
    z = low_loss(pl=0.0)
    out = spectra.fourier_log_deconvolution(E, y, z)
    ref = exspy_fourier_log(y, z)
    assert np.max(np.abs(out - ref)) < 1e-10 * np.max(np.abs(ref))
    # rows: one zero-loss peak for all
    out2 = spectra.fourier_log_deconvolution(E, np.stack([y, y]), z)
    np.testing.assert_allclose(out2[1], out, rtol=0, atol=1e-9 * np.max(np.abs(ref)))


def test_fourier_ratio_without_extrapolation_matches_numpy():
    xl = E
    xc = 420.0 + 0.1 * np.arange(1000)
    low = low_loss(pl=4e4)
    core = 1e3 * (0.5 + np.arctan((xc - 457.0) / 0.8) / np.pi) * (xc / 457.0) ** -3
    out = spectra.fourier_ratio_deconvolution(xc, core, xl, low, fwhm=0.8, threshold=3.0, extrapolate=False)
    # NumPy transcription: taper both, length = 11-smooth ≥ n_l + n_c − 1, unit-sum Gaussian at 0 eV
    def taper(v):
        v = v.copy()
        c = max(20, int(round(len(v) * 0.02)))
        w = np.hanning(2 * c)
        v[:c] *= w[:c]
        v[-c:] *= w[-c:]
        return v

    n = len(low) + len(core) - 1
    while True:
        m = n
        for p in (2, 3, 5, 7, 11):
            while m % p == 0:
                m //= p
        if m == 1:
            break
        n += 1
    sig = 0.8 / (2 * np.sqrt(2 * np.log(2)))
    g = np.exp(-0.5 * ((xl[0] + 0.1 * np.arange(n)) / sig) ** 2)
    g /= g.sum()
    k = int(np.argmin(np.abs(xl - 3.0)))
    i0 = low[:k].sum()
    ref = np.fft.ifft(np.fft.fft(g) * np.fft.fft(taper(core), n) / np.fft.fft(taper(low), n)).real[: len(core)] * i0
    assert np.max(np.abs(out - ref)) < 1e-9 * np.max(np.abs(ref))
    with pytest.raises(interphase.Error, match="channel widths"):
        spectra.fourier_ratio_deconvolution(xc * 1.01, core, xl, low, extrapolate=False)


def test_mlls_fractions_and_errors():
    e = 450.0 + 0.1 * np.arange(300)
    r3 = np.exp(-0.5 * ((e - 456.5) / 0.7) ** 2)
    r4 = np.exp(-0.5 * ((e - 458.2) / 0.5) ** 2)
    truth = np.linspace(0.0, 0.9, 6).reshape(2, 3)
    y = 100.0 * (truth[..., None] * r3 + (1 - truth[..., None]) * r4) + 3.0
    d = spectra.mlls(e, y, np.stack([r3, r4]), names=["Ti3+", "Ti4+"], background=1)
    assert d["fractions"].shape == (2, 3, 2)
    np.testing.assert_allclose(d["fractions"][..., 0], truth, atol=1e-9)
    np.testing.assert_allclose(d["background"][..., 0], 3.0, atol=1e-8)
    # the first pixel holds no Ti3+: held at the bound, no standard error
    assert d["at_bound"][0, 0, 0] and np.isnan(d["fractions_stderr"][0, 0, 0])
    # interior and noisy: equal to ordinary least squares, σ from redchi·(AᵀA)⁻¹
    rng = np.random.default_rng(3)
    yn = 100.0 * (0.4 * r3 + 0.6 * r4) + 3.0 + rng.normal(0, 0.5, e.size)
    d = spectra.mlls(e, yn, np.stack([r3, r4]), background=1)
    a = np.column_stack([r3, r4, np.ones_like(e)])
    coef, rss, *_ = np.linalg.lstsq(a, yn, rcond=None)
    np.testing.assert_allclose(d["coefficients"], coef[:2], rtol=1e-10)
    cov = np.linalg.inv(a.T @ a) * rss[0] / (e.size - 3)
    np.testing.assert_allclose(d["coefficients_stderr"], np.sqrt(np.diag(cov))[:2], rtol=1e-8)
    # the fraction's σ from the gradient of c3/(c3+c4) and the full covariance
    c3, c4 = coef[:2]
    g = np.array([c4, -c3]) / (c3 + c4) ** 2
    sf = np.sqrt(g @ cov[:2, :2] @ g)
    assert d["fractions_stderr"][0] == pytest.approx(sf, rel=1e-8)
    assert isinstance(d["redchi"], float)
    with pytest.raises(interphase.Error, match="weights"):
        spectra.mlls(e, yn, np.stack([r3, r4]), weights="bogus")
    # a pixel with none of the references: NaN and a warning, the others kept
    y2 = np.stack([yn, -yn])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        d = spectra.mlls(e, y2, np.stack([r3, r4]))
    assert any("1 of 2 spectra failed" in str(x.message) for x in w)
    assert np.isnan(d["fractions"][1]).all() and np.isfinite(d["fractions"][0]).all()


def test_edge_cross_section_matches_exspy():
    # exspy 0.3 HydrogenicGOS("O_K") integrated by scipy quad
    # (crates/spectra/tools/gen_exspy_xsec_refs.py)
    assert spectra.edge_cross_section("O", "K", 200, 20, 50) == pytest.approx(1057.5997187798168, rel=1e-8)
    assert spectra.edge_cross_section("Ti", "L23", 300, 30, 150) == pytest.approx(9163.811710400158, rel=1e-8)
    with pytest.raises(interphase.Error, match="give the cross-section yourself"):
        spectra.edge_cross_section("La", "M45", 200, 20)


def test_quantify_edges_signals_ratios_and_maps():
    e = 380.0 + 0.25 * np.arange(2400)

    def core(h_ti, h_o):
        step = lambda at, h: np.where(e >= at, h * (at / e) ** 2, 0.0)  # noqa: E731
        return 1e12 * e ** -3.0 + step(456.0, h_ti) + step(532.0, h_o)

    y = core(400.0, 300.0)
    d = spectra.quantify_edges(e, y, ["Ti:L23", "O:K"], 200, 20)
    assert d["edges"] == ["Ti L23", "O K"] and d["ratio_labels"] == ["Ti/O"]
    # Ti sits on a pure power law: the net counts are the step's, exactly
    win = (e >= 456.0) & (e < 506.0)
    want = (400.0 * (456.0 / e[win]) ** 2).sum()
    assert d["signal"][0] == pytest.approx(want, rel=1e-9)
    s_ti, s_o = d["signal"]
    x_ti, x_o = d["cross_sections"]
    assert d["ratios"][0] == pytest.approx((s_ti / x_ti) / (s_o / x_o), rel=1e-12)
    assert d["ratios_stderr"][0] > 0 and np.all(d["signal_stderr"] > 0)
    # a 2 x 3 map, one pixel with a non-positive pre-edge: NaN and a warning
    cube = np.stack([core(400.0 + 50 * k, 300.0) for k in range(6)]).reshape(2, 3, -1)
    cube[1, 1, 400] = -1.0  # 480 eV: in O K's pre-edge window
    with pytest.warns(RuntimeWarning, match="1 of 6"):
        m = spectra.quantify_edges(e, cube, "Ti:L23,O:K", 200, 20)
    assert m["ratios"].shape == (2, 3, 1)
    assert np.isnan(m["ratios"][1, 1, 0]) and np.isfinite(m["ratios"][0, 0, 0])
    assert m["ratios"][0, 0, 0] == pytest.approx(d["ratios"][0], rel=1e-12)
    # areal densities from a low-loss spectrum: N = S / (I_l σ) · 1e10 per nm²
    lx = np.arange(300) * 0.25 - 5.0
    ly = np.where(np.abs(lx) < 0.01, 1e9, 1.0)
    a = spectra.quantify_edges(e, y, ["Ti:L23", "O:K"], 200, 20, low_loss=(lx, ly))
    il = ly[lx <= 50.0].sum()
    assert a["areal_density"][0] == pytest.approx(s_ti / (il * x_ti) * 1e10, rel=1e-12)
    with pytest.raises(interphase.Error, match="not inside the spectrum"):
        spectra.quantify_edges(e, y, ["Ti:L23"], 200, 20, delta=1000.0)
    # every spectrum failing: all NaN, each failure listed, the
    # cross-sections still given (they depend on the optics only)
    bad = np.stack([y, y])
    bad[:, 400] = 0.0
    with pytest.warns(RuntimeWarning, match="2 of 2"):
        f = spectra.quantify_edges(e, bad, ["Ti:L23", "O:K"], 200, 20)
    assert np.isnan(f["ratios"]).all() and np.isnan(f["signal"]).all()
    assert f["cross_sections"][1] == pytest.approx(x_o, rel=1e-15)



def test_quantify_edges_by_a_model_fit():
    e = 380.0 + 0.25 * np.arange(2400)
    ti = spectra.edge_dsigma_de("Ti", "L23", e, 200, 20)
    o = spectra.edge_dsigma_de("O", "K", e, 200, 20)
    assert ti[e < 456.0].max() == 0.0 and o[e >= 532.0].min() > 0.0
    # O K at 200 keV, 20 mrad, summed over 50 eV: the partial cross-section
    win = (e >= 532.0) & (e < 582.0)
    assert (o[win] * 0.25).sum() == pytest.approx(
        spectra.edge_cross_section("O", "K", 200, 20, 50), rel=3e-3)
    il = 1e9

    def core(n_ti, n_o):  # counts per channel; N in atoms/nm², 1 barn = 1e-10 nm²
        return 2e13 * e ** -3.2 + il * 1e-10 * 0.25 * (n_ti * ti + n_o * o)

    y = np.stack([core(1000.0, 3000.0), core(1500.0, 3000.0)])
    lx = np.arange(300) * 0.25 - 5.0
    ly = np.where(np.abs(lx) < 0.01, il - 220.0, 1.0)
    d = spectra.quantify_edges(e, y, ["Ti:L23", "O:K"], 200, 20, low_loss=(lx, ly),
                               method="model")
    assert d["ratio_labels"] == ["Ti/O"] and "signal" not in d
    np.testing.assert_allclose(d["ratios"][:, 0], [1 / 3, 0.5], rtol=1e-8)
    np.testing.assert_allclose(d["areal_density"][0], [1000.0, 3000.0], rtol=1e-7)
    np.testing.assert_allclose(d["power_law_r"], 3.2, rtol=1e-10)
    assert d["amount_stderr"].shape == (2, 2) and np.all(d["amount_stderr"] > 0)
    # one spectrum: scalars per spectrum
    one = spectra.quantify_edges(e, y[0], "Ti:L23,O:K", 200, 20, method="model",
                                 fine_structure=10.0)
    assert isinstance(one["redchi"], float)
    assert one["ratios"][0] == pytest.approx(1 / 3, rel=1e-8)
    # the region fitted with splines instead (crates/spectra/tests/eels_model.rs)
    spl = spectra.quantify_edges(e, y[0], "Ti:L23,O:K", 200, 20, method="model",
                                 fine_structure=10.0, fine_structure_knots=8)
    assert spl["ratios"][0] == pytest.approx(1 / 3, rel=1e-3)
    with pytest.raises(interphase.Error, match="closer than the channels"):
        spectra.quantify_edges(e, y[0], "Ti:L23,O:K", 200, 20, method="model",
                               fine_structure=10.0, fine_structure_knots=100)
    for edges, match in [("Ti:L23[400,445],O:K", "remove the background window"),
                         ("Ti:L23,O:K@532=1057.6", "edge integration")]:
        with pytest.raises(interphase.Error, match=match):
            spectra.quantify_edges(e, y, edges, 200, 20, method="model")
    with pytest.raises(interphase.Error, match="integration.*model"):
        spectra.quantify_edges(e, y, "Ti:L23", 200, 20, method="fancy")

TWO_PEAKS = """
[[peaks]]
name = "t2g"
shape = "gaussian"
center = { value = 458.0, min = 456.0, max = 460.0 }
fwhm = 1.0
area = 100
[[peaks]]
name = "eg"
shape = "gaussian"
center = { value = 460.0, min = 458.5, max = 462.0 }
fwhm = 1.2
area = 100
"""


def test_feature_maps_recover_splitting_and_ratio_on_an_image():
    # a 2 × 3 image whose t2g–eg splitting grows along x and whose eg/t2g
    # area ratio grows along y
    model = spectra.PeakModel.from_toml(TWO_PEAKS)
    e = 454.0 + 0.05 * np.arange(200)
    rng = np.random.default_rng(3)
    cube = np.empty((2, 3, len(e)))
    for iy in range(2):
        for ix in range(3):
            y = model.evaluate(e, {"t2g.center": 457.8, "eg.center": 457.8 + 1.8 + 0.1 * ix,
                                   "eg.area": 100.0 * (1.0 + 0.5 * iy)})
            cube[iy, ix] = y + rng.normal(0.0, 0.2, len(e))
    maps = spectra.feature_maps(model, e, cube, delta_e=[("t2g", "eg")],
                                area_ratio=[(["eg"], ["t2g"])])
    assert list(maps) == ["ΔE(t2g→eg)", "area(eg)/area(t2g)"]
    de, sde = maps["ΔE(t2g→eg)"]
    ratio, sr = maps["area(eg)/area(t2g)"]
    assert de.shape == sde.shape == ratio.shape == (2, 3)
    ok = np.isfinite(de)
    assert ok.all()
    want_de = np.array([[1.8, 1.9, 2.0]] * 2)
    want_r = np.array([[1.0] * 3, [1.5] * 3])
    # the truth within 4σ of each fit's own standard error, σ small but not zero
    assert np.all(np.abs(de - want_de)[ok] < 4 * sde[ok])
    assert np.all(np.abs(ratio - want_r)[ok] < 4 * sr[ok])
    assert np.all((sde[ok] > 0) & (sde[ok] < 0.02))
    # one spectrum: floats; a model without the named peak is an error
    one = spectra.feature_maps(model, e, cube[0, 0], delta_e=[("t2g", "eg")])
    assert one["ΔE(t2g→eg)"][0] == pytest.approx(de[0, 0], abs=1e-9)
    with pytest.raises(interphase.Error, match="nope"):
        spectra.feature_maps(model, e, cube[0, 0], delta_e=[("t2g", "nope")])
    with pytest.raises(interphase.Error, match="no feature"):
        spectra.feature_maps(model, e, cube)
    # data that are not numbers: an error naming the pixel and channel
    cube[1, 1, 10] = np.nan
    with pytest.raises(interphase.Error, match=r"pixel \(1, 1\) channel 10"):
        spectra.feature_maps(model, e, cube, delta_e=[("t2g", "eg")])
