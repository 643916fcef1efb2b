"""Peak models from Python: the same numbers as the Rust API (through the
CLI, which calls it), lmfit's optimum on the Ti 2p doublet case, pickling,
batch fits, and errors."""

import copy
import json
import pickle
import subprocess

import numpy as np
import pytest

import interphase
from interphase.spectra import PeakModel

GAUSS = '[[peaks]]\nname = "A"\nshape = "gaussian"\ncenter = 5\nfwhm = 1\narea = 1\n'


def ti2p(repo):
    x, y = np.loadtxt(repo / "crates/spectra/tests/data/ti2p_synthetic.csv",
                      delimiter=",", comments="#", skiprows=2, unpack=True)
    model = PeakModel.from_file(repo / "crates/spectra/tests/data/ti2p_linear.toml")
    return x, y, model


def test_ti2p_reaches_lmfits_optimum(repo):
    x, y, model = ti2p(repo)
    fit = model.fit(x, y)
    # lmfit 1.3 leastsq on the same data, model and starts
    # (crates/spectra/tools/gen_lmfit_peak_refs.py; also in crates/cli/tests/cli.rs)
    assert fit.success
    assert fit.chisqr == pytest.approx(428149.8344069208, rel=1e-6)
    assert fit.kind == "peaks"
    assert fit.ndata == 500 and fit.nvarys == len(fit.var_names)
    assert fit.covar.shape == (fit.nvarys, fit.nvarys)
    assert set(fit.components) == {"Ti4+", "Ti4+/2", "Ti3+", "Ti3+/2"}
    total = fit.background + sum(fit.components.values())
    np.testing.assert_allclose(total, fit.best_fit, rtol=1e-12)
    np.testing.assert_allclose(fit.data, y)
    assert fit.params["Ti3+.sigma"].expr is not None
    assert fit.params["Ti3+.sigma"].value == fit.params["Ti4+.sigma"].value


def test_robust_covariance(repo):
    x, y, model = ti2p(repo)
    plain = model.fit(x, y)
    robust = model.fit(x, y, robust_covariance=True)
    # the same optimum; the sandwich (HC3) standard errors differ and say so
    assert robust.params["Ti4+.area"].value == plain.params["Ti4+.area"].value
    s, t = robust.params["Ti4+.area"].stderr, plain.params["Ti4+.area"].stderr
    assert s > 0 and t > 0 and s != pytest.approx(t, rel=1e-6)
    assert "robust (sandwich, HC3)" in robust.report()
    assert "robust" not in plain.report()
    # fit_many: each row as the single fit
    many = model.fit_many(x, np.vstack([y, y]), robust_covariance=True)
    assert all(m.params["Ti4+.area"].stderr == pytest.approx(s, rel=1e-9) for m in many)


def test_projection_choices_reach_the_same_optimum(repo):
    x, y, model = ti2p(repo)
    off = model.fit(x, y, projection="off")
    for choice in ["on", "auto"]:
        other = model.fit(x, y, projection=choice)
        assert other.chisqr == pytest.approx(off.chisqr, rel=1e-9)
        for name, p in off.params.items():
            q = other.params[name]
            tol = 1e-3 * (p.stderr or 0.0) + 1e-9 * abs(p.value)
            assert abs(p.value - q.value) <= tol, name
    many = model.fit_many(x, np.vstack([y, y]), projection="on")
    assert all(m.chisqr == pytest.approx(off.chisqr, rel=1e-9) for m in many)
    with pytest.raises(interphase.Error, match="variable projection"):
        model.fit(x, y, projection="maybe")


