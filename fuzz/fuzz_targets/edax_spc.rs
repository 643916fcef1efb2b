//! `interphase_io` reader `edax_spc`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::edax::read_spc(data, "fuzz.spc");
});
