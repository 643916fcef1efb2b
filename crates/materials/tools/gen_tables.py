"""Generates crates/materials/src/data/{elements,shannon}.rs.

* Standard atomic weights: the IUPAC 2021 table abridged to five significant
  figures (T. Prohaska et al., "Standard atomic weights of the elements 2021
  (IUPAC Technical Report)", Pure Appl. Chem. 94 (2022) 573-600, Table 2), typed
  in below as value(uncertainty in the last digit). Elements with no stable
  isotope carry the mass number of a long-lived isotope in brackets (no standard
  atomic weight). As a transcription check, every value with a standard
  (non-interval) weight is compared with the full-precision CIAAW value shipped
  by mendeleev and must agree within the abridged uncertainty.
* Element names: IUPAC. Common and all known oxidation states: pymatgen's
  periodic_table.json ("Common oxidation states", "Oxidation states"; pymatgen, MIT licence).
* Effective ionic radii: R. D. Shannon, Acta Cryst. A32 (1976) 751-767, every
  (ion, charge, coordination, spin) entry, as transcribed in pymatgen's
  periodic_table.json ("Shannon radii": ionic and crystal radii, Å).

Run (in a venv with pymatgen and mendeleev):
    python crates/materials/tools/gen_tables.py
"""
import gzip
import json
import os

import pymatgen.core
from mendeleev.fetch import fetch_table

ABRIDGED = """
1 H Hydrogen 1.0080(2) interval
2 He Helium 4.0026(1)
3 Li Lithium 6.94(6) interval
4 Be Beryllium 9.0122(1)
5 B Boron 10.81(2) interval
6 C Carbon 12.011(2) interval
7 N Nitrogen 14.007(1) interval
8 O Oxygen 15.999(1) interval
9 F Fluorine 18.998(1)
10 Ne Neon 20.180(1)
11 Na Sodium 22.990(1)
12 Mg Magnesium 24.305(2) interval
13 Al Aluminium 26.982(1)
14 Si Silicon 28.085(1) interval
15 P Phosphorus 30.974(1)
16 S Sulfur 32.06(2) interval
17 Cl Chlorine 35.45(1) interval
18 Ar Argon 39.95(16) interval
19 K Potassium 39.098(1)
20 Ca Calcium 40.078(4)
21 Sc Scandium 44.956(1)
22 Ti Titanium 47.867(1)
23 V Vanadium 50.942(1)
24 Cr Chromium 51.996(1)
25 Mn Manganese 54.938(1)
26 Fe Iron 55.845(2)
27 Co Cobalt 58.933(1)
28 Ni Nickel 58.693(1)
29 Cu Copper 63.546(3)
30 Zn Zinc 65.38(2)
31 Ga Gallium 69.723(1)
32 Ge Germanium 72.630(8)
33 As Arsenic 74.922(1)
34 Se Selenium 78.971(8)
35 Br Bromine 79.904(3) interval
36 Kr Krypton 83.798(2)
37 Rb Rubidium 85.468(1)
38 Sr Strontium 87.62(1)
39 Y Yttrium 88.906(1)
40 Zr Zirconium 91.224(2)
41 Nb Niobium 92.906(1)
42 Mo Molybdenum 95.95(1)
43 Tc Technetium [97]
44 Ru Ruthenium 101.07(2)
45 Rh Rhodium 102.91(1)
46 Pd Palladium 106.42(1)
47 Ag Silver 107.87(1)
48 Cd Cadmium 112.41(1)
49 In Indium 114.82(1)
50 Sn Tin 118.71(1)
51 Sb Antimony 121.76(1)
52 Te Tellurium 127.60(3)
53 I Iodine 126.90(1)
54 Xe Xenon 131.29(1)
55 Cs Caesium 132.91(1)
56 Ba Barium 137.33(1)
57 La Lanthanum 138.91(1)
58 Ce Cerium 140.12(1)
59 Pr Praseodymium 140.91(1)
60 Nd Neodymium 144.24(1)
61 Pm Promethium [145]
62 Sm Samarium 150.36(2)
63 Eu Europium 151.96(1)
64 Gd Gadolinium 157.25(3)
65 Tb Terbium 158.93(1)
66 Dy Dysprosium 162.50(1)
67 Ho Holmium 164.93(1)
68 Er Erbium 167.26(1)
69 Tm Thulium 168.93(1)
70 Yb Ytterbium 173.05(2)
71 Lu Lutetium 174.97(1)
72 Hf Hafnium 178.49(1)
73 Ta Tantalum 180.95(1)
74 W Tungsten 183.84(1)
75 Re Rhenium 186.21(1)
76 Os Osmium 190.23(3)
77 Ir Iridium 192.22(1)
78 Pt Platinum 195.08(2)
79 Au Gold 196.97(1)
80 Hg Mercury 200.59(1)
81 Tl Thallium 204.38(1) interval
82 Pb Lead 207.2(1.1) interval
83 Bi Bismuth 208.98(1)
84 Po Polonium [209]
85 At Astatine [210]
86 Rn Radon [222]
87 Fr Francium [223]
88 Ra Radium [226]
89 Ac Actinium [227]
90 Th Thorium 232.04(1)
91 Pa Protactinium 231.04(1)
92 U Uranium 238.03(1)
93 Np Neptunium [237]
94 Pu Plutonium [244]
95 Am Americium [243]
96 Cm Curium [247]
97 Bk Berkelium [247]
98 Cf Californium [251]
99 Es Einsteinium [252]
100 Fm Fermium [257]
101 Md Mendelevium [258]
102 No Nobelium [259]
103 Lr Lawrencium [262]
"""


