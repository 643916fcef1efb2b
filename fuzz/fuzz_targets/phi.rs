//! PHI MultiPak `.spe` / `.pro` (`interphase_io::phi::read_phi_all`, the
//! depth profiles' per-cycle traces included): never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = interphase_io::phi::read_phi_all(data, "fuzz.pro");
});
