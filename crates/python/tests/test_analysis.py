"""Peak finding (against scipy.signal), XPS quantification, EELS helpers and
the covariance-propagated ΔE / area fractions of a peak fit."""

import json
import pathlib
import sys

import numpy as np
import pytest

import interphase
from interphase import spectra

sys.path.insert(0, str(pathlib.Path(__file__).parent / "tools"))
from peaks_signal import signal  # noqa: E402

# scipy.signal 1.17.1's answers on signal(), written by tools/scipy_peaks_refs.py
REF = json.loads((pathlib.Path(__file__).parent / "data/scipy_peaks.json").read_text())


@pytest.mark.parametrize("case", range(len(REF["cases"])))
def test_find_peaks_matches_scipy(case):
    c = REF["cases"][case]
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in c["kwargs"].items()}
    peaks, props = spectra.find_peaks(signal(), **kw)
    assert peaks.dtype == np.int64
    assert peaks.tolist() == c["peaks"], c["kwargs"]
    for k, v in c["properties"].items():
        np.testing.assert_allclose(props[k], v, rtol=1e-12, atol=1e-12, err_msg=k)
    # every property is there, filtered on or not
    assert {"prominences", "widths", "peak_heights", "plateau_sizes"} <= set(props)


def test_peak_prominences_and_widths_match_scipy():
    y = signal()
    p = REF["peak_prominences"]
    got = spectra.peak_prominences(y, p["peaks"], wlen=p["wlen"])
    for g, w in zip(got, p["result"]):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    w_ = REF["peak_widths"]
    got = spectra.peak_widths(y, w_["peaks"], rel_height=w_["rel_height"])
    for g, w in zip(got, w_["result"]):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_find_peaks_positions_in_x_units():
    x = np.linspace(450.0, 480.0, 301)  # 0.1 eV steps
    y = np.exp(-(((x - 458.5) / 0.6) ** 2)) + 0.5 * np.exp(-(((x - 464.2) / 0.8) ** 2))
    peaks, props = spectra.find_peaks(y, prominence=0.1, x=x)
    np.testing.assert_allclose(props["x"], [458.5, 464.2], atol=1e-9)
    # FWHM of exp(−(x/w)²) is 2w√ln2
    np.testing.assert_allclose(props["widths_x"], [2 * 0.6 * np.sqrt(np.log(2)),
                                                   2 * 0.8 * np.sqrt(np.log(2))], rtol=2e-3)
    np.testing.assert_allclose(props["widths_x"], props["widths"] * 0.1, rtol=1e-9)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(y=[1.0, np.nan, 0.0]), "not finite|NaN"),
        (dict(distance=0.5), "distance"),
        (dict(wlen=1), "wlen"),
        (dict(rel_height=-1), "rel_height"),
        (dict(height=np.ones(5)), "per-sample arrays"),
        (dict(x=[1.0, 2.0]), "x has shape"),
    ],
)
def test_find_peaks_bad_input(kwargs, message):
    args = dict(y=np.sin(np.arange(50.0)))
    args.update(kwargs)
    with pytest.raises(interphase.Error, match=message):
        spectra.find_peaks(**args)


def test_peak_prominences_refuses_bad_indices():
    with pytest.raises(interphase.Error, match="outside the data"):
        spectra.peak_prominences(np.ones(5), [7])
    with pytest.raises(interphase.Error, match="negative"):
        spectra.peak_prominences(np.ones(5), [-1])


