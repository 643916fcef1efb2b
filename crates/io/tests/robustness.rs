//! Arbitrary or damaged input never panics a reader, and whatever still
//! reads is valid data (finite, positive frequencies; finite impedances).

mod common;

use interphase_io::{ReadOptions, read_bytes};
use proptest::prelude::*;

fn check(b: &[u8], name: &str) -> Result<(), TestCaseError> {
    if let Ok(c) = read_bytes(b, name, &ReadOptions::default()) {
        for r in &c.impedance {
            prop_assert!(r.spectrum.freq().iter().all(|f| f.is_finite() && *f > 0.0));
            prop_assert!(r.spectrum.z().iter().all(|z| z.is_finite()));
        }
    }
    Ok(())
}

/// Small valid files of each impedance format.
fn valid_files() -> Vec<(Vec<u8>, &'static str)> {
    let rows: Vec<(f64, f64, f64)> = (0..6)
        .map(|i| (10f64.powi(5 - i), 10.0 + i as f64, -(1.0 + i as f64)))
        .collect();
    let csv: String = rows
        .iter()
        .map(|(f, r, i)| format!("{f},{r},{i}\n"))
        .collect();
    let mpt = format!(
        "EC-Lab ASCII FILE\nNb header lines : 5\n\nPotentio Electrochemical Impedance Spectroscopy\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\tcycle number\n{}",
        rows.iter()
            .map(|(f, r, i)| format!("{f}\t{r}\t{}\t1\n", -i))
            .collect::<String>()
    );
    let dta = format!(
        "EXPLAIN\nTAG\tEISPOT\nZCURVE\tTABLE\n\tPt\tTime\tFreq\tZreal\tZimag\n\t#\ts\tHz\tohm\tohm\n{}",
        rows.iter()
            .enumerate()
            .map(|(k, (f, r, i))| format!("\t{k}\t{k}\t{f}\t{r}\t{i}\n"))
            .collect::<String>()
    );
    let z = format!(
        "ZPLOT2 ASCII\nEnd Comments\n{}",
        rows.iter()
            .map(|(f, r, i)| format!("{f}\t0\t0\t0\t{r}\t{i}\n"))
            .collect::<String>()
    );
    let par = format!(
        "<Application>\n</Application>\n<Segment1>\nDefinition=Frequency(Hz), Z Real, Z Imag, 0\n{}</Segment1>\n",
        rows.iter()
            .map(|(f, r, i)| format!("{f},{r},{i}\n"))
            .collect::<String>()
    );
    let session = r#"{"Type":"PalmSens.DataFiles.SessionFile","Measurements":[{"Title":"c","Method":"METHOD_ID=eis","DataSet":{"Type":"PalmSens.Data.DataSetEIS","Values":[{"Description":"f","Unit":{"Type":"PalmSens.Units.Hertz","Q":"Frequency"},"DataValues":[{"V":1000.0},{"V":10.0}]},{"Description":"re","Unit":{"Type":"PalmSens.Units.ZRe","Q":"Z'"},"DataValues":[{"V":10.5},{"V":40.0}]},{"Description":"im","Unit":{"Type":"PalmSens.Units.ZIm","Q":"-Z''"},"DataValues":[{"V":2.0},{"V":15.0}]}]}}]}"#;
    let mut pssession = vec![0xFF, 0xFE];
    for u in session.encode_utf16() {
        pssession.extend_from_slice(&u.to_le_bytes());
    }
    let specs = concat!(
        "<?xml version=\"1.0\"?>\n<!-- CORBA XML document created by XMLSerializer2 1.6 -->\n",
        "<any><sequence type_name=\"RegionGroupSeq\"><struct type_name=\"RegionGroup\"><string name=\"name\">G</string>",
        "<sequence name=\"regions\"><struct type_name=\"RegionData\"><string name=\"name\">R</string>",
        "<struct name=\"region\"><string name=\"analysis_method\">XPS</string>",
        "<struct name=\"scan_mode\"><string name=\"name\">FixedAnalyzerTransmission</string></struct>",
        "<ulong name=\"curves_per_scan\">1</ulong><ulong name=\"values_per_curve\">2</ulong>",
        "<double name=\"scan_delta\">0.5</double><double name=\"excitation_energy\">1486.6</double>",
        "<double name=\"kinetic_energy\">1000</double><double name=\"pass_energy\">20</double></struct>",
        "<ulong name=\"mcd_head\">1</ulong><ulong name=\"mcd_tail\">1</ulong>",
        "<struct name=\"analyzer_info\"><sequence name=\"detectors\">",
        "<struct type_name=\"Detector\"><double name=\"shift\">-0.025</double><double name=\"gain\">1</double></struct>",
        "<struct type_name=\"Detector\"><double name=\"shift\">0.025</double><double name=\"gain\">1</double></struct>",
        "</sequence></struct><sequence name=\"cycles\"><struct type_name=\"Cycle\"><sequence name=\"scans\">",
        "<struct type_name=\"ScanData\"><sequence name=\"counts\"><ulong>1 2 3 4 5 6 7 8</ulong></sequence></struct>",
        "</sequence></struct></sequence></struct></sequence></struct></sequence></any>\n",
    );
    vec![
        (pssession, "s.pssession"),
        (specs.as_bytes().to_vec(), "s.xml"),
        (format!("freq,Zre,Zim\n{csv}").into_bytes(), "t.csv"),
        (mpt.into_bytes(), "t.mpt"),
        (dta.into_bytes(), "t.DTA"),
        (z.into_bytes(), "t.z"),
        (par.into_bytes(), "t.par"),
        (common::peis_mpr(true), "new.mpr"),
        (common::peis_mpr(false), "old.mpr"),
        (
            common::dm(
                false,
                &[4],
                &[(0.0, 0.01, "keV")],
                vec![1.0, 2.0, 3.0, 4.0],
                "EDS",
                "X-ray",
            ),
            "s.dm3",
        ),
        (
            common::dm(
                true,
                &[2, 1, 3],
                &[(0.0, 1.0, "nm"), (0.0, 1.0, "nm"), (0.0, 1.0, "eV")],
                vec![1.0; 6],
                "SI",
                "EELS",
            ),
            "s.dm4",
        ),
        (
            common::ibw(
                &[1.0, 2.0, 3.0],
                10.0,
                0.5,
                "w",
                "[SES]\rEnergy Scale=Kinetic\r",
            ),
            "w.ibw",
        ),
        (common::bruker_raw3(10.0, 0.1, &[1.0, 2.0, 3.0]), "v3.raw"),
        (common::bruker_raw4(10.0, 0.1, &[1.0, 2.0, 3.0]), "v4.raw"),
        (
            common::zip_stored(&[("Data0/Profile0.txt", b"44.0\t2.5\t1\r\n44.01\t3\t2\r\n")]),
            "x.rasx",
        ),
    ]
}

