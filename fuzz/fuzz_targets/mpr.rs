//! BioLogic `.mpr` binaries (`interphase_io::mpr::parse_mpr` and the
//! impedance reader): never panic, never allocate beyond the input's size.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // seeds are whole .mpr files; other inputs get the signature in front
    let mut b = Vec::new();
    if !data.starts_with(b"BIO-LOGIC") {
        b.extend_from_slice(b"BIO-LOGIC MODULAR FILE\x1a");
        b.resize(52, b' ');
    }
    b.extend_from_slice(data);
    let _ = interphase_io::mpr::parse_mpr(&b, "fuzz.mpr");
    let _ = interphase_io::mpr::read_mpr_impedance(&b, "fuzz.mpr");
    let _ = interphase_io::read_bytes(data, "fuzz.bin", &interphase_io::ReadOptions::default());
});
