//! Every format read by interphase-io, on fixtures a fresh clone has: byte-built
//! BioLogic .mpr files (both module-header layouts) and small text files in
//! each vendor's layout. Numbers are checked against the values written.
#![allow(clippy::float_cmp)] // readers must return the numbers of the file exactly

mod common;

use common::{V, mpr, peis_mpr};
use interphase_io::columns::ColumnChoice;
use interphase_io::impedance::{read_impedance_text, select};
use interphase_io::mpr::parse_mpr;
use interphase_io::{Error, Format, ReadOptions, into_impedance, into_spectra, read_bytes};

fn opts() -> ReadOptions {
    ReadOptions::default()
}

#[test]
fn mpr_both_layouts() {
    for new in [true, false] {
        let b = peis_mpr(new);
        let f = into_impedance(read_bytes(&b, "cell.mpr", &opts()).unwrap()).unwrap();
        assert_eq!(f.format, Format::BiologicMpr);
        assert_eq!(f.records.len(), 2, "two cycles");
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
        assert!(f.warnings[0].starts_with("1 records with frequency 0"));
        let r = &f.records[1];
        assert_eq!(r.cycle, Some(2.0));
        assert_eq!(r.technique.as_deref(), Some("PEIS"));
        assert_eq!(r.spectrum.name, "cell #2");
        assert_eq!(r.spectrum.freq(), &[1e5, 1e3, 10.0]);
        // f32 values widen exactly; −Im Z is flipped
        assert_eq!(r.spectrum.z()[2].re, f64::from(10.0f32 + 10.0 + 2.0));
        assert_eq!(r.spectrum.z()[2].im, -f64::from(8.0f32));
        let m = parse_mpr(&b, "cell.mpr").unwrap();
        assert_eq!(m.len(), 7);
        assert_eq!(m.column("mode").unwrap()[6], 2.0);
        assert_eq!(m.column("error").unwrap()[0], 0.0);
        assert_eq!(m.column("I Range").unwrap()[0], 5.0);
        assert_eq!(m.column("time/s").unwrap()[1], 3.0);
        assert_eq!(m.metadata["comments"], "hello");
    }
}

#[test]
fn mpr_other_techniques_are_refused_by_name() {
    // CP: time, Ewe, I
    let recs = vec![vec![V::F8(0.0), V::F4(3.1), V::F4(1.0)]; 3];
    let b = mpr(0x19, &[4, 6, 8], &recs, true);
    // read as a table; an impedance command refuses it, naming the technique
    let c = read_bytes(&b, "cp.mpr", &opts()).unwrap();
    assert_eq!(c.tables[0].rows(), 3);
    assert_eq!(c.tables[0].columns[1].0, "Ewe/V");
    let m = into_impedance(c.clone()).unwrap_err().to_string();
    assert!(
        m.contains("technique CP (Chronopotentiometry)") && m.contains("no impedance data"),
        "{m}"
    );
    assert!(
        into_spectra(c)
            .unwrap_err()
            .to_string()
            .contains("a table of technique CP")
    );
    let m = parse_mpr(&b, "cp.mpr").unwrap();
    assert_eq!(m.names, ["time/s", "Ewe/V", "I/mA"]);
    assert_eq!(m.column("Ewe/V").unwrap(), &[f64::from(3.1f32); 3]);
}

#[test]
fn mpr_damage_is_an_error_with_the_offset() {
    let b = peis_mpr(true);
    for cut in [30, 52, 60, 120, 700, b.len() - 200, b.len() - 1] {
        let e = read_bytes(&b[..cut], "cut.mpr", &opts()).unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, Error::Binary { .. }), "cut {cut}: {m}");
        assert!(m.starts_with("cut.mpr: byte "), "{m}");
    }
    // an unknown column ID: refused, never guessed
    let b = mpr(0x1D, &[32, 999], &[vec![V::F4(1.0), V::F4(2.0)]], true);
    let m = read_bytes(&b, "u.mpr", &opts()).unwrap_err().to_string();
    assert!(m.contains("column ID 999"), "{m}");
    // a point count the module cannot hold
    let mut b = peis_mpr(false);
    let at = b.windows(8).position(|w| w == b"VMP data").unwrap() + 10 + 25 + 4 + 4 + 8;
    b[at..at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    let m = read_bytes(&b, "n.mpr", &opts()).unwrap_err().to_string();
    assert!(m.contains("1000000 records"), "{m}");
}

const MPT: &str = "EC-Lab ASCII FILE\nNb header lines : 6\n\nPotentio Electrochemical Impedance Spectroscopy\n\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\tPhase(Z)/deg\ttime/s\tcycle number\t\n0,0000000E+000\t0\t0\t0\t0\t1\t1\n1,0000000E+004\t1,0E+001\t1,0E+000\t1,0049876E+001\t-5,7105931E+000\t2\t1\n1,0E+002\t2,0E+001\t5,0E+000\t2,0615528E+001\t-1,4036243E+001\t3\t1\n1,0E+004\t1,1E+001\t1,0E+000\t1,1045361E+001\t-5,1944289E+000\t4\t2\n1,0E+002\t2,1E+001\t5,0E+000\t2,1587033E+001\t-1,3392497E+001\t5\t2\n";

#[test]
fn mpt_cycles_zero_rows_decimal_comma_and_technique() {
    let f = read_impedance_text(MPT, "c.mpt", &opts()).unwrap();
    assert_eq!(f.format, Format::BiologicMpt);
    assert_eq!(f.records.len(), 2);
    assert_eq!(
        f.warnings,
        ["1 rows with frequency 0 (not impedance data) were skipped"]
    );
    let r = &f.records[1];
    assert_eq!(
        r.technique.as_deref(),
        Some("Potentio Electrochemical Impedance Spectroscopy")
    );
    assert_eq!(r.spectrum.freq(), &[1e4, 1e2]);
    assert_eq!(r.spectrum.z()[1].re, 21.0);
    assert_eq!(r.spectrum.z()[1].im, -5.0);
    assert_eq!(select(&f, "cycle 2").unwrap().index, 1);
    assert_eq!(select(&f, "2").unwrap().index, 1);
    assert!(
        select(&f, "3")
            .unwrap_err()
            .to_string()
            .contains("holds 2 impedance spectra")
    );
    // the sign of -Im(Z) read the wrong way would disagree with the phase column
    let wrong = MPT.replace("-Im(Z)/Ohm", "Im(Z)/Ohm");
    let m = read_impedance_text(&wrong, "w.mpt", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("phase") && m.contains("w.mpt:8"), "{m}");
    // a technique without impedance columns is named
    let cv = "EC-Lab ASCII FILE\nNb header lines : 5\n\nCyclic Voltammetry\nEwe/V\t<I>/mA\ttime/s\n0.1\t1\t0\n";
    let m = read_impedance_text(cv, "cv.mpt", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("technique \"Cyclic Voltammetry\""), "{m}");
}

