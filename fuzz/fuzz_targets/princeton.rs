//! Princeton WinSpec `.spe` (`interphase_io::princeton::read_winspec`):
//! never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::princeton::read_winspec(data, "fuzz.spe");
});