def test_rsf_library_and_quantification():
    ti = spectra.rsf("Ti 2p")
    assert ti["name"] == "Ti 2p" and ti["rsf"] == pytest.approx(7.911, abs=1e-3)
    assert ti["kinetic_energy"] == pytest.approx(1486.6 - ti["binding_energy"])
    assert spectra.rsf("Ti 2p", source="Mg Ka")["rsf"] != ti["rsf"]
    # Ti : O : La = 1 : 3 : 0.56 (areas = RSF × atoms), as the Rust doc example
    lib = {k: spectra.rsf(k)["rsf"] for k in ("Ti 2p", "O 1s", "La 3d5/2")}
    atoms = {"Ti 2p": 1.0, "O 1s": 3.0, "La 3d5/2": 0.56}
    areas = {k: (1000 * lib[k] * atoms[k], np.sqrt(1000 * lib[k] * atoms[k])) for k in lib}
    q = spectra.quantify(areas)
    assert [r["name"] for r in q] == ["Ti 2p", "O 1s", "La 3d5/2"]
    for r in q:
        assert r["atomic_percent"][0] == pytest.approx(100 * atoms[r["name"]] / 4.56, rel=1e-12)
        assert 0 < r["atomic_percent"][1] < 1
    # σ by hand: ∂x_i/∂A_j = 100 f_j (δ_ij/ΣI − I_i/ΣI²), areas independent
    f = np.array([1 / lib[k] for k in lib])
    a = np.array([areas[k][0] for k in lib])
    s = np.array([areas[k][1] for k in lib])
    tot = (a * f).sum()
    for i, r in enumerate(q):
        g = 100 * f * ((np.arange(3) == i) / tot - a[i] * f[i] / tot**2)
        assert r["atomic_percent"][1] == pytest.approx(np.sqrt(((g * s) ** 2).sum()), rel=1e-12)
    # own RSFs win; no stderr → none reported
    q2 = spectra.quantify({"C 1s": 1000.0, "O 1s": 2930.0}, rsf={"C 1s": 1.0, "O 1s": 2.93})
    assert q2[0]["atomic_percent"] == (pytest.approx(50.0), None)


def test_quantification_corrections_and_errors():
    q = spectra.quantify({"C 1s": (1000.0, 1.0), "Ti 2p": (7911.0, 1.0)},
                         transmission_exponent=1.0, imfp_exponent=0.7)
    ek = {r["name"]: r["kinetic_energy"] for r in q}
    i_c = 1000.0 / spectra.rsf("C 1s")["rsf"] / (ek["C 1s"] ** -1.0 * ek["C 1s"] ** 0.7)
    assert q[0]["corrected"] == pytest.approx(i_c, rel=1e-12)
    with pytest.raises(interphase.Error, match="Xx|element"):
        spectra.quantify({"Xx 1s": 1.0})
    with pytest.raises(interphase.Error, match="not in areas"):
        spectra.quantify({"C 1s": 1.0}, rsf={"O 1s": 2.9})
    with pytest.raises(interphase.Error, match="source"):
        spectra.quantify({"C 1s": 1.0}, source="Cu Ka")
    with pytest.raises(interphase.Error, match="non-empty"):
        spectra.quantify({})


def test_power_law_background():
    e = np.linspace(400.0, 480.0, 801)
    edge = 50.0 * np.exp(-((e - 458.0) ** 2) / 2.0)
    y = 3e12 * e**-3.2 + edge
    net, law = spectra.subtract_power_law(e, y, (420.0, 450.0))
    assert law["r"] == pytest.approx(3.2, rel=1e-9) and law["window"] == (420.0, 450.0)
    np.testing.assert_allclose(net, edge, atol=1e-6)
    with pytest.raises(interphase.Error, match="must be > 0"):
        spectra.subtract_power_law(e - 500.0, y, (-90.0, -60.0))


TWO = """
[[peaks]]
name = "A"
shape = "gaussian"
center = 458.0
fwhm = 1.2
area = 10
[[peaks]]
name = "B"
shape = "gaussian"
center = 460.5
fwhm = 1.2
area = 5
"""


