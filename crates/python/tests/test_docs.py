"""The examples in the modules' docstrings and in docs/python.md run."""

import doctest
import pathlib
import re

import pytest

import interphase
import interphase.dask  # noqa: F401

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", ["spectra", "baselines", "eis", "materials", "fit"])
def test_docstring_examples(name):
    module = getattr(interphase, name)
    failed, tried = doctest.testmod(module, raise_on_error=False)
    assert tried > 0 and failed == 0


def test_the_tour_in_docs_python_md_runs(monkeypatch, capsys):
    text = (REPO / "docs/python.md").read_text()
    tour = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    monkeypatch.chdir(REPO)
    exec(compile(tour, "docs/python.md", "exec"), {})
    assert "[[Variables]]" in capsys.readouterr().out


def test_the_curve_fit_example_in_docs_python_md_runs(capsys):
    text = (REPO / "docs/python.md").read_text()
    block = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "curve_fit(" in b][0]
    exec(compile(block, "docs/python.md", "exec"), {})
    out = capsys.readouterr().out
    assert "<Parameter 'tau'" in out and "[[Variables]]" in out
