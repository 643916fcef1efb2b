//! interphase-io on the real instrument files of ../shared/real-files (other
//! projects' public test suites; see its README for sources and licences) and
//! impedance.py's example files in ../shared/data/eis. Each test skips with a
//! message when ../shared is absent (a fresh clone covers the formats with
//! tests/formats.rs).
//!
//! Reference numbers: the `.mpr` readings are checked point by point against
//! EC-Lab's own text export (`.mpt`) of the same measurement; the text
//! readings against the numbers printed in the files (first and last rows,
//! copied here), and impedance.py's readers' values for its example files.
#![allow(clippy::float_cmp)] // readers must return the numbers of the file exactly

mod common;

use common::{real, shared_eis};
use interphase_io::{Error, Format, ImpedanceFile, ReadOptions, read_impedance, read_path};

fn imp(rel: &str) -> Option<ImpedanceFile> {
    real(rel).map(|p| {
        read_impedance(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
    })
}

fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: {got} vs {want} (allowed {rel})"
    );
}

/// (file, format, spectra, points of the first, first f, first Re, first Im,
/// last f) — values as printed in each file (Im with its sign: EC-Lab
/// writes −Im Z).
type Case = (&'static str, Format, usize, usize, f64, f64, f64, f64);

#[test]
#[allow(clippy::approx_constant)] // 0.63662 Ω is a measured value in the file, not 2/π
fn impedance_text_files_read_right() {
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("eis/impy_Circuit1_EIS_1.z", Format::ZPlot, 1, 48, 5.0e4, 29.036, 0.63662, 1.0),
        ("eis/impy_exampleDataAutolab.txt", Format::ZPlot, 1, 41, 1e4, 0.013785863964281, 0.007191946305823, 0.1),
        ("eis/impy_exampleDataGamry.DTA", Format::GamryDta, 1, 72, 200015.6, 825.8584, -1367.239, 0.0158898),
        ("eis/impy_exampleDataParstat.txt", Format::ImpedanceText, 1, 31, 1e4, -0.00049816280376104, 0.0175143479976367, 10.0),
        ("eis/impy_exampleDataVersaStudio.par", Format::VersaStudioPar, 1, 61, 1e5, 55.31571, 4.575431, 0.02154435),
        ("eis/impy_exampleDataZPlot_noComments.z", Format::ZPlot, 1, 31, 3e5, 642.62, -85.821, 300.0),
        ("eis/pyimpspec_case-negative-real-imaginary.csv", Format::ImpedanceText, 1, 29, 1e4, 109.00918219439028, -26.55567987651522, 1.0),
        ("eis/pyimpspec_data-header-variant-1.csv", Format::ImpedanceText, 1, 29, 1e4, 109.00918219439028, -26.55567987651522, 1.0),
        ("eis/pyimpspec_data-header-variant-3.csv", Format::ImpedanceText, 1, 29, 1e4, 109.00918219439028, -26.55567987651522, 1.0),
        ("eis/pyimpspec_data-tab.csv", Format::ImpedanceText, 1, 29, 1e4, 109.00918219439028, -26.55567987651522, 1.0),
        ("eis/pyimpspec_data.mpt", Format::BiologicMpt, 1, 29, 1e4, 109.00918, -26.55568, 1.0),
        ("eis/pyimpspec_data-metadata.mpt", Format::BiologicMpt, 1, 29, 1e4, 109.00918, -26.55568, 1.0),
        ("eis/pyimpspec_drift-corrected-data.dta", Format::GamryDta, 1, 55, 100078.1, 691.6887, -148.9397, 0.1001603),
        ("eis/yadg_geis.mpt", Format::BiologicMpt, 61, 41, 1000018.6, -42.98695, -80.75253, 0.19980815),
        ("eis/yadg_peis.issue_149.mpt", Format::BiologicMpt, 4, 21, 199998.14, 12.753284, -0.96167845, 99.968163),
        ("eis/yadg_peis.issue_225.no_ece.mpt", Format::BiologicMpt, 1, 32, 199998.14, 1.2274132, -0.11227046, 0.99853009),
        ("eis/yadg_peis.mpt", Format::BiologicMpt, 1, 32, 199998.14, 10.512296, -0.73047662, 1.0000616),
        ("eis/yadg_zir.mpt", Format::BiologicMpt, 1, 1, 10019.531, 104070.59, -93853.563, 10019.531),
        ("binary/mpr/echemistpy_Biologic_EIS.mpt", Format::BiologicMpt, 1, 43, 100003.71, 15.187983, -5.6909227, 0.01000917),
    ];
    for &(rel, format, n, points, f0, re0, im0, f_last) in cases {
        let Some(f) = imp(rel) else { return };
        assert_eq!(f.format, format, "{rel}");
        assert_eq!(f.records.len(), n, "{rel}: spectra");
        let s = &f.records[0].spectrum;
        assert_eq!(s.len(), points, "{rel}: points");
        close(s.freq()[0], f0, 1e-7, &format!("{rel} f0"));
        close(s.z()[0].re, re0, 1e-7, &format!("{rel} Re"));
        close(s.z()[0].im, im0, 1e-7, &format!("{rel} Im"));
        close(s.freq()[points - 1], f_last, 1e-7, &format!("{rel} last f"));
    }
}