def parse_value(tok):
    """'6.94(6)' -> (6.94, 0.06); '207.2(1.1)' -> (207.2, 1.1); '[97]' -> (97, None)."""
    if tok.startswith("["):
        return float(tok[1:-1]), None
    v, u = tok[:-1].split("(")
    if "." in u:  # uncertainty written in absolute units, e.g. (1.1)
        return float(v), float(u)
    decimals = len(v.split(".")[1]) if "." in v else 0
    return float(v), int(u) * 10.0 ** (-decimals)


def main():
    here = os.path.join(os.path.dirname(__file__), "..", "src", "data")
    pt = json.load(gzip.open(os.path.join(os.path.dirname(pymatgen.core.__file__), "periodic_table.json.gz")))
    full = fetch_table("elements").set_index("symbol")
    rows = []
    for line in ABRIDGED.strip().splitlines():
        parts = line.split()
        z, sym, name, val = int(parts[0]), parts[1], parts[2], parts[3]
        interval = len(parts) > 4
        w, u = parse_value(val)
        if u is not None and not interval:
            f = float(full.loc[sym, "atomic_weight"])
            assert abs(f - w) <= u + 1e-12, (sym, w, u, f)
        ox = pt[sym].get("Common oxidation states", [])
        allox = sorted(set(pt[sym].get("Oxidation states", [])) | set(ox))
        rows.append((z, sym, name, w, u, interval, ox, allox))
    assert [r[0] for r in rows] == list(range(1, 104))
    out = ["// @generated by crates/materials/tools/gen_tables.py; do not edit by hand.\n",
           "// Standard atomic weights: IUPAC 2021, abridged (Prohaska et al., Pure Appl. Chem. 94 (2022) 573).\n",
           "// Common oxidation states: pymatgen periodic_table.json (MIT).\n\n",
           "use super::super::element::{ElementData, WeightKind};\n\n",
           "/// Elements Z = 1..=103.\n",
           "pub(crate) static ELEMENTS: [ElementData; 103] = [\n"]
    for (z, sym, name, w, u, interval, ox, allox) in rows:
        kind = "WeightKind::Interval" if interval else ("WeightKind::MassNumber" if u is None else "WeightKind::Standard")
        out.append("    ElementData { z: %d, symbol: %r, name: %r, weight: %r, uncertainty: %r, kind: %s, common_oxidation_states: &%s, oxidation_states: &%s },\n"
                   % (z, sym, name, w, u if u is not None else 0.0, kind, "[" + ", ".join(str(int(o)) for o in ox) + "]",
                      "[" + ", ".join(str(int(o)) for o in allox) + "]"))
    out.append("];\n")
    s = "".join(out).replace("'", '"')
    open(os.path.join(here, "elements.rs"), "w").write(s)

    # Shannon radii
    sh = ["// @generated by crates/materials/tools/gen_tables.py; do not edit by hand.\n",
          "// R. D. Shannon, Acta Cryst. A32 (1976) 751, as transcribed in pymatgen's periodic_table.json (MIT).\n\n",
          "use super::super::radii::{ShannonEntry, Spin};\n\n",
          "/// (symbol, charge, coordination, spin, ionic radius Å, crystal radius Å).\n",
          "pub(crate) static SHANNON: &[ShannonEntry] = &[\n"]
    roman = {"I": 1, "II": 2, "III": 3, "IIIPY": 3, "IV": 4, "IVSQ": 4, "IVPY": 4, "V": 5, "VI": 6, "VII": 7,
             "VIII": 8, "IX": 9, "X": 10, "XI": 11, "XII": 12, "XIV": 14}
    n = 0
    for (z, sym, *_rest) in rows:
        rad = dict(pt[sym].get("Shannon radii") or {})
        if "" in rad:
            # pymatgen lists one Eu entry without a charge (CN VII, ionic 1.01 Å): Shannon's
            # table has it as Eu3+; keep it there unless that slot is already filled
            stray = rad.pop("")
            for cn, v in stray.items():
                rad.setdefault("3", {}).setdefault(cn, v)
        for charge in sorted(rad, key=lambda c: int(c)):
            for cn, spins in rad[charge].items():
                geometry = "SQ" if cn.endswith("SQ") else ("PY" if cn.endswith("PY") else "")
                for spin, r in spins.items():
                    sp = {"": "Spin::None", "High Spin": "Spin::High", "Low Spin": "Spin::Low"}[spin]
                    sh.append("    ShannonEntry { symbol: \"%s\", charge: %d, coordination: %d, geometry: \"%s\", spin: %s, ionic: %r, crystal: %r },\n"
                              % (sym, int(charge), roman[cn], geometry, sp, r["ionic_radius"], r["crystal_radius"]))
                    n += 1
    sh.append("];\n")
    open(os.path.join(here, "shannon.rs"), "w").write("".join(sh))
    print("elements: 103, shannon entries: %d" % n)


main()