#[test]
fn gamry_every_zcurve_and_drift_correction() {
    let t = "EXPLAIN\nTAG\tEISPOT\nTITLE\tLABEL\tcell 3\tTest &Identifier\nZCURVE\tTABLE\n\tPt\tTime\tFreq\tZreal\tZimag\tZmod\n\t#\ts\tHz\tohm\tohm\tohm\n\t0\t1\t1000,5\t10,25\t-2,5\t10,55\n\t1\t2\t100\t12\t-5\t13\nZCURVE2\tTABLE\n\tPt\tTime\tFreq\tZreal\tZimag\tZrealDrCor\tZimagDrCor\n\t#\ts\tHz\tohm\tohm\tohm\tohm\n\t0\t1\t1000\t10\t-2\t10.5\t-2.5\n";
    let f = read_impedance_text(t, "g.DTA", &opts()).unwrap();
    assert_eq!(f.format, Format::GamryDta);
    assert_eq!(f.records.len(), 2);
    assert_eq!(f.records[0].technique.as_deref(), Some("EISPOT"));
    assert_eq!(f.records[0].spectrum.freq(), &[1000.5, 100.0]);
    assert_eq!(f.records[0].spectrum.z()[0].re, 10.25);
    assert_eq!(
        f.records[1].spectrum.z()[0].re,
        10.5,
        "drift-corrected columns"
    );
    assert!(f.records[1].metadata["columns"].contains("drift-corrected"));
}

#[test]
fn zplot_both_layouts() {
    let z2 = "ZPLOT2 ASCII\n  Experiment Type:    Sweep Frequency\nEnd Comments\n5.0E+04\t1.0E-02\t0\t2.59\t2.9036E+01\t-6.3672E-01\t0\t0\t4\n1.0E+03\t1.0E-02\t0\t3.28\t3.0E+01\t-2.0E+00\t0\t0\t4\n";
    let f = read_impedance_text(z2, "a.z", &opts()).unwrap();
    assert_eq!((f.format, f.records[0].spectrum.len()), (Format::ZPlot, 2));
    assert_eq!(f.records[0].spectrum.z()[0].im, -0.63672);
    let w = "\"ZPlotW Data File: Version 3.2c\"\n\"Frequency\"\n0,3,0,1,300000,0.005\n3\n\"  Freq(Hz)    Ampl     Bias   Time(Sec)   Z'(a)    Z''(b)    GD   Err   Range\"\n3.0E+05, 1.0E-02, 0, 2.58, 6.4262E+02, -8.5821E+01, 0, 0, 5\n2.0E+05, 1.0E-02, 0, 3.28, 6.7477E+02, -1.1931E+02, 0, 0, 5\n";
    let f = read_impedance_text(w, "b.z", &opts()).unwrap();
    assert_eq!(f.format, Format::ZPlot);
    assert_eq!(f.records[0].spectrum.z()[1].re, 674.77);
    assert_eq!(
        f.warnings,
        ["the file announces 3 points but 2 rows follow (truncated?)"]
    );
}

#[test]
fn versastudio_segments() {
    let t = "<Application>\nName=VersaStudio\n</Application>\n<Segment1>\nType=2\nDefinition=Segment #, Point #, E(V), Frequency(Hz), Z Real, Z Imag, Z2 Real, Z2 Imag, 0\n0,0,0,100000,55.3,4.5,1,1\n0,1,0,1000,60.9,-2.9,1,1\n</Segment1>\n<Segment2>\nDefinition=Segment #, Point #, E(V), Frequency(Hz), Z Real, Z Imag, Z2 Real, Z2 Imag, 0\n1,0,0,10,70,-9,1,1\n1,1,0,1,80,-19,1,1\n</Segment2>\n";
    let f = read_impedance_text(t, "v.par", &opts()).unwrap();
    assert_eq!(f.format, Format::VersaStudioPar);
    assert_eq!(f.records.len(), 1, "segment 2 continues the sweep");
    assert_eq!(f.records[0].spectrum.len(), 4);
    assert_eq!(f.records[0].spectrum.z()[3].im, -19.0);
    assert_eq!(f.records[0].technique.as_deref(), Some("VersaStudio"));
}

#[test]
fn tables_by_header_never_by_position() {
    // Parstat: potential and current first, frequency-0 rows of another step
    let parstat = "Potential (V)\tCurrent (A)\tElapsed Time (s)\tFrequency (Hz)\tZre (ohms)\tZim (ohms)\t\n3.4\t-0.1\t10\t0\t0\t0\t\n3.5\t0.02\t20\t10000\t0.03\t0.0175\t\n3.5\t0.02\t30\t10\t0.027\t-0.004\t\n";
    let f = into_impedance(read_bytes(parstat.as_bytes(), "p.txt", &opts()).unwrap()).unwrap();
    assert_eq!(f.records[0].spectrum.freq(), &[10000.0, 10.0]);
    assert_eq!(f.records[0].spectrum.z()[1].im, -0.004);
    assert_eq!(f.warnings.len(), 1);
    // CH Instruments: a header block, then Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg
    let chi = "Mar. 4, 2020   10:00:00\nA.C. Impedance\nInit E (V) = 0\n\nFreq/Hz, Z'/ohm, Z\"/ohm, Z/ohm, Phase/deg\n1.000e5, 1.0e1, -1.0e0, 1.00499e1, -5.7106\n1.000e3, 2.0e1, -5.0e0, 2.06155e1, -14.0362\n";
    let f = into_impedance(read_bytes(chi.as_bytes(), "chi.txt", &opts()).unwrap()).unwrap();
    assert_eq!(f.records[0].spectrum.z()[1].im, -5.0);
    // polar only, units: kΩ and mHz; -Phase
    let polar = "f / mHz;|Z| / kOhm;-Phase / deg\n1000;1,0;45\n100;2,0;30\n";
    let f = into_impedance(read_bytes(polar.as_bytes(), "polar.csv", &opts()).unwrap()).unwrap();
    let z = f.records[0].spectrum.z()[0];
    assert_eq!(f.records[0].spectrum.freq(), &[1.0, 0.1]);
    assert!(
        (z.re - 1000.0 / 2f64.sqrt()).abs() < 1e-9 && (z.im + 1000.0 / 2f64.sqrt()).abs() < 1e-9
    );
    // negated real and imaginary parts (pyimpspec's test case)
    let neg = "f,-Z',-Z''\n1000,-109.0,26.5\n100,-221.7,120.4\n";
    let f = into_impedance(read_bytes(neg.as_bytes(), "n.csv", &opts()).unwrap()).unwrap();
    assert_eq!(f.records[0].spectrum.z()[0].re, 109.0);
    assert_eq!(f.records[0].spectrum.z()[0].im, -26.5);
    // column order other than f, Re, Im
    let swapped = "Zim (ohms),Frequency (Hz),Zre (ohms)\n-2,1000,10\n-5,100,12\n";
    let f = into_impedance(read_bytes(swapped.as_bytes(), "s.csv", &opts()).unwrap()).unwrap();
    assert_eq!(f.records[0].spectrum.z()[1].re, 12.0);
    assert_eq!(f.records[0].spectrum.freq()[1], 100.0);
}

