#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/<target>/ from the repository's own test
# data and, when present, ../shared/data (real instrument files). The corpora
# are not committed: the shared files carry their own licences (two hyperspy
# files are GPL-3.0 and are only read from ../shared, never copied into git).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=..
SHARED=${SHARED:-../../shared/data}
c() { mkdir -p "corpus/$1"; shift_target=$1; shift; for f in "$@"; do [ -f "$f" ] && cp "$f" "corpus/$shift_target/" || true; done; }
t() { mkdir -p "corpus/$1"; printf '%s' "$2" > "corpus/$1/seed-$3"; }

# spectra
c vamas "$ROOT"/crates/spectra/tests/data/*.vms "$SHARED"/spectra/*.vms
c emsa "$SHARED"/spectra/*.msa
c delimited "$ROOT"/crates/spectra/tests/data/*.csv "$ROOT"/data/llto/*.csv
# XRDML: the layout the reader's tests use (schema 2.x, start/end positions)
t xrdml '<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.1" status="Completed">
  <sample type="To be analyzed"><id>LLTO</id></sample>
  <xrdMeasurement measurementType="Scan" status="Completed">
    <usedWavelength intended="K-Alpha 1"><kAlpha1 unit="Angstrom">1.5405980</kAlpha1>
      <kAlpha2 unit="Angstrom">1.5444260</kAlpha2><ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1></usedWavelength>
    <scan appendNumber="0" mode="Continuous" scanAxis="Gonio" status="Completed"><dataPoints>
      <positions axis="2Theta" unit="deg"><startPosition>30.0</startPosition><endPosition>32.0</endPosition></positions>
      <commonCountingTime unit="seconds">0.5</commonCountingTime>
      <counts unit="counts">100 120 400 130 101</counts>
    </dataPoints></scan>
  </xrdMeasurement>
</xrdMeasurements>
' v2
c peak_model "$ROOT"/crates/spectra/tests/data/*.toml "$ROOT"/data/llto/*_model.toml
t peak_model '{"background":{"kind":"shirley"},"peaks":[{"name":"A","shape":"voigt","center":458.8,"sigma":0.5,"gamma":0.3,"area":100,"doublet":{"splitting":5.7,"orbital":"p"}}]}' json
# impedance
c biologic "$SHARED"/eis/*.mpt
c gamry "$SHARED"/eis/*.DTA
c zplot "$SHARED"/eis/*.z
c eis_delimited "$SHARED"/eis/*.csv "$ROOT"/data/llto/eis_*.csv
# real instrument files, when ../shared/real-files exists (not committed: several are GPL)
REAL="$ROOT"/../shared/real-files
c biologic "$REAL"/eis/*.mpt
c gamry "$REAL"/eis/*.DTA "$REAL"/eis/*.dta
c zplot "$REAL"/eis/*.z
c eis_delimited "$REAL"/eis/*.csv "$REAL"/eis/*.txt "$REAL"/eis/*.par
c mpr "$REAL"/binary/mpr/*.mpr
c dm "$REAL"/binary/dm/*.dm4 "$REAL"/unsupported/*.dm3
c ibw "$REAL"/binary/ibw/*.ibw
c bruker_raw "$REAL"/unsupported/*.raw
c edax_spc "$REAL"/unsupported/*.spc
c ivium "$REAL"/unsupported/*.idf
c princeton "$REAL"/unsupported/xylib_*.spe
c specs_xy "$REAL"/xps/*.xy
c specs_xml "$REAL"/unsupported/*.xml
c palmsens "$ROOT"/crates/io/tests/data/palmsens/*.pssession "$REAL"/*/*.pssession
c rasx "$REAL"/binary/rigaku/*.rasx
c text_spectra "$REAL"/xps/*.txt "$REAL"/binary/ibw/*.txt "$REAL"/xrd/*.UXD "$REAL"/binary/rigaku/*.ras
t circuit 'R0-p(R1,CPE1)-p(R2-Wo1,C2)' 1
t circuit 'p(R1,p(L1,R2),Gs1)-K1-Zarc1-W1-Ws1-La1-G1' 2
# materials, workflow settings, NIST
t formula 'Li0.33La0.56TiO3' 1
t formula 'Ca3(PO4)2·5H2O' 2
t formula 'Li[Ni0.8Mn0.1Co0.1]O2' 3
c llto_settings "$ROOT"/data/llto/sample.toml
c nist "$ROOT"/crates/fit/tests/data/nist/*.dat
for d in corpus/*; do printf '%-16s %s seeds\n' "$(basename "$d")" "$(ls "$d" | wc -l)"; done
