"""Impedance from Python: the Rust API's numbers (through the CLI),
impedance.py's fit of its own example data (when ../shared is present),
batch fits, Lin-KK, DRT and errors."""

import json
import pickle
import subprocess

import numpy as np
import pytest

import interphase
from interphase import eis


def llto_cell(repo):
    f, re, im = np.loadtxt(repo / "data/llto/eis_cell.csv", delimiter=",", comments="#",
                           skiprows=2, unpack=True)
    return f, re + 1j * im


def test_recovers_a_simulated_circuit_and_round_trips():
    c = eis.Circuit("R0-p(R1,CPE1)")
    f = np.logspace(6, -1, 50)
    Z = c.impedance(f, [10.0, 100.0, 1e-6, 0.9])
    by_name = c.impedance(f, {"R0": 10.0, "R1": 100.0, "CPE1.Q": 1e-6, "CPE1.alpha": 0.9})
    np.testing.assert_array_equal(Z, by_name)
    fit = eis.fit(f, Z, c)
    assert fit.kind == "circuit"
    assert list(fit.best_values) == c.param_names
    np.testing.assert_allclose(list(fit.best_values.values()), [10.0, 100.0, 1e-6, 0.9], rtol=1e-7)
    np.testing.assert_allclose(fit.best_fit, Z, rtol=1e-9)
    assert "C_eff(R1,CPE1)" in fit.derived
    clone = pickle.loads(pickle.dumps(fit))
    assert clone.best_values == fit.best_values
    assert pickle.loads(pickle.dumps(c)).param_names == c.param_names
    assert "R0-p(R1,CPE1)" in fit.report()
    # the string form works too
    assert eis.fit(f, Z, "R0-p(R1,CPE1)").chisqr == pytest.approx(fit.chisqr, rel=1e-9, abs=1e-25)


def test_same_numbers_as_the_rust_api(repo, cli):
    f, Z = llto_cell(repo)
    circuit = "R0-p(R1,CPE1)-p(R2,CPE2)"
    fit = eis.fit(f, Z, circuit)
    out = subprocess.run([cli, "eis", "fit", "--circuit", circuit,
                          str(repo / "data/llto/eis_cell.csv"), "--format", "json"],
                         capture_output=True, text=True, check=True)
    rust = json.loads(out.stdout)["fits"][0]
    assert fit.chisqr == pytest.approx(rust["chi_square"], rel=1e-12)
    for p in rust["parameters"]:
        assert fit.params[p["name"]].value == pytest.approx(p["value"], rel=1e-10)
        assert fit.params[p["name"]].stderr == pytest.approx(p["stderr"], rel=1e-8)
    for d in rust["derived"]:
        value, stderr = fit.derived[d["name"]]
        assert value == pytest.approx(d["value"], rel=1e-10)


def test_impedance_py_getting_started_fit(shared):
    # a headerless table: the columns are chosen, never guessed
    d = interphase.read(shared / "data/eis/impedance_py_exampleData.csv", columns="1,2,3")
    s = d["impedance"][0]
    keep = s["Z"].imag < 0
    f, Z = s["freq"][keep], s["Z"][keep]
    assert f.size == 57
    # impedance.py 1.7.1 CustomCircuit(...).fit(f, Z) from this guess
    # (values as crates/eis/tests/reference.rs)
    want = [0.016518726094898115, 0.008676550503006716, 3.321425579888374,
            0.005389962777724203, 0.06309274253115818, 232.5204267019584, 0.21954182681119533]
    fit = eis.fit(f, Z, "R0-p(R1,C1)-p(R2-Wo1,C2)", weight="unit",
                  initial=[0.01, 0.01, 100, 0.01, 0.05, 100, 1])
    assert fit.chisqr <= 1.9430171674433504e-05  # impedance.py's χ² = Σ|Z_fit − Z|²
    for name, w in zip(fit.param_names, want):
        if not name.startswith("Wo1"):
            assert fit.params[name].value == pytest.approx(w, rel=0.01)


def test_fit_many_keeps_order_and_failures():
    c = eis.Circuit("R0-p(R1,C1)")
    f = np.logspace(5, -1, 30)
    Z = np.array([c.impedance(f, [10.0, r, 1e-6]) for r in (50.0, 100.0, 200.0, 400.0)])
    Z[2, 4] = np.nan
    fits = eis.fit_many(f, Z, c, threads=2)
    assert isinstance(fits[2], interphase.Error) and "row 2" in str(fits[2])
    for k, r in ((0, 50.0), (1, 100.0), (3, 400.0)):
        assert fits[k].best_values["R1"] == pytest.approx(r, rel=1e-7)
        assert fits[k].best_values == eis.fit(f, Z[k], c).best_values


