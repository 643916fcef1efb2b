//! `interphase_io` reader `palmsens`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = interphase_io::text::decode(data);
    let _ = interphase_io::palmsens::read_pssession(&text, "fuzz.pssession");
});