#[test]
fn unidentified_columns_say_what_was_found_and_how_to_choose() {
    let t = "a,b,c\n1000,10,-2\n100,12,-5\n";
    let e = interphase_io::impedance::read_impedance_text(t, "t.csv", &opts()).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("a | b | c") && m.contains("--columns"), "{m}");
    // through read_bytes the file reads as spectra, and an impedance command refuses it
    let c = read_bytes(t.as_bytes(), "t.csv", &opts()).unwrap();
    assert_eq!(c.format, Format::SpectrumText);
    assert!(
        into_impedance(c)
            .unwrap_err()
            .to_string()
            .contains("--columns")
    );
    // the user's choice, by number and by name, with a negated column
    let o = ReadOptions {
        columns: Some(ColumnChoice::parse("1,2,-3").unwrap()),
    };
    let f = into_impedance(read_bytes(t.as_bytes(), "t.csv", &o).unwrap()).unwrap();
    assert_eq!(f.records[0].spectrum.z()[0].im, 2.0);
    let o = ReadOptions {
        columns: Some(ColumnChoice::parse("a,b,c").unwrap()),
    };
    let f = into_impedance(read_bytes(t.as_bytes(), "t.csv", &o).unwrap()).unwrap();
    assert_eq!(f.records[0].spectrum.z()[0].im, -2.0);
    // headerless: the impedance.py convention must be asked for
    let h = "1000,10,-2\n100,12,-5\n";
    let m = read_impedance_text(h, "h.csv", &opts())
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("no header") && m.contains("--columns 1,2,3"),
        "{m}"
    );
    // a shifted header (more fields than names) is refused
    let shifted = "Re(Z)/Ohm\t-Im(Z)/Ohm\tfreq/Hz\n1\t2\t3\t4\n5\t6\t7\t8\n";
    assert!(read_impedance_text(shifted, "x.txt", &opts()).is_err());
}

#[test]
fn several_sweeps_stay_several_spectra() {
    let t = "freq,Zre,Zim\n1e4,1,-1\n1e2,2,-2\n1,3,-3\n1e4,1.1,-1\n1e2,2.1,-2\n1,3.1,-3\n";
    let f = read_impedance_text(t, "two.csv", &opts()).unwrap();
    assert_eq!(f.records.len(), 2);
    assert_eq!(f.records[1].spectrum.name, "two #2");
    assert_eq!(f.records[1].first_line, 5);
}

#[test]
fn spectra_and_impedance_are_told_apart() {
    let xps = "Binding Energy (eV),Counts\n290,100\n289,120\n288,150\n";
    let c = read_bytes(xps.as_bytes(), "c1s.csv", &opts()).unwrap();
    assert_eq!(c.spectra.len(), 1);
    let m = into_impedance(c).unwrap_err().to_string();
    assert!(
        m.contains("needs impedance data") && m.contains("BindingEnergy"),
        "{m}"
    );
    let eis = "freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n1000,1,1\n100,2,2\n";
    let c = read_bytes(eis.as_bytes(), "e.csv", &opts()).unwrap();
    let m = into_spectra(c).unwrap_err().to_string();
    assert!(m.contains("holds 1 impedance spectra"), "{m}");
}

#[test]
fn binaries_that_are_not_read_are_named_without_echoing_bytes() {
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"PK\x03\x04\x14\x00".to_vec(), "x.rasx", "zip container"),
        (
            vec![0xff, 0xfe, 0, 1, 2, 3, 0, 9],
            "x.bin",
            "binary file of unknown format",
        ),
    ];
    for (b, name, want) in cases {
        let e = read_bytes(&b, name, &opts()).unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, Error::Unsupported { .. }), "{name}: {m}");
        assert!(
            m.contains(want) && m.contains("formats read:"),
            "{name}: {m}"
        );
        assert!(m.chars().all(|c| !c.is_control()), "{name}: {m:?}");
    }
}

#[test]
fn gatan_dm3_spectrum_and_dm4_spectrum_image() {
    // an EDS spectrum: 5 channels, origin 2 channels, 0.01 keV a channel
    let b = common::dm(
        false,
        &[5],
        &[(2.0, 0.01, "keV")],
        vec![1.0, 2.0, 5.0, 2.0, 1.0],
        "EDS Spectrum",
        "X-ray",
    );
    let c = read_bytes(&b, "eds.dm3", &opts()).unwrap();
    assert_eq!(c.format, Format::GatanDm3);
    let s = &c.spectra[0];
    assert_eq!(s.x(), &[-0.02, -0.01, 0.0, 0.01, 0.02]);
    assert_eq!(s.y(), &[1.0, 2.0, 5.0, 2.0, 1.0]);
    assert_eq!(s.meta.x_unit, "keV");
    // an EELS spectrum image: x = 2, y = 3, E = 4 (x fastest); value = 100·E + 10·y + x
    let mut data = Vec::new();
    for e in 0..4 {
        for y in 0..3 {
            for x in 0..2 {
                data.push((100 * e + 10 * y + x) as f32);
            }
        }
    }
    let b = common::dm(
        true,
        &[2, 3, 4],
        &[(0.0, 1.0, "nm"), (0.0, 1.0, "nm"), (-450.0, 0.5, "eV")],
        data,
        "SI",
        "EELS",
    );
    let c = read_bytes(&b, "si.dm4", &opts()).unwrap();
    assert_eq!(c.format, Format::GatanDm4);
    assert_eq!(c.spectra.len(), 6);
    let s = &c.spectra[5]; // pixel (1, 2)
    assert_eq!(s.meta.name, "SI (1, 2)");
    assert_eq!(s.y(), &[21.0, 121.0, 221.0, 321.0]);
    assert_eq!(s.x(), &[225.0, 225.5, 226.0, 226.5]);
    assert_eq!(s.meta.x_quantity, interphase_spectra::XQuantity::EnergyLoss);
    // the same pixels as one 3 × 2 spectrum image
    let imgs = interphase_io::spectrum_images(&c.spectra).unwrap();
    assert_eq!(imgs.len(), 1);
    assert_eq!(imgs[0].shape(), (3, 2));
    assert_eq!(imgs[0].pixel_at(2, 1), &[21.0, 121.0, 221.0, 321.0]);
    assert_eq!(imgs[0].pixel_at(1, 0), &[10.0, 110.0, 210.0, 310.0]);
    assert_eq!(imgs[0].energy(), &[225.0, 225.5, 226.0, 226.5]);
    assert_eq!(imgs[0].meta.name, "SI");
    // an incomplete image is an error, not a smaller image
    let m = interphase_io::spectrum_images(&c.spectra[..5])
        .unwrap_err()
        .to_string();
    assert!(m.contains("5 spectra do not fill 3 × 2 pixels"), "{m}");
    // truncations: a clean error with the byte offset, never a panic
    for cut in (16..b.len()).step_by(7) {
        if let Err(e) = read_bytes(&b[..cut], "cut.dm4", &opts()) {
            let m = e.to_string();
            assert!(m.starts_with("cut.dm4:"), "{m}");
        }
    }
    // two energy axes: no guess
    let b = common::dm(
        true,
        &[2, 2],
        &[(0.0, 1.0, "eV"), (0.0, 1.0, "eV")],
        vec![1.0; 4],
        "odd",
        "EELS",
    );
    let m = read_bytes(&b, "odd.dm4", &opts()).unwrap_err().to_string();
    assert!(m.contains("no single energy axis"), "{m}");
}

