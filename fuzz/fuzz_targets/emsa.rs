//! Spectrum files read as Emsa: never panic, whatever the bytes.
#![no_main]
use interphase_io::{Format, decode, read_text as read_str};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = decode(data);
    let _ = read_str(&text, Format::Emsa, "fuzz");
});
