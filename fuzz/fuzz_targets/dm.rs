//! `interphase_io` reader `dm`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::dm::read_dm_spectra(data, "fuzz.dm4");
});
