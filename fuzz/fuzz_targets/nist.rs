//! NIST StRD data files: never panic.
#![no_main]
use interphase_fit::nist::Dataset;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = Dataset::parse(&text) {
        let _ = d.start(1);
    }
});