#[test]
fn igor_binary_wave() {
    let b = common::ibw(
        &[1.0, 4.0, 2.0],
        30.0,
        -0.5,
        "Ag__002",
        "[SES]\rRegion Name=VB\rExcitation Energy=153\rEnergy Scale=Binding\r",
    );
    let c = read_bytes(&b, "w.ibw", &opts()).unwrap();
    assert_eq!(c.format, Format::IgorIbw);
    let s = &c.spectra[0];
    assert_eq!(
        (s.x(), s.y()),
        (&[30.0, 29.5, 29.0][..], &[1.0, 4.0, 2.0][..])
    );
    assert_eq!(
        (s.meta.name.as_str(), s.meta.photon_energy),
        ("VB", Some(153.0))
    );
    assert_eq!(
        s.meta.x_quantity,
        interphase_spectra::XQuantity::BindingEnergy
    );
    // a changed header byte fails the checksum; a cut file names the offset
    let mut bad = b.clone();
    bad[64 + 20] ^= 1;
    assert!(
        read_bytes(&bad, "w.ibw", &opts())
            .unwrap_err()
            .to_string()
            .contains("checksum")
    );
    let m = read_bytes(&b[..390], "w.ibw", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("byte 384") && m.contains("truncated"), "{m}");
}

#[test]
fn bruker_raw_versions_3_and_4() {
    for (b, name) in [
        (
            common::bruker_raw3(20.0, 0.02, &[10.0, 30.0, 12.0]),
            "v3.raw",
        ),
        (
            common::bruker_raw4(20.0, 0.02, &[10.0, 30.0, 12.0]),
            "v4.raw",
        ),
    ] {
        let c = read_bytes(&b, name, &opts()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(c.format, Format::BrukerRaw);
        let s = &c.spectra[0];
        assert_eq!(s.x(), &[20.0, 20.02, 20.04]);
        assert_eq!(s.y(), &[10.0, 30.0, 12.0]);
        assert_eq!(s.meta.x_quantity, interphase_spectra::XQuantity::TwoTheta);
        for cut in [8, 100, 200, 700, 800, b.len() - 2]
            .into_iter()
            .filter(|&c| c < b.len())
        {
            let m = read_bytes(&b[..cut], name, &opts())
                .unwrap_err()
                .to_string();
            assert!(m.contains("byte"), "{name} cut {cut}: {m}");
        }
    }
    let c = read_bytes(
        &common::bruker_raw4(5.0, 0.1, &[1.0, 2.0]),
        "s.raw",
        &opts(),
    )
    .unwrap();
    assert_eq!(c.spectra[0].meta.extra["SAMPLE"], "LLTO");
}

#[test]
fn edax_spc() {
    let mut b = vec![0u8; 3840 + 4 * 4096];
    b[384..388].copy_from_slice(&10i32.to_le_bytes());
    b[448..452].copy_from_slice(&0.5f32.to_le_bytes());
    b[532..536].copy_from_slice(&20f32.to_le_bytes());
    b[3840 + 4 * 7..3840 + 4 * 8].copy_from_slice(&123i32.to_le_bytes());
    let c = read_bytes(&b, "s.spc", &opts()).unwrap();
    let s = &c.spectra[0];
    assert_eq!((s.x()[7], s.y()[7]), (0.5 + 0.07, 123.0));
    let m = read_bytes(&b[..5000], "s.spc", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("truncated"), "{m}");
    b[384..388].copy_from_slice(&0i32.to_le_bytes());
    assert!(read_bytes(&b, "s.spc", &opts()).is_err());
}

#[test]
fn ivium_idf() {
    let mut b = vec![0u8, 0, 0, 72, 0];
    b.extend_from_slice(b"\r\nMethod=Impedance\r\nTechnique=Constant E\r\nprimary_data\r\n3\r\n2\r\n1.0E+01 -2.0E+00\t1.0E+04\r\n2.0E+01 -5.0E+00\t1.0E+02\r\n");
    let c = read_bytes(&b, "c.idf", &opts()).unwrap();
    assert_eq!(c.format, Format::Ivium);
    assert_eq!(c.impedance[0].spectrum.z()[1].im, -5.0);
    assert_eq!(c.impedance[0].technique.as_deref(), Some("Constant E"));
    let cv: Vec<u8> = [&[0u8, 0, 1][..], b"\r\nMethod=CyclicVoltammetry\r\n"].concat();
    let m = read_bytes(&cv, "cv.idf", &opts()).unwrap_err().to_string();
    assert!(m.contains("method \"CyclicVoltammetry\""), "{m}");
}

#[test]
fn phi_multipak_spectrum() {
    // header, data header, one 96-byte trace header, 3 f8 values
    let mut b = b"SOFH\nTechnique: XPS\nFileType: SPECTRUM\nXraySource: Al 1486.6 mono\nSpectralRegDef: 1 1 C1s 6 3 -1.0 290.0 288.0 290.0 288.0 0.1 23.5 AREA\nEOFH\n".to_vec();
    let d = b.len();
    for v in [1u32, 1, 96, 16] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    let mut h = vec![0u8; 96];
    h[0..4].copy_from_slice(&1u32.to_le_bytes());
    h[0x14..0x18].copy_from_slice(&3u32.to_le_bytes());
    h[0x48..0x4a].copy_from_slice(b"f8");
    h[0x4c..0x50].copy_from_slice(&24u32.to_le_bytes());
    h[0x5c..0x60].copy_from_slice(&(16u32 + 96 + 24).to_le_bytes());
    b.extend_from_slice(&h);
    for v in [10.0f64, 30.0, 12.0] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(b.len(), d + 16 + 96 + 24);
    let c = read_bytes(&b, "c.spe", &opts()).unwrap();
    assert_eq!(c.format, Format::PhiMultipak);
    let s = &c.spectra[0];
    assert_eq!(
        (s.x(), s.y()),
        (&[290.0, 289.0, 288.0][..], &[10.0, 30.0, 12.0][..])
    );
    assert_eq!(
        (s.meta.name.as_str(), s.meta.photon_energy),
        ("C1s", Some(1486.6))
    );
    let m = read_bytes(&b[..b.len() - 4], "c.spe", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("truncated"), "{m}");
}

/// A PHI depth profile built byte by byte: two regions of 3 points × 2
/// cycles, the per-cycle sputter-time and area traces (`cyc` × `reg`, cycles
/// fastest), and a trace of another layout (left unread, with a warning).
fn phi_profile_bytes(time_bytes: u32) -> Vec<u8> {
    let mut b = b"SOFH\nTechnique: XPS\nFileType: DEPTHPRO\nNoDPDataCyc: 2\nSpectralRegDef: 1 1 C1s 6 3 -1.0 290.0 288.0 290.0 288.0 0.1 23.5 AREA\nSpectralRegDef: 2 2 O1s 8 3 -1.0 532.0 530.0 532.0 530.0 0.1 23.5 AREA\nEOFH\n".to_vec();
    let d = b.len();
    let ntr = 5u32;
    for v in [1u32, ntr, 96 * ntr, 16] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    let data = 16 + 96 * ntr;
    // ([number, dim1, dim2, bytes, start], [label1, label2, unit])
    type Trace<'a> = ([u32; 5], [&'a [u8]; 3]);
    let traces: [Trace; 5] = [
        ([1, 3, 2, 24, data], [b"pnt", b"cyc", b"c/s"]),
        ([2, 3, 2, 24, data + 24], [b"pnt", b"cyc", b"c/s"]),
        ([3, 2, 2, time_bytes, data + 48], [b"cyc", b"reg", b"s"]),
        ([4, 2, 2, 16, data + 64], [b"cyc", b"reg", b"c/s * eV"]),
        ([5, 2, 7, 56, data + 80], [b"cyc", b"xyz", b"V"]),
    ];
    for ([n, d1, d2, bytes, start], [l1, l2, unit]) in traces {
        let mut h = vec![0u8; 96];
        h[0..4].copy_from_slice(&n.to_le_bytes());
        h[0x14..0x18].copy_from_slice(&d1.to_le_bytes());
        h[0x18..0x1c].copy_from_slice(&d2.to_le_bytes());
        h[0x20..0x20 + l1.len()].copy_from_slice(l1);
        h[0x28..0x28 + l2.len()].copy_from_slice(l2);
        h[0x38..0x38 + unit.len()].copy_from_slice(unit);
        h[0x48..0x4a].copy_from_slice(b"f4");
        h[0x4c..0x50].copy_from_slice(&bytes.to_le_bytes());
        h[0x50..0x54].copy_from_slice(&start.to_le_bytes());
        b.extend_from_slice(&h);
    }
    let values: [f32; 34] = [
        // C1s: cycle 1, cycle 2; O1s: cycle 1, cycle 2
        10.0, 30.0, 12.0, 11.0, 20.0, 11.0, 5.0, 50.0, 6.0, 5.0, 70.0, 6.0,
        // sputter time: C1s cycles 1, 2; O1s cycles 1, 2 (MultiPak writes −0)
        -0.0, 30.0, -0.0, 31.0, // areas
        40.0, 25.0, 90.0, 130.0, // the other trace
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
    ];
    for v in values {
        b.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(b.len(), d + data as usize + 4 * 34);
    b
}

