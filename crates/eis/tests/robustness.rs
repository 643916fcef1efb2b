//! Arbitrary circuit strings never panic (the readers' robustness tests live
//! in interphase-io).

use interphase_eis::Circuit;
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

}