#[test]
fn warnings_for_skipped_rows_and_truncation() {
    if let Some(f) = imp("eis/yadg_geis.mpt") {
        assert_eq!(
            f.warnings,
            ["29 rows with frequency 0 (not impedance data) were skipped"]
        );
        assert!(
            f.records
                .iter()
                .enumerate()
                .all(|(k, r)| r.cycle == Some(k as f64 + 1.0))
        );
        assert!(f.records[1..60].iter().all(|r| r.spectrum.len() == 41));
        assert_eq!(f.records[60].spectrum.len(), 39);
    }
    if let Some(f) = imp("eis/impy_exampleDataParstat.txt") {
        assert_eq!(
            f.warnings,
            ["781 rows with frequency 0 (not impedance data) were skipped"]
        );
    }
    if let Some(f) = imp("eis/impy_exampleDataZPlot_noComments.z") {
        assert_eq!(
            f.warnings,
            ["the file announces 79 points but 31 rows follow (truncated?)"]
        );
    }
}

#[test]
fn broken_files_are_refused_clearly() {
    if let Some(p) = real("eis/impy_exampleDataBioLogic_MissingFreq.mpt") {
        let e = read_path(&p, &ReadOptions::default()).unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, Error::Columns { line: 61, .. }), "{m}");
        assert!(
            m.contains("no frequency column") && m.contains("--columns"),
            "{m}"
        );
    }
}

/// Every record of the .mpr against EC-Lab's .mpt export of the same
/// measurement: the .mpr holds float32, the export prints 8 significant
/// digits, so they agree to 1e-7 relative (5e-7 allowed).
#[test]
fn mpr_matches_ec_labs_own_export() {
    for (mpr, mpt) in [
        (
            "binary/mpr/echemistpy_Biologic_EIS.mpr",
            "binary/mpr/echemistpy_Biologic_EIS.mpt",
        ),
        ("unsupported/yadg_geis.mpr", "eis/yadg_geis.mpt"),
    ] {
        let (Some(a), Some(b)) = (imp(mpr), imp(mpt)) else {
            return;
        };
        assert_eq!(a.format, Format::BiologicMpr);
        assert_eq!(a.records.len(), b.records.len(), "{mpr}");
        assert_eq!(
            a.warnings,
            b.warnings
                .iter()
                .map(|w| w.replace("rows", "records"))
                .collect::<Vec<_>>()
        );
        for (x, y) in a.records.iter().zip(&b.records) {
            assert_eq!(x.cycle, y.cycle);
            assert_eq!(x.spectrum.len(), y.spectrum.len(), "{mpr}");
            for i in 0..x.spectrum.len() {
                close(x.spectrum.freq()[i], y.spectrum.freq()[i], 5e-7, mpr);
                let (zx, zy) = (x.spectrum.z()[i], y.spectrum.z()[i]);
                let tol = 5e-7 * zy.norm();
                assert!((zx - zy).norm() <= tol, "{mpr} point {i}: {zx} vs {zy}");
            }
        }
    }
}

#[test]
fn mpr_files_of_other_techniques_name_them() {
    for (rel, tech) in [
        ("binary/mpr/yadg_cp.mpr", "CP (Chronopotentiometry)"),
        (
            "binary/mpr/yadg_gcpl.issue_226.I.mpr",
            "GCPL (Galvanostatic Cycling with Potential Limitation)",
        ),
        ("binary/mpr/yadg_ocv.mpr", "OCV (Open Circuit Voltage)"),
        ("binary/mpr/yadg_wait.mpr", "WAIT (Wait)"),
    ] {
        let Some(p) = real(rel) else { return };
        let e = read_impedance(&p, &ReadOptions::default()).unwrap_err();
        assert!(matches!(e, Error::WrongKind { .. }), "{rel}: {e}");
        assert!(e.to_string().contains(tech), "{rel}: {e}");
        // read as tables, the .mpr and EC-Lab's .mpt export agree column by
        // column (names the .mpt shares; float32 against 7-8 printed digits)
        let a = read_path(&p, &ReadOptions::default())
            .unwrap()
            .tables
            .remove(0);
        let b = read_path(p.with_extension("mpt"), &ReadOptions::default())
            .unwrap()
            .tables
            .remove(0);
        assert_eq!(a.rows(), b.rows(), "{rel}");
        let mut shared = 0;
        for (name, va) in &a.columns {
            let Some((_, vb)) = b.columns.iter().find(|(n, _)| n == name) else {
                continue;
            };
            shared += 1;
            for (i, (x, y)) in va.iter().zip(vb).enumerate() {
                assert!(
                    (x - y).abs() <= 1e-6 * y.abs().max(1e-3),
                    "{rel} {name}[{i}]: {x} vs {y}"
                );
            }
        }
        assert!(shared >= 2, "{rel}: {shared} shared columns");
        // and every column decodes: the record count EC-Lab's export has
        let m = interphase_io::mpr::parse_mpr(&std::fs::read(&p).unwrap(), rel).unwrap();
        let text = std::fs::read(p.with_extension("mpt")).unwrap();
        let rows = interphase_io::text::decode(&text).lines().count();
        let header: usize = interphase_io::text::decode(&text)
            .lines()
            .nth(1)
            .and_then(|l| l.split(':').nth(1))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        assert_eq!(m.len(), rows - header, "{rel}: records");
    }
    for rel in [
        "binary/mpr/yadg_peis.issue_225.ewe_ece.mpr",
        "binary/mpr/yadg_peis.issue_225.with_ece.mpr",
    ] {
        let Some(f) = imp(rel) else { return };
        assert_eq!(
            (f.records.len(), f.records[0].spectrum.len()),
            (1, 32),
            "{rel}"
        );
        assert_eq!(f.records[0].technique.as_deref(), Some("PEIS"));
    }
}

