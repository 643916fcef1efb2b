//! Impedance files read by `read_zplot`: never panic, whatever the bytes.
#![no_main]
#[allow(unused_imports)]
use interphase_eis::io::{ImagSign, decode, read_biologic, read_delimited, read_gamry, read_zplot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = decode(data);
    let _ = read_zplot(&text, "fuzz");
});