def test_drt_processes(repo):
    f, Z = llto_cell(repo)
    r = eis.drt_processes(f, Z)
    # the same as `interphase eis drt --processes 4` (crates/cli/tests/cli.rs)
    assert r["circuit"] == "R0-p(R1,CPE1)-p(R2,CPE2)"
    assert len(r["processes"]) == 2
    p = r["processes"][0]
    assert p["tau"]["value"] < r["processes"][1]["tau"]["value"]
    assert 0 < p["resistance"]["stderr"] < 0.05 * p["resistance"]["value"]
    with pytest.raises(interphase.Error, match="max_processes"):
        eis.drt_processes(f, Z, max_processes=0)


def test_zhit(repo):
    f, Z = llto_cell(repo)
    r = eis.zhit(f, Z)
    # pyimpspec 5.1.3 on this file (crates/eis/tests/zhit.rs, gen_zhit_refs.py):
    # the reconstruction before the offset, ln|Z|[39] - ln|Z|[0] = 2.4630145224954814
    m = r["modulus"]
    assert np.log(m[39]) - np.log(m[0]) == pytest.approx(2.4630145224954814, abs=1e-10)
    assert r["Z_fit"].shape == Z.shape and len(r["residuals_re"]) == len(f)
    assert r["pseudo_chi2"] == pytest.approx(0.0271, rel=0.01)
    assert 0 < r["lowest_decade_max_abs_residual"] <= max(
        np.abs(r["residuals_re"]).max(), np.abs(r["residuals_im"]).max())
    # the offset fitted at one point only: the reconstruction passes through it
    w = np.zeros(len(f))
    w[40] = 1.0
    one = eis.zhit(f, Z, weights=w)
    assert one["modulus"][40] == pytest.approx(abs(Z[40]), rel=1e-12)
    with pytest.raises(interphase.Error, match="holds no point"):
        eis.zhit(f, Z, window_center=9.0)
    with pytest.raises(interphase.Error, match="phase values"):
        eis.zhit(f, Z, phase=np.zeros(3))


def test_lin_kk_and_drt(repo):
    f, Z = llto_cell(repo)
    kk = eis.lin_kk(f, Z)
    # impedance.py 1.7.1 linKK(f, Z, c=0.85, max_M=50, fit_type="real") on this file
    # (crates/eis/tests/kk.rs): M = 6, mu = 0.7435604719318178, largest |residual| 0.2429
    assert kk["M"] == 6 and kk["mu"] == pytest.approx(0.7435604719318178, rel=1e-6)
    assert kk["residuals_re"][0] == pytest.approx(0.12062499246491759, rel=1e-6)
    assert kk["Z_fit"].shape == Z.shape
    many = eis.lin_kk(f, Z, c=None, max_M=40)
    assert max(np.abs(many["residuals_re"]).max(), np.abs(many["residuals_im"]).max()) < 0.02
    # the pseudo-χ² plateau (crates/eis/tests/kk.rs): M = 17 on this file, and the scan
    auto = eis.lin_kk(f, Z, method="pseudo_chi2")
    assert auto["M"] == 17 and len(auto["scan"]) == 50
    assert [p["m"] for p in kk["scan"]] == [1, 2, 3, 4, 5, 6]
    assert auto["scan"][16]["pseudo_chi2"] <= 1.2 * min(p["pseudo_chi2"] for p in auto["scan"])
    with pytest.raises(interphase.Error, match="method"):
        eis.lin_kk(f, Z, method="nope")
    # the admittance representation: R_inf and the parallel C_inf, residuals in Z terms
    y = eis.lin_kk(f, Z, method="pseudo_chi2", admittance=True)
    assert y["admittance"] is True and y["r_ohm"] > 0 and np.isfinite(y["capacitance"])
    assert len(y["residuals_re"]) == len(f)
    with pytest.raises(interphase.Error, match="add_capacitance"):
        eis.lin_kk(f, Z, add_capacitance=True, admittance=True)
    # the whiteness test (complex fits): white residuals that imply the
    # generator's 0.5 % noise (data/llto/README.md); none for the real fit
    v = eis.lin_kk(f, Z, method="pseudo_chi2", fit_type="complex", add_capacitance=True)
    w = v["whiteness"]
    assert abs(w["z"]) < 3 and w["noise"] == pytest.approx(0.005, rel=0.1)
    assert w["expected"] < 0 and w["dof"] > 0
    assert kk["whiteness"] is None
    d = eis.drt(f, Z)
    assert d["tau"].shape == d["gamma"].shape and len(d["peaks"]) >= 2
    assert d["lambda"] > 0
    # credible bands (crates/eis/tests/drt_bands.rs has the pyDRTtools comparison)
    b = eis.drt(f, Z, bands=True, samples=200, burn_in=50)["bands"]
    assert b["tau"].shape == b["lower"].shape == b["upper"].shape == d["tau"].shape
    assert np.all(b["lower"] <= b["mean"] + 1e-12) and np.all(b["mean"] <= b["upper"] + 1e-12)
    r = b["polarization_resistance"]
    assert r["std"] > 0 and r["lower"] < r["mean"] < r["upper"]
    assert len(b["peaks"]) == len(d["peaks"]) and b["sigma"] > 0
    g = eis.drt(f, Z, lam="gml")
    assert g["lambda"] > d["lambda"]  # GML smooths more than GCV here (docs/eis.md)
    with pytest.raises(interphase.Error, match="gml"):
        eis.drt(f, Z, lam="nope")
    with pytest.raises(interphase.Error, match="tau_grid"):
        eis.drt(f, Z, tau_grid="nope")
    with pytest.raises(interphase.Error, match="burn-in"):
        eis.drt(f, Z, bands=True, samples=10, burn_in=10)


