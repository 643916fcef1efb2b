//! The LLTO workflow's `sample.toml`: never panic.
#![no_main]
use interphase::workflows::llto::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Settings::from_toml(&text);
});
