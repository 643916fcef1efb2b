"""Side by side: a 64 x 64 x 1000 spectrum image (a Voigt peak on a linear
background, a centre and area gradient, Poisson noise) fitted through
`interphase.dask.fit_map` on a `distributed.LocalCluster` of 1 and of 2 worker
processes (1 thread each, `threads=1` per task), 16 chunks; checks that both
give bit-identical maps and prints the time and the ratio.

Run from the repository root (a release build of the package):
    python3 -m venv .venv-py && .venv-py/bin/pip install maturin numpy "dask[array,distributed]"
    PATH=.venv-py/bin:$PATH .venv-py/bin/pip install --no-build-isolation ./crates/python
    .venv-py/bin/python benches/compare/python_dask.py [SIDE]
"""
import os
import sys
import time

import dask.array as da
import distributed
import numpy as np

import interphase
import interphase.dask
from interphase.spectra import PeakModel

MODEL = """
[background]
kind = "linear"

[[peaks]]
name = "A"
shape = "voigt"
center = 500
sigma = { value = 20, min = 0 }
gamma = { value = 5, min = 0 }
area = { value = 1e5, min = 0 }
"""


def cube(side):
    model = PeakModel.from_toml(MODEL)
    x = np.arange(1000.0)
    rng = np.random.default_rng(64)
    data = np.empty((side, side, x.size))
    for i in range(side):
        for j in range(side):
            y = model.evaluate(x, {"A.center": 450 + i, "A.area": 1e5 * (1 + j / side),
                                   "bg.c0": 100.0, "bg.c1": 0.01})
            data[i, j] = rng.poisson(np.clip(y, 0, None))
    return model, x, data


def run(workers, model, x, data, chunks):
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        maps = interphase.dask.fit_map(da.from_array(data, chunks=chunks), x, model, threads=1)
        client.compute(maps["values"][:1, :1], sync=True)  # warm the workers (imports)
        t0 = time.perf_counter()
        values, ok = client.compute([maps["values"], maps["success"]], sync=True)
        return time.perf_counter() - t0, values, ok


def main():
    side = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    model, x, data = cube(side)
    print("interphase %s, dask %s, distributed %s, %d cores, image %d x %d x %d"
          % (interphase.__version__, da.core.dask.__version__ if hasattr(da.core, "dask") else "?",
             distributed.__version__, os.cpu_count(), side, side, x.size))
    chunks = (side // 4, side // 4, -1)
    t1, v1, ok1 = run(1, model, x, data, chunks)
    t2, v2, ok2 = run(2, model, x, data, chunks)
    same = np.array_equal(v1, v2, equal_nan=True)
    print("1 worker %.2f s, 2 workers %.2f s -> %.2fx; %d/%d converged; maps identical: %s"
          % (t1, t2, t1 / t2, ok2.sum(), ok2.size, same))


if __name__ == "__main__":
    main()