/// SPECS SpecsLab2 XML: the two regions of pynxtools-xps's example, scans
/// summed and the five detector channels combined. Reference: the same file
/// parsed with Python's ElementTree and the channels combined with
/// numpy.interp at step k + head − shift·E_pass/δ (clamped at the ends);
/// points, ends, Σ and three values agree to 1e-12. The physics check: C 1s
/// peaks at 284.0 eV in both regions, whose pass energies and steps differ.
#[test]
fn specs_xml_regions() {
    use interphase_spectra::XQuantity;
    let rel = "unsupported/pnx_specs_In-situ_PBTTT.xml";
    let Some(p) = real(rel) else { return };
    let c = read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(c.format, Format::SpecsXml);
    #[rustfmt::skip]
    let want = [
        // name, points, scans, first BE, last BE, Σ, y[0], y[n/2], y[n−1]
        ("Survey", 1403, "1", 700.0, -1.0, 367950.736534, 476.649853, 373.709948, 15.062734),
        ("C1s", 201, "2", 290.0, 280.0, 106302.664548, 222.769812, 798.184716, 185.368196),
    ];
    assert_eq!(c.spectra.len(), want.len(), "{rel}");
    for (s, (name, n, scans, x0, x1, sum, y0, ymid, y1)) in c.spectra.iter().zip(want) {
        assert_eq!((s.meta.name.as_str(), s.len()), (name, n), "{rel}");
        assert_eq!(s.meta.extra["scans"], scans);
        assert_eq!(s.meta.x_quantity, XQuantity::BindingEnergy);
        assert_eq!(s.meta.photon_energy, Some(1253.6));
        close(s.x()[0], x0, 1e-12, name);
        close(s.x()[n - 1], x1, 1e-12, name);
        close(s.y().iter().sum(), sum, 1e-12, name);
        for (i, v) in [(0, y0), (n / 2, ymid), (n - 1, y1)] {
            close(s.y()[i], v, 1e-8, name);
        }
        let top = (0..n)
            .max_by(|&a, &b| s.y()[a].total_cmp(&s.y()[b]))
            .unwrap();
        close(s.x()[top], 284.0, 1e-9, name);
    }
}

/// impedance.py's example files (../shared/data/eis): the values its readers
/// return (preprocessing.readGamry / readCSV and the BioLogic/ZPlot columns).
#[test]
fn impedance_py_examples() {
    let read = |name: &str, o: &ReadOptions| {
        shared_eis(name).map(|p| read_impedance(&p, o).unwrap().records.remove(0).spectrum)
    };
    let o = ReadOptions::default();
    if let Some(s) = read("impedance_py_exampleDataBioLogic.mpt", &o) {
        assert_eq!(s.len(), 43);
        close(s.freq()[0], 1000.3201, 1e-12, "mpt f");
        close(s.z()[0].re, 65.470886, 1e-12, "mpt Re");
        close(s.z()[0].im, -0.38998979, 1e-12, "mpt Im (from −Im)");
    }
    if let Some(s) = read("impedance_py_exampleDataGamry.DTA", &o) {
        assert_eq!(s.len(), 72);
        close(s.freq()[71], 0.0158898, 1e-12, "dta last f");
    }
    if let Some(s) = read("impedance_py_exampleDataZPlot.z", &o) {
        assert_eq!(s.len(), 21);
        close(s.z()[0].re, 147.77, 1e-12, "z Re");
        close(s.z()[0].im, -11.335, 1e-12, "z Im");
    }
    // headerless: impedance.py's readCSV convention, asked for explicitly
    let o = ReadOptions {
        columns: Some(interphase_io::columns::ColumnChoice::parse("1,2,3").unwrap()),
    };
    if let Some(s) = read("impedance_py_exampleData.csv", &o) {
        assert_eq!(s.len(), 66);
        close(s.freq()[0], 0.0031623, 1e-12, "csv f");
    }
}

/// The .mpr files against galvani 0.5.0 (`BioLogic.MPRfile(path).data`,
/// sums taken in float64 over the records; run here in a venv). galvani
/// cannot read the EC-Lab ≥ 11.50 files (it takes the two-byte column IDs a
/// byte at a time and stops at "Column ID 215"): those are checked against
/// EC-Lab's own export above.
#[test]
fn mpr_matches_galvani() {
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    if let Some(p) = real("unsupported/yadg_geis.mpr") {
        let m = interphase_io::mpr::parse_mpr(&std::fs::read(&p).unwrap(), "geis").unwrap();
        assert_eq!(m.len(), 2528);
        let f = m.column("freq/Hz").unwrap();
        let keep: Vec<usize> = (0..m.len()).filter(|&i| f[i] > 0.0).collect();
        assert_eq!(keep.len(), 2499);
        let pick = |name: &str| {
            keep.iter()
                .map(|&i| m.column(name).unwrap()[i])
                .collect::<Vec<_>>()
        };
        close(
            sum(&pick("Re(Z)/Ohm")),
            248672.78180593252,
            1e-12,
            "geis ΣRe",
        );
        close(
            sum(&pick("-Im(Z)/Ohm")),
            73274.89448139071,
            1e-12,
            "geis Σ−Im",
        );
        close(sum(&pick("freq/Hz")), 190642552.11879498, 1e-12, "geis Σf");
    }
    for (rel, col, n, want) in [
        (
            "binary/mpr/yadg_cp.mpr",
            "<Ewe>/V",
            121,
            -415.62949109077454,
        ),
        ("binary/mpr/yadg_cp.mpr", "I/mA", 121, -12089.139991760254),
        (
            "binary/mpr/yadg_gcpl.issue_226.I.mpr",
            "Ewe/V",
            15,
            -0.28489350934978575,
        ),
        ("binary/mpr/yadg_ocv.mpr", "Ewe/V", 602, 269.564157307148),
        ("binary/mpr/yadg_ocv.mpr", "time/s", 602, 10853999.839701243),
    ] {
        let Some(p) = real(rel) else { return };
        let m = interphase_io::mpr::parse_mpr(&std::fs::read(&p).unwrap(), rel).unwrap();
        assert_eq!(m.len(), n, "{rel}");
        close(
            sum(m.column(col).unwrap()),
            want,
            1e-12,
            &format!("{rel} Σ{col}"),
        );
    }
}

