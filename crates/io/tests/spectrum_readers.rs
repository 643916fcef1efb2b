//! Readers against the real files in ../shared/data/spectra (skipped with a
//! message when that folder is absent, as in a user's fresh clone) and against
//! malformed input (every error carries a line number; nothing panics).
//!
//! Expected header values are those the files' READMEs and the matkrin/vamas
//! test-suite (tests/test_xps_eis.py) assert.
// Numbers parsed from decimal text must equal the same decimal literal exactly.
#![allow(clippy::float_cmp)]

use std::path::PathBuf;

use interphase_io::{self as io, Format, read_emsa, read_text as read_str, read_vamas};
use interphase_spectra::spectrum::{Technique, XQuantity};

mod common;
use common::shared;

fn text(p: &PathBuf) -> String {
    io::decode(&std::fs::read(p).unwrap())
}

#[test]
fn vamas_regular_four_blocks() {
    let Some(p) = shared("vamas_matkrin_xps_eis.vms") else {
        return;
    };
    let f = read_vamas(&text(&p), "xps_eis.vms").unwrap();
    assert_eq!(f.experiment_mode, "NORM");
    assert_eq!(f.scan_mode, "REGULAR");
    assert_eq!(f.comments, vec!["Experiment Type: XPS"]);
    assert_eq!(f.blocks.len(), 4);
    let b = &f.blocks[0];
    assert_eq!(b.date, [2021, 5, 4, 15, 31, 53]);
    assert_eq!(b.source_energy, Some(1486.7));
    assert_eq!(b.pass_energy, Some(50.0));
    assert_eq!(b.analyser_mode, "FAT");
    assert_eq!(b.x.len(), 8201);
    assert!((b.x[0] - 1506.7).abs() < 1e-12 && (b.x[1] - 1506.6).abs() < 1e-9);
    assert_eq!(b.variables[0].0, "count rate");
    // within the block's declared minimum and maximum ordinate (2141, 84683)
    assert!(
        b.variables[0]
            .2
            .iter()
            .all(|v| (2141.0..=84683.0).contains(v))
    );
    let b4 = &f.blocks[3];
    assert_eq!(b4.pass_energy, Some(20.0));
    assert_eq!(b4.x.len(), 541);
    assert!((b4.x[0] - 1246.7).abs() < 1e-12);
    assert!((f.blocks[1].x[0] - 1261.7).abs() < 1e-12);
    assert!((f.blocks[2].x[0] - 1097.7).abs() < 1e-12);
    let spectra = f.spectra().unwrap();
    let s = &spectra[0];
    assert_eq!(s.meta.technique, Technique::Xps);
    assert_eq!(s.meta.x_quantity, XQuantity::KineticEnergy);
    assert!(!s.meta.counts, "c/s is a rate, not counts");
    assert!(!s.is_increasing());
    // to binding energy with the file's photon energy: BE of the first point = 1486.7 − 1506.7
    let be = s
        .to_binding_energy(s.meta.photon_energy.unwrap(), 0.0)
        .unwrap();
    assert!((be.x()[0] + 20.0).abs() < 1e-9);
}

#[test]
fn vamas_irregular_with_casaxps_fit() {
    let Some(p) = shared("pynxtools_xps_FeO_analyzed.vms") else {
        return;
    };
    let f = read_vamas(&text(&p), "FeO.vms").unwrap();
    assert_eq!(f.scan_mode, "IRREGULAR");
    let b = &f.blocks[0];
    assert_eq!(b.name, "Fe 2p");
    assert_eq!(b.sample, "FeO");
    assert_eq!(b.x_label, "Kinetic Energy");
    assert_eq!(b.x.len(), 1121);
    assert_eq!(b.x[0], 736.61);
    assert_eq!(b.variables[0].2[0], 12516.9);
    assert_eq!(b.variables[1].0, "transmission");
    assert_eq!(b.variables[1].2[0], 2.77354);
    assert_eq!(b.source_energy, Some(1486.61));
    assert_eq!(b.pass_energy, None); // written as 1e+037
    assert_eq!(b.additional.len(), 3);
    assert_eq!(b.casa_regions.len(), 1);
    let r = &b.casa_regions[0];
    assert_eq!(
        (r.name.as_str(), r.background.as_str()),
        ("Fe 2p", "U 3 Tougaard")
    );
    assert_eq!((r.start, r.end), (737.52081, 786.7632));
    let c = &b.casa_components;
    assert_eq!(c.len(), 4);
    assert_eq!(c[0].lineshape, "LF(0.54,10,80,100,6)");
    assert_eq!(c[1].lineshape, "SGL(30)");
    let areas: Vec<f64> = c.iter().map(|c| c.area.0).collect();
    assert_eq!(areas, vec![63507.374, 35837.064, 49042.126, 17705.155]);
    let pos: Vec<f64> = c.iter().map(|c| c.position.0).collect();
    assert_eq!(pos, vec![777.56313, 770.61, 764.48234, 756.72212]);
    assert_eq!(c[0].fwhm, (3.8576238, 1.07, 26.75));
    let s = b.to_spectrum().unwrap();
    assert!(s.is_increasing());
    assert!(s.meta.counts);
    assert_eq!(s.meta.extra["other_variables"], "transmission");
}