#[test]
fn phi_depth_profile_with_sputter_times() {
    let c = read_bytes(&phi_profile_bytes(16), "p.pro", &opts()).unwrap();
    assert_eq!(c.format, Format::PhiMultipak);
    let names: Vec<&str> = c.spectra.iter().map(|s| s.meta.name.as_str()).collect();
    assert_eq!(
        names,
        ["C1s cycle 1", "C1s cycle 2", "O1s cycle 1", "O1s cycle 2"]
    );
    assert_eq!(c.spectra[3].y(), &[5.0, 70.0, 6.0][..]);
    let times: Vec<&str> = c
        .spectra
        .iter()
        .map(|s| s.meta.extra["sputter time (s)"].as_str())
        .collect();
    assert_eq!(times, ["0", "30", "0", "31"]);
    let t = &c.tables[0];
    let cols: Vec<&str> = t.columns.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        cols,
        [
            "cycle",
            "C1s sputter time (s)",
            "C1s area (c/s * eV)",
            "O1s sputter time (s)",
            "O1s area (c/s * eV)"
        ]
    );
    assert_eq!(t.columns[0].1, [1.0, 2.0]);
    assert_eq!(t.columns[4].1, [90.0, 130.0]);
    assert!(t.columns[1].1[0].is_sign_positive(), "−0 reads as 0");
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("1 traces"), "{}", c.warnings[0]);
    assert!(
        c.summary().starts_with("4 spectra and a table of 2 rows"),
        "{}",
        c.summary()
    );
    // a per-cycle trace whose size disagrees with its dimensions, or cut short
    let m = read_bytes(&phi_profile_bytes(12), "p.pro", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("2 cycles × 2 regions holds 12 bytes"), "{m}");
    let b = phi_profile_bytes(16);
    for cut in [b.len() - 60, b.len() - 64 - 4] {
        let m = read_bytes(&b[..cut], "p.pro", &opts())
            .unwrap_err()
            .to_string();
        assert!(m.contains("truncated"), "{m}");
    }
}

/// Every prefix and every single-byte change of the profile: an error or
/// spectra, never a panic (the fuzz target `phi` does this at random).
#[test]
fn phi_profile_damaged_never_panics() {
    let b = phi_profile_bytes(16);
    for cut in 0..b.len() {
        let _ = read_bytes(&b[..cut], "p.pro", &opts());
    }
    for pos in 0..b.len() {
        for v in [0u8, 1, 0x7f, 0xff] {
            let mut m = b.clone();
            m[pos] = v;
            if let Ok(c) = read_bytes(&m, "p.pro", &opts()) {
                assert!(
                    c.tables
                        .iter()
                        .all(|t| t.columns.iter().all(|c| c.1.len() == t.rows()))
                );
            }
        }
    }
}

#[test]
fn rigaku_rasx() {
    let b = common::zip_stored(&[
        ("Data0/Profile0.txt", b"44.0\t2.5\t1\r\n44.01\t3\t2\r\n44.02\t1\t1\r\n"),
        ("Data0/MesurementConditions0.xml", b"<R><ScanAxis><AxisName>TwoThetaOmega</AxisName><Unit>deg</Unit></ScanAxis><IntensityUnit>counts</IntensityUnit></R>"),
    ]);
    let c = read_bytes(&b, "x.rasx", &opts()).unwrap();
    assert_eq!(c.format, Format::RigakuRasx);
    let s = &c.spectra[0];
    assert_eq!(
        (s.x(), s.y()),
        (&[44.0, 44.01, 44.02][..], &[2.5, 6.0, 1.0][..])
    );
    assert_eq!(s.meta.extra["AxisName"], "TwoThetaOmega");
    for cut in [10, 60, b.len() - 30, b.len() - 1] {
        assert!(read_bytes(&b[..cut], "x.rasx", &opts()).is_err());
    }
}

#[test]
fn princeton_winspec() {
    let mut b = vec![0u8; 4100];
    b[42..44].copy_from_slice(&3u16.to_le_bytes());
    b[108..110].copy_from_slice(&3u16.to_le_bytes()); // uint16
    b[656..658].copy_from_slice(&1u16.to_le_bytes());
    b[1446..1450].copy_from_slice(&1u32.to_le_bytes());
    b[3000 + 98] = 1;
    b[3000 + 101] = 1;
    b[3000 + 263..3000 + 271].copy_from_slice(&500.0f64.to_le_bytes());
    b[3000 + 271..3000 + 279].copy_from_slice(&0.5f64.to_le_bytes());
    for v in [7u16, 9, 4] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    let c = read_bytes(&b, "r.spe", &opts()).unwrap();
    assert_eq!(c.format, Format::PrincetonSpe);
    assert_eq!(
        (c.spectra[0].x(), c.spectra[0].y()),
        (&[500.5, 501.0, 501.5][..], &[7.0, 9.0, 4.0][..])
    );
    assert!(
        read_bytes(&b[..b.len() - 1], "r.spe", &opts())
            .unwrap_err()
            .to_string()
            .contains("truncated")
    );
}

