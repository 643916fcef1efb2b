"""Side by side: the Lin-KK test, impedance.py 1.7.1's `linKK` against
`interphase eis kk`, same spectra, same settings, same machine, one run.

Run from the repository root (impedance.py's `eval_linKK` needs numpy < 2):
    .venv/bin/pip install "numpy<2" scipy impedance
    .venv/bin/python benches/compare/impedance_py_kk.py [N]
Spectra: data/llto/eis_cell.csv and data/llto/eis_pellet.csv, each copied N
times (default 50) into a temporary directory. impedance.py:
`linKK(f, Z, c=0.85, max_M=50, fit_type="real")` in a loop over the files
(each loaded once, loading not timed). interphase: one `interphase eis kk`
process over all the files (the same μ criterion and settings, in
parallel on every core; start-up, reading and output included), and the
same with `--select pseudo-chi2` (every M up to 50 fitted), and with
`--validate` (complex fit, series C, pseudo-χ² plateau, whiteness test).
The M and μ of both tools agree to 1e-9 (crates/eis/tests/kk.rs).
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from impedance.validation import linKK


def load(path):
    rows = [l for l in open(path) if l.strip() and not l.startswith("#") and not l[0].isalpha()]
    a = np.array([[float(v) for v in r.split(",")[:3]] for r in rows])
    return a[:, 0], a[:, 1] + 1j * a[:, 2]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "interphase-cli"], check=True)
    d = tempfile.mkdtemp(prefix="interphase-kk-")
    files = []
    for name in ("eis_cell.csv", "eis_pellet.csv"):
        for k in range(n):
            p = os.path.join(d, "%s-%03d.csv" % (name[:-4], k))
            shutil.copy(os.path.join("data/llto", name), p)
            files.append(p)
    data = [load(p) for p in files]
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # linKK prints as it goes
        ms = [linKK(f, z, c=0.85, max_M=50, fit_type="real")[0] for f, z in data]
    t_py = time.perf_counter() - t0
    print("numpy %s, impedance.py 1.7.1; %d spectra, %d cores here" % (np.__version__, len(files), os.cpu_count()))
    print("impedance.py linKK (mu, c = 0.85)      %8.3f s  (%.2f ms per spectrum; M = %s)"
          % (t_py, 1e3 * t_py / len(files), sorted(set(ms))))
    for label, extra in (("interphase eis kk (mu, c = 0.85)", []),
                         ("interphase eis kk --select pseudo-chi2", ["--select", "pseudo-chi2"]),
                         ("interphase eis kk --validate", ["--validate"])):
        t0 = time.perf_counter()
        subprocess.run(["target/release/interphase", "eis", "kk", "--format", "csv"] + extra + files,
                       check=True, capture_output=True)
        t = time.perf_counter() - t0
        print("%-38s %8.3f s  (%.2f ms per spectrum): %.0fx" % (label, t, 1e3 * t / len(files), t_py / t))
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
