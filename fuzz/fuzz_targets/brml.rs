//! `interphase_io` reader `brml`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::brml::read_brml(data, "fuzz.brml");
});
