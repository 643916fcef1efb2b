//! Circuit strings: never panic; whatever parses prints back to the same
//! circuit, and evaluates (or errors) without panicking.
#![no_main]
use interphase_eis::Circuit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = text.parse::<Circuit>() {
        let again: Circuit = c.to_string().parse().expect("a printed circuit parses");
        assert_eq!(again, c, "round trip of {text:?}");
        let p = vec![1.0; c.n_params()];
        let _ = c.impedance(100.0, &p);
    }
});
