"""interphase.read on the repository's fixtures (and ../shared when present),
materials, and baselines against pybaselines' arrays."""

import numpy as np
import pytest

import interphase
from interphase import baselines, materials


def test_read_vamas_and_palmsens(repo):
    d = interphase.read(repo / "crates/spectra/tests/data/minimal.vms")
    assert d["format"] and len(d["spectra"]) >= 1
    s = d["spectra"][0]
    assert s["x"].shape == s["y"].shape and isinstance(s["metadata"], dict)
    p = interphase.read(repo / "crates/io/tests/data/palmsens/psdata_A.pssession")
    assert len(p["tables"]) == 3 and all(t["columns"] for t in p["tables"])


def test_read_impedance_text(repo):
    d = interphase.read(repo / "data/llto/eis_cell.csv")
    z = d["impedance"][0]
    raw = np.loadtxt(repo / "data/llto/eis_cell.csv", delimiter=",", comments="#", skiprows=2)
    np.testing.assert_array_equal(z["freq"], raw[:, 0])
    np.testing.assert_array_equal(z["Z"], raw[:, 1] + 1j * raw[:, 2])


def test_read_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        interphase.read(tmp_path / "nope.mpr")
    bad = tmp_path / "garbage.mpr"
    bad.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + b"\x00" * 7)
    with pytest.raises(interphase.FileError):
        interphase.read(bad)


def test_read_real_files(shared):
    mpr = sorted((shared / "real-files").rglob("*.mpr"))
    assert mpr, "no .mpr in ../shared/real-files"
    ok = 0
    for p in mpr:
        try:
            d = interphase.read(p)
        except interphase.FileError:
            continue  # refused with a message: fine, never wrong silently
        ok += 1
        assert d["impedance"] or d["tables"] or d["spectra"]
    assert ok >= 1


def test_materials():
    tio2 = materials.Formula("TiO2")
    assert tio2.molar_mass == pytest.approx(47.867 + 2 * 15.999, abs=1e-3)
    assert sum(tio2.mass_fractions.values()) == pytest.approx(1.0)
    llto = materials.Llto(0.11)
    assert llto.ti3_fraction == 0.0
    rho = llto.theoretical_density(3.87)
    assert rho == pytest.approx(materials.theoretical_density(llto.formula, 3.87), rel=1e-12)
    a = materials.archimedes(1.0, 0.8, 1.01, 0.9970)
    assert a["bulk_density"][0] == pytest.approx(1.0 * 0.9970 / (1.01 - 0.8))
    with pytest.raises(interphase.Error):
        materials.Formula("Xx2")
    with pytest.raises(interphase.Error):
        materials.archimedes(1.0, 1.2, 1.01, 0.997)


def spectrum():
    x = np.linspace(0, 1000, 1001)
    y = (100 + 0.05 * x + 2e-5 * (x - 400) ** 2
         + 300 * np.exp(-0.5 * ((x - 300) / 8) ** 2) + 200 * np.exp(-0.5 * ((x - 650) / 15) ** 2)
         + 5 * np.sin(x / 37))
    return x, y


# pybaselines 1.2.1 (numpy 2.x) on spectrum() above, baseline at these indices:
# pybaselines.whittaker.asls(y, lam=1e6, p=0.01) and friends; printed by
# crates/python/tests/tools/pybaselines_refs.py
IDX = [0, 150, 300, 500, 650, 800, 1000]
REFS = {
    "asls": [100.27152194151479, 103.9855675391766, 116.6342042727938, 121.28839190663427, 137.04262688857716, 141.4723177620352, 152.4054590891803],
    "arpls": [103.90768134882991, 105.07529470683986, 105.30984808393539, 129.04291058136025, 132.18878635956284, 144.9003660199713, 162.9219321175745],
    "airpls": [102.03098881368254, 104.3258747119364, 113.30582655662413, 121.48439559560556, 134.47906428733103, 141.7175862599457, 147.06134577004133],
    "poly": [99.48880824664678, 118.03014820835826, 133.7317116939968, 149.0108552755753, 155.29887391826824, 156.35791631450934, 148.39716546741295],
    "modpoly": [101.30109110264333, 103.5545342700341, 110.28042566838684, 122.979651592006, 132.88327085398794, 141.03820862526146, 145.96551681239887],
    "imodpoly": [107.13760066660907, 108.14341174909973, 113.73418384022825, 125.53471313005929, 135.55523867317785, 144.7877347379357, 153.08591079060807],
}


@pytest.mark.parametrize("name", ["asls", "arpls", "airpls", "poly", "modpoly", "imodpoly"])
def test_baselines_equal_pybaselines(name):
    x, y = spectrum()
    fn = getattr(baselines, name)
    base, info = fn(y) if name in ("asls", "arpls", "airpls") else fn(y, x_data=x, poly_order=3)
    assert base.shape == y.shape and set(info) >= {"iterations", "converged"}
    np.testing.assert_allclose(base[IDX], REFS[name], rtol=1e-6, atol=1e-6)


def test_baseline_errors():
    with pytest.raises(interphase.Error, match="diff_order"):
        baselines.arpls(np.ones(10), diff_order=1)
    with pytest.raises(interphase.Error):
        baselines.asls([1.0, np.nan, 2.0])
    with pytest.raises(interphase.Error, match="max_half_window"):
        baselines.snip(np.ones(10))
