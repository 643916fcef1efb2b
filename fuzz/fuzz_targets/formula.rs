//! Chemical formulas: never panic; whatever parses prints back to the same formula.
#![no_main]
use interphase_materials::Formula;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(f) = text.parse::<Formula>() {
        let again: Formula = f.to_string().parse().expect("a printed formula parses");
        assert_eq!(again, f, "round trip of {text:?}");
        let _ = f.molar_mass();
    }
});