def test_delta_e_and_area_fraction_from_the_full_covariance():
    model = spectra.PeakModel.from_toml(TWO)
    x = np.linspace(452.0, 466.0, 281)
    y = model.evaluate(x, {"A.center": 458.1, "B.center": 460.3, "B.area": 6.0})
    y = y + 0.05 * np.sin(13.0 * x)
    fit = model.fit(x, y)
    names, cov = fit.var_names, fit.covar
    ia, ib = names.index("A.center"), names.index("B.center")
    de, se = fit.delta_e("A", "B")
    assert de == pytest.approx(fit.best_values["B.center"] - fit.best_values["A.center"])
    assert se == pytest.approx(np.sqrt(cov[ia, ia] + cov[ib, ib] - 2 * cov[ia, ib]), rel=1e-9)
    # B/(A+B) with areas as parameters: gradient through the covariance
    ja, jb = names.index("A.area"), names.index("B.area")
    a, b = fit.best_values["A.area"], fit.best_values["B.area"]
    frac, sf = fit.area_fraction(["B"], ["A", "B"])
    assert frac == pytest.approx(b / (a + b), rel=1e-9)
    g = np.zeros(len(names))
    g[ja], g[jb] = -b / (a + b) ** 2, a / (a + b) ** 2
    assert sf == pytest.approx(np.sqrt(g @ cov @ g), rel=1e-6)
    with pytest.raises(interphase.Error, match="no component `C`"):
        fit.delta_e("A", "C")
    with pytest.raises(interphase.Error, match="no peak named"):
        fit.area_fraction(["C"], ["A"])


def test_delta_e_needs_a_peak_fit():
    f = np.logspace(4, 0, 20)
    r = interphase.eis.fit(f, interphase.eis.Circuit("R0-C1").impedance(f, [1.0, 1e-5]), "R0-C1")
    with pytest.raises(interphase.Error, match="needs a peak-model fit; this is a circuit fit"):
        r.delta_e("A", "B")


def test_eels_edges_onset_and_white_lines():
    assert spectra.eels_edges("Ti", "L3") == [("Ti", "L3", 456.0)]
    near = spectra.eels_edges(near=460.0, tolerance=10.0)
    assert near[0][:2] == ("Ti", "L2") or near[0][:2] == ("Ti", "L3")
    assert all(abs(e - 460.0) <= 10.0 for _, _, e in near)
    table = spectra.eels_edges()
    assert ("O", "K", 532.0) in table and len(table) == 10
    with pytest.raises(interphase.Error, match="give element and edge"):
        spectra.eels_edges("Ti")
    # a smooth step at 456 eV (logistic, width 0.5 eV): 10 % of the maximum
    # at 456 − 0.5·ln 9, the inflection at 456
    e = np.linspace(440.0, 480.0, 801)
    step = 100.0 / (1.0 + np.exp(-(e - 456.0) / 0.5))
    assert spectra.eels_onset(e, step, start=445.0, fraction=0.1) == pytest.approx(
        456.0 - 0.5 * np.log(9.0), abs=2e-3)
    assert spectra.eels_onset(e, step, inflection=(450.0, 462.0)) == pytest.approx(456.0, abs=2e-3)
    # two white lines of areas 2 : 1, no continuum: the integrated ratio
    lines = (2.0 * np.exp(-0.5 * ((e - 458.0) / 0.6) ** 2)
             + np.exp(-0.5 * ((e - 463.5) / 0.6) ** 2)) * 100.0
    v, s = spectra.white_line_ratio(e, lines, (455.0, 461.0), (461.0, 467.0))
    m3, m2 = (e >= 455.0) & (e <= 461.0), (e >= 461.0) & (e <= 467.0)
    trap = lambda m: float(np.sum(0.5 * (lines[m][1:] + lines[m][:-1]) * np.diff(e[m])))  # noqa: E731
    assert v == pytest.approx(trap(m3) / trap(m2), rel=1e-12) and s is None
    assert v == pytest.approx(2.0, rel=1e-4)
    v, s = spectra.white_line_ratio(e, lines + 1.0, (455.0, 461.0), (461.0, 467.0), counts=True)
    assert s is not None and 0 < s < 0.1
    # the automatic pre-edge window before an edge
    y = 3e12 * e**-3.2 + step
    net, law = spectra.subtract_power_law(e, y, edge=456.0)
    lo, hi = law["window"]
    assert hi == pytest.approx(456.0 - 0.02 * 456.0) and lo >= 440.0
    assert law["r"] == pytest.approx(3.2, rel=1e-6)
    with pytest.raises(interphase.Error, match="either window"):
        spectra.subtract_power_law(e, y)