#[test]
fn vamas_casaxps_resaved_survey() {
    let Some(p) = shared("pynxtools_xps_regular.vms") else {
        return;
    };
    let s = io::read_spectra(&p).unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].meta.name, "Survey");
    assert_eq!(s[0].meta.extra["sample"], "1 as-loaded");
    assert!((s[0].x()[0] - 136.61).abs() < 1e-12);
    assert!((s[0].x()[1] - s[0].x()[0] - 1.0).abs() < 1e-9);
    assert_eq!(
        s[0].meta.source.as_deref(),
        Some(p.display().to_string().as_str())
    );
}

#[test]
fn emsa_eds_k412() {
    let Some(p) = shared("nexl_K412_0.msa") else {
        return;
    };
    let s = read_emsa(&text(&p), "K412.msa").unwrap();
    assert_eq!(s.len(), 4096);
    assert_eq!(s.meta.technique, Technique::Eds);
    assert_eq!(s.meta.x_quantity, XQuantity::Energy);
    assert!(s.meta.counts);
    assert_eq!(s.x()[0], 1.63032);
    assert!((s.x()[1] - (1.63032 + 9.99856)).abs() < 1e-12);
    assert_eq!(&s.y()[..6], &[4.0, 4.0, 6.0, 2.0, 0.0, 3.0]);
    assert_eq!(s.meta.extra["LIVETIME"], "235.48403");
    assert_eq!(s.meta.extra["BEAMKV"], "20");
    assert!(s.meta.extra["#D2STDCMP"].starts_with("K412,(O:42.758)"));
}

#[test]
fn emsa_eels_core_loss() {
    // GPL-3.0 file: read from ../shared only, never copied into the repository
    let Some(p) = shared("hyperspy_coreloss_spectrum.msa") else {
        return;
    };
    let s = read_str(&text(&p), Format::Emsa, "coreloss.msa").unwrap();
    let s = &s[0];
    assert_eq!(s.len(), 2048);
    assert_eq!(s.meta.technique, Technique::Eels);
    assert_eq!(s.meta.x_quantity, XQuantity::EnergyLoss);
    assert_eq!(s.x()[0], 360.0);
    assert!((s.x()[2047] - 769.4).abs() < 1e-9);
    assert_eq!(s.y()[0], 47179.0);
}

#[test]
fn malformed_vamas_reports_lines() {
    let good = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spectra/tests/data/minimal.vms"),
    )
    .unwrap();
    assert!(read_vamas(&good, "m.vms").is_ok());
    // every truncation is an error with a line number, never a panic
    let lines: Vec<&str> = good.split("\r\n").collect();
    for k in 0..lines.len() - 8 {
        let cut = lines[..k].join("\r\n");
        let e = read_vamas(&cut, "m.vms").unwrap_err().to_string();
        assert!(e.starts_with("m.vms:"), "{e}");
    }
    // a header claiming a billion values is refused before anything is reserved
    let huge = good.replace("\r\n5\r\n100\r\n900", "\r\n1000000000\r\n100\r\n900");
    let e = read_vamas(&huge, "m.vms").unwrap_err().to_string();
    assert!(
        e.contains("1000000000") && e.contains("lines follow"),
        "{e}"
    );
    let bad = good.replace("1196.8", "1196,8");
    let e = read_vamas(&bad, "m.vms").unwrap_err().to_string();
    assert!(e.contains("abscissa start") && e.contains(":49:"), "{e}");
}