/// EMSA/MSA files against rosettasciio 0.15.0 (`rsciio.msa.file_reader`:
/// points, first and last intensity, Σy, axis offset and scale; run here in
/// a venv). A data block longer than #NPOINTS is read whole, with a warning.
#[test]
fn emsa_matches_rosettasciio() {
    #[rustfmt::skip]
    let cases = [
        ("emsa/hyperspy_coreloss_spectrum.msa", 2048, 47179.0, 12924.0, 47020089.0, 360.0, 0.2, false),
        ("emsa/hyperspy_oxford_Albite5.msa", 2048, 0.0, 0.0, 551241.0, -0.2, 0.01, false),
        ("emsa/rsciio_ISO_22029_2022_compliance.msa", 21, 4066.0, 4217.0, 104070.0, 520.13, 3.1, false),
        ("emsa/rsciio_ISO_22029_2022_compliance_scientific_notation.msa", 21, 4066.0, 4217.0, 104070.0, 520.13, 3.1, false),
        ("emsa/rsciio_example1.msa", 21, 4066.0, 4217.0, 104070.0, 520.13, 3.1, true),
        ("emsa/rsciio_example1_wrong_date.msa", 21, 4066.0, 4217.0, 104070.0, 520.13, 3.1, true),
        ("emsa/rsciio_example2.msa", 80, 65.82, 49.442, 21060.105, 200.0, 10.0, false),
        ("emsa/rsciio_minimum_metadata.msa", 2, 0.0, 1.0, 1.0, 0.0, 1.0, true),
    ];
    for (rel, n, y0, y_last, total, offset, scale, warned) in cases {
        let (offset, scale): (f64, f64) = (offset, scale);
        let Some(p) = real(rel) else { return };
        let c = read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(c.format, Format::Emsa);
        let s = &c.spectra[0];
        assert_eq!(s.len(), n, "{rel}");
        assert_eq!(s.y()[0], y0, "{rel}");
        assert_eq!(s.y()[n - 1], y_last, "{rel}");
        close(s.y().iter().sum::<f64>(), total, 1e-12, rel);
        // rosettasciio's axis is offset + scale·i. DATATYPE XY files give x
        // in the data, and we keep those: the ISO examples' x column steps by
        // 3.0185 eV on average under XPERCHAN 3.1 (x[9] 547.99 against
        // 548.03), so only the start (within 1 % of a channel) and the mean
        // step (within 5 %) are compared there
        let xy = s
            .meta
            .extra
            .get("DATATYPE")
            .is_some_and(|d| d.eq_ignore_ascii_case("XY"));
        if xy {
            let step = (s.x()[n - 1] - s.x()[0]) / (n - 1) as f64;
            assert!(
                (s.x()[0] - offset).abs() <= 0.01 * scale.abs(),
                "{rel}: x0 {}",
                s.x()[0]
            );
            assert!(
                (step - scale).abs() <= 0.05 * scale.abs(),
                "{rel}: step {step}"
            );
        } else {
            for (i, x) in s.x().iter().enumerate() {
                let cal = offset + scale * i as f64;
                assert!(
                    (x - cal).abs() <= 1e-9 * cal.abs().max(1.0),
                    "{rel} x[{i}] = {x} vs {cal}"
                );
            }
        }
        assert_eq!(
            c.warnings.len(),
            usize::from(warned),
            "{rel}: {:?}",
            c.warnings
        );
    }
}

