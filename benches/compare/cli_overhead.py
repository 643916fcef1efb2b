"""What a 100-spectrum `interphase spectrum fit` spends besides the fits
(issue 28: start-up and JSON writing measured; nothing should cost more
than the fits).

Measures, median of several runs of the release CLI: the start-up
(`interphase --version`); reading the 100 files and writing nothing but the
failure of a model that cannot be read (start-up + no fit); the whole run in
each output format; and the fits alone (100 x `peakfit_timing`'s time per fit
on the same spectrum, divided by the threads).

Run from the repository root:
    cargo build --release -p interphase-cli -p interphase-benches --bin peakfit_timing
    .venv-py/bin/python benches/compare/cli_overhead.py
(the spectra are written with numpy only)
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

CLI = os.environ.get("INTERPHASE_CLI", "target/release/interphase")
MODEL = "crates/spectra/tests/data/ti2p_linear.toml"
DATA = "crates/spectra/tests/data/ti2p_synthetic.csv"


def wall(cmd, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    x, y = np.loadtxt(DATA, delimiter=",", comments="#", skiprows=2, unpack=True)
    rng = np.random.default_rng(100)
    r = subprocess.run(["target/release/peakfit_timing", DATA, MODEL], check=True,
                       capture_output=True, text=True)
    fit_s = float(re.search(r"fit_us=([\d.]+)", r.stdout).group(1)) * 1e-6
    threads = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k in range(n):
            p = os.path.join(tmp, f"s{k:04d}.csv")
            np.savetxt(p, np.column_stack([x, rng.poisson(np.clip(y, 0, None))]), delimiter=",",
                       header="binding_energy_eV,counts", comments="", fmt="%.6g")
            files.append(p)
        bad_model = os.path.join(tmp, "missing.toml")
        start = wall([CLI, "--version"], 21)
        read = wall([CLI, "spectrum", "fit", "--model", bad_model] + files, 11)
        print(f"{n} spectra of {x.size} points, {threads} threads, {CLI}")
        print(f"start-up (--version): {start * 1e3:.2f} ms")
        print(f"start-up + argument parsing, model missing (no file read): {read * 1e3:.2f} ms")
        print(f"fits alone: {n} x {fit_s * 1e3:.3f} ms / {threads} threads = {n * fit_s / threads:.3f} s")
        for fmt in ("json", "table", "csv"):
            t = wall([CLI, "spectrum", "fit", "--format", fmt, "--model", MODEL] + files, 5)
            print(f"whole run, --format {fmt}: {t:.3f} s "
                  f"(fits alone {n * fit_s / threads:.3f} s; the rest {t - n * fit_s / threads:+.3f} s)")


if __name__ == "__main__":
    main()