#[test]
fn malformed_emsa_reports_lines() {
    let base = "#FORMAT : EMSA/MAS Spectral Data File\n#NPOINTS : 3\n#DATATYPE : Y\n#SPECTRUM :\n1,\n2,\n3,\n#ENDOFDATA :\n";
    assert!(read_emsa(base, "t").is_ok());
    let e = read_emsa(&base.replace("2,", "x,"), "t")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "t:6: field 1: expected a number, found \"x\"");
    let e = read_emsa(&base.replace("#NPOINTS : 3", "#NPOINTS : 30"), "t")
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated"), "{e}");
    assert!(read_emsa("hello\n", "t").is_err());
    assert!(read_emsa(&base.replace("#DATATYPE : Y", "#DATATYPE : XY"), "t").is_err());
}

#[test]
fn csv_and_json_round_trip() {
    let x: Vec<f64> = (0..50).map(|i| 280.0 + 0.1 * i as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| (v * 1.37).sin() * 1000.0 / 3.0).collect();
    let mut s = interphase_spectra::Spectrum::new(x, y).unwrap();
    s.meta.name = "C 1s".into();
    let csv = io::write_csv(std::slice::from_ref(&s)).unwrap();
    let back = read_str(&csv, Format::SpectrumText, "t.csv").unwrap();
    assert_eq!(back[0].x(), s.x());
    assert_eq!(back[0].y(), s.y());
    assert_eq!(back[0].meta.name, "C 1s");
    let json = io::write_json(std::slice::from_ref(&s)).unwrap();
    let back: Vec<interphase_spectra::Spectrum> = serde_json::from_str(&json).unwrap();
    assert_eq!(back[0], s);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        // arbitrary text never panics any reader
        #[test]
        fn readers_are_total(t in "(?s).{0,400}") {
            let _ = read_vamas(&t, "p");
            let _ = read_emsa(&t, "p");
            let _ = read_str(&t, Format::SpectrumText, "p");
        }

        // arbitrary bytes, decoded as a file would be, never panic any reader
        // (sniffed format included)
        #[test]
        fn arbitrary_bytes_are_total(b in proptest::collection::vec(any::<u8>(), 0..600)) {
            let t = io::decode(&b);
            for f in [Format::Vamas, Format::Emsa, Format::SpectrumText, Format::Xrdml, io::sniff(t.as_bytes(), std::path::Path::new("p.txt"))] {
                let _ = read_str(&t, f, "p");
            }
        }

        // truncations and byte changes of valid EMSA and CSV files never panic
        #[test]
        fn emsa_and_csv_mutations(pos in 0usize..2000, cut in 0usize..2000, byte in 0u8..128) {
            let emsa = "#FORMAT      : EMSA/MAS Spectral Data File\n#VERSION     : 1.0\n#TITLE       : t\n\
                #NPOINTS     : 4\n#NCOLUMNS    : 1\n#XUNITS      : eV\n#YUNITS      : counts\n\
                #DATATYPE    : Y\n#XPERCHAN    : 10.0\n#OFFSET      : 0.0\n#SPECTRUM    :\n\
                1, 2, 3, 4\n#ENDOFDATA   :\n";
            let csv = "binding_energy_eV,counts,sigma\n470.0,270.0,16.4\n469.96,272.3,16.5\n469.92,292.6,17.1\n";
            for (good, f) in [(emsa, Format::Emsa), (csv, Format::SpectrumText)] {
                let mut b = good.as_bytes().to_vec();
                let p = pos % b.len();
                b[p] = byte;
                b.truncate(cut.max(1));
                let t = String::from_utf8_lossy(&b);
                let _ = read_str(&t, f, "p");
            }
        }

        // mutations of a valid VAMAS file never panic
        #[test]
        fn vamas_mutations(pos in 0usize..600, byte in 0u8..128) {
            let good = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spectra/tests/data/minimal.vms")).unwrap();
            let mut b = good.into_bytes();
            let p = pos % b.len();
            b[p] = byte;
            let t = String::from_utf8_lossy(&b);
            let _ = read_vamas(&t, "p");
        }
    }
}