/// A region: name, points, first x, first y (0: not checked), unused.
type Region = (&'static str, usize, f64, f64, f64);

/// SPECS XY exports: every region (and curve) a spectrum, the axis kind and
/// excitation energy from the file; first/last rows as printed in the files.
#[test]
fn specs_xy_regions() {
    use interphase_spectra::XQuantity;
    #[rustfmt::skip]
    let cases: [(&str, &[Region], XQuantity, f64); 2] = [
        ("xps/pnx_specs_MgFe2O4_small.xy", &[("Survey", 1351, 1350.0, 15598.679, 0.0), ("Fe2p", 56, 750.0, 0.0, 0.0)], XQuantity::BindingEnergy, 1486.61),
        ("xps/xylib_specsxy_example.xy", &[("over_1400eV", 1303, 100.0, 0.0, 0.0), ("O1s", 281, 0.0, 0.0, 0.0), ("Si2p", 501, 0.0, 0.0, 0.0)], XQuantity::KineticEnergy, 1400.0),
    ];
    for (rel, regions, q, hv) in cases {
        let Some(p) = real(rel) else { return };
        let c = read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(c.format, Format::SpecsXy);
        for (s, &(name, n, x0, y0, _)) in c.spectra.iter().zip(regions) {
            assert_eq!((s.meta.name.as_str(), s.len()), (name, n), "{rel}");
            assert_eq!(s.meta.x_quantity, q);
            if name == regions[0].0 {
                assert_eq!(s.meta.photon_energy, Some(hv));
            }
            if x0 != 0.0 {
                assert_eq!(s.x()[0], x0, "{rel} {name}");
            }
            if y0 != 0.0 {
                assert_eq!(s.y()[0], y0, "{rel} {name}");
            }
        }
    }
}

/// CasaXPS tab ASCII, Scienta SES text, Bruker UXD and Rigaku RAS: points,
/// axis kind, first and last rows as printed in the files.
#[test]
fn spectrum_text_exports() {
    use interphase_spectra::XQuantity;
    #[rustfmt::skip]
    let cases = [
        ("xps/inelastic_test_spectrum.txt", Format::CasaTab, 1101, XQuantity::BindingEnergy, (1030.0, 12307.9), (920.0, 12310.6)),
        ("binary/ibw/pnx_scienta_Ag_0002.txt", Format::ScientaTxt, 801, XQuantity::BindingEnergy, (30.0, 3.66266550123692), (-10.0, 0.571496622171253)),
        ("binary/ibw/pnx_scienta_Cu-HHTP_0005.txt", Format::ScientaTxt, 801, XQuantity::BindingEnergy, (30.0, 8.72503052651882), (-10.0, f64::NAN)),
        ("xrd/xylib_BT86.UXD", Format::BrukerUxd, 2374, XQuantity::TwoTheta, (3.0, 187.0), (40.0, 269.0)),
        ("binary/rigaku/rigakuxrd_MB120718Si3.ras", Format::RigakuRas, 1401, XQuantity::TwoTheta, (2.0, 7994.0), (f64::NAN, f64::NAN)),
    ];
    for (rel, format, n, q, first, last) in cases {
        let Some(p) = real(rel) else { return };
        let c = read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(c.format, format, "{rel}");
        let s = &c.spectra[0];
        assert_eq!((s.len(), s.meta.x_quantity), (n, q), "{rel}");
        assert_eq!((s.x()[0], s.y()[0]), first, "{rel}");
        for (got, want) in [(s.x()[n - 1], last.0), (s.y()[n - 1], last.1)] {
            if !want.is_nan() {
                assert_eq!(got, want, "{rel}");
            }
        }
    }
    if let Some(p) = real("xps/inelastic_test_spectrum.txt") {
        let c = read_path(&p, &ReadOptions::default()).unwrap();
        assert_eq!(c.spectra[0].meta.photon_energy, Some(1486.61));
        assert_eq!(c.spectra[0].meta.name, "Pr:Cu2p");
    }
}

/// Gatan DM files against rosettasciio 0.15.0
/// (`rsciio.digitalmicrograph.file_reader`: data shape, Σ, first and last
/// values in its (E, y, x) order, axis offset and scale; run here in a venv).
#[test]
fn gatan_dm_matches_rosettasciio() {
    #[rustfmt::skip]
    let cases = [
        ("binary/dm/rsciio_EELS_SI.dm4", 4, 2048, 7169069.071044922, 8473.005859375, 115.013916015625, 300.0, 1.0, "eV"),
        ("binary/dm/rsciio_test-MonoCL_spectrum-ccd.dm4", 1, 1336, 54745.0, 19.0, 6.0, 823.4076508028011, 0.2005809098482132, "nm"),
        ("unsupported/rsciio_test-EDS_spectrum.dm3", 1, 4096, 17051.0, 0.0, 0.0, -0.47799998168647306, 0.004999999888241291, "keV"),
    ];
    for (rel, pixels, n, total, first, last, offset, scale, unit) in cases {
        let Some(p) = real(rel) else { return };
        let c = read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(c.spectra.len(), pixels, "{rel}");
        let s0 = &c.spectra[0];
        assert_eq!((s0.len(), s0.meta.x_unit.as_str()), (n, unit), "{rel}");
        let sum: f64 = c.spectra.iter().flat_map(|s| s.y().iter()).sum();
        close(sum, total, 1e-12, rel);
        // a spectrum image reads as one image of all its pixels
        let imgs =
            interphase_io::spectrum_images(&c.spectra).unwrap_or_else(|e| panic!("{rel}: {e}"));
        if pixels > 1 {
            assert_eq!(imgs.len(), 1, "{rel}");
            assert_eq!(imgs[0].pixels(), pixels, "{rel}");
            assert_eq!(imgs[0].channels(), n, "{rel}");
            // a core-loss image (300–2347 eV) has no zero-loss peak: every
            // pixel says so rather than taking the maximum for one
            let z = imgs[0].zlp_centres();
            assert_eq!(z.failures.len(), pixels, "{rel}");
            assert!(
                z.failures[0].1.contains("not a peak"),
                "{rel}: {:?}",
                z.failures[0]
            );
        } else {
            assert!(imgs.is_empty(), "{rel}");
        }
        assert_eq!(s0.y()[0], first, "{rel}");
        assert_eq!(c.spectra[pixels - 1].y()[n - 1], last, "{rel}");
        for (i, x) in s0.x().iter().enumerate() {
            let want = offset + scale * i as f64;
            assert!(
                (x - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{rel} x[{i}] {x} vs {want}"
            );
        }
    }
}

/// Scienta .ibw waves against igor2 0.5.15 (`binarywave.load`: Σ, first and
/// last values; run here in a venv) and against SES's own text export of the
/// same measurement (printed to 15 significant digits; the wave's x step
/// is stored as −0.05 to 1e-14, so x agrees to 1e-9).
#[test]
fn scienta_ibw_matches_igor2_and_its_text_export() {
    for (ibw, txt, total, first, last) in [
        (
            "binary/ibw/pnx_scienta_Ag_0002Ag__002.ibw",
            "binary/ibw/pnx_scienta_Ag_0002.txt",
            1761.2578418993994,
            3.6626655012369156,
            0.571496622171253,
        ),
        (
            "binary/ibw/pnx_scienta_Cu-HHTP_0005Cu-HHTP__005.ibw",
            "binary/ibw/pnx_scienta_Cu-HHTP_0005.txt",
            7409.1564783639315,
            8.725030526518822,
            1.346454394981265,
        ),
    ] {
        let (Some(pb), Some(pt)) = (real(ibw), real(txt)) else {
            return;
        };
        let a = read_path(&pb, &ReadOptions::default()).unwrap_or_else(|e| panic!("{ibw}: {e}"));
        assert_eq!(a.format, Format::IgorIbw);
        let s = &a.spectra[0];
        assert_eq!(s.len(), 801);
        close(s.y().iter().sum::<f64>(), total, 1e-13, ibw);
        assert_eq!((s.y()[0], s.y()[800]), (first, last), "{ibw}");
        assert_eq!(s.meta.photon_energy, Some(153.0));
        let b = read_path(&pt, &ReadOptions::default()).unwrap();
        let t = &b.spectra[0];
        assert_eq!(s.meta.x_quantity, t.meta.x_quantity);
        for i in 0..801 {
            assert!(
                (s.x()[i] - t.x()[i]).abs() <= 1e-9,
                "{ibw} x[{i}]: {} vs {}",
                s.x()[i],
                t.x()[i]
            );
            assert!(
                (s.y()[i] - t.y()[i]).abs() <= 1e-13 * t.y()[i].abs(),
                "{ibw} y[{i}]"
            );
        }
    }
}

/// A block: points, first and last x, first and last y, Σy.
type XyBlock = (usize, f64, f64, f64, f64, f64);

/// xylib's own sample files and a Rigaku RAS file against xylib 1.x (the
/// C++ library through its Python binding xylib-py, built here in a venv:
/// `xylib.load_file(path, '')`, every block's points, first and last x and
/// y, and Σy).
#[test]
fn xylib_samples_match_xylib() {
    #[rustfmt::skip]
    let cases: [(&str, &[XyBlock]); 4] = [
        ("unsupported/xylib_Cu3Au-1.raw", &[(3901, 22.0, 100.0, 48.0, 11.0, 59299.0)]),
        ("xrd/xylib_BT86.UXD", &[(2374, 3.0, 40.0, 187.0, 269.0, 918372.0)]),
        ("xps/xylib_specsxy_example.xy", &[
            (1303, 100.0, 1402.0, 8974.5144, 17.731333, 16113227.580204986),
            (281, 100.0, 114.0, 12471.753, 8661.7399, 6300372.759500002),
            (501, 533.0, 543.0, 3824.8647, 1491.6052, 6637518.2086000005),
            (301, 525.0, 555.0, 140.83391, 47753.422, 14326767.084910002),
        ]),
        ("binary/rigaku/rigakuxrd_MB120718Si3.ras", &[(1401, 2.0, 30.0, 7994.0, 1150.0, 7445661.0)]),
    ];
    for (rel, blocks) in cases {
        let Some(p) = real(rel) else { return };
        let c = read_path(&p, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(c.spectra.len(), blocks.len(), "{rel}");
        for (s, &(n, x0, x1, y0, y1, total)) in c.spectra.iter().zip(blocks) {
            assert_eq!(s.len(), n, "{rel}");
            close(s.x()[0], x0, 1e-12, rel);
            close(s.x()[n - 1], x1, 1e-9, rel);
            assert_eq!((s.y()[0], s.y()[n - 1]), (y0, y1), "{rel}");
            close(s.y().iter().sum::<f64>(), total, 1e-12, rel);
        }
    }
}

/// EDAX .spc against rosettasciio 0.15.0 (`rsciio.edax.file_reader`: 4096
/// channels, Σ 17211 counts, axis offset 0 keV, scale 0.005 keV).
#[test]
fn edax_spc_matches_rosettasciio() {
    let Some(p) = real("unsupported/nexuslims_647_leo_edax_test.spc") else {
        return;
    };
    let c = read_path(&p, &ReadOptions::default()).unwrap();
    assert_eq!(c.format, Format::EdaxSpc);
    let s = &c.spectra[0];
    assert_eq!(s.len(), 4096);
    assert_eq!(s.y().iter().sum::<f64>(), 17211.0);
    assert_eq!((s.y()[0], s.y()[4095]), (0.0, 0.0));
    for (i, x) in s.x().iter().enumerate() {
        assert!((x - 0.005 * i as f64).abs() < 1e-12, "x[{i}] = {x}");
    }
    assert_eq!(s.meta.x_unit, "keV");
    assert_eq!(s.meta.extra["beam voltage (kV)"], "10");
}

/// Ivium .idf against EC-Lab's export of the same data set (pyimpspec's test
/// data in both formats): every point to the 6 significant digits the .idf
/// prints.
#[test]
fn ivium_idf_matches_the_same_data_in_mpt() {
    let (Some(a), Some(b)) = (
        real("unsupported/pyimpspec_data.idf"),
        imp("eis/pyimpspec_data.mpt"),
    ) else {
        return;
    };
    let a = read_impedance(&a, &ReadOptions::default()).unwrap();
    assert_eq!(a.format, Format::Ivium);
    let (x, y) = (&a.records[0].spectrum, &b.records[0].spectrum);
    assert_eq!(x.len(), y.len());
    for i in 0..x.len() {
        close(x.freq()[i], y.freq()[i], 5e-6, "f");
        assert!(
            (x.z()[i] - y.z()[i]).norm() <= 5e-6 * y.z()[i].norm(),
            "point {i}: {} vs {}",
            x.z()[i],
            y.z()[i]
        );
    }
}

/// A PHI depth profile against pynxtools-xps 0.x (`PHIParser`, run here in a
/// venv): 4 regions × 21 cycles; per region Σ over every cycle (float64),
/// the first value of cycle 1 and the last of cycle 21. pynxtools-xps reads
/// the cycles as consecutive blocks, as this reader does.
///
/// The per-cycle traces (sputter time, MultiPak's areas), against Python's
/// `struct.unpack("<84f", ...)` at the traces' data offsets (173128 and
/// 173464 bytes after the header): times 0, 30 … 600 s for every region (the
/// `DepthCalDef`'s 20 steps of 0.50 min after one unsputtered cycle); the
/// areas agree with linear-background sums of the spectra within 10 % (C 1s
/// cycle 1: 12938 against 13523; Sn 3d5 cycle 11: 422048 against 427041),
/// which ties each column to its region.
#[test]
fn phi_profile_matches_pynxtools_xps() {
    let Some(p) = real("unsupported/pnx_phi_SnO2_10nm_1.pro") else {
        return;
    };
    let c = read_path(&p, &ReadOptions::default()).unwrap();
    assert_eq!(c.format, Format::PhiMultipak);
    assert_eq!(c.spectra.len(), 84);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let t = &c.tables[0];
    let col = |name: &str| &t.columns.iter().find(|c| c.0 == name).unwrap().1;
    for region in ["Su1s", "C1s", "Si2p", "Sn3d5"] {
        let times = col(&format!("{region} sputter time (s)"));
        let want: Vec<f64> = (0..21).map(|k| 30.0 * f64::from(k)).collect();
        assert_eq!(times, &want, "{region}");
    }
    #[rustfmt::skip]
    let areas = [
        ("Su1s", 54554388.0, 25500528.0), ("C1s", 13522.8759765625, 1879.6253662109375),
        ("Si2p", 0.0, 13732.001953125), ("Sn3d5", 309700.0, 208540.625),
    ];
    for (region, first, last) in areas {
        let a = col(&format!("{region} area (c/s * eV)"));
        assert_eq!((a[0], a[20]), (first, last), "{region}");
    }
    assert_eq!(c.spectra[21 + 4].meta.extra["sputter time (s)"], "120");
    #[rustfmt::skip]
    let regions = [
        ("Su1s", 1751, 2202633437.264633, 54300.0, 125.0),
        ("C1s", 101, 5636899.277099609, 3325.000244140625, 2175.000244140625),
        ("Si2p", 101, 7354895.628417969, 3633.750244140625, 1980.0001220703125),
        ("Sn3d5", 101, 57596650.0, 13212.5, 1937.5),
    ];
    for (k, (name, n, total, first, last)) in regions.into_iter().enumerate() {
        let cycles = &c.spectra[21 * k..21 * (k + 1)];
        assert!(
            cycles
                .iter()
                .all(|s| s.len() == n && s.meta.block.as_deref() == Some(name))
        );
        assert_eq!(cycles[0].meta.name, format!("{name} cycle 1"));
        let sum: f64 = cycles.iter().flat_map(|s| s.y().iter()).sum();
        close(sum, total, 1e-12, name);
        assert_eq!(
            (cycles[0].y()[0], cycles[20].y()[n - 1]),
            (first, last),
            "{name}"
        );
    }
    let su = &c.spectra[0];
    assert_eq!((su.x()[0], su.x()[1750]), (1400.0, 0.0));
}

/// The EC-Lab ≥ 11.50 .mpr files (which galvani cannot read) against yadg
/// 6.x (`yadg.extractors.eclab.mpr.extract(path, timezone="UTC")`, sums in
/// float64; run here in a venv), and the PHI .spe against yadg's PHI reader.
#[test]
fn new_mpr_and_phi_spe_match_yadg() {
    for (rel, n, sf, sre, smim, f0, re0) in [
        (
            "binary/mpr/echemistpy_Biologic_EIS.mpr",
            43,
            313784.1085425317,
            1806.905891418457,
            1610.4707890748978,
            100003.7109375,
            15.187982559204102,
        ),
        (
            "binary/mpr/yadg_peis.issue_225.ewe_ece.mpr",
            32,
            630702.7421474457,
            460.83850848674774,
            169.34727533906698,
            199998.140625,
            1.229241967201233,
        ),
    ] {
        let Some(f) = imp(rel) else { return };
        let s = &f.records[0].spectrum;
        assert_eq!(s.len(), n, "{rel}");
        close(s.freq().iter().sum::<f64>(), sf, 1e-12, rel);
        close(s.z().iter().map(|z| z.re).sum::<f64>(), sre, 1e-12, rel);
        close(-s.z().iter().map(|z| z.im).sum::<f64>(), smim, 1e-12, rel);
        assert_eq!((s.freq()[0], s.z()[0].re), (f0, re0), "{rel}");
    }
    let Some(p) = real("unsupported/yadg_phi_test0.spe") else {
        return;
    };
    let c = read_path(&p, &ReadOptions::default()).unwrap();
    for (s, (name, n, total, first, last, e0, e1)) in c.spectra.iter().zip([
        ("1su", 3401, 24298000.0, 13712.5, 25.0, 1355.0, -5.0),
        ("F1s", 161, 297331.25, 1793.75, 1181.25, 695.0, 675.0),
    ]) {
        assert_eq!((s.meta.name.as_str(), s.len()), (name, n));
        assert_eq!(s.y().iter().sum::<f64>(), total);
        assert_eq!(
            (s.y()[0], s.y()[n - 1], s.x()[0], s.x()[n - 1]),
            (first, last, e0, e1)
        );
    }
}

/// `xrd::fit_peaks` on real diffractograms, including a nearly empty one
/// (1–22 counts): never more parameters than a window's points, no peak
/// narrower than a sample, every peak position with a finite uncertainty
/// below a degree.
#[test]
fn xrd_peaks_on_real_patterns_are_determined() {
    use interphase_spectra::xrd::{XrdPeakOptions, fit_peaks};
    for rel in [
        "xrd/xylib_empyrean.xrdml",
        "xrd/xylib_BT86.UXD",
        "unsupported/xylib_Cu3Au-1.raw",
    ] {
        let Some(p) = real(rel) else { return };
        let s = interphase_io::read_spectra(&p).unwrap().remove(0);
        let step = (s.x()[1] - s.x()[0]).abs();
        let peaks =
            fit_peaks(&s, &XrdPeakOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!peaks.is_empty(), "{rel}");
        for pk in &peaks {
            let e = pk.two_theta.stderr.unwrap_or(f64::INFINITY);
            assert!(
                e.is_finite() && e < 1.0,
                "{rel}: 2θ {} ± {e}",
                pk.two_theta.value
            );
            assert!(
                pk.fwhm.value >= step * (1.0 - 1e-9),
                "{rel}: fwhm {} < step {step}",
                pk.fwhm.value
            );
        }
    }
}

/// EDS identification on real spectra: no noble gas offered for the Ni L
/// line of a windowless NiO spectrum (Ne Kα 849 eV sits on Ni Lα), O Kα
/// preferred over V Lα when V Kα is beyond the measured range, and S Kα
/// preferred over Mo Lα (14 eV apart) in the EDAX file, whose own header
/// lists S (Z = 16) among its elements.
#[test]
fn eds_identification_on_real_spectra() {
    use interphase_spectra::eds::{EdsOptions, identify};
    let symbols = |rel: &str| -> Option<Vec<&'static str>> {
        let p = real(rel)?;
        let s = interphase_io::read_spectra(&p).unwrap().remove(0);
        Some(identify(&s, &EdsOptions::default()).unwrap().symbols())
    };
    if let Some(el) = symbols("emsa/rsciio_example2.msa") {
        assert!(el.contains(&"Ni") && el.contains(&"O"), "{el:?}");
        assert!(!el.contains(&"Ne") && !el.contains(&"V"), "{el:?}");
    }
    if let Some(el) = symbols("unsupported/nexuslims_647_leo_edax_test.spc") {
        assert!(el.contains(&"S") && !el.contains(&"Mo"), "{el:?}");
    }
}

/// Rigaku .rasx against Python's zipfile reading the same profile (x,
/// intensity × attenuation: 1042 points, Σ, first and last).
#[test]
fn rigaku_rasx_matches_python_zipfile() {
    let Some(p) = real("binary/rigaku/readersxrd_Omega-2Theta_scan_high_temperature.rasx") else {
        return;
    };
    let c = read_path(&p, &ReadOptions::default()).unwrap();
    assert_eq!(c.format, Format::RigakuRasx);
    let s = &c.spectra[0];
    assert_eq!(s.len(), 1042);
    assert_eq!(
        (s.x()[0], s.x()[1041], s.y()[0], s.y()[1041]),
        (44.0, 48.9968, 2.16424083709717, 0.0)
    );
    close(s.y().iter().sum::<f64>(), 21844.996235907078, 1e-12, "Σy");
}

/// Princeton WinSpec .spe against xylib 1.x: 1340 points, a second-order
/// calibration in the 1-based pixel number.
#[test]
fn princeton_spe_matches_xylib() {
    let Some(p) = real("unsupported/xylib_1d-1.spe") else {
        return;
    };
    let c = read_path(&p, &ReadOptions::default()).unwrap();
    assert_eq!(c.format, Format::PrincetonSpe);
    let s = &c.spectra[0];
    assert_eq!(s.len(), 1340);
    close(s.x()[0], 515.0790773100225, 1e-14, "x0");
    close(s.x()[1], 515.1090381082197, 1e-14, "x1");
    close(s.x()[1339], 554.6448469226718, 1e-14, "x last");
    assert_eq!(
        (s.y()[0], s.y()[1339], s.y().iter().sum::<f64>()),
        (283.0, 212.0, 326391.0)
    );
}
