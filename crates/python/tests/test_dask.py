"""interphase.dask: maps of fits over Dask arrays, the same numbers in
process, with any chunking, and on a 2-process distributed LocalCluster."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import interphase  # noqa: E402
import interphase.dask as idask  # noqa: E402
from interphase import eis  # noqa: E402
from interphase.spectra import PeakModel  # noqa: E402

MODEL = """
[background]
kind = "linear"

[[peaks]]
name = "A"
shape = "voigt"
center = 5
sigma = { value = 0.3, min = 0 }
gamma = { value = 0.1, min = 0 }
area = { value = 1, min = 0 }
"""


def cube(ny=6, nx=5):
    model = PeakModel.from_toml(MODEL)
    x = np.linspace(0, 10, 301)
    rng = np.random.default_rng(3)
    data = np.empty((ny, nx, x.size))
    for i in range(ny):
        for j in range(nx):
            y = model.evaluate(x, {"A.center": 4.5 + 0.05 * i + 0.03 * j, "A.area": 1 + 0.1 * j})
            data[i, j] = y + rng.normal(0, 0.002, x.size)
    return model, x, data


def test_fit_map_equals_fit_many_whatever_the_chunking():
    model, x, data = cube()
    direct = model.fit_many(x, data.reshape(-1, x.size))
    want = np.array([list(r.best_values.values()) for r in direct]).reshape(6, 5, -1)
    for chunks in [(2, 5, -1), (3, 2, 100), (6, 5, -1)]:
        maps = idask.fit_map(da.from_array(data, chunks=chunks), x, model)
        assert maps["names"] == model.param_names
        values, stderr, chisqr, success = dask.compute(
            maps["values"], maps["stderr"], maps["chisqr"], maps["success"], scheduler="threads")
        np.testing.assert_array_equal(values, want)
        assert values.shape == (6, 5, len(model.param_names))
        assert stderr.shape == values.shape and chisqr.shape == (6, 5) and success.all()
    # NumPy input and another axis
    moved = np.moveaxis(data, -1, 0)
    values = idask.fit_map(moved, x, model, axis=0)["values"].compute()
    np.testing.assert_array_equal(values, want)


def test_a_bad_pixel_fails_alone():
    model, x, data = cube(2, 3)
    data[1, 2, 7] = np.nan
    maps = idask.fit_map(data, x, model)
    values, success = dask.compute(maps["values"], maps["success"])
    assert not success[1, 2] and np.isnan(values[1, 2]).all()
    assert success.sum() == 5


def test_fit_map_errors():
    model, x, data = cube(2, 2)
    with pytest.raises(interphase.Error, match="channels"):
        idask.fit_map(data, x[:-1], model)


def test_eis_fit_map():
    c = eis.Circuit("R0-p(R1,C1)")
    f = np.logspace(5, -1, 30)
    Z = np.array([[c.impedance(f, [10.0, 100.0 * (1 + i + j), 1e-6]) for j in range(3)] for i in range(2)])
    maps = idask.eis_fit_map(da.from_array(Z, chunks=(1, 3, -1)), f, c)
    values = maps["values"].compute()
    np.testing.assert_allclose(values[..., 1], 100.0 * (1 + np.add.outer(range(2), range(3))), rtol=1e-7)


def test_same_numbers_on_a_two_process_cluster():
    distributed = pytest.importorskip("distributed")
    model, x, data = cube()
    maps = idask.fit_map(da.from_array(data, chunks=(2, 5, -1)), x, model, threads=1)
    here = dask.compute(maps["values"], maps["stderr"], maps["chisqr"], scheduler="sync")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        there = client.compute([maps["values"], maps["stderr"], maps["chisqr"]], sync=True)
        # the model and results travel between processes by pickle
        fut = client.submit(lambda m: m.param_names, model)
        assert fut.result() == model.param_names
    for a, b in zip(here, there):
        np.testing.assert_array_equal(a, b)
