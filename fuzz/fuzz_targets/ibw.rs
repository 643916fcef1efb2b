//! `interphase_io` reader `ibw`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::ibw::read_ibw(data, "fuzz.ibw");
});
