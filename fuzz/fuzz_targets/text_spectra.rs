//! `interphase_io` reader `text_spectra`: never panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = interphase_io::text::decode(data);
    let _ = interphase_io::textspectra::read_casa_tab(&text, "fuzz.txt");
    let _ = interphase_io::textspectra::read_scienta_txt(&text, "fuzz.txt");
    let _ = interphase_io::textspectra::read_uxd(&text, "fuzz.uxd");
    let _ = interphase_io::textspectra::read_ras(&text, "fuzz.ras");
});
