"""Shared by the side-by-side scripts: the 2000-point comparison spectrum (the
same arithmetic as `interphase_benches::compare_spectrum`) and a median timer."""
import time

import numpy as np

n = 2000
x = np.arange(n, dtype=float)


def _g(c, w, a):
    return a * np.exp(-0.5 * ((x - c) / w) ** 2)


y = (100 + 0.02 * x + 20 * np.sin(x / 300) + _g(400, 10, 300) + _g(900, 25, 150) + _g(1300, 6, 200)
     + _g(1700, 15, 120) + 0.8 * np.sin(0.37 * x) + 0.5 * np.sin(1.91 * x))


def median_us(f, reps=21):
    """Median wall time of `reps` calls of f, µs, after warm-up calls (at least
    one, and at least 0.2 s of them: the same warm-up as `median_time` in
    benches/src/lib.rs)."""
    t0 = time.perf_counter()
    f()
    while time.perf_counter() - t0 < 0.2:
        f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[reps // 2] * 1e6
