"""Peak memory and time of `interphase spectrum fit` against the number of
spectra (issue 28: memory flat in the number of spectra).

Writes N random Ti 2p spectra (two Voigt doublets, shared widths, linear
background, 1000 points, Poisson noise; the model of
crates/spectra/tests/data/ti2p_linear.toml) as N two-column CSV files and as
one CSV file with N columns, runs the release CLI on them with
`--format json` (stdout to a file) under /usr/bin/time, and prints the
maximum resident set size, the wall time and the input's data as f64
(N x 1000 x 8 bytes) with the issue's goal (2 x data + 50 MB).

Run from the repository root:
    cargo build --release -p interphase-cli   # or INTERPHASE_CLI=path/to/interphase
    python3 -m venv .venv-py && .venv-py/bin/pip install maturin numpy
    PATH=.venv-py/bin:$PATH .venv-py/bin/pip install --no-build-isolation ./crates/python
    .venv-py/bin/python benches/compare/spectrum_fit_memory.py [N ...]
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from interphase.spectra import PeakModel

MODEL = "crates/spectra/tests/data/ti2p_linear.toml"
CLI = os.environ.get("INTERPHASE_CLI", "target/release/interphase")


def spectra(n, rng):
    model = PeakModel.from_file(MODEL)
    x = np.linspace(450.0, 470.0, 1000)
    Y = np.empty((n, x.size))
    for k in range(n):
        p = {"Ti4+.center": rng.uniform(458.5, 459.1), "Ti4+.area": rng.uniform(4e3, 6e3),
             "Ti3+.area": rng.uniform(3e2, 2e3), "Ti4+.sigma": rng.uniform(0.4, 0.6)}
        Y[k] = rng.poisson(np.clip(model.evaluate(x, p), 0, None))
    return x, Y


def measure(args, out):
    cmd = ["/usr/bin/time", "-f", "%M %e", CLI, "spectrum", "fit", "--format", "json",
           "--model", MODEL] + args
    with open(out, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"the CLI failed: {r.stderr[-2000:]}")
    kb, secs = re.findall(r"^(\d+) ([\d.]+)$", r.stderr, re.M)[-1]
    return int(kb) / 1024, float(secs), os.path.getsize(out) / 2**20


def main():
    ns = [int(a) for a in sys.argv[1:]] or [500, 4000]
    rng = np.random.default_rng(28)
    print("interphase CLI %s, %d cores" % (CLI, os.cpu_count()))
    print("| spectra | input | data as f64 | goal (2x data + 50 MB) | peak RSS | wall | JSON |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in ns:
        x, Y = spectra(n, rng)
        data_mb = Y.size * 8 / 2**20
        goal = 2 * data_mb + 50
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for k in range(n):
                path = os.path.join(tmp, f"s{k:05d}.csv")
                np.savetxt(path, np.column_stack([x, Y[k]]), delimiter=",", fmt="%.6g",
                           header="binding_energy_eV,counts", comments="")
                files.append(path)
            rss, secs, js = measure(files, os.path.join(tmp, "out.json"))
            print(f"| {n} | {n} files | {data_mb:.1f} MB | {goal:.0f} MB | {rss:.0f} MB | {secs:.2f} s | {js:.1f} MB |")
            wide = os.path.join(tmp, "wide.csv")
            header = "binding_energy_eV," + ",".join(f"s{k}" for k in range(n))
            np.savetxt(wide, np.column_stack([x, Y.T]), delimiter=",", fmt="%.6g", header=header,
                       comments="")
            rss, secs, js = measure([wide], os.path.join(tmp, "out.json"))
            print(f"| {n} | one file, {n} columns | {data_mb:.1f} MB | {goal:.0f} MB | {rss:.0f} MB | {secs:.2f} s | {js:.1f} MB |")


if __name__ == "__main__":
    main()
