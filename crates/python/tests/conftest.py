"""Shared fixtures: the repository's own data files, the CLI built by
`cargo test` (for comparisons with the Rust API), ../shared when present."""

import os
import pathlib
import shutil

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo():
    return REPO


@pytest.fixture
def cli():
    """The `interphase` command of this checkout (target/debug or release,
    or INTERPHASE_CLI); skips when it has not been built."""
    cands = [os.environ.get("INTERPHASE_CLI"), REPO / "target/debug/interphase",
             REPO / "target/release/interphase", shutil.which("interphase")]
    for c in cands:
        if c and pathlib.Path(c).is_file():
            return str(c)
    pytest.skip("the interphase CLI is not built (cargo build -p interphase-cli); skipping the comparison")


@pytest.fixture
def shared():
    if not (SHARED / "real-files").is_dir():
        pytest.skip(f"{SHARED}/real-files is absent: skipping the real-file checks")
    return SHARED