def test_monte_carlo_spreads_and_derived_quantities(repo):
    x, y, model = ti2p(repo)
    mc = model.monte_carlo(x, y, n=60, seed=3)
    names = mc["names"]
    assert mc["n_ok"] + mc["n_failed"] == 60 and mc["n_ok"] >= 55
    assert mc["samples"].shape == (mc["n_ok"], len(names))
    assert mc["percentiles"].shape == (len(names), 5) and mc["percentile_points"][2] == 50.0
    k = names.index("Ti4+.area")
    # 60 refits: the spread within ±40 % of the covariance error
    assert 0.6 < mc["std"][k] / mc["covariance_stderr"][k] < 1.4
    fit = mc["fit"]
    assert mc["covariance_stderr"][k] == pytest.approx(fit.params["Ti4+.area"].stderr, rel=1e-12)
    # a derived quantity from the rows: the Ti3+ fraction, against the covariance route
    a3, a4 = mc["samples"][:, names.index("Ti3+.area")], mc["samples"][:, k]
    frac, sf = fit.area_fraction(["Ti3+"], ["Ti3+", "Ti4+"])
    assert np.mean(a3 / (a3 + a4)) == pytest.approx(frac, abs=3 * sf)
    assert 0.6 < np.std(a3 / (a3 + a4), ddof=1) / sf < 1.4
    # reproducible from the seed; the bootstrap draws differently
    again = model.monte_carlo(x, y, n=60, seed=3)
    np.testing.assert_array_equal(again["samples"], mc["samples"])
    boot = model.monte_carlo(x, y, n=20, seed=3, bootstrap=True)
    assert boot["samples"].shape[1] == len(names)
    assert not np.array_equal(boot["samples"][:5], mc["samples"][:5])
    with pytest.raises(interphase.Error):
        model.monte_carlo(x, y, n=0)


def test_same_numbers_as_the_rust_api(repo, cli):
    x, y, model = ti2p(repo)
    fit = model.fit(x, y)
    out = subprocess.run([cli, "spectrum", "fit", "--model",
                          str(repo / "crates/spectra/tests/data/ti2p_linear.toml"),
                          str(repo / "crates/spectra/tests/data/ti2p_synthetic.csv"),
                          "--format", "json"], capture_output=True, text=True, check=True)
    rust = json.loads(out.stdout)["fits"][0]
    assert fit.chisqr == pytest.approx(rust["chi_square"], rel=1e-12)
    for p in rust["parameters"]:
        ours = fit.params[p["name"]]
        assert ours.value == pytest.approx(p["value"], rel=1e-10, abs=1e-12)
        if p.get("stderr") is not None:
            assert ours.stderr == pytest.approx(p["stderr"], rel=1e-8)
    for ours, theirs in zip(fit.peaks, rust["components"]):
        assert ours["label"] == theirs["label"]
        assert ours["area"]["value"] == pytest.approx(theirs["area"], rel=1e-10)
        assert ours["area"]["stderr"] == pytest.approx(theirs["area_stderr"], rel=1e-8)


def test_fit_many_equals_single_fits_and_keeps_failures():
    m = PeakModel.from_toml(GAUSS)
    x = np.linspace(0, 10, 201)
    rng = np.random.default_rng(7)
    rows = [m.evaluate(x, {"A.center": 4 + 0.1 * k, "A.area": 1 + k}) + rng.normal(0, 0.01, x.size)
            for k in range(12)]
    Y = np.array(rows)
    Y[5, 3] = np.nan
    many = m.fit_many(x, Y, threads=2)
    assert len(many) == 12
    assert isinstance(many[5], interphase.Error) and "row 5" in str(many[5])
    for k in (0, 6, 11):
        one = m.fit(x, Y[k])
        assert many[k].best_values == one.best_values
        assert many[k].params["A.center"].value == pytest.approx(4 + 0.1 * k, abs=5e-3)
    with pytest.raises(interphase.Error, match="row 5"):
        m.fit_many(x, Y, errors="raise")
    # the number of threads does not change the numbers
    one_thread = m.fit_many(x, np.delete(Y, 5, axis=0), threads=1, warm_start=True)
    two = m.fit_many(x, np.delete(Y, 5, axis=0), threads=2, warm_start=True)
    assert [r.best_values for r in one_thread] == [r.best_values for r in two]


def test_weights_are_lmfits_inverse_sigma():
    m = PeakModel.from_toml(GAUSS)
    x = np.linspace(0, 10, 201)
    y = m.evaluate(x, {"A.area": 2.0}) + 0.01 * np.cos(7 * x)
    a = m.fit(x, y, weights=np.full(x.size, 10.0))
    b = m.fit(x, y)
    assert a.chisqr == pytest.approx(100 * b.chisqr, rel=1e-9)
    assert a.best_values["A.area"] == pytest.approx(b.best_values["A.area"], rel=1e-9)
    p = m.fit(x, np.abs(y) * 1000 + 1, weighting="poisson")
    assert p.success


