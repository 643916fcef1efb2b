//! `interphase_io` reader `bruker_raw`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::bruker_raw::read_bruker_raw(data, "fuzz.raw");
});
