//! `interphase_io` reader `ivium`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::ivium::read_ivium(data, "fuzz.idf");
});