def test_pickle_deepcopy_and_dict_round_trips(tmp_path):
    m = PeakModel.from_toml(GAUSS)
    x = np.linspace(0, 10, 101)
    fit = m.fit(x, m.evaluate(x, {"A.area": 2.0}) + 0.001 * np.sin(x))
    for clone in (pickle.loads(pickle.dumps(fit)), copy.deepcopy(fit)):
        assert clone.best_values == fit.best_values
        assert clone.chisqr == fit.chisqr
        np.testing.assert_array_equal(clone.best_fit, fit.best_fit)
    m2 = pickle.loads(pickle.dumps(m))
    assert m2.param_names == m.param_names
    assert PeakModel.from_dict(m.to_dict()).param_names == m.param_names
    f = tmp_path / "m.toml"
    f.write_text(GAUSS)
    assert PeakModel.from_file(f).param_names == ["A.center", "A.fwhm", "A.area"]
    d = fit.to_dict()
    assert d["fit"]["chi_square"] == fit.chisqr
    assert "A.center" in fit.report() or "A" in fit.report()
    assert "<table>" in fit._repr_html_()
    assert pickle.loads(pickle.dumps(fit.params["A.area"])).value == fit.params["A.area"].value


@pytest.mark.parametrize("bad, match", [
    (dict(y=[1.0, np.nan, 3.0]), "non-finite"),
    (dict(y=[1.0, 2.0]), "length|points|same"),
    (dict(weighting="cauchy"), "weighting"),
    (dict(weights=[1.0, 0.0, 1.0]), "weights"),
])
def test_bad_input_raises(bad, match):
    m = PeakModel.from_toml(GAUSS)
    args = dict(x=[1.0, 2.0, 3.0], y=[1.0, 3.0, 1.0])
    args.update(bad)
    with pytest.raises(interphase.Error, match=match):
        m.fit(**args)


def test_bad_models_and_files_raise(tmp_path):
    with pytest.raises(interphase.Error):
        PeakModel.from_toml("[[peaks]]\nname = 'A'\nshape = 'nonsense'\n")
    with pytest.raises(FileNotFoundError):
        PeakModel.from_file(tmp_path / "missing.toml")
    with pytest.raises(interphase.Error, match="columns"):
        PeakModel.from_toml(GAUSS).fit_many(np.arange(5.0), np.zeros((2, 4)))
    with pytest.raises(interphase.Error, match="threads"):
        PeakModel.from_toml(GAUSS).fit_many(np.arange(5.0), np.ones((2, 5)), threads=0)


def test_a_panic_never_crosses_the_boundary():
    with pytest.raises(interphase.InternalError, match="deliberate panic"):
        interphase._core._panic_for_tests()
    assert issubclass(interphase.Error, ValueError)
    assert issubclass(interphase.FileError, OSError)
    assert issubclass(interphase.InternalError, RuntimeError)


def test_any_array_like_input_works():
    """Lists, integer dtypes, strided views and unaligned buffers (as Dask
    can deliver them from the network) are converted, never read wrongly."""
    m = PeakModel.from_toml(GAUSS)
    x = np.linspace(0, 10, 101)
    y = m.evaluate(x, {"A.area": 2.0}) + 0.001 * np.sin(x)
    want = m.fit(x, y).best_values
    raw = np.zeros(8 * y.size + 1, dtype=np.uint8)[1:].view(np.float64)
    raw[:] = y
    assert not raw.flags.aligned
    assert m.fit(x, raw).best_values == want
    assert m.fit(list(x), list(y)).best_values == want
    wide = np.zeros((y.size, 3))
    wide[:, 1] = y
    assert m.fit(x, wide[:, 1]).best_values == want
    with pytest.raises(interphase.Error, match="1-D"):
        m.fit(x, np.vstack([y, y]))


def test_fit_many_progress_callback():
    m = PeakModel.from_toml(GAUSS)
    x = np.linspace(0, 10, 201)
    Y = np.array([m.evaluate(x, {"A.center": 4 + 0.01 * k}) for k in range(300)])
    Y[7, 0] = np.inf
    seen = []
    fits = m.fit_many(x, Y, threads=2, progress=lambda d, t, f: seen.append((d, t, f)))
    assert len(fits) == 300
    # the last call has the final counts; the counts never go down
    assert seen[-1] == (300, 300, 1)
    assert all(t == 300 for _, t, _ in seen)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)

    def boom(done, total, failed):
        raise KeyError("stop")

    with pytest.raises(interphase.Error, match="progress callback raised KeyError") as e:
        m.fit_many(x, Y[:5], progress=boom)
    assert isinstance(e.value.__cause__, KeyError)
