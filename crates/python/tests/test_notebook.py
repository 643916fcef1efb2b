"""docs/notebooks/python_tour.ipynb runs from top to bottom in a fresh kernel
and still prints what it was committed with (the Ti³⁺ table), so it cannot
rot. CI installs nbclient and ipykernel; elsewhere the test skips if they are
missing."""

import json
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
NOTEBOOK = REPO / "docs/notebooks/python_tour.ipynb"


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def kernel_for_this_python(tmp_path, monkeypatch):
    """A kernelspec that runs this interpreter (the one interphase is
    installed in), found first through JUPYTER_PATH, whatever other
    "python3" kernels the machine has registered."""
    d = tmp_path / "kernels" / "interphase-test"
    d.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "interphase test", "language": "python"}
    (d / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return "interphase-test"


def test_python_tour_notebook_executes_and_matches_its_outputs(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="nbformat/nbclient not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient not installed")
    pytest.importorskip("ipykernel", reason="ipykernel not installed")
    committed = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code and all(c.get("outputs") for c in code), "the notebook is committed with its outputs"
    fresh = nbformat.read(NOTEBOOK, as_version=4)
    kernel = kernel_for_this_python(tmp_path, monkeypatch)
    nbclient.NotebookClient(fresh, timeout=300, kernel_name=kernel,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    for cell in fresh.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o
    table = [stdout(c) for c in committed.cells if "Ti3+ fraction" in stdout(c)]
    assert len(table) == 1
    assert table[0] in [stdout(c) for c in fresh.cells]