#[test]
fn the_valid_files_are_valid() {
    for (b, name) in valid_files() {
        let c =
            read_bytes(&b, name, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!c.impedance.is_empty() || !c.spectra.is_empty(), "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text_never_panics(t in "(?s).{0,400}") {
        for prefix in ["", "EC-Lab ASCII FILE\nNb header lines : 4\n\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n",
                       "EXPLAIN\nZCURVE\tTABLE\n\tPt\tFreq\tZreal\tZimag\n\t#\tHz\tohm\tohm\n",
                       "ZPLOT2 ASCII\nEnd Comments\n", "f,Z',-Z''\n", "<A>\n<Segment1>\nDefinition=Frequency(Hz), Z Real, Z Imag\n"] {
            check(format!("{prefix}{t}").as_bytes(), "p.txt")?;
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..800)) {
        check(&b, "p.bin")?;
        let mut m = b"BIO-LOGIC MODULAR FILE\x1a".to_vec();
        m.resize(52, b' ');
        m.extend_from_slice(b"MODULE");
        m.extend_from_slice(&b);
        check(&m, "p.mpr")?;
    }

    /// Byte changes and truncations of a valid file of each format.
    #[test]
    fn damaged_files_never_panic(pos in 0usize..4000, cut in 1usize..4000, byte in any::<u8>()) {
        for (mut b, name) in valid_files() {
            let p = pos % b.len();
            b[p] = byte;
            b.truncate(cut.max(1));
            check(&b, name)?;
        }
    }
}

/// A long text whose 8192nd byte falls inside a multi-byte character, in a
/// table that is neither impedance nor spectra: an error, never a panic.
#[test]
fn long_multibyte_text_never_panics() {
    let mut t = String::from("freq,Zre,Zim\n");
    while t.len() < 8190 {
        t.push_str("a,b,c\n");
    }
    t.push_str("µµµµ,°,²\n1,2,3\n");
    let _ = read_bytes(t.as_bytes(), "t.csv", &ReadOptions::default());
}
