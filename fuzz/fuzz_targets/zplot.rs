//! Impedance files read through `interphase_io::read_bytes` as a `t.z` file
//! (the format is sniffed from the bytes): never panic, whatever the bytes,
//! and what reads is valid data.
#![no_main]
use interphase_io::{ReadOptions, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = read_bytes(data, "t.z", &ReadOptions::default()) {
        for r in &c.impedance {
            assert!(r.spectrum.freq().iter().all(|f| f.is_finite() && *f > 0.0));
        }
    }
});
