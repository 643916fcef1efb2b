//! Rigaku `.rasx` zip containers (`interphase_io::textspectra::read_rasx`,
//! with the zip reader under it): never panic, never inflate past the caps.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::textspectra::read_rasx(data, "fuzz.rasx");
});