#[test]
fn bruker_raw_version_2() {
    let mut b = vec![0u8; 256];
    b[..4].copy_from_slice(b"RAW2");
    b[4..6].copy_from_slice(&1u16.to_le_bytes());
    let mut r = vec![0u8; 64];
    r[0..2].copy_from_slice(&64u16.to_le_bytes());
    r[2..4].copy_from_slice(&3u16.to_le_bytes());
    r[12..16].copy_from_slice(&0.5f32.to_le_bytes());
    r[16..20].copy_from_slice(&10.0f32.to_le_bytes());
    b.extend_from_slice(&r);
    for v in [4.0f32, 8.0, 5.0] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    let c = read_bytes(&b, "v2.raw", &opts()).unwrap();
    assert_eq!(
        (c.spectra[0].x(), c.spectra[0].y()),
        (&[10.0, 10.5, 11.0][..], &[4.0, 8.0, 5.0][..])
    );
    assert!(read_bytes(&b[..b.len() - 2], "v2.raw", &opts()).is_err());
}

/// A SpecsLab2 XML region: `mode`, detectors (shift, gain), head, values,
/// tail, and the cycles' scans (each a list of interleaved counts).
fn specs_xml(
    mode: &str,
    detectors: &[(f64, f64)],
    ht: (usize, usize),
    cycles: &[Vec<Vec<u32>>],
) -> String {
    let dets: String = detectors
        .iter()
        .map(|(s, g)| format!("<struct type_name=\"Detector\"><double name=\"position\">0</double><double name=\"shift\">{s}</double><double name=\"gain\">{g}</double></struct>"))
        .collect();
    let cyc: String = cycles
        .iter()
        .map(|scans| {
            let sc: String = scans
                .iter()
                .map(|c| {
                    let v: Vec<String> = c.iter().map(u32::to_string).collect();
                    format!("<struct type_name=\"ScanData\"><sequence name=\"counts\" length=\"{}\" type_name=\"CountsSeq\"><ulong type_name=\"Counts\">\n{}\n</ulong></sequence><sequence name=\"scaling_factors\" length=\"0\" type_name=\"DoubleSeq\"/></struct>", c.len(), v.join("\n"))
                })
                .collect();
            format!("<struct type_name=\"Cycle\"><ulong name=\"time\">1643391325</ulong><sequence name=\"scans\" length=\"{}\" type_name=\"ScanSeq\">{sc}</sequence></struct>", scans.len())
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<!-- CORBA XML document created by XMLSerializer2 1.6 -->\n<!DOCTYPE any [\n<!ELEMENT any (#PCDATA)>\n]>\n<any version=\"1.6\"><sequence length=\"1\" type_name=\"RegionGroupSeq\"><struct type_name=\"RegionGroup\"><string name=\"name\">G</string><sequence name=\"regions\" length=\"1\" type_name=\"RegionDataSeq\"><struct type_name=\"RegionData\"><string name=\"name\">R</string><struct name=\"region\" type_name=\"RegionDef\"><string name=\"analysis_method\">XPS</string><struct name=\"scan_mode\" type_name=\"ScanMode\"><string name=\"name\">{mode}</string></struct><ulong name=\"num_scans\">2</ulong><ulong name=\"curves_per_scan\">1</ulong><ulong name=\"values_per_curve\">3</ulong><double name=\"dwell_time\">0.1</double><double name=\"scan_delta\">1</double><double name=\"excitation_energy\">1486.6</double><double name=\"kinetic_energy\">100</double><double name=\"kinetic_energy_base\">0</double><double name=\"pass_energy\">10</double><double name=\"effective_workfunction\">4.37</double></struct><ulong name=\"mcd_head\">{}</ulong><ulong name=\"mcd_tail\">{}</ulong><struct name=\"analyzer_info\" type_name=\"AnalyzerInfo\"><sequence name=\"detectors\" length=\"{}\" type_name=\"DetectorSeq\">{dets}</sequence></struct><sequence name=\"cycles\" length=\"{}\" type_name=\"CycleSeq\">{cyc}</sequence></struct></sequence></struct></sequence></any>\n",
        ht.0,
        ht.1,
        detectors.len(),
        cycles.len()
    )
}

#[test]
fn specs_xml_channels_cycles_and_refusals() {
    // two detectors offset by −1 and +0.5 steps (shift × E_pass / δ), head
    // and tail 1: detector 0 is read at step k + 2, detector 1 at k + 0.5
    let scan = vec![1, 10, 2, 20, 3, 30, 4, 40, 5, 50];
    let dets = [(-0.1, 1.0), (0.05, 1.0)];
    let xml = specs_xml(
        "FixedAnalyzerTransmission",
        &dets,
        (1, 1),
        &[vec![scan.clone(), scan.clone()], vec![vec![], scan.clone()]],
    );
    let c = read_bytes(xml.as_bytes(), "r.xml", &opts()).unwrap();
    assert_eq!(c.format, Format::SpecsXml);
    assert_eq!(c.spectra.len(), 2);
    let (a, b) = (&c.spectra[0], &c.spectra[1]);
    assert_eq!(a.meta.name, "R (cycle 0)");
    assert_eq!(a.x(), &[1386.6, 1385.6, 1384.6]);
    assert_eq!(a.y(), &[36.0, 58.0, 80.0]);
    assert_eq!(b.y(), &[18.0, 29.0, 40.0]);
    assert_eq!(a.meta.extra["scans"], "2");
    assert!(b.meta.extra["warning"].contains("1 empty scan"));
    assert!(a.meta.counts && a.meta.photon_energy == Some(1486.6));
    assert_eq!(a.meta.extra["effective_workfunction"], "4.37");

    let refused = |xml: String, want: &str| {
        let m = read_bytes(xml.as_bytes(), "r.xml", &opts())
            .unwrap_err()
            .to_string();
        assert!(m.contains(want), "{m}");
    };
    refused(
        specs_xml("FixedRetardingRatio", &dets, (1, 1), &[vec![scan.clone()]]),
        "scan mode \"FixedRetardingRatio\" is not read",
    );
    refused(
        specs_xml(
            "FixedAnalyzerTransmission",
            &[(0.0, 1.0), (0.1, 0.9)],
            (1, 1),
            &[vec![scan.clone()]],
        ),
        "detector 2 has gain 0.9",
    );
    refused(
        specs_xml(
            "FixedAnalyzerTransmission",
            &dets,
            (1, 1),
            &[vec![scan[..9].to_vec()]],
        ),
        "9 counts, expected (1 head + 3 values + 1 tail) × 2 detectors = 10",
    );
    refused(
        specs_xml("FixedAnalyzerTransmission", &dets, (1, 1), &[vec![vec![]]]),
        "no region holds counts",
    );
    // truncated anywhere: an error, never a panic
    for cut in (0..xml.len() - 2).step_by(97) {
        assert!(read_bytes(&xml.as_bytes()[..cut], "r.xml", &opts()).is_err());
    }
}

/// UTF-16LE bytes of a text, with a byte-order mark at the start and, as
/// PSTrace writes, another after the closing brace.
fn utf16le(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16().chain([0xFEFF]) {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

/// A PSTrace 5.9 session: one EIS measurement (frequency, ZRe, −Z'', |Z|,
/// −phase, and a current array of another length) and one CV.
fn pssession(im_quantity: &str, phase: &[f64]) -> String {
    let arr = |desc: &str, unit: &str, q: &str, v: &[f64]| {
        let pts: Vec<String> = v.iter().map(|x| format!("{{\"V\":{x:?}}}")).collect();
        format!(
            "{{\"Type\":\"PalmSens.Data.DataArray\",\"Description\":\"{desc}\",\"Unit\":{{\"Type\":\"PalmSens.Units.{unit}\",\"S\":\"x\",\"Q\":\"{q}\"}},\"DataValues\":[{}]}}",
            pts.join(",")
        )
    };
    // 3 points: Z = 100 − 30j, 110 − 20j, and frequency 0 (skipped)
    let (re, im) = ([100.0, 110.0, 1.0], [30.0, 20.0, 0.0]);
    let modulus: Vec<f64> = re
        .iter()
        .zip(im)
        .map(|(a, b): (&f64, f64)| a.hypot(b))
        .collect();
    let eis = [
        arr("Idc", "MicroAmpere", "Current", &[1.0, 2.0, 3.0, 4.0, 5.0]),
        arr("Frequency", "Hertz", "Frequency", &[1000.0, 100.0, 0.0]),
        arr("ZRe", "ZRe", "Z'", &re),
        arr("ZIm", "ZIm", im_quantity, &im),
        arr("Z", "Z", "Z", &modulus),
        arr("Phase", "Phase", "-Phase", phase),
    ];
    let cv = [
        arr("potential", "Volt", "Potential", &[0.1, 0.2]),
        arr("current", "MicroAmpere", "Current", &[-3.0, 4.5]),
    ];
    format!(
        "{{\"Type\":\"PalmSens.DataFiles.SessionFile\",\"CoreVersion\":\"5.9\",\"Measurements\":[\
         {{\"Title\":\"cell\",\"DeviceUsed\":\"PalmSens4\",\"Method\":\"#PSTrace\\r\\nMETHOD_ID=eis\\r\\n\",\"DataSet\":{{\"Type\":\"PalmSens.Data.DataSetEIS\",\"Values\":[{}]}}}},\
         {{\"Title\":\"CV 1\",\"Method\":\"METHOD_ID=cv\\r\\n\",\"DataSet\":{{\"Type\":\"PalmSens.Data.DataSetCommon\",\"Values\":[{}]}}}}]}}",
        eis.join(","),
        cv.join(",")
    )
}

#[test]
fn palmsens_sessions() {
    let phase = [
        30f64.atan2(100.0).to_degrees(),
        20f64.atan2(110.0).to_degrees(),
        0.0,
    ];
    let b = utf16le(&pssession("-Z''", &phase));
    let c = read_bytes(&b, "s.pssession", &opts()).unwrap();
    assert_eq!(c.format, Format::PalmSens);
    let z = &c.impedance[0].spectrum;
    assert_eq!((z.name.as_str(), z.len()), ("cell", 2));
    assert_eq!((z.z()[0].re, z.z()[0].im), (100.0, -30.0));
    assert_eq!(c.impedance[0].technique.as_deref(), Some("eis"));
    assert_eq!(
        c.impedance[0].metadata["arrays not read (other lengths)"],
        "Idc"
    );
    assert!(
        c.warnings[0].contains("1 points with frequency 0"),
        "{:?}",
        c.warnings
    );
    assert_eq!(c.tables[0].technique.as_deref(), Some("cv"));
    assert_eq!(
        c.tables[0].columns[1],
        ("current/µA".to_string(), vec![-3.0, 4.5])
    );
    // the same session detected by content under another name
    assert_eq!(
        read_bytes(&b, "s.json", &opts()).unwrap().format,
        Format::PalmSens
    );

    // a sign read the wrong way is caught by the phase; an unknown sign is refused
    let m = read_bytes(&utf16le(&pssession("Z''", &phase)), "s.pssession", &opts())
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("measurement 1 (\"cell\"), point 1") && m.contains("phase"),
        "{m}"
    );
    let m = read_bytes(&utf16le(&pssession("Im", &phase)), "s.pssession", &opts())
        .unwrap_err()
        .to_string();
    assert!(m.contains("the sign of Im Z is not known"), "{m}");
    // truncated or garbled: an error, never a panic
    for cut in (0..b.len()).step_by(61) {
        let _ = read_bytes(&b[..cut], "s.pssession", &opts());
    }
    assert!(read_bytes(&b[..b.len() / 2], "s.pssession", &opts()).is_err());

    // PSTrace 5.7, lower-case keys: three square-wave voltammograms (MIT,
    // tests/data/palmsens/README.md); numbers from Python's json module
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/palmsens/psdata_A.pssession");
    let c = interphase_io::read_path(&path, &opts()).unwrap();
    let want = [
        (
            "Square Wave Voltammetry [3]",
            -3023.66,
            -2089.72,
            -182987.12000000002,
        ),
        (
            "Square Wave Voltammetry [4]",
            -2485.69,
            -1866.32,
            -153658.27999999994,
        ),
        (
            "Square Wave Voltammetry [5]",
            -2961.72,
            -2083.09,
            -181318.02999999994,
        ),
    ];
    assert_eq!(c.tables.len(), 3);
    for (t, (title, first, last, sum)) in c.tables.iter().zip(want) {
        assert_eq!(
            (t.name.as_str(), t.rows(), t.technique.as_deref()),
            (title, 70, Some("swv"))
        );
        let names: Vec<&str> = t.columns.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["time/s", "potential/V", "current/µA"]);
        let i = &t.columns[2].1;
        assert_eq!((i[0], i[69]), (first, last));
        assert!((i.iter().sum::<f64>() - sum).abs() < 1e-9);
    }
    let m = into_impedance(c).unwrap_err().to_string();
    assert!(
        m.contains("technique swv: it holds no impedance data"),
        "{m}"
    );
}

/// UTF-16 text exports (a byte-order mark) read like UTF-8.
#[test]
fn utf16_text_reads_like_utf8() {
    let text = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n1000\t10.5\t2.0\n10\t40.0\t15.0\n";
    let c = read_bytes(&utf16le(text), "cell.txt", &opts()).unwrap();
    assert_eq!(c.impedance[0].spectrum.z()[1].im, -15.0);
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        be.extend_from_slice(&u.to_be_bytes());
    }
    let c = read_bytes(&be, "cell.txt", &opts()).unwrap();
    assert_eq!(c.impedance[0].spectrum.z()[1].re, 40.0);
}

/// A `.brml` scan: the views of the real files (time at 0, absorber at 1,
/// 2θ and θ at 2–3, counts at `counts_at`) and rows `(2θ, a, y)`.
fn brml_scan(
    axes: &str,
    recorded_len: usize,
    counts_at: usize,
    rows: &[(f64, f64, f64)],
    routes: &str,
) -> String {
    let datums: String = rows
        .iter()
        .map(|(tt, a, y)| {
            let mut v = [
                String::from("1"),
                a.to_string(),
                tt.to_string(),
                (tt / 2.0).to_string(),
                "-0.1".into(),
                "0".into(),
                "2.6".into(),
                "0".into(),
            ];
            v[counts_at] = y.to_string();
            format!("<Datum>{}</Datum>", v.join(","))
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><RawData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><DataRoutes>{routes}<DataRoute RouteFlag="Measured"><ScanInformation ScanName="TwoThetaOmegaScan" VisibleName="Coupled TwoTheta/Theta"><TimePerStep>1</TimePerStep></ScanInformation>{datums}<DataViews><RawDataView xsi:type="FixedRawDataView" Start="0" Length="1" LogicName="MeasuredTime"/><RawDataView xsi:type="FixedRawDataView" Start="1" Length="1" LogicName="AbsorptionFactor"/><RawDataView xsi:type="VaryingRawDataView" Start="2" Length="2"><Varying>{axes}</Varying></RawDataView><RawDataView xsi:type="RecordedRawDataView" Start="{counts_at}" Length="{recorded_len}"><Recording><Unit Base="Counts"/></Recording></RawDataView></DataViews></DataRoute></DataRoutes><TubeMaterial Value="Cu"/><WaveLengthAlpha1 Value="1.5406"/></RawData>"#
    )
}

fn brml_archive(scans: &[(&str, String)], listed: &[&str]) -> Vec<u8> {
    let refs: String = listed
        .iter()
        .map(|n| format!("<string>{n}</string>"))
        .collect();
    let manifest = format!(
        r#"<?xml version="1.0"?><DataContainer><MeasurementInfo SampleName="LLTO-3"/><RawDataReferenceList>{refs}</RawDataReferenceList></DataContainer>"#
    );
    let mut members: Vec<(&str, &[u8])> =
        vec![("Experiment0/DataContainer.xml", manifest.as_bytes())];
    for (n, x) in scans {
        members.push((n, x.as_bytes()));
    }
    common::zip_stored(&members)
}

#[test]
fn bruker_brml_columns_from_the_views() {
    const TT: &str = r#"<FieldDefinitions FieldName="TwoTheta" AxisId="TwoTheta"/><FieldDefinitions FieldName="Theta" AxisId="Theta"/>"#;
    let a = brml_scan(
        TT,
        1,
        7,
        &[(20.0, 1.0, 3.0), (20.02, 1.0, 5.0), (20.04, 1.0, 4.0)],
        "",
    );
    let b = brml_scan(
        TT,
        1,
        4,
        &[
            (30.0, 1.0, 120.0),
            (30.02, 8.0, 1600.0),
            (30.04, 1.0, 130.0),
        ],
        "",
    );
    // the manifest's order, not the members'
    let bytes = brml_archive(
        &[
            ("Experiment0/RawData0.xml", a.clone()),
            ("Experiment0/RawData1.xml", b),
        ],
        &["Experiment0/RawData1.xml", "Experiment0/RawData0.xml"],
    );
    let c = read_bytes(&bytes, "scan.brml", &opts()).unwrap();
    assert_eq!(c.format, Format::BrukerBrml);
    let (s1, s0) = (&c.spectra[0], &c.spectra[1]);
    assert_eq!(
        (s0.meta.name.as_str(), s1.meta.name.as_str()),
        ("LLTO-3 #2", "LLTO-3 #1")
    );
    assert_eq!(
        (s0.x(), s0.y()),
        (&[20.0, 20.02, 20.04][..], &[3.0, 5.0, 4.0][..])
    );
    assert!(s0.meta.counts && s0.meta.extra["kAlpha1"] == "1.5406");
    // intensity at column 4 in the other scan; the absorber is already applied
    assert_eq!(s1.y(), &[120.0, 1600.0, 130.0]);
    assert!(!s1.meta.counts);
    let sigma = s1.sigma().unwrap();
    assert!(
        (sigma[1] - 8.0 * 200f64.sqrt()).abs() < 1e-12 && (sigma[0] - 120f64.sqrt()).abs() < 1e-12
    );

    let refused = |bytes: Vec<u8>, want: &str| {
        let m = read_bytes(&bytes, "x.brml", &opts())
            .unwrap_err()
            .to_string();
        assert!(m.contains(want), "{m}");
    };
    let one = |scan: String| {
        brml_archive(
            &[("Experiment0/RawData0.xml", scan)],
            &["Experiment0/RawData0.xml"],
        )
    };
    refused(
        one(brml_scan(
            r#"<FieldDefinitions AxisId="Theta"/>"#,
            1,
            7,
            &[(20.0, 1.0, 3.0)],
            "",
        )),
        "steps no 2θ but a rocking curve (ω) (Theta)",
    );
    refused(
        one(brml_scan(TT, 1280, 7, &[(20.0, 1.0, 3.0)], "")),
        "position-sensitive-detector frame",
    );
    refused(
        one(brml_scan(
            TT,
            1,
            7,
            &[(20.0, 1.0, 3.0)],
            r#"<DataRoute RouteFlag="Measured"/>"#,
        )),
        "not exactly one marked Measured",
    );
    refused(
        brml_archive(
            &[("Experiment0/RawData0.xml", a.clone())],
            &["Experiment0/RawData9.xml"],
        ),
        "which the archive does not contain",
    );
    refused(
        one(a.replace("<Datum>1,1,20.02,", "<Datum>1,x,20.02,")),
        "<Datum> 2 is not comma-separated numbers",
    );
    refused(
        one(a.replace(",0,2.6,4</Datum>", "</Datum>")),
        "<Datum> 3 holds 5 values",
    );
    for cut in (0..bytes.len()).step_by(53) {
        let _ = read_bytes(&bytes[..cut], "x.brml", &opts());
    }

    // as in DIFFRAC's non-ambient and stress series (DxTools' example files):
    // a temperature recording listed before the counter is not the
    // intensity, and the fixed drives (ψ tilt ...) tell the scans apart
    let series = a
        .replace(
            r#"<RawDataView xsi:type="RecordedRawDataView" Start="7" Length="1"><Recording>"#,
            r#"<RawDataView xsi:type="RecordedRawDataView" Start="6" Length="1"><Recording Category="Temperature" LogicName="ActualTemperature"><Unit Base="Celsius"/></Recording></RawDataView><RawDataView xsi:type="RecordedRawDataView" Start="7" Length="1"><Recording Category="Count">"#,
        )
        .replace(
            "</RawData>",
            r#"<FixedInformation><Drives><InfoData xsi:type="FixedDriveInfoData" LogicName="Chi" VisibleName="Psi-H"><Position Unit="°" Value="10"/></InfoData></Drives></FixedInformation></RawData>"#,
        );
    assert!(series.contains("ActualTemperature"));
    let c = read_bytes(&one(series), "t.brml", &opts()).unwrap();
    let s = &c.spectra[0];
    assert_eq!(s.y(), &[3.0, 5.0, 4.0]);
    assert_eq!(s.meta.extra["ActualTemperature mean (Celsius)"], "2.6");
    assert_eq!(s.meta.extra["drive Chi / Psi-H (°)"], "10");
    // recordings that all have another category: no intensity is guessed
    let m = read_bytes(
        &one(a.replace(
            "<Recording>",
            r#"<Recording Category="Temperature" LogicName="T">"#,
        )),
        "t.brml",
        &opts(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("no recording of category Count among the recorded views (T)"),
        "{m}"
    );
}
