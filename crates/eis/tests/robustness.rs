//! Arbitrary input never panics: circuit strings and every reader.

use interphase_eis::Circuit;
use interphase_eis::io::{ImagSign, decode, read_biologic, read_delimited, read_gamry, read_zplot};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn circuit_strings_are_total(s in "[RCLpWoGsKZarcPE0-9_(),\\- ]{0,40}") {
        if let Ok(c) = s.parse::<Circuit>() {
            // whatever parses prints back to something that parses to the same circuit
            prop_assert_eq!(c.to_string().parse::<Circuit>().unwrap(), c);
        }
    }

    #[test]
    fn readers_are_total(t in "(?s).{0,300}") {
        let _ = read_delimited(&t, "p", ImagSign::Auto);
        let _ = read_biologic(&t, "p");
        let _ = read_gamry(&t, "p");
        let _ = read_zplot(&t, "p");
        let _ = read_delimited(&format!("EC-Lab ASCII FILE\nNb header lines : 3\n\n{t}"), "p", ImagSign::Auto);
        let _ = read_biologic(&format!("EC-Lab ASCII FILE\nNb header lines : 3\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n{t}"), "p");
        let _ = read_gamry(&format!("ZCURVE\tTABLE\n\tPt\tFreq\tZreal\tZimag\n\t#\tHz\tohm\tohm\n{t}"), "p");
        let _ = read_zplot(&format!("End Comments\n{t}"), "p");
    }

    /// Arbitrary bytes, decoded as a file would be (UTF-8 or Latin-1), never
    /// panic a reader.
    #[test]
    fn arbitrary_bytes_are_total(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let t = decode(&b);
        let _ = read_delimited(&t, "p", ImagSign::Auto);
        let _ = read_biologic(&t, "p");
        let _ = read_gamry(&t, "p");
        let _ = read_zplot(&t, "p");
    }

    /// Byte changes and truncations of a valid file of each format never
    /// panic, and what still parses is a valid spectrum (finite, positive
    /// frequencies).
    #[test]
    fn mutated_files_never_panic(pos in 0usize..4000, cut in 1usize..4000, byte in 0u8..128) {
        for (good, which) in valid_files() {
            let mut b = good.into_bytes();
            let p = pos % b.len();
            b[p] = byte;
            b.truncate(cut);
            let t = String::from_utf8_lossy(&b);
            let r = match which {
                0 => read_delimited(&t, "p", ImagSign::Auto),
                1 => read_biologic(&t, "p"),
                2 => read_gamry(&t, "p"),
                _ => read_zplot(&t, "p"),
            };
            if let Ok(s) = r {
                prop_assert!(s.freq().iter().all(|f| f.is_finite() && *f > 0.0));
                prop_assert!(s.z().iter().all(|z| z.is_finite()));
            }
        }
    }
}

/// Small valid files of the four formats (the layouts of the shared samples).
fn valid_files() -> Vec<(String, u8)> {
    let rows: Vec<(f64, f64, f64)> = (0..6)
        .map(|i| {
            let f = 10f64.powi(5 - i);
            (f, 10.0 + i as f64, -(1.0 + i as f64))
        })
        .collect();
    let csv: String = rows
        .iter()
        .map(|(f, r, i)| format!("{f},{r},{i}\n"))
        .collect();
    let mpt = format!(
        "EC-Lab ASCII FILE\nNb header lines : 4\n\nfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n{}",
        rows.iter()
            .map(|(f, r, i)| format!("{f}\t{r}\t{}\n", -i))
            .collect::<String>()
    );
    let dta = format!(
        "EXPLAIN\nZCURVE\tTABLE\n\tPt\tTime\tFreq\tZreal\tZimag\n\t#\ts\tHz\tohm\tohm\n{}",
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
    vec![
        (format!("freq,Zre,Zim\n{csv}"), 0),
        (mpt, 1),
        (dta, 2),
        (z, 3),
    ]
}

#[test]
fn the_valid_files_are_valid() {
    for (text, which) in valid_files() {
        let r = match which {
            0 => read_delimited(&text, "p", ImagSign::Auto),
            1 => read_biologic(&text, "p"),
            2 => read_gamry(&text, "p"),
            _ => read_zplot(&text, "p"),
        };
        assert_eq!(r.unwrap().len(), 6, "format {which}");
    }
}