def test_robust_covariance(repo):
    f, Z = llto_cell(repo)
    c = eis.Circuit("R0-p(R1,CPE1)-p(R2,CPE2)")
    plain = eis.fit(f, Z, c)
    robust = eis.fit(f, Z, c, robust_covariance=True)
    # the same optimum, other standard errors (HC3 sandwich), both positive
    assert robust.params["R1"].value == pytest.approx(plain.params["R1"].value, rel=1e-9)
    assert robust.params["R1"].stderr > 0 and plain.params["R1"].stderr > 0
    assert robust.params["R1"].stderr != pytest.approx(plain.params["R1"].stderr, rel=1e-3)
    assert "robust (sandwich, HC3)" in robust.report()
    many = eis.fit_many(f, np.vstack([Z, Z]), c, robust_covariance=True)
    assert all(m.params["R1"].stderr == pytest.approx(robust.params["R1"].stderr, rel=1e-6)
               for m in many)


def test_capacitance_helpers():
    # C = (R·Q)^(1/α)/R; α = 1 gives Q
    assert eis.capacitance_zarc(100.0, 1e-6, 1.0) == pytest.approx(1e-6)
    assert eis.capacitance_from_apex(100.0, 1 / (2 * np.pi * 1e-4)) == pytest.approx(1e-6)
    with pytest.raises(interphase.Error):
        eis.capacitance_zarc(-1.0, 1e-6, 0.9)


@pytest.mark.parametrize("circuit, match", [("R0-p(R1,X1)", "X1|element"), ("R0-p(R1,C1", "paren|\\(|unbalanced|close")])
def test_bad_circuits_raise(circuit, match):
    with pytest.raises(interphase.Error, match=match):
        eis.Circuit(circuit)


def test_bad_data_raise():
    f = np.logspace(3, 0, 5)
    with pytest.raises(interphase.Error):
        eis.fit(f, np.ones(4) * (1 - 1j), "R0-C1")
    with pytest.raises(interphase.Error):
        eis.fit(f, np.array([1, 2, np.nan, 4, 5]) * (1 - 1j), "R0-C1")
    with pytest.raises(interphase.Error, match="weight"):
        eis.fit(f, np.ones(5) * (1 - 1j), "R0-C1", weight="huber")
    with pytest.raises(interphase.Error, match="initial"):
        eis.fit(f, np.ones(5) * (1 - 1j), "R0-C1", initial={"R0": 1.0})


def test_fit_many_progress_callback():
    c = eis.Circuit("R0-p(R1,C1)")
    f = np.logspace(5, -1, 30)
    Z = np.array([c.impedance(f, [10.0, r, 1e-6]) for r in np.linspace(50.0, 400.0, 20)])
    Z[3, 0] = np.nan
    seen = []
    fits = eis.fit_many(f, Z, c, progress=lambda *a: seen.append(a))
    assert len(fits) == 20 and seen[-1] == (20, 20, 1)
    assert all(t == 20 for _, t, _ in seen)
