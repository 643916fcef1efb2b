//! Arbitrary input never panics: circuit strings and every reader.

use interphase_eis::Circuit;
use interphase_eis::io::{ImagSign, read_biologic, read_delimited, read_gamry, read_zplot};
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
}
